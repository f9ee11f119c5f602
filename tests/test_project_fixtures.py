"""Multi-file fixtures: a payload built in one file and sent from another.

Each case is a folder `fixtures/project/<case>/` holding `before/` (a small project tree), `after/`
(the files `drmigrate fix` changes, as it leaves them; absent: nothing changes), `expected.json` (what `check`
reports on `before/`: each finding's path, line, code and whether `fix` applies it, a DR200's
message, and each call whose payload was followed into other files, with its state) and
optionally `args.json` (more command-line arguments, e.g. `["--session-id", "sid"]`). The tree is
copied into a fresh git repository, so the project root is the case's own.
`DRMIGRATE_UPDATE_FIXTURES=1` rewrites `after/` and `expected.json`; review every rewrite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drmigrate.cli import main
from tests.fixturelib import FIXTURES, UPDATE

PROJECT = FIXTURES / "project"
CASES = sorted(p for p in PROJECT.iterdir() if (p / "before").is_dir()) if PROJECT.is_dir() else []


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts
            and ".drmigrate_cache" not in p.relative_to(root).parts}


def _run(tree: Path, *args: str) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        result = CliRunner().invoke(main, [*args, "--no-cache", "."], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout


def _report(tree: Path, extra: list[str]) -> dict[str, Any]:
    code, out = _run(tree, "check", "--format", "json", *extra)
    assert code in (0, 1), out
    data = json.loads(out)
    # a DR200's message is its verdict (why the payload could not be followed, naming candidates)
    findings = [{"path": f["path"], "line": f["line"], "code": f["code"], "fixed": f["fix_applicable"],
                 **({"message": f["message"]} if f["code"] == "DR200" else {})}
                for f in data["findings"]]
    followed = [{"path": f["path"], "line": s["line"], "state": s["state"],
                 "built_at": [f"{b['path']}:{b['line']}" for b in s.get("builders", [])]}
                for f in data["files"] for s in f.get("followed", [])]
    return {"findings": findings, "followed": followed}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_project_fixture(case: Path, tmp_path: Path) -> None:
    tree = tmp_path / "shop"
    shutil.copytree(case / "before", tree)
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    extra = json.loads((case / "args.json").read_text("utf-8")) if (case / "args.json").exists() else []
    report = _report(tree, extra)
    before = _tree(tree)
    code, out = _run(tree, "fix", *extra)
    assert code in (0, 1), out
    after = _tree(tree)
    if UPDATE:
        (case / "expected.json").write_text(json.dumps(report, indent=1) + "\n", "utf-8")
        if (case / "after").exists():
            shutil.rmtree(case / "after")
        for rel, data in after.items():
            if before.get(rel) != data:
                target = case / "after" / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
    assert report == json.loads((case / "expected.json").read_text("utf-8"))
    want = {**before, **(_tree(case / "after") if (case / "after").exists() else {})}
    assert after == want
    # a second fix changes nothing, and `--diff` of the result is empty
    code, out = _run(tree, "fix", *extra)
    assert _tree(tree) == want, out
    code, out = _run(tree, "check", "--diff", *extra)
    assert not out.strip(), out
