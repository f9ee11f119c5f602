"""Benchmark drmigrate against ripgrep (the floor) and ast-grep (a parser-based peer).

Generates the synthetic merchant repository if it is missing (bench/synth.py), then measures, with
one warm-up run and the median of N timed runs each:

  * full tree:    drmigrate check <tree>, rg -l createSource <tree>,
                  ast-grep run -p '$X.createSource($$$A)' <tree>
  * pre-commit:   drmigrate check on 10 files passed explicitly, half of them with payloads
  * heavy:        drmigrate check on a ~5 MiB tree where every file has payloads (MB/s analysed)

and the peak RSS of every drmigrate run (wait4 rusage: no extra packages). A missing peer tool is
reported and its ratio skipped. Results are checked against the issue-7 targets; nothing here
fails the build: this is a measurement script, not a test.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # a sibling script, not a package

HERE = Path(__file__).resolve().parent
MB = synth.MB
AST_GREP_PATTERN = "$X.createSource($$$A)"
# The synthetic tree is a git repository of its own (synth.make_repository), so every tool applies
# its .gitignore and none applies the drmigrate checkout's. These flags keep that true for a --tree
# that is not a repository root.
RG_FLAGS = ["--no-ignore-parent"]
AST_GREP_FLAGS = ["--no-ignore", "parent"]

# The issue-7 targets.
MAX_RG_RATIO = 15.0  # drmigrate wall <= 15x ripgrep
MIN_AST_GREP_RATIO = 6.0  # drmigrate >= 6x faster than ast-grep on the big tree
MAX_PRECOMMIT_S = 0.5
MAX_RSS_MB = 150.0


@dataclass
class Measure:
    """Timed runs of one command."""

    label: str
    cmd: list[str]
    walls: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    tree_rss_kb: list[int] = field(default_factory=list)  # sampled sum over the process tree
    cpu: list[float] = field(default_factory=list)  # user + system seconds
    codes: list[int] = field(default_factory=list)
    error: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.walls) if self.walls else float("nan")

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")

    @property
    def peak_rss_mb(self) -> float:
        return max(self.rss_kb) / 1024 if self.rss_kb else float("nan")

    @property
    def peak_tree_rss_mb(self) -> float:
        return max(self.tree_rss_kb) / 1024 if self.tree_rss_kb else float("nan")


class TreeRss(threading.Thread):
    """Samples the summed memory of a process and its descendants every 20 ms (Linux /proc).

    wait4's ru_maxrss is the peak of the largest single process; with a worker pool the machine
    holds the parent and every worker at once, so the sum is the figure that has to fit in memory.
    PSS (proportional set size, /proc/PID/smaps_rollup) is summed where the kernel offers it:
    forked workers share the parent's pages copy-on-write, and summing plain RSS would count those
    pages once per process. VmRSS is the fallback.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    @staticmethod
    def _children(pid: int) -> list[int]:
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(x) for x in text.split()]

    @staticmethod
    def _rss_kb(pid: int) -> int:
        for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
            try:
                for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                    if line.startswith(key):
                        return int(line.split()[1])
            except (OSError, ValueError):
                continue
        return 0

    def run(self) -> None:
        while not self.done.is_set():
            total, todo = 0, [self.pid]
            while todo:
                pid = todo.pop()
                total += self._rss_kb(pid)
                todo += self._children(pid)
            self.peak_kb = max(self.peak_kb, total)
            self.done.wait(0.02)


def run_once(cmd: Sequence[str], ok_codes: Sequence[int],
             sample_tree: bool = False) -> tuple[float, float, int, int, int, str]:
    """Run `cmd`; return (wall s, CPU s, peak RSS KiB, tree RSS KiB, exit code, stderr tail).

    os.wait4 gives this child's own rusage, so the peak RSS belongs to this run alone (the
    RUSAGE_CHILDREN maximum would carry over the biggest earlier child). Output goes to a file, not
    a pipe, so a chatty tool cannot block and its output is not part of anyone's terminal time.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = TreeRss(proc.pid) if sample_tree and Path("/proc/self/status").exists() else None
        if sampler is not None:
            sampler.start()
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            rss = usage.ru_maxrss // (1024 if sys.platform == "darwin" else 1)
            cpu = usage.ru_utime + usage.ru_stime
        else:  # pragma: no cover - Windows: no rusage, time only
            proc.wait()
            wall = time.perf_counter() - t0
            rss, cpu = 0, float("nan")
        tree_rss = 0
        if sampler is not None:
            sampler.done.set()
            sampler.join()
            tree_rss = sampler.peak_kb
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-2000:]
    code = proc.returncode
    if code not in ok_codes or "Traceback (most recent call last)" in tail:
        return wall, cpu, rss, tree_rss, code, tail or f"exit code {code}"
    return wall, cpu, rss, tree_rss, code, ""


def measure(label: str, cmd: list[str], runs: int, ok_codes: Sequence[int],
            sample_tree: bool = False) -> Measure:
    m = Measure(label, cmd)
    for i in range(runs + 1):  # the first run warms the page cache and Python's bytecode cache
        wall, cpu, rss, tree_rss, code, err = run_once(cmd, ok_codes, sample_tree)
        if err:
            m.error = err.strip().splitlines()[-1] if err.strip() else err
            print(f"  {label}: FAILED (exit {code}): {m.error}", file=sys.stderr)
            return m
        if i == 0:
            continue
        m.walls.append(wall)
        m.cpu.append(cpu)
        m.rss_kb.append(rss)
        m.tree_rss_kb.append(tree_rss)
        m.codes.append(code)
    print(f"  {label}: median {m.median:.3f} s wall, {m.cpu_median:.3f} s CPU over {runs} runs "
          f"(wall min {min(m.walls):.3f}, max {max(m.walls):.3f})", file=sys.stderr)
    return m


# ---------------------------------------------------------------------------------------------
# Tools and the machine

def drmigrate_cmd(override: str | None) -> list[str]:
    """The drmigrate entry point without any shim in between (pyenv shims cost ~50-100 ms)."""
    if override:
        return override.split()
    script = Path(sys.executable).parent / "drmigrate"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "drmigrate.cli"]


def tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else f"exit {out.returncode}"


def drmigrate_source() -> str:
    """Where the measured drmigrate comes from: its directory and git commit (dirty or not)."""
    spec = importlib.util.find_spec("drmigrate")
    if spec is None or spec.origin is None:
        return "location unknown"
    where = Path(spec.origin).parent.parent
    git = ["git", "-C", str(where)]
    rev = subprocess.run([*git, "rev-parse", "--short", "HEAD"], check=False,
                         capture_output=True, text=True).stdout.strip()
    if not rev:
        return str(where)
    dirty = subprocess.run([*git, "status", "--porcelain", "--", "drmigrate", "rules"],
                           check=False, capture_output=True, text=True).stdout.strip()
    return f"{where} @ {rev}{' + uncommitted changes' if dirty else ''}"


def machine(drm: list[str]) -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cores = str(os.cpu_count())
    if hasattr(os, "sched_getaffinity"):
        cores += f" ({len(os.sched_getaffinity(0))} usable)"
    try:
        esprima = importlib.metadata.version("esprima")
    except importlib.metadata.PackageNotFoundError:
        esprima = "not installed"
    return {
        "cpu": cpu,
        "cores": cores,
        "memory": mem or "unknown",
        "os": platform.platform(),
        "python": platform.python_version(),
        "drmigrate": f"{tool_version([*drm, '--version'])} ({drmigrate_source()})",
        "esprima": esprima,
        "ripgrep": tool_version(["rg", "--version"]) if shutil.which("rg") else "not found",
        "load": f"1-min load average {os.getloadavg()[0]:.2f} at start (other work on the "
                "machine inflates wall times; CPU times are steadier)",
        "ast-grep": (tool_version(["ast-grep", "--version"]) if shutil.which("ast-grep")
                     else "not found"),
    }


# ---------------------------------------------------------------------------------------------
# Trees

def ensure_tree(out: Path, size_mb: float, seed: int, heavy: bool, regen: bool) -> dict[str, object]:
    manifest = synth.manifest_path(out)
    stale = False
    if out.exists() and manifest.exists():
        m = json.loads(manifest.read_text())
        stale = ((m.get("size_mb"), m.get("seed"), m.get("heavy"), m.get("generator"))
                 != (size_mb, seed, heavy, synth.GENERATOR_VERSION))
    if regen or stale or not out.exists() or not manifest.exists():
        why = "regenerating" if out.exists() else "generating"
        print(f"{why} {out} ({size_mb:g} MiB, seed {seed}{', heavy' if heavy else ''})...",
              file=sys.stderr)
        t0 = time.perf_counter()
        synth.generate(out, size_mb, seed, heavy=heavy, force=True)
        print(f"  done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    result: dict[str, object] = json.loads(manifest.read_text())
    return result


def precommit_files(tree: Path, manifest: dict[str, object], seed: int) -> list[str]:
    """10 files as a pre-commit hook would pass them: 5 with payloads, 5 ordinary code files."""
    rng = random.Random(seed)
    payload = sorted(manifest["payload_files"])  # type: ignore[call-overload]
    ordinary = sorted(
        str(p.relative_to(tree)) for p in tree.rglob("*")
        if p.is_file() and p.suffix in (".js", ".ts", ".phtml", ".tsx")
        and "node_modules" not in p.parts and "vendor" not in p.parts
        and not p.name.endswith(".min.js") and str(p.relative_to(tree)) not in payload
    )
    chosen = rng.sample(payload, min(5, len(payload))) + rng.sample(ordinary, 5)
    return [str(tree / c) for c in chosen]


def accuracy(drm: list[str], tree: Path, manifest: dict[str, object]) -> dict[str, object]:
    """One untimed JSON run: which planted payload files and look-alikes got findings."""
    proc = subprocess.run([*drm, "check", "--format", "json", "--exit-zero", str(tree)],
                          check=False, capture_output=True, text=True)
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {"error": f"no JSON from drmigrate (exit {proc.returncode})"}
    flagged = {Path(f["path"]).resolve() for f in doc.get("findings", []) if "path" in f}
    statuses: dict[str, int] = {}
    parsers: dict[str, int] = {}
    for f in doc.get("files", []):
        statuses[f.get("status", "?")] = statuses.get(f.get("status", "?"), 0) + 1
        key = f.get("parser") or "-"
        parsers[key] = parsers.get(key, 0) + 1
    planted = [tree / p for p in manifest["payload_files"]]  # type: ignore[attr-defined]
    looks = [tree / p for p in manifest["lookalike_files"]]  # type: ignore[attr-defined]
    missed = sorted(str(p.relative_to(tree)) for p in planted if p.resolve() not in flagged)
    false = sorted(str(p.relative_to(tree)) for p in looks if p.resolve() in flagged)
    suffixes: dict[str, int] = {}
    seen_bytes = 0
    for f in doc.get("files", []):
        p = Path(f["path"])
        suffixes[p.suffix] = suffixes.get(p.suffix, 0) + 1
        seen_bytes += p.stat().st_size if p.exists() else 0
    return {
        "files_reported": len(doc.get("files", [])),
        "bytes_reported": f"{seen_bytes / MB:.1f} MiB of {dir_bytes(tree) / MB:.1f} MiB",
        "suffixes_reported": dict(sorted(suffixes.items())),
        "statuses": statuses,
        "parsers": parsers,
        "findings": len(doc.get("findings", [])),
        "files_with_findings": len(flagged),
        "planted_found": f"{len(planted) - len(missed)}/{len(planted)}",
        "planted_missed": missed,
        "lookalikes_flagged": false,
    }


# ---------------------------------------------------------------------------------------------
# Report

def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def build_rows(r: dict[str, Measure], sizes: dict[str, float]) -> list[tuple[str, str, str, str]]:
    """(measurement, value, target, verdict) rows."""
    drm, rg, ag = r["drmigrate"], r.get("rg"), r.get("ast-grep")
    rows: list[tuple[str, str, str, str]] = []

    def secs(m: Measure | None) -> str:
        if m is None:
            return "tool not found"
        if not m.walls:
            return f"failed: {m.error}"
        return f"{m.median:.3f} s (CPU {m.cpu_median:.3f} s)"

    big = f"{sizes['big']:.0f} MiB tree"
    rows.append((f"drmigrate check, {big}", secs(drm), "", ""))
    rows.append((f"rg -l createSource, {big}", secs(rg), "", ""))
    rows.append((f"ast-grep run -p `{AST_GREP_PATTERN}`, {big}", secs(ag), "", ""))
    ok_drm = bool(drm.walls)
    if rg is not None and rg.walls and ok_drm:
        ratio = drm.median / rg.median
        rows.append(("drmigrate / rg", f"{ratio:.1f}x", f"<= {MAX_RG_RATIO:g}x",
                     verdict(ratio <= MAX_RG_RATIO)))
    else:
        rows.append(("drmigrate / rg", "skipped", f"<= {MAX_RG_RATIO:g}x", "n/a"))
    if ag is not None and ag.walls and ok_drm:
        ratio = ag.median / drm.median
        rows.append(("ast-grep / drmigrate", f"{ratio:.2f}x", f">= {MIN_AST_GREP_RATIO:g}x",
                     verdict(ratio >= MIN_AST_GREP_RATIO)))
    else:
        rows.append(("ast-grep / drmigrate", "skipped", f">= {MIN_AST_GREP_RATIO:g}x", "n/a"))
    pre = r["precommit"]
    rows.append(("drmigrate check, 10 files (5 with payloads)", secs(pre),
                 f"< {MAX_PRECOMMIT_S:g} s", verdict(pre.median < MAX_PRECOMMIT_S)
                 if pre.walls else "n/a"))
    heavy = r["heavy"]
    if heavy.walls:
        rate = sizes["heavy"] / heavy.median
        cpu_rate = sizes["heavy"] / heavy.cpu_median
        value = f"{secs(heavy)} = {rate:.2f} MiB/s wall, {cpu_rate:.2f} MiB per CPU-second"
        rows.append((f"drmigrate check, {sizes['heavy']:.1f} MiB all-payload tree", value, "", ""))
    else:
        rows.append(("drmigrate check, all-payload tree", secs(heavy), "", ""))
    drm_runs = [m for m in (drm, pre, heavy) if m.rss_kb]
    if drm_runs:
        peak = max(m.peak_rss_mb for m in drm_runs)
        detail = ", ".join(f"{m.label} {m.peak_rss_mb:.0f}" for m in drm_runs)
        rows.append(("drmigrate peak RSS, largest process (MiB)", f"{peak:.0f} ({detail})",
                     f"< {MAX_RSS_MB:g} MiB", verdict(peak < MAX_RSS_MB)))
        if any(max(m.tree_rss_kb, default=0) > 0 for m in drm_runs):  # /proc sampling worked
            tree = max(m.peak_tree_rss_mb for m in drm_runs)
            detail = ", ".join(f"{m.label} {m.peak_tree_rss_mb:.0f}" for m in drm_runs)
            rows.append(("drmigrate peak memory, all processes summed (PSS MiB, sampled /20 ms)",
                         f"{tree:.0f} ({detail})", f"< {MAX_RSS_MB:g} MiB",
                         verdict(tree < MAX_RSS_MB)))
    return rows


def markdown(rows: list[tuple[str, str, str, str]], mach: dict[str, str],
             acc: dict[str, object] | None) -> str:
    out = ["| measurement | result | target | verdict |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    out.append("")
    out.append("Machine: " + "; ".join(f"{k} {v}" for k, v in mach.items()))
    if acc and "error" not in acc:
        out.append("")
        out.append(f"Planted payload files found: {acc['planted_found']}; "
                   f"look-alike files flagged: {len(acc['lookalikes_flagged'])}")  # type: ignore[arg-type]
    return "\n".join(out) + "\n"


def text_report(rows: list[tuple[str, str, str, str]], mach: dict[str, str],
                acc: dict[str, object] | None) -> str:
    width = max(len(r[0]) for r in rows)
    lines = ["Machine"]
    lines += [f"  {k:<10} {v}" for k, v in mach.items()]
    lines.append("")
    lines.append("Results")
    for a, b, c, d in rows:
        tail = f"   [{c}: {d}]" if c else ""
        lines.append(f"  {a:<{width}}  {b}{tail}")
    if acc:
        lines.append("")
        lines.append("Accuracy on the big tree (one untimed --format json run)")
        for k, v in acc.items():
            lines.append(f"  {k}: {v}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Example: python bench/run.py --size-mb 5 --runs 3 --markdown",
    )
    ap.add_argument("--size-mb", type=float, default=50,
                    help="size of the big synthetic tree in MiB (default 50)")
    ap.add_argument("--heavy-mb", type=float, default=5,
                    help="size of the all-payload tree in MiB (default 5)")
    ap.add_argument("--seed", type=int, default=synth.DEFAULT_SEED, help="generator seed (default 7)")
    ap.add_argument("--runs", "-n", type=int, default=5,
                    help="timed runs per command, after one warm-up run; the median is reported "
                    "(default 5)")
    ap.add_argument("--out", type=Path, default=HERE / "out",
                    help="where the trees are generated (default bench/out, gitignored)")
    ap.add_argument("--tree", type=Path, help="benchmark this existing directory instead of "
                    "the synthetic big tree (no accuracy check, no pre-commit run)")
    ap.add_argument("--regen", action="store_true", help="regenerate the trees even if present")
    ap.add_argument("--drmigrate", metavar="CMD",
                    help="drmigrate command line to use (default: the console script next to "
                    "this Python, else 'python -m drmigrate.cli')")
    ap.add_argument("--skip", action="append", default=[], choices=["rg", "ast-grep", "heavy",
                    "precommit", "accuracy"], help="skip a part (repeatable)")
    ap.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    ap.add_argument("--json", type=Path, metavar="FILE", help="write all raw timings to FILE")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    drm = drmigrate_cmd(args.drmigrate)
    mach = machine(drm)
    if mach["drmigrate"] == "not found":
        print(f"bench: cannot run drmigrate ({' '.join(drm)}); install it with "
              "`pip install -e .` or pass --drmigrate", file=sys.stderr)
        return 2
    synth.check_methods(HERE.parent / "rules" / "rules.json")

    big = args.tree or args.out / "repo"
    manifest = None if args.tree else ensure_tree(big, args.size_mb, args.seed, False, args.regen)
    help_text = subprocess.run([*drm, "check", "--help"], check=False, capture_output=True,
                               text=True).stdout
    exit_zero = ["--exit-zero"] if "--exit-zero" in help_text else []
    # Without --exit-zero, findings exit 1; 2 means some file was an error (a TS file esprima
    # cannot read, say), which still is a complete run.
    drm_ok = (0, 1, 2)

    print(f"timing ({args.runs} runs + 1 warm-up each)...", file=sys.stderr)
    results: dict[str, Measure] = {}
    results["drmigrate"] = measure("drmigrate", [*drm, "check", *exit_zero, str(big)],
                                   args.runs, drm_ok, sample_tree=True)
    if "rg" not in args.skip:
        if shutil.which("rg"):
            results["rg"] = measure("rg", ["rg", *RG_FLAGS, "-l", "createSource", str(big)],
                                    args.runs, (0, 1))
        else:
            print("  rg: not found (apt-get install ripgrep); ratio skipped", file=sys.stderr)
    if "ast-grep" not in args.skip:
        if shutil.which("ast-grep"):
            results["ast-grep"] = measure(
                "ast-grep", ["ast-grep", "run", *AST_GREP_FLAGS, "-p", AST_GREP_PATTERN, str(big)],
                args.runs, (0, 1))
        else:
            print("  ast-grep: not found (pip install ast-grep-cli); ratio skipped",
                  file=sys.stderr)

    results["precommit"] = Measure("pre-commit", [], error="skipped")
    if manifest is not None and "precommit" not in args.skip:
        files = precommit_files(big, manifest, args.seed)
        results["precommit"] = measure("pre-commit", [*drm, "check", *exit_zero, *files],
                                       args.runs, drm_ok, sample_tree=True)

    sizes = {"big": dir_bytes(big) / MB, "heavy": 0.0}
    results["heavy"] = Measure("heavy", [], error="skipped")
    if "heavy" not in args.skip:
        heavy = args.out / "heavy"
        ensure_tree(heavy, args.heavy_mb, args.seed, True, args.regen)
        sizes["heavy"] = dir_bytes(heavy) / MB
        results["heavy"] = measure("heavy", [*drm, "check", *exit_zero, str(heavy)],
                                   args.runs, drm_ok, sample_tree=True)

    acc = None
    if manifest is not None and "accuracy" not in args.skip:
        acc = accuracy(drm, big, manifest)

    rows = build_rows(results, sizes)
    print(text_report(rows, mach, acc))
    if args.markdown:
        print(markdown(rows, mach, acc))
    if args.json:
        raw = {k: {"cmd": m.cmd, "walls": m.walls, "cpu": m.cpu, "rss_kb": m.rss_kb,
                   "tree_rss_kb": m.tree_rss_kb, "codes": m.codes,
                   "error": m.error} for k, m in results.items()}
        args.json.write_text(json.dumps({"machine": mach, "sizes_mib": sizes, "results": raw,
                                         "accuracy": acc}, indent=1) + "\n")
    return 0


def dir_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


if __name__ == "__main__":
    sys.exit(main())
