#!/usr/bin/env python3
"""Deterministic benchmark tree generator for ftpmirror's bench/.

    gentree.py OUT [--small N --big M --big-size BYTES --dirs D --seed S --anchor EPOCH]
    gentree.py OUT --mutate [same options]

Writes the same bytes, names and mtimes every time for the same options (and the same anchor,
see below). The default is the reference tree: 1,000 small files, 2 files of 64 MiB, 40
directories (one of them empty).

What the tree holds, so that a mirror can be checked, not only timed:
  - small files of 0 bytes to 256 KiB (half under 4 KiB), spread over a directory tree three
    levels deep; content is pseudo-random (incompressible) and derived from (seed, path) only;
  - a few awkward names among the small files (when N >= 8): a dot-file (hidden from a plain
    LIST), spaces, a literal `%20`, a `#`, non-ASCII UTF-8, an empty file;
  - one empty directory (when D >= 2);
  - mtimes with odd seconds, about 60% "recent" (2 to 150 days before the anchor: LIST shows
    HH:MM) and 40% "old" (400 days to 10 years before: LIST shows the year only).

The anchor: recent mtimes are relative to it so they stay younger than six months. By default
it is the current time rounded down to a multiple of 7 days (since the epoch), so the tree is
identical for a week; pass --anchor EPOCH to pin it (bench/run.py does, for both calls).

--mutate applies a deterministic change set to a tree generated with the same options, for an
"after-change" run (it refuses a tree that is not the unmutated one):
  - new: 4 small files in existing directories and a new directory with 2 files;
  - deleted: 5 small files and one directory with its files;
  - resized: 5 small files (new content, new size, later mtime);
  - same size, newer: 5 small files (new content, same size, later mtime), old and recent ones.
Changed mtimes are later than every original one (1 day before the anchor, a few seconds
apart), and never in the future.

--list prints the expected manifest (path, size, mtime, sha256) instead of writing anything.
"""

import argparse
import hashlib
import os
import random
import shutil
import sys
import time

MIB = 1024 * 1024
DAY = 86400
WEEK = 7 * DAY
TOP_DIRS = 8  # directories directly under the root; the others nest below them

# Awkward names given to the first small files (only names a POSIX file system accepts).
ODD_NAMES = [
    ".hidden-dotfile",
    "name with spaces.txt",
    "literal%20percent.txt",
    "hash#sign.txt",
    "ünïcödé-名前.txt",
    "empty-file.txt",
    "UPPER-lower.TXT",
    "dash--and_under.dat",
]


def default_anchor(now=None):
    now = int(time.time() if now is None else now)
    return now - now % WEEK


class Spec:
    """The tree as a list of (relative path, size, mtime, content seed) and dirs, no I/O."""

    def __init__(self, small, big, big_size, dirs, seed, anchor):
        self.seed = seed
        self.anchor = anchor
        self.dirs = dir_paths(dirs)
        self.files = {}  # path -> (size, mtime, content_key)
        rng = random.Random(f"{seed}:layout")
        # The last directory stays empty (when there are at least two).
        holders = [""] + (self.dirs[:-1] if len(self.dirs) >= 2 else self.dirs)
        for k in range(small):
            where = holders[(k * 7919 + rng.randrange(3)) % len(holders)]
            if k < len(ODD_NAMES) and small >= len(ODD_NAMES):
                name = ODD_NAMES[k]
            else:
                name = f"file-{k:05d}.{rng.choice(['txt', 'dat', 'bin', 'gz', 'log'])}"
            size = 0 if name == "empty-file.txt" else small_size(rng)
            self.add(join(where, name), size, file_mtime(rng, anchor), "v1")
        for k in range(big):
            where = "" if k % 2 == 0 or not self.dirs else self.dirs[0]
            self.add(join(where, f"big-{k}.bin"), big_size, file_mtime(rng, anchor), "v1")

    def add(self, path, size, mtime, version):
        self.files[path] = (size, mtime, version)

    def content(self, path):
        size, _, version = self.files[path]
        return random.Random(f"{self.seed}:{version}:{path}").randbytes(size)

    def mutate(self):
        """Apply the change set to the spec; returns {kind: [paths]} for the writer."""
        rng = random.Random(f"{self.seed}:mutate")
        changes = {"deleted": [], "deleted_dirs": [], "new": [], "new_dirs": [],
                   "resized": [], "same_size": []}
        # Delete one leaf directory that holds files (not the empty one, not a dir of a big file).
        leaves = [d for d in self.dirs[:-1]
                  if not any(o.startswith(d + "/") for o in self.dirs)
                  and any(os.path.dirname(p) == d for p in self.files)
                  and not any(os.path.dirname(p) == d and os.path.basename(p).startswith("big-")
                              for p in self.files)]
        def plain(files):
            return sorted(p for p, (size, _, _) in files.items()
                          if not os.path.basename(p).startswith("big-")
                          and os.path.basename(p) not in ODD_NAMES and size > 0)

        if leaves:
            gone = leaves[rng.randrange(len(leaves))]
            kept = {p: v for p, v in self.files.items() if os.path.dirname(p) != gone}
            if len(plain(kept)) >= 15:  # else keep the directory: the picks below need 15
                self.files = kept
                self.dirs.remove(gone)
                changes["deleted_dirs"].append(gone)
        small = plain(self.files)
        if len(small) < 15:
            raise SystemExit("gentree.py: --mutate needs at least 15 small files with plain "
                             f"names (--small {len(ODD_NAMES) + 15} or more)")
        picked = rng.sample(small, 15)
        deleted, resized, same_size = picked[:5], picked[5:10], picked[10:15]
        # Same size, newer: make sure both an old and a recent original are among them.
        rest = [p for p in small if p not in picked]
        olds = [p for p in rest if self.files[p][1] < self.anchor - 200 * DAY]
        recents = [p for p in rest if self.files[p][1] >= self.anchor - 200 * DAY]
        if olds and recents:
            same_size[0], same_size[1] = olds[0], recents[0]
        when = iter(self.anchor - DAY + 7 * i + 3 for i in range(100))
        for p in deleted:
            del self.files[p]
            changes["deleted"].append(p)
        for p in resized:
            size, _, _ = self.files[p]
            self.add(p, size + 1 + rng.randrange(4096), next(when), "v2")
            changes["resized"].append(p)
        for p in same_size:
            size, _, _ = self.files[p]
            self.add(p, size, next(when), "v2")
            changes["same_size"].append(p)
        # Not into the empty directory (the last one), which stays empty.
        homes = self.dirs[:-1] if len(self.dirs) >= 2 else list(self.dirs)
        for k in range(4):
            d = homes[rng.randrange(len(homes))] if homes else ""
            p = join(d, f"new-{k}.txt")
            self.add(p, small_size(rng), next(when), "v2")
            changes["new"].append(p)
        new_dir = join(self.dirs[0] if self.dirs else "", "new-dir")
        self.dirs.append(new_dir)
        changes["new_dirs"].append(new_dir)
        for k in range(2):
            p = join(new_dir, f"inside-{k}.dat")
            self.add(p, small_size(rng), next(when), "v2")
            changes["new"].append(p)
        return changes


def dir_paths(count):
    """`count` directories: TOP_DIRS at the root, then each nested under an earlier one."""
    paths = []
    for i in range(count):
        name = f"dir-{i:02d}"
        if i < TOP_DIRS:
            paths.append(name)
        else:
            paths.append(paths[(i - TOP_DIRS) // 4] + "/" + name)
    return paths


def join(d, name):
    return f"{d}/{name}" if d else name


def small_size(rng):
    r = rng.random()
    if r < 0.5:
        return rng.randrange(1, 4096)
    if r < 0.85:
        return rng.randrange(4096, 32768)
    return rng.randrange(32768, 262144)


def file_mtime(rng, anchor):
    if rng.random() < 0.6:
        return anchor - rng.randrange(2 * DAY, 150 * DAY)
    return anchor - rng.randrange(400 * DAY, 3650 * DAY)


def dir_mtime(spec):
    return spec.anchor - 3 * DAY + 1


def write_file(root, spec, path):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full) or root, exist_ok=True)
    tmp = full + ".gentree-tmp"
    with open(tmp, "wb") as f:
        f.write(spec.content(path))
    os.chmod(tmp, 0o644)
    os.replace(tmp, full)
    mtime = spec.files[path][1]
    os.utime(full, (mtime, mtime))


def set_dir_times(root, spec):
    for d in sorted(spec.dirs, key=lambda d: -d.count("/")):
        full = os.path.join(root, d)
        os.chmod(full, 0o755)
        os.utime(full, (dir_mtime(spec), dir_mtime(spec)))
    os.chmod(root, 0o755)
    os.utime(root, (dir_mtime(spec), dir_mtime(spec)))


def generate(root, spec, force):
    if os.path.exists(root) and os.listdir(root):
        if not force:
            raise SystemExit(f"gentree.py: {root} is not empty (use --force to replace its contents)")
        for name in os.listdir(root):
            full = os.path.join(root, name)
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full)
            else:
                os.unlink(full)
    os.makedirs(root, exist_ok=True)
    for d in spec.dirs:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for path in sorted(spec.files):
        write_file(root, spec, path)
    set_dir_times(root, spec)


def check_unmutated(root, spec):
    """The tree must be the one this spec generates (by names, sizes and mtimes)."""
    for path, (size, mtime, _) in spec.files.items():
        full = os.path.join(root, path)
        try:
            st = os.stat(full)
        except FileNotFoundError:
            raise SystemExit(f"gentree.py: --mutate: {path} is missing: not the unmutated tree "
                             "for these options (already mutated?)")
        if st.st_size != size or int(st.st_mtime) != mtime:
            raise SystemExit(f"gentree.py: --mutate: {path} differs from the generated tree "
                             "(already mutated, or other options/anchor?)")


def mutate(root, spec):
    check_unmutated(root, spec)
    changes = spec.mutate()
    for p in changes["deleted"]:
        os.unlink(os.path.join(root, p))
    for d in changes["deleted_dirs"]:
        shutil.rmtree(os.path.join(root, d))
    for d in changes["new_dirs"]:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for p in changes["resized"] + changes["same_size"] + changes["new"]:
        write_file(root, spec, p)
    set_dir_times(root, spec)
    return changes


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", help="directory to write (created; must be empty unless --force/--mutate)")
    p.add_argument("--small", type=int, default=1000, help="small files (default 1000)")
    p.add_argument("--big", type=int, default=2, help="big files (default 2)")
    p.add_argument("--big-size", type=int, default=64 * MIB, help="bytes per big file (default 64 MiB)")
    p.add_argument("--dirs", type=int, default=40, help="directories (default 40, one left empty)")
    p.add_argument("--seed", default="1", help="seed for names, sizes, contents, mtimes (default 1)")
    p.add_argument("--anchor", type=int, default=None,
                   help="epoch seconds that recent mtimes are relative to "
                        "(default: now rounded down to a multiple of 7 days)")
    p.add_argument("--mutate", action="store_true",
                   help="apply the after-change set to OUT, an unmutated tree of the same options")
    p.add_argument("--force", action="store_true", help="replace the contents of a non-empty OUT")
    p.add_argument("--list", action="store_true",
                   help="print the expected manifest (after --mutate if given) and write nothing")
    p.add_argument("-q", "--quiet", action="store_true")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    anchor = default_anchor() if args.anchor is None else args.anchor
    if args.small < 0 or args.big < 0 or args.dirs < 0 or args.big_size < 0:
        raise SystemExit("gentree.py: counts and sizes must be >= 0")
    spec = Spec(args.small, args.big, args.big_size, args.dirs, args.seed, anchor)
    if args.list:
        if args.mutate:
            spec.mutate()
        for path in sorted(spec.files):
            size, mtime, _ = spec.files[path]
            digest = hashlib.sha256(spec.content(path)).hexdigest()
            print(f"{path}\t{size}\t{mtime}\t{digest}")
        return
    if args.mutate:
        changes = mutate(args.out, spec)
        if not args.quiet:
            summary = ", ".join(f"{len(v)} {k.replace('_', ' ')}" for k, v in changes.items())
            print(f"gentree.py: mutated {args.out}: {summary}", file=sys.stderr)
        return
    generate(args.out, spec, args.force)
    if not args.quiet:
        total = sum(s for s, _, _ in spec.files.values())
        print(f"gentree.py: wrote {len(spec.files)} files ({total} bytes) in {len(spec.dirs)} "
              f"directories to {args.out} (anchor {anchor})", file=sys.stderr)


if __name__ == "__main__":
    main()
