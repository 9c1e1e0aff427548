# SPDX-License-Identifier: GPL-2.0
#
# guest-privmem-bind.sh: sourced by the guest-side bench scripts
# (guest-bench.sh, guest-bench-redis.sh), not run.
#
# bind_privmem DAX [SETTING=VALUE...]: bind DAX to privmem, write the
# device's settings, bring it online and print /dev/privmemN.
bind_privmem() {
	local dax=$1 d sys= kv
	shift
	echo "$dax" > /sys/bus/dax/drivers/device_dax/unbind 2>/dev/null
	echo "$dax" > /sys/bus/dax/drivers/privmem/new_id || return 1
	for d in /sys/class/privmem/*; do
		[ "$(cat "$d/dax" 2>/dev/null)" = "$dax" ] && sys=$d
	done
	[ -n "$sys" ] || return 1
	for kv in "$@"; do
		echo "${kv#*=}" > "$sys/${kv%%=*}" || return 1
	done
	echo online > "$sys/state" || return 1
	echo "/dev/$(basename "$sys")"
}

unbind_privmem() {
	echo "$1" > /sys/bus/dax/drivers/privmem/unbind
	echo "$1" > /sys/bus/dax/drivers/privmem/remove_id
	echo "$1" > /sys/bus/dax/drivers/device_dax/bind
}
