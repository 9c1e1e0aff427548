#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py: the `make bench` table, CSV and plot.

Reads the guest's measurements and prints one row per figure: the figure
and its baseline (median and min-max over the rounds), their ratio, the
target and whether it is met. Writes OUT/bench.csv and, with gnuplot,
OUT/bench.png (the ratios, their spread and the targets).

Inputs:
  --samples FILE  "sample KEY ROUND VALUE" lines (scripts/guest-bench.sh);
                  a figure and its baseline with the same ROUND were taken
                  back to back in the same guest run.
  --gate FILE     scripts/bench-gate.sh's CSV: round,kernel,workload,value,
                  one line per boot (patched and vanilla kernels booted in
                  ABBA order); a round pairs one boot of each.

The ratio is median(figure) / median(baseline); its spread is the min-max
of the per-round ratios. A row without both series is reported as missing
and makes the exit status 1.
"""
import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys

# (label, figure key, baseline key, baseline name, unit, target op, target)
# op '>=': the ratio must be at least the target (throughputs);
# op '<=': at most (costs); None: reported without a target.
ROWS = [
    ('fault-in 4K privmem', 'fault4k.privmem', 'fault4k.anon1',
     'anon node 1', 'MiB/s', '>=', 0.9),
    ('fault-in 4K privmem', 'fault4k.privmem', 'fault4k.devdax',
     '/dev/dax (2M)', 'MiB/s', None, None),
    ('fault-in THP privmem', 'faultthp.privmem', 'faultthp.anon1',
     'anon node 1', 'MiB/s', '>=', 0.9),
    ('fault-in THP privmem', 'faultthp.privmem', 'faultthp.devdax',
     '/dev/dax (2M)', 'MiB/s', None, None),
] + [
    (f'fio mmap {job} privmem', f'fio.{job}.privmem', f'fio.{job}.{base}',
     name, 'MiB/s', op, tgt)
    for job in ('seq-read', 'seq-write', 'rand-read', 'rand-write')
    for base, name, op, tgt in (('devdax', '/dev/dax1.0', '>=', 0.95),
                                ('tmpfs', 'tmpfs file', None, None))
] + [
    # MAP_SHARED of /dev/privmemN: the open file's shared object (shmem
    # bound to the node), 4K pages, against /dev/dax's shared mapping.
    (f'fio mmap {job} privmem shared', f'fio.{job}.privmem-shared',
     f'fio.{job}.devdax', '/dev/dax1.0', 'MiB/s', '>=', 0.95)
    for job in ('seq-read', 'seq-write', 'rand-read', 'rand-write')
] + [
    ('MIGRATE 4K 0->private', 'mig4k.in', 'mig4k.mp01',
     'move_pages 0->1', 'MiB/s', '>=', 1.0),
    ('MIGRATE 4K private->0', 'mig4k.out', 'mig4k.mp10',
     'move_pages 1->0', 'MiB/s', '>=', 1.0),
    ('MIGRATE THP 0->private', 'migthp.in', 'migthp.mp01',
     'move_pages 0->1', 'MiB/s', '>=', 1.0),
    ('MIGRATE THP private->0', 'migthp.out', 'migthp.mp10',
     'move_pages 1->0', 'MiB/s', '>=', 1.0),
] + [
    (f'MIGRATE {sz} {d}', f'mig{k}.{io}', f'mig{k}.{mp}',
     f'move_pages {mpd}', 'MiB/s', None, None)
    for sz, k in (('4K', '4k'), ('THP', 'thp'))
    for d, io, mp, mpd in (('0->private', 'in', 'mp0p', '0->private'),
                           ('private->0', 'out', 'mpp0', 'private->0'))
] + [
    ('promotion fault (median)', 'promote.fault', 'promote.move_pages',
     '1-page move_pages', 'us', '<=', 1.5),
    ('promotion fault (median)', 'promote.fault', 'promote.move_pages_batch',
     'batch move_pages', 'us', None, None),
    ('demotion to compressed', 'demote.cram', 'demote.zswap',
     'zswap store', 'MiB/s', None, None),
    ('capacity logical/physical', 'capacity.cram', 'capacity.zswap',
     'zswap', 'x', None, None),
    # A compressed node's balloon (cram_balloon.c): 256 MiB taken off the
    # empty node through balloon_target, then given back ("auto").
    ('balloon step: inflate', 'balloon.inflate', 'balloon.deflate',
     'deflate', 'pages/ms', None, None),
    # The in-place write check of the emulated compressed device (a
    # checksum of every page it stores, checked when the page leaves): the
    # same benchmark on binds with the checksum on and off, alternating.
    ('promotion fault, checksum on', 'csum-on.promote.fault',
     'csum-off.promote.fault', 'same, checksum off', 'us', None, None),
    ('demotion to compressed, checksum on', 'csum-on.demote.cram',
     'csum-off.demote.cram', 'same, checksum off', 'MiB/s', None, None),
    ('promotion fault, checksum on', 'csum-on.promote.fault',
     'csum-on.promote.move_pages', '1-page move_pages', 'us', '<=', 1.5),
    ('promotion fault, checksum off', 'csum-off.promote.fault',
     'csum-off.promote.move_pages', '1-page move_pages', 'us', '<=', 1.5),
] + [
    # The CXL guest (guest-bench.sh bench_cxl): the same benchmark on a
    # node of the CXL region and on an NVDIMM node, alternating binds in
    # one guest run. No target: the ratio is what TCG's emulation of CXL
    # memory costs (every access to it is an MMIO dispatch in QEMU).
    (f'CXL node: {label}', f'cxl.{key}', f'nvdimm.{key}', 'NVDIMM node',
     unit, None, None)
    for label, key, unit in (
        ('fault-in 4K', 'fault4k.privmem', 'MiB/s'),
        ('fault-in THP', 'faultthp.privmem', 'MiB/s'),
        ('MIGRATE 4K 0->private', 'mig4k.in', 'MiB/s'),
        ('MIGRATE 4K private->0', 'mig4k.out', 'MiB/s'),
        ('MIGRATE THP 0->private', 'migthp.in', 'MiB/s'),
        ('MIGRATE THP private->0', 'migthp.out', 'MiB/s'),
        ('demotion to compressed', 'demote.cram', 'MiB/s'),
        ('promotion fault (median)', 'promote.fault', 'us'))
] + [
    ('gate: anon 4K faults', 'gate.fault.patched', 'gate.fault.vanilla',
     'unpatched 6.12', 'pages/s', '>=', 0.99),
    ('gate: fork/exec/file mix', 'gate.mixed.patched', 'gate.mixed.vanilla',
     'unpatched 6.12', 'iter/s', '>=', 0.99),
]

NOTE = """\
The guest runs under QEMU TCG (no KVM): absolute figures are emulation
speed and mean nothing; only a ratio of two figures measured in the same
guest run (the gate rows: alternating boots, ABBA) means something.
Medians over the rounds; [min-max] over the rounds; the ratio is
median/median and its spread the min-max of the per-round ratios."""


def read_samples(path, series):
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 4 and w[0] == 'sample':
                series.setdefault(w[1], {})[int(w[2])] = float(w[3])


def read_gate(path, series):
    with open(path) as f:
        for r in csv.DictReader(f):
            key = f"gate.{r['workload']}.{r['kernel']}"
            series.setdefault(key, {})[int(r['round'])] = float(r['value'])


def summary(vals):
    return statistics.median(vals), min(vals), max(vals)


def fmt(v):
    if v >= 1000:
        return f'{v:.0f}'
    if v >= 10:
        return f'{v:.1f}'
    return f'{v:.2f}'


def build_rows(series, gate_only):
    out = []
    for label, fk, bk, bname, unit, op, tgt in ROWS:
        if gate_only != fk.startswith('gate.'):
            continue
        f, b = series.get(fk, {}), series.get(bk, {})
        row = dict(label=label, baseline=bname, unit=unit,
                   target=f'{op} {tgt}' if op else '-', n=0)
        rounds = sorted(set(f) & set(b))
        if not rounds:
            row['met'] = 'MISSING'
            out.append(row)
            continue
        fm, b_m = summary([f[r] for r in rounds]), summary([b[r] for r in rounds])
        per = [f[r] / b[r] for r in rounds if b[r]]
        ratio = fm[0] / b_m[0] if b_m[0] else float('nan')
        row.update(n=len(rounds), fig=fm, base=b_m, ratio=ratio,
                   rmin=min(per) if per else ratio,
                   rmax=max(per) if per else ratio)
        if op == '>=':
            row['met'] = 'yes' if ratio >= tgt else 'NO'
        elif op == '<=':
            row['met'] = 'yes' if ratio <= tgt else 'NO'
        else:
            row['met'] = '-'
        out.append(row)
    return out


def print_table(rows):
    hdr = (f"{'figure':27} {'median [min-max]':>26} {'baseline':17} "
           f"{'median [min-max]':>26} {'ratio [min-max]':>23} "
           f"{'target':>7} {'met':>4} {'n':>2}")
    print(hdr)
    print('-' * len(hdr))
    for r in rows:
        if r['met'] == 'MISSING':
            print(f"{r['label']:27} {'no data':>26} {r['baseline']:17} "
                  f"{'':>26} {'':>23} {r['target']:>7} MISSING")
            continue
        fig = f"{fmt(r['fig'][0])} [{fmt(r['fig'][1])}-{fmt(r['fig'][2])}]"
        base = f"{fmt(r['base'][0])} [{fmt(r['base'][1])}-{fmt(r['base'][2])}]"
        ratio = f"{r['ratio']:.3f} [{r['rmin']:.3f}-{r['rmax']:.3f}]"
        print(f"{r['label']:27} {fig:>20} {r['unit']:>5} {r['baseline']:17} "
              f"{base:>26} {ratio:>23} {r['target']:>7} {r['met']:>4} "
              f"{r['n']:>2}")


def write_csv(rows, path):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['figure', 'unit', 'median', 'min', 'max', 'baseline',
                    'baseline_median', 'baseline_min', 'baseline_max',
                    'ratio', 'ratio_min', 'ratio_max', 'target', 'met',
                    'rounds'])
        for r in rows:
            if r['met'] == 'MISSING':
                w.writerow([r['label'], r['unit']] + [''] * 3 +
                           [r['baseline']] + [''] * 6 +
                           [r['target'], 'MISSING', 0])
                continue
            w.writerow([r['label'], r['unit'], *(f'{v:.6g}' for v in r['fig']),
                        r['baseline'], *(f'{v:.6g}' for v in r['base']),
                        f"{r['ratio']:.4f}", f"{r['rmin']:.4f}",
                        f"{r['rmax']:.4f}", r['target'], r['met'], r['n']])


def plot(rows, outdir):
    """Horizontal bars: each row's ratio, its spread, and its target."""
    gp = shutil.which('gnuplot')
    if not gp:
        print('bench-report: gnuplot not found, no plot', file=sys.stderr)
        return False
    dat = os.path.join(outdir, 'bench-ratios.dat')
    rows = [r for r in rows if r['met'] != 'MISSING']
    with open(dat, 'w') as f:
        for i, r in enumerate(rows):
            tgt = r['target'].split()[1] if r['target'] != '-' else 'NaN'
            label = f"{r['label']} / {r['baseline']}".replace('"', "'")
            f.write(f"{i} {r['ratio']:.4f} {r['rmin']:.4f} {r['rmax']:.4f} "
                    f"{tgt} \"{label}\"\n")
    png = os.path.join(outdir, 'bench.png')
    script = f"""
set terminal pngcairo noenhanced size 1100,{140 + 26 * len(rows)} font ',9'
set output '{png}'
set title 'privmem: ratio to baseline (median, min-max over rounds; x = target). QEMU TCG: only ratios mean anything'
set yrange [{len(rows) - 0.2}:-0.8]
set xrange [0:*]
set xlabel 'ratio figure / baseline'
set ytics nomirror
set grid x
set key off
set style fill solid 0.5
plot '{dat}' using 2:1:(0):2:($1-0.35):($1+0.35):ytic(6) with boxxyerror lc rgb '#4477aa', \\
     '' using 2:1:3:4 with xerrorbars lc rgb 'black' pt 7 ps 0.4, \\
     '' using 5:1 with points pt 2 ps 1.5 lc rgb '#cc3311'
"""
    res = subprocess.run([gp], input=script, text=True, capture_output=True)
    if res.returncode:
        print('bench-report: gnuplot failed:\n' + res.stderr, file=sys.stderr)
        return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--samples')
    ap.add_argument('--gate')
    ap.add_argument('--out', required=True)
    ap.add_argument('--host-load', default='',
                    help='the host load average(s), printed with the table')
    a = ap.parse_args()

    series = {}
    if a.samples:
        read_samples(a.samples, series)
    gate_clock = None
    if a.gate:
        read_gate(a.gate, series)
        qf = os.path.join(os.path.dirname(a.gate), 'qemu-args')
        if os.path.exists(qf):
            with open(qf) as f:
                gate_clock = f.read().strip()
    rows = []
    if a.samples:
        rows += build_rows(series, False)
    if a.gate:
        rows += build_rows(series, True)

    print(NOTE)
    if gate_clock and gate_clock.startswith('-icount'):
        print(f'The gate rows ran with QEMU {gate_clock}: the guest clock counts '
              'executed\ninstructions, so they compare instruction path '
              'lengths and do not depend on\nthe host load.')
    elif gate_clock:
        print(f'The gate rows ran with the host clock (QEMU extra options: {gate_clock}).')
    if a.host_load:
        print(f'Host load average during the run: {a.host_load}')
    print()
    print_table(rows)
    os.makedirs(a.out, exist_ok=True)
    write_csv(rows, os.path.join(a.out, 'bench.csv'))
    ok = plot(rows, a.out)
    missing = [r['label'] for r in rows if r['met'] == 'MISSING']
    missed = [r['label'] for r in rows if r['met'] == 'NO']
    print()
    print(f"{len(rows)} rows: {sum(r['met'] == 'yes' for r in rows)} targets met, "
          f"{len(missed)} missed, {len(missing)} missing; "
          f"{os.path.join(a.out, 'bench.csv')}"
          + (f", {os.path.join(a.out, 'bench.png')}" if ok else ''))
    return 1 if missing or not ok else 0


if __name__ == '__main__':
    sys.exit(main())
