"""No silent sites (issue 11): every call of a session-configurable DigitalRiver.js method on a
recognised instance ends in a verdict — migrated, fixed, or a finding that says why a person must
look — in the forms real integrations use, and on the whole test corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from drmigrate.discovery import decode
from drmigrate.frontends import ParseError
from drmigrate.frontends.esprima_js import parse
from drmigrate.frontends.jsanalysis import Analysis, span_of
from drmigrate.runner import make_config, process_text
from tests.fixturelib import ROOT

CONFIG = make_config()
LEGACY = "{type: 'directDebit', amount: 1, owner: o}"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param(f"import {{DRJS}} from './keys';\nexport function pay(app) {{ return app[DRJS].createSource({LEGACY}); }}\n",
                     "DR101", id="computed-member-keyed-by-an-imported-constant"),
        pytest.param(f"import {{DRJS}} from './keys';\nconst _drjs = app[DRJS];\n_drjs.createSource({LEGACY});\n",
                     "DR101", id="alias-of-the-computed-member"),
        pytest.param("var args = [];\nargs.push(payload);\ndigitalriver.createSource.apply(digitalriver, args);\n",
                     "DR200", id="apply-with-a-pushed-argument-list"),
        pytest.param("import {DRJS} from './keys';\nexport function pay(app, sourceData) { return app[DRJS].createSource(sourceData); }\n",
                     "DR200", id="parameter-behind-a-computed-receiver"),
        pytest.param(f"const {{createSource}} = digitalriver;\ncreateSource({LEGACY});\n", "DR101",
                     id="destructured-method"),
        pytest.param(f"const cs = digitalriver.createSource.bind(digitalriver);\ncs({LEGACY});\n", "DR101",
                     id="bound-method"),
        pytest.param(f"const dr = new DigitalRiver(key);\nfunction* pay() {{ yield call([dr, dr.createSource], {LEGACY}); }}\n",
                     "DR101", id="redux-saga-call"),
        pytest.param("const AMOUNT = 'amount';\nvar payload = {type: 'directDebit', owner: o};\npayload[AMOUNT] = total;\n"
                     "digitalriver.createSource(payload);\n", "DR101", id="constant-key-write"),
        pytest.param(f"const DR = window.DigitalRiver;\nconst client = new DR(key);\nclient.createSource({LEGACY});\n",
                     "DR101", id="constructor-alias"),
        pytest.param(f"async function go() {{ const client = await loadDigitalRiver(key); return client.createSource({LEGACY}); }}\n",
                     "DR101", id="async-loader"),
        pytest.param(f"loadDigitalRiver(key).then(function (client) {{ client.createSource({LEGACY}); }});\n",
                     "DR101", id="loader-promise"),
        pytest.param("digitalriver.createSource({amount: 1, currency: 'USD'});\n", "DR201", id="payload-without-type"),
        pytest.param("digitalriver.createSource({type: 'giftCard', amount: 1});\n", "DR201", id="type-the-table-does-not-know"),
        pytest.param("digitalriver.createSource();\n", "DR200", id="no-payload"),
    ],
)
def test_silent_forms_get_a_verdict(text: str, code: str) -> None:
    outcome = process_text(text, "a.js", CONFIG, fix=False)
    assert code in [f.code for f in outcome.findings], outcome.findings
    assert all(f.confidence.value == "high" for f in outcome.findings if f.code == code)
    assert outcome.sites, "the call counts in the migration status"


def _corpus() -> list[Path]:
    return sorted(p for root in ("fixtures", "examples") for p in (ROOT / root).rglob("*.js")
                  if p.name != "options.json")


def test_every_call_on_a_recognised_instance_has_a_verdict_on_the_corpus() -> None:
    """For each JavaScript file of the fixtures and examples, every call of one of these methods on
    a DigitalRiver.js instance is counted by a site of the migration status (or has a finding)."""
    checked = 0
    for path in _corpus():
        text = decode(path.read_bytes(), str(path)).text
        try:
            program = parse(text)
        except ParseError:
            continue  # files esprima cannot read are read by tree-sitter: covered by the fixtures
        analysis = Analysis(program, text, CONFIG.settings)
        outcome = process_text(text, str(path), CONFIG, fix=False)
        for call in analysis.calls:
            if analysis.receiver_kind(call.receiver) != "dr":
                continue
            checked += 1
            start, end = span_of(call.node)
            assert any(s.span == (start, end) for s in outcome.sites) or any(
                start <= f.span[0] < end for f in outcome.findings), f"{path}:{text.count(chr(10), 0, start) + 1}"
    assert checked > 100


@pytest.mark.parametrize(
    ("text", "reported"),
    [
        pytest.param("client.createSource({type: 'payPal', amount: 1, payPal: {returnUrl: u}});\n", True, id="dr-type"),
        pytest.param("client.createSource({payPal: {returnUrl: u, items: i}});\n", True, id="dr-method-hash"),
        pytest.param("client.createSource({type: 'customerCredit', amount: 1});\n", False, id="rest-type"),
        pytest.param("client.createSource({name: 'x'});\n", False, id="no-evidence"),
    ],
)
def test_unrecognised_receivers_are_reported_on_evidence_with_low_confidence(text: str, reported: bool) -> None:
    findings = process_text(text, "a.js", CONFIG, fix=False).findings
    assert bool(findings) is reported
    assert all(f.confidence.value == "low" for f in findings)
