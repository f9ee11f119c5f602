"""`--watch`: the real command in a subprocess, re-running on real file events (watchfiles)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

LEGACY = "digitalriver.createSource({type: 'payPal', amount: 1, payPal: {returnUrl: u}});\n"


def _wait_for(proc: subprocess.Popen[str], lines: list[str], needle: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"the watcher ended: {''.join(lines)}")
        lines.append(line)
        if needle in line:
            return
    raise AssertionError(f"{needle!r} not seen: {''.join(lines)}")


def test_watch_runs_again_on_a_change_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text("var x = 1;\n")
    (tmp_path / "notes.md").write_text("x\n")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "drmigrate.cli", "check", "--watch", "--no-cache", "."],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    try:
        _wait_for(proc, lines, "Watching for file changes")
        assert any("All checks passed (1 file)." in line for line in lines)
        (tmp_path / "notes.md").write_text("a file drmigrate does not read: no run\n")
        time.sleep(1.0)
        (tmp_path / "a.js").write_text(LEGACY)
        _wait_for(proc, lines, "Found 2 findings in 1 file")
        _wait_for(proc, lines, "Watching for file changes")
        assert sum("drmigrate: checking" in line for line in lines) == 2  # the .md change ran nothing
        (tmp_path / "b.js").write_text(LEGACY)  # a new file
        _wait_for(proc, lines, "Found 4 findings in 2 files")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_watch_refuses_stdin(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "drmigrate.cli", "check", "--watch", "-"], cwd=tmp_path,
                          capture_output=True, text=True, input="", timeout=60, check=False)
    assert done.returncode == 2 and "--watch watches files" in done.stderr
