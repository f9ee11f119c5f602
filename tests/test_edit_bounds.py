"""No edit lands outside a payload object and its legacy write statements.

For every fixture that changes, the regions of `before` that differ from `after` must each lie inside
one payload part (object literal) or one write statement's lines, as the front end reported them.
"""

from __future__ import annotations

import pytest

from drmigrate import suppressions
from drmigrate.discovery import decode
from drmigrate.edits import apply, line_end_after, line_start
from drmigrate.model import Span, Write
from drmigrate.runner import MAX_FIX_PASSES, front_end_for
from tests.fixturelib import Case, cases

CHANGING = [c for c in cases() if c.after.exists()]


def _allowed(case: Case, text: str) -> list[Span]:
    front = front_end_for(case.path_for_frontend())
    assert front is not None
    extraction = front.extract(text, case.config().settings)
    spans: list[Span] = []
    for site in extraction.sites:
        spans.extend(part.span for part in site.parts)
        # the `, {...}` that drops an emptied part from a merge call's arguments
        spans.extend(part.cut for part in site.parts if part.cut is not None)
        # debris: the `if` that only held removed writes (and the statements around it, emptied in
        # turn), the merge of an emptied part
        statements = [w.span for w in site.writes]
        statements += [part.carrier.span for part in site.parts if part.carrier is not None]
        for write in site.writes:
            enclosure = write.enclosure
            while enclosure is not None:
                statements.append(enclosure.span)
                enclosure = enclosure.outer
        for statement in statements:
            write = Write(("",), statement, True)
            end = line_end_after(text, write.span[1], allow_comma=False)
            if end is None:  # something follows on the line (a comment): spaces before it may go
                end = write.span[1]
                while text[end:end + 1] in (" ", "\t"):
                    end += 1
            spans.append((line_start(text, write.span[0]), end))
    # consecutive write statements form one region
    merged: list[Span] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


@pytest.mark.parametrize("case", CHANGING, ids=[c.id for c in CHANGING])
def test_edits_stay_inside_payloads(case: Case) -> None:
    """Every edit lies inside a payload span, and splicing the edits alone gives `after`."""
    config = case.config()
    front = front_end_for(case.path_for_frontend())
    assert front is not None
    text = decode(case.before.read_bytes(), str(case.before)).text
    after = decode(case.after.read_bytes(), str(case.after)).text
    for _ in range(MAX_FIX_PASSES):
        extraction = front.extract(text, config.settings)
        result = suppressions.analyze(extraction, text, config.table, config.options)
        if not result.edits:
            break
        allowed = _allowed(case, text)
        for edit in result.edits:
            assert any(a <= edit.start and edit.end <= b for a, b in allowed), (
                f"{case.id}: edit {edit} ({text[edit.start:edit.end]!r}) is outside every payload span"
            )
        text = apply(text, result.edits, extraction.protected)
    assert text == after


def test_there_are_changing_fixtures() -> None:
    assert len(CHANGING) >= 40
