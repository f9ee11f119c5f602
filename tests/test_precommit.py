"""The hooks through the real pre-commit, against this repository at its current state.

pre-commit installs a hook repository from a git commit, so the test commits a copy of the working
tree (tracked and new files, as `git ls-files` sees them) into a temporary repository and points a
temporary project at it: a commit carrying a legacy payload is blocked, `drmigrate-fix` rewrites it,
and the next commit passes. Dependencies come from PyPI through pip (its cache makes reruns quick).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LEGACY = "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});\n"
MANUAL = "function pay(payload) { return digitalriver.createSource(payload); }\n"
FIXED = ("digitalriver.createSource({type: 'wireTransfer', sessionId: checkout.payment.session.id, "
         "wireTransfer: {}});\n")


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _hook_repo(target: Path) -> str:
    """A committed copy of the working tree; returns its commit."""
    names = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).split("\0")
    for name in filter(None, names):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git("init", "-q", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "drmigrate under test", cwd=target)
    return git("rev-parse", "HEAD", cwd=target).strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_hooks_block_fix_and_pass(tmp_path: Path) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    rev = _hook_repo(hooks)
    project = tmp_path / "shop"
    project.mkdir()
    git("init", "-q", cwd=project)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: drmigrate-fix\n      - id: drmigrate\n",
        "utf-8")
    (project / ".drmigrate.toml").write_text('session-id = "checkout.payment.session.id"\n', "utf-8")
    (project / "README.md").write_text("shop\n", "utf-8")
    git("add", "-A", cwd=project)
    git("commit", "-q", "--no-verify", "-m", "start", cwd=project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    install = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=project, env=env,
                             capture_output=True, text=True, check=False)
    assert install.returncode == 0, install.stdout + install.stderr

    (project / "pay.js").write_text(LEGACY, "utf-8")
    git("add", "pay.js", cwd=project)
    blocked = subprocess.run(["git", "commit", "-m", "legacy payload"], cwd=project, env=env,
                             capture_output=True, text=True, check=False)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "files were modified by this hook" in output
    assert "Fixed 3 findings in 1 file; nothing remains." in output
    # drmigrate itself exited 0 (nothing remains): pre-commit fails the hook because files changed
    fix_hook = output.split("drmigrate fix", 1)[1].split("drmigrate (", 1)[0]
    assert "exit code" not in fix_hook, output
    assert (project / "pay.js").read_text("utf-8") == FIXED  # drmigrate-fix rewrote it

    git("add", "pay.js", cwd=project)
    passed = subprocess.run(["git", "commit", "-m", "migrated payload"], cwd=project, env=env,
                            capture_output=True, text=True, check=False)
    assert passed.returncode == 0, passed.stdout + passed.stderr

    (project / "more.js").write_text(LEGACY, "utf-8")
    check_only = subprocess.run([sys.executable, "-m", "pre_commit", "run", "drmigrate", "--files", "more.js"],
                                cwd=project, env=env, capture_output=True, text=True, check=False)
    assert check_only.returncode == 1 and "more.js:1:28: DR100" in check_only.stdout
    assert (project / "more.js").read_text("utf-8") == LEGACY  # the check hook never writes

    # what fixing cannot resolve fails the fix hook by its own exit code, with nothing modified
    (project / "manual.js").write_text(MANUAL, "utf-8")
    manual = subprocess.run([sys.executable, "-m", "pre_commit", "run", "drmigrate-fix", "--files", "manual.js"],
                            cwd=project, env=env, capture_output=True, text=True, check=False)
    assert manual.returncode == 1, manual.stdout
    assert "exit code: 1" in manual.stdout and "files were modified" not in manual.stdout
    assert "DR200" in manual.stdout and (project / "manual.js").read_text("utf-8") == MANUAL

    # the templates read by default reach the hooks (identify knows them: types_or)
    (project / "checkout.liquid").write_text("<script>\n{{ x }}\n" + LEGACY + "</script>\n", "utf-8")
    (project / "pay.astro").write_text("---\nconst a = 1;\n---\n<script>\n" + LEGACY + "</script>\n", "utf-8")
    templates = subprocess.run([sys.executable, "-m", "pre_commit", "run", "drmigrate", "--files",
                                "checkout.liquid", "pay.astro"],
                               cwd=project, env=env, capture_output=True, text=True, check=False)
    assert templates.returncode == 1, templates.stdout
    assert "checkout.liquid:3:28: DR100" in templates.stdout and "pay.astro:5:28: DR100" in templates.stdout

    # a commit of build output only: --force-exclude drops every file, which is no failure
    (project / "dist").mkdir()
    (project / "dist" / "app.js").write_text(LEGACY, "utf-8")
    built = subprocess.run([sys.executable, "-m", "pre_commit", "run", "drmigrate", "--files", "dist/app.js"],
                           cwd=project, env=env, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stdout
