#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""redis-report.py SAMPLES: the Redis table of scripts/guest/guest-bench-redis.sh.

SAMPLES holds "sample redis.CONFIG.METRIC ROUND VALUE" lines (other lines
are ignored), CONFIG one of cram, cram-model, zswap. Every figure is the
median over the rounds with the [min-max]; a goal row compares a
compressed-node configuration with zswap as the ratio of the medians, with
the [min-max] of the per-round ratios, and says whether the goal is met.

bench-report.py can import it: redis_rows(samples) returns the rows, with
samples a dict "redis.CONFIG.METRIC" -> {round: value} (parse() makes one).
"""
import statistics
import sys

CONFIGS = ("cram", "cram-model", "zswap")

# (metric, label, unit)
FIGURES = (
    ("get.rps", "GET throughput", "rps"),
    ("get.p99_ms", "GET p99 (upper bound, all GETs)", "ms"),
    ("get.hot.p50_ms", "GET p50, hot-set client", "ms"),
    ("get.hot.p99_ms", "GET p99, hot-set client", "ms"),
    ("get.all.p50_ms", "GET p50, whole-key-space client", "ms"),
    ("get.all.p99_ms", "GET p99, whole-key-space client", "ms"),
    ("mixed.rps", "mixed GET/SETRANGE throughput", "rps"),
    ("mixed.p99_ms", "mixed p99 (upper bound)", "ms"),
    ("mixed.set.p99_ms", "mixed SETRANGE p99", "ms"),
    ("ratio", "compression ratio (logical/physical)", "x"),
    ("pre.mib_dram", "before: in DRAM (nodes 0+1)", "MiB"),
    ("pre.mib_compressed", "before: compressed (node or zswap), logical", "MiB"),
    ("pre.mib_zram", "before: in zram", "MiB"),
    ("post.mib_dram", "after: in DRAM (nodes 0+1)", "MiB"),
    ("post.mib_compressed", "after: compressed (node or zswap), logical", "MiB"),
    ("post.mib_zram", "after: in zram", "MiB"),
    ("post.mib_node1", "after: of which on node 1", "MiB"),
    ("mib_pool_max", "zswap pool at its largest (given back to DRAM)", "MiB"),
    ("pushouts", "pages pushed out of DRAM during the runs", ""),
    ("swapins", "swap-ins during the runs", ""),
    ("promotions", "promotions during the runs", ""),
    ("hint_faults", "NUMA hinting faults during the runs", ""),
    ("model_hits", "faults that paid the modelled read cost", ""),
    ("model_us", "modelled read cost per fault (guest us)", "us"),
    ("load_s", "load time", "s"),
)

# (metric, config, higher_is_better, goal, label): the figure of CONFIG
# over zswap's; goal is the least ratio (higher is better) or the most.
GOALS = (
    ("get.rps", "cram", True, 1.5, "GET throughput cram/zswap"),
    ("get.p99_ms", "cram", False, 1.0, "GET p99 cram/zswap"),
    ("mixed.rps", "cram", True, 1.0, "mixed throughput cram/zswap"),
    ("get.rps", "cram-model", True, 1.5, "GET throughput cram-model/zswap"),
    ("get.p99_ms", "cram-model", False, 1.0, "GET p99 cram-model/zswap"),
    ("mixed.rps", "cram-model", True, 1.0, "mixed throughput cram-model/zswap"),
)


def parse(lines):
    """The redis samples of LINES: "redis.CONFIG.METRIC" -> {round: value}."""
    samples = {}
    for line in lines:
        f = line.split()
        if len(f) != 4 or f[0] != "sample" or not f[1].startswith("redis."):
            continue
        try:
            samples.setdefault(f[1], {})[int(f[2])] = float(f[3])
        except ValueError:
            continue
    return samples


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.3g" % v


def summary(vals):
    """'median [min-max]' of VALS (a dict round -> value), or '-'."""
    if not vals:
        return "-"
    v = list(vals.values())
    if len(v) == 1:
        return fmt(v[0])
    return "%s [%s-%s]" % (fmt(statistics.median(v)), fmt(min(v)), fmt(max(v)))


def redis_rows(samples):
    """Rows of the table: lists of strings, the first one the header.

    A figure row: label, then one column per configuration. A goal row:
    label, the ratio of the medians [per-round range], the goal, met or
    missed.
    """
    rows = [["Redis (figure, unit)"] + list(CONFIGS)]
    for metric, label, unit in FIGURES:
        cols = [summary(samples.get("redis.%s.%s" % (c, metric), {}))
                for c in CONFIGS]
        if all(x == "-" for x in cols):
            continue
        rows.append(["%s%s" % (label, " (%s)" % unit if unit else "")] + cols)
    rows.append(["goal (ratio of medians [per-round range])", "ratio",
                 "goal", "result"])
    for metric, config, higher, goal, label in GOALS:
        a = samples.get("redis.%s.%s" % (config, metric), {})
        b = samples.get("redis.zswap.%s" % metric, {})
        if not a or not b:
            continue
        ma, mb = statistics.median(a.values()), statistics.median(b.values())
        if mb == 0:
            continue
        r = ma / mb
        per = [a[k] / b[k] for k in a if k in b and b[k]]
        rng = " [%.2f-%.2f]" % (min(per), max(per)) if len(per) > 1 else ""
        met = r >= goal if higher else r <= goal
        rows.append([label, "%.2f%s" % (r, rng),
                     "%s %.2f" % (">=" if higher else "<=", goal),
                     "met" if met else "missed"])
    return rows


def print_rows(rows, out=sys.stdout):
    """Markdown tables: the figures, then the goals."""
    goal_at = next(i for i, r in enumerate(rows)
                   if r[0].startswith("goal"))
    for part in (rows[:goal_at], rows[goal_at:]):
        if len(part) < 2:
            continue
        out.write("| " + " | ".join(part[0]) + " |\n")
        out.write("|" + "---|" * len(part[0]) + "\n")
        for r in part[1:]:
            out.write("| " + " | ".join(r) + " |\n")
        out.write("\n")


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: redis-report.py SAMPLES\n")
        return 2
    with open(sys.argv[1]) as f:
        samples = parse(f)
    if not samples:
        sys.stderr.write("redis-report: no redis samples in %s\n" % sys.argv[1])
        return 1
    rounds = max(len(v) for v in samples.values())
    print("Redis, %d round(s): median [min-max]" % rounds)
    print()
    print_rows(redis_rows(samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
