"""Code frames: the marker sits under the exact span whatever the line holds (tabs, CRLF, wide and
combining characters, control characters), multi-line spans, very long lines; and through the CLI."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from drmigrate.cli import main
from drmigrate.report import codeframe
from drmigrate.runner import check_text


def frame_of(text: str, needle: str, occurrence: int = 0) -> list[str]:
    """The unstyled frame of the span of `needle` in `text` (positions computed as the runner does)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    end = start + len(needle)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    end_line = text.count("\n", 0, end) + 1
    end_column = end - (text.rfind("\n", 0, end) + 1) + 1
    rows = codeframe.rows(text.split("\n"), line, column, end_line, end_column)
    return click.unstyle("\n".join(codeframe.render(rows))).split("\n")


def marker_under(frame: list[str], row: int) -> str:
    """The characters of code line `row` (0-based among code lines) that the carets stand under."""
    code = frame[1 + 2 * row]
    carets = frame[2 + 2 * row]
    start, end = carets.index("^"), carets.rindex("^") + 1
    # columns of the terminal, so count cells, not characters
    out, cells = [], 0
    for ch in code:
        if start <= cells < end:
            out.append(ch)
        cells += codeframe.cell_width(ch)
    return "".join(out)


def test_plain_line() -> None:
    frame = frame_of("var p = {type: 'payPal', amount: 1};\n", "amount: 1")
    assert frame == [
        "  |",
        "1 | var p = {type: 'payPal', amount: 1};",
        "  |                          ^^^^^^^^^",
    ]


def test_tabs_expand_and_the_marker_follows() -> None:
    text = "\tvar p = {\ttype:\t'payPal',\tamount: 1};\n"
    frame = frame_of(text, "amount: 1")
    assert "\t" not in "\n".join(frame)
    assert marker_under(frame, 0) == "amount: 1"
    # a tab is a tab stop, not a fixed width: after 9 characters it takes 3 cells
    assert frame[1] == "1 |     var p = {   type:   'payPal',   amount: 1};"


def test_crlf_line_endings_leave_no_carriage_return() -> None:
    text = "var p = {\r\n    type: 'payco',\r\n    amount: 1\r\n};\r\n"
    frame = frame_of(text, "amount: 1")
    assert all("\r" not in line for line in frame)
    assert frame[1] == "3 |     amount: 1"
    assert marker_under(frame, 0) == "amount: 1"


@pytest.mark.parametrize("prefix", [
    pytest.param("var 名前 = '価格', p = {", id="cjk-wide"),
    pytest.param("var e\u0301t\u0301e\u0301 = 1, p = {", id="combining"),
    pytest.param("var s = '\U0001F6D2', p = {", id="emoji"),
    pytest.param("var ｆｕｌｌ = 1, p = {", id="fullwidth"),
])
def test_wide_and_combining_characters(prefix: str) -> None:
    text = prefix + "type: 'payco', amount: 1};\n"
    frame = frame_of(text, "amount: 1")
    assert marker_under(frame, 0) == "amount: 1"
    assert frame[2].count("^") == len("amount: 1")


def test_control_characters_are_shown_not_sent_to_the_terminal() -> None:
    text = "var p = {type: 'payco', /*\x1b[31m\x07*/ amount: 1};\n"
    frame = frame_of(text, "amount: 1")
    assert "\x1b" not in "\n".join(frame) and "\x07" not in "\n".join(frame)
    assert "\u241b" in frame[1] and "\u2407" in frame[1]
    assert marker_under(frame, 0) == "amount: 1"


def test_multi_line_span_marks_every_line_from_its_code() -> None:
    text = "var p = {\n    items: [\n        a,\n        b\n    ],\n    type: 'payPal'\n};\n"
    frame = frame_of(text, "items: [\n        a,\n        b\n    ]")
    assert [line.split(" | ")[0].strip() for line in frame[1::2]] == ["2", "3", "4", "5"]
    assert marker_under(frame, 0) == "items: ["
    assert marker_under(frame, 1) == "a,"
    assert marker_under(frame, 3) == "]"


def test_long_multi_line_span_shows_its_ends() -> None:
    body = "".join(f"        item{i},\n" for i in range(20))
    text = "var p = {\n    items: [\n" + body + "    ]\n};\n"
    frame = frame_of(text, "items: [\n" + body + "    ]")
    numbers = [line.split(" | ")[0].strip() for line in frame if " | " in line]
    assert [n for n in numbers if n] == ["2", "3", "4", "22", "23"]
    assert "..." in frame  # the gap is shown
    assert len(frame) < 15


def test_span_ending_at_a_line_start_ends_on_the_line_before() -> None:
    text = "payload.amount = 1;\nnext();\n"
    rows = codeframe.rows(text.split("\n"), 1, 1, 2, 1)
    assert [r.line for r in rows] == [1]
    assert rows[0].marked == "payload.amount = 1;"


def test_zero_width_span_gets_one_caret() -> None:
    rows = codeframe.rows(["var p = {};"], 1, 10, 1, 10)
    frame = click.unstyle("\n".join(codeframe.render(rows))).split("\n")
    assert frame[2] == "  |          ^"


def test_very_long_line_is_cut_around_the_span() -> None:
    text = "var a = '" + "x" * 5000 + "', p = {type: 'payco', amount: 1}, b = '" + "y" * 5000 + "';\n"
    frame = frame_of(text, "amount: 1")
    assert all(codeframe.width(line) <= codeframe.MAX_WIDTH + 10 for line in frame)
    assert frame[1].count("…") == 2
    assert marker_under(frame, 0) == "amount: 1"


def test_rows_round_trip_through_json() -> None:
    rows = codeframe.rows(["\tvar 価 = {amount: 1}"], 1, 11, 1, 20)
    assert codeframe.from_dicts(codeframe.as_dicts(rows)) == rows
    assert codeframe.from_dicts([{"line": "x"}, 3, None]) == ()


def test_runner_positions_give_the_same_frame() -> None:
    """End to end: the runner's columns (code points) feed the frame, CRLF and wide text included."""
    text = "// 決済\r\nvar dr = DigitalRiver('pk');\r\ndr.createSource({type: 'payco', \tamount: 1, payco: {}});\r\n"
    finding = next(f for f in check_text(text, "pay.js") if f.code == "DR101")
    rows = codeframe.rows(text.split("\n"), finding.line, finding.column, finding.end_line, finding.end_column)
    assert rows[0].marked == "amount: 1"


def test_text_report_shows_frames_and_concise_does_not(tmp_path: Path) -> None:
    (tmp_path / "pay.js").write_bytes(
        b"var dr = DigitalRiver('pk');\r\ndr.createSource({\r\n\ttype: 'payco',\r\n\t'amount': 1,\r\n\tpayco: {}\r\n});\r\n")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    lines = result.stdout.split("\n")
    head = next(i for i, line in enumerate(lines) if ": DR101 [*]" in line)
    assert lines[head + 1:head + 5] == [
        "  |",
        "4 |     'amount': 1,",
        "  |     ^^^^^^^^^^^",
        "  = help: Remove `amount`",
    ]
    assert "\r" not in result.stdout and "\t" not in result.stdout
    concise = CliRunner().invoke(main, ["check", "--format", "concise", str(tmp_path)])
    assert [line for line in concise.stdout.splitlines() if " | " in line] == []
    assert sum(": DR1" in line for line in concise.stdout.splitlines()) == 2
