"""The SARIF 2.1.0 report (`--format sarif`), for code scanning: each code's help and doc link, the
locations, the fixes (when computed, not written) and, in the run's properties, what is left."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drmigrate.edits import changes
from drmigrate.model import FileResult, Finding, Step
from drmigrate.report.common import loud_skip, tool_version
from drmigrate.report.steps import next_steps
from drmigrate.rules import RuleTable

if TYPE_CHECKING:
    from drmigrate.report import Run

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(results: Sequence[FileResult], run: Run) -> str:
    return to_sarif(results, run.table)


def _artifact(path: str) -> dict[str, str]:
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": Path(os.path.normpath(path)).as_posix(), "uriBaseId": "%SRCROOT%"}


def _related(index: int, path: str, step: Step) -> dict[str, Any]:
    return {"id": index,
            "physicalLocation": {"artifactLocation": _artifact(step.path or path),
                                 "region": {"startLine": max(step.line, 1), "startColumn": max(step.column, 1)}},
            "message": {"text": step.what}}


def _level(code: str, fix: str) -> str:
    if code.startswith("DR3"):
        return "note"
    return "warning"


def _sarif_rule(table: RuleTable, code: str) -> dict[str, Any]:
    info = table.codes[code]
    title = info.general_fix_title
    fix = f"{title} ({info.fix_safety} fix)" if title else f"no automatic fix ({info.fix_safety})"
    example = f"Before:\n{info.example_before}\n\nAfter:\n{info.example_after or '(removed)'}"
    md_example = (f"Before:\n\n```js\n{info.example_before}\n```\n\nAfter:\n\n```js\n"
                  f"{info.example_after or '// (removed)'}\n```")
    return {
        "id": code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.rationale},
        "help": {
            "text": f"{info.summary}\n\nWhy: {info.rationale}\n\nFix: {fix}\n\n{example}\n\n"
                    f"Doc: {table.source_title} {table.source_url}\n`drmigrate explain {code}` says more.",
            "markdown": f"{info.summary}\n\n**Why.** {info.rationale}\n\n**Fix.** {fix}\n\n{md_example}\n\n"
                        f"Doc: [{table.source_title}]({table.source_url})",
        },
        "helpUri": table.source_url,
        "defaultConfiguration": {"level": _level(code, info.fix_safety)},
        "properties": {"fix": info.fix_safety, "tags": ["migration", "digitalriver-js"]},
    }


def _fixes(r: FileResult) -> dict[int, tuple[list[dict[str, Any]], list[int]]]:
    """SARIF fixes by finding index: each changed hunk goes to the first fixable finding it
    touches; with the replacements, the fixable findings its hunks touch (for its description)."""
    if r.original is None or r.fixed is None or r.status == "fixed":
        return {}
    fixable = [(i, f) for i, f in enumerate(r.findings) if f.fix_applicable]
    if not fixable:
        return {}
    out: dict[int, tuple[list[dict[str, Any]], list[int]]] = {}
    for first, last, offset, length, text in changes(r.original, r.fixed):
        touched = [i for i, f in fixable if f.line <= last and f.end_line >= first]
        owner = touched[0] if touched else fixable[0][0]
        replacements, covered = out.setdefault(owner, ([], []))
        replacements.append({
            "deletedRegion": {"charOffset": offset, "charLength": length},
            "insertedContent": {"text": text},
        })
        covered.extend(i for i in touched or [owner] if i not in covered)
    return out


def _fix_description(table: RuleTable, findings: Sequence[Finding]) -> str:
    """What a SARIF fix does: the fix title of each finding it resolves (their fields named)."""
    titles: list[str] = []
    for f in findings:
        info = table.codes.get(f.code)
        title = f.fix_title or (info.general_fix_title if info is not None else "") or f.name
        if title not in titles:
            titles.append(title)
    return "; ".join(titles)


def to_sarif(results: Sequence[FileResult], table: RuleTable) -> str:
    codes = list(table.codes)
    sarif_results = []
    for r in results:
        fixes = _fixes(r)
        for i, f in enumerate(r.findings):
            item: dict[str, Any] = {
                "ruleId": f.code,
                "ruleIndex": codes.index(f.code) if f.code in codes else -1,
                "level": _level(f.code, f.fix),
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": _artifact(r.path),
                    "region": {"startLine": f.line, "startColumn": f.column,
                               "endLine": f.end_line, "endColumn": f.end_column},
                }}],
                "properties": {"source_type": f.source_type, "fix": f.fix,
                               "confidence": f.confidence.value},
            }
            if f.related:
                item["relatedLocations"] = [_related(k, r.path, step) for k, step in enumerate(f.related)]
                # the payload's way, from where it is built (the finding) on to the call
                item["codeFlows"] = [{"threadFlows": [{"locations": [
                    {"location": {"physicalLocation": item["locations"][0]["physicalLocation"],
                                  "message": {"text": "built here"}}},
                    *({"location": {k: v for k, v in _related(k, r.path, step).items() if k != "id"}}
                      for k, step in enumerate(f.related)),
                ]}]}]
            if i in fixes:
                replacements, covered = fixes[i]
                described = _fix_description(table, [r.findings[k] for k in covered])
                item["fixes"] = [{
                    "description": {"text": f"drmigrate fix: {described}"},
                    "artifactChanges": [{"artifactLocation": _artifact(r.path), "replacements": replacements}],
                }]
            sarif_results.append(item)
    notifications = [
        {"level": "error" if r.status == "error" else "note",
         "message": {"text": f"{r.path}: {r.status}: {r.reason}"},
         "locations": [{"physicalLocation": {"artifactLocation": _artifact(r.path)}}]}
        for r in results if r.status == "error" or loud_skip(r)
    ] + [
        {"level": "note", "message": {"text": text},
         "locations": [{"physicalLocation": {"artifactLocation": _artifact(r.path),
                                             "region": {"startLine": max(line, 1), "startColumn": max(column, 1)}}}]}
        for r in results for line, column, text in r.notes
    ]
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "drmigrate",
                "version": tool_version(),
                "semanticVersion": tool_version(),
                "rules": [_sarif_rule(table, c) for c in codes],
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
            "invocations": [{
                "executionSuccessful": not any(r.status == "error" for r in results),
                "toolExecutionNotifications": notifications,
            }],
            "results": sarif_results,
            "properties": {"next_steps": next_steps(results)},
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

