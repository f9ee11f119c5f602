"""Code frames: the source lines of a finding, made safe to display, with its exact span marked.

A frame is a tuple of `Row`s, one per shown line: the text before the span, the span itself and the
text after it, already display-ready (tabs expanded, control characters made visible, a trailing
`\\r` dropped, very long lines cut to a window around the span). The text reporter draws carets
under `marked`; the HTML report wraps it in `<mark>`; the JSON report carries the rows so a merged
report can show frames without the sources. Columns in, as everywhere in drmigrate, count code
points; widths out count terminal cells (a wide CJK character takes two, a combining mark none).
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import click

from drmigrate.model import FileResult

TAB_WIDTH = 4
MAX_WIDTH = 120  # display cells of code per row; longer lines are cut around the span
MAX_SPAN_LINES = 6  # a longer span shows its first and last lines with a gap between
HEAD_LINES, TAIL_LINES = 3, 2
ELLIPSIS = "…"


@dataclass(frozen=True)
class Row:
    """One displayed source line, split around the marked part of the span."""

    line: int  # 1-based line number
    before: str
    marked: str
    after: str

    @property
    def text(self) -> str:
        return self.before + self.marked + self.after


def source_of(r: FileResult, *, fixing: bool) -> str | None:
    """The text the positions of `r`'s findings refer to: the fixed text when the fixes were
    applied (written, or refused at the write), the original otherwise (None when not kept)."""
    if fixing and r.fixed is not None:
        return r.fixed
    return r.original


def cell_width(ch: str) -> int:
    """Terminal cells taken by one (already sanitised) character."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    if text.isascii() and text.isprintable():  # the common case: one cell per character
        return len(text)
    return sum(cell_width(ch) for ch in text)


def _visible(ch: str, column: int) -> str:
    """`ch` as displayed at display column `column` (tabs expand to the next tab stop)."""
    if ch == "\t":
        return " " * (TAB_WIDTH - column % TAB_WIDTH)
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␍ for a stray \r, ␀ ...
    if code == 0x7F:
        return "\u2421"
    if unicodedata.category(ch) in ("Zl", "Zp"):
        return "\u23ce"  # a line or paragraph separator would break the frame's layout
    return ch


def _pieces(line: str) -> list[str]:
    """The display text of each code point of `line`."""
    if line.isascii() and line.isprintable():  # no tab, no control character: shown as it is
        return list(line)
    out = []
    column = 0
    for ch in line:
        shown = _visible(ch, column)
        out.append(shown)
        column += width(shown)
    return out


def _first_visible(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _window(before: str, marked: str, after: str, widths: tuple[int, int, int] | None = None
            ) -> tuple[str, str, str]:
    """Cut a long row to about MAX_WIDTH cells, keeping the marked part (or its start) in view.

    `widths` are the cells of the whole three parts when the strings given are only their ends
    near the span (`_Line`): enough of them for every cut made here."""
    wb, wm, wa = widths if widths is not None else (width(before), width(marked), width(after))
    if wb + wm + wa <= MAX_WIDTH:
        return before, marked, after
    if wm > MAX_WIDTH - 20:
        marked = _head(marked, MAX_WIDTH - 21) + ELLIPSIS
        wm = width(marked)
    room = MAX_WIDTH - wm
    lead = min(wb, max(10, room // 3))
    if lead < wb:
        before = ELLIPSIS + _tail(before, lead - 1)
        wb = width(before)
    room -= wb
    if wa > room:
        after = _head(after, max(room - 1, 0)) + ELLIPSIS
    return before, marked, after


def _head(text: str, cells: int) -> str:
    out, used = [], 0
    for ch in text:
        used += cell_width(ch)
        if used > cells:
            break
        out.append(ch)
    return "".join(out)


def _tail(text: str, cells: int) -> str:
    return _head(text[::-1], cells)[::-1]


class _Line:
    """One source line as displayed: its pieces and the cells before each, made once however
    many findings it holds (a long line with thousands of findings was quadratic to frame)."""

    def __init__(self, line: str) -> None:
        self.plain = line.isascii() and line.isprintable()  # one cell per character, shown as it is
        self.pieces: Sequence[str] = line if self.plain else _pieces(line)
        self.cells: Sequence[int] = range(len(line) + 1)
        if not self.plain:
            cells = [0]
            for piece in self.pieces:
                cells.append(cells[-1] + width(piece))
            self.cells = cells

    def _text(self, start: int, end: int) -> str:
        return self.pieces[start:end] if isinstance(self.pieces, str) else "".join(self.pieces[start:end])

    def row(self, number: int, start: int, end: int) -> Row:
        cells = self.cells
        widths = (cells[start], cells[end] - cells[start], cells[-1] - cells[end])
        if sum(widths) <= MAX_WIDTH:
            return Row(number, self._text(0, start), self._text(start, end), self._text(end, len(self.pieces)))
        reach = MAX_WIDTH + 2  # every cut below looks at most this many cells from the span
        first = max(0, bisect.bisect_left(cells, cells[start] - reach) - 1)
        marked_end = min(end, bisect.bisect_right(cells, cells[start] + reach) + 1)
        after_end = min(len(self.pieces), bisect.bisect_right(cells, cells[end] + reach) + 1)
        return Row(number, *_window(self._text(first, start), self._text(start, marked_end),
                                    self._text(end, after_end), widths))


def _row(number: int, line: str, start: int, end: int) -> Row:
    return _Line(line).row(number, start, end)


def rows(lines: Sequence[str], line: int, column: int, end_line: int, end_column: int,
         made: dict[int, _Line] | None = None) -> tuple[Row, ...]:
    """The frame of the span (line, column)-(end_line, end_column), 1-based, end exclusive.

    `lines` are the file's lines split on `\\n` (a `\\r` before it is dropped here). A span that
    ends at the start of a line ends, for display, at the end of the line before.
    """
    if not lines or line < 1 or line > len(lines):
        return ()
    end_line = min(max(end_line, line), len(lines))
    if end_line > line and end_column <= 1:
        end_line -= 1
        end_column = len(lines[end_line - 1].rstrip("\r")) + 1
    numbers = list(range(line, end_line + 1))
    if len(numbers) > MAX_SPAN_LINES:
        numbers = numbers[:HEAD_LINES] + numbers[-TAIL_LINES:]
    out = []
    for number in numbers:
        text = lines[number - 1]
        text = text.removesuffix("\r")
        start = column - 1 if number == line else _first_visible(text)
        end = end_column - 1 if number == end_line else len(text)
        start = min(max(start, 0), len(text))
        shown = made.get(number) if made is not None else None
        if shown is None:
            shown = _Line(text)
            if made is not None:
                made[number] = shown
        out.append(shown.row(number, start, min(max(end, start), len(text))))
    return tuple(out)


def render(frame: Sequence[Row], *, indent: str = "") -> list[str]:
    """The frame as terminal lines (click styles: the CLI strips them without colour)."""
    if not frame:
        return []
    gutter = max(len(str(r.line)) for r in frame)
    bar = click.style("|", fg="blue", bold=True)
    blank = f"{indent}{' ' * gutter} {bar}"
    out = [blank]
    previous = None
    for r in frame:
        if previous is not None and r.line > previous + 1:
            out.append(f"{indent}{click.style('...', fg='blue', bold=True)}")
        previous = r.line
        number = click.style(f"{r.line:>{gutter}}", fg="blue", bold=True)
        out.append(f"{indent}{number} {bar} {r.text}".rstrip())
        carets = "^" * max(width(r.marked), 1)
        out.append(f"{blank} {' ' * width(r.before)}{click.style(carets, fg='red', bold=True)}")
    return out


def as_dicts(frame: Sequence[Row]) -> list[dict[str, object]]:
    return [{"line": r.line, "before": r.before, "marked": r.marked, "after": r.after} for r in frame]


def from_dicts(items: object) -> tuple[Row, ...]:
    """Rows read back from a JSON report (anything malformed is left out)."""
    if not isinstance(items, list):
        return ()
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("line"), int) and all(
                isinstance(item.get(k), str) for k in ("before", "marked", "after")):
            out.append(Row(item["line"], item["before"], item["marked"], item["after"]))
    return tuple(out)


def frames(r: FileResult, *, fixing: bool) -> list[tuple[Row, ...]]:
    """The code frame of each finding of `r` (empty when the text was not kept)."""
    text = source_of(r, fixing=fixing)
    if text is None:
        return [() for _ in r.findings]
    lines = text.split("\n")
    made: dict[int, _Line] = {}  # each line displayed once, however many findings it holds
    return [rows(lines, f.line, f.column, f.end_line, f.end_column, made) for f in r.findings]

