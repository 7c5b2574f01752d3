#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py DIR: turn DIR/raw-<run>.txt (written by scripts/bench, one per
run) into DIR/results.md (a markdown table with the design's targets: the
medians over the runs, then each run's ratios), DIR/results.json and
DIR/bench.png.  Exit status 1 when a run's figures are incomplete."""
import glob
import json
import os
import statistics
import sys

MIB = 1 << 20


def parse(path):
    head, vals = [], {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(("machine:", "guest:")):
                head.append(line)
                continue
            p = line.split()
            if len(p) >= 2:
                vals[tuple(p[:2])] = p[2:]
    return head, vals


def num(vals, key, i=0):
    v = vals.get(key, [])
    if len(v) <= i or v[i] in ("", "-"):
        return None
    return float(v[i])


def figures(v):
    """One run's figures (None where missing); None if a needed one is."""
    r = {
        "floor_kb": num(v, ("floor", "on-save"), 1),
        "floor_off_kb": num(v, ("floor", "off-save"), 1),
        "alloc_off_kb": num(v, ("floor", "off-save"), 0),
        "alloc_kb": num(v, ("floor", "on-save"), 0),
        "floor_migrate_kb": num(v, ("floor", "on-migrate"), 1),
        "size_off": num(v, ("size", "off")), "size_on": num(v, ("size", "on")),
        "save_off": num(v, ("save", "off")), "save_on": num(v, ("save", "on")),
        "restore_off": num(v, ("restore", "off")), "restore_on": num(v, ("restore", "on")),
        "whole_restore_s": None, "whole_migrate_s": None,
        "migrate_off": num(v, ("migrate", "off")), "migrate_on": num(v, ("migrate", "on")),
        "down_off": num(v, ("down", "off")), "down_on": num(v, ("down", "on")),
    }
    need = [k for k in ("floor_kb", "floor_off_kb", "alloc_off_kb", "size_off", "size_on", "save_off", "save_on", "restore_off",
                        "restore_on", "migrate_off", "migrate_on", "down_off", "down_on") if r[k] is None]
    if need:
        return None, need
    for k in ("off", "on"):
        us = num(v, ("cycle", k))
        r["cycle_%s_s" % k] = us / 1e6 if us else None
    # The guest's steps in the migration, "name=ms" (enter + leave)
    for k in ("off", "on"):
        for item in v.get(("steps", k), []):
            name, _, ms = item.partition("=")
            try:
                r["step_%s_%s" % (k, name)] = float(ms)
            except ValueError:
                pass
    us = num(v, ("whole", "on-restore"))
    r["whole_restore_s"] = us / 1e6 if us else None
    us = num(v, ("whole", "on-migrate"))
    r["whole_migrate_s"] = us / 1e6 if us else None
    r["prepare_save_s"] = num(v, ("prepare", "save"))
    r["prepare_migrate_s"] = num(v, ("prepare", "migrate"))
    # xl migrate's own time against the image size, through the two
    # migrations (feature off and on):
    # what it costs whatever the image (domain build, devices, the final
    # round), and what each MiB copied costs.
    r["xl_migrate_fixed_s"] = r["xl_migrate_s_per_mib"] = None
    if r["prepare_migrate_s"] is not None and r["size_off"] > r["size_on"]:
        x1, y1 = r["size_off"] / MIB, r["migrate_off"]
        x2, y2 = r["size_on"] / MIB, r["migrate_on"] - r["prepare_migrate_s"]
        slope = (y1 - y2) / (x1 - x2)
        r["xl_migrate_s_per_mib"] = slope
        r["xl_migrate_fixed_s"] = y2 - slope * x2
    rate = {}
    for b in ("0", "1"):
        us, pages = num(v, ("repop", b)), num(v, ("repop", b), 1)
        rate[b] = pages / (us / 1e6) if us and pages else None
    r["repop_pages_s_unbatched"], r["repop_pages_s_batched"] = rate["0"], rate["1"]
    # The frontends' drain under xps-writer: each lean migration's quiesce
    # step (us) and downtime (s), the drain on and off
    for k in ("quiesce_us", "qdown", "qretrans", "qstall"):
        for q in ("on", "off"):
            r["%s_%s" % (k, q)] = [float(x) for x in v.get((k, q), []) if x not in ("", "-")]
    # each pair's on / off (the two migrations ran one after the other)
    r["qdown_pair"] = [a / b for a, b in zip(r["qdown_on"], r["qdown_off"]) if b]
    # DHCP after a restore onto a moved network: from the unpause to the
    # first echo reply at the new address, one value per cycle
    r["dhcp_on"] = [float(x) for x in v.get(("dhcp", "on"), []) if x not in ("", "-")]
    return r, []


def median_of(runs):
    """Each figure's median over the runs that have it; a list (one value
    per cycle) is pooled over the runs first."""
    out = {}
    for k in runs[0]:
        if isinstance(runs[0][k], list):
            xs = [x for r in runs for x in r.get(k) or []]
        else:
            xs = [r[k] for r in runs if r.get(k) is not None]
        out[k] = statistics.median(xs) if xs else None
    return out


def main():
    d = sys.argv[1]
    paths = sorted(glob.glob(os.path.join(d, "raw-*.txt")))
    if not paths:
        print("report: no %s/raw-*.txt" % d, file=sys.stderr)
        return 1
    runs = []
    for path in paths:
        head, v = parse(path)
        r, need = figures(v)
        if r is None:
            print("report: %s lacks %s" % (path, ", ".join(need)), file=sys.stderr)
            return 1
        runs.append(r)
    r = median_of(runs)
    dhcp_all = [x for run in runs for x in run.get("dhcp_on") or []]
    rate = {"0": r["repop_pages_s_unbatched"], "1": r["repop_pages_s_batched"]}

    floor_b = r["floor_kb"] * 1024
    # The stream's own bytes (headers, the P2M frame list, 8 bytes per page
    # sent): what the feature-off image holds beyond the domain's allocation.
    overhead = max(0.0, r["size_off"] - r["alloc_off_kb"] * 1024)
    r["stream_overhead"] = overhead
    sr_off = r["save_off"] + r["restore_off"]
    sr_on = r["save_on"] + r["restore_on"]
    down_ok = r["down_on"] <= r["down_off"] * 1.1 + 0.1
    targets = [
        ("image <= 1.15 x floor + stream overhead",
         "%.2f x floor + %.1f MiB" % ((r["size_on"] - overhead) / floor_b, overhead / MIB),
         r["size_on"] <= 1.15 * floor_b + overhead),
        ("image >= 5 x smaller than off", "%.1f x smaller" % (r["size_off"] / r["size_on"]),
         r["size_off"] >= 5 * r["size_on"]),
        ("save (prepare incl.) + restore <= 0.4 x off", "%.2f" % (sr_on / sr_off), sr_on <= 0.4 * sr_off),
        ("migrate total <= 0.4 x off", "%.2f" % (r["migrate_on"] / r["migrate_off"]),
         r["migrate_on"] <= 0.4 * r["migrate_off"]),
        ("downtime no worse than off (within 10% + 0.1 s)", "%.2f s vs %.2f s" % (r["down_on"], r["down_off"]),
         down_ok),
    ]
    if rate["0"] and rate["1"]:
        targets.append(("repopulation batched vs unbatched", "%.2f x" % (rate["1"] / rate["0"]),
                        rate["1"] >= rate["0"]))
    else:
        targets.append(("repopulation batched vs unbatched", "not measured (no balloon_map_batch)", False))
    if r["quiesce_us_on"] is not None and r["qdown_on"] and r["qdown_off"]:
        targets.append(("frontends' drain under writes: quiesce step median <= 50 ms",
                        "%.1f ms" % (r["quiesce_us_on"] / 1000), r["quiesce_us_on"] <= 50000))
        targets.append(("downtime, drain on / off <= 1.05 (medians)",
                        "%.2f (%.2f s vs %.2f s; median of each pair's ratio %s)"
                        % (r["qdown_on"] / r["qdown_off"], r["qdown_on"], r["qdown_off"],
                           "%.2f" % r["qdown_pair"] if r["qdown_pair"] else "-"),
                        r["qdown_on"] <= 1.05 * r["qdown_off"]))
    else:
        targets.append(("frontends' drain under writes", "not measured (no xen.quiesce_budget_ms)", False))
    if r["dhcp_on"] is not None:
        targets.append(("address on a moved network <= 2 s after the unpause (median)",
                        "%.2f s (%s)" % (r["dhcp_on"], ", ".join("%.2f" % x for x in dhcp_all)),
                        r["dhcp_on"] <= 2.0))
    else:
        targets.append(("address on a moved network after a restore", "not measured", False))
    r["targets"] = [{"target": t, "measured": m, "met": ok} for t, m, ok in targets]

    def f(x, fmt):
        return fmt % x if x is not None else "-"
    rows = [
        ("floor (allocation - free - file cache - reclaimable slab)",
         "%.1f MiB" % (r["floor_off_kb"] / 1024), "%.1f MiB" % (floor_b / MIB),
         "%.2f" % (r["floor_kb"] / r["floor_off_kb"])),
        ("stream overhead (off image - allocation)", "%.1f MiB" % (overhead / MIB), "-", "-"),
        ("xl save image", "%.1f MiB" % (r["size_off"] / MIB), "%.1f MiB" % (r["size_on"] / MIB),
         "%.3f" % (r["size_on"] / r["size_off"])),
        ("save (on: prepare included)", "%.1f s" % r["save_off"], "%.1f s" % r["save_on"],
         "%.2f" % (r["save_on"] / r["save_off"])),
        ("restore", "%.1f s" % r["restore_off"], "%.1f s" % r["restore_on"],
         "%.2f" % (r["restore_on"] / r["restore_off"])),
        ("save + restore", "%.1f s" % sr_off, "%.1f s" % sr_on, "%.2f" % (sr_on / sr_off)),
        ("memory whole again after restore", "-", f(r["whole_restore_s"], "%.1f s"), "-"),
        ("prepare: sync and release (in the save time)", "-", f(r["prepare_save_s"], "%.1f s"), "-"),
        ("prepare: sync and release (in the migrate time)", "-", f(r["prepare_migrate_s"], "%.1f s"), "-"),
        ("xl migrate total", "%.1f s" % r["migrate_off"], "%.1f s" % r["migrate_on"],
         "%.2f" % (r["migrate_on"] / r["migrate_off"])),
        ("migrate downtime (seen from dom0)", "%.2f s" % r["down_off"], "%.2f s" % r["down_on"],
         "%.2f" % (r["down_on"] / r["down_off"]) if r["down_off"] else "-"),
        ("migrate: the guest's own cycle (freeze to thaw)", f(r["cycle_off_s"], "%.2f s"),
         f(r["cycle_on_s"], "%.2f s"),
         "%.2f" % (r["cycle_on_s"] / r["cycle_off_s"]) if r["cycle_on_s"] and r["cycle_off_s"] else "-"),
        ("memory whole again after migrate", "-", f(r["whole_migrate_s"], "%.1f s"), "-"),
        ("repopulation, pages/s (unbatched / batched)", f(rate["0"], "%.0f"), f(rate["1"], "%.0f"),
         "%.2f" % (rate["1"] / rate["0"]) if rate["0"] and rate["1"] else "-"),
        ("lean migrate under writes: quiesce step (drain off / on)",
         f(r["quiesce_us_off"] / 1000 if r["quiesce_us_off"] is not None else None, "%.2f ms"),
         f(r["quiesce_us_on"] / 1000 if r["quiesce_us_on"] is not None else None, "%.2f ms"), "-"),
        ("lean migrate under writes: downtime (drain off / on)", f(r["qdown_off"], "%.2f s"),
         f(r["qdown_on"], "%.2f s"),
         "%.2f" % (r["qdown_on"] / r["qdown_off"]) if r["qdown_on"] and r["qdown_off"] else "-"),
        ("lean migrate under writes: TCP retransmissions (drain off / on)", f(r["qretrans_off"], "%.0f"),
         f(r["qretrans_on"], "%.0f"), "-"),
        ("lean migrate under writes: TCP stream's stall (drain off / on)",
         f(r["qstall_off"] / 1000 if r["qstall_off"] is not None else None, "%.2f s"),
         f(r["qstall_on"] / 1000 if r["qstall_on"] is not None else None, "%.2f s"), "-"),
        ("DHCP: unpause to an address on a moved network (lean save, xl restore; udhcpc)", "-",
         f(r["dhcp_on"], "%.2f s"), "-"),
    ]
    n = len(runs)
    md = ["# make bench: lean suspend, feature off vs on, %s" %
          ("one run" if n == 1 else "medians of %d runs" % n), ""]
    md += ["- " + h for h in head] + [""]
    md += ["| measure | feature off | feature on | on / off |", "|---|---:|---:|---:|"]
    md += ["| %s | %s | %s | %s |" % row for row in rows]
    md += ["", "| target (design section 4) | measured | met |", "|---|---|---|"]
    md += ["| %s | %s | %s |" % (t, m, "yes" if ok else "**no**") for t, m, ok in targets]
    if n > 1:
        def each(fn):
            return ", ".join("%.2f" % fn(x) for x in runs)
        md += ["", "Each run, on / off: image %s; save + restore %s; migrate %s; downtime %s." % (
            each(lambda x: x["size_on"] / x["size_off"]),
            each(lambda x: (x["save_on"] + x["restore_on"]) / (x["save_off"] + x["restore_off"])),
            each(lambda x: x["migrate_on"] / x["migrate_off"]),
            each(lambda x: x["down_on"] / x["down_off"] if x["down_off"] else 0))]
    steps = [k[len("step_off_"):] for k in r if k.startswith("step_off_") and
             r.get("step_on_" + k[len("step_off_"):]) is not None]
    if steps:
        md += ["", "The guest's own steps in the migration, feature off / on (ms, entering and leaving): " +
               ", ".join("%s %.0f / %.0f" % (n, r["step_off_" + n], r["step_on_" + n]) for n in steps) +
               ".  The hypercall step is the suspended phase: dom0's final round, the receiving "
               "side's devices and the unpause."]
    if not down_ok:
        md += ["", "Xen 4.17's save code defers every PFN whose P2M entry is invalid (a ballooned "
               "frame) to the final round, which runs while the guest is suspended "
               "(tools/libs/guest/xg_sr_save.c, write_batch: \"Likely a ballooned page\"), so "
               "a guest that gave frames back spends longer suspended, whoever ballooned it; see "
               "the README's make bench section."]
    if r["xl_migrate_fixed_s"] is not None:
        fx = r["xl_migrate_fixed_s"]
        md += ["", "xl migrate's own time (total minus prepare) against the image size, "
               "fitted through the feature-off and feature-on migrations: %.1f s whatever the image, plus %.2f s per "
               "100 MiB copied.  The fixed part alone is %.2f of feature-off; the 0.4 "
               "target leaves %.1f s for the prepare and the lean image's copy."
               % (fx, 100 * r["xl_migrate_s_per_mib"], fx / r["migrate_off"],
                  0.4 * r["migrate_off"] - fx)]
    text = "\n".join(md) + "\n"
    with open(os.path.join(d, "results.md"), "w") as fo:
        fo.write(text)
    with open(os.path.join(d, "results.json"), "w") as fo:
        json.dump({"head": head, "results": r, "runs": runs}, fo, indent=1)
    print(text)
    plot(d, r, floor_b)
    return 0


def plot(d, r, floor_b):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.bar(["floor", "image off", "image on"],
           [floor_b / MIB, r["size_off"] / MIB, r["size_on"] / MIB], color=["grey", "C0", "C1"])
    a1.set_ylabel("MiB")
    a1.set_title("xl save image")
    names = ["save", "restore", "migrate", "downtime"]
    off = [r["save_off"], r["restore_off"], r["migrate_off"], r["down_off"]]
    on = [r["save_on"], r["restore_on"], r["migrate_on"], r["down_on"]]
    x = range(len(names))
    a2.bar([i - 0.2 for i in x], off, 0.4, label="feature off", color="C0")
    a2.bar([i + 0.2 for i in x], on, 0.4, label="feature on", color="C1")
    a2.set_xticks(list(x))
    a2.set_xticklabels(names)
    a2.set_ylabel("seconds (measured in dom0)")
    a2.set_title("time")
    a2.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(d, "bench.png"), dpi=80)


if __name__ == "__main__":
    sys.exit(main())
