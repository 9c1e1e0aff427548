# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced in the guest by scripts/guest/guest-check.sh before the kunit modules
# are loaded: kunit_setup runs first, kunit_teardown after the results are
# collected. kunit_args_<module> holds the parameters of <module>.ko.
#
# private_node_test needs a free physical range on a memory-less node to
# hot-add as a private node: dax1.0 (node 3) is unbound from device_dax and
# its range handed over; the module aligns it to memory blocks itself.
# A child cpuset is created so that cpusets_enabled() holds during the
# cpuset test.

privmem_kunit_dax=dax1.0
privmem_kunit_unbound=
privmem_kunit_cpuset=

kunit_setup() {
	local d=/sys/bus/dax/devices/$privmem_kunit_dax
	local drv=/sys/bus/dax/drivers/device_dax
	local cg=/sys/fs/cgroup

	if ! grep -q " $cg cgroup2 " /proc/mounts; then
		mount -t cgroup2 none "$cg" 2>/dev/null
	fi
	if echo +cpuset > "$cg/cgroup.subtree_control" 2>/dev/null &&
	   mkdir "$cg/privmem-kunit" 2>/dev/null; then
		privmem_kunit_cpuset=$cg/privmem-kunit
	fi

	if [ ! -e "$d" ]; then
		echo "[guest] kunit setup: no $privmem_kunit_dax, private node tests skip"
		return 0
	fi
	if [ -e "$drv/$privmem_kunit_dax" ]; then
		echo "$privmem_kunit_dax" > "$drv/unbind" &&
			privmem_kunit_unbound=$privmem_kunit_dax
	fi
	kunit_args_private_node_test="test_nid=$(cat "$d/target_node") test_start=$(cat "$d/resource") test_size=$(cat "$d/size")"
	echo "[guest] kunit setup: private_node_test $kunit_args_private_node_test"
}

kunit_teardown() {
	if [ -n "$privmem_kunit_unbound" ]; then
		echo "$privmem_kunit_unbound" > /sys/bus/dax/drivers/device_dax/bind
		privmem_kunit_unbound=
	fi
	if [ -n "$privmem_kunit_cpuset" ]; then
		rmdir "$privmem_kunit_cpuset" 2>/dev/null
		privmem_kunit_cpuset=
	fi
}
