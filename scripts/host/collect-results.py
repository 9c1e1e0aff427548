#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise one guest test run.

collect-results.py --results DIR --console FILE --kunit-py PATH [--qemu-rc N]

Reads what scripts/guest/guest-check.sh left in DIR (kunit/<suite>.ktap,
user/<test>.tap and .rc, done) and the guest's serial console log:

  * merges the per-suite kunit KTAP into one document and has the kernel
    tree's `kunit.py parse` read it (its report is printed as is);
  * counts the TAP results of every tests/user program; a program that exits
    non-zero without reporting a failure counts as one failed test;
  * scans the console for kernel splats; each one is a failure;
  * fails the run if a compressed node's device detected an in-place write
    (a page changed while stored on the node): the total the guest
    accumulated in inplace_writes.txt is not 0, or the console shows the
    driver's "in-place write" line (which also covers writes counted by a
    privmem module that a test unloaded before the total was read);
  * fails the run if the guest did not finish (no `done` marker).

The last line printed is `N passed, N failed`; skips, if any, are counted
on the line before it. The exit status is 0 only if nothing failed and something ran.
"""
import argparse
import json
import os
import re
import subprocess
import sys

SPLATS = re.compile(r'BUG:|WARNING:|Oops|Kernel panic|KASAN|UBSAN:|'
                    r'kmemleak:.*suspected|INFO: task .* blocked|'
                    r'general protection fault|'
                    # debug kernels (make check-debug)
                    r'unreferenced object|possible circular locking|'
                    r'possible recursive locking|inconsistent lock state|'
                    r'DEBUG_LOCKS_WARN_ON|list_(add|del) corruption')
# cram_device.c: the first in-place write of a node, and the node's total
# when it goes away.
INPLACE_LOG = re.compile(r'privmem\d+: (in-place write:|node \d+ goes away with \d+ in-place)')
TAP_RESULT = re.compile(r'^(not ok|ok)\s+\d+\s+(.*?)(\s+#\s*(SKIP|TODO)\b.*)?$',
                        re.IGNORECASE)


def merge_ktap(kunit_dir):
    """Join per-suite debugfs KTAP documents into one, renumbered."""
    suites = sorted(f for f in os.listdir(kunit_dir) if f.endswith('.ktap'))
    out = ['KTAP version 1', f'1..{len(suites)}']
    for num, name in enumerate(suites, 1):
        with open(os.path.join(kunit_dir, name), errors='replace') as f:
            lines = f.read().splitlines()
        # debugfs layout: "KTAP version 1", "1..1", indented suite body,
        # then the suite's own "ok 1 <suite>" line.
        body = lines[2:-1] if len(lines) >= 3 else []
        last = lines[-1] if lines else 'not ok 1 ' + name[:-5]
        last = re.sub(r'^(not ok|ok) 1 ', lambda m: f'{m.group(1)} {num} ', last)
        out += body + [last]
    return len(suites), '\n'.join(out) + '\n'


# Names of the failed cases with their last diagnostic lines: printed again
# just above the final count, where a CI log cut to its tail still shows them.
FAILURES = []


def count_json(node, counts, suite=''):
    suite = node.get('name', suite)
    for case in node.get('test_cases', []):
        status = case.get('status', 'ERROR')
        if status == 'PASS':
            counts['passed'] += 1
        elif status == 'SKIP':
            counts['skipped'] += 1
        else:
            counts['failed'] += 1
            log = [ln.strip() for ln in case.get('log', []) if ln.strip()]
            FAILURES.append((f"kunit {suite}.{case.get('name', '?')}", log[-6:]))
    for sub in node.get('sub_groups', []):
        count_json(sub, counts, suite)


def run_kunit(results, kunit_py, counts, problems):
    kdir = os.path.join(results, 'kunit')
    if not os.path.isdir(kdir):
        problems.append('no kunit results directory')
        return
    for f in sorted(os.listdir(kdir)):
        if f.endswith('.load-failed'):
            problems.append(f'kunit module {f[:-12]} failed to load')
    nsuites, doc = merge_ktap(kdir)
    if nsuites == 0:
        problems.append('no kunit suite ran')
        return
    merged = os.path.join(results, 'kunit.ktap')
    with open(merged, 'w') as f:
        f.write(doc)
    print('== kunit (kunit.py parse) ==', flush=True)
    subprocess.run([sys.executable, kunit_py, 'parse', merged])
    jfile = os.path.join(results, 'kunit.json')
    subprocess.run([sys.executable, kunit_py, 'parse', '--json=' + jfile, merged],
                   stdout=subprocess.DEVNULL)
    try:
        with open(jfile) as f:
            tree = json.load(f)
    except (OSError, ValueError) as err:
        problems.append(f'kunit.py produced no JSON: {err}')
        return
    before = dict(counts)
    count_json(tree, counts)
    if counts == before:
        problems.append('kunit.py parsed no test case')


def run_user(results, counts, problems):
    udir = os.path.join(results, 'user')
    taps = sorted(f for f in os.listdir(udir) if f.endswith('.tap')) \
        if os.path.isdir(udir) else []
    if not taps:
        problems.append('no tests/user program ran')
        return
    print('== tests/user ==')
    for tap in taps:
        name = tap[:-4]
        c = {'passed': 0, 'failed': 0, 'skipped': 0}
        diag = []
        with open(os.path.join(udir, tap), errors='replace') as f:
            for line in f:
                line = line.strip()
                if line.startswith('#  RUN'):
                    diag = []
                elif line.startswith('#') and 'OK ' not in line:
                    diag.append(line)
                m = TAP_RESULT.match(line)
                if not m:
                    continue
                if m.group(4) and m.group(4).upper() == 'SKIP':
                    c['skipped'] += 1
                elif m.group(1) == 'ok':
                    c['passed'] += 1
                else:
                    c['failed'] += 1
                    FAILURES.append((f'{name}: {m.group(2)}', diag[-6:]))
        try:
            with open(os.path.join(udir, name + '.rc')) as f:
                rc = int(f.read().strip() or '1')
        except (OSError, ValueError):
            rc = -1
        note = ''
        if rc != 0 and c['failed'] == 0:
            c['failed'] += 1
            note = f' (exited {rc} without reporting a failure)'
        if sum(c.values()) == 0:
            c['failed'] += 1
            note = ' (reported no test)'
        print(f"  {name:32} passed {c['passed']:3}  failed {c['failed']:3}"
              f"  skipped {c['skipped']:3}{note}")
        for k in counts:
            counts[k] += c[k]
    for f in sorted(os.listdir(udir)):
        if f.endswith('.not-run'):
            with open(os.path.join(udir, f), errors='replace') as fh:
                why = fh.read().strip()
            print(f"  {f[:-8]:32} not run (tests/user/known-failing: {why})")


def check_inplace(results, console, problems):
    """Fail on any in-place write a compressed node's device detected."""
    path = os.path.join(results, 'inplace_writes.txt')
    steps, total = [], None
    try:
        with open(path, errors='replace') as f:
            for line in f:
                parts = line.split()
                if len(parts) != 2:
                    continue
                if parts[0] == 'total':
                    total = int(parts[1])
                else:
                    steps.append(f'{parts[0]} {parts[1]}')
    except (OSError, ValueError) as err:
        if os.path.exists(os.path.join(results, 'done')):
            problems.append(f'no in-place write record ({path}): {err}')
        return
    if total is None:
        problems.append(f'in-place write record without a total: {path}')
    elif total:
        problems.append(f'in-place writes: {total} pages were changed while stored on a '
                        f'compressed node (by step: {", ".join(steps)}); see '
                        f'counters/inplace_writes and the driver\'s log line')
    try:
        with open(console, errors='replace') as f:
            hits = [ln.strip() for ln in f if INPLACE_LOG.search(ln)]
    except OSError:
        return
    for ln in hits[:5]:
        problems.append('console: ' + ln)
    if len(hits) > 5:
        problems.append(f'console: ... {len(hits) - 5} more in-place write lines')


def scan_console(console, problems):
    try:
        with open(console, errors='replace') as f:
            lines = f.read().splitlines()
    except OSError:
        problems.append('no console log')
        return
    hits = [ln for ln in lines if SPLATS.search(ln)]
    for ln in hits[:20]:
        problems.append('console: ' + ln.strip())
    if len(hits) > 20:
        problems.append(f'console: ... {len(hits) - 20} more')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--results', required=True)
    ap.add_argument('--console', required=True)
    ap.add_argument('--kunit-py', required=True)
    ap.add_argument('--qemu-rc', type=int, default=0)
    args = ap.parse_args()

    counts = {'passed': 0, 'failed': 0, 'skipped': 0}
    problems = []
    if not os.path.exists(os.path.join(args.results, 'done')):
        why = 'timed out' if args.qemu_rc == 124 else f'qemu exit {args.qemu_rc}'
        problems.append(f'guest did not finish the run ({why}): crash, panic or hang')
    run_kunit(args.results, args.kunit_py, counts, problems)
    run_user(args.results, counts, problems)
    scan_console(args.console, problems)
    check_inplace(args.results, args.console, problems)
    leaks = os.path.join(args.results, 'kmemleak.txt')
    if os.path.exists(leaks) and os.path.getsize(leaks):
        problems.append(f'kmemleak reported leaks: see {leaks}')

    if FAILURES:
        print('== failed cases (details in the per-program TAP and kunit output) ==')
        for what, log in FAILURES:
            print('  ' + what)
            for ln in log:
                print('      ' + ln[:200])
    if problems:
        print('== problems ==')
        for p in problems:
            print('  ' + p)
        counts['failed'] += len(problems)
    # Skips are neither passes nor failures: said on their own line, so
    # the last line keeps the exact form `N passed, N failed`.
    if counts['skipped']:
        print(f"{counts['skipped']} skipped (see the per-program lines above)")
    print(f"{counts['passed']} passed, {counts['failed']} failed")
    ok = counts['failed'] == 0 and counts['passed'] > 0
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
