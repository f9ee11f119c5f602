"""Reporters: turn FileResults into text, JSON, SARIF, GitHub annotations, JUnit XML or unified diffs.

No decisions, only formatting. Text carries click styles; the CLI strips them when the output is not
a terminal or `--no-color` is given. Every reporter is a function of its inputs, so the output is the
same whatever order or process the files were analysed in.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from drmigrate.discovery import QUIET_SKIPS
from drmigrate.model import FileResult, Finding
from drmigrate.rules import RuleTable

JSON_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
STATES = ("migrated", "remaining", "manual", "suppressed")
STATE_TITLES = {"migrated": "migrated", "remaining": "remaining", "manual": "manual review",
                "suppressed": "suppressed"}


def _version() -> str:
    from importlib import metadata  # imported when a report names the version (SARIF), not at start

    try:
        return metadata.version("drmigrate")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


# --- summaries shared by the formats -----------------------------------------------------------

def code_counts(results: Sequence[FileResult]) -> list[tuple[str, str, int, int]]:
    """(code, name, count, fixable) for every code found, by code."""
    counts: Counter[str] = Counter()
    fixable: Counter[str] = Counter()
    names: dict[str, str] = {}
    for r in results:
        for f in r.findings:
            counts[f.code] += 1
            fixable[f.code] += f.fix_applicable
            names[f.code] = f.name
    return [(c, names[c], counts[c], fixable[c]) for c in sorted(counts)]


def type_counts(results: Sequence[FileResult]) -> list[tuple[str, int]]:
    counts = Counter(f.source_type or "(unknown type)" for r in results for f in r.findings)
    return sorted(counts.items())


def migration_status(results: Sequence[FileResult]) -> dict[str, dict[str, int]]:
    """Payload sites per method: migrated / remaining / manual (review) / suppressed."""
    table: dict[str, dict[str, int]] = {}
    for r in results:
        for site in r.sites:
            row = table.setdefault(site.source_type or "(unknown type)", dict.fromkeys(STATES, 0))
            row[site.state] += 1
    return dict(sorted(table.items()))


def statistics_text(results: Sequence[FileResult]) -> str:
    lines = ["", "Findings by code:"]
    counts = code_counts(results)
    width = max((len(n) for _, n, _, _ in counts), default=0)
    for code, name, count, fixable in counts:
        lines.append(f"  {count:>5}  {code}  {name:<{width}}  ({fixable} fixable)")
    if not counts:
        lines.append("  none")
    lines.append("Findings by payment method:")
    for source_type, count in type_counts(results) or [("none", 0)]:
        lines.append(f"  {count:>5}  {source_type}" if count else "  none")
    status = migration_status(results)
    lines.append("Migration status (payload sites):")
    if not status:
        lines.append("  no createSource payload seen")
        return "\n".join(lines)
    width = max(len("method"), *(len(t) for t in status))
    head = "".join(f"  {STATE_TITLES[s]:>13}" for s in STATES)
    lines.append(f"  {'method':<{width}}{head}")
    totals = dict.fromkeys(STATES, 0)
    for source_type, row in status.items():
        lines.append(f"  {source_type:<{width}}" + "".join(f"  {row[s]:>13}" for s in STATES))
        for s in STATES:
            totals[s] += row[s]
    lines.append(f"  {'total':<{width}}" + "".join(f"  {totals[s]:>13}" for s in STATES))
    return "\n".join(lines)


# --- text ---------------------------------------------------------------------------------------

def finding_line(path: str, f: Finding) -> str:
    mark = click.style(" [*]", fg="cyan") if f.fix_applicable else ""
    low = " (low confidence: receiver not recognised)" if f.confidence.value == "low" else ""
    where = click.style(f"{path}:{f.line}:{f.column}:", bold=True)
    return f"{where} {click.style(f.code, fg='red', bold=True)}{mark} {f.message}{low}"


def _loud_skip(r: FileResult) -> bool:
    return r.status == "skipped" and not r.reason.startswith(QUIET_SKIPS)


def to_text(results: Sequence[FileResult], *, fixing: bool, verbose: bool = False,
            statistics: bool = False) -> str:
    lines: list[str] = []
    for r in results:
        if verbose:
            parser = f" [{r.parser}]" if r.parser else ""
            lines.append(f"{r.path}: {r.status_text}{parser}")
        elif r.status == "error":
            lines.append(f"{click.style(r.path, bold=True)}: {click.style('error', fg='red')}: {r.reason}")
        elif _loud_skip(r):
            lines.append(f"{click.style(r.path, bold=True)}: {click.style('skipped', fg='yellow')}: {r.reason}")
        for f in r.findings:
            lines.append(finding_line(r.path, f))
    lines.append(summary(results, fixing=fixing))
    if statistics:
        lines.append(statistics_text(results))
    return "\n".join(lines) + "\n"


def summary(results: Sequence[FileResult], *, fixing: bool) -> str:
    findings = [f for r in results for f in r.findings]
    fixable = sum(1 for f in findings if f.fix_applicable)
    files_with = sum(1 for r in results if r.findings)
    changed = sum(1 for r in results if r.status == "fixed")
    errors = sum(1 for r in results if r.status == "error")
    skipped = sum(1 for r in results if r.status == "skipped")
    analysed = len(results) - errors - skipped
    parts = []
    if fixing:
        parts.append(f"Fixed {_plural(changed, 'file')}.")
    if findings:
        msg = f"Found {_plural(len(findings), 'finding')} in {_plural(files_with, 'file')}"
        if fixable and not fixing:
            msg += f" ({fixable} fixable with `drmigrate fix`)"
        parts.append(msg + ".")
    elif not fixing and errors:
        parts.append(f"No findings in the {_plural(analysed, 'file')} analysed.")
    elif not fixing:
        parts.append(f"All checks passed ({_plural(analysed, 'file')}).")
    if errors:
        parts.append(f"{errors} file{'s' if errors != 1 else ''} could not be analysed.")
    if skipped:
        parts.append(f"{_plural(skipped, 'file')} skipped (`--show-files` lists them).")
    return " ".join(parts)


# --- json ---------------------------------------------------------------------------------------

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
        "statistics": {
            "by_code": {code: count for code, _, count, _ in code_counts(results)},
            "by_source_type": dict(type_counts(results)),
        },
        "migration_status": migration_status(results),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- SARIF 2.1.0 --------------------------------------------------------------------------------

def _artifact(path: str) -> dict[str, str]:
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": Path(os.path.normpath(path)).as_posix(), "uriBaseId": "%SRCROOT%"}


def _level(code: str, fix: str) -> str:
    if code.startswith("DR3"):
        return "note"
    return "warning"


def _sarif_rule(table: RuleTable, code: str) -> dict[str, Any]:
    info = table.codes[code]
    fix = f"{info.fix_title} ({info.fix_safety} fix)" if info.fix_title else f"no automatic fix ({info.fix_safety})"
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


def _hunks(original: str, fixed: str) -> list[tuple[int, int, int, int, str]]:
    """(first line, last line, char offset, char length, inserted text) of each changed line range."""
    old = original.splitlines(keepends=True)
    new = fixed.splitlines(keepends=True)
    offsets = [0]
    for line in old:
        offsets.append(offsets[-1] + len(line))
    out = []
    import difflib

    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            out.append((i1 + 1, max(i1 + 1, i2), offsets[i1], offsets[i2] - offsets[i1], "".join(new[j1:j2])))
    return out


def _fixes(r: FileResult) -> dict[int, list[dict[str, Any]]]:
    """SARIF fixes by finding index: each changed hunk goes to the first fixable finding it touches."""
    if r.original is None or r.fixed is None or r.status == "fixed":
        return {}
    fixable = [(i, f) for i, f in enumerate(r.findings) if f.fix_applicable]
    if not fixable:
        return {}
    out: dict[int, list[dict[str, Any]]] = {}
    for first, last, offset, length, text in _hunks(r.original, r.fixed):
        owner = next((i for i, f in fixable if f.line <= last and f.end_line >= first), fixable[0][0])
        out.setdefault(owner, []).append({
            "deletedRegion": {"charOffset": offset, "charLength": length},
            "insertedContent": {"text": text},
        })
    return out


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
            if i in fixes:
                item["fixes"] = [{
                    "description": {"text": f"drmigrate fix: {table.codes[f.code].fix_title or f.name}"},
                    "artifactChanges": [{"artifactLocation": _artifact(r.path), "replacements": fixes[i]}],
                }]
            sarif_results.append(item)
    notifications = [
        {"level": "error" if r.status == "error" else "note",
         "message": {"text": f"{r.path}: {r.status}: {r.reason}"},
         "locations": [{"physicalLocation": {"artifactLocation": _artifact(r.path)}}]}
        for r in results if r.status == "error" or _loud_skip(r)
    ]
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "drmigrate",
                "version": _version(),
                "semanticVersion": _version(),
                "rules": [_sarif_rule(table, c) for c in codes],
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
            "invocations": [{
                "executionSuccessful": not any(r.status == "error" for r in results),
                "toolExecutionNotifications": notifications,
            }],
            "results": sarif_results,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- GitHub Actions workflow commands -----------------------------------------------------------

def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(results: Sequence[FileResult], *, fixing: bool) -> str:
    lines = []
    for r in results:
        path = _gh_property(r.path)
        if r.status == "error":
            lines.append(f"::error file={path},title=drmigrate::{_gh_data(r.reason)}")
        elif _loud_skip(r):
            lines.append(f"::notice file={path},title=drmigrate skipped::{_gh_data(r.reason)}")
        for f in r.findings:
            level = "notice" if f.code.startswith("DR3") else "warning"
            title = _gh_property(f"drmigrate {f.code} ({f.name})")
            lines.append(f"::{level} file={path},line={f.line},col={f.column},endLine={f.end_line},"
                         f"endColumn={f.end_column},title={title}::{_gh_data(f.message)}")
    lines.append(click.unstyle(summary(results, fixing=fixing)))
    return "\n".join(lines) + "\n"


# --- JUnit XML ----------------------------------------------------------------------------------

def to_junit(results: Sequence[FileResult]) -> str:
    """One test suite per file, one failing test case per finding (a clean file: one passing case)."""
    import xml.etree.ElementTree as ET

    suites = ET.Element("testsuites", name="drmigrate")
    totals = Counter[str]()
    for r in results:
        suite = ET.SubElement(suites, "testsuite", name=r.path)
        counts = Counter[str]()
        if r.status == "error":
            case = ET.SubElement(suite, "testcase", classname=r.path, name="analyse")
            ET.SubElement(case, "error", message=r.reason).text = r.reason
            counts["errors"] += 1
        elif r.status == "skipped":
            case = ET.SubElement(suite, "testcase", classname=r.path, name="analyse")
            ET.SubElement(case, "skipped", message=r.reason)
            counts["skipped"] += 1
        elif not r.findings:
            ET.SubElement(suite, "testcase", classname=r.path, name="no legacy payloads")
        for f in r.findings:
            case = ET.SubElement(suite, "testcase", classname=r.path, name=f"{f.code} line {f.line} column {f.column}")
            failure = ET.SubElement(case, "failure", message=f.message, type=f.code)
            failure.text = f"{r.path}:{f.line}:{f.column}: {f.code} {f.message}"
            counts["failures"] += 1
        counts["tests"] = len(suite)
        for key in ("tests", "failures", "errors", "skipped"):
            suite.set(key, str(counts[key]))
            totals[key] += counts[key]
    for key in ("tests", "failures", "errors", "skipped"):
        suites.set(key, str(totals[key]))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


# --- diff ---------------------------------------------------------------------------------------

def to_diff(results: Sequence[FileResult]) -> str:
    import difflib

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
