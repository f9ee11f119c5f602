"""Every fixture: fix(before) == after, fix(after) == after, after parses, findings as expected."""

from __future__ import annotations

import json

import pytest

from drmigrate.discovery import decode
from drmigrate.runner import front_end_for, process_text
from tests.fixturelib import UPDATE, Case, cases, findings_json, read

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fixture(case: Case) -> None:
    config = case.config()
    source = decode(case.before.read_bytes(), str(case.before))
    name = case.path_for_frontend()
    outcome = process_text(source.text, name, config, fix=True)
    assert not outcome.error, outcome.error
    fixed = outcome.fixed if outcome.fixed is not None else source.text
    expected_findings = findings_json(outcome.initial)
    if UPDATE:
        if fixed != source.text:
            case.after.write_bytes((("\ufeff" if source.bom else "") + fixed).encode("utf-8"))
        elif case.after.exists():
            case.after.unlink()
        case.expected.write_text(json.dumps(expected_findings, indent=1) + "\n", "utf-8")
    want = decode(case.after.read_bytes(), str(case.after)).text if case.after.exists() else source.text
    assert fixed == want
    if case.after.exists():
        assert case.after.read_bytes().startswith(b"\xef\xbb\xbf") == source.bom
    # idempotent: fixing the result changes nothing
    again = process_text(want, name, config, fix=True)
    assert again.fixed is None, "fix(after) changed the text"
    front = front_end_for(name)
    assert front is not None and front.parses(want)
    assert json.loads(read(case.expected)) == expected_findings


def test_fixtures_exist() -> None:
    assert len(CASES) >= 14
