"""Every documented method migrates to exactly the doc's key set ("with payment sessions" examples).

The doc's "without" example of each method is the `before.js` of `fixtures/<method>/doc-example/`;
its "with" example is read from the vendored doc section. The values may differ (the Klarna examples
are different customers; sessionId sits in different places), so the nested key sets are compared.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import esprima
import pytest

from tests.fixturelib import FIXTURES, read

DOC = (Path(__file__).parent / "data" / "update-your-code.txt").read_text("utf-8")
TITLES = {
    "Credit Card": "creditCard", "PayPal": "payPal", "PayPal Billing": "payPalBilling",
    "PayPal Credit": "payPalCredit", "SEPA Direct Debit": "directDebit", "Wire Transfer": "wireTransfer",
    "Cash on Delivery - Japan": "codJapan", "Payco - Korea Payments": "payco",
    "Bank Transfer - Korea Payments": "bankTransfer", "Online Banking - IBP": "onlineBanking",
    "Konbini": "konbini", "Klarna": "klarnaCredit", "Klarna Recurring": "klarnaCreditRecurring",
}


def _with_examples() -> dict[str, str]:
    lines = DOC.split("\n")
    heads = [(i, line) for i, line in enumerate(lines) if line in TITLES]
    out = {}
    for k, (i, title) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        block = "\n".join(lines[i:end])
        snippets = re.findall(r"((?:var|let) (?:payload|data) = \{.*?\n\}\);)", block, re.DOTALL)
        assert len(snippets) == 2, title
        out[TITLES[title]] = snippets[1]
    return out


def _keys(node: Any) -> dict[str, Any]:
    return {
        (p.key.name if p.key.type == "Identifier" else p.key.value):
            (_keys(p.value) if p.value.type == "ObjectExpression" else None)
        for p in node.properties
    }


def _payload_keys(source: str) -> dict[str, Any]:
    program = esprima.parseScript(source)
    return _keys(program.body[0].declarations[0].init)


WITH = _with_examples()


@pytest.mark.parametrize("method", sorted(WITH))
def test_after_has_the_docs_key_set(method: str) -> None:
    after = read(FIXTURES / method / "doc-example" / "after.js")
    assert _payload_keys(after) == _payload_keys(WITH[method])


def test_before_is_the_docs_without_example() -> None:
    for method in WITH:
        before = read(FIXTURES / method / "doc-example" / "before.js")
        assert before.strip() in DOC, method
