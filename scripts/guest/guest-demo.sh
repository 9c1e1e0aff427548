#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-demo.sh BUILD
#
# Runs inside the guest for `make demo`: a scripted tour a person can read.
# Every private-node operation goes through privctl (BUILD/privctl/privctl).
# Every line goes to the console prefixed "[guest] " so the host shows it.
set -u
build=$1

step() { printf '\n=== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@" 2>&1; }
privctl() { "$build/privctl/privctl" "$@"; }

# A python3 program that writes 32 MiB and asks move_pages(2) where its
# pages are (/proc/PID/numa_maps does not count pages on private nodes).
where_py='import ctypes, mmap, collections
n = 8192
m = mmap.mmap(-1, n * 4096, flags=mmap.MAP_PRIVATE)
m.write(b"x" * (n * 4096))
a = ctypes.addressof(ctypes.c_char.from_buffer(m))
pages = (ctypes.c_void_p * n)(*[a + i * 4096 for i in range(n)])
st = (ctypes.c_int * n)()
ctypes.CDLL(None).syscall(279, 0, ctypes.c_ulong(n), pages, None, st, 0)
c = collections.Counter(st)
print("  python3 wrote 32 MiB:", ", ".join("%d pages on node %d" % (c[k], k) for k in sorted(c)))'

# Two processes share 16 MiB of the node: the parent writes, the child
# reads it and answers in place; move_pages(2) says where the pages are.
share_py='import ctypes, mmap, os, collections
n = 4096
fd = os.open("/dev/privmem0", os.O_RDWR)
m = mmap.mmap(fd, n * 4096, flags=mmap.MAP_SHARED)
m[0:22] = b"hello from the parent "
pid = os.fork()
if pid == 0:
    print("  child  (pid %d) reads: %s" % (os.getpid(), m[0:22].decode()), flush=True)
    m[4096:4096 + 21] = b"hello from the child "
    m[8192:n * 4096] = b"z" * (n * 4096 - 8192)
    os._exit(0)
os.waitpid(pid, 0)
print("  parent (pid %d) reads: %s" % (os.getpid(), m[4096:4096 + 21].decode()))
print("  parent reads the %d MiB of z the child wrote: %s" % (n * 4096 >> 20, m[8192:n * 4096] == b"z" * (n * 4096 - 8192)))
a = ctypes.addressof(ctypes.c_char.from_buffer(m))
pages = (ctypes.c_void_p * n)(*[a + i * 4096 for i in range(n)])
st = (ctypes.c_int * n)()
ctypes.CDLL(None).syscall(279, 0, ctypes.c_ulong(n), pages, None, st, 0)
c = collections.Counter(st)
print("  the shared 16 MiB:", ", ".join("%d pages on node %d" % (c[k], k) for k in sorted(c)))
print("  shared_objects:", open("/sys/class/privmem/privmem0/shared_objects").read().strip())'

{
	step "The guest's NUMA nodes: node 0 has the CPUs, node 1 is CPU-less DRAM,"
	echo "    nodes 2 and 3 have neither CPUs nor memory: each holds an emulated NVDIMM"
	run numactl --hardware
	for f in possible online has_cpu has_memory; do
		printf '%-12s %s\n' "$f" "$(cat /sys/devices/system/node/$f)"
	done

	step "The NVDIMMs, made into devdax namespaces by the guest init (ndctl)"
	run ndctl list --namespaces --human

	step "The dax devices and the node each one would bring its memory to"
	run daxctl list --devices --human

	step "Bind dax0.0 to privmem, its memory still offline (privctl loads privmem"
	echo "    and takes dax0.0 from device_dax); the settings are the device's own"
	echo "    attributes, written while it is offline"
	run privctl create --dax dax0.0 --type plain --offline
	run privctl set privmem0 watermarks=500,850 compaction=1
	run privctl info privmem0
	step "Bring it online with those settings: a private node of type 'plain'"
	echo "    (plain: its pages can be migrated and named in memory policies)"
	run privctl online privmem0
	run privctl set privmem0 compaction=0
	echo "(exit status $?: settings only change while offline)"
	dmesg | grep -E 'privmem|Demotion' | tail -n 3

	step "Node 2 now has memory, but it is private: listed in has_private_memory,"
	echo "    not in has_memory, so no ordinary allocation and no tool that reads"
	echo "    has_memory will ever use it"
	for f in online has_memory has_private_memory; do
		printf '%-20s %s\n' "$f" "$(cat /sys/devices/system/node/$f)"
	done
	run privctl list

	step "Everything the kernel says about it (ioctls and sysfs)"
	run ls -l /dev/privmem0
	run privctl info privmem0

	step "A program that maps /dev/privmem0, then migrates memory in and out"
	run "$build/tests/demo/privmem_demo" /dev/privmem0

	step "Two processes share memory on the node: MAP_SHARED of /dev/privmem0"
	echo "    (each open file has one shared object; a child inherits it, and"
	echo "    a descriptor passed over a unix socket shares it too)"
	echo '$ python3 -c "$share_py"'
	python3 -c "$share_py" 2>&1

	step "privctl run: a command whose memory is bound to the node (MPOL_BIND)"
	echo '$ python3 -c "$where_py"    # writes 32 MiB, asks move_pages where it is'
	python3 -c "$where_py" 2>&1
	echo '$ privctl run privmem0 -- python3 -c "$where_py"'
	privctl run privmem0 -- python3 -c "$where_py" 2>&1

	step "privctl migrate: move a running process's memory onto the node and back"
	python3 -c 'import time; b = b"y" * (48 << 20); time.sleep(300)' &
	pid=$!
	sleep 3
	run privctl migrate --pid $pid --all --to private
	run privctl list
	run privctl migrate --pid $pid --all --to dram:1
	run privctl list
	kill $pid; wait $pid 2>/dev/null

	step "Demotion: off by default on a plain node; on, reclaim of nodes 0-1 may demote into it"
	run privctl demotion privmem0
	run privctl demotion privmem0 --enable --from 0-1
	dmesg | grep 'Demotion targets' | tail -n 2
	run privctl demotion privmem0 --disable --from all

	step "Pressure: the level and watermarks; a watcher sees each crossing as it happens"
	run privctl pressure privmem0
	privctl pressure privmem0 --watch --count 2 &
	watcher=$!
	sleep 1
	run privctl pressure privmem0 --inject 950
	sleep 1
	run privctl pressure privmem0 --clear
	wait $watcher

	step "A compressed node on dax1.0: read-only pages, filled by demotion or migration"
	echo "    (a write promotes a page back to DRAM; every page that arrives is"
	echo "    compressed with lz4 to charge its real size to a 32 MiB emulated device)"
	run privctl create --dax dax1.0 --type compressed --physical-size 32M
	run privctl list
	run "$build/tests/demo/privmem_cram_demo" /dev/privmem1
	run privctl info privmem1
	run privctl run privmem1 -- true
	echo "(exit status $?: privctl refuses to run a program on a compressed node)"

	step "Remove both nodes: the memory is offlined and the dax devices go back to device_dax"
	run privctl destroy privmem1
	run privctl destroy privmem0
	printf '%-20s %s\n' has_private_memory \
		"$(cat /sys/devices/system/node/has_private_memory)"
	run privctl list
} 2>&1 | sed 's/^/[guest] /'
