"""The HTML report: one self-contained page that shows where a migration stands.

It is rendered from the JSON report (`report.json.report_doc`, or several merged by
`report.merge`), so a page for one repository and a page for fifty are the same code. Everything
is inline (styles, the small script; no fonts, images or requests), and the page reads completely
without JavaScript: the script only adds filtering and sorting, and keeps their state in the URL's
`#fragment` so a filtered view can be shared as a link (`#state=manual&code=DR200&sort=-findings`).

A page stays fast at any size (`RENDERED`, `EMBEDDED`, `FILE_ROWS`): findings are grouped by file
with the count of each code; the first ones are rendered, the next ones kept as markup that the
script turns into elements on demand, and the rest counted.

The status is read generically: `migration_status` is {method: {state: count}}; an optional `calls`
table {call kind: {method: {state: count}}} adds a level; unknown states and codes are shown as
they come.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from drmigrate.report import codeframe
from drmigrate.report.common import STATE_TITLES, STATES
from drmigrate.report.merge import DEFAULT_CALL, FINDING_STATES, states_of, status_tables
from drmigrate.report.merge import as_int as _int
from drmigrate.report.merge import finding_state as _finding_state
from drmigrate.report.merge import state_totals as _state_totals
from drmigrate.report.steps import SESSIONS_DOC, step_message

if TYPE_CHECKING:
    from drmigrate.model import FileResult
    from drmigrate.report import Run

FINDING_STATE_TITLES = {"fixable": "fixable", "unsafe": "fixable with --unsafe-fixes",
                        "manual": "needs a person"}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _prose(text: object) -> str:
    """Escaped text with its `backticked` parts as code, as the messages write them."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _e(text))


def _bar(row: Mapping[str, int], states: list[str], label: str) -> str:
    total = sum(row.get(s, 0) for s in states)
    parts = []
    for s in states:
        n = row.get(s, 0)
        if not n:
            continue
        pct = 100 * n / total
        title = f"{label}: {n} {STATE_TITLES.get(s, s)}"
        parts.append(f'<span class="seg s-{_e(s)}" style="width:{pct:.3f}%" title="{_e(title)}">'
                     f'{n if pct >= 6 else ""}</span>')
    return f'<div class="bar" role="img" aria-label="{_e(label)}">{"".join(parts)}</div>'


def _status_table(rows: Mapping[str, Mapping[str, int]], states: list[str], first: str) -> str:
    head = "".join(f'<th class="num">{_e(STATE_TITLES.get(s, s))}</th>' for s in states)
    body = []
    totals: Counter[str] = Counter()
    for name, row in rows.items():
        cells = "".join(f'<td class="num">{row.get(s, 0)}</td>' for s in states)
        body.append(f'<tr><th scope="row">{_e(name)}</th><td class="barcell">{_bar(row, states, name)}</td>'
                    f"{cells}</tr>")
        totals.update({s: row.get(s, 0) for s in states})
    if len(rows) > 1:
        cells = "".join(f'<td class="num">{totals[s]}</td>' for s in states)
        body.append(f'<tr class="total"><th scope="row">total</th>'
                    f'<td class="barcell">{_bar(totals, states, "total")}</td>{cells}</tr>')
    return (f'<table class="status"><thead><tr><th>{_e(first)}</th><th>payload sites</th>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def _legend(states: list[str]) -> str:
    items = "".join(f'<li><span class="swatch s-{_e(s)}"></span>{_e(STATE_TITLES.get(s, s))}</li>'
                    for s in states)
    return f'<ul class="legend">{items}</ul>'


def _where(item: Mapping[str, Any]) -> str:
    repo = item.get("repository")
    return f"{repo}: {item.get('path')}" if repo else str(item.get("path"))


def _frame(item: Mapping[str, Any]) -> str:
    rows = codeframe.from_dicts(item.get("frame"))
    if not rows:
        return ""
    out = []
    previous = None
    for r in rows:
        if previous is not None and r.line > previous + 1:
            out.append('<span class="ln">…</span>\n')
        previous = r.line
        out.append(f'<span class="ln">{r.line}</span>{_e(r.before)}<mark>{_e(r.marked) or " "}</mark>'
                   f"{_e(r.after)}\n")
    return f'<pre class="frame">{"".join(out)}</pre>'


def _diff(text: str) -> str:
    lines = []
    for line in text.splitlines():
        kind = {"@": "hunk", "-": "del", "+": "add"}.get(line[:1], "ctx")
        lines.append(f'<span class="{kind}">{_e(line) or " "}</span>')
    return "\n".join(lines)


def _finding(item: Mapping[str, Any], index: int) -> str:
    state = _finding_state(item)
    code = str(item.get("code", "?"))
    method = item.get("source_type") or "(unknown type)"
    where = f"{_where(item)}:{item.get('line')}:{item.get('column')}"
    parts = [
        (f'<article class="finding" id="f{index}" data-code="{_e(code)}" data-state="{_e(state)}" '
         f'data-method="{_e(method)}" data-repo="{_e(item.get("repository") or "")}">'),
        (f'<h4><a class="loc" href="#f{index}">{_e(where)}</a> <span class="code">{_e(code)}</span> '
         f'<span class="name">{_e(item.get("name", ""))}</span> '
         f'<span class="pill p-{_e(state)}">{_e(FINDING_STATE_TITLES.get(state, state))}</span> '
         f'<span class="method">{_e(method)}</span></h4>'),
        f'<p class="msg">{_prose(item.get("message", ""))}</p>',
        _frame(item),
    ]
    related = item.get("related")
    if isinstance(related, list) and related:
        steps = "".join(
            f'<li><span class="loc">{_e(str(step.get("path", "")))}:{_e(str(step.get("line", "")))}</span> '
            f'{_prose(str(step.get("message", "")))}</li>'
            for step in related if isinstance(step, dict))
        parts.append(f'<div class="via"><b>via:</b><ol>{steps}</ol></div>')
    help_text = item.get("help") or item.get("fix_title")
    if help_text:
        parts.append(f'<p class="help"><b>help:</b> {_prose(help_text)}</p>')
    fix_diff = item.get("fix_diff")
    if isinstance(fix_diff, str) and fix_diff:
        parts.append(f'<details class="fix"><summary>Diff of the fix</summary><pre class="diff">'
                     f"{_diff(fix_diff)}</pre></details>")
    links = [f"<code>drmigrate explain {_e(code)}</code>"]
    url = item.get("url")
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        links.insert(0, f'<a href="{_e(url)}" rel="noreferrer">Digital River docs: update your code</a>')
    parts.append(f'<p class="doc">{" · ".join(links)}</p></article>')
    return "\n".join(p for p in parts if p)


FILE_COLUMNS = (("migrated", "migrated"), ("remaining", "remaining"), ("manual", "manual review"),
                ("suppressed", "suppressed"))
FINDING_COLUMNS = (("findings", "all"), ("fixable", "fixable"), ("unsafe", "unsafe"), ("manual-findings", "manual"))


def _file_rows(doc: Mapping[str, Any], merged: bool) -> tuple[list[str], int]:
    """Rows of the per-file table (files with payloads, findings or errors) and how many are left out."""
    by_file: dict[tuple[str, str], Counter[str]] = {}
    for item in doc.get("findings") or []:
        if isinstance(item, Mapping):
            key = (str(item.get("repository") or ""), str(item.get("path")))
            by_file.setdefault(key, Counter())[_finding_state(item)] += 1
    rows = []
    quiet = 0
    for f in doc.get("files") or []:
        if not isinstance(f, Mapping):
            continue
        key = (str(f.get("repository") or ""), str(f.get("path")))
        sites = f.get("sites")
        site_row = {str(s): _int(n) for s, n in sites.items()} if isinstance(sites, Mapping) else {}
        found = by_file.get(key, Counter())
        status = str(f.get("status", ""))
        if not sum(site_row.values()) and not found and not status.startswith(("error", "skipped")):
            quiet += 1
            continue
        cells = [f'<td data-sort="{_e(key[0])}">{_e(key[0])}</td>'] if merged else []
        bar = _bar(site_row, states_of([{"x": site_row}]), key[1]) if sum(site_row.values()) else ""
        cells += [
            f'<td class="path" data-sort="{_e(key[1])}">{_e(key[1])}</td>',
            f'<td data-sort="{_e(status)}"><span class="st st-{_e(status.split(":")[0])}">{_e(status)}</span></td>',
            f'<td class="barcell small">{bar}</td>',
        ]
        for s, _ in FILE_COLUMNS:
            cells.append(f'<td class="num" data-sort="{site_row.get(s, 0)}">{site_row.get(s, 0)}</td>')
        counts = [sum(found.values()), found["fixable"], found["unsafe"], found["manual"]]
        cells.extend(f'<td class="num" data-sort="{n}">{n}</td>' for n in counts)
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return rows, quiet


def _files_table(doc: Mapping[str, Any], merged: bool) -> str:
    rows, quiet = _file_rows(doc, merged)
    note = (f'<p class="note">{quiet} other file{"s" if quiet != 1 else ""} without payloads or findings.</p>'
            if quiet else "")
    if len(rows) > FILE_ROWS:
        note = (f'<p class="note">{len(rows) - FILE_ROWS:,} more files with payloads or findings are not in this '
                f"table (it shows the first {FILE_ROWS:,}); the JSON report lists them.</p>{note}")
        rows = rows[:FILE_ROWS]
    if not rows:
        return f'<p class="note">No file with payloads, findings or skips.</p>{note}'
    first = [("repository", "repository")] if merged else []
    col = 0
    top, second = [], []
    for key, title in [*first, ("file", "file"), ("status", "status")]:
        top.append(f'<th rowspan="2" scope="col" data-key="{key}" data-col="{col}">{_e(title)}</th>')
        col += 1
    top.append(f'<th colspan="{1 + len(FILE_COLUMNS)}" scope="colgroup" class="group">payload sites</th>')
    top.append(f'<th colspan="{len(FINDING_COLUMNS)}" scope="colgroup" class="group">findings</th>')
    second.append('<th scope="col"></th>')
    col += 1
    for key, title in (*FILE_COLUMNS, *FINDING_COLUMNS):
        second.append(f'<th scope="col" class="num" data-key="{key}" data-col="{col}">{_e(title)}</th>')
        col += 1
    return (f'<table class="files sortable"><thead><tr>{"".join(top)}</tr><tr>{"".join(second)}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{note}')


def _summary_cards(doc: Mapping[str, Any], tables: Mapping[str, Mapping[str, Mapping[str, int]]]) -> str:
    sites = Counter(_state_totals(tables))
    total = sum(sites.values())
    findings = [i for i in doc.get("findings") or [] if isinstance(i, Mapping)]
    states = Counter(_finding_state(i) for i in findings)
    summary = doc.get("summary") if isinstance(doc.get("summary"), Mapping) else {}
    assert isinstance(summary, Mapping)
    pct = f"{100 * sites['migrated'] / total:.0f}%" if total else "–"
    cards = [
        ("migrated", pct, f"{sites['migrated']} of {total} payload sites"),
        ("remaining", str(sites["remaining"]), "sites with fixes to apply"),
        ("manual", str(sites["manual"]), "sites that need a person"),
        ("findings", str(len(findings)),
         " · ".join(f"{states[s]} {FINDING_STATE_TITLES[s]}" for s in FINDING_STATES if states[s]) or "none"),
    ]
    if _int(summary.get("fixed")):
        cards.append(("fixed", str(summary.get("fixed")), "findings fixed in this run"))
    return '<div class="cards">' + "".join(
        f'<div class="card c-{_e(k)}"><div class="big">{_e(v)}</div><div>{_e(sub)}</div></div>'
        for k, v, sub in cards) + "</div>"


def _select(name: str, label: str, values: Iterable[str], titles: Mapping[str, str] | None = None) -> str:
    options = "".join(f'<option value="{_e(v)}">{_e((titles or {}).get(v, v))}</option>' for v in values)
    return f'<label>{_e(label)} <select data-filter="{_e(name)}"><option value="">all</option>{options}</select></label>'


# A page stays fast at any number of findings: it renders the first RENDERED findings (in file
# order), keeps the next ones up to EMBEDDED as ready markup in a JSON block that the script
# turns into elements only when their file is opened or a filter wants them, and only counts the
# rest (the JSON report has them all). 50,000 findings rendered at once made an 80 MB page that
# took minutes to load.
RENDERED = 500
EMBEDDED = 5_000
FILE_ROWS = 1_000  # rows of the per-file table; more files are counted under it


def _words(item: Mapping[str, Any], where: str, state: str) -> str:
    """What the search box looks in for one finding (its heading, message and help), lower-cased,
    as the script reads it from a rendered finding."""
    method = item.get("source_type") or "(unknown type)"
    return " ".join(str(part) for part in (
        where, item.get("code", "?"), item.get("name", ""), FINDING_STATE_TITLES.get(state, state), method,
        item.get("message", ""), "help:" if item.get("help") or item.get("fix_title") else "",
        item.get("help") or item.get("fix_title") or "")).lower()


def _by_code(items: Sequence[tuple[int, Mapping[str, Any]]]) -> str:
    counts = Counter(str(item.get("code", "?")) for _, item in items)
    return " · ".join(f"{_e(code)} ×{n}" for code, n in sorted(counts.items()))


def _data_block(data: object) -> str:
    # JSON in a non-script block: `<` escaped so that no `</script>` can end it early
    import json

    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" id="more-findings">{text}</script>'


def _findings_section(doc: Mapping[str, Any]) -> str:
    findings = [i for i in doc.get("findings") or [] if isinstance(i, Mapping)]
    if not findings:
        return '<p class="note">No findings.</p>'
    groups: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for index, item in enumerate(findings):
        groups.setdefault(_where(item), []).append((index, item))
    codes = sorted({str(i.get("code")) for i in findings})
    methods = sorted({str(i.get("source_type") or "(unknown type)") for i in findings})
    states = [s for s in FINDING_STATES if any(_finding_state(i) == s for i in findings)]
    total = len(findings)
    left_out = max(0, total - RENDERED - EMBEDDED)
    controls = (
        '<form class="controls" id="controls" hidden onsubmit="return false">'
        '<label>search <input type="search" data-filter="q" placeholder="path, message, code"></label>'
        f'{_select("state", "state", states, FINDING_STATE_TITLES)}{_select("code", "code", codes)}'
        f'{_select("method", "method", methods)}'
        f'<output id="shown" data-total="{total}" data-absent="{left_out}">{total} of {total} findings</output></form>'
    )
    sections = []
    more: list[list[object]] = []  # [group, code, state, method, words, markup] of each embedded finding
    for group, (where, items) in enumerate(groups.items()):
        shown = [(i, item) for i, item in items if i < RENDERED]
        body = "\n".join(_finding(item, index) for index, item in shown)
        rest = len(items) - len(shown)
        tail = ""
        if rest:
            embedded = [(i, item) for i, item in items if RENDERED <= i < RENDERED + EMBEDDED]
            for index, item in embedded:
                state = _finding_state(item)
                more.append([group, str(item.get("code", "?")), state,
                             str(item.get("source_type") or "(unknown type)"),
                             _words(item, f"{_where(item)}:{item.get('line')}:{item.get('column')}", state),
                             _finding(item, index)])
            absent = rest - len(embedded)
            note = (f"{rest} more finding{'s' if rest != 1 else ''} in this file ({_by_code(items[len(shown):])})"
                    + (f", {absent} of them only in the JSON report (the page holds {RENDERED + EMBEDDED:,} of "
                       f"{total:,})" if absent else ""))
            tail = (f'<details class="more" data-group="{group}"><summary>{note}</summary>'
                    '<p class="note">Shown when opened (the page renders its first '
                    f"{RENDERED:,} findings at once; the rest needs the script).</p></details>")
        sections.append(f'<section class="file" data-group="{group}"><h3>{_e(where)} <span class="count">'
                        f'{len(items)}</span> <span class="codes">{_by_code(items)}</span></h3>'
                        f"\n{body}{tail}</section>")
    data = _data_block(more) if more else ""
    return controls + "\n".join(sections) + data


def _left(doc: Mapping[str, Any]) -> str:
    """What is left to do, from the report's `next_steps` (the text report's closing section)."""
    steps = [s for s in doc.get("next_steps") or [] if isinstance(s, Mapping)]
    if not steps:
        return ""
    items = []
    for step in steps:
        text = _prose(step.get("message") or step_message(dict(step)))
        text = text.replace(SESSIONS_DOC, f'<a href="{SESSIONS_DOC}">{SESSIONS_DOC}</a>')
        items.append(f'<li class="step-{_e(step.get("kind"))}">{text}</li>')
    return f'<section id="left"><h2>What is left</h2><ul>{"".join(items)}</ul></section>'


def _baseline(doc: Mapping[str, Any]) -> str:
    info = doc.get("baseline")
    if not isinstance(info, Mapping):
        return ""
    stale = [e for e in info.get("stale") or [] if isinstance(e, Mapping)]
    items = "".join(f"<li><code>{_e(e.get('path'))}:{_e(e.get('line'))}</code> {_e(e.get('code'))} "
                    f"{_e(e.get('message'))}</li>" for e in stale)
    gone = (f"<p>{len(stale)} baseline entr{'y' if len(stale) == 1 else 'ies'} no longer occur; "
            f"shrink the baseline with <code>--baseline FILE --write-baseline FILE</code>:</p><ul>{items}</ul>"
            if stale else "")
    return (f'<section id="baseline"><h2>Baseline</h2><p><code>{_e(info.get("file"))}</code>: '
            f'{_int(info.get("hidden"))} findings in the baseline are not shown.</p>{gone}</section>')


def render(results: Sequence[FileResult], run: Run) -> str:
    from drmigrate.report.json import report_doc

    return page(report_doc(results, table=run.table, fixing=run.fixing, repository=run.repository,
                           baseline=run.baseline))


def page(doc: Mapping[str, Any], *, title: str = "Payment-session migration") -> str:
    """The page for one JSON report (or a merged one)."""
    tables = status_tables(doc)
    states = states_of(tables.values())
    used = [s for s in states if s in STATES or any(row.get(s) for t in tables.values() for row in t.values())]
    repos = [r for r in doc.get("repositories") or [] if isinstance(r, Mapping)]
    merged = bool(repos)
    tool = doc.get("tool") if isinstance(doc.get("tool"), Mapping) else {}
    assert isinstance(tool, Mapping)
    mode = str(doc.get("mode") or "check")
    done = {"check": "checked", "fix": "after `drmigrate fix`", "merge": "merged"}.get(mode, mode)
    where = (f"{len(repos)} repositor{'y' if len(repos) == 1 else 'ies'}" if merged else
             f"repository {doc['repository']}" if doc.get("repository") else "")
    files = [f for f in doc.get("files") or [] if isinstance(f, Mapping)]
    status_html = []
    for call, methods in tables.items():
        heading = f"<h3><code>{_e(call)}</code></h3>" if len(tables) > 1 or call != DEFAULT_CALL else \
            f"<h3><code>{_e(call)}</code> payloads by payment method</h3>"
        status_html.append(heading + (_status_table(methods, used, "method") if methods else
                                      '<p class="note">No payload seen.</p>'))
    if merged:
        rows = {str(r.get("name")): _state_totals(status_tables(r)) for r in repos}
        status_html.append("<h3>By repository</h3>" + _status_table(rows, used, "repository"))
    skipped = sum(1 for f in files if str(f.get("status", "")).startswith("skipped"))
    counted = f"{len(files) - skipped} files {done}" + (f", {skipped} skipped (listed below)" if skipped else "")
    subtitle = " · ".join(_e(part) for part in (f"drmigrate {tool.get('version', '')}", where, counted) if part)
    return PAGE.format(
        title=_e(title),
        subtitle=subtitle,
        cards=_summary_cards(doc, tables),
        legend=_legend(used),
        status="\n".join(status_html),
        files=_files_table(doc, merged),
        findings=_findings_section(doc),
        baseline=_baseline(doc),
        left=_left(doc),
        style=STYLE,
        script=SCRIPT,
    )


STYLE = """
:root { --migrated:#2e7d32; --remaining:#ef8f00; --manual:#c62828; --suppressed:#8d8d8d;
  --fg:#1d2330; --muted:#5b6475; --bg:#ffffff; --panel:#f5f6f8; --line:#dde1e7; --mark:#ffe58a; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; color: var(--fg); background: var(--bg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
h1 { font-size: 26px; margin: 0 0 2px; } h2 { font-size: 19px; margin: 30px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 8px; } h4 { font-size: 14px; margin: 0 0 4px; font-weight: 600; }
code, pre, .loc, .path { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
.subtitle, .note { color: var(--muted); margin: 4px 0; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 18px 0 4px; }
.card { flex: 1 1 180px; background: var(--panel); border-radius: 8px; padding: 10px 14px; border-left: 5px solid var(--line); color: var(--muted); font-size: 13px; }
.card .big { font-size: 26px; font-weight: 700; color: var(--fg); }
.c-migrated { border-color: var(--migrated); } .c-remaining { border-color: var(--remaining); }
.c-manual { border-color: var(--manual); } .c-findings { border-color: #3b6fd8; } .c-fixed { border-color: var(--migrated); }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
thead th { color: var(--muted); font-weight: 600; font-size: 12.5px; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; width: 1%; white-space: nowrap; }
tr.total th, tr.total td { font-weight: 700; border-top: 2px solid var(--line); }
.barcell { width: 45%; min-width: 160px; } .barcell.small { width: 14%; min-width: 70px; }
.bar { display: flex; height: 18px; border-radius: 4px; overflow: hidden; background: var(--panel); }
.seg { display: block; height: 100%; color: #fff; font-size: 11.5px; line-height: 18px; text-align: center; overflow: hidden; white-space: nowrap; }
.s-migrated { background: var(--migrated); } .s-remaining { background: var(--remaining); }
.s-manual { background: var(--manual); } .s-suppressed { background: var(--suppressed); }
.seg:not(.s-migrated):not(.s-remaining):not(.s-manual):not(.s-suppressed) { background: #5e6ad2; }
.legend { display: flex; gap: 16px; list-style: none; padding: 0; margin: 6px 0; color: var(--muted); font-size: 13px; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.files .path { overflow-wrap: anywhere; min-width: 14em; }
th.group { text-align: center; border-bottom: 1px solid var(--line); }
.sortable th[data-key] { cursor: default; }
.js .sortable th[data-key] { cursor: pointer; } .js .sortable th[data-key]:hover { color: var(--fg); }
th[aria-sort="ascending"]::after { content: " \\25B2"; } th[aria-sort="descending"]::after { content: " \\25BC"; }
.st { font-size: 12px; } .st-error { color: var(--manual); font-weight: 600; } .st-fixed { color: var(--migrated); }
.controls { display: flex; gap: 14px; flex-wrap: wrap; align-items: center; background: var(--panel); padding: 8px 12px; border-radius: 8px; margin: 8px 0 12px; font-size: 13px; }
.controls[hidden] { display: none; } .controls output { margin-left: auto; color: var(--muted); }
.controls input, .controls select { font: inherit; padding: 2px 6px; }
section.file h3 { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13.5px; background: var(--panel); padding: 6px 10px; border-radius: 6px; }
.count { color: var(--muted); font-weight: 400; }
.finding { border-left: 3px solid var(--line); padding: 4px 0 4px 12px; margin: 0 0 16px 4px; }
.finding[data-state="fixable"] { border-left-color: var(--remaining); } .finding[data-state="manual"] { border-left-color: var(--manual); }
.finding[data-state="unsafe"] { border-left-color: #b26a00; }
.code { font-weight: 700; color: #b3261e; font-family: ui-monospace, Menlo, Consolas, monospace; }
.name, .method { color: var(--muted); font-weight: 400; font-size: 12.5px; }
.loc { color: var(--fg); text-decoration: none; } .loc:hover { text-decoration: underline; }
.pill { font-size: 11.5px; font-weight: 600; border-radius: 10px; padding: 1px 8px; color: #fff; background: var(--muted); }
.p-fixable { background: var(--remaining); } .p-unsafe { background: #b26a00; } .p-manual { background: var(--manual); }
.msg { margin: 2px 0 6px; } .msg code, .help code { background: var(--panel); border-radius: 3px; padding: 0 3px; }
pre { background: #f7f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; margin: 4px 0; overflow-x: auto; }
.ln { display: inline-block; min-width: 3.2em; padding-right: 10px; margin-right: 8px; color: #8a93a3; text-align: right; border-right: 1px solid var(--line); user-select: none; }
mark { background: var(--mark); color: inherit; border-bottom: 2px solid #e0a800; }
.help { margin: 4px 0; font-size: 13.5px; }
.via { margin: 4px 0; font-size: 13px; } .via ol { margin: 2px 0 2px 18px; padding: 0; } .via .loc { font-family: monospace; } .doc { margin: 2px 0; font-size: 12.5px; color: var(--muted); }
.diff .add { color: #1a7f37; background: #e6ffec; display: block; } .diff .del { color: #b3261e; background: #ffebe9; display: block; }
.diff .hunk { color: #6f42c1; display: block; } .diff .ctx { display: block; }
details.fix summary { cursor: pointer; font-size: 13px; color: #3b6fd8; }
footer { margin-top: 40px; color: var(--muted); font-size: 12.5px; }
@media (prefers-color-scheme: dark) {
  :root { --fg:#e6e8ee; --muted:#9aa3b2; --bg:#14171c; --panel:#1f242c; --line:#323944; --mark:#6b5a12; }
  pre { background: #1a1e25; } .diff .add { background: #12301c; color: #7ee2a0; } .diff .del { background: #3a1717; color: #ff9b93; }
  .code { color: #ff8a80; }
}
@media print { .controls { display: none; } details.fix { display: block; } }
"""

# Filters and sorting only; the page is complete without it. State lives in the fragment
# (#q=…&state=…&code=…&method=…&sort=key or -key) so a filtered view is a link.
SCRIPT = """
(function () {
  document.documentElement.classList.add('js');
  var form = document.getElementById('controls');
  var findings = [], words = [];
  // search the location, code, message and help, not the code frames and diffs
  function track(f) {
    findings.push(f);
    words.push(Array.prototype.map.call(f.querySelectorAll('h4, .msg, .help'), function (e) { return e.textContent; })
      .join(' ').toLowerCase());
  }
  Array.prototype.forEach.call(document.querySelectorAll('article.finding'), track);
  // findings past the first ones rendered: [file group, code, state, method, search words, markup],
  // read when first needed and turned into elements when their file is opened or a filter wants them
  var more = null;
  function moreData() {
    if (more === null) {
      var block = document.getElementById('more-findings');
      more = block ? JSON.parse(block.textContent) : [];
    }
    return more;
  }
  function render(item) {
    if (item.length > 6) return;
    item.push(true);
    var section = document.querySelector('section.file[data-group="' + item[0] + '"]');
    var holder = document.createElement('div');
    holder.innerHTML = item[5];  // markup the report wrote, escaped there
    section.insertBefore(holder.firstElementChild, section.querySelector('details.more'));
    track(section.querySelector('details.more').previousElementSibling);
  }
  Array.prototype.forEach.call(document.querySelectorAll('details.more'), function (d) {
    d.addEventListener('toggle', function () {
      if (!d.open) return;
      var group = Number(d.getAttribute('data-group'));
      moreData().forEach(function (m) { if (m[0] === group) render(m); });
      if (form) apply();
    });
  });
  function params() {
    var out = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
      if (!kv || kv.indexOf('=') < 0) return;
      var i = kv.indexOf('=');
      out[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1).replace(/\\+/g, ' '));
    });
    return out;
  }
  function controls() { return form ? Array.prototype.slice.call(form.querySelectorAll('[data-filter]')) : []; }
  function apply() {
    var want = {};
    controls().forEach(function (c) { if (c.value) want[c.getAttribute('data-filter')] = c.value; });
    var q = (want.q || '').toLowerCase(), shown = 0, pending = 0;
    var active = Boolean(want.state || want.code || want.method || q);
    function ok(code, state, method, text) {
      return (!want.state || state === want.state) && (!want.code || code === want.code) &&
        (!want.method || method === want.method) && (!q || text.indexOf(q) >= 0);
    }
    if (active) {  // embedded findings that match are shown too (a thousand at a time)
      var budget = 1000;
      moreData().forEach(function (m) {
        if (m.length < 7 && budget > 0 && ok(m[1], m[2], m[3], m[4])) { render(m); budget--; }
      });
    }
    findings.forEach(function (f, i) {
      var good = ok(f.dataset.code, f.dataset.state, f.dataset.method, words[i]);
      f.hidden = !good; if (good) shown++;
    });
    if (more) more.forEach(function (m) { if (m.length < 7 && (!active || ok(m[1], m[2], m[3], m[4]))) pending++; });
    Array.prototype.forEach.call(document.querySelectorAll('section.file'), function (s) {
      s.hidden = !s.querySelector('article.finding:not([hidden])') && (active || !s.querySelector('details.more'));
    });
    var out = document.getElementById('shown');
    if (out) {
      var total = Number(out.getAttribute('data-total')), absent = Number(out.getAttribute('data-absent'));
      if (more === null) pending = total - absent - findings.length;
      out.textContent = (shown + pending + (active ? 0 : absent)) + ' of ' + total + ' findings' +
        (active && absent ? ' (' + absent + ' more are only in the JSON report)' : '');
    }
    return want;
  }
  function save(extra) {
    var p = apply(), keep = params();
    if (keep.sort) p.sort = keep.sort;
    for (var k in extra) { if (extra[k]) p[k] = extra[k]; else delete p[k]; }
    var s = Object.keys(p).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(p[k]); }).join('&');
    history.replaceState(null, '', s ? '#' + s : location.pathname + location.search);
  }
  function sortBy(table, key) {
    var desc = key.charAt(0) === '-', name = desc ? key.slice(1) : key;
    var heads = Array.prototype.slice.call(table.querySelectorAll('th[data-key]'));
    var head = heads.filter(function (h) { return h.getAttribute('data-key') === name; })[0];
    if (!head) return;
    var col = Number(head.getAttribute('data-col'));
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    function val(r) { var c = r.cells[col]; return c ? (c.getAttribute('data-sort') || c.textContent) : ''; }
    var numeric = rows.every(function (r) { return val(r) !== '' && !isNaN(Number(val(r))); });
    rows.sort(function (a, b) {
      var x = val(a), y = val(b), d = numeric ? Number(x) - Number(y) : x.localeCompare(y);
      return desc ? -d : d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    heads.forEach(function (h) {
      if (h === head) h.setAttribute('aria-sort', desc ? 'descending' : 'ascending'); else h.removeAttribute('aria-sort');
    });
  }
  var start = params();
  if (form) {
    form.hidden = false;
    controls().forEach(function (c) {
      var k = c.getAttribute('data-filter');
      if (start[k]) c.value = start[k];
      c.addEventListener('input', function () { save({}); });
    });
    apply();
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    if (start.sort) sortBy(table, start.sort);
    Array.prototype.forEach.call(table.querySelectorAll('th[data-key]'), function (h) {
      h.addEventListener('click', function () {
        var key = h.getAttribute('data-key'), now = h.getAttribute('aria-sort');
        var next = now === 'ascending' ? '-' + key : key;
        sortBy(table, next); save({sort: next});
      });
    });
  });
  document.body.setAttribute('data-ready', 'true');
  document.body.setAttribute('data-ready-ms', String(Math.round(performance.now())));
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p class="subtitle">{subtitle}</p>
{cards}
</header>
<main>
<section id="status">
<h2>Migration status</h2>
{legend}
{status}
</section>
{left}
<section id="files">
<h2>Files</h2>
{files}
</section>
{baseline}
<section id="findings">
<h2>Findings</h2>
{findings}
</section>
</main>
<footer>Generated by drmigrate from its JSON report. The page needs no network; the script only filters and sorts.</footer>
<script>{script}</script>
</body>
</html>
"""
