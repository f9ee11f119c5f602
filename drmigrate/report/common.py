"""What every report format shares: the counts of a run, each finding's state and help line, the
closing summary line, and the site tables by call kind and payment method.

No decisions, only numbers and sentences. Text carries click styles; the CLI strips them when the
output is not a terminal or `--no-color` is given. Everything here is a function of its inputs, so
a report is the same whatever order or process the files were analysed in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from drmigrate.discovery import QUIET_SKIPS
from drmigrate.model import Confidence, FileResult, Finding

STATES = ("migrated", "remaining", "manual", "suppressed")
STATE_TITLES = {"migrated": "migrated", "remaining": "remaining", "manual": "manual review",
                "suppressed": "suppressed"}
PLACEHOLDER_CODE = "DR110"
WIRE_CODES = frozenset({PLACEHOLDER_CODE, "DR111"})  # sessionIds to wire: drmigrate's placeholder, null, a TODO
SESSION_OPTIONS = {"js": "--session-id", "python": "--python-session-id", "php": "--php-session-id"}


def session_option(f: Finding) -> str:
    """The option whose expression wires a finding's payload (`--php-session-id` for PHP's)."""
    return SESSION_OPTIONS.get(f.language, "--session-id")


def session_options(found: Sequence[Finding]) -> list[str]:
    return sorted({session_option(f) for f in found}, key=list(SESSION_OPTIONS.values()).index)


def option_words(options: Sequence[str] | None) -> str:
    """`drmigrate fix --session-id EXPR` (and `--php-session-id EXPR` ...), by the payloads' languages."""
    shown = list(options or ["--session-id"])
    return "`drmigrate fix " + " ".join(f"{o} EXPR" for o in shown) + "`"


def tool_version() -> str:
    from importlib import metadata  # imported when a report names the version (SARIF), not at start

    try:
        return metadata.version("drmigrate")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def plural(n: int, word: str) -> str:
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
    if f.code in WIRE_CODES:  # not a person's edit: the run with the expression does it
        what = "the placeholder" if f.code == PLACEHOLDER_CODE else "the value"
        return f"wire it: `drmigrate fix {session_option(f)} EXPR` replaces {what}"
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
    wiring = [f for r in results for f in r.findings if f.code in WIRE_CODES and finding_state(f) == "manual"]
    if wiring:
        details.append(f"{plural(len(wiring), 'placeholder')} to wire with {option_words(session_options(wiring))}")
    manual = c.manual - len(wiring)
    if manual:
        details.append(f"{manual} {'needs' if manual == 1 else 'need'} a manual change")
    detail = f" ({'; '.join(details)})" if details else ""
    parts = []
    if empty is not None:
        parts.append(empty)
    elif fixing:
        head = (f"Fixed {plural(c.fixed, 'finding')} in {plural(c.fixed_files, 'file')}"
                if c.fixed_files else "No fixes applied")
        if c.findings:
            verb = "remains" if c.findings == 1 else "remain"
            head += f"; {plural(c.findings, 'finding')} {verb} in {plural(c.files_with_findings, 'file')}{detail}"
        else:
            head += "; nothing remains"
        parts.append(head + ".")
    elif c.findings:
        parts.append(f"Found {plural(c.findings, 'finding')} in {plural(c.files_with_findings, 'file')}{detail}.")
    elif c.errors:
        parts.append(f"No findings in the {plural(c.analysed, 'file')} analysed.")
    else:
        parts.append(f"All checks passed ({plural(c.analysed, 'file')}).")
    if baselined:
        parts.append(f"{plural(baselined, 'finding')} in the baseline not shown.")
    if c.errors:
        parts.append(f"{c.errors} file{'s' if c.errors != 1 else ''} could not be analysed.")
    if c.skipped and empty is None:
        parts.append(f"{plural(c.skipped, 'file')} skipped (`--show-files` lists them).")
    return " ".join(parts)




def loud_skip(r: FileResult) -> bool:
    """A skipped file the reports name (not one excluded, or of a type drmigrate does not read)."""
    return r.status == "skipped" and not r.reason.startswith(QUIET_SKIPS)


def escaped(results: Sequence[FileResult], escape: Callable[[str], str]) -> list[FileResult]:
    """`results` with every text that came from the files (paths, reasons, messages, payment
    types, what a statement left empty is) passed through `escape` (`drmigrate.escape`); the
    source texts stay as they are (code frames and diffs treat them on their own)."""
    out = []
    for r in results:
        findings = tuple(_escaped_finding(f, escape) for f in r.findings)
        sites = r.sites
        if any(s.source_type and escape(s.source_type) != s.source_type for s in sites):
            sites = tuple(replace(s, source_type=escape(s.source_type) if s.source_type else s.source_type)
                          for s in sites)
        leftovers = tuple((line, escape(what)) for line, what in r.leftovers)
        path, reason = escape(r.path), escape(r.reason)
        if (path, reason, findings, sites, leftovers) == (r.path, r.reason, r.findings, r.sites, r.leftovers):
            out.append(r)
        else:
            out.append(replace(r, path=path, reason=reason, findings=findings, sites=sites, leftovers=leftovers))
    return out


def _escaped_finding(f: Finding, escape: Callable[[str], str]) -> Finding:
    message, title, suggestion = escape(f.message), escape(f.fix_title), escape(f.suggestion)
    source_type = escape(f.source_type) if f.source_type else f.source_type
    code, name = escape(f.code), escape(f.name)
    if (message, title, suggestion, source_type, code, name) == (
            f.message, f.fix_title, f.suggestion, f.source_type, f.code, f.name):
        return f
    return replace(f, message=message, fix_title=title, suggestion=suggestion, source_type=source_type,
                   code=code, name=name)
