"""Attack suite, native crashes (issue 20): a 4 kB Python file must not kill drmigrate.

libcst's parser is native code: 2,000 brackets nested across lines, or a chain of 20,000 links,
overflow its stack (SIGSEGV: exit 139 with no report; with workers, BrokenProcessPool and `fix`
stopping part-way). Such a file is measured before libcst sees it and refused in one line, and a
worker that dies anyway costs only its own file: the rest is analysed, fixed and reported.
"""

from __future__ import annotations

import faulthandler
import os
import signal
from pathlib import Path

import pytest

from drmigrate.model import FileResult
from drmigrate.pipeline import _analyse, _Task, _TaskRunner
from drmigrate.runner import make_config
from tests.attacklib import FIXED, LEGACY, assert_one_line_errors, run, write

PAYLOAD = 'import json\np = {"type": "payPal", "payPal": {}, "amount": 1}\njson.dumps(p)\n'
# short lines: one long line would be skipped as minified before any parser sees it
BOMBS = {
    "brackets-across-lines": "x = " + "[\n" * 2000 + "]\n" * 2000,
    "brackets-two-per-line": "x = " + "[[\n" * 1000 + "]]\n" * 1000,
    "attribute-chain": "x = (a\n" + "    .b\n" * 20_000 + ")\n",
    "unary-chain": "x = (\n" + "-\n" * 20_000 + "1)\n",
    "string-concatenation": "x = (\n" + "'a'\n" * 20_000 + ")\n",
    "lambda-chain": "x = (\n" + "lambda:\n" * 20_000 + "1)\n",
    "nested-blocks": "".join(" " * i + "if x:\n" for i in range(150)) + " " * 150 + "pass\n",
    "binary-chain": "x = (1\n" + "+ 1\n" * 20_000 + ")\n",
}


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_a_libcst_bomb_is_one_line_and_never_a_signal(tmp_path: Path, bomb: str) -> None:
    write(tmp_path, {"bomb.py": PAYLOAD + BOMBS[bomb], "a.js": LEGACY})
    done = run("check", "--no-cache", ".", cwd=tmp_path, timeout=60)
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])  # never 139 (SIGSEGV) or a hang
    assert_one_line_errors(done)
    out = done.stdout.decode()
    assert "bomb.py: error:" in out and "more than the Python parser (libcst) reads safely" in out
    assert "a.js:1:28: DR100" in out and "Found 3 findings in 1 file" in out  # the rest of the run


def test_a_bomb_among_eighty_files_with_workers_stops_nothing(tmp_path: Path) -> None:
    files = {f"js/f{i:02}.js": LEGACY + f"// file {i}\n" + "// padding to make the run big enough\n" * 20
             for i in range(79)}
    files["bomb.py"] = PAYLOAD + BOMBS["brackets-across-lines"]
    write(tmp_path, files)
    done = run("fix", "--session-id", "sid", "--jobs", "2", ".", cwd=tmp_path, timeout=300)
    assert done.returncode == 2
    assert_one_line_errors(done)
    out = done.stdout.decode()
    assert "Fixed 237 findings in 79 files" in out and "1 file could not be analysed" in out
    assert all((tmp_path / name).read_text().startswith(FIXED) for name in files if name.endswith(".js"))


def _dies_on_boom(task: _Task) -> FileResult:
    """The real analysis, but the process dies on `boom.js`, as a native crash kills it."""
    if task.path.endswith("boom.js"):
        faulthandler.disable()  # pytest's handler would print the worker's stack into the test log
        os.kill(os.getpid(), signal.SIGSEGV)
    return _analyse(task)


def test_a_worker_that_dies_costs_only_its_own_file() -> None:
    cfg = make_config()
    runner = _TaskRunner(2, analyse=_dies_on_boom)
    names = [f"f{i}.js" for i in range(6)] + ["boom.js"] + [f"g{i}.js" for i in range(6)]
    try:
        for i, name in enumerate(names):
            runner.add(i, _Task(name, LEGACY, cfg, False, False), 10_000)  # enough for worker processes
        assert runner.pool is not None
        results = dict(runner.results())
    finally:
        runner.close()
    assert [results[i].path for i in range(len(names))] == names
    boom = results[names.index("boom.js")]
    assert boom.status == "error" and "the process analysing it died" in boom.reason
    assert all(r.status == "findings" and len(r.findings) == 3 for p, r in results.items() if names[p] != "boom.js")
