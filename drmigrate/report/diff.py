"""The unified diff of the fixes (`--diff`), and its colours."""

from __future__ import annotations

from collections.abc import Sequence

import click

from drmigrate.escape import printable
from drmigrate.model import FileResult


def styled_diff(diff: str) -> str:
    """`diff` with click styles (headers bold, hunks cyan, removals red, additions green)."""
    out = []
    for line in diff.splitlines(keepends=True):
        body, end = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        if line.startswith(("---", "+++")):
            body = click.style(body, bold=True)
        elif line.startswith("@@"):
            body = click.style(body, fg="cyan")
        elif line.startswith("-"):
            body = click.style(body, fg="red")
        elif line.startswith("+"):
            body = click.style(body, fg="green")
        out.append(body + end)
    return "".join(out)


def to_diff(results: Sequence[FileResult]) -> str:
    import difflib

    chunks: list[str] = []
    for r in results:
        if not r.changed or r.original is None or r.fixed is None:
            continue
        # the header names the file: a name with a newline or ESC in it must not end or forge a line
        path = printable(r.path)
        chunks.extend(
            difflib.unified_diff(
                r.original.splitlines(keepends=True),
                r.fixed.splitlines(keepends=True),
                fromfile=path if path.startswith("/") else f"a/{path}",
                tofile=path if path.startswith("/") else f"b/{path}",
            )
        )
        if chunks and not chunks[-1].endswith("\n"):
            chunks[-1] += "\n\\ No newline at end of file\n"
    return "".join(chunks)

