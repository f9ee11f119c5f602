"""Check that drmigrate's output does not depend on the cache, on --jobs, or on a speed change.

Runs drmigrate over a copy of the project's own corpus (`fixtures/` and `examples/`) in several
ways and compares every byte it prints and writes:

  * `check --format json`, `check --diff` and `check --show-files` (stdout, stderr, exit code);
  * `fix` on a fresh copy (the report, and every file of the tree afterwards);
  * `check --format json` over each `--tree` (the benchmark's trees);

each with `--jobs 1` and `--jobs 2`, with slicing on (`DRMIGRATE_SLICE=on`, down to the smallest
file) and off, and, where the measured drmigrate has a result cache, with `--no-cache`, with a
cold cache and with the warm cache a second run finds (the corpus is copied once and left to age
past the stat index's 2-second window, so warm runs settle its clean files by their stat). All
runs must agree.

`--against REV` also runs the drmigrate of a git revision (exported with `git archive`, run from
its source with `python -m drmigrate.cli`) and requires the same bytes from it: the way to show
that a change kept the output identical to `main`. `--save FILE` / `--load FILE` keep one run's
outputs for later comparison.

    python bench/same_output.py                      # this checkout, every variant
    python bench/same_output.py --against main       # ... and the same bytes as main
    python bench/same_output.py --tree bench/out/repo --tree bench/out/heavy   # ... and the bench trees
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ("fixtures", "examples")
CHECKS: dict[str, list[str]] = {
    "json": ["check", "--format", "json"],
    "diff": ["check", "--diff"],
    "text": ["check", "--show-files", "--statistics"],
}
Outputs = dict[str, str]  # variant name -> digest of everything it produced
STAT_WINDOW = 2.5  # seconds: files younger than 2 s are not kept in the stat index (a warm run reads them)


def _copy_corpus(dest: Path) -> None:
    for name in CORPUS:
        shutil.copytree(ROOT / name, dest / name, symlinks=True)


def _tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".drmigrate_cache")
        for name in sorted(filenames):
            p = Path(dirpath, name)
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(p.read_bytes() if not p.is_symlink() else os.readlink(p).encode())
    return h.hexdigest()


def _digest(proc: subprocess.CompletedProcess[bytes], extra: str = "") -> str:
    h = hashlib.sha256()
    for part in (proc.stdout, b"\0", proc.stderr, b"\0", str(proc.returncode).encode(), extra.encode()):
        h.update(part)
    return h.hexdigest()


def _run(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(cmd), cwd=cwd, env=env, capture_output=True, check=False,
                          stdin=subprocess.DEVNULL)


def _has_cache(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> bool:
    # run where the corpus runs: `python -m` puts the current directory first on sys.path, and a
    # checkout there would answer instead of the drmigrate under test
    out = subprocess.run([*cmd, "check", "--help"], capture_output=True, text=True, env=env, check=False,
                         cwd=cwd)
    return "--no-cache" in out.stdout


def collect(cmd: Sequence[str], env: dict[str, str] | None = None, verbose: bool = True,
            trees: Sequence[Path] = ()) -> Outputs:
    """Every variant's digest for the drmigrate started by `cmd`: the corpus checked and fixed,
    and `trees` checked (JSON), each with `--jobs 1` / `--jobs 2`, without a cache, cold and warm,
    with slicing on (down to the smallest file) and off."""
    env = dict(env or os.environ)
    env.pop("DRMIGRATE_CACHE_DIR", None)
    outputs: Outputs = {}
    with tempfile.TemporaryDirectory(prefix="drmigrate-same-") as tmp:
        base = Path(tmp)
        corpus = base / "corpus"  # checks only read: one copy, old enough for the stat index
        _copy_corpus(corpus)
        time.sleep(STAT_WINDOW)
        cache_modes = ["no-cache", "cold", "warm"] if _has_cache(cmd, env, base) else ["plain"]
        for slicing in ("on", "off"):
            run_env = dict(env, DRMIGRATE_SLICE=slicing, **({"DRMIGRATE_SLICE_MIN": "0"} if slicing == "on" else {}))
            for jobs in ("1", "2"):
                for mode in cache_modes:
                    cache_dir = base / f"cache-{jobs}-{slicing}"
                    if mode == "cold" and cache_dir.exists():
                        shutil.rmtree(cache_dir)
                    flags = {"no-cache": ["--no-cache"], "plain": []}.get(mode, ["--cache-dir", str(cache_dir)])
                    variant = f"-j{jobs} {mode} slicing-{slicing}"
                    for name, args in CHECKS.items():
                        proc = _run([*cmd, *args, "--jobs", jobs, *flags, *CORPUS], corpus, run_env)
                        outputs[f"{name} {variant}"] = _digest(proc)
                    fixed = base / f"fix-{jobs}-{mode}-{slicing}"
                    _copy_corpus(fixed)
                    proc = _run([*cmd, "fix", "--format", "json", "--jobs", jobs, *flags, *CORPUS], fixed, run_env)
                    outputs[f"fix {variant}"] = _digest(proc, _tree_digest(fixed))
                    for number, tree in enumerate(trees):
                        tree_flags = flags if mode in ("no-cache", "plain") else \
                            ["--cache-dir", str(base / f"tree{number}-cache-{jobs}-{slicing}")]
                        if mode == "cold":
                            shutil.rmtree(base / f"tree{number}-cache-{jobs}-{slicing}", ignore_errors=True)
                        proc = _run([*cmd, "check", "--format", "json", "--jobs", jobs, *tree_flags, "."],
                                    tree, run_env)
                        outputs[f"tree{number} {variant}"] = _digest(proc)
                    if verbose:
                        print(f"  {variant}: done", file=sys.stderr)
    return outputs


def export_revision(rev: str, dest: Path) -> Path:
    """The drmigrate of git revision `rev`, unpacked under `dest` (not a worktree: nothing in
    the repository changes)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev],
                             capture_output=True, check=True).stdout
    with tempfile.TemporaryFile() as fh:
        fh.write(archive)
        fh.seek(0)
        with tarfile.open(fileobj=fh) as tar:
            tar.extractall(dest, filter="data")
    return dest


def _groups(outputs: Outputs) -> dict[str, dict[str, list[str]]]:
    """Per kind of run (json, diff, text, fix): digest -> the variants that produced it."""
    groups: dict[str, dict[str, list[str]]] = {}
    for variant, digest in outputs.items():
        groups.setdefault(variant.split()[0], {}).setdefault(digest, []).append(variant)
    return groups


def _short(*digests: str) -> str:
    return "/".join(base64.b32encode(bytes.fromhex(d)[:5]).decode().lower() for d in sorted(digests))


def compare(mine: Outputs, other: Outputs | None, other_name: str) -> list[str]:
    problems = []
    for kind, digests in _groups(mine).items():
        if len(digests) > 1:
            problems.append(f"{kind}: variants differ: " + " | ".join(
                ", ".join(v) for v in digests.values()))
    if other is not None:
        for kind, digests in _groups(other).items():
            theirs = set(digests)
            ours = set(_groups(mine).get(kind, {}))
            if theirs != ours:
                problems.append(f"{kind}: output differs from {other_name} "
                                f"({_short(*ours)} here, {_short(*theirs)} there)")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--against", metavar="REV", help="also require the output of this git revision")
    ap.add_argument("--save", type=Path, metavar="FILE", help="write this checkout's digests to FILE")
    ap.add_argument("--load", type=Path, metavar="FILE", help="compare with digests saved earlier")
    ap.add_argument("--tree", type=Path, action="append", default=[], metavar="DIR",
                    help="also check this tree (JSON) in every variant, e.g. bench/out/repo and bench/out/heavy")
    args = ap.parse_args(argv)
    python = [sys.executable, "-m", "drmigrate.cli"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    print(f"this checkout ({ROOT})", file=sys.stderr)
    trees = [t.resolve() for t in args.tree]
    mine = collect(python, env, trees=trees)
    if args.save:
        args.save.write_text(json.dumps(mine, indent=1, sort_keys=True) + "\n")
    other: Outputs | None = None
    other_name = ""
    if args.load:
        other = json.loads(args.load.read_text())
        other_name = str(args.load)
    if args.against:
        with tempfile.TemporaryDirectory(prefix="drmigrate-rev-") as tmp:
            src = export_revision(args.against, Path(tmp))
            print(f"revision {args.against}", file=sys.stderr)
            other = collect(python, dict(os.environ, PYTHONPATH=str(src)), trees=trees)
            other_name = args.against
    problems = compare(mine, other, other_name)
    for kind, digests in sorted(_groups(mine).items()):
        variants = sum(len(v) for v in digests.values())
        print(f"{kind:<5} {variants} variants, {'identical' if len(digests) == 1 else 'DIFFERENT'} "
              f"({_short(*digests)})")
    if other is not None:
        print(f"against {other_name}: {'identical' if not any('differs from' in p for p in problems) else 'DIFFERENT'}")
    for p in problems:
        print(f"PROBLEM: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
