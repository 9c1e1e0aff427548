#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-bench-redis.sh BUILD OUT ROUNDS
#
# Runs inside the guest (pm_mode=redis, or called by guest-bench.sh): Redis
# with a data set larger than the DRAM it may use, the cold part pushed out
#   cram        by demotion into a compressed node (dax1.0, type=compressed),
#   cram-model  the same, each read of a compressed page after a NUMA scan
#               paying a modelled decompression (tests/modules/privmem_readcost.c),
#   zswap       by swap-out into zswap (lz4, zsmalloc; the guest's zram swap
#               behind it), dax1.0 left a device_dax device,
# ROUNDS rounds, the order of the three rotated from round to round.
#
# The DRAM budget (pm_redis_budget_mib, default 192 MiB): node 1 keeps
# SLACK (pm_redis_slack_mib, 32) MiB free, node 0 BUDGET - SLACK, the rest
# of both is held by unevictable ramfs files (so the two DRAM nodes have
# BUDGET MiB free when Redis starts). Redis runs with the default (local)
# policy on node 0's CPUs; node 0's and node 1's own reclaim (kswapd, direct
# reclaim) push its coldest pages out, as on a machine whose DRAM is full,
# for as long as the run lasts: swap-ins and promotions push other pages
# out again. Not numactl --membind=0: zswap's and zram's allocations in
# Redis's direct reclaim would obey Redis's policy, fail on the full node
# and OOM-kill Redis; and a promotion (mm/cram.c) goes to node 0 or, if
# it is full, node 1, whatever Redis's policy. The loader and the clients
# prefer node 1. Redis runs in a memory cgroup without a limit, for its
# statistics only. THP is off while the benchmark runs (restored after):
# with a full node, every huge page fault of a client woke kswapd for an
# order-9 page, each wake-up demoted or swapped a compaction gap (4 MiB)
# of Redis's data, and the whole data set left DRAM.
#
# The compressed capacity: zswap's pool may take max_pool_percent
# (pm_redis_pool_percent, default 5) of the guest's RAM (MemTotal at the
# start, before any node is bound); the compressed node's device gets the
# same bytes as its physical_size (96 MiB of 1934). The cold part of the
# data set (about 100 MiB, 2.2x compressible) fits either, so neither
# overflows into the zram swap behind it; the rows say what did (mib_zram).
# zswap's pool is DRAM while the device is not: so that both leave Redis
# the same DRAM for uncompressed pages, the zswap run gives node 0 back,
# every second, the largest size its pool has reached (pool_comp; a pool
# that shrinks again leaves zswap that DRAM, in its favour).
#
# The data set (tests/bench/redis_load.c): pm_redis_keys keys (default
# 300000) of JSON-like records of about 850 bytes, about 1.5x the budget in
# Redis's memory, loaded with redis-cli --pipe, keys in scattered order.
#
# The load: redis-benchmark draws keys uniformly (-r), so a skewed
# distribution is made of concurrent clients (closed loop, 1 request in
# flight per connection):
#   get    12 connections GET over the hot set (the lowest 10% of the key
#          ids, scattered over the heap) + 4 over the whole key space:
#          about 77% of the GETs go to 10% of the keys, the rest is a
#          uniform cold tail;
#   mixed  8 hot GET + 4 whole-space GET + 4 whole-space SETRANGE (the 12
#          "score" digits at the start of a value rewritten in place: a
#          write to a page on the compressed node promotes it, one in
#          zswap swaps it in), 25% writes.
# Before the measured runs a warm-up GET run (a quarter of the requests)
# lets reclaim sort hot from cold. Each client has a request count in
# proportion to its connections (so they end about together) and a
# timeout; its own rps, p50 and p99 are read from redis-benchmark --csv.
#
# Samples (OUT/bench.txt, "sample redis.CONFIG.METRIC ROUND VALUE"):
#   get.rps                sum of the GET clients' requests per second
#   get.hot.p50_ms/.p99_ms hot-set client's latency percentiles (ms)
#   get.all.p50_ms/.p99_ms whole-key-space client's (the one that meets
#                          the cold tail)
#   get.p99_ms             the larger of the two p99s: an upper bound of
#                          the p99 of all GETs together
#   mixed.rps, mixed.p99_ms (the largest of the three clients' p99s),
#   mixed.set.p99_ms
#   ratio                  logical/physical of the compressed store after
#                          the runs: cram/compression_ratio / 1000, or
#                          zswap stored_pages * 4096 / pool_total_size
#   pre.* / post.*         where Redis's data was after the warm-up and
#                          after the runs, MiB: mib_dram (node 0 and 1
#                          pages of the Redis process, numa_maps),
#                          mib_node1 (of which on node 1),
#                          mib_compressed (pages on the compressed node,
#                          or zswapped bytes of the cgroup: logical),
#                          mib_zram (swap used beyond zswap: zram)
#   load_s                 seconds to load the data set
#   mib_pool_max           zswap: the pool's largest size, given back
#   pushouts               pages pushed out of DRAM during the measured
#                          runs: demotions into the node (its
#                          counters/demotions_in), or pswpout + zswpout
#   swapins, promotions    swap-ins (pswpin + zswpin: from zram or from
#                          zswap) and promotions (the node's
#                          counters/promotions) during the measured runs
#   hint_faults            NUMA hinting faults during the measured runs
#                          (/proc/vmstat numa_hint_faults)
#   model_hits, model_us   cram-model: faults that paid the modelled cost
#                          (the module's count) and its mean cost in us
# Everything changed is restored at the end (zswap's parameters,
# kernel.numa_balancing and its scan periods, demotion_enabled, dax1.0
# back to device_dax, the module, the cgroup, the ramfs, Redis).
#
# Kernel command line (development): pm_redis_keys, pm_redis_budget_mib,
# pm_redis_slack_mib, pm_redis_requests (each measured run, all clients;
# default 200000), pm_redis_pool_percent, pm_redis_configs (e.g. "cram
# zswap"), pm_redis_debug=1 (reclaim counters and numa_maps lines).
set -u
build=$1
out=$2
rounds=${3:-3}
top=$(cd "$(dirname "$0")/../.." && pwd)
log=$out/bench.txt
keys=${pm_redis_keys:-300000}
budget=${pm_redis_budget_mib:-192}
slack=${pm_redis_slack_mib:-32}
nreq=${pm_redis_requests:-200000}
pool_pct=${pm_redis_pool_percent:-5}
read -r -a configs <<< "${pm_redis_configs:-cram cram-model zswap}"
hot=$((keys / 10))
sock=/run/pm-redis/redis.sock
tmp=/run/pm-redis
cg=/sys/fs/cgroup/privmem-redis
fill=$tmp/fill
zsw=/sys/module/zswap/parameters
say() { echo "[guest] $*"; }
sample() { echo "sample redis.$1.$2 $3 $4" >> "$log"; }
touch "$log"
mkdir -p "$tmp"

# The loader: make bench builds it into BUILD; otherwise build it here
# (once, a few seconds even under TCG).
loader=$build/tests/bench/redis_load
if [ ! -x "$loader" ]; then
	loader=$tmp/redis_load
	gcc -O2 -o "$loader" "$top/tests/bench/redis_load.c" ||
		{ say "redis: cannot build tests/bench/redis_load"; exit 1; }
fi
# The read-cost module: tests/modules in the build or in the checkout.
readcost=
for f in "$build/tests/modules/privmem_readcost.ko" "$top/tests/modules/privmem_readcost.ko"; do
	[ -f "$f" ] && readcost=$f && break
done
for p in redis-server redis-cli redis-benchmark numactl; do
	command -v $p > /dev/null || { say "redis: no $p (make deps)"; exit 1; }
done

# State to restore.
modprobe privmem
# Never the OOM killer's choice (nor, by inheritance, the clients): Redis
# sets its own back to 0.
echo -1000 > /proc/self/oom_score_adj
saved_zswap=()
for f in enabled compressor zpool max_pool_percent; do
	saved_zswap+=("$f=$(cat $zsw/$f)")
done
saved_numab=$(cat /proc/sys/kernel/numa_balancing)
saved_demotion=$(cat /sys/kernel/mm/numa/demotion_enabled)
thp=/sys/kernel/mm/transparent_hugepage/enabled
saved_thp=$(sed 's/.*\[\(.*\)\].*/\1/' $thp)
memtotal_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
cap_mib=$((memtotal_kb * pool_pct / 100 / 1024))
redis_pid=
comp_pid=
cdev=

# bind_privmem, unbind_privmem
. "$top/scripts/guest/guest-privmem-bind.sh"

# zswap's pool lives in DRAM, the compressed node's data does not: so that
# both configurations leave Redis the same DRAM for uncompressed pages,
# node 0's ramfs file is cut, every second, by the largest size zswap's
# pool has reached (zswap gets the budget plus its pool; a pool that
# shrinks again leaves zswap that DRAM: in its favour). Runs in the
# background from the start of Redis to the end of the configuration.
pool_comp() {
	local f=$fill/0 base pool max=0

	base=$(($(stat -c %s $f) >> 20))
	while sleep 1; do
		pool=$(($(cat /sys/kernel/debug/zswap/pool_total_size) >> 20))
		if [ "$pool" -gt "$max" ]; then
			max=$pool
			truncate -s $(((base - max) << 20)) $f
			echo "$max" > $tmp/pool_max
		fi
	done
}

stop_comp() {
	[ -n "$comp_pid" ] || return 0
	kill "$comp_pid" 2> /dev/null
	wait "$comp_pid" 2> /dev/null
	comp_pid=
}

stop_redis() {
	local i

	[ -n "$redis_pid" ] || return 0
	timeout 60 redis-cli -s $sock shutdown nosave > /dev/null 2>&1
	for i in $(seq 60); do
		kill -0 "$redis_pid" 2> /dev/null || break
		sleep 1
	done
	kill -9 "$redis_pid" 2> /dev/null
	wait "$redis_pid" 2> /dev/null
	redis_pid=
}

# Undo one configuration (also the exit trap: every step is idempotent).
teardown() {
	local kv

	stop_comp
	stop_redis
	[ -d $cg ] && rmdir $cg 2> /dev/null
	echo 0 > /proc/sys/kernel/numa_balancing
	lsmod | grep -q '^privmem_readcost ' && rmmod privmem_readcost
	if [ -n "$cdev" ]; then
		unbind_privmem dax1.0 2> /dev/null
		cdev=
	fi
	echo N > $zsw/enabled
}

restore_all() {
	local kv

	teardown
	mountpoint -q $fill && umount $fill
	for kv in "${saved_zswap[@]}"; do
		echo "${kv#*=}" > "$zsw/${kv%%=*}"
	done
	echo "$saved_numab" > /proc/sys/kernel/numa_balancing
	echo "$saved_demotion" > /sys/kernel/mm/numa/demotion_enabled
	echo "$saved_thp" > $thp
	rm -rf "$tmp"
	say "redis: restored: dax1.0 -> $(basename "$(readlink -f /sys/bus/dax/devices/dax1.0/driver)"), zswap enabled $(cat $zsw/enabled) ($(cat $zsw/compressor), $(cat $zsw/zpool), $(cat $zsw/max_pool_percent)%), numa_balancing $(cat /proc/sys/kernel/numa_balancing), demotion_enabled $(cat /sys/kernel/mm/numa/demotion_enabled), THP $(cat $thp)"
}
trap restore_all EXIT
# No THP (Redis's own advice; it turns them off for itself anyway): with
# node 0 full, every huge page fault of a client woke kswapd for an
# order-9 page, and each such wake-up demoted or swapped a compaction
# gap (4 MiB) of Redis's data: the whole data set left DRAM.
echo never > $thp

# Pages of the Redis process per node (numa_maps), in MiB: "N0 N1 Nc".
redis_nodes() {
	awk -v c="N${cnode:-9}=" '
		{ for (i = 2; i <= NF; i++) {
			if ($i ~ /^N0=/) n0 += substr($i, 4)
			if ($i ~ /^N1=/) n1 += substr($i, 4)
			if (index($i, c) == 1) nc += substr($i, length(c) + 1)
		} }
		END { printf "%d %d %d\n", n0 / 256, n1 / 256, nc / 256 }' \
		"/proc/$redis_pid/numa_maps"
}

stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

# where CONFIG ROUND pre|post: samples and a line for where the data was.
where() {
	local n0 n1 nc zsw_b swap_b comp zram

	read -r n0 n1 nc <<< "$(redis_nodes)"
	zsw_b=$(stat_of zswapped $cg/memory.stat)
	swap_b=$(cat $cg/memory.swap.current)
	zram=$(((swap_b - zsw_b) >> 20))
	if [ "$1" = zswap ]; then
		comp=$((zsw_b >> 20))
	else
		comp=$nc
	fi
	sample "$1" "$3.mib_dram" "$2" $((n0 + n1))
	sample "$1" "$3.mib_node1" "$2" "$n1"
	sample "$1" "$3.mib_compressed" "$2" "$comp"
	sample "$1" "$3.mib_zram" "$2" "$zram"
	[ -n "${pm_redis_debug:-}" ] && say "vmstat: $(grep -E '^(pgdemote|pgsteal|pgscan|pgpromote|numa_pages_migrated|pswp|zswp)' /proc/vmstat | tr '\n' ' ')" &&
		say "numa_maps: $(grep -v ' file=' /proc/$redis_pid/numa_maps | head -5 | tr '\n' '|')"
	say "redis $1 round $2 $3: node 0 $n0 MiB, node 1 $n1 MiB, compressed $comp MiB (logical), zram $zram MiB; node 0 free $(node_free 0) MiB, node 1 $(node_free 1) MiB; used_memory $(($(redis-cli -s $sock info memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }') >> 20)) MiB"
}

# bench NAME N SPEC...: concurrent redis-benchmark clients, SPEC
# "CONNS:RANGE:COMMAND"; each gets N * CONNS / (all CONNS) requests.
# Prints "rps p50 p99" per client, in SPEC order.
bench() {
	local name=$1 n=$2 spec conns=0 c r cmd i=0 pids=()
	shift 2
	for spec in "$@"; do
		conns=$((conns + ${spec%%:*}))
	done
	for spec in "$@"; do
		IFS=: read -r c r cmd <<< "$spec"
		# shellcheck disable=SC2086 # cmd is words
		numactl --preferred=1 timeout 400 redis-benchmark -s $sock -c "$c" \
			-n $((n * c / conns)) -r "$r" --csv $cmd \
			> "$tmp/$name.$i.csv" 2> "$tmp/$name.$i.err" &
		pids+=($!)
		i=$((i + 1))
	done
	wait "${pids[@]}"
	for i in $(seq 0 $(($# - 1))); do
		tail -1 "$tmp/$name.$i.csv" | tr -d '"' |
			awk -F, 'NF >= 7 && $2 + 0 > 0 { print $2, $5, $7; ok = 1 }
				 END { if (!ok) print "0 0 0" }'
	done
}

get_spec=("12:$hot:GET key:__rand_int__" "4:$keys:GET key:__rand_int__")
mixed_spec=("8:$hot:GET key:__rand_int__" "4:$keys:GET key:__rand_int__"
	    "4:$keys:SETRANGE key:__rand_int__ 9 __rand_int__")

node_free() {
	awk '/MemFree:/ { print int($4 / 1024) }' "/sys/devices/system/node/node$1/meminfo"
}

# fill_to NODE MIB: leave MIB free on NODE (after dropping the page cache),
# the rest held by the ramfs file $fill/NODE.
fill_to() {
	local f=$fill/$1 free held

	sync
	echo 3 > /proc/sys/vm/drop_caches
	if ! mountpoint -q $fill; then
		mkdir -p $fill
		mount -t ramfs pm-redis-fill $fill || return 1
	fi
	[ -f "$f" ] || : > "$f"
	free=$(node_free "$1")
	held=$(($(stat -c %s "$f") >> 20))
	if [ $((free - $2)) -gt 0 ]; then
		numactl --membind="$1" dd if=/dev/zero of="$f" bs=1M seek="$held" \
			count=$((free - $2)) conv=notrunc status=none || return 1
	elif [ $((free - $2)) -lt 0 ]; then
		truncate -s $(((held + free - $2) << 20)) "$f"
	fi
}

vmstat_of() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }

# Pages pushed out of DRAM so far: demoted into the compressed node, or
# swapped out (zswap or zram).
pushouts() {
	if [ -n "$cnode" ]; then
		cat "$sys/counters/demotions_in"
	else
		echo $(($(vmstat_of pswpout) + $(vmstat_of zswpout)))
	fi
}

# run_config CONFIG ROUND
run_config() {
	local c=$1 r=$2 t n sys rps p99 x ratio
	local h_rps h_50 h_99 a_rps a_50 a_99 s_rps s_99
	local hf0 sw0 pr0 po0 mh0='' ms0='' hits

	say "redis $c round $r: setting up"
	case $c in
	cram | cram-model)
		echo true > /sys/kernel/mm/numa/demotion_enabled
		if [ "$c" = cram-model ]; then
			cdev=$(bind_privmem dax1.0 type=compressed physical_size=${cap_mib}M numa_balancing=1)
		else
			cdev=$(bind_privmem dax1.0 type=compressed physical_size=${cap_mib}M)
		fi || { say "redis: cannot bind dax1.0 as a compressed node"; cdev=x; return 1; }
		sys=/sys/class/privmem/${cdev#/dev/}
		cnode=$(cat /sys/bus/dax/devices/dax1.0/target_node)
		if [ "$c" = cram-model ]; then
			[ -n "$readcost" ] || { say "redis: no privmem_readcost.ko"; return 1; }
			insmod "$readcost" nid="$cnode" || return 1
			echo 1 > /proc/sys/kernel/numa_balancing
		fi
		;;
	zswap)
		echo false > /sys/kernel/mm/numa/demotion_enabled
		if ! { echo lz4 > $zsw/compressor && echo zsmalloc > $zsw/zpool &&
		       echo "$pool_pct" > $zsw/max_pool_percent &&
		       echo Y > $zsw/enabled; }; then
			say "redis: cannot enable zswap"
			return 1
		fi
		cnode=
		;;
	esac

	# The DRAM budget: node 1 SLACK MiB free, node 0 BUDGET - SLACK MiB,
	# the rest of both held by unevictable ramfs files, kept from one
	# configuration to the next (writing them costs a minute under TCG)
	# and grown or cut. zswap's pool is DRAM: pool_comp gives it back.
	fill_to 1 "$slack" && fill_to 0 $((budget - slack)) || return 1
	say "redis $c round $r: node 0 $(node_free 0) MiB free, node 1 $(node_free 1) MiB; compressed capacity $cap_mib MiB"

	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
	mkdir -p $cg
	(echo $BASHPID > $cg/cgroup.procs && echo 0 > /proc/self/oom_score_adj &&
	 exec numactl --cpunodebind=0 redis-server --port 0 --unixsocket $sock \
		--save '' --appendonly no --protected-mode no --io-threads 1 \
		--logfile $tmp/redis.log) &
	redis_pid=$!
	if [ "$c" = zswap ]; then
		rm -f $tmp/pool_max
		pool_comp &
		comp_pid=$!
	fi
	for x in $(seq 100); do
		redis-cli -s $sock ping > /dev/null 2>&1 && break
		sleep 0.5
	done
	t=$(date +%s.%N)
	numactl --preferred=1 "$loader" "$keys" |
		numactl --preferred=1 timeout 900 redis-cli -s $sock --pipe > $tmp/load.out 2>&1
	t=$(echo "$(date +%s.%N) - $t" | bc)
	n=$(redis-cli -s $sock dbsize)
	if [ "$n" != "$keys" ]; then
		say "redis $c round $r: loaded $n keys of $keys: $(tail -2 $tmp/load.out)"
		return 1
	fi
	sample "$c" load_s "$r" "$t"
	say "redis $c round $r: $keys keys loaded in ${t%.*} s"

	bench warm $((nreq / 4)) "${get_spec[@]}" > /dev/null
	where "$c" "$r" pre

	hf0=$(vmstat_of numa_hint_faults)
	sw0=$(($(vmstat_of pswpin) + $(vmstat_of zswpin)))
	pr0=$([ -n "$cnode" ] && cat "$sys/counters/promotions" || echo 0)
	po0=$(pushouts)
	if [ "$c" = cram-model ]; then
		mh0=$(cat /sys/module/privmem_readcost/parameters/hits)
		ms0=$(cat /sys/module/privmem_readcost/parameters/spent_ns)
	fi

	# Each client: "rps p50 p99".
	{ read -r h_rps h_50 h_99; read -r a_rps a_50 a_99; } \
		<<< "$(bench get "$nreq" "${get_spec[@]}")"
	rps=$(echo "$h_rps + $a_rps" | bc)
	p99=$(printf '%s\n' "$h_99" "$a_99" | sort -g | tail -1)
	sample "$c" get.rps "$r" "$rps"
	sample "$c" get.hot.p50_ms "$r" "$h_50"
	sample "$c" get.hot.p99_ms "$r" "$h_99"
	sample "$c" get.all.p50_ms "$r" "$a_50"
	sample "$c" get.all.p99_ms "$r" "$a_99"
	sample "$c" get.p99_ms "$r" "$p99"
	say "redis $c round $r: GET $rps rps; hot p50 $h_50 p99 $h_99 ms ($h_rps rps), whole-space p50 $a_50 p99 $a_99 ms ($a_rps rps)"

	{ read -r h_rps h_50 h_99; read -r a_rps a_50 a_99; read -r s_rps x s_99; } \
		<<< "$(bench mixed "$nreq" "${mixed_spec[@]}")"
	rps=$(echo "$h_rps + $a_rps + $s_rps" | bc)
	p99=$(printf '%s\n' "$h_99" "$a_99" "$s_99" | sort -g | tail -1)
	sample "$c" mixed.rps "$r" "$rps"
	sample "$c" mixed.p99_ms "$r" "$p99"
	sample "$c" mixed.set.p99_ms "$r" "$s_99"
	say "redis $c round $r: mixed $rps rps (GET hot $h_rps, GET whole-space $a_rps, SETRANGE $s_rps); p99 hot $h_99, whole-space $a_99, SETRANGE $s_99 ms"

	x=$(($(vmstat_of numa_hint_faults) - hf0))
	sample "$c" hint_faults "$r" "$x"
	sample "$c" swapins "$r" $(($(vmstat_of pswpin) + $(vmstat_of zswpin) - sw0))
	sample "$c" pushouts "$r" $(($(pushouts) - po0))
	if [ -n "$cnode" ]; then
		sample "$c" promotions "$r" $(($(cat "$sys/counters/promotions") - pr0))
		ratio=$(awk '{ printf "%.3f", $1 / 1000 }' "$sys/cram/compression_ratio")
		say "redis $c round $r: node $cnode device: $(($(cat "$sys/cram/physical_used") >> 20)) MiB for $(($(cat "$sys/cram/stored_pages") / 256)) MiB (ratio $ratio), promotions $(($(cat "$sys/counters/promotions") - pr0)), swap-ins $(($(vmstat_of pswpin) + $(vmstat_of zswpin) - sw0)), hinting faults $x"
	else
		ratio=$(awk -v s="$(cat /sys/kernel/debug/zswap/stored_pages)" \
			'{ if ($1 > 0) printf "%.3f", s * 4096 / $1; else print 0 }' \
			/sys/kernel/debug/zswap/pool_total_size)
		say "redis $c round $r: zswap ($(cat $zsw/compressor), $(cat $zsw/zpool), max_pool_percent $(cat $zsw/max_pool_percent)): $(($(cat /sys/kernel/debug/zswap/pool_total_size) >> 20)) MiB for $(($(cat /sys/kernel/debug/zswap/stored_pages) / 256)) MiB (ratio $ratio), swap-ins $(($(vmstat_of pswpin) + $(vmstat_of zswpin) - sw0)), written back $(cat /sys/kernel/debug/zswap/written_back_pages), pool limit hits $(cat /sys/kernel/debug/zswap/pool_limit_hit)"
	fi
	sample "$c" ratio "$r" "$ratio"
	if [ "$c" = zswap ]; then
		stop_comp
		x=$(cat $tmp/pool_max 2> /dev/null || echo 0)
		sample "$c" mib_pool_max "$r" "$x"
		say "redis $c round $r: node 0 was given back $x MiB for zswap's pool (its largest size)"
	fi
	if [ "$c" = cram-model ]; then
		hits=$(($(cat /sys/module/privmem_readcost/parameters/hits) - mh0))
		x=$(($(cat /sys/module/privmem_readcost/parameters/spent_ns) - ms0))
		sample "$c" model_hits "$r" "$hits"
		sample "$c" model_us "$r" "$(echo "scale=2; $x / 1000 / ($hits + ($hits == 0))" | bc)"
		say "redis $c round $r: the modelled read cost was paid by $hits hinting faults on node $cnode, $(echo "scale=1; $x / 1000 / ($hits + ($hits == 0))" | bc) us each (guest time); the module saw $(cat /sys/module/privmem_readcost/parameters/hint_faults) PROT_NONE faults since it was loaded"
	fi
	where "$c" "$r" post
	return 0
}

say "redis: $rounds rounds of ${configs[*]}; $keys keys, DRAM budget $budget MiB, compressed capacity $cap_mib MiB ($pool_pct% of $((memtotal_kb >> 10)) MiB)"
t0=$(date +%s)
for r in $(seq 0 $((rounds - 1))); do
	n=${#configs[@]}
	for i in $(seq 0 $((n - 1))); do
		# Rotate the order from round to round.
		c=${configs[$(((i + r) % n))]}
		t=$(date +%s)
		run_config "$c" "$r" || say "redis $c round $r: FAILED"
		teardown
		say "redis $c round $r: $(($(date +%s) - t)) s"
	done
done
say "redis: done in $(($(date +%s) - t0)) s"
