#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of a benchmark guest (scripts/bench-gate.sh): runs the anonymous
# fault benchmark pm_runs times and powers off. Kernel command line:
#   pm_bench=<path of anon_fault_bench>  pm_runs=<N>
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for i in $(seq "${pm_runs:-3}"); do
	echo "[bench] $("$pm_bench" 256 9)"
done
echo o > /proc/sysrq-trigger
sleep 10
