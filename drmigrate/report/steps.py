"""What is left: the steps a person must still take after a run, as data and as sentences.

The JSON report carries them as `next_steps`, SARIF in its run's properties, the text report and
the HTML page as their closing section; `report merge` sums them across repositories and writes
each sentence again from the sums.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import click

from drmigrate.model import FileResult, Finding
from drmigrate.report.common import PLACEHOLDER_CODE, finding_state, plural

# --- what is left: the steps a person must still take -------------------------------------------

SESSIONS_DOC = "https://docs.digitalriver.com/digital-river-api/payments/payment-sessions"
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
    files = plural(step.get("files") or 0, "file")
    places = _places(step)
    at = f" at {places}" if places else ""
    them = "it" if count == 1 else "them"
    if kind == "fix":
        wire = " --session-id EXPR" if ADDS_SESSION_ID & set(step.get("codes") or ()) else ""
        expr = " (EXPR: the page's payment session id; without it, a placeholder to wire later)" if wire else ""
        return f"Run `drmigrate fix{wire}`: it applies {_fixes_word(count)} in {files}{expr}."
    if kind == "wire-session-id":
        return (f"Wire the session id: {plural(count, 'placeholder')} in {files}{at}; "
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
        return f"{plural(count, 'placeholder')} to wire"
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
        return [(f"Migration complete for the files checked: {plural(complete['migrated'], 'payload site')} "
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

