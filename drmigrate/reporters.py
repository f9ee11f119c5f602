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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from drmigrate import codeframe
from drmigrate.discovery import QUIET_SKIPS
from drmigrate.model import Confidence, FileResult, Finding, SiteOutcome, Step
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
    """createSource payload sites per method: migrated / remaining / manual (review) / suppressed."""
    return call_status(results).get("createSource", {})


def call_status(results: Sequence[FileResult]) -> dict[str, dict[str, dict[str, int]]]:
    """Every call kind's sites ({call: {method or flow: {state: count}}}): createSource,
    paypalElement, createDropin, retrieveAvailablePaymentMethods, paymentRequest, sessionElement."""
    table: dict[str, dict[str, dict[str, int]]] = {}
    for r in results:
        for site in r.sites:
            rows = table.setdefault(site.call, {})
            row = rows.setdefault(site.source_type or ("(unknown type)" if site.call == "createSource" else "(all)"),
                                  dict.fromkeys(STATES, 0))
            row[site.state] += 1
    return {call: dict(sorted(rows.items())) for call, rows in sorted(table.items())}


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
    calls = call_status(results)
    lines.append("Migration status (call sites):")
    if not calls:
        lines.append("  no DigitalRiver.js call seen")
        return "\n".join(lines)
    rows = [(f"{call} {label}" if call != "createSource" else label, row)
            for call, table in calls.items() for label, row in table.items()]
    width = max(len("call / method"), *(len(name) for name, _ in rows))
    head = "".join(f"  {STATE_TITLES[s]:>13}" for s in STATES)
    lines.append(f"  {'call / method':<{width}}{head}")
    totals = dict.fromkeys(STATES, 0)
    for name, row in rows:
        lines.append(f"  {name:<{width}}" + "".join(f"  {row[s]:>13}" for s in STATES))
        for s in STATES:
            totals[s] += row[s]
    lines.append(f"  {'total':<{width}}" + "".join(f"  {totals[s]:>13}" for s in STATES))
    return "\n".join(lines)


# --- what a finding needs, and the closing numbers ------------------------------------------------

def hidden_unsafe(f: Finding) -> bool:
    """A fix exists but this run does not apply it: `--unsafe-fixes` would (declared unsafe, or
    safe on a payload whose receiver was not recognised)."""
    return not f.fix_applicable and (f.fix == "unsafe" or (f.fix == "safe" and f.confidence is Confidence.LOW))


def finding_state(f: Finding) -> str:
    """fixable (this run's `fix` applies it), unsafe (`--unsafe-fixes` would) or manual."""
    if f.fix_applicable:
        return "fixable"
    return "unsafe" if hidden_unsafe(f) else "manual"


def _bare_title(title: str) -> str:
    # rules.json spells "(unsafe)" into some titles; the help line says it from the finding instead
    return title.removesuffix(" (unsafe)").strip()


def help_text(f: Finding) -> str:
    """The fix title, and what it takes: nothing, `--unsafe-fixes`, or a person."""
    title = _bare_title(f.fix_title)
    low = f.confidence is Confidence.LOW
    if f.fix_applicable:
        unsafe = f.fix == "unsafe" or low
        return f"{title} (unsafe fix)" if unsafe and title else title or "fixable"
    if hidden_unsafe(f):
        why = "unsafe: the receiver was not recognised" if f.fix == "safe" else "unsafe"
        return f"{title} ({why}; `--unsafe-fixes` applies it)"
    if f.code == PLACEHOLDER_CODE:  # not a person's edit: the run with the expression does it
        return "wire it: `drmigrate fix --session-id EXPR` replaces the placeholder"
    if title:
        return f"{title} (manual)"
    return f"manual: a person must change this; `drmigrate explain {f.code}` says why"


@dataclass(frozen=True)
class Counts:
    """The numbers of a run, as the summaries and the JSON report give them."""

    files: int
    analysed: int
    errors: int
    skipped: int
    findings: int
    files_with_findings: int
    fixable: int
    unsafe: int  # hidden unsafe fixes: `--unsafe-fixes` would apply them
    manual: int
    fixed: int  # findings resolved by the fixes written this run
    fixed_files: int

    def as_dict(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def counts(results: Sequence[FileResult]) -> Counts:
    findings = [f for r in results for f in r.findings]
    states = Counter(finding_state(f) for f in findings)
    errors = sum(1 for r in results if r.status == "error")
    skipped = sum(1 for r in results if r.status == "skipped")
    return Counts(
        files=len(results), analysed=len(results) - errors - skipped, errors=errors, skipped=skipped,
        findings=len(findings), files_with_findings=sum(1 for r in results if r.findings),
        fixable=states["fixable"], unsafe=states["unsafe"], manual=states["manual"],
        fixed=sum(r.fixes_applied for r in results if r.status == "fixed"),
        fixed_files=sum(1 for r in results if r.status == "fixed"),
    )


def nothing_checked(results: Sequence[FileResult]) -> str | None:
    """The closing line of a run that analysed no file and met no error (None otherwise): what
    was skipped and why, so that such a run never reads as "All checks passed"."""
    c = counts(results)
    if c.analysed or c.errors:
        return None
    skipped = [r for r in results if r.status == "skipped"]
    if not skipped:
        return "No files were checked: the paths hold no file drmigrate reads."
    first = skipped[0]
    more = f" (and {len(skipped) - 1} more skipped; `--show-files` lists them)" if len(skipped) > 1 else ""
    return f"No files were checked: {first.path}: {first.reason}{more}."


def summary(results: Sequence[FileResult], *, fixing: bool, baselined: int = 0) -> str:
    """The closing lines: what was found or fixed, what remains and what it takes."""
    c = counts(results)
    empty = nothing_checked(results)
    details = []
    if c.fixable:
        details.append(f"{c.fixable} fixable with `drmigrate fix`")
    if c.unsafe:
        more = "more " if c.fixable else ""
        details.append(f"{c.unsafe} {more}with `drmigrate fix --unsafe-fixes`")
    wire = sum(1 for r in results for f in r.findings if f.code == PLACEHOLDER_CODE and finding_state(f) == "manual")
    if wire:
        details.append(f"{_plural(wire, 'placeholder')} to wire with `drmigrate fix --session-id EXPR`")
    manual = c.manual - wire
    if manual:
        details.append(f"{manual} {'needs' if manual == 1 else 'need'} a manual change")
    detail = f" ({'; '.join(details)})" if details else ""
    parts = []
    if empty is not None:
        parts.append(empty)
    elif fixing:
        head = (f"Fixed {_plural(c.fixed, 'finding')} in {_plural(c.fixed_files, 'file')}"
                if c.fixed_files else "No fixes applied")
        if c.findings:
            verb = "remains" if c.findings == 1 else "remain"
            head += f"; {_plural(c.findings, 'finding')} {verb} in {_plural(c.files_with_findings, 'file')}{detail}"
        else:
            head += "; nothing remains"
        parts.append(head + ".")
    elif c.findings:
        parts.append(f"Found {_plural(c.findings, 'finding')} in {_plural(c.files_with_findings, 'file')}{detail}.")
    elif c.errors:
        parts.append(f"No findings in the {_plural(c.analysed, 'file')} analysed.")
    else:
        parts.append(f"All checks passed ({_plural(c.analysed, 'file')}).")
    if baselined:
        parts.append(f"{_plural(baselined, 'finding')} in the baseline not shown.")
    if c.errors:
        parts.append(f"{c.errors} file{'s' if c.errors != 1 else ''} could not be analysed.")
    if c.skipped and empty is None:
        parts.append(f"{_plural(c.skipped, 'file')} skipped (`--show-files` lists them).")
    return " ".join(parts)


# --- what is left: the steps a person must still take -------------------------------------------

SESSIONS_DOC = "https://docs.digitalriver.com/digital-river-api/payments/payment-sessions"
PLACEHOLDER_CODE = "DR110"
# codes whose fix inserts the session id: their `fix` step names `--session-id`
ADDS_SESSION_ID = frozenset({"DR100", "DR130", "DR131", "DR132"})
STEP_KINDS = ("fix", "wire-session-id", "unsafe-fixes", "manual-review", "empty-blocks", "server")
SHOWN_LOCATIONS = 3  # in the text; the JSON has them all


def _where(path: str, f: Finding) -> dict[str, Any]:
    return {"path": path, "line": f.line, "column": f.column}


def next_steps(results: Sequence[FileResult]) -> list[dict[str, Any]]:
    """What a person must still do after this run, as data: `[{kind, count, message, files,
    locations?, code?, name?, codes?}]`, in the order to do it. Empty when nothing is left.

    - fix: findings `drmigrate fix` applies (`check`, `--diff`);
    - wire-session-id: drmigrate's placeholders (DR110), where they are;
    - unsafe-fixes: findings only `--unsafe-fixes` applies (a person decides);
    - manual-review: one per code that needs a person (DR2xx, DR300), where;
    - empty-blocks: statements the fixes leave (`after_fix`: left) with an empty block that
      drmigrate does not remove (a `for` loop, an `if` with an `else`, a `try`), where;
    - server: the server's part of the migration, whenever payloads remain or were fixed: create
      the checkout, pass its `payment.session.id` to the page.
    """
    groups: dict[tuple[str, str], list[tuple[str, Finding]]] = {}
    for r in results:
        for f in r.findings:
            if f.code == PLACEHOLDER_CODE:
                key = ("wire-session-id", "")
            else:
                state = finding_state(f)
                key = {"fixable": ("fix", ""), "unsafe": ("unsafe-fixes", "")}.get(state, ("manual-review", f.code))
            groups.setdefault(key, []).append((r.path, f))
    steps: list[dict[str, Any]] = []
    for kind in STEP_KINDS[:-1]:
        for (k, code), found in sorted(groups.items()):
            if k != kind:
                continue
            step: dict[str, Any] = {"kind": kind, "count": len(found), "files": len({p for p, _ in found})}
            if kind == "fix":
                step["codes"] = sorted({f.code for _, f in found})
            else:
                step["locations"] = [_where(p, f) for p, f in found]
            if kind == "unsafe-fixes":
                step["codes"] = sorted({f.code for _, f in found})
            if kind == "manual-review":
                step.update(code=code, name=found[0][1].name)
            steps.append(step)
    for after_fix in (True, False):
        left = [(r.path, line, what) for r in results if (r.status == "fixed") is after_fix
                for line, what in r.leftovers]
        if left:
            steps.append({"kind": "empty-blocks", "count": len(left), "files": len({p for p, _, _ in left}),
                          "after_fix": after_fix,
                          "locations": [{"path": p, "line": line, "what": what} for p, line, what in left]})
    sites = sum(len(r.sites) for r in results)
    fixed = any(r.status == "fixed" for r in results)
    if sites and (steps or fixed):
        steps.append({"kind": "server", "count": sites, "files": sum(1 for r in results if r.sites)})
    for step in steps:
        step["message"] = step_message(step)
    return steps


def _places(step: dict[str, Any]) -> str:
    locations = [loc for loc in step.get("locations") or () if isinstance(loc, dict)]
    shown = [f"{loc['repository'] + ': ' if loc.get('repository') else ''}{loc.get('path')}:{loc.get('line')}"
             for loc in locations[:SHOWN_LOCATIONS]]
    more = len(locations) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _fixes_word(n: int) -> str:
    return f"{n} fix{'es' if n != 1 else ''}"


def step_message(step: dict[str, Any]) -> str:
    """The sentence of one step, from its numbers (also for merged reports)."""
    kind, count = step.get("kind"), step.get("count") or 0
    files = _plural(step.get("files") or 0, "file")
    places = _places(step)
    at = f" at {places}" if places else ""
    them = "it" if count == 1 else "them"
    if kind == "fix":
        wire = " --session-id EXPR" if ADDS_SESSION_ID & set(step.get("codes") or ()) else ""
        expr = " (EXPR: the page's payment session id; without it, a placeholder to wire later)" if wire else ""
        return f"Run `drmigrate fix{wire}`: it applies {_fixes_word(count)} in {files}{expr}."
    if kind == "wire-session-id":
        return (f"Wire the session id: {_plural(count, 'placeholder')} in {files}{at}; "
                f"`drmigrate fix --session-id EXPR` replaces {them}.")
    if kind == "unsafe-fixes":
        codes = ", ".join(step.get("codes") or ())
        return (f"Decide on {count} unsafe {'fix' if count == 1 else 'fixes'} ({codes}){at}; "
                f"`drmigrate fix --unsafe-fixes` applies {them}.")
    if kind == "manual-review":
        code = step.get("code") or "?"
        return (f"Review by hand: {count} {step.get('name') or code} ({code}){at}; "
                f"`drmigrate explain {code}` says what to do.")
    if kind == "empty-blocks":
        what = "statement" if count == 1 else "statements"
        if step.get("after_fix"):
            return (f"Tidy by hand: the fixes left {count} {what} with an empty block{at} "
                    f"({_whats(step)}); remove or rewrite {them}.")
        return (f"Tidy by hand after fixing: the fixes leave {count} {what} with an empty block{at} "
                f"({_whats(step)}); drmigrate removes only an `if` without `else`, a `while` loop or a "
                "block whose condition only reads.")
    if kind == "server":
        return ("On the server: create the checkout and pass its `payment.session.id` to the page "
                f"(`paymentSessionId` before API version 2021-03-23); see {SESSIONS_DOC}")
    return f"{kind}: {count}"


def _whats(step: dict[str, Any]) -> str:
    found = [str(loc.get("what")) for loc in step.get("locations") or () if isinstance(loc, dict) and loc.get("what")]
    return ", ".join(dict.fromkeys(found)) or "blocks"


def _short(step: dict[str, Any]) -> str:
    kind, count = step.get("kind"), step.get("count") or 0
    if kind == "fix":
        return f"{_fixes_word(count)} to apply"
    if kind == "wire-session-id":
        return f"{_plural(count, 'placeholder')} to wire"
    if kind == "unsafe-fixes":
        return f"{count} unsafe to decide"
    if kind == "manual-review":
        return f"{count} {step.get('code')} to review"
    if kind == "empty-blocks":
        return f"{count} emptied {'block' if count == 1 else 'blocks'} to tidy"
    if kind == "server":
        return f"the server step (payment.session.id, {SESSIONS_DOC})"
    return f"{count} {kind}"


def next_steps_text(steps: Sequence[dict[str, Any]], *, concise: bool = False,
                    complete: Counter[str] | None = None) -> list[str]:
    """The closing section: one line per step (one line in all when `concise`); with no step,
    the line that says the migration is done, when `complete` counts payload sites by state."""
    if not steps:
        if not complete or not complete.get("migrated"):
            return []
        suppressed = complete.get("suppressed", 0)
        extra = f"; {suppressed} suppressed" if suppressed else ""
        return [(f"Migration complete for the files checked: {_plural(complete['migrated'], 'payload site')} "
                f"{'uses' if complete['migrated'] == 1 else 'use'} payment sessions{extra}.")]
    if concise:
        return [f"{click.style('What is left:', bold=True)} " + "; ".join(_short(s) for s in steps) + "."]
    return [click.style("What is left:", bold=True)] + [f"  - {s.get('message') or step_message(s)}" for s in steps]


def completed_sites(results: Sequence[FileResult]) -> Counter[str]:
    """The payload sites by state, of a run with nothing left to do (empty when anything is
    left, or a file failed)."""
    if any(r.findings or r.status == "error" for r in results):
        return Counter()
    return Counter(site.state for r in results for site in r.sites)


def frames(r: FileResult, *, fixing: bool) -> list[tuple[codeframe.Row, ...]]:
    """The code frame of each finding of `r` (empty when the text was not kept)."""
    text = codeframe.source_of(r, fixing=fixing)
    if text is None:
        return [() for _ in r.findings]
    lines = text.split("\n")
    return [codeframe.rows(lines, f.line, f.column, f.end_line, f.end_column) for f in r.findings]


# --- text ---------------------------------------------------------------------------------------

def finding_line(path: str, f: Finding) -> str:
    mark = click.style(" [*]", fg="cyan") if f.fix_applicable else ""
    low = " (low confidence: receiver not recognised)" if f.confidence.value == "low" else ""
    where = click.style(f"{path}:{f.line}:{f.column}:", bold=True)
    return f"{where} {click.style(f.code, fg='red', bold=True)}{mark} {f.message}{low}"


def finding_block(path: str, f: Finding, frame: Sequence[codeframe.Row]) -> list[str]:
    """One finding in full: the line, the code frame, and the help line."""
    lines = [finding_line(path, f), *codeframe.render(frame)]
    gutter = max((len(str(r.line)) for r in frame), default=1)
    lines.append(f"{' ' * gutter} {click.style('= help:', fg='cyan', bold=True)} {help_text(f)}")
    return lines


def _loud_skip(r: FileResult) -> bool:
    return r.status == "skipped" and not r.reason.startswith(QUIET_SKIPS)


def to_text(results: Sequence[FileResult], *, fixing: bool, verbose: bool = False,
            statistics: bool = False, concise: bool = False, quiet: bool = False,
            baselined: int = 0, notes: Sequence[str] = (), selected: bool = False) -> str:
    """The text report. Full: each finding with its code frame and help; `concise`: one line per
    finding; `statistics`: the tables instead of the findings; `quiet`: no summary, no notes, no
    closing section (what is left). `selected`: only some codes were asked for (`--select`,
    `--ignore`, per-file ignores), so a run without findings does not say the migration is done."""
    lines: list[str] = []
    for r in results:
        if verbose:
            parser = f" [{r.parser}]" if r.parser else ""
            lines.append(f"{r.path}: {r.status_text}{parser}")
        elif r.status == "error":
            lines.append(f"{click.style(r.path, bold=True)}: {click.style('error', fg='red')}: {r.reason}")
        elif _loud_skip(r) and not quiet and not statistics:
            lines.append(f"{click.style(r.path, bold=True)}: {click.style('skipped', fg='yellow')}: {r.reason}")
        if statistics or not r.findings:
            continue
        if concise:
            lines.extend(finding_line(r.path, f) for f in r.findings)
            continue
        for f, frame in zip(r.findings, frames(r, fixing=fixing), strict=True):
            lines.extend(finding_block(r.path, f, frame))
            lines.append("")
    if statistics:
        lines.append(statistics_text(results).lstrip("\n"))
        if not quiet:
            lines.append("")
    if notes and not quiet:
        lines.extend(notes)
        lines.append("")
    if not quiet:
        done = completed_sites(results) if not (baselined or selected) else None
        left = next_steps_text(next_steps(results), concise=concise, complete=done)
        if left:
            lines.extend([*left, ""])
        lines.append(summary(results, fixing=fixing, baselined=baselined))
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


# --- json ---------------------------------------------------------------------------------------

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


def report_doc(results: Sequence[FileResult], *, table: RuleTable | None = None, fixing: bool = False,
               repository: str | None = None, baseline: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON report as a dict: what `--format json` prints and what the HTML page and
    `drmigrate report merge` read. Every finding carries its code frame, so a report can be shown
    without the sources; when the fixes were computed but not written, also the diff of its fix."""
    url = table.source_url if table is not None else None
    findings = []
    for r in results:
        diffs = fix_diffs(r, fixing=fixing)
        for i, (f, frame) in enumerate(zip(r.findings, frames(r, fixing=fixing), strict=True)):
            findings.append(finding_dict(r.path, f, url=url, frame=frame, fix_diff=diffs.get(i)))
    doc: dict[str, Any] = {
        "version": JSON_VERSION,
        "tool": {"name": "drmigrate", "version": _version()},
        "repository": repository,
        "mode": "fix" if fixing else "check",
        "summary": counts(results).as_dict(),
        "files": [
            {"path": r.path, "status": r.status_text, "parser": r.parser or None,
             "findings": len(r.findings), "sites": site_counts(r),
             **({"followed": [followed_dict(r.path, s) for s in r.followed]} if r.followed else {})}
            for r in results
        ],
        "findings": findings,
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
    doc = report_doc(results, table=table, fixing=fixing, repository=repository, baseline=baseline)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


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


def _fixes(r: FileResult) -> dict[int, tuple[list[dict[str, Any]], list[int]]]:
    """SARIF fixes by finding index: each changed hunk goes to the first fixable finding it
    touches; with the replacements, the fixable findings its hunks touch (for its description)."""
    if r.original is None or r.fixed is None or r.status == "fixed":
        return {}
    fixable = [(i, f) for i, f in enumerate(r.findings) if f.fix_applicable]
    if not fixable:
        return {}
    out: dict[int, tuple[list[dict[str, Any]], list[int]]] = {}
    for first, last, offset, length, text in _hunks(r.original, r.fixed):
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
            "properties": {"next_steps": next_steps(results)},
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
