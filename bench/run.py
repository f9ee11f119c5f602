"""Benchmark drmigrate against ripgrep (the floor: reading the bytes), ast-grep (a parser-based
peer) and `python -c 'import click'` (the floor of a Python command line), goal by goal (issue 22,
which tightened issue 14's).

Every command runs once per round, all of them interleaved in the same rounds (one warm-up round
first), so each ratio compares medians measured side by side under the same machine load. A
"cold" drmigrate run starts with no result cache (its `.drmigrate_cache/` is removed first); the
"warm" run is the next one over the unchanged tree. The goals:

  1. cold `drmigrate check` on the big tree          <= 8x  `rg -l createSource`
  2. ast-grep `run -p '$X.createSource($$$A)'`       >= 8x  slower than cold drmigrate (issue 14)
  3. warm `drmigrate check` on the big tree          <= 3x  `rg -l createSource`
  4. `drmigrate check` on 10 files (pre-commit)      <= 1.5x `python -c 'import click'`
  5. the all-payload tree (parsing is the work)      <= 8x  ast-grep's time
  6. peak memory                                     < 150 MiB
  7. the project index's added cost                  <= 1.3x cold, <= 1.1x warm (`--no-follow`)

Each figure carries the 1-minute load average seen when its runs started (min-max): a shared
machine swings these ratios by 30-40 %. The start-up is profiled with `-X importtime` too.

Peak RSS comes from wait4 (no extra packages). A missing peer tool is reported and its goal
skipped. Nothing here fails a build: this is a measurement script, not a test.
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

# The goals (issue 22's; goal 2 is issue 14's).
MAX_COLD_RG = 8.0  # cold drmigrate <= 8x ripgrep
MIN_AST_GREP = 8.0  # ast-grep >= 8x cold drmigrate's time on the big tree
MAX_WARM_RG = 3.0  # warm drmigrate <= 3x ripgrep
MAX_PRECOMMIT_CLICK = 1.5  # 10-file run <= 1.5x `python -c 'import click'`
MAX_HEAVY_AST_GREP = 8.0  # all-payload tree: drmigrate <= 8x ast-grep's time
MAX_RSS_MB = 150.0
MAX_INDEX_COLD = 1.3  # the project index's added cost (issue 22): cold <= 1.3x the run without it
MAX_INDEX_WARM = 1.1  # ... warm <= 1.1x
# The measured interpreter must use compiled bytecode, as an installed drmigrate does: with
# PYTHONDONTWRITEBYTECODE set (some CI images set it), every run would compile drmigrate's source.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


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
    loads: list[float] = field(default_factory=list)  # 1-minute load average as each run started
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
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=CHILD_ENV)
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


@dataclass
class Job:
    """One command of a round, and what to do before it (clear a cache)."""

    label: str
    cmd: list[str]
    ok_codes: Sequence[int]
    before: list[Path] = field(default_factory=list)  # directories removed before each run
    sample_tree: bool = False


def measure_rounds(jobs: list[Job], runs: int) -> dict[str, Measure]:
    """Run every job once per round, `runs` rounds after one warm-up round (page cache, bytecode,
    a filled result cache for the warm runs): interleaved, so all of them see the same load."""
    results = {job.label: Measure(job.label, job.cmd) for job in jobs}
    for round_no in range(runs + 1):
        for job in jobs:
            m = results[job.label]
            if m.error:
                continue
            for directory in job.before:
                shutil.rmtree(directory, ignore_errors=True)
            load = os.getloadavg()[0]
            wall, cpu, rss, tree_rss, code, err = run_once(job.cmd, job.ok_codes, job.sample_tree)
            if err:
                m.error = err.strip().splitlines()[-1] if err.strip() else err
                print(f"  {job.label}: FAILED (exit {code}): {m.error}", file=sys.stderr)
                continue
            if round_no == 0:
                continue
            m.walls.append(wall)
            m.cpu.append(cpu)
            m.rss_kb.append(rss)
            m.tree_rss_kb.append(tree_rss)
            m.codes.append(code)
            m.loads.append(load)
        print(f"  round {round_no}/{runs}{' (warm-up)' if round_no == 0 else ''} done, "
              f"load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    for m in results.values():
        if m.walls:
            print(f"  {m.label}: median {m.median:.3f} s wall, {m.cpu_median:.3f} s CPU "
                  f"(min {min(m.walls):.3f}, max {max(m.walls):.3f})", file=sys.stderr)
    return results


# ---------------------------------------------------------------------------------------------
# Tools and the machine

def find_tool(name: str) -> str | None:
    """`name` on PATH, else beside this Python (a venv's bin/ need not be on PATH)."""
    found = shutil.which(name)
    if found:
        return found
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else None


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
        "ast-grep": (tool_version([ag, "--version"]) if (ag := find_tool("ast-grep")) else "not found"),
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
    proc = subprocess.run([*drm, "check", "--format", "json", "--exit-zero", "--no-cache", str(tree)],
                          check=False, capture_output=True, text=True, env=CHILD_ENV)
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


def import_profile(runs: int = 5) -> list[str]:
    """Start-up, by `-X importtime`: what importing the command line costs (the fastest of
    `runs`, so a busy moment does not count), and its most expensive modules."""
    best: dict[str, int] | None = None
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import drmigrate.cli"],
                              capture_output=True, text=True, env=CHILD_ENV, check=False)
        own: dict[str, int] = {}  # each module's own time (its imports not included)
        for line in proc.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[0].startswith("import time:") and parts[1].strip().isdigit():
                own[parts[2].strip()] = int(parts[0].split(":")[1])
        if own and (best is None or sum(own.values()) < sum(best.values())):
            best = own
    if not best:
        return ["  import drmigrate.cli: could not be profiled"]
    top = sorted(best.items(), key=lambda kv: -kv[1])[:8]
    return [f"  import drmigrate.cli: {sum(best.values()) / 1000:.1f} ms in {len(best)} modules "
            f"(fastest of {runs}); largest on their own: "
            + ", ".join(f"{name} {us / 1000:.1f} ms" for name, us in top)]


# ---------------------------------------------------------------------------------------------
# Report

def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def secs(m: Measure | None) -> str:
    if m is None:
        return "not run"
    if not m.walls:
        return f"failed: {m.error}" if m.error else "skipped"
    return f"{m.median:.3f} s (CPU {m.cpu_median:.3f} s){_load(m)}"


def _load(*measures: Measure | None) -> str:
    loads = [x for m in measures if m is not None for x in m.loads]
    return f", load {min(loads):.2f}-{max(loads):.2f}" if loads else ""


Row = tuple[str, str, str, str]  # (measurement, value, goal, verdict)


def _ratio(num: Measure | None, den: Measure | None) -> float | None:
    if num is None or den is None or not num.walls or not den.walls:
        return None
    return num.median / den.median


def goal_rows(r: dict[str, Measure]) -> list[Row]:
    """One row per goal: the ratio, the goal, the verdict."""
    rows: list[Row] = []
    # (goal, numerator, denominator, bound, "max" when the ratio must stay under the bound)
    goals = [
        ("1. cold check / rg", "cold", "rg", MAX_COLD_RG, "max"),
        ("2. ast-grep / cold check (drmigrate faster by)", "ast-grep", "cold", MIN_AST_GREP, "min"),
        ("3. warm check / rg (unchanged tree)", "warm", "rg", MAX_WARM_RG, "max"),
        ("4. 10-file pre-commit run / import click, cold", "pre-commit cold", "import click",
         MAX_PRECOMMIT_CLICK, "max"),
        ("4. ... warm (files unchanged since the last run)", "pre-commit warm", "import click",
         MAX_PRECOMMIT_CLICK, "max"),
        ("5. all-payload tree: cold check / ast-grep", "heavy cold", "heavy ast-grep", MAX_HEAVY_AST_GREP, "max"),
        ("5. ... warm", "heavy warm", "heavy ast-grep", MAX_HEAVY_AST_GREP, "max"),
        ("7. project index's cost: cold / cold --no-follow", "cold", "cold no-follow", MAX_INDEX_COLD, "max"),
        ("7. ... warm / warm --no-follow", "warm", "warm no-follow", MAX_INDEX_WARM, "max"),
    ]
    for name, num, den, bound, kind in goals:
        value = _ratio(r.get(num), r.get(den))
        if value is None:
            rows.append((name, "skipped (a tool is missing or failed)", "", "n/a"))
            continue
        ok = value <= bound if kind == "max" else value >= bound
        rows.append((name, f"{value:.1f}x{_load(r.get(num), r.get(den))}",
                     f"{'<=' if kind == 'max' else '>='} {bound:g}x", verdict(ok)))
    drm_runs = [m for k, m in r.items() if k not in ("rg", "ast-grep", "heavy ast-grep", "import click") and m.rss_kb]
    if drm_runs:
        peak = max(m.peak_rss_mb for m in drm_runs)
        tree = max((m.peak_tree_rss_mb for m in drm_runs if max(m.tree_rss_kb, default=0) > 0), default=None)
        memory = f"{peak:.0f} MiB largest process" + (f", {tree:.0f} MiB all processes (PSS)" if tree else "")
        rows.append(("6. peak memory", memory, f"< {MAX_RSS_MB:g} MiB",
                     verdict(peak < MAX_RSS_MB and (tree is None or tree < MAX_RSS_MB))))
    return rows


def time_rows(r: dict[str, Measure], sizes: dict[str, float], n_files: dict[str, int]) -> list[Row]:
    """The medians behind the ratios."""
    big = f"{sizes['big']:.0f} MiB, {n_files['big']:,} files"
    heavy = f"{sizes['heavy']:.1f} MiB, {n_files['heavy']:,} files"
    labels = [
        ("rg", f"rg -l createSource ({big})"),
        ("cold", f"drmigrate check, cold ({big})"),
        ("cold -j1", "drmigrate check --jobs 1, cold"),
        ("warm", "drmigrate check, warm"),
        ("cold no-follow", "drmigrate check --no-follow (no project index), cold"),
        ("warm no-follow", "drmigrate check --no-follow, warm"),
        ("ast-grep", f"ast-grep run -p `{AST_GREP_PATTERN}`"),
        ("import click", "python -c 'import click'"),
        ("pre-commit cold", "drmigrate check, 10 files (5 with payloads), cold"),
        ("pre-commit warm", "drmigrate check, 10 files, warm"),
        ("heavy cold", f"drmigrate check, all-payload tree ({heavy}), cold"),
        ("heavy warm", "drmigrate check, all-payload tree, warm"),
        ("heavy ast-grep", "ast-grep, all-payload tree"),
    ]
    return [(text, secs(r.get(key)), "", "") for key, text in labels if key in r]


def summary_lines(rows: list[Row]) -> list[str]:
    return [f"{verdict_word:<4}  {name}: {value} (goal {goal})"
            for name, value, goal, verdict_word in rows]


def markdown(goals: list[Row], times: list[Row], mach: dict[str, str], acc: dict[str, object] | None,
             startup: Sequence[str] = ()) -> str:
    out = ["| goal | measured | target | verdict |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in goals]
    out += ["", "| command | median wall (CPU) |", "|---|---|"]
    out += [f"| {a} | {b} |" for a, b, _, _ in times]
    out.append("")
    out.append("Machine: " + "; ".join(f"{k} {v}" for k, v in mach.items()))
    out += ["", *(line.strip() for line in startup)]
    if acc and "error" not in acc:
        out.append("")
        out.append(f"Planted payload files found: {acc['planted_found']}; "
                   f"look-alike files flagged: {len(acc['lookalikes_flagged'])}")  # type: ignore[arg-type]
    return "\n".join(out) + "\n"


def text_report(goals: list[Row], times: list[Row], mach: dict[str, str], acc: dict[str, object] | None,
                startup: Sequence[str] = ()) -> str:
    lines = ["Machine"]
    lines += [f"  {k:<10} {v}" for k, v in mach.items()]
    if startup:
        lines += ["", "Start-up (-X importtime)", *startup]
    lines += ["", "Medians (all commands interleaved in the same rounds)"]
    width = max(len(r[0]) for r in times)
    lines += [f"  {a:<{width}}  {b}" for a, b, _, _ in times]
    if acc:
        lines += ["", "Accuracy on the big tree (one untimed --format json --no-cache run)"]
        lines += [f"  {k}: {v}" for k, v in acc.items()]
    lines += ["", "Goals (issue 22), one line each"]
    lines += [f"  {line}" for line in summary_lines(goals)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Example: python bench/run.py --size-mb 10 --runs 3 --markdown",
    )
    ap.add_argument("--size-mb", type=float, default=70,
                    help="size of the big synthetic tree in MiB (default 70, ~5,000 files)")
    ap.add_argument("--heavy-mb", type=float, default=5,
                    help="size of the all-payload tree in MiB (default 5)")
    ap.add_argument("--seed", type=int, default=synth.DEFAULT_SEED, help="generator seed (default 7)")
    ap.add_argument("--runs", "-n", type=int, default=5,
                    help="rounds after one warm-up round; medians are reported (default 5)")
    ap.add_argument("--out", type=Path, default=HERE / "out",
                    help="where the trees are generated (default bench/out, gitignored)")
    ap.add_argument("--tree", type=Path, help="benchmark this existing directory instead of "
                    "the synthetic big tree (no accuracy check, no pre-commit run)")
    ap.add_argument("--regen", action="store_true", help="regenerate the trees even if present")
    ap.add_argument("--drmigrate", metavar="CMD",
                    help="drmigrate command line to use (default: the console script next to "
                    "this Python, else 'python -m drmigrate.cli')")
    ap.add_argument("--skip", action="append", default=[],
                    choices=["rg", "ast-grep", "heavy", "precommit", "accuracy", "j1", "index"],
                    help="skip a part (repeatable)")
    ap.add_argument("--markdown", action="store_true", help="also print the Markdown tables")
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
    heavy = args.out / "heavy"
    if "heavy" not in args.skip:
        ensure_tree(heavy, args.heavy_mb, args.seed, True, args.regen)
    drm_ok = (0, 1, 2)  # findings exit 1; 2 = some file was an error, still a complete run
    check = [*drm, "check", "--exit-zero"]
    big_cache, heavy_cache = big / ".drmigrate_cache", heavy / ".drmigrate_cache"
    jobs: list[Job] = []
    if "rg" not in args.skip:
        if shutil.which("rg"):
            jobs.append(Job("rg", ["rg", *RG_FLAGS, "-l", "createSource", str(big)], (0, 1)))
        else:
            print("  rg: not found (apt-get install ripgrep); goals 1 and 3 skipped", file=sys.stderr)
    jobs.append(Job("cold", [*check, str(big)], drm_ok, [big_cache], sample_tree=True))
    jobs.append(Job("warm", [*check, str(big)], drm_ok, sample_tree=True))
    if "index" not in args.skip:  # what the project index (issue 18) adds: the same runs without it
        jobs.append(Job("cold no-follow", [*check, "--no-follow", str(big)], drm_ok, [big_cache], sample_tree=True))
        jobs.append(Job("warm no-follow", [*check, "--no-follow", str(big)], drm_ok, sample_tree=True))
    if "j1" not in args.skip:
        jobs.append(Job("cold -j1", [*check, "--jobs", "1", str(big)], drm_ok, [big_cache]))
    ast_grep = find_tool("ast-grep")
    if "ast-grep" not in args.skip:
        if ast_grep:
            jobs.append(Job("ast-grep", [ast_grep, "run", *AST_GREP_FLAGS, "-p", AST_GREP_PATTERN, str(big)],
                            (0, 1)))
        else:
            print("  ast-grep: not found (pip install ast-grep-cli); goals 2 and 5 skipped", file=sys.stderr)
    if manifest is not None and "precommit" not in args.skip:
        files = precommit_files(big, manifest, args.seed)
        jobs.append(Job("import click", [sys.executable, "-c", "import click"], (0,)))
        jobs.append(Job("pre-commit cold", [*check, *files], drm_ok, [big_cache], sample_tree=True))
        jobs.append(Job("pre-commit warm", [*check, *files], drm_ok, sample_tree=True))
    if "heavy" not in args.skip:
        jobs.append(Job("heavy cold", [*check, str(heavy)], drm_ok, [heavy_cache], sample_tree=True))
        jobs.append(Job("heavy warm", [*check, str(heavy)], drm_ok, sample_tree=True))
        if ast_grep and "ast-grep" not in args.skip:
            jobs.append(Job("heavy ast-grep", [ast_grep, "run", *AST_GREP_FLAGS, "-p", AST_GREP_PATTERN,
                                               str(heavy)], (0, 1)))

    print(f"timing {len(jobs)} commands, {args.runs} rounds + 1 warm-up...", file=sys.stderr)
    load_before = os.getloadavg()
    results = measure_rounds(jobs, args.runs)
    load_after = os.getloadavg()
    mach["load"] = (f"1-min load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
                    f"(other work on the machine inflates wall times; the ratios compare commands "
                    f"measured in the same rounds)")
    acc = None
    if manifest is not None and "accuracy" not in args.skip:
        acc = accuracy(drm, big, manifest)

    sizes = {"big": dir_bytes(big) / MB, "heavy": dir_bytes(heavy) / MB if heavy.exists() else 0.0}
    n_files = {"big": count_files(big), "heavy": count_files(heavy) if heavy.exists() else 0}
    goals = goal_rows(results)
    times = time_rows(results, sizes, n_files)
    startup = import_profile()
    print(text_report(goals, times, mach, acc, startup))
    if args.markdown:
        print(markdown(goals, times, mach, acc, startup))
    if args.json:
        raw = {k: {"cmd": m.cmd, "walls": m.walls, "cpu": m.cpu, "rss_kb": m.rss_kb,
                   "tree_rss_kb": m.tree_rss_kb, "codes": m.codes,
                   "error": m.error} for k, m in results.items()}
        args.json.write_text(json.dumps({"machine": mach, "sizes_mib": sizes, "results": raw,
                                         "goals": goals, "accuracy": acc}, indent=1) + "\n")
    return 0


def _files(root: Path) -> list[Path]:
    """The tree's files, without its .git and result cache (what the tools are asked to read)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (".git", ".drmigrate_cache")]
        out += [Path(dirpath, f) for f in filenames]
    return out


def count_files(root: Path) -> int:
    return len(_files(root))


def dir_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in _files(root) if not p.is_symlink())


if __name__ == "__main__":
    sys.exit(main())
