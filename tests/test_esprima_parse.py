"""drmigrate's way of calling esprima gives esprima's own tree, comments and errors.

`esprima_js.parse` keeps comments without esprima's per-node callback
(the delegate esprima installs for comments builds location objects for every node); that may
change no node, range, comment or error message. Compared here with `esprima.parseScript` /
`parseModule` on every JavaScript file of the test corpus, on edge cases of blanks and comments,
and on texts that do not parse.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drmigrate.frontends import ParseError
from drmigrate.frontends.esprima_js import _esprima, parse
from tests.fixturelib import ROOT

CORPUS = sorted(p for d in ("fixtures", "examples") for p in (ROOT / d).rglob("*")
                if p.suffix in (".js", ".mjs", ".cjs", ".jsx"))


def _reference(text: str, jsx: bool = False) -> Any:
    """esprima's public API, as drmigrate called it before: script first, then module."""
    esprima = _esprima()
    options = {"range": True, "comment": True, "jsx": jsx}
    try:
        return esprima.parseScript(text, options)
    except esprima.Error:
        return esprima.parseModule(text, options)


def _dump(program: Any) -> str:
    return json.dumps(program.toDict(), sort_keys=True, default=repr)


def _same(text: str, jsx: bool = False) -> None:
    esprima = _esprima()
    try:
        expected: str | None = _dump(_reference(text, jsx))
    except esprima.Error:
        expected = None
    try:
        got: str | None = _dump(parse(text, jsx=jsx))
    except ParseError:
        got = None
    assert got == expected


def test_corpus_is_there() -> None:
    assert len(CORPUS) > 50


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_same_tree_as_esprima(path: Path) -> None:
    _same(path.read_text("utf-8"), jsx=path.suffix == ".jsx")


@pytest.mark.parametrize("text", [
    "", " ", "\t", "a", " a", "a ", "a  ;", "a\t/* c */ b", "a /* c */\n-->x\nb", "-->x\na", "  -->x\na",
    "x\n  --> c\ny", "x; <!-- c\ny", "a //c", "a\t\t// c\n\t b", "f( a ,\tb )", "a\u00a0b", "a \u2028 b",
    "a \ufeff b", "a /**/ /**/ b", "a /* \n */ b", "/* a */", "// only", "a\r\n  // x\r\n b",
    "var s = 'a  b' ;  /x  y/g . test ( s )", "a  -  -b", "a  <  b", "x  /  y  /  z",
])
def test_same_tree_on_blanks_and_comments(text: str) -> None:
    _same(text)


@pytest.mark.parametrize("text", ["a b", "var = 1;", "import x from 'y'; a b", "/* open", "a ?. b"])
def test_same_errors(text: str) -> None:
    esprima = _esprima()
    options = {"range": True, "comment": True, "jsx": False}
    errors = []
    for fn in (esprima.parseScript, esprima.parseModule):
        try:
            fn(text, options)
        except esprima.Error as exc:
            errors.append(str(exc))
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert str(caught.value).removeprefix("esprima: ") in errors
