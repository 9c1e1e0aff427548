#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py: the `make bench` table, CSV and plot.

Reads the guest's measurements and prints one row per figure: the figure
and its baseline (median and min-max over the rounds), their ratio, the
target and whether it is met. Writes OUT/bench.csv and, with gnuplot,
OUT/bench.png (the ratios, their spread and the targets).

Inputs:
  --samples FILE  "sample KEY ROUND VALUE" lines (scripts/guest/guest-bench.sh);
                  a figure and its baseline with the same ROUND were taken
                  back to back in the same guest run.
  --gate FILE     scripts/host/bench-gate.sh's CSV: round,kernel,workload,value,
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
    # Issue 19: MIGRATE knows the whole range, so it must beat
    # move_pages(2) by 1.2x (4K) and 1.5x (THP).
    ('MIGRATE 4K 0->private', 'mig4k.in', 'mig4k.mp01',
     'move_pages 0->1', 'MiB/s', '>=', 1.2),
    ('MIGRATE 4K private->0', 'mig4k.out', 'mig4k.mp10',
     'move_pages 1->0', 'MiB/s', '>=', 1.2),
    ('MIGRATE THP 0->private', 'migthp.in', 'migthp.mp01',
     'move_pages 0->1', 'MiB/s', '>=', 1.5),
    ('MIGRATE THP private->0', 'migthp.out', 'migthp.mp10',
     'move_pages 1->0', 'MiB/s', '>=', 1.5),
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
    # The patched boots bind two private nodes, plain and compressed, and
    # hold 64 MiB on each while they measure (scripts/guest/guest-gate.sh).
    ('gate: anon 4K, nodes in use', 'gate.fault.patched',
     'gate.fault.vanilla', 'unpatched 6.12', 'pages/s', '>=', 0.99),
    ('gate: fork/exec/file, nodes', 'gate.mixed.patched',
     'gate.mixed.vanilla', 'unpatched 6.12', 'iter/s', '>=', 0.99),
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
    """One dict per row of ROWS (the gate rows or the others): the figure's
    and the baseline's median [min-max], the ratio of the medians with the
    min, max and median of the per-round ratios, and the target's verdict."""
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
                   rmax=max(per) if per else ratio,
                   rmed=statistics.median(per) if per else ratio)
        row['met'] = verdict(op, tgt, ratio)
        out.append(row)
    return out


def verdict(op, tgt, ratio):
    if op == '>=':
        return 'yes' if ratio >= tgt else 'NO'
    if op == '<=':
        return 'yes' if ratio <= tgt else 'NO'
    return '-'


def merge_clocks(wall, icount):
    """Pairs the rows of the wall-clock run and of the -icount run. The CXL
    guest runs on the wall clock only (its rows have no instruction
    column)."""
    rows = []
    for i, w in enumerate(wall or icount):
        cxl = w['label'].startswith('CXL node')
        rows.append(dict(label=w['label'], baseline=w['baseline'],
                         unit=w['unit'], target=w['target'],
                         wall=wall[i] if wall else None,
                         icount=icount[i] if icount and not cxl else None))
    return rows


def present(r):
    return r is not None and r['met'] != 'MISSING'


def ratio_text(r):
    if not present(r):
        return 'no data' if r is not None else '-'
    return f"{r['ratio']:.3f} [{r['rmin']:.3f}-{r['rmax']:.3f}]"


def print_table(rows, prev):
    hdr = (f"{'figure':30} {'baseline':18} {'wall ratio [min-max]':>23} "
           f"{'rnd med':>7} {'instr ratio [min-max]':>23} {'prev':>6} "
           f"{'diff':>6} {'target':>7} {'met w/i':>8} {'n':>3}")
    print(hdr)
    print('-' * len(hdr))
    for r in rows:
        w, i = r['wall'], r['icount']
        med = f"{w['rmed']:.3f}" if present(w) else '-'
        p = prev.get((r['label'], r['baseline']))
        ptxt = f'{p:.3f}' if p else '-'
        diff = (f"{(i['ratio'] / p - 1) * 100:+.1f}%"
                if p and present(i) else '-')
        met = f"{w['met'] if w else '-'}/{i['met'] if i else '-'}"
        n = f"{w['n'] if w else 0}/{i['n'] if i else 0}"
        print(f"{r['label']:30} {r['baseline']:18} {ratio_text(w):>23} "
              f"{med:>7} {ratio_text(i):>23} {ptxt:>6} {diff:>6} "
              f"{r['target']:>7} {met:>8} {n:>5}")


def print_figures(rows):
    """The absolute medians behind the ratios (emulation speed)."""
    print(f"{'figure':30} {'unit':>8} {'wall fig':>10} {'wall base':>10} "
          f"{'instr fig':>10} {'instr base':>10}  baseline")
    for r in rows:
        cols = []
        for c in (r['wall'], r['icount']):
            cols += ([fmt(c['fig'][0]), fmt(c['base'][0])] if present(c)
                     else ['-', '-'])
        print(f"{r['label']:30} {r['unit']:>8} {cols[0]:>10} {cols[1]:>10} "
              f"{cols[2]:>10} {cols[3]:>10}  {r['baseline']}")


def write_csv(rows, path):
    cols = ['median', 'baseline_median', 'ratio', 'ratio_min', 'ratio_max',
            'round_ratio_median', 'met', 'rounds']
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['figure', 'baseline', 'unit', 'target'] +
                   [f'{c}_{k}' for c in ('wall', 'instr') for k in cols])
        for r in rows:
            line = [r['label'], r['baseline'], r['unit'], r['target']]
            for c in (r['wall'], r['icount']):
                if not present(c):
                    line += [''] * 6 + [c['met'] if c else '', 0]
                    continue
                line += [f"{c['fig'][0]:.6g}", f"{c['base'][0]:.6g}",
                         f"{c['ratio']:.4f}", f"{c['rmin']:.4f}",
                         f"{c['rmax']:.4f}", f"{c['rmed']:.4f}", c['met'],
                         c['n']]
            w.writerow(line)


def read_previous(path):
    """The instruction ratios of an earlier run's bench.csv."""
    prev = {}
    if not path or not os.path.exists(path):
        return prev
    with open(path) as f:
        for r in csv.DictReader(f):
            if r.get('instr_ratio'):
                prev[(r['figure'], r['baseline'])] = float(r['instr_ratio'])
    return prev


def gnuplot(script):
    gp = shutil.which('gnuplot')
    if not gp:
        print('bench-report: gnuplot not found, no plot', file=sys.stderr)
        return False
    res = subprocess.run([gp], input=script, text=True, capture_output=True)
    if res.returncode:
        print('bench-report: gnuplot failed:\n' + res.stderr, file=sys.stderr)
        return False
    return True


def plot(rows, outdir):
    """Horizontal bars: each row's instruction ratio (the wall ratio where
    there is none), the wall ratio's spread, and the target."""
    dat = os.path.join(outdir, 'bench-ratios.dat')
    rows = [r for r in rows if present(r['wall']) or present(r['icount'])]
    with open(dat, 'w') as f:
        for i, r in enumerate(rows):
            tgt = r['target'].split()[1] if r['target'] != '-' else 'NaN'
            w, c = r['wall'], r['icount']
            bar = c['ratio'] if present(c) else w['ratio']
            wr = (f"{w['ratio']:.4f} {w['rmin']:.4f} {w['rmax']:.4f}"
                  if present(w) else 'NaN NaN NaN')
            label = f"{r['label']} / {r['baseline']}".replace('"', "'")
            f.write(f"{i} {bar:.4f} {wr} {tgt} \"{label}\"\n")
    png = os.path.join(outdir, 'bench.png')
    return gnuplot(f"""
set terminal pngcairo noenhanced size 1100,{140 + 26 * len(rows)} font ',9'
set output '{png}'
set title 'privmem: ratio to baseline. Bars: instructions (-icount); dots and bars: wall clock median, min-max over rounds; x = target'
set yrange [{len(rows) - 0.2}:-0.8]
set xrange [0:*]
set xlabel 'ratio figure / baseline'
set ytics nomirror
set grid x
set key off
set style fill solid 0.5
plot '{dat}' using 2:1:(0):2:($1-0.35):($1+0.35):ytic(7) with boxxyerror lc rgb '#4477aa', \\
     '' using 3:1:4:5 with xerrorbars lc rgb 'black' pt 7 ps 0.4, \\
     '' using 6:1 with points pt 2 ps 1.5 lc rgb '#cc3311'
""")


# The cost curves (guest-bench.sh part 6): the rows of ROWS with these
# figure and baseline series, measured at each size. Sample keys are
# "curve.KEY.SIZE"; MiB/s become microseconds per 4K page; the promotion
# curve's samples are means per page (the row's are medians).
CURVE_PAIRS = [
    ('fault4k.privmem', 'fault4k.anon1'), ('faultthp.privmem', 'faultthp.anon1'),
    ('mig4k.in', 'mig4k.mp01'), ('mig4k.out', 'mig4k.mp10'),
    ('migthp.in', 'migthp.mp01'), ('migthp.out', 'migthp.mp10'),
    ('demote.cram', 'demote.zswap'), ('promote.fault', 'promote.move_pages'),
]
CURVES = [(label.replace('(median)', '(mean)'), fk, bk, bname, unit, op, tgt)
          for fk, bk in CURVE_PAIRS
          for label, f, b, bname, unit, op, tgt in ROWS
          if (f, b) == (fk, bk)]
CURVE_GROWTH = 1.2


def per_page_us(v, unit):
    """Microseconds per 4K page of a figure in @unit."""
    if unit == 'us':
        return v
    return 4096 / (v * 1048576) * 1e6 if v else float('nan')


def curve_rows(series):
    """Per path: per-page cost of the figure and the baseline at each size
    (medians over the rounds), their ratio against the target, and the
    growth of the figure's per-page cost from the smallest size to the
    largest."""
    out = []
    for label, fk, bk, bname, unit, op, tgt in CURVES:
        pts = []
        sizes = sorted({int(k.rsplit('.', 1)[1]) for k in series
                        if k.startswith(f'curve.{fk}.')})
        for mib in sizes:
            f = series.get(f'curve.{fk}.{mib}', {})
            b = series.get(f'curve.{bk}.{mib}', {})
            rounds = sorted(set(f) & set(b))
            if not rounds:
                continue
            fm = statistics.median(f[r] for r in rounds)
            bm = statistics.median(b[r] for r in rounds)
            ratio = fm / bm if bm else float('nan')
            pts.append(dict(mib=mib, fig=per_page_us(fm, unit),
                            base=per_page_us(bm, unit), ratio=ratio,
                            met=verdict(op, tgt, ratio)))
        if not pts:
            continue
        growth = pts[-1]['fig'] / pts[0]['fig']
        out.append(dict(label=label, baseline=bname, target=f'{op} {tgt}'
                        if op else '-', pts=pts, growth=growth,
                        grown='yes' if growth <= CURVE_GROWTH else 'NO'))
    return out


def print_curves(curves, clock):
    if not curves:
        return
    print(f'Cost curves ({clock}): microseconds per 4K page, figure / baseline '
          f'and their ratio (a throughput ratio for MiB/s rows), per size; growth = '
          f'per-page cost at the largest size / at the smallest (goal <= '
          f'{CURVE_GROWTH})')
    for c in curves:
        pts = '  '.join(f"{p['mib']}M {fmt(p['fig'])}/{fmt(p['base'])} "
                        f"{p['ratio']:.3f}{'' if p['met'] != 'NO' else '!'}"
                        for p in c['pts'])
        met = all(p['met'] != 'NO' for p in c['pts'])
        print(f"  {c['label']:24} vs {c['baseline']:18} {pts}")
        print(f"  {'':24}    growth {c['growth']:.3f} ({c['grown']}), "
              f"target {c['target']} at every size: "
              f"{'-' if c['target'] == '-' else ('yes' if met else 'NO')}")


def write_curves(curves, outdir, clock):
    path = os.path.join(outdir, f'curves-{clock}.csv')
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['path', 'baseline', 'mib', 'us_per_page',
                    'baseline_us_per_page', 'ratio', 'target', 'met',
                    'growth'])
        for c in curves:
            for p in c['pts']:
                w.writerow([c['label'], c['baseline'], p['mib'],
                            f"{p['fig']:.4f}", f"{p['base']:.4f}",
                            f"{p['ratio']:.4f}", c['target'], p['met'],
                            f"{c['growth']:.4f}"])


def plot_curves(curves, outdir, clock):
    """Per-page cost against size, one panel per path (figure and baseline)."""
    if not curves:
        return False
    dat = os.path.join(outdir, f'curves-{clock}.dat')
    with open(dat, 'w') as f:
        for c in curves:
            f.write(f"# {c['label']}\n")
            for p in c['pts']:
                f.write(f"{p['mib']} {p['fig']:.5f} {p['base']:.5f}\n")
            f.write('\n\n')
    png = os.path.join(outdir, 'curves.png')
    cols = 4
    nrows = (len(curves) + cols - 1) // cols
    panels = '\n'.join(
        f"set title '{c['label']} (vs {c['baseline']})'\n"
        f"plot '{dat}' index {i} using 1:2 with linespoints lw 2 pt 7 "
        f"lc rgb '#4477aa' title 'privmem', '' index {i} using 1:3 with "
        f"linespoints lw 2 pt 5 lc rgb '#cc3311' title 'baseline'"
        for i, c in enumerate(curves))
    return gnuplot(f"""
set terminal pngcairo noenhanced size 1400,{340 * nrows} font ',9'
set output '{png}'
set multiplot layout {nrows},{cols} title 'privmem cost curves ({clock}): microseconds per 4K page against size (MiB, log scale)'
set logscale x 2
set xrange [12:1024]
set yrange [0:*]
set xlabel 'MiB'
set ylabel 'us per 4K page'
set grid
set key top left
{panels}
unset multiplot
""")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--samples', help='the wall-clock guest run')
    ap.add_argument('--icount-samples', help='the -icount guest run')
    ap.add_argument('--gate')
    ap.add_argument('--previous',
                    help="an earlier run's bench.csv: its instruction ratios "
                    'are printed beside this run\'s')
    ap.add_argument('--out', required=True)
    ap.add_argument('--host-load', default='',
                    help='the host load average(s), printed with the table')
    a = ap.parse_args()

    wall, icount = {}, {}
    if a.samples:
        read_samples(a.samples, wall)
    if a.icount_samples:
        read_samples(a.icount_samples, icount)
    gate_clock = None
    if a.gate:
        # The gate boots ran under -icount by default: their column.
        qf = os.path.join(os.path.dirname(a.gate), 'qemu-args')
        if os.path.exists(qf):
            with open(qf) as f:
                gate_clock = f.read().strip()
        read_gate(a.gate, icount if gate_clock and
                  gate_clock.startswith('-icount') else wall)
    rows = []
    if a.samples or a.icount_samples:
        rows += merge_clocks(build_rows(wall, False) if a.samples else None,
                             build_rows(icount, False)
                             if a.icount_samples else None)
    if a.gate:
        g = build_rows(icount if gate_clock and gate_clock.startswith('-icount')
                       else wall, True)
        rows += merge_clocks(None, g) if gate_clock and \
            gate_clock.startswith('-icount') else merge_clocks(g, None)

    print(NOTE)
    if gate_clock and gate_clock.startswith('-icount'):
        print(f'The instruction column ran with QEMU {gate_clock}: the guest '
              'clock counts executed\ninstructions, so it compares instruction '
              'path lengths and does not depend on\nthe host load.')
    elif gate_clock:
        print(f'The gate rows ran with the host clock (QEMU extra options: {gate_clock}).')
    if a.host_load:
        print(f'Host load average during the run: {a.host_load}')
    print()
    prev = read_previous(a.previous)
    print_table(rows, prev)
    print()
    print_figures(rows)
    os.makedirs(a.out, exist_ok=True)
    write_csv(rows, os.path.join(a.out, 'bench.csv'))
    ok = plot(rows, a.out)
    for clock, series in (('instructions', icount), ('wall', wall)):
        curves = curve_rows(series)
        if not curves:
            continue
        print()
        print_curves(curves, clock)
        write_curves(curves, a.out, clock)
    # The plot shows the instruction curves where there are some.
    curves = curve_rows(icount) or curve_rows(wall)
    plot_curves(curves, a.out, 'instructions' if curve_rows(icount) else 'wall')
    missing = [r['label'] for r in rows
               if any(c is not None and c['met'] == 'MISSING'
                      for c in (r['wall'], r['icount']))]
    missed = [r['label'] for r in rows
              if any(present(c) and c['met'] == 'NO'
                     for c in (r['wall'], r['icount']))]
    met = sum(all(c is None or (present(c) and c['met'] == 'yes')
                  for c in (r['wall'], r['icount'])) and r['target'] != '-'
              for r in rows)
    print()
    print(f"{len(rows)} rows: {met} targets met on every column, "
          f"{len(missed)} missed on some column, {len(missing)} missing; "
          f"{os.path.join(a.out, 'bench.csv')}"
          + (f", {os.path.join(a.out, 'bench.png')}" if ok else ''))
    return 1 if missing or not ok else 0


if __name__ == '__main__':
    sys.exit(main())
