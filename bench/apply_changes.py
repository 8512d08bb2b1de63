#!/usr/bin/env python3
"""Writes the changed extents of CHANGED.raw into a qcow2 image with qemu-io.

    apply_changes.py IMAGE.qcow2 CHANGED.raw CHANGES.json

Goes through QEMU's block layer (qemu-io), so the image's persistent dirty bitmaps
(libvirt checkpoints) record the writes, as they would for guest writes. Each extent
is copied to a pattern file first because `qemu-io write -s FILE` reads from the
start of FILE.
"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    image, source, manifest = sys.argv[1:4]
    with open(manifest) as f:
        changes = json.load(f)["changes"]
    with tempfile.TemporaryDirectory(prefix="ferry-bench-") as tmp, open(source, "rb") as src:
        cmd = ["qemu-io", "-f", "qcow2"]
        for i, c in enumerate(changes):
            src.seek(c["offset"])
            piece = os.path.join(tmp, "%d.bin" % i)
            with open(piece, "wb") as out:
                out.write(src.read(c["length"]))
            cmd += ["-c", "write -q -s %s %d %d" % (piece, c["offset"], c["length"])]
        cmd.append(image)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
