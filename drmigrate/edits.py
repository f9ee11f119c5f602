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


def _cut(start: int, end: int, comments: Sequence[Span]) -> list[Edit]:
    """Removals of text[start:end] that leave every comment inside it in place."""
    out: list[Edit] = []
    for c0, c1 in sorted(c for c in comments if start <= c[0] and c[1] <= end):
        if start < c0:
            out.append(Edit(start, c0, ""))
        start = c1
    if start < end:
        out.append(Edit(start, end, ""))
    return out


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
    for i in sorted(removed):
        if commas[i] is None and i < n - 1:
            refused[i] = "the property layout is unusual"
            removed.discard(i)
    habit = n > 0 and commas[-1] is not None  # trailing comma after the last property
    anchor = insertion.after if insertion is not None else None
    inserting = insertion is not None
    edits: list[Edit] = []

    kept = [k for k in range(n) if k not in removed]
    last_kept = kept[-1] if kept else None
    # runs of consecutive removed properties, split where a comment sits between two of them
    runs: list[tuple[int, int]] = []
    for i in sorted(removed):
        if runs and runs[-1][1] == i - 1 and not _contains_comment(
            (props[i - 1].span[1], props[i].span[0]), comments
        ):
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    floor = 0  # where the previous removal ended: blanks before it are already taken
    for i, j in runs:
        at_end = last_kept is None or i > last_kept
        c = commas[j]
        start, end = props[i].span[0], props[j].span[1] if c is None else c + 1  # commas go too
        eol = line_end_after(text, end, allow_comma=False)
        if alone_before(text, start) and eol is not None and not _contains_comment(
            (line_start(text, start), eol), comments
        ):
            start, end = line_start(text, start), eol  # alone on its line(s): the lines go
        elif not alone_before(text, start) and (at_end or eol is not None):
            # the last item of the object or of its line: take the blanks before it
            while start > floor and text[start - 1] in HSPACE and not alone_before(text, start):
                start -= 1
        else:
            while end < body_end and text[end] in HSPACE:
                end += 1
        edits.extend(_cut(start, end, comments))
        floor = end
    if removed and last_kept is not None and max(removed) > last_kept and not habit:
        # the old last item is gone: the new last one drops its comma, unless sessionId follows it
        last_comma = commas[last_kept]
        if last_comma is not None and not (inserting and anchor == last_kept):
            edits.append(Edit(last_comma, last_comma + 1, ""))

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
        if all(k in removed for k in range(n)):
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
