"""The text formats: `text` (each finding with its code frame and help line) and `concise` (one
line per finding), the statistics tables, notes and the closing section and summary line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from drmigrate.model import FileResult, Finding, Step
from drmigrate.report.common import (
    STATE_TITLES,
    STATES,
    call_status,
    code_counts,
    help_text,
    loud_skip,
    summary,
    type_counts,
)

if TYPE_CHECKING:
    from drmigrate.report import Run
    from drmigrate.report.codeframe import Row


def render(results: Sequence[FileResult], run: Run) -> str:
    return to_text(results, fixing=run.fixing, verbose=run.verbose, statistics=run.statistics,
                   concise=run.format == "concise", quiet=run.quiet, baselined=run.baselined,
                   notes=run.notes, selected=run.selected, show_fixes=run.show_fixes)


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


# --- text ---------------------------------------------------------------------------------------

def finding_line(path: str, f: Finding) -> str:
    mark = click.style(" [*]", fg="cyan") if f.fix_applicable else ""
    low = " (low confidence: receiver not recognised)" if f.confidence.value == "low" else ""
    where = click.style(f"{path}:{f.line}:{f.column}:", bold=True)
    return f"{where} {click.style(f.code, fg='red', bold=True)}{mark} {f.message}{low}"


def finding_block(path: str, f: Finding, frame: Sequence[Row]) -> list[str]:
    """One finding in full: the line, the code frame, and the help line."""
    from drmigrate.report import codeframe

    lines = [finding_line(path, f), *codeframe.render(frame)]
    gutter = max((len(str(r.line)) for r in frame), default=1)
    lines.extend(via_lines(path, f.related, gutter))
    lines.append(f"{' ' * gutter} {click.style('= help:', fg='cyan', bold=True)} {help_text(f)}")
    return lines


def via_lines(path: str, steps: Sequence[Step], gutter: int) -> list[str]:
    """The payload's way from where it is built on to the call: one place a line."""
    out: list[str] = []
    for i, step in enumerate(steps):
        label = click.style("= via:", fg="cyan", bold=True) if i == 0 else "      "
        out.append(f"{' ' * gutter} {label} {step.path or path}:{step.line}:{step.column}: {step.what}")
    return out


def followed_text(r: FileResult) -> str:
    """Calls whose payload the project followed into other files, for the file list."""
    parts = []
    for site in r.followed:
        where = ", ".join(f"{b.path}:{b.line}" for b in site.builders[:3])
        more = f" and {len(site.builders) - 3} more" if len(site.builders) > 3 else ""
        parts.append(f"the call on line {site.line}: {site.state} at {where}{more}")
    return f" ({'; '.join(parts)})" if parts else ""


def fixes_text(results: Sequence[FileResult], *, fixing: bool) -> list[str]:
    """`--show-fixes`: per file, the fixes this run wrote (`fix`) or that `fix` would write
    (`check`), counted by code, with what they do."""
    lines: list[str] = []
    total = 0
    for r in results:
        fixes = r.applied if fixing else tuple(f for f in r.findings if f.fix_applicable)
        if not fixes:
            continue
        lines.append(f"  {click.style(r.path, bold=True)}:")
        by_code: dict[str, list[Finding]] = {}
        for f in fixes:
            by_code.setdefault(f.code, []).append(f)
        for code, group in sorted(by_code.items()):
            titles = "; ".join(dict.fromkeys(help_title(f) for f in group if help_title(f)))
            lines.append(f"    {len(group)} × {click.style(code, fg='red', bold=True)} ({group[0].name})"
                         + (f": {titles}" if titles else ""))
        total += len(fixes)
    noun = "fix" if total == 1 else "fixes"
    if fixing:
        head = f"Applied {total} {noun}:" if total else "No fixes applied."
    else:
        head = f"`drmigrate fix` would apply {total} {noun}:" if total else "No fixes available."
    return [head, *lines]


def help_title(f: Finding) -> str:
    return f.fix_title.removesuffix(" (unsafe)").strip()


def to_text(results: Sequence[FileResult], *, fixing: bool, verbose: bool = False,
            statistics: bool = False, concise: bool = False, quiet: bool = False,
            baselined: int = 0, notes: Sequence[str] = (), selected: bool = False,
            show_fixes: bool = False) -> str:
    """The text report. Full: each finding with its code frame and help; `concise`: one line per
    finding; `statistics`: the tables instead of the findings; `quiet`: no summary, no notes, no
    closing section (what is left). `selected`: only some codes were asked for (`--select`,
    `--ignore`, per-file ignores), so a run without findings does not say the migration is done."""
    lines: list[str] = []
    for r in results:
        if verbose:
            parser = f" [{r.parser}]" if r.parser else ""
            lines.append(f"{r.path}: {r.status_text}{parser}{followed_text(r)}")
        elif r.status == "error":
            lines.append(f"{click.style(r.path, bold=True)}: {click.style('error', fg='red')}: {r.reason}")
        elif loud_skip(r) and not quiet and not statistics:
            lines.append(f"{click.style(r.path, bold=True)}: {click.style('skipped', fg='yellow')}: {r.reason}")
        if r.notes and not quiet and not statistics:
            lines.extend(f"{click.style(f'{r.path}:{line}:{column}:', bold=True)} "
                         f"{click.style('note:', fg='cyan')} {text}" for line, column, text in r.notes)
        if statistics or not r.findings:
            continue
        if concise:
            lines.extend(finding_line(r.path, f) for f in r.findings)
            continue
        from drmigrate.report import codeframe  # only a run with findings to show draws frames

        for f, frame in zip(r.findings, codeframe.frames(r, fixing=fixing), strict=True):
            lines.extend(finding_block(r.path, f, frame))
            lines.append("")
    if statistics:
        lines.append(statistics_text(results).lstrip("\n"))
        if not quiet:
            lines.append("")
    if notes and not quiet:
        lines.extend(notes)
        lines.append("")
    if show_fixes:
        lines.extend([*fixes_text(results, fixing=fixing), ""])
    if not quiet:
        from drmigrate.report.steps import completed_sites, next_steps, next_steps_text

        done = completed_sites(results) if not (baselined or selected) else None
        left = next_steps_text(next_steps(results), concise=concise, complete=done)
        if left:
            lines.extend([*left, ""])
        lines.append(summary(results, fixing=fixing, baselined=baselined))
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""

