"""Scale figures of issue 20: the HTML page at 100,000 findings, peak memory at 50,000 findings.

A measurement script, not a test: it prints figures and never fails a build.

    python bench/hostile.py                       # the drmigrate on the path (this checkout)
    python bench/hostile.py --code /tmp/old       # another copy of the code (PYTHONPATH), to compare

- page: a JSON report of 100,000 findings (20 per file, as drmigrate writes them) rendered by
  `report merge --format html` and opened in headless Chromium; its size, the time the page's
  script says it was ready (`data-ready-ms`, from navigation start) and Chromium's wall time;
- memory: a tree of 2,500 files with 21 findings each (52,500 findings) checked with `--jobs 1`
  in the text (`-q`), JSON and HTML formats: the process's peak resident memory (VmHWM) and time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAYLOAD = "digitalriver.createSource({type: 'wireTransfer', amount: %d, currency: 'EUR', wireTransfer: {}});\n"
# the high-water mark of a drmigrate process's memory (ru_maxrss would carry a forking parent's
# over); tests/test_attacks_scale.py runs it too
PEAK = """
import sys
from drmigrate.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM:")), file=sys.stderr)
"""


def _env(code: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if code:
        env["PYTHONPATH"] = code
    return env


def _report(findings: int, per_file: int = 20) -> dict[str, object]:
    items, files = [], []
    for f in range(findings // per_file):
        path = f"app/module{f // 100:03}/checkout{f:05}.js"
        files.append({"path": path, "status": "findings", "parser": "esprima", "findings": per_file,
                      "sites": {"remaining": per_file // 2}})
        for i in range(per_file):
            code = ("DR100", "DR101", "DR102", "DR200")[(f + i) % 4]
            items.append({
                "path": path, "line": 10 + i, "column": 9, "end_line": 10 + i, "end_column": 29, "code": code,
                "name": "legacy-amount-currency", "message": f"`amount` on a `payPal` payload is read from the "
                f"payment session; remove it ({f}.{i})", "source_type": "payPal", "fix": "safe",
                "fix_applicable": code != "DR200", "confidence": "high", "fix_title": "Remove `amount`",
                "state": "fixable" if code != "DR200" else "manual", "help": "Remove `amount`",
                "url": "https://docs.digitalriver.com/x",
                "frame": [{"line": 10 + i, "before": "        ", "marked": "amount: cart.total", "after": ","}],
                "fix_diff": f"@@ -{9 + i},3 +{9 + i},2 @@\n     type: 'payPal',\n-    amount: cart.total,\n"
                            "     payPal: {}\n",
            })
    return {"version": 1, "repository": "big", "mode": "check", "files": files, "findings": items,
            "summary": {"findings": len(items)}, "migration_status": {"payPal": {"remaining": len(items) // 2}}}


def page(work: Path, code: str | None, timeout: float) -> None:
    report = work / "big.json"
    report.write_text(json.dumps(_report(100_000)), "utf-8")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "drmigrate.cli", "report", "merge", "--format", "html", "-o",
                           str(work / "big.html"), str(report)], env=_env(code), capture_output=True, text=True,
                          check=False)
    built = time.perf_counter() - start
    if done.returncode != 0:
        print(f"page: report merge failed: {done.stderr.strip()[-300:]}")
        return
    size = (work / "big.html").stat().st_size
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    print(f"page of 100,000 findings: {size / 1e6:.1f} MB, built in {built:.1f} s")
    if browser is None:
        print("page: no chromium (apt-get install -y chromium): load time not measured")
        return
    with tempfile.TemporaryDirectory() as profile:
        start = time.perf_counter()
        try:
            shown = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                                    "--dump-dom", (work / "big.html").as_uri()], capture_output=True, text=True,
                                   timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            print(f"page: not loaded after {timeout:.0f} s")
            return
    wall = time.perf_counter() - start
    ready = re.search(r'data-ready-ms="(\d+)"', shown.stdout)
    print(f"page: script ready after {ready.group(1) + ' ms' if ready else '(not reported)'}; "
          f"chromium --dump-dom wall time {wall:.1f} s (start-up included)")


def memory(work: Path, code: str | None) -> None:
    tree = work / "tree"
    for i in range(2500):
        path = tree / f"m{i // 100:02}" / f"f{i:04}.js"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(PAYLOAD % j for j in range(7)))
    for name, args in (("text -q", ("-q",)), ("json", ("--format", "json", "-o", str(work / "r.json"))),
                       ("html", ("--format", "html", "-o", str(work / "r.html")))):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", PEAK, "check", "--no-cache", "--jobs", "1", *args, "."],
                              cwd=tree, env=_env(code), capture_output=True, text=True, check=False)
        took = time.perf_counter() - start
        peak = int(done.stderr.strip().splitlines()[-1]) / 1024
        print(f"52,500 findings, {name}: peak {peak:.0f} MiB, {took:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", help="a directory holding the drmigrate package to measure (PYTHONPATH)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the page to load")
    parser.add_argument("--only", choices=("page", "memory"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="drmigrate-hostile-") as tmp:
        if args.only in (None, "page"):
            page(Path(tmp), args.code, args.timeout)
        if args.only in (None, "memory"):
            memory(Path(tmp), args.code)


if __name__ == "__main__":
    main()
