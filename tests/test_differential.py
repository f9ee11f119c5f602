"""Both JS parsers, one analysis: every fixture esprima reads gives the same result via tree-sitter.

The runner picks the parser by file name: `.js` goes to esprima first, `.jsx` (the JavaScript
grammar, a superset) and `.ts` go straight to tree-sitter. Findings (with positions) and the fixed
text must be identical, so a file's result never depends on which parser happened to read it.
"""

from __future__ import annotations

import pytest

from drmigrate.discovery import decode
from drmigrate.frontends.treesitter_js import parse_tree
from drmigrate.runner import Outcome, process_text
from tests.fixturelib import Case, cases


def _esprima_reads(case: Case) -> bool:
    if case.before.suffix not in (".js", ".mjs", ".cjs"):
        return False
    text = decode(case.before.read_bytes(), str(case.before)).text
    return process_text(text, "x.js", case.config(), fix=False).parser == "esprima"


CASES = [case for case in cases() if _esprima_reads(case)]


def _same(reference: Outcome, other: Outcome) -> None:
    assert not other.error, other.error
    assert other.parser == "tree-sitter"
    assert other.initial == reference.initial
    assert other.findings == reference.findings
    assert other.fixed == reference.fixed


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_tree_sitter_agrees_with_esprima(case: Case) -> None:
    config = case.config()
    text = decode(case.before.read_bytes(), str(case.before)).text
    reference = process_text(text, "x.js", config, fix=True)
    assert reference.parser == "esprima" and not reference.error
    _same(reference, process_text(text, "x.jsx", config, fix=True))
    # Plain JavaScript is nearly always TypeScript too; where the TS grammar reads it, same result.
    tree, _ = parse_tree(text, "typescript")
    if not tree.root_node.has_error:
        _same(reference, process_text(text, "x.ts", config, fix=True))


def test_differential_covers_the_fixtures() -> None:
    assert len(CASES) >= 40
