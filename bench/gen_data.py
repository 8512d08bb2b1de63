#!/usr/bin/env python3
"""Writes the benchmark data set as two sparse raw images (Python 3 stdlib only).

    gen_data.py BASE.raw CHANGED.raw CHANGES.json TEXT.raw

BASE.raw: 4 GiB virtual, 2 GiB of data laid out per GiB as
    [256 MiB compressible][256 MiB random][512 MiB hole]
so 1 GiB compressible (random letters from a 9-symbol alphabet: about 2.5:1 with
zstd -1 per 256 KiB chunk, no two blocks alike), 1 GiB random, 2 GiB holes.
CHANGED.raw: a sparse copy of BASE.raw where 64 pieces of 1 MiB (1 MiB aligned) and
256 pieces of 64 KiB (64 KiB aligned), at seeded random non-overlapping places over
the whole disk, are overwritten with fresh random data (80 MiB in all).
CHANGES.json lists the changed extents. TEXT.raw: the four compressible regions of
BASE.raw back to back (1 GiB, all compressible: the "compressible data" figure).
"""
import json
import os
import random
import sys

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
SIZE = 4 * GiB
STEP = 16 * MiB
ALPHABET = b"etaoins \n"
TABLE = bytes(ALPHABET[i % len(ALPHABET)] for i in range(256))


def layout():
    """(offset, length, kind) of every data region of the base image."""
    for g in range(SIZE // GiB):
        base = g * GiB
        yield base, 256 * MiB, "text"
        yield base + 256 * MiB, 256 * MiB, "random"


def write_base(path, rng):
    with open(path, "wb") as f:
        f.truncate(SIZE)
        for off, length, kind in layout():
            f.seek(off)
            for _ in range(length // STEP):
                block = rng.randbytes(STEP)
                f.write(block.translate(TABLE) if kind == "text" else block)


def pick_changes(rng):
    """64 x 1 MiB and 256 x 64 KiB non-overlapping extents, sorted."""
    taken = set()  # 64 KiB units in use
    changes = []
    for count, size in ((64, MiB), (256, 64 * KiB)):
        units = size // (64 * KiB)
        placed = 0
        while placed < count:
            off = rng.randrange(0, SIZE // size) * size
            first = off // (64 * KiB)
            span = range(first, first + units)
            if any(u in taken for u in span):
                continue
            taken.update(span)
            changes.append((off, size))
            placed += 1
    return sorted(changes)


def write_changed(base, changed, changes, rng):
    # sparse copy: copy only the data regions, leave holes as holes
    with open(base, "rb") as src, open(changed, "wb") as dst:
        dst.truncate(SIZE)
        for off, length, _ in layout():
            src.seek(off)
            dst.seek(off)
            left = length
            while left:
                buf = src.read(min(STEP, left))
                dst.write(buf)
                left -= len(buf)
        for off, size in changes:
            dst.seek(off)
            dst.write(rng.randbytes(size))


def main():
    base, changed, manifest, text = sys.argv[1:5]
    rng = random.Random(20240601)
    write_base(base + ".tmp", rng)
    os.replace(base + ".tmp", base)
    changes = pick_changes(rng)
    write_changed(base, changed + ".tmp", changes, rng)
    os.replace(changed + ".tmp", changed)
    with open(base, "rb") as src, open(text + ".tmp", "wb") as dst:
        for off, length, kind in layout():
            if kind == "text":
                src.seek(off)
                dst.write(src.read(length))
    os.replace(text + ".tmp", text)
    with open(manifest, "w") as f:
        json.dump({
            "size": SIZE,
            "regions": [{"offset": o, "length": n, "kind": k} for o, n, k in layout()],
            "changes": [{"offset": o, "length": n} for o, n in changes],
            "changedBytes": sum(n for _, n in changes),
        }, f, indent=1)


if __name__ == "__main__":
    main()
