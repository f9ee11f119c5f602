"""Text edits on the original source: property removal, property insertion, and the splicer.

This module knows text and nothing about parsers or rules. Removing a property takes its value
(however many lines), its comma, and its line when it sits alone on one; inserting a property copies
the object's own style (indentation, key quoting, separator, line ending, trailing-comma habit).
Every byte outside the edits stays identical. The splicer refuses overlapping edits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from drmigrate.model import Edit, ObjectLit, Span

HSPACE = " \t"


class OverlapError(Exception):
    """Two edits touch the same text."""


def line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def alone_before(text: str, pos: int) -> bool:
    """Only indentation precedes `pos` on its line."""
    return text[line_start(text, pos):pos].strip(HSPACE) == ""


def line_end_after(text: str, pos: int, *, allow_comma: bool = True) -> int | None:
    """When only `[ws] [,] [ws]` follows `pos` up to the line end, the index after the newline."""
    i = pos
    n = len(text)
    while i < n and text[i] in HSPACE:
        i += 1
    if allow_comma and i < n and text[i] == ",":
        i += 1
        while i < n and text[i] in HSPACE:
            i += 1
    if i == n:
        return n
    if text.startswith("\r\n", i):
        return i + 2
    if text[i] in "\n\r":
        return i + 1
    return None


def eol_at(text: str, pos: int) -> str:
    """The line ending used by the line holding `pos`."""
    nl = text.find("\n", pos)
    if nl > 0 and text[nl - 1] == "\r":
        return "\r\n"
    if nl < 0:
        return "\r\n" if "\r\n" in text else "\n"
    return "\n"


def _skip_trivia(text: str, pos: int, limit: int, comments: Sequence[Span]) -> int:
    """Skip whitespace and comments from `pos`."""
    i = pos
    while i < limit:
        if text[i].isspace():
            i += 1
            continue
        for start, end in comments:
            if start == i:
                i = end
                break
        else:
            return i
    return i


def comma_after(text: str, pos: int, limit: int, comments: Sequence[Span]) -> int | None:
    """Index of the comma that follows a property ending at `pos`, if any."""
    i = _skip_trivia(text, pos, limit, comments)
    return i if i < limit and text[i] == "," else None


def _contains_comment(span: Span, comments: Sequence[Span]) -> bool:
    return any(span[0] <= c0 and c1 <= span[1] for c0, c1 in comments)


@dataclass(frozen=True)
class Insertion:
    """A property to insert: after the property at `after` (an index), or first when None."""

    after: int | None
    key: str
    value: str
    default_quote: str = ""
    default_separator: str = ": "


@dataclass(frozen=True)
class ObjectPlan:
    edits: tuple[Edit, ...]
    refused: dict[int, str]  # property index -> why it cannot be removed


def plan_object(
    text: str,
    obj: ObjectLit,
    remove: Iterable[int],
    insertion: Insertion | None,
    comments: Sequence[Span],
) -> ObjectPlan:
    """The edits that remove `remove` (property indices) from `obj` and insert `insertion`."""
    props = obj.props
    n = len(props)
    body_end = obj.span[1] - 1  # index of the closing brace
    refused: dict[int, str] = {}
    removed: set[int] = set()
    for i in sorted(set(remove)):
        if _contains_comment(props[i].span, comments):
            refused[i] = "a comment sits inside the code to remove"
        else:
            removed.add(i)
    commas = [comma_after(text, p.span[1], body_end, comments) for p in props]
    habit = n > 0 and commas[-1] is not None  # trailing comma after the last property
    anchor = insertion.after if insertion is not None else None
    inserting = insertion is not None
    edits: list[Edit] = []

    def kept_after(j: int) -> bool:
        return any(k not in removed for k in range(j + 1, n))

    # runs of consecutive removed properties, split where a comment sits between two of them
    runs: list[tuple[int, int]] = []
    for i in sorted(removed):
        if runs and runs[-1][1] == i - 1 and not _contains_comment(
            (props[i - 1].span[1], props[i].span[0]), comments
        ):
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))

    session_follows = {anchor} if inserting and anchor is not None else set()
    for i, j in runs:
        first, last = props[i], props[j]
        at_end = not kept_after(j)
        prev = i - 1  # the item before the run (kept: runs are maximal)
        prev_is_session = inserting and (prev in session_follows or (anchor is None and prev < 0))
        eol = line_end_after(text, last.span[1])
        if alone_before(text, first.span[0]) and eol is not None and not _contains_comment(
            (line_start(text, first.span[0]), eol), comments
        ):
            edits.append(Edit(line_start(text, first.span[0]), eol, ""))
            if at_end and not habit and prev >= 0 and not prev_is_session and commas[prev] is not None:
                c = commas[prev]
                assert c is not None
                edits.append(Edit(c, c + 1, ""))
            continue
        if not at_end:
            end = commas[j]
            if end is None:
                refused.update({k: "the property layout is unusual" for k in range(i, j + 1)})
                continue
            end += 1
            while end < body_end and text[end] in HSPACE:
                end += 1
            start = first.span[0]
            if text[end:end + 1] in ("\n", "\r"):
                # the run reaches the line end: take the space before it instead of leaving it
                while start > 0 and text[start - 1] in HSPACE and not alone_before(text, start):
                    start -= 1
            edits.append(Edit(start, end, ""))
        elif prev >= 0 and not prev_is_session and commas[prev] is not None:
            start = props[prev].span[1]
            if _contains_comment((start, first.span[0]), comments):
                start = first.span[0]
            edits.append(Edit(start, last.span[1], ""))
        elif prev >= 0 and prev_is_session and commas[prev] is not None:
            c = commas[prev]
            assert c is not None
            # the inserted sessionId becomes the last item and carries the trailing-comma habit
            last_comma = commas[j]
            edits.append(Edit(c + 1, last.span[1] if last_comma is None else last_comma + 1, ""))
        else:
            end = last.span[1] if commas[j] is None else commas[j] + 1
            edits.append(Edit(first.span[0], end, ""))

    if insertion is not None:
        edits.extend(_insert(text, obj, insertion, removed, commas, habit, comments))
    return ObjectPlan(tuple(edits), refused)


def _insert(
    text: str,
    obj: ObjectLit,
    ins: Insertion,
    removed: set[int],
    commas: list[int | None],
    habit: bool,
    comments: Sequence[Span],
) -> list[Edit]:
    props = obj.props
    n = len(props)
    style = props[ins.after] if ins.after is not None else next(iter(props), None)
    quote = style.key_quote if style is not None else ins.default_quote
    sep = text[style.key_span[1]:style.value_span[0]] if style is not None else ins.default_separator
    if style is not None and ("\n" in sep or not sep.strip()):
        sep = ins.default_separator
    decl = f"{quote}{ins.key}{quote}{sep}{ins.value}"
    if ins.after is None:
        open_at = obj.span[0] + 1
        while open_at < obj.span[1] and text[open_at - 1] != "{" and text[open_at - 1] not in "([":
            open_at += 1
        rest = [p for k, p in enumerate(props) if k not in removed]
        if not rest:
            return [Edit(open_at, open_at, decl)]
        first = props[0]
        if alone_before(text, first.span[0]):
            indent = text[line_start(text, first.span[0]):first.span[0]]
            return [Edit(open_at, open_at, f"{eol_at(text, open_at)}{indent}{decl},")]
        lead = " " if text[open_at:open_at + 1] in (" ", "\t") else ""
        return [Edit(open_at, open_at, f"{lead}{decl},")] if lead else [Edit(open_at, open_at, f"{decl}, ")]
    t = ins.after
    tprop = props[t]
    last = not any(k not in removed for k in range(t + 1, n))
    suffix = "," if (not last or habit) else ""
    comma = commas[t]
    if alone_before(text, tprop.span[0]):
        indent = text[line_start(text, tprop.span[0]):tprop.span[0]]
        after = comma + 1 if comma is not None else tprop.span[1]
        # the rest of the line after the type (and its comma) must hold only a comment or nothing
        nl = text.find("\n", after)
        line_end = len(text) if nl < 0 else (nl - 1 if text[nl - 1] == "\r" else nl)
        rest = text[after:line_end]
        trailing_ok = rest.strip(HSPACE) == "" or _contains_comment(
            (after + len(rest) - len(rest.lstrip(HSPACE)), line_end), comments
        )
        if trailing_ok:
            eol = eol_at(text, tprop.span[1])
            line = f"{eol}{indent}{decl}{suffix}"
            if comma is None and line_end == tprop.span[1]:
                return [Edit(line_end, line_end, "," + line)]
            out = [Edit(line_end, line_end, line)]
            if comma is None:
                out.append(Edit(tprop.span[1], tprop.span[1], ","))
            return out
    if comma is not None:
        return [Edit(comma + 1, comma + 1, f" {decl}{suffix}")]
    return [Edit(tprop.span[1], tprop.span[1], f", {decl}{suffix if habit else ''}")]


def statement_removal(text: str, span: Span) -> Edit:
    """Remove a whole statement, with its line when it sits alone on one."""
    start, end = span
    eol = line_end_after(text, end, allow_comma=False)
    if alone_before(text, start) and eol is not None:
        return Edit(line_start(text, start), eol, "")
    while end < len(text) and text[end] in HSPACE:
        end += 1
    return Edit(start, end, "")


def apply(text: str, edits: Iterable[Edit], protected: Sequence[Span] = ()) -> str:
    """Splice edits into text. Identical edits count once; overlapping ones raise OverlapError."""
    ordered = sorted(set(edits), key=lambda e: (e.start, e.end, e.text))
    out: list[str] = []
    pos = 0
    for edit in ordered:
        if edit.start < pos:
            raise OverlapError(f"edits overlap at offset {edit.start}")
        for p0, p1 in protected:
            # an edit may remove a protected region whole, never cut into one or write inside it
            if p0 < edit.end and edit.start < p1 and not (edit.start <= p0 and p1 <= edit.end and not edit.text):
                raise OverlapError(f"edit at offset {edit.start} would change a template tag")
        out.append(text[pos:edit.start])
        out.append(edit.text)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)
