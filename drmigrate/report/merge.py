"""JSON reports read back: validated, combined across repositories, summed up as text.

An organisation runs drmigrate in each storefront repository's own CI job; `drmigrate report merge`
combines their JSON reports into one. Each report is tagged with its repository (the report's
`repository`, set by `check --repository NAME`, else the report file's name); files and findings
keep their tag, so a merged report can itself be merged again. The readers here are generic:
unknown states, codes, methods or call kinds pass through as they come, so reports from a newer
drmigrate with more of them still merge.

Nothing here touches the disk: the CLI reads the files and hands over their text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, cast

from drmigrate import untrusted
from drmigrate.escape import neutral_lines, printable, storable
from drmigrate.report.common import STATE_TITLES, STATES
from drmigrate.report.steps import STEP_KINDS, next_steps_text, step_message
from drmigrate.untrusted import List, Map, Obj

FINDING_STATES = ("fixable", "unsafe", "manual")
DEFAULT_CALL = "createSource"
REPORT_VERSION = 1
MAX_SIZE = 1 << 30  # bytes of one report file
MAX_ITEMS = 5_000_000  # files or findings in one report


class ReportError(Exception):
    """A file that is not a drmigrate JSON report, or two reports for one repository."""


def as_int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def finding_state(item: Mapping[str, Any]) -> str:
    """fixable / unsafe / manual, from the report (or from its fix fields when it predates `state`)."""
    state = item.get("state")
    if isinstance(state, str):
        return state
    if item.get("fix_applicable"):
        return "fixable"
    if item.get("fix") == "unsafe" or (item.get("fix") == "safe" and item.get("confidence") == "low"):
        return "unsafe"
    return "manual"


def states_of(tables: Iterable[Mapping[str, Any]]) -> list[str]:
    """The known site states in their order, then any other state the tables have."""
    seen = list(STATES)
    for table in tables:
        for row in table.values():
            if isinstance(row, Mapping):
                seen.extend(k for k in row if k not in seen)
    return seen


def status_tables(doc: Mapping[str, Any]) -> dict[str, dict[str, dict[str, int]]]:
    """{call kind: {method: {state: count}}}: the report's `calls` table when it has one, else
    its per-method `migration_status` as the one call kind drmigrate reads today."""
    calls = doc.get("calls")
    source = calls if isinstance(calls, Mapping) and calls else {DEFAULT_CALL: doc.get("migration_status") or {}}
    out: dict[str, dict[str, dict[str, int]]] = {}
    for call, methods in source.items():
        if isinstance(methods, Mapping):
            out[str(call)] = {str(m): {str(s): as_int(n) for s, n in row.items()}
                              for m, row in methods.items() if isinstance(row, Mapping)}
    return out


def state_totals(tables: Mapping[str, Mapping[str, Mapping[str, int]]]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for methods in tables.values():
        for row in methods.values():
            totals.update(row)
    return dict(totals)


def _add(into: dict[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    """Sum nested tables of counts key by key (anything that is not a count or a table is skipped)."""
    for key, value in other.items():
        if isinstance(value, Mapping):
            into[key] = _add(dict(into.get(key) or {}), value)
        elif isinstance(value, int) and not isinstance(value, bool):
            into[key] = as_int(into.get(key)) + value
    return into


# What the readers here and the HTML page use, and its types. Keys not listed pass through (a
# newer drmigrate adds keys) but may not nest deeply; lists are capped so one report cannot
# make the page or the merge run out of memory.
_COUNTS = Map(int)
_TABLE = Map(Map(int))  # {method: {state: count}}
_LOCATION = Obj({"path": (str, None), "line": (int, None), "column": (int, None), "what": (str, None),
                 "repository": (str, None)})
_STEP = Obj({"kind": str, "count": (int, None), "files": (int, None), "message": (str, None),
             "code": (str, None), "name": (str, None), "codes": (List(str), None), "after_fix": (bool, None),
             "locations": (List(_LOCATION, MAX_ITEMS), None)}, required=frozenset({"kind"}))
_STALE = Obj({"path": (str, None), "line": (int, None), "code": (str, None), "message": (str, None)})
_FRAME_ROW = Obj({"line": int, "before": str, "marked": str, "after": str})
_FINDING = Obj({
    "path": str, "code": str, "line": int, "column": int, "end_line": int, "end_column": int,
    "name": (str, None), "message": (str, None), "source_type": (str, None), "fix": (str, None),
    "fix_applicable": (bool, None), "confidence": (str, None), "fix_title": (str, None),
    "state": (str, None), "help": (str, None), "url": (str, None), "frame": (List(_FRAME_ROW, 100), None),
    "fix_diff": (str, None), "suggestion": (Obj({"session_id": str, "apply": (str, None)}), None),
    "repository": (str, None),
}, required=frozenset({"path", "code"}))
_FILE = Obj({"path": str, "status": (str, None), "parser": (str, None), "findings": (int, None),
             "sites": (_COUNTS, None), "repository": (str, None)}, required=frozenset({"path"}))
_PART = {"summary": (_COUNTS, None), "migration_status": (_TABLE, None), "calls": (Map(_TABLE), None),
         "statistics": (Map(_COUNTS), None), "next_steps": (List(_STEP), None)}
_REPOSITORY = Obj({"name": str, "report": (str, None), "mode": (str, None), **_PART},
                  required=frozenset({"name"}))
REPORT = Obj({
    "version": int, "repository": (str, None), "mode": (str, None),
    "tool": (Obj({"name": (str, None), "version": (str, None)}), None),
    "files": List(_FILE, MAX_ITEMS), "findings": List(_FINDING, MAX_ITEMS),
    "repositories": (List(_REPOSITORY, 100_000), None),
    "baseline": (Obj({"file": (str, None), "hidden": (int, None), "stale": (List(_STALE), None)}), None),
    **_PART,
}, required=frozenset({"version", "files", "findings"}))


def parse(text: str, origin: str) -> dict[str, Any]:
    """A report file's text as a dict, checked against `REPORT` (types, sizes, nesting) before
    anything reads it; every string in it made storable (`escape.storable`)."""
    hint = f"make it with `drmigrate check --format json --output-file {origin}`"
    try:
        doc = untrusted.loads(text)
    except untrusted.UntrustedError as exc:
        raise ReportError(f"{origin}: not a drmigrate JSON report ({exc}); {hint}") from None
    if not isinstance(doc, dict):
        raise ReportError(f"{origin}: not a drmigrate JSON report (not an object); {hint}")
    if doc.get("version") != REPORT_VERSION:
        shown = storable(repr(doc.get("version")))[:40]
        raise ReportError(f"{origin}: not a drmigrate JSON report of version {REPORT_VERSION} "
                          f"(version {shown}); {hint}")
    for key in ("files", "findings"):
        items = doc.get(key)
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ReportError(f"{origin}: not a drmigrate JSON report (`{key}` must be a list of objects); {hint}")
    try:
        untrusted.check(doc, REPORT)
    except untrusted.UntrustedError as exc:
        raise ReportError(f"{origin}: not a drmigrate JSON report ({printable(str(exc))}); {hint}") from None
    return cast(dict[str, Any], _mapped(doc, storable))


@dataclass
class _Part:
    """One repository's share of the inputs."""

    name: str
    origin: str
    mode: str
    files: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    status: dict[str, Any] = field(default_factory=dict)
    calls: dict[str, Any] = field(default_factory=dict)
    statistics: dict[str, Any] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)


def _steps(value: object, repository: str | None = None) -> list[dict[str, Any]]:
    """A report's `next_steps` (absent in reports before they existed: none), each location tagged
    with its repository."""
    if not isinstance(value, list):
        return []
    out = []
    for step in value:
        if not isinstance(step, Mapping) or not isinstance(step.get("kind"), str):
            continue
        item = dict(step)
        locations = [dict(loc) for loc in step.get("locations") or () if isinstance(loc, Mapping)]
        if repository is not None:
            for loc in locations:
                loc.setdefault("repository", repository)
        if "locations" in step:
            item["locations"] = locations
        out.append(item)
    return out


def merge_steps(parts: Iterable[Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """The next steps of many reports as one list: counts summed by kind (and code), locations
    joined, each sentence written again from the sums."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for steps in parts:
        for step in steps:
            key = (str(step["kind"]), str(step.get("code") or ("after fix" if step.get("after_fix") else "")))
            into = merged.setdefault(key, {"kind": key[0], "count": 0, "files": 0})
            into["count"] += as_int(step.get("count"))
            into["files"] += as_int(step.get("files"))
            for name in ("code", "name", "after_fix"):
                if step.get(name) is not None:
                    into[name] = step[name]
            if "codes" in step:
                into["codes"] = sorted(set(into.get("codes", [])) | {str(c) for c in step.get("codes") or ()})
            if "locations" in step:
                into.setdefault("locations", []).extend(step.get("locations") or ())
    order = {kind: i for i, kind in enumerate(STEP_KINDS)}
    out = [merged[k] for k in sorted(merged, key=lambda k: (order.get(k[0], len(order)), k))]
    for step in out:
        step["message"] = step_message(step)
    return out


def _derived_summary(files: Sequence[Mapping[str, Any]], findings: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    states = Counter(finding_state(f) for f in findings)
    return {"files": len(files), "findings": len(findings),
            "files_with_findings": len({f.get("path") for f in findings}),
            **{s: states[s] for s in FINDING_STATES}}


def _parts(doc: Mapping[str, Any], origin: str) -> list[_Part]:
    mode = str(doc.get("mode") or "check")
    repos = doc.get("repositories")
    if isinstance(repos, list) and repos:  # a merged report: split it back by tag
        parts = []
        for repo in repos:
            if not isinstance(repo, Mapping) or not isinstance(repo.get("name"), str):
                raise ReportError(f"{origin}: a `repositories` entry without a name")
            name = repo["name"]
            files = [dict(f) for f in doc["files"] if f.get("repository") == name]
            findings = [dict(f) for f in doc["findings"] if f.get("repository") == name]
            parts.append(_Part(name, str(repo.get("report") or origin), str(repo.get("mode") or mode),
                               files, findings, dict(repo.get("summary") or _derived_summary(files, findings)),
                               dict(repo.get("migration_status") or {}), dict(repo.get("calls") or {}),
                               dict(repo.get("statistics") or {}), _steps(repo.get("next_steps"), name)))
        return parts
    name = doc.get("repository")
    if not isinstance(name, str) or not name:
        name = PurePath(origin).stem
    files = [{**f, "repository": name} for f in doc["files"]]
    findings = [{**f, "repository": name} for f in doc["findings"]]
    summary = doc.get("summary")
    return [_Part(name, origin, mode, files, findings,
                  dict(summary) if isinstance(summary, Mapping) else _derived_summary(files, findings),
                  dict(doc.get("migration_status") or {}), dict(doc.get("calls") or {}),
                  dict(doc.get("statistics") or {}), _steps(doc.get("next_steps"), name))]


def merge(reports: Sequence[tuple[str, Mapping[str, Any]]], *, version: str = "") -> dict[str, Any]:
    """One report of every repository in `reports` ((origin, parsed report) pairs, in order)."""
    parts: list[_Part] = []
    seen: dict[str, str] = {}
    for origin, report in reports:
        for part in _parts(report, origin):
            if part.name in seen:
                raise ReportError(f"{origin}: repository {part.name!r} is also in {seen[part.name]}; "
                                  "name each job's report with `drmigrate check --repository NAME`")
            seen[part.name] = origin
            parts.append(part)
    summary: dict[str, Any] = {}
    status: dict[str, Any] = {}
    calls: dict[str, Any] = {}
    statistics: dict[str, Any] = {}
    for part in parts:
        _add(summary, part.summary)
        _add(status, part.status)
        _add(calls, part.calls)
        _add(statistics, part.statistics)
    doc: dict[str, Any] = {
        "version": REPORT_VERSION,
        "tool": {"name": "drmigrate", "version": version},
        "repository": None,
        "mode": "merge",
        "repositories": [
            {"name": p.name, "report": p.origin, "mode": p.mode, "summary": p.summary,
             "migration_status": p.status, **({"calls": p.calls} if p.calls else {}),
             "statistics": p.statistics, "next_steps": p.steps}
            for p in parts
        ],
        "summary": summary,
        "files": [f for p in parts for f in p.files],
        "findings": [f for p in parts for f in p.findings],
        "statistics": statistics,
        "migration_status": dict(sorted(status.items())),
        "next_steps": merge_steps(p.steps for p in parts),
    }
    if calls:
        doc["calls"] = calls
    return doc


def _table(first: str, rows: Mapping[str, Mapping[str, int]], columns: Sequence[str],
           titles: Mapping[str, str]) -> list[str]:
    width = max(len(first), *(len(r) for r in rows), len("total")) if rows else len(first)
    widths = [max(len(titles.get(c, c)), 5) for c in columns]
    out = ["  " + f"{first:<{width}}" + "".join(f"  {titles.get(c, c):>{w}}" for c, w in zip(columns, widths, strict=True))]
    totals: Counter[str] = Counter()
    for name, row in rows.items():
        out.append("  " + f"{name:<{width}}" + "".join(f"  {row.get(c, 0):>{w}}" for c, w in zip(columns, widths, strict=True)))
        totals.update({c: row.get(c, 0) for c in columns})
    if len(rows) > 1:
        out.append("  " + f"{'total':<{width}}" + "".join(f"  {totals[c]:>{w}}" for c, w in zip(columns, widths, strict=True)))
    return out


def skipped_files(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(path, why) of every file a report lists as skipped (`repository: path` when merged)."""
    out = []
    for f in doc.get("files") or []:
        status = str(f.get("status", "")) if isinstance(f, Mapping) else ""
        if status.startswith("skipped"):
            where = f"{f.get('repository')}: " if f.get("repository") else ""
            out.append((f"{where}{f.get('path')}", status.partition(": ")[2] or "skipped"))
    return out


def to_text(doc: Mapping[str, Any]) -> str:
    """A merged report as tables: per repository, then per call kind and payment method. Every
    name and path in it came from the reports: printed with its control characters escaped."""
    return neutral_lines(_text(_mapped(doc, printable)))


def _mapped(value: Any, escape: Callable[[str], str]) -> Any:
    """`value` with `escape` applied to every string in it (keys too)."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return [_mapped(v, escape) for v in value]
    if isinstance(value, dict):
        return {escape(k): _mapped(v, escape) for k, v in value.items()}
    return value


def _text(doc: Mapping[str, Any]) -> str:
    repos = [r for r in doc.get("repositories") or [] if isinstance(r, Mapping)]
    tables = status_tables(doc)
    states = states_of(tables.values())
    titles = {**STATE_TITLES, "findings": "findings", "fixable": "fixable", "unsafe": "unsafe", "manual": "manual",
              "_manual_review": "manual review"}
    count = f"{len(repos)} repositor{'y' if len(repos) == 1 else 'ies'}"
    lines = [(f"Migration status of {count}: payload sites by state, then findings (all, fixable, "
             "fixable with --unsafe-fixes, manual):")]
    rows: dict[str, dict[str, int]] = {}
    for repo in repos:
        row = state_totals(status_tables(repo))
        summary = repo.get("summary") if isinstance(repo.get("summary"), Mapping) else {}
        assert isinstance(summary, Mapping)
        # the site state "manual" and the finding count "manual" share a word: keep them apart
        row = {("_manual_review" if k == "manual" else k): v for k, v in row.items()}
        row.update({k: as_int(summary.get(k)) for k in ("findings", *FINDING_STATES)})
        rows[str(repo.get("name"))] = row
    site_columns = ["_manual_review" if s == "manual" else s for s in states]
    lines += _table("repository", rows, [*site_columns, "findings", *FINDING_STATES], titles)
    for call, methods in tables.items():
        lines += ["", f"`{call}` payload sites by payment method:"]
        lines += _table("method", methods, states, STATE_TITLES) if methods else ["  no payload seen"]
    summary = doc.get("summary") if isinstance(doc.get("summary"), Mapping) else {}
    assert isinstance(summary, Mapping)
    totals = state_totals(tables)
    sites = sum(totals.values())
    skipped = skipped_files(doc)
    if skipped:  # files not checked: named, never silently counted among the checked ones
        lines += ["", f"{len(skipped)} file{'s' if len(skipped) != 1 else ''} not checked:"]
        lines += [f"  {path}: {why}" for path, why in skipped]
    left = next_steps_text(_steps(doc.get("next_steps")))
    if left:
        lines += ["", *left]
    lines += ["", (f"{count}: "
                  f"{totals.get('migrated', 0)} of {sites} payload sites migrated; "
                  f"{as_int(summary.get('findings'))} findings ({as_int(summary.get('fixable'))} fixable, "
                  f"{as_int(summary.get('unsafe'))} with --unsafe-fixes, {as_int(summary.get('manual'))} manual).")]
    return "\n".join(lines) + "\n"
