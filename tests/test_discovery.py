"""Discovery over real directory trees: .gitignore, excludes, symlinks, size limit, explicit names."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from drmigrate.discovery import Discovery, Entry, WalkSettings
from drmigrate.runner import front_end_for


def _readable(path: str) -> bool:
    return front_end_for(path) is not None


def entries(root: Path, *paths: str, **settings: object) -> dict[str, Entry]:
    walk = WalkSettings(root=root, **settings)  # type: ignore[arg-type]
    found = Discovery(walk, _readable).entries([str(root / p) for p in paths] or [str(root)])
    return {Path(e.path).relative_to(root).as_posix() if Path(e.path).is_relative_to(root) else e.path: e
            for e in found}


def files(root: Path, *paths: str, **settings: object) -> list[str]:
    return [k for k, e in entries(root, *paths, **settings).items() if e.status == "file"]


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for name in ("a.js", "src/b.ts", "src/gen/c.js", "node_modules/x/d.js", "dist/e.js", "notes.txt",
                 "src/keep.min.js", "server/view.py", "build.js"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("digitalriver.createSource({type: 'payPal'});\n", "utf-8")
    (tmp_path / ".gitignore").write_text("*.min.js\n!keep.min.js\n", "utf-8")
    (tmp_path / "src" / ".gitignore").write_text("gen/\n", "utf-8")
    (tmp_path / ".git" / "info").mkdir(exist_ok=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("server/\n", "utf-8")
    return tmp_path


def test_walk_respects_gitignore_and_default_excludes(tree: Path) -> None:
    # nested .gitignore drops src/gen, .git/info/exclude drops server/, negation keeps keep.min.js,
    # node_modules and dist are default excludes; build.js is a file, not the build directory
    assert files(tree) == ["a.js", "build.js", "src/b.ts", "src/keep.min.js"]


def test_no_respect_gitignore(tree: Path) -> None:
    assert "src/gen/c.js" in files(tree, respect_gitignore=False)
    assert "server/view.py" in files(tree, respect_gitignore=False)


def test_exclude_replaces_defaults_and_extend_adds(tree: Path) -> None:
    found = files(tree, exclude=("src/",))
    assert "node_modules/x/d.js" in found and "src/b.ts" not in found
    found = files(tree, extend_exclude=("*.ts",))
    assert "src/b.ts" not in found and "node_modules/x/d.js" not in found


def test_explicit_files_bypass_excludes_unless_forced(tree: Path) -> None:
    assert files(tree, "dist/e.js", "src/gen/c.js") == ["dist/e.js", "src/gen/c.js"]
    forced = entries(tree, "dist/e.js", "src/gen/c.js", "a.js", force_exclude=True)
    assert forced["dist/e.js"].status == "skipped" and "exclude" in forced["dist/e.js"].reason
    assert forced["src/gen/c.js"].reason == "excluded by .gitignore"
    assert forced["a.js"].status == "file"


def test_explicit_unread_type_is_skipped_with_reason(tree: Path) -> None:
    assert entries(tree, "notes.txt")["notes.txt"].reason == "not a file type drmigrate reads"


def test_size_limit_is_a_reported_skip(tree: Path) -> None:
    (tree / "big.js").write_bytes(b"x" * 2_000)
    got = entries(tree, max_file_size=1_000)["big.js"]
    assert got.status == "skipped" and "max-file-size" in got.reason


def test_symlinks_are_reported_not_followed(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "o.js").write_text("x\n", "utf-8")
    os.symlink(outside / "o.js", tree / "out.js")
    os.symlink(tree / "a.js", tree / "alias.js")
    os.symlink(outside, tree / "linked_dir")
    os.symlink(tree / "loop.js", tree / "loop.js")
    found = entries(tree)
    assert "outside the tree" in found["out.js"].reason
    assert "checked itself" in found["alias.js"].reason
    assert "symlink to the directory" in found["linked_dir"].reason
    assert found["loop.js"].reason.startswith("symlink loop")
    assert {found[k].status for k in ("out.js", "alias.js", "linked_dir", "loop.js")} == {"skipped"}
    assert not any(k.startswith("linked_dir/") for k in found)


def test_each_file_once_in_a_stable_order(tree: Path) -> None:
    walk = WalkSettings(root=tree)
    twice = [e.path for e in Discovery(walk, _readable).entries([str(tree), str(tree / "a.js")])]
    assert twice.count(str(tree / "a.js")) == 1
    assert twice == [e.path for e in Discovery(walk, _readable).entries([str(tree), str(tree / "a.js")])]
