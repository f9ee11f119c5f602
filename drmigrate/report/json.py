"""The JSON report (`--format json`): one versioned object with every finding (its code frame, and
the diff of its fix when the fixes were computed but not written), the files, the counts, the site
tables and what is left. The HTML page and `report merge` read it back."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from drmigrate.model import FileResult, Finding, SiteOutcome, Step
from drmigrate.report import codeframe
from drmigrate.report.common import (
    STATES,
    call_status,
    code_counts,
    counts,
    finding_state,
    help_text,
    migration_status,
    tool_version,
    type_counts,
)
from drmigrate.report.steps import next_steps
from drmigrate.rules import RuleTable

if TYPE_CHECKING:
    from drmigrate.report import Run

JSON_VERSION = 1


def render(results: Sequence[FileResult], run: Run) -> str:
    return to_json(results, table=run.table, fixing=run.fixing, repository=run.repository,
                   baseline=run.baseline)


def finding_dict(path: str, f: Finding, *, url: str | None = None, frame: Sequence[codeframe.Row] = (),
                 fix_diff: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
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
        "fix_title": f.fix_title,
        "state": finding_state(f),
        "help": help_text(f),
        "url": url,
        "frame": codeframe.as_dicts(frame),
    }
    if fix_diff:
        item["fix_diff"] = fix_diff
    if f.related:
        item["related"] = [step_dict(step, path) for step in f.related]
    if f.suggestion:
        item["suggestion"] = {"session_id": f.suggestion, "apply": "drmigrate fix --session-id-from-scope"}
    return item


def step_dict(step: Step, path: str) -> dict[str, Any]:
    """A place on a payload's way (its file: the finding's own when the step has none)."""
    return {"path": step.path or path, "line": step.line, "column": step.column, "message": step.what}


def followed_dict(path: str, site: SiteOutcome) -> dict[str, Any]:
    """A call whose payload is built in other files: where, and the state it takes from there."""
    return {"line": site.line, "column": site.column, "call": site.call, "source_type": site.source_type,
            "state": site.state, "builders": [step_dict(b, path) for b in site.builders]}


def site_counts(r: FileResult) -> dict[str, int]:
    row = dict.fromkeys(STATES, 0)
    for site in r.sites:
        row[site.state] = row.get(site.state, 0) + 1
    return row


def finding_items(results: Sequence[FileResult], *, table: RuleTable | None = None,
                  fixing: bool = False) -> Iterator[dict[str, Any]]:
    """Each finding of the JSON report in turn (made one file at a time)."""
    url = table.source_url if table is not None else None
    for r in results:
        diffs = fix_diffs(r, fixing=fixing)
        for i, (f, frame) in enumerate(zip(r.findings, codeframe.frames(r, fixing=fixing), strict=True)):
            yield finding_dict(r.path, f, url=url, frame=frame, fix_diff=diffs.get(i))


def report_doc(results: Sequence[FileResult], *, table: RuleTable | None = None, fixing: bool = False,
               repository: str | None = None, baseline: dict[str, Any] | None = None,
               findings: bool = True) -> dict[str, Any]:
    """The JSON report as a dict: what `--format json` prints and what the HTML page and
    `drmigrate report merge` read. Every finding carries its code frame, so a report can be shown
    without the sources; when the fixes were computed but not written, also the diff of its fix.
    Without `findings`, the list is left empty (`chunks` writes it one finding at a time)."""
    doc: dict[str, Any] = {
        "version": JSON_VERSION,
        "tool": {"name": "drmigrate", "version": tool_version()},
        "repository": repository,
        "mode": "fix" if fixing else "check",
        "summary": counts(results).as_dict(),
        "files": [
            {"path": r.path, "status": r.status_text, "parser": r.parser or None,
             "findings": len(r.findings), "sites": site_counts(r),
             **({"followed": [followed_dict(r.path, s) for s in r.followed]} if r.followed else {}),
             **({"notes": [{"line": line, "column": column, "message": text} for line, column, text in r.notes]}
                if r.notes else {})}
            for r in results
        ],
        "findings": list(finding_items(results, table=table, fixing=fixing)) if findings else [],
        "statistics": {
            "by_code": {code: count for code, _, count, _ in code_counts(results)},
            "by_source_type": dict(type_counts(results)),
        },
        # per payment method; a `calls` table {call kind: {method: {state: count}}} may join it
        "migration_status": migration_status(results),
        "calls": call_status(results),
        "next_steps": next_steps(results),
    }
    if baseline is not None:
        doc["baseline"] = baseline
    return doc


def to_json(results: Sequence[FileResult], *, table: RuleTable | None = None, fixing: bool = False,
            repository: str | None = None, baseline: dict[str, Any] | None = None) -> str:
    return "".join(_chunks(results, table=table, fixing=fixing, repository=repository, baseline=baseline))


def chunks(results: Sequence[FileResult], run: Run) -> Iterator[str]:
    """The report as pieces to write one after the other: the findings one by one, so a run of
    50,000 findings never holds them all again beside its results (nor the whole text)."""
    return _chunks(results, table=run.table, fixing=run.fixing, repository=run.repository, baseline=run.baseline)


def _chunks(results: Sequence[FileResult], *, table: RuleTable | None, fixing: bool, repository: str | None,
            baseline: dict[str, Any] | None) -> Iterator[str]:
    # the text json.dumps(doc, indent=2) gives, written as it is made: the document with a marker
    # where the findings go, and each finding at the indentation it has there
    doc = report_doc(results, table=table, fixing=fixing, repository=repository, baseline=baseline,
                     findings=False)
    marker = "\0findings\0"
    doc["findings"] = marker
    head, tail = json.dumps(doc, indent=2, ensure_ascii=False).split(json.dumps(marker), 1)
    yield head
    first = True
    for item in finding_items(results, table=table, fixing=fixing):
        yield ("[\n    " if first else ",\n    ") + json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n    ")
        first = False
    yield ("[]" if first else "\n  ]") + tail + "\n"


def _unified_range(start: int, stop: int) -> str:
    length = stop - start
    first = start + 1 if length else start
    return f"{first}" if length == 1 else f"{first},{length}"


def fix_diffs(r: FileResult, *, fixing: bool) -> dict[int, str]:
    """The diff hunks of each fixable finding (by index), when the fixes were computed and not
    written: a hunk belongs to every fixable finding on the lines it changes or right above them."""
    if fixing or r.original is None or r.fixed is None or r.original == r.fixed:
        return {}
    fixable = [(i, f) for i, f in enumerate(r.findings) if f.fix_applicable]
    if not fixable:
        return {}
    old = r.original.splitlines(keepends=True)
    new = r.fixed.splitlines(keepends=True)
    import difflib

    out: dict[int, str] = {}
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for group in matcher.get_grouped_opcodes(1):
        changed = [(i1, i2) for tag, i1, i2, _, _ in group if tag != "equal"]
        low, high = min(c[0] for c in changed), max(c[1] for c in changed)
        # 1-based: the changed lines and the line before them (an insertion goes after a line, as
        # `sessionId` goes after the `type` line that DR100 points at)
        first, last = low, max(high, low + 1)
        hunk = [f"@@ -{_unified_range(group[0][1], group[-1][2])} +{_unified_range(group[0][3], group[-1][4])} @@"]
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk.extend(" " + line.rstrip("\r\n") for line in old[i1:i2])
                continue
            hunk.extend("-" + line.rstrip("\r\n") for line in old[i1:i2])
            hunk.extend("+" + line.rstrip("\r\n") for line in new[j1:j2])
        text = "\n".join(hunk) + "\n"
        for i, f in fixable:
            if f.line <= last and f.end_line >= first:
                out[i] = out.get(i, "") + text
    return out

