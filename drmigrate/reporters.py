"""Reporters: turn FileResults into text, JSON or unified diffs. No decisions, only formatting."""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from typing import Any

from drmigrate.model import FileResult, Finding

JSON_VERSION = 1


def finding_dict(path: str, f: Finding) -> dict[str, Any]:
    return {
        "path": path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "code": f.code,
        "name": f.name,
        "message": f.message,
        "source_type": f.source_type,
        "fix": f.fix,
        "fix_applicable": f.fix_applicable,
        "confidence": f.confidence.value,
    }


def to_json(results: Sequence[FileResult]) -> str:
    doc = {
        "version": JSON_VERSION,
        "files": [
            {"path": r.path, "status": r.status_text, "parser": r.parser or None} for r in results
        ],
        "findings": [finding_dict(r.path, f) for r in results for f in r.findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def finding_line(path: str, f: Finding) -> str:
    mark = " [*]" if f.fix_applicable else ""
    low = " (low confidence: receiver not recognised)" if f.confidence.value == "low" else ""
    return f"{path}:{f.line}:{f.column}: {f.code}{mark} {f.message}{low}"


def to_text(results: Sequence[FileResult], *, fixing: bool, verbose: bool = False) -> str:
    lines: list[str] = []
    for r in results:
        if verbose:
            parser = f" [{r.parser}]" if r.parser else ""
            lines.append(f"{r.path}: {r.status_text}{parser}")
        elif r.status in ("error", "skipped") and r.reason and r.status == "error":
            lines.append(f"{r.path}: error: {r.reason}")
        for f in r.findings:
            lines.append(finding_line(r.path, f))
    lines.append(summary(results, fixing=fixing))
    return "\n".join(lines) + "\n"


def summary(results: Sequence[FileResult], *, fixing: bool) -> str:
    findings = [f for r in results for f in r.findings]
    fixable = sum(1 for f in findings if f.fix_applicable)
    files_with = sum(1 for r in results if r.findings)
    changed = sum(1 for r in results if r.changed)
    errors = sum(1 for r in results if r.status == "error")
    parts = []
    if fixing:
        parts.append(f"Fixed {changed} file{'s' if changed != 1 else ''}.")
    if findings:
        msg = f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} in {files_with} file" + (
            "s" if files_with != 1 else "")
        if fixable and not fixing:
            msg += f" ({fixable} fixable with `drmigrate fix`)"
        parts.append(msg + ".")
    elif not fixing:
        parts.append(f"All checks passed ({len(results)} file{'s' if len(results) != 1 else ''}).")
    if errors:
        parts.append(f"{errors} file{'s' if errors != 1 else ''} could not be analysed.")
    return " ".join(parts)


def to_diff(results: Sequence[FileResult]) -> str:
    chunks: list[str] = []
    for r in results:
        if not r.changed or r.original is None or r.fixed is None:
            continue
        chunks.extend(
            difflib.unified_diff(
                r.original.splitlines(keepends=True),
                r.fixed.splitlines(keepends=True),
                fromfile=r.path if r.path.startswith("/") else f"a/{r.path}",
                tofile=r.path if r.path.startswith("/") else f"b/{r.path}",
            )
        )
        if chunks and not chunks[-1].endswith("\n"):
            chunks[-1] += "\n\\ No newline at end of file\n"
    return "".join(chunks)
