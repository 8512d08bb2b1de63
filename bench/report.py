#!/usr/bin/env python3
"""Small helpers for bench/run.sh (Python 3 stdlib only).

    report.py add RESULTS.jsonl key=value...   append one measurement (numbers parsed)
    report.py get FILE.json a.b.0.c            print a value from a JSON document
    report.py time FILE                        print "wall cpu" from a /usr/bin/time -f '%e %U %S' file
    report.py render RESULTS.jsonl MACHINE.json CHANGES.json OUT.md
                                               print the tables and the summary, write them as Markdown
"""
import json
import sys

MB = 1e6


def parse(v):
    for conv in (int, float):
        try:
            return conv(v)
        except ValueError:
            pass
    return v


def add(path, pairs):
    rec = {}
    for p in pairs:
        k, _, v = p.partition("=")
        rec[k] = parse(v)
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")


def get(path, dotted):
    with open(path) as f:
        text = f.read()
    # the document is the last JSON object in the file (tools may print lines before it)
    start = text.find("{")
    v = json.loads(text[start:])
    for part in dotted.split("."):
        v = v[int(part)] if isinstance(v, list) else v[part]
    print(v)


def read_time(path):
    # /usr/bin/time appends its line after any "Command exited/terminated" notice
    last = [l for l in open(path).read().splitlines() if l.strip()][-1].split()
    wall, user, sys_ = (float(x) for x in last[:3])
    print("%.2f %.2f" % (wall, user + sys_))


def fmt_bytes(n):
    if n in (None, ""):
        return "–"
    n = float(n)
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= div:
            return "%.2f %s" % (n / div, unit)
    return "%d B" % n


def fmt(v, spec="%.2f"):
    return "–" if v in (None, "") else spec % v


def rate(nbytes, secs):
    if not nbytes or not secs:
        return None
    return nbytes / secs / MB


def table(title, head, rows, notes=()):
    out = ["### " + title, ""]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "|".join("---" if i == 0 else "--:" for i in range(len(head))) + "|")
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    for n in notes:
        out.append("")
        out.append(n)
    out.append("")
    return out


def render(results, machine_path, changes_path, out_path):
    recs = [json.loads(l) for l in open(results) if l.strip()]
    machine = json.load(open(machine_path))
    changes = json.load(open(changes_path))
    disk = changes["size"]
    data = sum(r["length"] for r in changes["regions"])
    changed = changes["changedBytes"]
    text_data = sum(r["length"] for r in changes["regions"] if r["kind"] == "text")

    def sec(name):
        return [r for r in recs if r.get("section") == name]

    lines = ["## Results", ""]
    lines.append("Machine: %s" % machine["summary"])
    lines.append("")
    lines.append("Data set: %s virtual, %s of data (%s compressible text-like, %s random), the rest holes; "
                 "changed copy: %s rewritten (64 × 1 MiB + 256 × 64 KiB, scattered). "
                 "MB/s = 10^6 bytes/s of wall-clock time of the whole command; CPU = user + sys seconds "
                 "of the command and its children; stored = `du -sb` growth of the repository."
                 % (fmt_bytes(disk), fmt_bytes(data), fmt_bytes(text_data), fmt_bytes(data - text_data),
                    fmt_bytes(changed)))
    lines.append("")

    rows = []
    for r in sec("full"):
        rows.append([r["tool"], fmt(r.get("wall")), fmt(r.get("cpu")), fmt_bytes(r.get("read")),
                     fmt_bytes(r.get("stored")), fmt(rate(r.get("size", disk), r.get("wall")), "%.0f"),
                     fmt(rate(r.get("data", data), r.get("wall")), "%.0f"), r.get("note", "")])
    lines += table("1. Full capture of the 4 GiB image",
                   ["tool", "wall s", "CPU s", "read", "stored", "MB/s of disk", "MB/s of data", "notes"], rows)

    rows = []
    for r in sec("resync"):
        rows.append([r["tool"], fmt(r.get("wall")), fmt(r.get("cpu")), fmt_bytes(r.get("read")),
                     fmt_bytes(r.get("stored")), fmt(rate(disk, r.get("wall")), "%.0f"),
                     fmt(r["stored"] / changed if r.get("stored") not in (None, "") else None), r.get("note", "")])
    lines += table("2. Second capture of the changed image (no change tracking)",
                   ["tool", "wall s", "CPU s", "read", "stored (delta)", "MB/s of disk", "stored / changed byte",
                    "notes"], rows)

    rows = []
    for r in sec("vm"):
        inc = r.get("phase") == "incremental"
        per = (lambda k: fmt(r[k] / changed) if inc and r.get(k) not in (None, "") else "–")
        rows.append([r["tool"], r.get("phase", ""), fmt(r.get("wall")), fmt(r.get("cpu")), fmt(r.get("qemu_cpu")),
                     fmt_bytes(r.get("read")), fmt_bytes(r.get("stored")), per("read"), per("stored"),
                     fmt(r["wall"] / (changed / 1e9)) if inc and r.get("wall") else "–", r.get("note", "")])
    lines += table("3. Running VM (libvirt pull-mode backup): full, then incremental from the dirty bitmap",
                   ["tool", "phase", "wall s", "CPU s (tool)", "CPU s (QEMU)", "read", "stored (delta)",
                    "read / changed byte", "stored / changed byte", "s per changed GB", "notes"], rows)

    rows = []
    for r in sec("restore"):
        rows.append([r["tool"], fmt(r.get("wall")), fmt(r.get("cpu")), fmt_bytes(r.get("written")),
                     fmt(rate(r.get("size", disk), r.get("wall")), "%.0f"),
                     fmt(rate(r.get("data", data), r.get("wall")), "%.0f"), r.get("note", "")])
    lines += table("4. Restore and export",
                   ["what", "wall s", "CPU s", "written", "MB/s of disk", "MB/s of data", "notes"], rows)

    # targets of DESIGN.md section 10
    def find(section, tool):
        for r in sec(section):
            if r["tool"] == tool:
                return r
        return None

    def verdict(r, basis, goal, what):
        if r is None or not r.get("wall"):
            return [what, "%.1f GB/s" % goal, "not measured", "–"]
        got = basis(r) / r["wall"] / 1e9
        return [what, "%.1f GB/s" % goal, "%.2f GB/s" % got, "met" if got >= goal else "not met"]

    rows = [
        verdict(find("full", "ferry capture --image (text-only image)"), lambda r: r.get("data", text_data), 0.7,
                "full capture, compressible data (1 GiB text-only image, MB/s of data)"),
        verdict(find("full", "ferry capture --image"), lambda r: disk, 0.7,
                "full capture, mixed image (MB/s of disk size, holes included)"),
        verdict(find("restore", "ferry restore → raw"), lambda r: disk, 1.5, "restore/materialize to raw (MB/s of disk size)"),
        verdict(find("restore", "ferry restore → qcow2"), lambda r: disk, 1.5, "restore/materialize to qcow2 (MB/s of disk size)"),
        verdict(find("restore", "ferry export → nbdcopy null:"), lambda r: disk, 1.0, "NBD export, sequential (MB/s of disk size)"),
    ]
    full = find("full", "ferry capture --image")
    if full and full.get("read") not in (None, ""):
        rows.append(["holes cost nothing (bytes read by the full capture / data bytes)", "1.00",
                     "%.2f" % (full["read"] / data), "met" if full["read"] <= data * 1.01 else "not met"])
    inc = [r for r in sec("vm") if r["tool"] == "ferry capture DOMAIN" and r.get("phase") == "incremental"]
    if inc and inc[0].get("read") not in (None, ""):
        ratio = inc[0]["read"] / changed
        rows.append(["incremental: bytes read per changed byte (64 KiB bitmap granularity)", "close to 1",
                     "%.2f" % ratio, "met" if ratio <= 1.1 else "not met"])
    else:
        rows.append(["incremental: bytes read per changed byte", "close to 1", "not measured", "–"])
    lines += table("Summary against DESIGN.md section 10 targets (2 cores)", ["target", "goal", "measured", "verdict"],
                   rows)
    lines.append("")

    md = "\n".join(lines)
    print(md)
    with open(out_path, "w") as f:
        f.write(md + "\n")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "add":
        add(args[0], args[1:])
    elif cmd == "get":
        get(args[0], args[1])
    elif cmd == "time":
        read_time(args[0])
    elif cmd == "render":
        render(*args[:4])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
