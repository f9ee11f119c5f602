"""Helpers of the attack suite (tests/test_attacks_*.py): the real CLI in a subprocess, on bytes.

The repository a run reads is the attacker's: its file names, contents, configuration, cache and
reports. Each test builds such a repository in a temporary directory and runs the installed code
the way a user does, so the streams are real byte streams (an encoding error there is a crash,
not a test artefact).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import drmigrate

PACKAGE_ROOT = Path(drmigrate.__file__).resolve().parent.parent
LEGACY = "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});\n"
FIXED = "digitalriver.createSource({type: 'wireTransfer', sessionId: sid, wireTransfer: {}});\n"
# what a hostile string literal, file name or report field carries: a line that GitHub's runner
# reads as a command, a window title and a clipboard write (OSC 52), a bidi override
INJECTION = "x\n::error file=app.js,line=1::FAKE\r\n\x1b]0;T\x07\x1b]52;c;ZXZpbA==\x07\u202eevil"
OUR_COMMAND = re.compile(
    r"::(warning|error|notice) file=[^,:\n]*(,line=\d+,col=\d+,endLine=\d+,endColumn=\d+)?,title=[^:\n]*::")


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT), "NO_COLOR": "1", **extra}


def run(*args: str | bytes, cwd: Path, input: bytes | None = None, timeout: float = 120,
        preexec_fn: Callable[[], None] | None = None, extra_env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[bytes]:
    """`drmigrate ARGS` in `cwd`, every stream as bytes."""
    return subprocess.run([sys.executable, "-m", "drmigrate.cli", *args], cwd=cwd, input=input,
                          capture_output=True, timeout=timeout, env=env(**(extra_env or {})),
                          preexec_fn=preexec_fn, check=False, stdin=None if input is not None else subprocess.DEVNULL)


def assert_one_line_errors(done: subprocess.CompletedProcess[bytes]) -> None:
    """No traceback, and every stream is UTF-8."""
    assert b"Traceback" not in done.stderr, done.stderr.decode("utf-8", "replace")[-2000:]
    done.stdout.decode("utf-8")
    done.stderr.decode("utf-8")


def assert_neutral(text: str, *, commands: bool = False) -> None:
    """Nothing in `text` acts on a terminal or a CI log: no control character but line breaks,
    no bidi override, and no line that starts with `::` (but drmigrate's own commands, when
    `commands`)."""
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text), repr(text)[:2000]
    for line in text.split("\n"):
        if line.lstrip().startswith("::"):
            assert commands and OUR_COMMAND.match(line), line


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")


def lines_of(streams: Sequence[bytes]) -> str:
    return "\n".join(s.decode("utf-8") for s in streams)
