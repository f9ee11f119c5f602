"""No data loss: atomic writes that keep mode, line endings and BOM; a file changed meanwhile is not
overwritten; and a `fix` killed part-way leaves every file either old or new."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from drmigrate.discovery import SourceError, read_source, write_source

ROOT = Path(__file__).resolve().parent.parent
LEGACY = "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});"
FIXED = "digitalriver.createSource({type: 'wireTransfer', sessionId: sid, wireTransfer: {}});"


def test_write_keeps_mode_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "a.js"
    path.write_bytes(b"\xef\xbb\xbf" + f"{LEGACY}\r\n".encode())
    path.chmod(0o640)
    source = read_source(str(path))
    write_source(source, f"{FIXED}\r\n")
    assert path.read_bytes() == b"\xef\xbb\xbf" + f"{FIXED}\r\n".encode()
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.js"]  # no temporary file left behind


def test_changed_on_disk_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "a.js"
    path.write_text(LEGACY, "utf-8")
    source = read_source(str(path))
    path.write_text(LEGACY + "\n// edited meanwhile\n", "utf-8")
    try:
        write_source(source, FIXED)
    except SourceError as exc:
        assert "changed on disk while drmigrate ran; nothing written" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("overwrote a file changed on disk")
    assert path.read_text("utf-8").endswith("// edited meanwhile\n")


def test_symlink_inside_the_tree_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "real.js").write_text(LEGACY, "utf-8")
    os.symlink("real.js", tmp_path / "link.js")
    write_source(read_source(str(tmp_path / "link.js")), FIXED)
    assert (tmp_path / "link.js").is_symlink() and (tmp_path / "real.js").read_text("utf-8") == FIXED


def test_killed_fix_leaves_each_file_old_or_new(tmp_path: Path) -> None:
    count = 400
    padding = "".join(f"var filler{k} = {k};\n" for k in range(60))
    old = {i: f"{padding}{LEGACY}\nvar n = {i};\n" for i in range(count)}
    for i, text in old.items():
        (tmp_path / f"f{i:03}.js").write_text(text, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "drmigrate.cli", "fix", "--jobs", "1", "--session-id", "sid",
                             "."], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    new_seen = 0
    while time.monotonic() < deadline and proc.poll() is None:  # kill once some, not all, are written
        new_seen = sum(FIXED in p.read_text("utf-8") for p in tmp_path.glob("f*.js"))
        if new_seen >= 20:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert new_seen >= 20, "the run ended before it could be killed part-way"
    olds = news = 0
    for i, text in old.items():
        now = (tmp_path / f"f{i:03}.js").read_text("utf-8")
        if now == text:
            olds += 1
        else:
            assert now == text.replace(LEGACY, FIXED), f"f{i:03}.js is neither its old nor its new version"
            news += 1
    assert olds and news, (olds, news)  # killed part-way indeed
    leftovers = [p.name for p in tmp_path.iterdir() if not p.name.endswith(".js")]
    assert all(name.endswith(".drmigrate") for name in leftovers)  # at most a temp file, never a torn one
