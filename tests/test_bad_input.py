"""The bad-input catalogue: each case ends as one clear line naming the file, never a traceback,
and the other files are still processed."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

LEGACY = "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});\n"
ROOT = Path(__file__).resolve().parent.parent


def drmigrate(*args: str, cwd: Path, unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess; `unprivileged` drops root's right to read any file."""
    command = [sys.executable, "-m", "drmigrate.cli", *args]
    if unprivileged and os.geteuid() == 0:
        if shutil.which("setpriv") is None:  # pragma: no cover
            pytest.skip("running as root without setpriv: cannot make a file unreadable")
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *command]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, check=False)


def _nested(depth: int) -> str:
    # one bracket per line: a single 20,000-character line would be skipped as minified
    return LEGACY + "var x = " + "[\n" * depth + "1" + "]\n" * depth + ";\n"


CASES: list[tuple[str, object, int, str]] = [
    # (name, content or maker, exit code, expected words in its line)
    ("binary.js", b"\x7fELF\x00\x00\x01createSource", 2, "binary file (NUL bytes); exclude it"),
    ("latin1.js", "var s = 'caf\xe9'; digitalriver.createSource({});\n".encode("latin-1"), 2,
     "not valid UTF-8 (byte 12); re-save it as UTF-8"),
    ("syntax.js", b"digitalriver.createSource({type: 'payPal' amount: 1});\n", 2, "cannot parse"),
    ("deep.js", _nested(10_000).encode(), 2, "nested too deeply"),
    ("empty.js", b"", 0, ""),
    ("big.js", b"// " + b"x" * 20_000_000 + b"\n" + LEGACY.encode(), 0,
     "over the max-file-size limit of 5.0 MB; raise max-file-size or exclude it"),
]


@pytest.mark.parametrize(("name", "content", "code", "words"), CASES, ids=[c[0] for c in CASES])
def test_catalogue_file(tmp_path: Path, name: str, content: bytes, code: int, words: str) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "pay.js").write_text(LEGACY, "utf-8")
    done = drmigrate("check", ".", cwd=tmp_path)
    assert "Traceback" not in done.stderr + done.stdout
    assert "pay.js:1:28: DR100" in done.stdout  # the other file is still processed
    assert done.returncode == (code or 1)
    if words:
        line = next(line for line in done.stdout.splitlines() if line.startswith(f"./{name}:"))
        assert words in line, line
    else:
        assert name not in done.stdout


def test_utf16_with_bom_is_read_and_written_back_as_utf16(tmp_path: Path) -> None:
    path = tmp_path / "wide.js"
    path.write_bytes(b"\xff\xfe" + LEGACY.replace("\n", "\r\n").encode("utf-16-le"))
    done = drmigrate("fix", "--session-id", "sid", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stdout  # nothing remains
    raw = path.read_bytes()
    assert raw.startswith(b"\xff\xfe")
    assert raw[2:].decode("utf-16-le") == (
        "digitalriver.createSource({type: 'wireTransfer', sessionId: sid, wireTransfer: {}});\r\n")


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "secret.js").write_text(LEGACY, "utf-8")
    (tmp_path / "secret.js").chmod(0)
    (tmp_path / "pay.js").write_text(LEGACY, "utf-8")
    tmp_path.chmod(0o755)
    done = drmigrate("check", ".", cwd=tmp_path, unprivileged=True)
    assert done.returncode == 2
    assert "./secret.js: error: permission denied; make it readable or exclude it" in done.stdout
    assert "pay.js:1:28: DR100" in done.stdout


def test_read_only_file_under_fix_is_reported_not_forced(tmp_path: Path) -> None:
    path = tmp_path / "locked.js"
    path.write_text(LEGACY, "utf-8")
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    done = drmigrate("fix", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert "./locked.js: error: file is read-only; make it writable to fix it" in done.stdout
    assert path.read_text("utf-8") == LEGACY and stat.S_IMODE(path.stat().st_mode) == 0o440


def test_read_only_file_under_fix_reports_the_findings_of_its_unchanged_text(tmp_path: Path) -> None:
    path = tmp_path / "locked.js"
    path.write_text(LEGACY, "utf-8")
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    (tmp_path / "open.js").write_text(LEGACY, "utf-8")
    done = drmigrate("fix", "--format", "json", ".", cwd=tmp_path)
    assert done.returncode == 2
    report = json.loads(done.stdout)
    locked = [f for f in report["findings"] if f["path"] == "./locked.js"]
    # nothing was written: the file still has its legacy payload, not the fix's placeholder
    assert [(f["code"], f["column"]) for f in locked] == [("DR100", 28), ("DR101", 50), ("DR101", 61)]
    assert [f["frame"][0]["line"] for f in locked] == [1, 1, 1]
    assert "'EUR'" in locked[2]["frame"][0]["marked"]
    status = {f["path"]: f["status"] for f in report["files"]}
    assert status["./locked.js"].startswith("error: file is read-only") and status["./open.js"] == "fixed"
    assert report["summary"]["fixed"] == 3 and report["summary"]["fixed_files"] == 1
    assert path.read_text("utf-8") == LEGACY
    text = drmigrate("fix", ".", cwd=tmp_path).stdout
    assert "./locked.js:1:28: DR100" in text and "./locked.js:1:50: DR110" not in text


def test_directory_named_like_a_script_is_walked(tmp_path: Path) -> None:
    (tmp_path / "x.js").mkdir()
    (tmp_path / "x.js" / "pay.js").write_text(LEGACY, "utf-8")
    for target in (".", "x.js"):
        done = drmigrate("check", target, cwd=tmp_path)
        assert done.returncode == 1 and "x.js/pay.js:1:28: DR100" in done.stdout


def test_symlink_loop_and_link_outside_the_tree(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "theirs.js"
    outside.write_text(LEGACY, "utf-8")
    os.symlink("loop.js", tmp_path / "loop.js")
    os.symlink(outside, tmp_path / "theirs.js")
    (tmp_path / "pay.js").write_text(LEGACY, "utf-8")
    done = drmigrate("fix", ".", cwd=tmp_path)
    assert "./loop.js: skipped: symlink loop; fix or remove the link" in done.stdout
    assert f"./theirs.js: skipped: symlink to {outside}, outside the tree; not followed" in done.stdout
    assert outside.read_text("utf-8") == LEGACY  # nothing written through the link
    assert (tmp_path / "theirs.js").is_symlink()
    assert done.returncode == 1  # pay.js was fixed
    explicit = drmigrate("check", "loop.js", "theirs.js", cwd=tmp_path)
    assert explicit.returncode == 2 and "loop.js: error: symlink loop" in explicit.stdout
    assert "theirs.js: skipped: symlink to" in explicit.stdout and "outside the project" in explicit.stdout


def test_missing_path(tmp_path: Path) -> None:
    (tmp_path / "pay.js").write_text(LEGACY, "utf-8")
    done = drmigrate("check", "nope.js", "pay.js", cwd=tmp_path)
    assert done.returncode == 2
    assert "nope.js: error: no such file or directory; check the path" in done.stdout
    assert "pay.js:1:28: DR100" in done.stdout and "Traceback" not in done.stderr
