"""Parse what matters (`frontends/slicing`): a slice must read exactly as the whole file does.

The oracle is the whole file: every check here reads the same text both ways, through the real
command line or the real front end, and compares. `DRMIGRATE_SLICE=verify` makes the front end
itself fail on any disagreement, so a mismatch anywhere in a run is an internal error the tests see.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import esprima
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from drmigrate.cli import main
from drmigrate.frontends import ParseError, Settings, slicing
from drmigrate.frontends.esprima_js import EsprimaFrontEnd
from tests.test_properties import (
    METHOD_TYPES,
    Renderer,
    Style,
    WriteSpec,
    _examples,
    payload,
    write,
)

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def _slicing(mode: str, smallest: int = 0) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("DRMIGRATE_SLICE", "DRMIGRATE_SLICE_MIN")}
    os.environ["DRMIGRATE_SLICE"] = mode
    os.environ["DRMIGRATE_SLICE_MIN"] = str(smallest)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _js_files() -> list[Path]:
    return sorted(p for p in (ROOT / "fixtures").rglob("*") if p.suffix in (".js", ".mjs", ".cjs")
                  and "/after/" not in p.as_posix())


def test_every_fixture_reads_the_same_sliced() -> None:
    """Each fixture, sliced as small as it goes, gives the sites the whole file gives (`verify`
    raises on the first difference). Enough of them are sliced for this to mean something."""
    sliced = 0
    with _slicing("verify"):
        for path in _js_files():
            text = path.read_text(encoding="utf-8", errors="replace")
            try:
                extraction = EsprimaFrontEnd(slicing_ok=True).extract(text, Settings())
            except ParseError:
                continue  # the fixtures of bad input
            sliced += extraction.sliced is not None
    assert sliced >= 5, sliced  # most fixtures are a few statements: the property test below is the breadth


def test_a_slice_keeps_every_offset_and_line() -> None:
    text = "".join(f"var filler{n} = compute{n}(1, 2);\n// note {n}\n" for n in range(200))
    text += "var p = {type: 'payPal', amount: 1};\np.amount = total\ndigitalriver.createSource(p);\n"
    with _slicing("on"):
        found = slicing.plan(text, module=False)
    assert found is not None
    assert len(found.text) == len(text)
    assert [i for i, c in enumerate(found.text) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]
    assert found.text.count("filler") <= 2  # the neighbour of the payload statement at most
    assert "digitalriver.createSource(p)" in found.text and "p.amount = total" in found.text


@pytest.mark.parametrize("hazard", [
    "eval('p.amount = 1');",
    "with (cart) { total = 1; }",
    "function f() { return arguments[0]; }",
    "var broken = (;",  # tree-sitter reads it with an error
])
def test_what_a_slice_cannot_follow_is_read_whole(hazard: str) -> None:
    text = "".join(f"var filler{n} = {n};\n" for n in range(300))
    text += f"{hazard}\nvar p = {{type: 'payPal'}};\ndigitalriver.createSource(p);\n"
    with _slicing("on"):
        assert slicing.plan(text, module=False) is None


def test_small_files_are_read_whole_by_default() -> None:
    text = "var a = 1;\nvar b = 2;\nvar p = {type: 'payPal'};\ndigitalriver.createSource(p);\n"
    assert len(text) < slicing.MIN_SIZE
    saved = os.environ.pop("DRMIGRATE_SLICE_MIN", None)
    try:
        assert slicing.plan(text, module=False) is None
    finally:
        if saved is not None:
            os.environ["DRMIGRATE_SLICE_MIN"] = saved


# -- differential: a generated top-level script, sliced and whole, through the real command line --

# statements with nothing to do with the payload, in the shapes automatic semicolon insertion
# cares about: ending open, starting with `(`, `[`, a template, `+`, `-`, a regular expression
UNRELATED = [
    "var filler{n} = cart.total",
    "var filler{n} = cart.total;",
    "(function () {{ tick{n}() }})()",
    "[1, 2].forEach(log{n})",
    "`banner {n}`.trim()",
    "+counter{n}",
    "-counter{n}",
    "/re{n}/.test(location.href)",
    "function helper{n}(a) {{ return a + 1 }}",
    "if (ready{n}) {{ render{n}() }}",
    "label{n}: for (;;) {{ break label{n} }}",
    "// the total, 日本 {n}",
    "/* amount: 1, currency: 'USD' */",
    "stripe.createSource({{type: 'ideal', amount: {n}}})",
    "var unrelated{n} = {{type: 'payPal', amount: 1, currency: 'USD'}}",
    "log(payload)",
]


@st.composite
def script(draw: st.DrawFn) -> tuple[str, list[str]]:
    source_type = draw(st.sampled_from(METHOD_TYPES))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    semis = draw(st.booleans())
    end = ";" if semis else ""
    obj = Renderer(Style(eol, "  ", ": ")).obj(draw(payload(source_type)), 0)
    writes: list[WriteSpec] = [w for w in draw(st.lists(write(), max_size=3)) if w.wrapper != "unbraced"]
    payload_lines = [f"var payload = {obj}{end}"]
    payload_lines += [w.lines("", "  ", eol, removed=False).rstrip("\r\n").rstrip(";" if not semis else "")
                      for w in writes]
    payload_lines.append(f"digitalriver.createSource(payload){end}")
    chunks: list[str] = [f"var digitalriver = new DigitalRiver('pk'){end}"]
    fillers = iter(range(1000))
    for line in payload_lines:
        for _ in range(draw(st.integers(0, 2))):
            chunks.append(draw(st.sampled_from(UNRELATED)).format(n=next(fillers)))
        chunks.append(line)
    for _ in range(draw(st.integers(0, 3))):
        chunks.append(draw(st.sampled_from(UNRELATED)).format(n=next(fillers)))
    extra = ["--session-id", "sid"] if draw(st.booleans()) else []
    return eol.join(chunks) + eol, extra


def _run(root: Path, args: list[str]) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, [*args, "--no-cache", "checkout.js"], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.output


@settings(max_examples=_examples(80), deadline=None)
@given(script())
def test_a_sliced_script_is_reported_and_fixed_as_the_whole_one(tmp_path_factory: pytest.TempPathFactory,
                                                               case: tuple[str, list[str]]) -> None:
    text, extra = case
    try:
        esprima.parseScript(text)
    except esprima.Error:
        return  # a generated shape esprima does not read: nothing to compare
    outcomes = {}
    for mode in ("off", "verify"):
        root = tmp_path_factory.mktemp(f"slice-{mode}")
        (root / "checkout.js").write_bytes(text.encode("utf-8"))
        with _slicing(mode):
            code, report = _run(root, ["check", "--format", "json", *extra])
            fix_code, fix_out = _run(root, ["fix", *extra])
        assert "internal error" not in report + fix_out, report + fix_out
        findings = json.loads(report)["findings"]
        outcomes[mode] = (code, findings, fix_code, (root / "checkout.js").read_bytes())
    assert outcomes["verify"] == outcomes["off"]
    esprima.parseScript(outcomes["verify"][3].decode("utf-8"))
