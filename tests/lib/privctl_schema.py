#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""privctl_schema.py PRIVCTL

Checks the JSON of `privctl list --json` and `privctl info DEV --json`
against the documented schema (docs/privctl.md, privctl(1)) and every privmem
device's values against its sysfs directory /sys/class/privmem/privmemN,
online or offline (state, settings), and what backs its dax device (a
CXL region, an NVDIMM namespace, or other) against the device tree.
Run by tests/user/privctl_test.c in the guest, as root. Exit 0 when all
checks pass, 1 otherwise; each failure is printed.
"""
import json
import os
import re
import subprocess
import sys

CAPS = {"migration", "mempolicy", "demotion", "protect_write", "reclaim",
        "numa_balancing", "compaction", "longterm_pin"}
STATES = {"normal", "elevated", "high"}
DEV_STATES = {"online", "offline"}
SUFFIX = {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}
# backing.kind: the bus its backing.name is a device of (None: no name)
BACKING = {"nvdimm": "/sys/bus/nd/devices", "cxl": "/sys/bus/cxl/devices",
           "other": None}

# key: type, or a dict for a nested object
DEVICE = {
    "chardev": str, "path": str, "dax": str,
    "backing": {"kind": str, "name": (str, type(None))},
    "node": int, "type": str, "state": str,
    "caps": list, "capacity": int, "used": int, "free": int,
    "page_sizes": list, "mappings": int, "shared_objects": int,
    "poisoned": int,
    "demotion": {"enabled": bool, "sources": str},
    "pressure": {"level": int, "low": int, "high": int, "state": str,
                 "events": int, "injected": bool, "blocked": bool},
    "counters": {"demotions_in": int, "demotions_refused": int,
                 "promotions": int, "migrations_in": int,
                 "migrations_out": int, "inplace_writes": int},
    "settings": {"type": str, "physical_size": int, "numa_balancing": bool,
                 "compaction": bool, "checksum": bool,
                 "watermarks": {"low": int, "high": int}},
}
PHYSICAL = {"capacity": int, "used": int, "ratio": (int, float),
            "balloon": int, "ratio_estimate": (int, float)}
OTHER = {"chardev": type(None), "node": int, "type": str, "capacity": int,
         "used": int, "free": int}

failures = []


def fail(msg):
    failures.append(msg)
    print("# FAIL: " + msg)


def check_shape(obj, schema, where, exact=True):
    if not isinstance(obj, dict):
        fail(f"{where}: not an object")
        return
    for key, want in schema.items():
        if key not in obj:
            fail(f"{where}: missing '{key}'")
            continue
        val = obj[key]
        if isinstance(want, dict):
            check_shape(val, want, f"{where}.{key}")
        elif want is int and (isinstance(val, bool) or not isinstance(val, int)):
            fail(f"{where}.{key}: {val!r} is not an integer")
        elif want is not int and not isinstance(val, want):
            fail(f"{where}.{key}: {val!r} is not {want}")
        elif want is int and val < 0 and key != "node":
            fail(f"{where}.{key}: negative {val}")
    if exact:
        extra = set(obj) - set(schema) - {"physical"}
        if extra:
            fail(f"{where}: undocumented keys {sorted(extra)}")


def sysfs(dev, attr):
    with open(f"/sys/class/privmem/{dev}/{attr}") as f:
        return f.read().strip()


def size(s):
    """A size attribute: bytes, or a number with a K/M/G/T suffix."""
    s = s.upper()
    unit = s[-1] if s and s[-1] in "KMGT" else ""
    return int(s[:len(s) - len(unit)]) << SUFFIX[unit]


def backing_of(dax):
    """What the device tree says backs @dax: (kind, region, parent dir).

    The dax device's nearest ancestor regionN under ndbusN (libnvdimm) or
    under a CXL root decoder decoderX.Y.
    """
    real = os.path.realpath(f"/sys/bus/dax/devices/{dax}")
    comps = real.split("/")
    for i in range(len(comps) - 2, 0, -1):
        if not re.fullmatch(r"region\d+", comps[i]):
            continue
        if re.fullmatch(r"ndbus\d+", comps[i - 1]):
            return "nvdimm", comps[i], os.path.dirname(real)
        if re.fullmatch(r"decoder\d+\.\d+", comps[i - 1]):
            return "cxl", comps[i], os.path.dirname(real)
    return "other", None, os.path.dirname(real)


def check_backing(d, where):
    b = d.get("backing")
    if not isinstance(b, dict):
        return
    kind, name = b.get("kind"), b.get("name")
    if kind not in BACKING:
        fail(f"{where}.backing.kind: {kind!r} is not one of {sorted(BACKING)}")
        return
    if kind == "other":
        if name is not None:
            fail(f"{where}.backing: kind other with name {name!r}")
    elif (not isinstance(name, str) or not name or "/" in name or
          not os.path.exists(f"{BACKING[kind]}/{name}")):
        fail(f"{where}.backing.name: {name!r} is not in {BACKING[kind]}")
        return
    # Against the device tree of the dax device.
    want, region, parent = backing_of(d.get("dax", ""))
    if kind != want:
        fail(f"{where}.backing.kind: {kind!r}, the device tree says {want!r} "
             f"({os.path.realpath('/sys/bus/dax/devices/' + d.get('dax', ''))})")
    elif kind == "cxl" and name != region:
        fail(f"{where}.backing.name: {name!r}, the device tree says {region!r}")
    elif kind == "nvdimm" and name.startswith("namespace"):
        # The namespace's holder is the nd_dax device above the dax device.
        with open(f"{BACKING[kind]}/{name}/holder") as f:
            holder = f.read().strip()
        if holder != os.path.basename(parent):
            fail(f"{where}.backing.name: {name!r} is held by {holder!r}, not by "
                 f"{os.path.basename(parent)!r}, the dax device's parent")
    elif kind == "nvdimm" and name != region:
        fail(f"{where}.backing.name: {name!r}, neither a namespace nor {region!r}")


def check_device(d):
    name = d["chardev"]
    where = name
    check_shape(d, DEVICE, where)
    if d.get("type") not in ("plain", "compressed"):
        fail(f"{where}.type: {d.get('type')!r}")
    online = d.get("state") == "online"
    if d.get("state") not in DEV_STATES:
        fail(f"{where}.state: {d.get('state')!r}")
    if not set(d.get("caps", [])) <= CAPS:
        fail(f"{where}.caps: unknown {set(d['caps']) - CAPS}")
    for ps in d.get("page_sizes", []):
        if ps <= 0 or ps & (ps - 1):
            fail(f"{where}.page_sizes: {ps} is not a power of two")
    p = d.get("pressure", {})
    if p.get("state") not in STATES:
        fail(f"{where}.pressure.state: {p.get('state')!r}")
    if not 0 <= p.get("level", -1) <= 1000 or not p.get("low", 0) < p.get("high", 0) <= 1000:
        fail(f"{where}.pressure: level/watermarks out of range: {p}")
    # The physical side comes from the ioctls: online compressed nodes only.
    if d.get("type") == "compressed" and online:
        if "physical" not in d:
            fail(f"{where}: compressed node without 'physical'")
        else:
            check_shape(d["physical"], PHYSICAL, where + ".physical")
    elif "physical" in d:
        fail(f"{where}: a {'plain' if online else 'offline'} node has 'physical'")
    if not online and (d.get("caps") or d.get("used") or d.get("free")):
        fail(f"{where}: offline, but caps {d.get('caps')}, used {d.get('used')}, "
             f"free {d.get('free')}")
    if d.get("path") != "/dev/" + name:
        fail(f"{where}.path: {d.get('path')!r}")
    check_backing(d, where)

    # Against sysfs. used/free move with the kernel's own use: 4 MiB slack.
    exact = {
        "node": int(sysfs(name, "node")),
        "type": sysfs(name, "type"),
        "dax": sysfs(name, "dax"),
        "state": sysfs(name, "state"),
        "capacity": int(sysfs(name, "capacity")),
        "mappings": int(sysfs(name, "mappings")),
        "shared_objects": int(sysfs(name, "shared_objects")),
        "poisoned": int(sysfs(name, "poisoned")),
    }
    for k, v in exact.items():
        if d.get(k) != v:
            fail(f"{where}.{k}: {d.get(k)!r}, sysfs says {v!r}")
    for k in ("used", "free"):
        v = int(sysfs(name, k))
        if abs(d.get(k, 0) - v) > 4 << 20:
            fail(f"{where}.{k}: {d.get(k)}, sysfs says {v}")
    if sorted(d.get("caps", [])) != sorted(sysfs(name, "caps").split()):
        fail(f"{where}.caps: {d.get('caps')}, sysfs says {sysfs(name, 'caps')}")
    if sorted(d.get("page_sizes", [])) != sorted(int(x) for x in sysfs(name, "page_sizes").split()):
        fail(f"{where}.page_sizes: {d.get('page_sizes')}, sysfs says {sysfs(name, 'page_sizes')}")
    if d["demotion"]["enabled"] != (sysfs(name, "demotion") == "1"):
        fail(f"{where}.demotion.enabled disagrees with sysfs")
    if d["demotion"]["sources"] != sysfs(name, "demotion_sources"):
        fail(f"{where}.demotion.sources: {d['demotion']['sources']!r}, sysfs says "
             f"{sysfs(name, 'demotion_sources')!r}")
    for k in ("low", "high", "events"):
        v = int(sysfs(name, "pressure/" + k))
        if p.get(k) != v:
            fail(f"{where}.pressure.{k}: {p.get(k)}, sysfs says {v}")
    for k in ("injected", "blocked"):
        v = sysfs(name, "pressure/" + k) == "1"
        if p.get(k) != v:
            fail(f"{where}.pressure.{k}: {p.get(k)}, sysfs says {v}")
    for k, v in d.get("counters", {}).items():
        s = int(sysfs(name, "counters/" + k))
        if v != s:
            fail(f"{where}.counters.{k}: {v}, sysfs says {s}")

    # The settings, as the attributes of the same names say.
    st = d.get("settings", {})
    want = {
        "type": sysfs(name, "type"),
        "physical_size": size(sysfs(name, "physical_size")),
        "numa_balancing": sysfs(name, "numa_balancing") == "1",
        "compaction": sysfs(name, "compaction") == "1",
        "checksum": sysfs(name, "checksum") == "1",
    }
    for k, v in want.items():
        if st.get(k) != v:
            fail(f"{where}.settings.{k}: {st.get(k)!r}, sysfs says {v!r}")
    if st.get("type") != d.get("type"):
        fail(f"{where}.settings.type {st.get('type')!r} is not type {d.get('type')!r}")
    low, high = (int(x) for x in sysfs(name, "watermarks").split())
    wm = st.get("watermarks", {})
    if (wm.get("low"), wm.get("high")) != (low, high):
        fail(f"{where}.settings.watermarks: {wm}, sysfs says {low} {high}")
    if not 0 <= low < high <= 1000:
        fail(f"{where}: sysfs watermarks {low} {high} out of range")
    if (p.get("low"), p.get("high")) != (low, high):
        fail(f"{where}.pressure: low {p.get('low')}, high {p.get('high')}, "
             f"the watermarks attribute says {low} {high}")
    if st.get("physical_size", 0) > d.get("capacity", 0):
        fail(f"{where}.settings.physical_size {st.get('physical_size')} above the capacity")


def privctl(*args):
    r = subprocess.run([sys.argv[1], *args], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"privctl {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
        return None
    try:
        return json.loads(r.stdout)
    except json.JSONDecodeError as e:
        fail(f"privctl {' '.join(args)}: not JSON ({e}): {r.stdout[:200]!r}")
        return None


def main():
    listing = privctl("list", "--json")
    if listing is None:
        return 1
    if not isinstance(listing, list):
        fail("list --json: not an array")
        return 1
    devices = sorted(os.listdir("/sys/class/privmem")) if os.path.isdir("/sys/class/privmem") else []
    listed = [d.get("chardev") for d in listing if isinstance(d, dict) and d.get("chardev")]
    if sorted(listed) != devices:
        fail(f"list --json shows {listed}, /sys/class/privmem has {devices}")
    if not devices:
        fail("no privmem device to check (the test binds one first)")
    for d in listing:
        if isinstance(d, dict) and d.get("chardev") is None:
            check_shape(d, OTHER, f"node{d.get('node')}")
        else:
            check_device(d)
    for name in devices:
        one = privctl("info", name, "--json")
        if one is not None:
            check_device(one)
    print(f"# privctl_schema: {len(listing)} entries, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
