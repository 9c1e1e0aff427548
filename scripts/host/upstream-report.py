#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""upstream-report.py DIR PASS...

Prints make check-upstream's table from DIR/PASS/upstream.tsv (written by
scripts/guest/guest-upstream.sh): one row per test, one column per pass, then the
counts of each pass and the closing line

    check-upstream: N tests, R regressions

A regression is a test that passes on the unpatched kernel (the pass named
"vanilla") and does not pass on a patched pass. A pass that did not finish
(no DIR/PASS/done), or a kernel splat on a patched pass's console that the
unpatched one does not show, counts as a regression too. Exits 1 if R > 0.
"""
import os
import re
import sys

SPLATS = re.compile(r'BUG:|WARNING:|Oops|Kernel panic|KASAN|UBSAN:|'
                    r'INFO: task .* blocked|general protection fault|'
                    r'list_(add|del) corruption')
TITLES = {'vanilla': '6.12', 'privmem': 'privmem (no node)',
          'privmem-nodes': 'privmem (nodes bound)'}


def read_pass(d):
    """Results of one pass: {name: (result, seconds, reason)}, in order."""
    res = {}
    try:
        with open(os.path.join(d, 'upstream.tsv'), errors='replace') as f:
            for line in f:
                parts = line.rstrip('\n').split('\t')
                if len(parts) >= 4:
                    res[parts[0]] = (parts[1], int(parts[2] or 0), parts[3])
    except OSError:
        pass
    return res


def splats(d):
    """The console's splat lines, without their timestamps."""
    out = []
    try:
        with open(os.path.join(d, 'console.log'), errors='replace') as f:
            for line in f:
                if SPLATS.search(line):
                    out.append(re.sub(r'^\[\s*[\d.]+\]\s*', '', line.strip()))
    except OSError:
        pass
    return out


def main():
    top, passes = sys.argv[1], sys.argv[2:]
    data = {p: read_pass(os.path.join(top, p)) for p in passes}
    names = []
    for p in passes:
        for n in data[p]:
            if n not in names:
                names.append(n)
    base = 'vanilla' if 'vanilla' in passes else None

    # Console: a patched pass's splat that the unpatched pass does not show.
    base_splats = set(splats(os.path.join(top, base))) if base else set()
    for p in passes:
        lines = splats(os.path.join(top, p))
        new = [s for s in lines if s not in base_splats]
        if lines:
            data[p]['kernel log'] = ('fail', 0, lines[0][:100])
        else:
            data[p]['kernel log'] = ('pass', 0, 'no BUG/WARNING/Oops/panic')
        data[p]['_new_splats'] = new
    names.append('kernel log')

    width = max(len(n) for n in names)
    cols = [TITLES.get(p, p) for p in passes]
    cw = [max(len(c), 10) for c in cols]
    print()
    print('  ' + 'test'.ljust(width) + '  ' +
          '  '.join(c.ljust(w) for c, w in zip(cols, cw)))
    print('  ' + '-' * width + '  ' + '  '.join('-' * w for w in cw))
    regressions = []
    for n in names:
        cells = []
        for p, w in zip(passes, cw):
            r = data[p].get(n)
            # privmem/* rows exist only in the pass with private nodes.
            cell = r[0] if r else ('-' if n.startswith('privmem/') else 'missing')
            if r and r[1] >= 1 and n != 'kernel log':
                cell += f' {r[1]}s'
            cells.append(cell.ljust(w))
        print('  ' + n.ljust(width) + '  ' + '  '.join(cells).rstrip())
        if base:
            b = data[base].get(n)
            for p in passes:
                if p == base:
                    continue
                r = data[p].get(n)
                if n == 'kernel log':
                    if data[p]['_new_splats']:
                        regressions.append((n, p, data[p]['_new_splats'][0]))
                elif b and b[0] == 'pass' and (not r or r[0] != 'pass'):
                    regressions.append((n, p, r[2] if r else 'not run'))

    # The reasons: every skip and every failure, once per distinct text.
    print()
    print('  reasons (skip, fail, pass on the retry, notes):')
    for n in names:
        if n == 'kernel log':
            continue
        seen = {}
        for p in passes:
            r = data[p].get(n)
            if r and r[2]:      # a skip, a failure, or a pass on the retry
                seen.setdefault(f'{r[0]}: {r[2]}', []).append(TITLES.get(p, p))
        for why, ps in seen.items():
            on = 'all passes' if len(ps) == len(passes) else ', '.join(ps)
            print(f'    {n} [{on}] {why}')

    print()
    unfinished = []
    for p in passes:
        d = os.path.join(top, p)
        counts = {'pass': 0, 'fail': 0, 'skip': 0}
        for n, r in data[p].items():
            if n.startswith('_') or n == 'kernel log':
                continue
            counts[r[0]] = counts.get(r[0], 0) + 1
        ran = counts['pass'] + counts['fail']
        try:
            with open(os.path.join(d, 'seconds')) as f:
                secs = f' in {int(f.read())} s of guest time'
        except (OSError, ValueError):
            secs = ''
        done = os.path.exists(os.path.join(d, 'done'))
        if not done:
            unfinished.append(p)
        print(f'  {TITLES.get(p, p)}: {ran} run, {counts["pass"]} passed, '
              f'{counts["fail"]} failed, {counts["skip"]} skipped{secs}'
              + ('' if done else ' (DID NOT FINISH: see console.log)'))
    for p in unfinished:
        if p != base:
            regressions.append(('(pass)', p, 'the guest did not finish'))
    if base in unfinished:
        print('  the unpatched pass did not finish: its missing results '
              'cannot be compared')

    if regressions:
        print()
        print('  regressions (pass on 6.12, not on privmem):')
        for n, p, why in regressions:
            print(f'    {n} [{TITLES.get(p, p)}] {why}')
    tests = len([n for n in names if n != 'kernel log'])
    print()
    print(f'check-upstream: {tests} tests, {len(regressions)} regressions')
    return 1 if regressions or base in unfinished else 0


if __name__ == '__main__':
    sys.exit(main())
