"""The result cache: the same output with and without it, keys that change with what a result
depends on, entries that are never trusted, and a cache directory that can never fail a run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from drmigrate import cache as cache_module
from drmigrate.cache import Cache, StatIndex, open_cache, project_root
from drmigrate.cli import main
from drmigrate.config import Settings
from drmigrate.engine import Options
from drmigrate.pipeline import process_paths
from drmigrate.runner import make_config
from tests.fixturelib import ROOT

LEGACY = "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});\n"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _drmigrate(*args: str, cwd: Path) -> tuple[int, bytes, bytes]:
    done = subprocess.run([sys.executable, "-m", "drmigrate.cli", *args], cwd=cwd, capture_output=True,
                          env=_env(), check=False, stdin=subprocess.DEVNULL)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's own test corpus: every fixture and the example storefront."""
    root = tmp_path_factory.mktemp("corpus")
    for name in ("fixtures", "examples"):
        shutil.copytree(ROOT / name, root / name)
    return root


def _entries(cache_dir: Path) -> list[Path]:
    """The result entries (the stat index is kept once the copied files are old enough: it may
    appear between two runs)."""
    return sorted(p for p in (cache_dir / cache_module.ENTRIES).iterdir() if p.name != StatIndex.NAME)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_output_identical_with_and_without_cache(corpus: Path, tmp_path: Path, fmt: str) -> None:
    runs = {}
    for jobs in ("1", "2"):
        cache_dir = tmp_path / f"cache-{jobs}"
        args = ("check", "--format", fmt, "--statistics", "--jobs", jobs, "fixtures", "examples")
        runs[f"-j{jobs} no-cache"] = _drmigrate(*args, "--no-cache", cwd=corpus)
        runs[f"-j{jobs} cold"] = _drmigrate(*args, "--cache-dir", str(cache_dir), cwd=corpus)
        entries = _entries(cache_dir)
        assert entries, "the cold run filled the cache"
        runs[f"-j{jobs} warm"] = _drmigrate(*args, "--cache-dir", str(cache_dir), cwd=corpus)
        assert _entries(cache_dir) == entries
    first = runs["-j1 no-cache"]
    assert first[0] == 1 and first[1]  # the corpus has findings
    assert {name: run == first for name, run in runs.items()} == {name: True for name in runs}


def _results(paths: list[str], cache: Cache | None, root: Path, **options: object) -> list[object]:
    cfg = make_config(options=Options(**options))  # type: ignore[arg-type]
    return process_paths(paths, cfg, Settings(root=root), fixing=False, want_fixes=False, jobs=1,
                         show_progress=False, cache=cache)


def test_hits_are_the_results_they_stand_for(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(corpus)
    paths = ["fixtures", "examples"]
    plain = _results(paths, None, corpus)
    cold = Cache(tmp_path / "c")
    assert _results(paths, cold, corpus) == plain and cold.hits == 0 and cold.misses > 100
    warm = Cache(tmp_path / "c")
    assert _results(paths, warm, corpus) == plain  # FileResult for FileResult: findings, sites, text
    assert warm.misses == 0 and warm.hits == cold.misses


def test_corrupt_and_foreign_entries_are_misses(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(corpus)
    paths = ["examples"]
    plain = _results(paths, None, corpus)
    _results(paths, Cache(tmp_path / "c"), corpus)
    entries = sorted((tmp_path / "c" / cache_module.ENTRIES).glob("*.json"))
    assert len(entries) >= 2
    good = json.loads(entries[0].read_text("utf-8"))
    entries[0].write_bytes(b"\x00garbage{")  # corrupt
    foreign = dict(good, path="somewhere/else.js")  # a valid entry, for another file
    entries[1].write_text(json.dumps(foreign), "utf-8")
    if len(entries) > 2:
        tampered = json.loads(entries[2].read_text("utf-8"))
        tampered["result"]["findings"] = [{"code": "DR100", "unknown_field": 1}]
        entries[2].write_text(json.dumps(tampered), "utf-8")
    again = Cache(tmp_path / "c")
    assert _results(paths, again, corpus) == plain
    assert again.misses == min(len(entries), 3)
    assert json.loads(entries[0].read_text("utf-8")) == good  # rewritten with the real result


def test_key_changes_with_what_results_depend_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(tmp_path)
    cfg = make_config()
    base = cache.key("a.js", b"x", cfg)
    assert cache.key("a.js", b"x", make_config()) == base  # equal settings, equal key
    assert cache.key("b.js", b"x", cfg) != base
    assert cache.key("a.js", b"y", cfg) != base
    assert cache.key("a.js", b"x", cfg, mode="diff") != base
    for options in ({"select": ("DR1",)}, {"ignore": ("DR101",)}, {"unsafe_fixes": True},
                    {"session_id": {"js": "checkout.id"}}):
        assert cache.key("a.js", b"x", make_config(options=Options(**options))) != base  # type: ignore[arg-type]
    assert cache.key("a.js", b"x", make_config(receiver_names=["pay"])) != base
    assert cache.key("a.js", b"x", make_config(include_minified=True)) != base
    assert cache.key("a.js", b"x", make_config(template_extensions=[".tpl"])) != base
    other = Cache(tmp_path)
    monkeypatch.setattr(cache_module, "_code_digest", lambda: "edited source")
    assert other.key("a.js", b"x", cfg) != base  # another drmigrate (a checkout after an edit)


def test_rule_table_contents_are_in_the_key(tmp_path: Path) -> None:
    from dataclasses import replace

    cfg = make_config()
    changed = replace(cfg, table=replace(cfg.table, placeholder="OTHER"))
    cache = Cache(tmp_path)
    assert cache.key("a.js", b"x", changed) != cache.key("a.js", b"x", cfg)


def test_fix_never_comes_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pay.js").write_text(LEGACY, "utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["check", "pay.js"]).exit_code == 1
    assert runner.invoke(main, ["check", "pay.js"]).exit_code == 1  # warm
    assert list((tmp_path / ".drmigrate_cache" / cache_module.ENTRIES).glob("*.json"))
    result = runner.invoke(main, ["fix", "--session-id", "s.id", "pay.js"])
    assert result.exit_code == 0, result.output  # fixed, and nothing remains
    assert "sessionId: s.id" in (tmp_path / "pay.js").read_text("utf-8")
    assert runner.invoke(main, ["check", "--session-id", "s.id", "pay.js"]).exit_code == 0


def test_unwritable_cache_dir_warns_once_and_the_run_goes_on(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"p{i}.js").write_text(LEGACY + f"var x{i};\n", "utf-8")
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be\n", "utf-8")
    code, out, err = _drmigrate("check", "--cache-dir", str(blocker / "cache"), ".", cwd=tmp_path)
    plain = _drmigrate("check", "--no-cache", ".", cwd=tmp_path)
    assert (code, out) == plain[:2] and code == 1
    assert err.decode().count("cannot write the cache") == 1


def test_cache_directory_place_and_contents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "shop"
    (project / "src").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert project_root([str(project / "src")], None) == tmp_path  # no config, no git: cwd
    (project / ".git").mkdir()
    assert project_root([str(project / "src")], None) == project  # the work tree
    (project / "src" / ".drmigrate.toml").write_text("", "utf-8")
    assert project_root(["shop"], project / "src" / ".drmigrate.toml") == project / "src"  # the config
    assert open_cache(["x"], None, str(tmp_path / "elsewhere")).directory == tmp_path / "elsewhere"
    (project / "src" / "pay.js").write_text(LEGACY, "utf-8")
    (project / "src" / ".drmigrate.toml").unlink()
    code, _, _ = _drmigrate("check", "src", cwd=project)
    assert code == 1
    made = project / ".drmigrate_cache"
    assert (made / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"
    assert (made / "CACHEDIR.TAG").read_text("utf-8").startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert list((made / cache_module.ENTRIES).glob("*.json"))
    # the walk never reads the cache, even with every exclude replaced and no .gitignore honoured
    (made / cache_module.ENTRIES / "planted.js").write_text(LEGACY, "utf-8")
    code, out, _ = _drmigrate("check", "--exclude", "nothing", "--no-respect-gitignore", "--show-files", ".",
                              cwd=project)
    assert b"planted" not in out and b"pay.js" in out
