"""GitHub Actions workflow commands (`--format github`): one annotation per finding, error and named
skip, then the summary line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from drmigrate.escape import neutral_lines
from drmigrate.model import FileResult
from drmigrate.report.common import loud_skip, summary

if TYPE_CHECKING:
    from drmigrate.report import Run


def render(results: Sequence[FileResult], run: Run) -> str:
    return to_github(results, fixing=run.fixing)


def _gh_data(text: str) -> str:
    """A command's message, escaped as GitHub's runner unescapes it (`%`, CR and LF); the text
    reaches here with its control characters already written as visible escapes."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """A command's property value (`file=`, `title=`): also `:` and `,`, which end one."""
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(results: Sequence[FileResult], *, fixing: bool) -> str:
    lines = []
    for r in results:
        path = _gh_property(r.path)
        if r.status == "error":
            lines.append(f"::error file={path},title=drmigrate::{_gh_data(r.reason)}")
        elif loud_skip(r):
            lines.append(f"::notice file={path},title=drmigrate skipped::{_gh_data(r.reason)}")
        for f in r.findings:
            level = "notice" if f.code.startswith("DR3") else "warning"
            title = _gh_property(f"drmigrate {f.code} ({f.name})")
            lines.append(f"::{level} file={path},line={f.line},col={f.column},endLine={f.end_line},"
                         f"endColumn={f.end_column},title={title}::{_gh_data(f.message)}")
    # the one line that is not a command: its paths and reasons must not make it one
    lines.append(neutral_lines(click.unstyle(summary(results, fixing=fixing))))
    return "\n".join(lines) + "\n"

