"""Profile `drmigrate check` in-process: where the time goes, by package and by function.

Runs the CLI once under cProfile on a tree (default: the big synthetic tree bench/run.py makes),
then prints: time per top-level package (esprima, tree_sitter, libcst, drmigrate modules...),
the functions with the most own time, how many files each parser saw, and the import cost of the
heavy dependencies (measured in fresh interpreters, so nothing is cached). The raw profile is saved
for `python -m pstats` or snakeviz.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def bucket(filename: str) -> str:
    """Which package a profiled function belongs to: drmigrate.<module>, a dependency, or stdlib."""
    p = Path(filename)
    parts = p.parts
    if "drmigrate" in parts:
        i = len(parts) - 1 - parts[::-1].index("drmigrate")
        rest = parts[i + 1:]
        return "drmigrate." + ".".join(x.removesuffix(".py") for x in rest)
    if "site-packages" in parts:
        i = parts.index("site-packages")
        return parts[i + 1].removesuffix(".py").split("-")[0] if i + 1 < len(parts) else "?"
    if filename.startswith("<") or filename == "~":
        return "builtins"
    return "stdlib"


def by_package(stats: pstats.Stats) -> list[tuple[str, float, int]]:
    own: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    for (filename, _, _), (_, ncalls, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        b = bucket(filename)
        own[b] += tottime
        calls[b] += ncalls
    return sorted(((k, v, calls[k]) for k, v in own.items()), key=lambda t: -t[1])


def import_cost(module: str) -> float:
    """Seconds to import `module` in a fresh interpreter (median of 3)."""
    code = f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
    times = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                             text=True)
        if out.returncode:
            return float("nan")
        times.append(float(out.stdout.strip()))
    return sorted(times)[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path, help="what to check (default: bench/out/repo)")
    ap.add_argument("--top", type=int, default=25, help="functions to list (default 25)")
    ap.add_argument("--warm", action="store_true",
                    help="use the result cache (default: --no-cache, so the analysis is profiled)")
    ap.add_argument("--save", type=Path, default=HERE / "out" / "drmigrate.pstats",
                    help="where to save the raw profile (default bench/out/drmigrate.pstats)")
    ap.add_argument("--imports", nargs="*", default=["esprima", "tree_sitter", "libcst",
                    "jsonschema", "click", "drmigrate.cli"],
                    help="modules whose fresh-interpreter import time to measure")
    args = ap.parse_args(argv)
    paths = args.paths or [HERE / "out" / "repo"]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"bench/hotspots.py: {missing[0]} does not exist; run `python bench/run.py` or "
              "`python bench/synth.py` first", file=sys.stderr)
        return 2

    from drmigrate import cli

    # cProfile sees one process: keep drmigrate's work in it when it has a worker pool.
    help_text = subprocess.run([sys.executable, "-m", "drmigrate.cli", "check", "--help"],
                               check=False, capture_output=True, text=True).stdout
    serial = ["--jobs", "1"] if "--jobs" in help_text else []
    # a profile of the analysis, not of the result cache (pass --warm to profile a cached run)
    cold = [] if args.warm or "--no-cache" not in help_text else ["--no-cache"]
    argv_cli = ["check", "--exit-zero", "--format", "json", *serial, *cold, *map(str, paths)]
    prof = cProfile.Profile()
    out = io.StringIO()
    real_stdout = sys.stdout
    t0 = time.perf_counter()
    sys.stdout = out  # the JSON report is not what we are after
    try:
        prof.runcall(cli.main, argv_cli, standalone_mode=False)
    except SystemExit:
        pass
    finally:
        sys.stdout = real_stdout
    wall = time.perf_counter() - t0
    args.save.parent.mkdir(parents=True, exist_ok=True)
    prof.dump_stats(str(args.save))

    stats = pstats.Stats(prof)
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    print(f"drmigrate check {' '.join(map(str, paths))}: {wall:.2f} s wall under cProfile "
          f"(profiler overhead inflates pure-Python code); raw profile: {args.save}\n")
    print("Own time by package")
    for name, secs, ncalls in by_package(stats)[:15]:
        print(f"  {name:<40} {secs:7.2f} s  {100 * secs / total:5.1f} %  {ncalls:>10} calls")

    try:
        import json

        doc = json.loads(out.getvalue())
        parsers: dict[str, int] = defaultdict(int)
        for f in doc.get("files", []):
            parsers[f.get("parser") or "-"] += 1
        print("\nFiles per parser (from the JSON report)")
        for k, v in sorted(parsers.items(), key=lambda kv: -kv[1]):
            print(f"  {k:<20} {v}")
    except ValueError:
        pass

    print(f"\nTop {args.top} functions by own time")
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(args.top)
    print("\n".join(buf.getvalue().splitlines()[6:]))
    print(f"Top {args.top} by cumulative time")
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(args.top)
    print("\n".join(buf.getvalue().splitlines()[6:]))

    print("Import cost in a fresh interpreter (median of 3)")
    for mod in args.imports:
        print(f"  import {mod:<20} {import_cost(mod):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
