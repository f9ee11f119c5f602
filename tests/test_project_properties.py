"""Differential property test: the same payload built in one file and spread across modules.

A generated payload (every method, random keys, values, comments, layouts and writes after the
object; the generator of `test_properties`) is built by the same statements in two projects:
- inline: `var payload = {...}; <writes>` and `digitalriver.createSource(payload)` in one function;
- spread: the statements in a builder of another file, reached by one of the hops payloads take on
  real storefronts — an imported helper (ES modules, CommonJS, AMD), a wrapper whose callers build
  the payload, both at once, page globals of plain scripts, a class method, a React component's
  prop.
Both projects are fixed by the real command line. The builder's statements must come out of the
fix identical in both (the single-file fix is the oracle: the other property tests check it against
the rule table), every fixed file must parse (esprima), the spread project must report the same
finding codes (so no DR200 the inline one does not have), and a second fix must change nothing.
One split is left to a person on purpose: a caller that writes data fields into what an imported
helper returns (the helper alone no longer decides what is sent): one DR200, nothing edited.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import esprima
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from drmigrate.cli import main
from tests.test_properties import (
    METHOD_TYPES,
    Renderer,
    Style,
    WriteSpec,
    _examples,
    payload,
    write,
)

BEGIN, END = "/*BEGIN*/", "/*END*/"


def _builder(obj_text: str, writes: tuple[WriteSpec, ...], style: Style) -> str:
    """The statements that build the payload, one level in, between two markers."""
    eol, ind = style.eol, style.indent
    mid = "".join(w.lines(ind, ind, eol, removed=False) for w in writes)
    return f"{ind}{BEGIN}{eol}{ind}var payload = {obj_text};{eol}{mid}{ind}{END}{eol}"


def _split(obj_text: str, writes: tuple[WriteSpec, ...], style: Style) -> tuple[str, str]:
    """The literal in a builder module, the writes after the call that gets it (in the caller)."""
    eol, ind = style.eol, style.indent
    mid = "".join(w.lines(ind, ind, eol, removed=False) for w in writes)
    return (f"{ind}{BEGIN}{eol}{ind}var payload = {obj_text};{eol}{ind}{END}{eol}",
            f"{ind}{BEGIN}{eol}{mid}{ind}{END}{eol}")


def _inline(block: str, eol: str) -> dict[str, str]:
    return {"main.js": f"var digitalriver = new DigitalRiver('pk');{eol}function go(cart) {{{eol}{block}"
                       f"  return digitalriver.createSource(payload);{eol}}}{eol}go(window.cart);{eol}"}


def _spread(kind: str, block: str, eol: str, split: tuple[str, str] = ("", "")) -> dict[str, str]:
    dr = f"var digitalriver = new DigitalRiver('pk');{eol}"
    if kind == "split":  # the literal in a helper, the writes after its call in the caller
        literal, writes = split
        return {"payload.js": f"export function build(cart) {{{eol}{literal}  return payload;{eol}}}{eol}",
                "main.js": f"import {{build}} from './payload';{eol}{dr}export function go(cart) {{{eol}"
                           f"  var payload = build(cart);{eol}{writes}  return digitalriver.createSource(payload);{eol}}}{eol}"}
    if kind == "esm-helper":
        return {"payload.js": f"export function build(cart) {{{eol}{block}  return payload;{eol}}}{eol}",
                "main.js": f"import {{build}} from './payload';{eol}{dr}"
                           f"export function go(cart) {{{eol}  return digitalriver.createSource(build(cart));{eol}}}{eol}"}
    if kind == "esm-wrapper":
        return {"pay.js": f"{dr}export function pay(p) {{{eol}  return digitalriver.createSource(p);{eol}}}{eol}",
                "main.js": f"import {{pay}} from './pay';{eol}export function go(cart) {{{eol}{block}"
                           f"  return pay(payload);{eol}}}{eol}"}
    if kind == "esm-both":
        return {"pay.js": f"{dr}export default function pay(p) {{{eol}  return digitalriver.createSource(p);{eol}}}{eol}",
                "payload.js": f"export function build(cart) {{{eol}{block}  return payload;{eol}}}{eol}",
                "main.js": f"import pay from './pay';{eol}import * as payloads from './payload';{eol}"
                           f"export function go(cart) {{{eol}  return pay(payloads.build(cart));{eol}}}{eol}"}
    if kind == "cjs":
        return {"payload.js": f"function build(cart) {{{eol}{block}  return payload;{eol}}}{eol}"
                              f"module.exports = {{build: build}};{eol}",
                "main.js": f"const {{build}} = require('./payload');{eol}{dr}"
                           f"module.exports.go = function (cart) {{{eol}  return digitalriver.createSource(build(cart));{eol}}};{eol}"}
    if kind == "amd":
        return {"payload.js": f"define([], function () {{{eol}  function build(cart) {{{eol}{block}  return payload;{eol}}}{eol}"
                              f"  return {{build: build}};{eol}}});{eol}",
                "main.js": f"define(['./payload'], function (payloads) {{{eol}  {dr}"
                           f"  return function (cart) {{{eol}    return digitalriver.createSource(payloads.build(cart));{eol}  }};{eol}}});{eol}"}
    if kind == "globals":
        return {"pay.js": f"{dr}function drPay(p) {{{eol}  return digitalriver.createSource(p);{eol}}}{eol}",
                "checkout.js": f"function onPay(cart) {{{eol}{block}  return drPay(payload);{eol}}}{eol}"}
    if kind == "class":
        return {"builder.js": f"export class Builder {{{eol}  build(cart) {{{eol}{block}  return payload;{eol}}}{eol}}}{eol}",
                "main.js": f"import {{Builder}} from './builder';{eol}{dr}"
                           f"export function go(cart) {{{eol}  const b = new Builder();{eol}"
                           f"  return digitalriver.createSource(b.build(cart));{eol}}}{eol}"}
    assert kind == "react"
    return {"Pay.jsx": f"{dr}export function Pay({{sourceData}}) {{{eol}  return <button onClick={{() => "
                       f"digitalriver.createSource(sourceData)}}>Pay</button>;{eol}}}{eol}",
            "Checkout.jsx": f"import {{Pay}} from './Pay';{eol}export function Checkout({{cart}}) {{{eol}{block}"
                            f"  return <Pay sourceData={{payload}}/>;{eol}}}{eol}"}


KINDS = ["esm-helper", "esm-wrapper", "esm-both", "cjs", "amd", "globals", "class", "react", "split"]


def _project(root: Path, files: dict[str, str]) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    for name, text in files.items():
        (root / name).write_bytes(text.encode("utf-8"))


def _cli(root: Path, *args: str) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, [*args, "--no-cache", "."], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout


def _codes(root: Path, extra: list[str]) -> list[str]:
    code, out = _cli(root, "check", "--format", "json", *extra)
    assert code in (0, 1), out
    return sorted(f["code"] for f in json.loads(out)["findings"])


def _block(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END)
    return text[start:end]


def _parses(name: str, text: str) -> None:
    if name.endswith(".jsx"):
        esprima.parseModule(text, {"jsx": True})
    elif "import " in text or "export " in text:
        esprima.parseModule(text)
    else:
        esprima.parseScript(text)


@st.composite
def scenario(draw: st.DrawFn) -> tuple[str, str, tuple[WriteSpec, ...], Style, list[str]]:
    source_type = draw(st.sampled_from(METHOD_TYPES))
    style = Style(draw(st.sampled_from(["\n", "\r\n"])), "  ", draw(st.sampled_from([": ", ":"])))
    obj = draw(payload(source_type))
    writes = tuple(w for w in draw(st.lists(write(), max_size=2)) if w.wrapper != "unbraced")
    extra = ["--session-id", "sid"] if draw(st.booleans()) else []
    return draw(st.sampled_from(KINDS)), Renderer(style).obj(obj, 1), writes, style, extra


@settings(max_examples=_examples(60))
@given(scenario())
def test_spread_payload_gets_the_inline_edits(tmp_path_factory: pytest.TempPathFactory,
                                              sc: tuple[str, str, tuple[WriteSpec, ...], Style, list[str]]) -> None:
    kind, obj_text, writes, style, extra = sc
    block = _builder(obj_text, writes, style)
    base = tmp_path_factory.mktemp("diff")
    inline, spread = base / "inline", base / "spread"
    split = _split(obj_text, writes, style)
    one, many = _inline(block, style.eol), _spread(kind, block, style.eol, split)
    _project(inline, one)
    _project(spread, many)
    inline_codes, spread_codes = _codes(inline, extra), _codes(spread, extra)
    if kind == "split" and any(w.path[0] != "sessionId" for w in writes):
        # the caller writes data fields into what the helper built: the helper no longer decides
        # alone what is sent, so nothing is edited and the call says so (never silently green)
        assert spread_codes.count("DR200") == 1 and "DR100" not in spread_codes, spread_codes
        before = {n: (spread / n).read_bytes() for n in many}
        _cli(spread, "fix", *extra)
        assert {n: (spread / n).read_bytes() for n in many} == before
        return
    # the same codes: in particular no DR200 that the inline payload does not have (a hash that is
    # not an object literal is one in both)
    assert spread_codes == inline_codes, (kind, inline_codes, spread_codes)
    _cli(inline, "fix", *extra)
    _cli(spread, "fix", *extra)
    fixed_inline = (inline / "main.js").read_bytes().decode("utf-8")
    fixed_spread = {n: (spread / n).read_bytes().decode("utf-8") for n in many}
    if kind == "split":  # the literal's edits in the helper, the writes' in the caller
        literal, after = _block(fixed_spread["payload.js"]), _block(fixed_spread["main.js"])
        rebuilt = literal[:len(literal) - len(style.indent)] + after[len(BEGIN) + len(style.eol):]
        assert rebuilt == _block(fixed_inline), kind
    else:
        builder_name = next(n for n, t in many.items() if BEGIN in t)
        assert _block(fixed_spread[builder_name]) == _block(fixed_inline), kind
    for name, text in fixed_spread.items():
        _parses(name, text)
        if BEGIN not in many[name]:
            assert text == many[name], f"{name} changed, but the payload is not built there"
    again: Callable[[], dict[str, bytes]] = lambda: {n: (spread / n).read_bytes() for n in many}
    before = again()
    _cli(spread, "fix", *extra)
    assert again() == before, "a second fix changed the spread project"
