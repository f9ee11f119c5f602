"""Text edits on the original source: entry removal, entry insertion, statement removal, the splicer.

This module knows text and nothing about parsers or rules. Each removed entry takes its own text
and one separator with it — never a neighbour, a comment or a template tag (`keep` spans: comments
and tags are cut around, and stay where they are). A line left blank by a removal goes too. An
inserted entry copies the object's own style (indentation, key quoting, separator, line ending,
trailing-comma habit). A removed statement keeps the `;` that stops the next line from running into
the one before it (code without semicolons). Every byte outside the edits stays identical; the
splicer refuses overlapping edits. Whether the result means what was intended is checked
afterwards, by the fix guard (`drmigrate.guard`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from drmigrate.model import Edit, ObjectLit, Span, Write

# JavaScript's white space, not only ASCII's: code pasted from a web page is indented with
# non-breaking spaces (U+00A0), which JavaScript reads as blanks (so do the other `Zs` spaces)
HSPACE = " \t\v\f\u00a0\ufeff\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
SPACE = HSPACE + "\r\n\u2028\u2029"
RISKY_STARTS = "([`+-/"


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


class Keep:
    """Spans no edit may delete (comments, template tags), for fast lookups."""

    def __init__(self, spans: Iterable[Span]) -> None:
        self.spans = sorted(set(spans))
        self.starts = [s for s, _ in self.spans]

    def at(self, pos: int) -> Span | None:
        """The kept span starting at `pos`."""
        i = bisect.bisect_left(self.starts, pos)
        if i < len(self.spans) and self.spans[i][0] == pos:
            return self.spans[i]
        return None

    def inside(self, start: int, end: int) -> list[Span]:
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.spans) and self.spans[i][0] < end:
            if self.spans[i][1] <= end:
                out.append(self.spans[i])
            i += 1
        return out

    def touches(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self.spans)

    def skip(self, text: str, pos: int, limit: int) -> int:
        """Skip whitespace and kept spans from `pos`."""
        i = pos
        while i < limit:
            if text[i] in SPACE:
                i += 1
                continue
            span = self.at(i)
            if span is None:
                return i
            i = span[1]
        return i


def _cut(text: str, start: int, end: int, keep: Keep) -> list[Edit]:
    """Removals of text[start:end] that leave every kept span inside it in place.

    The layout around kept spans stays readable: blanks before the first one stay, kept spans
    that stood on separate lines stay on separate lines, and code cut from before a kept span on
    the same line takes its blanks with it.
    """
    out: list[Edit] = []
    inside = keep.inside(start, end)
    pos = start
    for n, (c0, c1) in enumerate(inside):
        fragment = text[pos:c0]
        if fragment.strip(SPACE):
            if n == 0:  # before the first kept span: its leading blanks stay
                lead = pos + len(fragment) - len(fragment.lstrip(SPACE))
                out.append(Edit(lead, c0, ""))
            else:  # between two kept spans: what separated them stays (a line break, or a blank)
                nl = max(fragment.rfind("\n"), fragment.rfind("\r"))
                if nl > 0 and fragment[nl - 1:nl + 1] == "\r\n":
                    nl -= 1
                sep = fragment[nl:] if nl >= 0 else " "
                sep = sep if sep.strip(SPACE) == "" else sep[:1]
                out.append(Edit(pos, c0, sep))
        pos = max(pos, c1)
    if pos < end:
        after = end
        while after < len(text) and text[after] in HSPACE:
            after += 1
        if keep.at(after) is not None and "\n" not in text[end:after] and text[end - 1] not in "\r\n":
            # a kept span follows on the same line: the code before it goes, blanks included
            while pos < end and text[pos] in SPACE:
                pos += 1
            end = after
        if pos < end:
            out.append(Edit(pos, end, ""))
    return out


@dataclass(frozen=True)
class Insertion:
    """An entry to insert: after the property at `after` (an index into props), or first when None."""

    after: int | None
    key: str
    value: str
    default_quote: str = ""
    default_separator: str = ": "


@dataclass(frozen=True)
class ObjectPlan:
    edits: tuple[Edit, ...]
    refused: dict[int, str]  # property index -> why it cannot be removed
    inserted: str = ""  # the text of the inserted entry (`sessionId: x`), when one is inserted


def _rest_of_line(text: str, pos: int, keep: Keep) -> int | None:
    """When only blanks and kept spans (comments, tags) follow `pos` on its line, the line end."""
    i = pos
    n = len(text)
    while i < n and text[i] not in "\r\n":
        if text[i] in HSPACE:
            i += 1
            continue
        span = keep.at(i)
        if span is None or "\n" in text[span[0]:span[1]]:
            return None
        i = span[1]
    return i


def _extend_to_lines(text: str, start: int, end: int, floor: int, keep: Keep) -> tuple[int, int]:
    """When a removal leaves its line(s) blank, take the whole lines."""
    before = line_start(text, start)
    if before < floor or text[before:start].strip(HSPACE):
        return start, end
    after = line_end_after(text, end, allow_comma=False)
    if after is None or keep.touches(before, after):  # a kept comment or tag: the line stays
        return start, end
    return before, after


def _entry_style(text: str, obj: ObjectLit, ins: Insertion, keep: Keep) -> str:
    """`key: value` in the object's own quoting and separator."""
    style = obj.props[ins.after] if ins.after is not None else next(iter(obj.props), None)
    quote = style.key_quote if style is not None else ins.default_quote
    sep = text[style.key_span[1]:style.value_span[0]] if style is not None else ins.default_separator
    if style is not None and ("\n" in sep or not sep.strip() or keep.inside(*style.key_span)
                              or any(c not in ": =>\t" for c in sep)):
        sep = ins.default_separator
    return f"{quote}{ins.key}{quote}{sep}{ins.value}"


def plan_object(
    text: str,
    obj: ObjectLit,
    remove: Iterable[int],
    insertion: Insertion | None,
    comments: Sequence[Span],
    protected: Sequence[Span] = (),
) -> ObjectPlan:
    """The edits that remove `remove` (property indices) from `obj` and insert `insertion`.

    `comments` and `protected` (template tags) stay wherever they sit between entries.
    """
    props = obj.props
    elements = list(obj.elements())
    index_of = {p.span: i for i, p in enumerate(props)}
    refused: dict[int, str] = {}
    removed_props: set[int] = set()
    for i in sorted(set(remove)):
        if any(c0 >= props[i].span[0] and c1 <= props[i].span[1] for c0, c1 in comments):
            refused[i] = "a comment sits inside the code to remove"
        else:
            removed_props.add(i)
    # a tag that is part of a removed entry (`amount: <?= $total ?>`) goes with it; the rest stay
    gone = [props[i].span for i in removed_props]
    keep = Keep(s for s in [*comments, *protected] if not any(g0 <= s[0] and s[1] <= g1 for g0, g1 in gone))
    removed = {k for k, e in enumerate(elements) if index_of.get(e, -1) in removed_props}
    close = obj.span[1] - 1  # index of the closing brace
    n = len(elements)
    commas: list[int | None] = []
    for k, (_, end) in enumerate(elements):
        limit = elements[k + 1][0] if k + 1 < n else close
        i = keep.skip(text, end, limit)
        commas.append(i if i < limit and text[i] == "," else None)
    for k in sorted(removed):
        if commas[k] is None and k < n - 1:
            refused[index_of[elements[k]]] = "the entries are not separated by commas as expected"
            removed.discard(k)
    habit = n > 0 and commas[-1] is not None  # a trailing comma after the last entry
    kept = [k for k in range(n) if k not in removed]
    last_kept = kept[-1] if kept else None
    anchor = None
    if insertion is not None and insertion.after is not None:
        anchor = elements.index(props[insertion.after].span)

    edits: list[Edit] = []
    floor = obj.span[0] + 1
    tail = [k for k in sorted(removed) if last_kept is None or k > last_kept]
    ranges: list[list[int]] = []  # non-tail removals: each entry with its comma, merged when adjacent
    for k in sorted(removed):
        if k in tail:
            continue
        comma = commas[k]
        assert comma is not None
        end = comma + 1
        stop = elements[k + 1][0]
        while end < stop and text[end] in HSPACE:
            end += 1
        if ranges and ranges[-1][1] == elements[k][0]:
            ranges[-1][1] = end
        else:
            ranges.append([elements[k][0], end])
    for start, end in ranges:
        if text[end:end + 1] in ("\r", "\n"):  # the rest of the line is empty
            whole = _extend_to_lines(text, start, end, floor, keep)
            if whole != (start, end):
                start, end = whole
            else:  # not alone on its line: the blanks before it go instead
                while start > floor and text[start - 1] in HSPACE and keep.at(start - 1) is None:
                    start -= 1
        edits.extend(_cut(text, start, end, keep))
        floor = end
    if tail:
        final = tail[-1]
        final_comma = commas[final]
        end = final_comma + 1 if habit and final_comma is not None else elements[final][1]
        if last_kept is None:
            start, end = _extend_to_lines(text, elements[tail[0]][0], end, floor, keep)
        else:
            comma = commas[last_kept]
            assert comma is not None
            if not habit and anchor != last_kept:
                edits.append(Edit(comma, comma + 1, ""))  # the new last entry drops its comma
            line_end = _rest_of_line(text, comma + 1, keep)
            start = line_end if line_end is not None and line_end < elements[tail[0]][0] else comma + 1
        edits.extend(_cut(text, start, end, keep))

    inserted = ""
    if insertion is not None:
        inserted = _entry_style(text, obj, insertion, keep)
        edits.extend(_insert(text, obj, elements, commas, inserted, removed, habit, keep, anchor))
    return ObjectPlan(tuple(edits), refused, inserted)


def _insert(
    text: str,
    obj: ObjectLit,
    elements: list[Span],
    commas: list[int | None],
    decl: str,
    removed: set[int],
    habit: bool,
    keep: Keep,
    anchor: int | None,
) -> list[Edit]:
    n = len(elements)
    kept_after = [k for k in range(n) if k not in removed and (anchor is None or k > anchor)]
    if anchor is None:
        open_at = obj.span[0] + 1
        if not kept_after:
            return [Edit(open_at, open_at, decl + ("," if habit else ""))]
        first = elements[kept_after[0]]
        if alone_before(text, first[0]) and not keep.inside(open_at, first[0]):
            indent = text[line_start(text, first[0]):first[0]]
            return [Edit(open_at, open_at, f"{eol_at(text, open_at)}{indent}{decl},")]
        lead = " " if text[open_at:open_at + 1] in (" ", "\t") else ""
        return [Edit(open_at, open_at, f"{lead}{decl},") if lead else Edit(open_at, open_at, f"{decl}, ")]
    start, end = elements[anchor]
    suffix = "," if (kept_after or habit) else ""
    comma = commas[anchor]
    if alone_before(text, start):
        line_end = _rest_of_line(text, comma + 1 if comma is not None else end, keep)
        if line_end is not None and line_end < obj.span[1] - 1:
            indent = text[line_start(text, start):start]
            line = f"{eol_at(text, start)}{indent}{decl}{suffix}"
            if comma is None:
                if line_end == end:
                    return [Edit(end, end, "," + line)]
                return [Edit(end, end, ","), Edit(line_end, line_end, line)]
            return [Edit(line_end, line_end, line)]
    if comma is not None:
        return [Edit(comma + 1, comma + 1, f" {decl}{suffix}")]
    return [Edit(end, end, f", {decl}{suffix}")]


def statement_removals(text: str, writes: Sequence[Write], keep: Sequence[Span] = ()) -> list[Edit]:
    """Remove whole statements (or, for a write whose value may have effects, all but the value).

    Statements removed side by side count as one run: when the statement before the run ends
    without `;` and the one after it starts with `(`, `[`, a template... (code without
    semicolons), the run's last `;` stays (a run that ends in a block, `if (c) {...}`, leaves a
    `;` in its place), so the next line does not continue the one before.
    """
    ordered = sorted(writes, key=lambda w: w.span)
    kept = Keep(s for s in keep if not any(w.span[0] <= s[0] and s[1] <= w.span[1] and w.effect_span is None
                                           for w in ordered))
    edits: list[Edit] = []
    slots = {w.slot for w in ordered if w.slot is not None}
    for write in ordered:
        if write.effect_span is not None:
            edits.extend(_hoist(text, write, kept))
            continue
        start, end = write.span
        guard = False
        if write.slot is not None:
            list_id, index = write.slot
            nxt = (list_id, index + 1)
            if nxt not in slots or not any(w.slot == nxt and w.effect_span is None for w in ordered):
                # the last of its run: does the run start after an open statement?
                first = write
                while True:
                    prev = (list_id, (first.slot or (0, 0))[1] - 1)
                    earlier = next((w for w in ordered if w.slot == prev and w.effect_span is None), None)
                    if earlier is None:
                        break
                    first = earlier
                guard = first.open_before and write.risky_after
        if guard and text[start:end].rstrip().endswith(";"):
            semi = start + text[start:end].rstrip().rfind(";")
            edits.extend(_cut(text, start, semi, kept))
            continue
        if guard:  # `if (c) {...}`, a block: the next line gets the `;` the open one before needs
            eol = line_end_after(text, end, allow_comma=False)
            ahead = eol
            while ahead is not None and ahead < len(text) and text[ahead] in " \t\r\n":
                ahead += 1
            if alone_before(text, start) and eol is not None and ahead is not None and ahead < len(text) \
                    and text[ahead] in RISKY_STARTS:
                edits.extend(_cut(text, line_start(text, start), eol, kept))
                edits.append(Edit(ahead, ahead, ";"))  # standard style: `;[a, b].forEach(f)`
                continue
            cut = _cut(text, start, end, kept)
            if cut:
                edits.extend([*cut[:-1], Edit(cut[-1].start, cut[-1].end, ";")])
                continue
        eol = line_end_after(text, end, allow_comma=False)
        if alone_before(text, start) and eol is not None:
            edits.extend(_cut(text, line_start(text, start), eol, kept))
            continue
        while end < len(text) and text[end] in HSPACE:
            end += 1
        edits.extend(_cut(text, start, end, kept))
    return edits


def _hoist(text: str, write: Write, keep: Keep) -> list[Edit]:
    """`p.amount = recordTotal(cart);` -> `recordTotal(cart);`: the value's effects stay."""
    assert write.effect_span is not None
    start, end = write.span
    v0, v1 = write.effect_span
    body = text[start:end].rstrip()
    stop = start + len(body)
    if body.endswith(";"):
        stop -= 1
        while stop > v1 and text[stop - 1] in SPACE:
            stop -= 1
    lead = ";" if write.open_before and text[v0:v0 + 1] in RISKY_STARTS else ""
    out = [Edit(e.start, e.end, "") for e in _cut(text, start, v0, keep)]
    if lead:
        out = out[:-1] + [Edit(out[-1].start, out[-1].end, lead)] if out else [Edit(start, start, lead)]
    tail = _cut(text, v1, stop, keep)
    if body.endswith("}") and tail:  # `if (f()) {...}` -> `f();`: the statement needs its own end
        tail[-1] = Edit(tail[-1].start, tail[-1].end, ";")
    out.extend(tail)
    return out


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


def changes(original: str, fixed: str) -> list[tuple[int, int, int, int, str]]:
    """How `fixed` differs from `original`, by lines: (first line, last line, char offset, char
    length, new text) of each changed range of `original`, in order. Applying them to `original`
    (`replay`) gives `fixed`."""
    import difflib

    old = original.splitlines(keepends=True)
    new = fixed.splitlines(keepends=True)
    offsets = [0]
    for line in old:
        offsets.append(offsets[-1] + len(line))
    out = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            out.append((i1 + 1, max(i1 + 1, i2), offsets[i1], offsets[i2] - offsets[i1], "".join(new[j1:j2])))
    return out


def replay(text: str, ranges: Sequence[tuple[int, int, str]]) -> str | None:
    """`text` with each (offset, length, new text) applied; None when they do not fit it (out of
    bounds, overlapping or out of order)."""
    out = []
    pos = 0
    for offset, length, new in ranges:
        if offset < pos or length < 0 or offset + length > len(text):
            return None
        out.append(text[pos:offset])
        out.append(new)
        pos = offset + length
    out.append(text[pos:])
    return "".join(out)
