# SPDX-License-Identifier: GPL-2.0
#
# privmem: private memory nodes for Linux 6.12.
#
#   make deps     install the Debian packages the project needs (apt-get)
#   make kernel   prepare build/linux (extract, patch, overlay, configure)
#                 and build the guest kernel with ccache
#   make modules  build privmem.ko and the kunit modules against it
#   make privctl  build the privctl command-line tool (build/privctl/privctl)
#   make user     build privctl and the guest-side test programs
#   make vm       boot the guest with a shell on the serial console
#   make check    build everything, boot the guest, run every test
#   make demo     build everything, boot the guest, show a private node
#   make bench    build everything (and the unpatched kernel), boot the
#                 guest for the benchmarks on the wall clock and again
#                 under -icount, the CXL guest, the gate boots and the
#                 Redis guest; prints the table, writes build/bench/
#                 bench.{csv,png}, curves.png (ROUNDS=N rounds in the
#                 wall-clock guest, default 5; ICOUNT_ROUNDS, CXL_ROUNDS,
#                 REDIS_ROUNDS, default 3; GATE_ROUNDS=N patched/unpatched
#                 boot pairs, default 4, even for ABBA)
#   make bench-icount  the -icount guest alone, its instruction ratios
#                 beside those of the last make bench
#   make bench-redis  Redis on a compressed node against zswap
#   make bench-cxl  the CXL rows alone
#   make bench-gate  only the isolation gate's cost: anonymous-fault and
#                 mixed fork/exec/file benchmarks, patched vs unpatched
#                 kernel (build/linux-vanilla), alternating boots; results
#                 in build/bench-gate/
#   make check-debug  the make check suite on a debug kernel (KASAN, lockdep,
#                 DEBUG_VM, DEBUG_LIST, fail_page_alloc, kmemleak; built as
#                 build/linux-debug); passes only with zero reports
#   make config-vs-debian  every mm option of the guest kernel that differs
#                 from Debian's config (make kernel fails on one that is not
#                 in configs/debian-mm.allow)
#   make check-upstream  the kernel's own mm, memfd and memory-hotplug
#                 selftests in three guests: the unpatched kernel
#                 (build/linux-vanilla, its modules), the patched kernel
#                 without and with private nodes bound; one table, the
#                 regressions counted (results in build/check-upstream/)
#   make series   the postable patch series (git format-patch style, cover
#                 letter) in build/series: our mm files created by the
#                 patches that introduce them (patches/layout)
#   make series-check  git am the series onto pristine linux-source-6.12,
#                 build vmlinux after every patch, checkpatch every patch
#   make check-headers  compile each header of tests/lib and tests/bench
#                 alone (each must include what it needs)
#   make checkpatch  scripts/checkpatch.pl --strict on our kernel files,
#                 kunit and user tests, and patches/
#   make install  install privctl and its man page under $(DESTDIR)$(PREFIX)
#                 (PREFIX=/usr/local by default)
#   make clean    remove module and test build outputs (keeps the kernel)
#   make distclean  remove build/ entirely
#
# Variables: BUILD (build directory), JOBS, ACCEL=kvm (TCG by default),
# GUEST_TIMEOUT (seconds, check, demo and bench).

TOP      := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD    ?= $(TOP)/build
KSRC     ?= $(BUILD)/linux
JOBS     ?= $(shell nproc)
CONFIGS  ?= $(TOP)/configs/privmem.config $(TOP)/configs/privmem-tests.config
MODROOT  := $(BUILD)/modroot
BZIMAGE  := $(KSRC)/arch/x86/boot/bzImage
CCACHE   := $(shell command -v ccache 2>/dev/null)

# Fixed build identity: identical sources give identical objects, so ccache
# hits across trees and rebuilds.
KFLAGS = -j$(JOBS) CC="$(CCACHE) gcc" \
	KBUILD_BUILD_TIMESTAMP=privmem KBUILD_BUILD_USER=privmem \
	KBUILD_BUILD_HOST=privmem
KMAKE = $(MAKE) -C $(KSRC) $(KFLAGS)

# tests/user: the kselftest_harness programs make check runs; tests/lib: the
# helpers they share (each header includes what it needs); tests/bench and
# tests/demo: the programs of make bench and make demo (not run by check).
USER_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-I$(TOP)/tests/lib -I$(KSRC)/tools/testing/selftests -I$(TOP)/include/uapi
USER_LIBS   := -lnuma -lpthread -llz4 -lm
USER_HDRS   := $(wildcard $(TOP)/include/uapi/linux/*.h $(TOP)/tests/lib/*.h $(TOP)/tests/bench/*.h)
USER_SRCS   := $(wildcard $(TOP)/tests/user/*_test.c)
# Programs for the demo and the benchmarks (not run by check).
USER_TOOLS  := $(wildcard $(TOP)/tests/bench/*.c $(TOP)/tests/demo/*.c)
USER_BINS   := $(patsubst $(TOP)/tests/%.c,$(BUILD)/tests/%,$(USER_SRCS) $(USER_TOOLS))
KSRC_VANILLA := $(BUILD)/linux-vanilla
MODROOT_VANILLA := $(BUILD)/modroot-vanilla
# The debug kernel (make check-debug): both fragments, its own module root,
# and a copy of the module sources (an external module builds its objects
# next to its sources, so one source directory cannot serve two kernels).
KSRC_DEBUG    := $(BUILD)/linux-debug
CONFIGS_DEBUG ?= $(CONFIGS) $(TOP)/configs/privmem-debug.config
MODROOT_DEBUG := $(BUILD)/modroot-debug
MODSRC_DEBUG  := $(BUILD)/modsrc-debug
KMAKE_DEBUG    = $(MAKE) -C $(KSRC_DEBUG) $(KFLAGS)

# privctl: userspace/privctl, needs only the uapi header and json-c.
PREFIX      ?= /usr/local
PRIVCTL     := $(BUILD)/privctl/privctl
PRIVCTL_SRCS := $(wildcard $(TOP)/userspace/privctl/*.c)
PRIVCTL_HDRS := $(wildcard $(TOP)/userspace/privctl/*.h) $(TOP)/include/uapi/linux/privmem.h
PRIVCTL_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter -I$(TOP)/include/uapi \
	$(shell pkg-config --cflags json-c 2>/dev/null)
PRIVCTL_LIBS := $(shell pkg-config --libs json-c 2>/dev/null || echo -ljson-c)

.PHONY: check-headers config-vs-debian all deps kernel kernel-vanilla kernel-debug modules modules-vanilla upstream-selftests check-upstream modules-debug privctl user vm check check-cxl check-debug demo bench bench-cxl bench-gate qemu-compare install checkpatch series series-keys series-check clean distclean

all: kernel modules user

deps:
	@$(TOP)/scripts/host/install-deps.sh

# prepare-tree.sh runs every time: it is cheap when nothing changed and it is
# what guarantees that the tree matches patches/, mm/, include/ and configs/.
# KERNEL_PREBUILT=1 KSRC=DIR uses a kernel tree built elsewhere (another
# checkout's) as it is: nothing in DIR is prepared or rebuilt, only its
# modules are installed under this BUILD. For work trees that change no
# kernel file.
ifeq ($(KERNEL_PREBUILT),1)
# (MODROOT is not emptied first: a `make user` beside a waiting `make check`
# would take privmem.ko away from that check's guest.)
kernel:
	@test -f $(BZIMAGE) || { echo "KERNEL_PREBUILT: no kernel at $(BZIMAGE)"; exit 1; }
	@$(KMAKE) -s INSTALL_MOD_PATH=$(MODROOT) modules_install
else
kernel: deps
	@$(TOP)/scripts/host/prepare-tree.sh $(KSRC) $(CONFIGS)
	@$(KMAKE) bzImage modules
	@rm -rf $(MODROOT)
	@$(KMAKE) -s INSTALL_MOD_PATH=$(MODROOT) modules_install
	@echo "  KERNEL  $$($(MAKE) -s -C $(KSRC) kernelrelease) $(BZIMAGE)"
endif

# The unpatched baseline: same config without our options, no modules.
kernel-vanilla: deps
	@$(TOP)/scripts/host/prepare-tree.sh --vanilla $(KSRC_VANILLA) $(CONFIGS)
	@$(MAKE) -C $(KSRC_VANILLA) $(KFLAGS) bzImage

# The unpatched kernel's modules (make check-upstream boots it with the same
# modules as the patched one: nfit/dax, test_hmm, hwpoison_inject). With
# KERNEL_PREBUILT=1 KSRC_VANILLA=DIR, DIR is used as it is (no prepare-tree).
modules-vanilla: $(if $(filter 1,$(KERNEL_PREBUILT)),,kernel-vanilla)
	@test -f $(KSRC_VANILLA)/arch/x86/boot/bzImage || \
		{ echo "no unpatched kernel at $(KSRC_VANILLA): run 'make kernel-vanilla'"; exit 1; }
	@$(MAKE) -C $(KSRC_VANILLA) $(KFLAGS) modules
	@rm -rf $(MODROOT_VANILLA)
	@$(MAKE) -C $(KSRC_VANILLA) $(KFLAGS) -s INSTALL_MOD_PATH=$(MODROOT_VANILLA) modules_install

kernel-debug: deps
	@$(TOP)/scripts/host/prepare-tree.sh $(KSRC_DEBUG) $(CONFIGS_DEBUG)
	@$(KMAKE_DEBUG) bzImage modules
	@rm -rf $(MODROOT_DEBUG)
	@$(KMAKE_DEBUG) -s INSTALL_MOD_PATH=$(MODROOT_DEBUG) modules_install
	@echo "  KERNEL  $$($(MAKE) -s -C $(KSRC_DEBUG) kernelrelease) $(KSRC_DEBUG)/arch/x86/boot/bzImage"

modules-debug: kernel-debug
	@mkdir -p $(MODSRC_DEBUG)
	@rsync -a --delete --prune-empty-dirs --exclude='*.mod.c' --include='*/' \
		--include=Kbuild --include=Makefile --include='*.[ch]' --exclude='*' \
		$(TOP)/Kbuild $(TOP)/drivers $(TOP)/tests $(MODSRC_DEBUG)/
	@$(KMAKE_DEBUG) M=$(MODSRC_DEBUG) modules
	@$(KMAKE_DEBUG) -s M=$(MODSRC_DEBUG) INSTALL_MOD_PATH=$(MODROOT_DEBUG) modules_install

modules: kernel
	@$(KMAKE) M=$(TOP) modules
	@$(KMAKE) -s M=$(TOP) INSTALL_MOD_PATH=$(MODROOT) modules_install

privctl: $(PRIVCTL)

$(PRIVCTL): $(PRIVCTL_SRCS) $(PRIVCTL_HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      userspace/privctl/privctl"
	@$(CC) $(PRIVCTL_CFLAGS) -o $@ $(PRIVCTL_SRCS) $(PRIVCTL_LIBS)

install: $(PRIVCTL)
	install -D -m 0755 $(PRIVCTL) $(DESTDIR)$(PREFIX)/bin/privctl
	install -D -m 0644 $(TOP)/userspace/privctl/privctl.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/privctl.1

# The guest runs every $(BUILD)/tests/user/*_test: a program whose source
# is gone (renamed, merged into another) must not be left there to run.
user: $(PRIVCTL) $(USER_BINS)
	@for b in $(BUILD)/tests/user/*_test; do \
		[ ! -e "$$b" ] || [ -f "$(TOP)/tests/user/$${b##*/}.c" ] || \
		{ echo "  RM      tests/user/$${b##*/}"; rm -f "$$b"; }; done

# The privctl test parses privctl's JSON with json-c.
$(BUILD)/tests/user/privctl_test: USER_LIBS += $(PRIVCTL_LIBS)
# Static: the gate's mixed workload execs itself and must not time 9p reads.
$(BUILD)/tests/bench/gate_mixed_bench: USER_CFLAGS += -static
$(BUILD)/tests/bench/gate_mixed_bench: USER_LIBS :=

# tests/{user,bench,demo}/NAME.c -> $(BUILD)/tests/{user,bench,demo}/NAME
# (after modules: the kernel rule reinstalls build/modroot without them)
$(BUILD)/tests/%: $(TOP)/tests/%.c $(USER_HDRS) | modules
	@mkdir -p $(dir $@)
	@echo "  CC      tests/$*"
	@$(CC) $(USER_CFLAGS) -o $@ $< $(USER_LIBS)

# Every shared header compiles on its own (includes what it needs), so the
# programs may include them in any order.
check-headers:
	@for h in $(wildcard $(TOP)/tests/lib/*.h $(TOP)/tests/bench/*.h); do \
		echo "  HDR     $${h#$(TOP)/}"; \
		$(CC) $(USER_CFLAGS) -Wno-unused-function -Werror -fsyntax-only -x c $$h || exit 1; \
	done

# The CXL guest: a q35 machine with a volatile CXL type-3 device (QEMU 10),
# its RAM region made a private node: tests/user/privmem_cxl_test.c, and
# the generic programs that bind pm_dax() (pm_dax=cxl) run on its dax
# device. privmem_migrate is left out: its 100 round trips of 64 MiB take
# ten minutes on emulated CXL memory (privmem_cxl_test migrates too).
# privmem_cxl goes last: it destroys and re-creates the region.
CXL_TESTS = privmem_unbind,privmem_pressure,privmem_demotion,privmem_memcg_reclaim,privmem_wp_paths,privmem_isolation,privmem_cxl
check-cxl: modules user
	@rm -rf $(BUILD)/check-cxl && mkdir -p $(BUILD)/check-cxl
	@echo "  GUEST   booting the CXL guest (TCG); console log in $(BUILD)/check-cxl/console.log"
	@rc=0; CXL=1 GUEST_APPEND="pm_tests=$(CXL_TESTS) pm_dax=cxl $(GUEST_APPEND)" \
		$(TOP)/scripts/host/run-guest.sh check $(BZIMAGE) $(BUILD) $(BUILD)/check-cxl || rc=$$?; \
	python3 $(TOP)/scripts/host/collect-results.py --results $(BUILD)/check-cxl \
		--console $(BUILD)/check-cxl/console.log \
		--kunit-py $(KSRC)/tools/testing/kunit/kunit.py --qemu-rc $$rc

vm: modules user
	@$(TOP)/scripts/host/run-guest.sh vm $(BZIMAGE) $(BUILD) $(BUILD)/vm

# Both guests: the NVDIMM guest (every test, or those GUEST_APPEND picks),
# then the CXL guest (CXL_TESTS and kunit, whatever GUEST_APPEND says);
# the last line adds up the two.
check: modules user
	@rm -rf $(BUILD)/check $(BUILD)/check-cxl && mkdir -p $(BUILD)/check $(BUILD)/check-cxl
	@echo "  GUEST   booting (TCG); console log in $(BUILD)/check/console.log"
	@rc=0; $(TOP)/scripts/host/run-guest.sh check $(BZIMAGE) $(BUILD) $(BUILD)/check || rc=$$?; \
	python3 $(TOP)/scripts/host/collect-results.py --results $(BUILD)/check \
		--console $(BUILD)/check/console.log \
		--kunit-py $(KSRC)/tools/testing/kunit/kunit.py --qemu-rc $$rc \
		> $(BUILD)/check/summary.txt; s1=$$?; cat $(BUILD)/check/summary.txt; \
	echo "  GUEST   booting the CXL guest (TCG); console log in $(BUILD)/check-cxl/console.log"; \
	rc=0; CXL=1 GUEST_APPEND="pm_tests=$(CXL_TESTS) pm_dax=cxl" \
		$(TOP)/scripts/host/run-guest.sh check $(BZIMAGE) $(BUILD) $(BUILD)/check-cxl || rc=$$?; \
	python3 $(TOP)/scripts/host/collect-results.py --results $(BUILD)/check-cxl \
		--console $(BUILD)/check-cxl/console.log \
		--kunit-py $(KSRC)/tools/testing/kunit/kunit.py --qemu-rc $$rc \
		> $(BUILD)/check-cxl/summary.txt; s2=$$?; cat $(BUILD)/check-cxl/summary.txt; \
	p=0; f=0; for t in $(BUILD)/check/summary.txt $(BUILD)/check-cxl/summary.txt; do \
		l=$$(tail -1 $$t); set -- $$l; p=$$((p + $${1:-0})); f=$$((f + $${3:-1})); done; \
	echo "== both guests =="; echo "$$p passed, $$f failed"; \
	[ $$s1 = 0 ] && [ $$s2 = 0 ] && [ $$f = 0 ]

# The same suite on the debug kernel; slower (KASAN, lockdep), so a longer
# default guest timeout. The guest scans kmemleak at the end.
check-debug: modules-debug user
	@rm -rf $(BUILD)/check-debug && mkdir -p $(BUILD)/check-debug
	@echo "  GUEST   booting the debug kernel (TCG); console log in $(BUILD)/check-debug/console.log"
	@rc=0; GUEST_TIMEOUT=$(or $(GUEST_TIMEOUT),5400) \
	GUEST_APPEND="pm_modroot=$(MODROOT_DEBUG) $(GUEST_APPEND)" \
	$(TOP)/scripts/host/run-guest.sh check $(KSRC_DEBUG)/arch/x86/boot/bzImage \
		$(BUILD) $(BUILD)/check-debug || rc=$$?; \
	python3 $(TOP)/scripts/host/collect-results.py --results $(BUILD)/check-debug \
		--console $(BUILD)/check-debug/console.log \
		--kunit-py $(KSRC_DEBUG)/tools/testing/kunit/kunit.py --qemu-rc $$rc

demo: modules user
	@rm -rf $(BUILD)/demo && mkdir -p $(BUILD)/demo
	@$(TOP)/scripts/host/run-guest.sh demo $(BZIMAGE) $(BUILD) $(BUILD)/demo
	@test -f $(BUILD)/demo/done || { echo "demo: the guest did not finish; see $(BUILD)/demo/console.log"; exit 1; }

# The selftests are built once, from the patched tree's sources (copied:
# nothing is written into KSRC), and run on all three kernels.
upstream-selftests: kernel
	@$(TOP)/scripts/host/upstream-build.sh $(KSRC) $(BUILD)/upstream

check-upstream: modules privctl modules-vanilla upstream-selftests
	@$(TOP)/scripts/host/check-upstream.sh $(BZIMAGE) $(KSRC_VANILLA)/arch/x86/boot/bzImage \
		$(BUILD) $(MODROOT_VANILLA)

ROUNDS      ?= 5
ICOUNT_ROUNDS ?= 3
CXL_ROUNDS  ?= 3
REDIS_ROUNDS ?= 3
GATE_ROUNDS ?= 4
ICOUNT_ARGS := -icount shift=3,sleep=off

# Five guests: the wall-clock run, the same benchmarks under -icount (the
# instruction column), the CXL guest, the gate boots, the Redis guest. The previous run's
# bench.csv is kept as build/bench-previous.csv: its instruction ratios
# are printed beside this run's (they should repeat within 2%).
bench: modules user kernel-vanilla
	@test -f $(BUILD)/bench/bench.csv && cp $(BUILD)/bench/bench.csv $(BUILD)/bench-previous.csv; true
	@rm -rf $(BUILD)/bench && mkdir -p $(BUILD)/bench
	@echo "  BENCH   $(ROUNDS) rounds in one guest, $(ICOUNT_ROUNDS) under -icount, the CXL guest, then $(GATE_ROUNDS) patched/unpatched boot pairs (TCG: only ratios mean anything)"
	@start=$$(date +%s); load0=$$(cut -d' ' -f1-3 /proc/loadavg); \
	GUEST_DRAM_MIB=2048 GUEST_APPEND="pm_bench_rounds=$(ROUNDS) $(GUEST_APPEND)" \
		$(TOP)/scripts/host/run-guest.sh bench $(BZIMAGE) $(BUILD) $(BUILD)/bench; \
	test -f $(BUILD)/bench/samples.txt || { echo "bench: the guest did not finish; see $(BUILD)/bench/console.log"; exit 1; }; \
	echo "  BENCH   the same under $(ICOUNT_ARGS): $(ICOUNT_ROUNDS) rounds"; \
	GUEST_DRAM_MIB=2048 GUEST_QEMU_ARGS="$(ICOUNT_ARGS)" GUEST_TIMEOUT=3600 \
	GUEST_APPEND="pm_bench_rounds=$(ICOUNT_ROUNDS) pm_curve_rounds=1 pm_fio_runtime=2 $(GUEST_APPEND)" \
		$(TOP)/scripts/host/run-guest.sh bench $(BZIMAGE) $(BUILD) $(BUILD)/bench/icount; \
	test -f $(BUILD)/bench/icount/samples.txt || { echo "bench: the -icount guest did not finish; see $(BUILD)/bench/icount/console.log"; exit 1; }; \
	echo "  BENCH   the CXL guest: $(CXL_ROUNDS) rounds of the CXL rows"; \
	CXL=1 GUEST_APPEND="pm_bench_rounds=$(CXL_ROUNDS) pm_bench_only=cxl" \
		$(TOP)/scripts/host/run-guest.sh bench $(BZIMAGE) $(BUILD) $(BUILD)/bench/cxl; \
	test -f $(BUILD)/bench/cxl/samples.txt || { echo "bench: the CXL guest did not finish; see $(BUILD)/bench/cxl/console.log"; exit 1; }; \
	cat $(BUILD)/bench/cxl/samples.txt >> $(BUILD)/bench/samples.txt; \
	GATE_NO_REPORT=1 $(TOP)/scripts/host/bench-gate.sh $(BZIMAGE) \
		$(KSRC_VANILLA)/arch/x86/boot/bzImage $(BUILD) $(BUILD)/bench/gate $(GATE_ROUNDS) || exit 1; \
	echo "  BENCH   Redis: compressed node, modelled read cost, zswap; $(REDIS_ROUNDS) rounds"; \
	GUEST_APPEND="pm_bench_rounds=$(REDIS_ROUNDS)" \
		$(TOP)/scripts/host/run-guest.sh redis $(BZIMAGE) $(BUILD) $(BUILD)/bench/redis; \
	test -f $(BUILD)/bench/redis/done || { echo "bench: the Redis guest did not finish; see $(BUILD)/bench/redis/console.log"; exit 1; }; \
	load1=$$(cut -d' ' -f1-3 /proc/loadavg); echo; \
	python3 $(TOP)/scripts/host/bench-report.py --samples $(BUILD)/bench/samples.txt \
		--icount-samples $(BUILD)/bench/icount/samples.txt \
		--gate $(BUILD)/bench/gate/gate.csv --out $(BUILD)/bench \
		$$(test -f $(BUILD)/bench-previous.csv && echo --previous $(BUILD)/bench-previous.csv) \
		--host-load "1/5/15 min $$load0 at the start, $$load1 at the end" \
		> $(BUILD)/bench/table.txt; rc=$$?; \
	{ echo; python3 $(TOP)/scripts/host/redis-report.py $(BUILD)/bench/redis/bench.txt; } >> $(BUILD)/bench/table.txt || rc=1; \
	cat $(BUILD)/bench/table.txt; \
	echo "  BENCH   $$(( $$(date +%s) - start )) s; build/bench/{table.txt,bench.csv,bench.png,curves.png,curves-*.csv,bench.txt}"; \
	exit $$rc

# The -icount guest of make bench alone (build/bench-icount), its
# instruction ratios printed beside those of the last make bench: the
# repeat check of the instruction column (it should agree within 2%).
bench-icount: modules user
	@rm -rf $(BUILD)/bench-icount && mkdir -p $(BUILD)/bench-icount
	@GUEST_DRAM_MIB=2048 GUEST_QEMU_ARGS="$(ICOUNT_ARGS)" GUEST_TIMEOUT=3600 \
	GUEST_APPEND="pm_bench_rounds=$(ICOUNT_ROUNDS) pm_curve_rounds=1 pm_fio_runtime=2 $(GUEST_APPEND)" \
		$(TOP)/scripts/host/run-guest.sh bench $(BZIMAGE) $(BUILD) $(BUILD)/bench-icount
	@test -f $(BUILD)/bench-icount/samples.txt || { echo "bench-icount: the guest did not finish; see $(BUILD)/bench-icount/console.log"; exit 1; }
	@python3 $(TOP)/scripts/host/bench-report.py --icount-samples $(BUILD)/bench-icount/samples.txt \
		--out $(BUILD)/bench-icount \
		$$(test -f $(BUILD)/bench/bench.csv && echo --previous $(BUILD)/bench/bench.csv) \
		> $(BUILD)/bench-icount/table.txt; rc=$$?; cat $(BUILD)/bench-icount/table.txt; exit $$rc

# Redis on a compressed node against zswap (scripts/guest/guest-bench-redis.sh,
# REDIS_ROUNDS rounds, about 2 min each): build/bench-redis/table.txt.
bench-redis: modules user
	@rm -rf $(BUILD)/bench-redis && mkdir -p $(BUILD)/bench-redis
	@echo "  BENCH   Redis: compressed node, modelled read cost, zswap; $(REDIS_ROUNDS) rounds"
	@start=$$(date +%s); \
	GUEST_APPEND="pm_bench_rounds=$(REDIS_ROUNDS) $(GUEST_APPEND)" \
		$(TOP)/scripts/host/run-guest.sh redis $(BZIMAGE) $(BUILD) $(BUILD)/bench-redis; \
	test -f $(BUILD)/bench-redis/done || { echo "bench-redis: the guest did not finish; see $(BUILD)/bench-redis/console.log"; exit 1; }; \
	python3 $(TOP)/scripts/host/redis-report.py $(BUILD)/bench-redis/bench.txt > $(BUILD)/bench-redis/table.txt; rc=$$?; \
	cat $(BUILD)/bench-redis/table.txt; \
	echo "  BENCH   $$(( $$(date +%s) - start )) s; build/bench-redis/{table.txt,bench.txt,console.log}"; exit $$rc

# Debian 12's QEMU 7.2 (unpacked, not installed) against the installed one:
# boot time and the node bench rows (scripts/host/qemu-compare.sh).
qemu-compare: modules user
	@$(TOP)/scripts/host/qemu-compare.sh $(BZIMAGE) $(BUILD) $(BUILD)/qemu-compare

# The CXL rows alone (the CXL guest, pm_bench_only=cxl): build/bench-cxl.
bench-cxl: modules user
	@rm -rf $(BUILD)/bench-cxl && mkdir -p $(BUILD)/bench-cxl
	@CXL=1 GUEST_APPEND="pm_bench_rounds=$(CXL_ROUNDS) pm_bench_only=cxl" \
		$(TOP)/scripts/host/run-guest.sh bench $(BZIMAGE) $(BUILD) $(BUILD)/bench-cxl
	@python3 $(TOP)/scripts/host/bench-report.py --samples $(BUILD)/bench-cxl/samples.txt \
		--out $(BUILD)/bench-cxl | grep -E "CXL node|^ *row|ratio" ; true

bench-gate: kernel kernel-vanilla user
	@$(TOP)/scripts/host/bench-gate.sh $(BZIMAGE) $(KSRC_VANILLA)/arch/x86/boot/bzImage \
		$(BUILD) $(BUILD)/bench-gate $(GATE_ROUNDS)

# Our own files only (git knows them; generated *.mod.c are not ours). Patches
# are given by absolute path: checkpatch misreads a relative patches/ path.
CHECKPATCH_FILES = $(shell cd $(TOP) && git ls-files --cached --others --exclude-standard 'mm/*.[ch]' 'include/*.h' 'drivers/*.[ch]' 'tests/*.[ch]')

# The guest kernel's mm options against Debian's (configs/debian-mm.allow).
config-vs-debian:
	@$(TOP)/scripts/host/config-vs-debian diff $(KSRC)

# The postable series (scripts/host/series.py): patches/*.patch (the hooks)
# joined with our own mm files, each created and grown by the patches that
# introduce its parts (patches/layout), written as `git format-patch` output
# with a cover letter (patches/cover-letter) and one identity
# (patches/identity) into $(BUILD)/series.
SERIES := $(BUILD)/series
series:
	@$(TOP)/scripts/host/series.py $(SERIES)

# Every item of our files with the patch that adds it (for patches/layout).
series-keys:
	@$(TOP)/scripts/host/series.py $(SERIES) --keys

# git am the series onto pristine linux-source-6.12 and build vmlinux after
# every patch (the guest kernel's .config, ccache), checkpatch each patch.
series-check: series kernel
	@$(TOP)/scripts/host/series-check.sh $(SERIES) $(BUILD)/series-check/linux \
		$(KSRC)/.config $(CCACHE)

checkpatch:
	@test -f $(KSRC)/scripts/checkpatch.pl || { echo "run 'make kernel' first"; exit 1; }
	@cd $(TOP) && rc=0; \
	perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict --terse -f $(CHECKPATCH_FILES) || rc=1; \
	perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict --terse $(TOP)/patches/*.patch || rc=1; \
	exit $$rc

clean:
	@if [ -f $(KSRC)/Makefile ]; then $(MAKE) -s -C $(KSRC) M=$(TOP) clean; fi
	@rm -rf $(BUILD)/tests $(BUILD)/privctl $(BUILD)/check $(BUILD)/check-debug $(BUILD)/modsrc-debug $(BUILD)/demo $(BUILD)/bench $(BUILD)/vm $(BUILD)/bench-gate \
		$(BUILD)/upstream $(BUILD)/check-upstream $(BUILD)/modroot-vanilla

distclean:
	@rm -rf $(BUILD)
