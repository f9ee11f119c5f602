"""Discovery over real directory trees: .gitignore, excludes, symlinks, size limit, explicit names.

Every walk test runs twice: with the files listed by `git ls-files` (the default inside a work
tree) and with the walk in Python; the two must give the same entries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from drmigrate.discovery import Discovery, Entry, WalkSettings
from drmigrate.runner import front_end_for


def _readable(path: str) -> bool:
    return front_end_for(path) is not None


LISTING = {"git": True}  # how the tests below list a work tree (set by the `listing` fixture)


@pytest.fixture(params=[True, False], ids=["git", "walk"], autouse=True)
def listing(request: pytest.FixtureRequest) -> None:
    LISTING["git"] = bool(request.param)


def entries(root: Path, *paths: str, **settings: object) -> dict[str, Entry]:
    walk = WalkSettings(root=root, git=LISTING["git"], **settings)  # type: ignore[arg-type]
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
    assert forced["dist/e.js"] == (str(tree / "dist/e.js"), "skipped",
                                   ("excluded by the default excludes (`dist`), which --force-exclude applies "
                                   "to named files; pass --exclude '' to check it"), 0)
    assert forced["src/gen/c.js"].reason == ("excluded by .gitignore, which --force-exclude applies to named "
                                             "files; pass --no-respect-gitignore to check it")
    assert forced["a.js"].status == "file"


@pytest.mark.parametrize(
    ("named", "settings", "reason"),
    [
        pytest.param("node_modules/x", {}, "a directory excluded by the default excludes (`node_modules`); "
                     "pass --exclude '' to check it", id="default-exclude"),
        pytest.param("node_modules", {}, "a directory excluded by the default excludes (`node_modules`); "
                     "pass --exclude '' to check it", id="the-excluded-dir-itself"),
        pytest.param("src", {"extend_exclude": ("src/",)}, "a directory excluded by extend-exclude (`src/`); "
                     "remove it from extend-exclude to check it", id="extend-exclude"),
        pytest.param("src", {"exclude": ("/src",)}, "a directory excluded by the exclude setting (`/src`); "
                     "change exclude to check it", id="exclude"),
        pytest.param("src/gen", {}, "a directory excluded by .gitignore; pass --no-respect-gitignore to check it",
                     id="gitignore"),
        pytest.param("server", {}, "a directory excluded by .gitignore; pass --no-respect-gitignore to check it",
                     id="info-exclude"),
    ],
)
def test_named_directory_that_the_excludes_drop_is_named(tree: Path, named: str, settings: dict[str, object],
                                                         reason: str) -> None:
    assert entries(tree, named, **settings) == {named: (str(tree / named), "skipped", reason, 0)}


def test_named_repository_inside_an_ignored_directory_is_walked(tree: Path) -> None:
    # a repository of its own (a benchmark tree, a checkout in `build/`) answers to its own ignore
    # files only, as the walk of it does: the outer .gitignore that ignores its parent does not apply
    nested = tree / "src" / "gen" / "shop"
    nested.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(nested)], check=True)
    (nested / "pay.js").write_text("x\n", "utf-8")
    assert files(tree, "src/gen/shop") == ["src/gen/shop/pay.js"]


def test_named_directory_with_nothing_to_read_is_named(tree: Path) -> None:
    (tree / "docs").mkdir()
    (tree / "docs" / "guide.md").write_text("digitalriver.createSource(x)\n", "utf-8")
    found = entries(tree, "docs")
    assert [e.status for e in found.values()] == ["skipped"]
    assert found["docs"].reason.startswith("a directory with no file drmigrate reads")


def test_explicit_unread_type_is_skipped_with_reason(tree: Path) -> None:
    assert entries(tree, "notes.txt")["notes.txt"].reason == "not a file type drmigrate reads"


def test_walk_turns_up_unread_text_files_for_their_bytes_only(tree: Path) -> None:
    (tree / "theme").mkdir()
    for name in ("checkout.vm", "logo.png", "guide.md"):
        (tree / "theme" / name).write_bytes(b"digitalriver.createSource({})\n")
    walk = WalkSettings(root=tree, git=LISTING["git"])
    found = {Path(e.path).name: e.status for e in Discovery(walk, _readable, lambda n: not n.endswith(".png"))
             .entries([str(tree / "theme")])}
    # no binary is ever opened; the others are `unread`, the report decides from their bytes
    assert found == {"checkout.vm": "unread", "guide.md": "unread", "theme": "skipped"}


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


# ---------------------------------------------------------------------------------------------
# `git ls-files` and the Python walk: the same entries on repositories with every complication


def _git(*args: str, cwd: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", "-c", "protocol.file.allow=always", *args], cwd=cwd, check=True,
                   capture_output=True, env=env)


def _write(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("digitalriver.createSource({type: 'payPal'});\n", "utf-8")


@pytest.fixture()
def complicated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tracked, untracked, tracked-but-ignored, nested .gitignore with a negation, info/exclude,
    an excluded directory that is tracked, a nested repository, a submodule, symlinks of every
    kind, a deleted tracked file."""
    other = tmp_path_factory.mktemp("module")
    _write(other, "m.js")
    _git("init", "-q", ".", cwd=other)
    _git("add", "-A", cwd=other)
    _git("commit", "-qm", "m", cwd=other)
    root = tmp_path_factory.mktemp("shop")
    _git("init", "-q", ".", cwd=root)
    _write(root, "a.js", "gone.js", "src/x.js", "src/gen/g.js", "src/keep/k.js", "src/keep/k.min.js",
           "src/drop.min.js", "lib/l.ts", "build/b.js", "docs/node_modules/p/p.js", "a/b/c/deep.js",
           "logs/today.log.js")
    (root / ".gitignore").write_text("*.min.js\n!src/keep/*.min.js\nbuild/\nlinked/\nlogs\n", "utf-8")
    (root / "src" / ".gitignore").write_text("gen/\n!gen/\n", "utf-8")
    (root / ".git" / "info" / "exclude").write_text("lib/\n", "utf-8")
    _git("add", "-f", "-A", cwd=root)
    _git("commit", "-qm", "shop", cwd=root)
    (root / "gone.js").unlink()
    _write(root, "src/untracked.js", "nested/n.js", "nested/ignored.js")
    _git("init", "-q", ".", cwd=root / "nested")
    (root / "nested" / ".gitignore").write_text("ignored.js\n", "utf-8")
    _git("submodule", "add", "-q", str(other), "mod", cwd=root)
    for link, target in (("linked", "src"), ("linkdir", "src"), ("alias.js", "a.js"),
                         ("broken.js", "nowhere.js"), ("outside.js", str(other / "m.js"))):
        os.symlink(target, root / link)
    return root


def _listed(root: Path, paths: list[str], git: bool, **settings: object) -> tuple[list[Entry], list[str]]:
    walk = WalkSettings(root=root, git=git, **settings)  # type: ignore[arg-type]
    discovery = Discovery(walk, _readable)
    return list(discovery.entries(paths)), discovery.listed_by_git


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("settings", [
    pytest.param({}, id="defaults"),
    pytest.param({"extend_exclude": ("*.ts", "a/b/")}, id="extend-exclude"),
    pytest.param({"exclude": ("!nothing",)}, id="exclude-with-negation"),
    pytest.param({"include": ("src/",)}, id="include"),
    pytest.param({"respect_gitignore": False}, id="no-gitignore"),
])
@pytest.mark.parametrize("given", [
    pytest.param(["."], id="dot"),
    pytest.param(["{root}"], id="absolute"),
    pytest.param(["src", "src/x.js", "build"], id="subdirs-and-file"),
    pytest.param(["a/b", "nested", "mod"], id="nested-repos"),
])
def test_git_listing_equals_the_walk(complicated: Path, monkeypatch: pytest.MonkeyPatch,
                                     settings: dict[str, object], given: list[str]) -> None:
    monkeypatch.chdir(complicated)
    paths = [g.format(root=complicated) for g in given]
    by_git, listed = _listed(complicated, paths, True, **settings)
    walked, none = _listed(complicated, paths, False, **settings)
    assert by_git == walked
    assert none == [] and (listed != []) == (settings.get("respect_gitignore", True) is not False)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_listing_sees_what_the_walk_sees(complicated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(complicated)
    found, _ = _listed(complicated, ["."], True)
    shown = {e.path: e.status for e in found}
    # tracked-but-ignored (build/), info/exclude (lib/), nested ignore, excluded dir (docs/node_modules)
    # and the deleted file are absent; negations and untracked files are present
    assert shown == {
        "a/b/c/deep.js": "file", "./a.js": "file", "./alias.js": "skipped", "./broken.js": "skipped",
        "./linkdir": "skipped", "mod/m.js": "file", "nested/n.js": "file", "./outside.js": "skipped",
        "src/gen/g.js": "file", "src/keep/k.js": "file", "src/keep/k.min.js": "file",
        "src/untracked.js": "file", "src/x.js": "file",
    }


def test_without_git_or_outside_a_work_tree_the_walk_runs(tree: Path, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    with_git, listed = _listed(tree, [str(tree)], True)
    assert listed
    monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("empty")))  # no git to be found
    without, listed = _listed(tree, [str(tree)], True)
    assert without == with_git and listed == []
    plain = tmp_path_factory.mktemp("plain")  # not a repository: .gitignore files do not apply
    _write(plain, "a.js", "b.min.js")
    (plain / ".gitignore").write_text("a.js\n", "utf-8")
    assert [Path(e.path).name for e in _listed(plain, [str(plain)], True)[0]] == ["a.js", "b.min.js"]


def test_fifo_is_reported_by_the_walk(tmp_path: Path) -> None:
    # the one thing git never lists: a FIFO (or socket) with a readable name
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / "pipe.js")
    found, _ = _listed(tmp_path, [str(tmp_path)], False)
    assert [(Path(e.path).name, e.status) for e in found] == [("pipe.js", "skipped")]


@pytest.mark.parametrize("patterns", [("node_modules", "dist/", "vendor"), ("build", "*.min.js", "lib/x/")])
@pytest.mark.parametrize("rel,is_dir", [
    ("node_modules", True), ("node_modules", False), ("a/node_modules/b.js", False), ("dist", False),
    ("dist", True), ("src/dist/x.js", False), ("src/dist", False), ("vendor.js", False),
    ("build/x.js", False), ("a/b.min.js", False), ("lib/x", True), ("lib/x/y.js", False), ("x/lib/x", True),
])
def test_plain_names_match_as_pathspec_does(patterns: tuple[str, ...], rel: str, is_dir: bool) -> None:
    import pathspec

    from drmigrate.discovery import Patterns

    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    assert Patterns(patterns).match(rel, is_dir) == spec.match_file(rel + ("/" if is_dir else ""))
