"""The stat index (issue 22): a warm run settles a clean file from its `stat` alone, and says
exactly what a run without it says."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drmigrate import pipeline
from drmigrate.cache import Cache, StatIndex
from drmigrate.config import Settings
from drmigrate.model import FileResult
from drmigrate.pipeline import process_paths
from drmigrate.runner import make_config
from tests.fixturelib import ROOT

LEGACY = "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});\n"


def _drmigrate(*args: str, cwd: Path) -> tuple[int, bytes, bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-m", "drmigrate.cli", *args], cwd=cwd, capture_output=True,
                          env=env, check=False, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr


def _settle() -> None:
    """A file's ctime cannot be set back: wait out the window in which timestamps are not trusted."""
    time.sleep(StatIndex.RACY_NS / 1e9 + 0.3)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's own test corpus (every fixture and the example storefront), old enough for
    its timestamps to be trusted."""
    root = tmp_path_factory.mktemp("corpus")
    for name in ("fixtures", "examples"):
        shutil.copytree(ROOT / name, root / name)
    _settle()
    return root


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_output_identical_with_and_without_the_stat_index(corpus: Path, tmp_path: Path, jobs: str) -> None:
    cache_dir = tmp_path / "cache"
    for args in (("--format", "json"), ("--statistics", "--show-files"), ("--diff",)):
        command = ("check", *args, "--jobs", jobs, "fixtures", "examples")
        plain = _drmigrate(*command, "--no-cache", cwd=corpus)
        assert plain[0] == 1 and plain[1]
        for run in ("cold", "warm", "warm again"):
            assert _drmigrate(*command, "--cache-dir", str(cache_dir), cwd=corpus) == plain, run
    assert (cache_dir / "v4" / StatIndex.NAME).is_file()


def _run(paths: list[str], cache: Cache | None, root: Path) -> list[FileResult]:
    return process_paths(paths, make_config(), Settings(root=root), fixing=False, want_fixes=False, jobs=1,
                         show_progress=False, cache=cache)


def _reading(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths whose bytes the run reads (every read of a checked file goes through `_read`)."""
    seen: list[str] = []
    real = pipeline._read

    def spy(overlay: object, path: str, size: int = -1) -> bytes:
        seen.append(path)
        return real(overlay, path, size)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_read", spy)
    return seen


def test_a_clean_file_costs_a_stat_and_nothing_else(corpus: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(corpus)
    paths = ["fixtures", "examples"]
    plain = _run(paths, None, corpus)
    clean = {r.path for r in plain if r.status == "clean" and r.parser == "prefilter"}
    assert len(clean) >= 20
    _run(paths, Cache(tmp_path / "c"), corpus)
    read = _reading(monkeypatch)
    assert _run(paths, Cache(tmp_path / "c"), corpus) == plain
    assert read and not clean & set(read)  # the candidates were read; no clean file was


def test_a_same_size_edit_with_the_mtime_put_back_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    target = tree / "checkout.js"
    quiet = "var greeting = " + json.dumps("x" * (len(LEGACY) - len("var greeting = ;\n") - 2)) + ";\n"
    assert len(quiet) == len(LEGACY)
    target.write_text(quiet)
    (tree / "other.js").write_text("console.log('hello');\n")
    _settle()
    monkeypatch.chdir(tree)
    cache_dir = tmp_path / "c"
    assert [r.status for r in _run(["."], Cache(cache_dir), tree)] == ["clean", "clean"]
    assert _run(["."], Cache(cache_dir), tree)[0].status == "clean"
    before = os.stat(target)
    target.write_text(LEGACY)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(target)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    found = _run(["."], Cache(cache_dir), tree)
    assert found[0].path.endswith("checkout.js") and found[0].status == "findings"
    assert found == _run(["."], None, tree)


def _fake_stat(path: Path, *, mtime_ns: int, ctime_ns: int) -> os.stat_result:
    real = os.stat(path)
    values = list(real)[:10]
    values[8], values[9] = mtime_ns // 10**9, ctime_ns // 10**9
    # the nanosecond fields follow the float ones in os.stat_result's hidden part
    extra = [float(real.st_atime), mtime_ns / 1e9, ctime_ns / 1e9, real.st_atime_ns, mtime_ns, ctime_ns]
    return os.stat_result(values + extra)


def test_whole_second_timestamps_fall_back_to_the_content(tmp_path: Path) -> None:
    target = tmp_path / "a.js"
    target.write_text("console.log('one');\n")
    started = time.time_ns()
    st = _fake_stat(target, mtime_ns=(started // 10**9 - 100) * 10**9, ctime_ns=(started // 10**9 - 90) * 10**9)
    assert st.st_mtime_ns % 10**9 == 0 and st.st_size == target.stat().st_size
    index = StatIndex(Cache(tmp_path / "c"), started)
    index.record(str(target), st, "settings", "c", target.read_bytes())
    assert index.settled(str(target), st, "settings") == "c"
    target.write_text("console.log('two');\n")  # same size, same (coarse) stat
    assert index.settled(str(target), st, "settings") is None
    assert index.settled(str(target), st, "other settings") is None


def test_recent_timestamps_are_not_kept(tmp_path: Path) -> None:
    target = tmp_path / "a.js"
    target.write_text("console.log('one');\n")
    st = os.stat(target)
    index = StatIndex(Cache(tmp_path / "c"), time.time_ns())
    index.record(str(target), st, "settings", "c", target.read_bytes())
    assert index.settled(str(target), st, "settings") is None and not index.dirty
    later = StatIndex(Cache(tmp_path / "c"), time.time_ns() + StatIndex.RACY_NS + 10**9)
    later.record(str(target), st, "settings", "c", target.read_bytes())
    assert later.settled(str(target), st, "settings") == "c"


def test_a_forged_index_cannot_silence_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index is signed with the key outside the tree: one committed with the repository, or
    edited by hand, is ignored, and the file with a payload is read."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "pay.js").write_text(LEGACY)
    _settle()
    monkeypatch.chdir(tree)
    cache_dir = tmp_path / "c"
    expected = _run(["."], None, tree)
    cache = Cache(cache_dir)
    _run(["."], cache, tree)
    st = os.stat(tree / "pay.js")
    forged = StatIndex(cache, time.time_ns())
    forged.record(os.path.join(os.path.realpath(tree), "pay.js"), st, cache.config_digest(make_config(), "check"), "c")
    assert forged.dirty
    monkeypatch.setenv("DRMIGRATE_CACHE_KEY", "the attacker's key")
    forged.cache = Cache(cache_dir)
    forged.save()
    monkeypatch.setenv("DRMIGRATE_CACHE_KEY", "the user's key")
    assert _run(["."], Cache(cache_dir), tree) == expected
    (cache_dir / "v4" / StatIndex.NAME).write_bytes(b"garbage\n{")
    assert _run(["."], Cache(cache_dir), tree) == expected
