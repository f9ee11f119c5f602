"""Suppression comments written for the findings that remain (`check --add-noqa`, ruff's name;
also `--add-suppressions`): how a team accepts the sites it reviewed by hand, so the gate turns
green.

Each line with findings gets a `drmigrate-ignore: CODES -- reason` directive (`suppressions`) on a
line of its own just above it (a directive alone on its line covers the next one), indented like
the line, in the comment syntax of the place it lands in:

- JavaScript and TypeScript, a PHP block, Python: the language's line comment (`//`, `//`, `#`);
- a template whose server strips its own comments: that comment, so the note never reaches the
  browser (`<?php /* … */ ?>` in PHP pages, `{# … #}` in Twig / Jinja / Nunjucks, `<%# … %>` in
  ERB / EJS); other templates: the script's `//`.

A line directly under a directive alone on its line gets the codes added to that directive
instead, so a second run never stacks comments. Where no comment can stand — inside a template
tag the server would not strip it from, inside a string or a template literal, inside JSX text —
the file is left as it is and the reason is given in one line. Every rewrite is proven before it
is written: the text is parsed again by the parser that read it and its syntax tree (template tags
and markup too) must equal the original's, with only drmigrate comments added.

Pure: text in, text out (or a refusal); the pipeline reads and writes the files.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from drmigrate.model import Finding, Span

DEFAULT_REASON = "accepted with drmigrate check --add-noqa"
UNUSED_CODE = "DR300"  # an unused directive: removing it is the answer, not another directive
_PHP_SUFFIXES = frozenset({".php", ".phtml"})
_CURLY_COMMENT = frozenset({".twig", ".njk", ".jinja", ".jinja2", ".j2"})
_ERB_COMMENT = frozenset({".erb", ".ejs"})
_MARKER = "drmigrate-ignore"
_DIRECTIVE_LINE = re.compile(
    r"^(?P<head>[ \t]*(?://|/\*|<!--|\{#|#|<\?php[ \t]+/\*|<%#)[ \t]*drmigrate-ignore[ \t]*:[ \t]*)"
    r"(?P<codes>[A-Za-z]+\d*(?:[ \t]*,[ \t]*[A-Za-z]+\d*)*)")


class Refused(Exception):
    """No comment can be placed safely: the one-line reason (with the line)."""


@dataclass(frozen=True)
class Planned:
    """One directive to write: the text from `start` to `end` becomes `text`."""

    line: int  # the line it covers
    start: int
    end: int
    text: str
    findings: int


@dataclass(frozen=True)
class Placed:
    """The new text, the directives written into it and the lines that could not have one."""

    text: str
    lines: int = 0
    findings: int = 0
    refused: tuple[str, ...] = ()  # "line N: why", one per line left as it was
    refused_findings: int = 0
    planned: tuple[Planned, ...] = ()  # the directives written


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer(r"\n", text))]


def _clean_reason(reason: str) -> str:
    # a reason is one line of prose: nothing that ends or opens a comment or a tag
    cleaned = re.sub(r"[\x00-\x1f\x7f]|\*/|-->|#}|%>|\?>", " ", reason)
    return " ".join(cleaned.split()) or DEFAULT_REASON


def comment_for(path: str, text: str, offset: int, body: str) -> str:
    """The comment holding `body` for a line that starts at `offset` in file `path`."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".py":
        return f"# {body}"
    from drmigrate.frontends.javascript import dialect_for

    if dialect_for(path) is not None:
        return f"// {body}"
    from drmigrate.frontends.templates import find_scripts, find_tags

    tags = find_tags(text, suffix)
    inside = next((t for t in tags if t.span[0] < offset < t.span[1]), None)
    if inside is not None:
        opening = text[inside.span[0]:inside.span[0] + 5].lower()
        if suffix in _PHP_SUFFIXES and opening.startswith(("<?php", "<?=")):
            return f"// {body}"
        raise Refused("it is inside a template tag, where a comment would change the server's code")
    if suffix in _PHP_SUFFIXES:
        return f"<?php /* {body} */ ?>"
    if suffix in _CURLY_COMMENT:
        return f"{{# {body} #}}"
    if suffix in _ERB_COMMENT:
        return f"<%# {body} %>"
    scripts = find_scripts(text, tags)
    if any(s.body[0] <= offset <= s.body[1] for s in scripts):
        return f"// {body}"
    return f"<!-- {body} -->"


def plan(text: str, path: str, findings: Sequence[Finding],
         reason: str = DEFAULT_REASON) -> tuple[list[Planned], list[tuple[int, int, str]]]:
    """The directives for `findings` (by their first line), and the lines where none can stand:
    (line, findings, why)."""
    wanted: dict[int, list[str]] = {}
    for f in findings:
        if f.code != UNUSED_CODE and f.line >= 1:
            wanted.setdefault(f.line, []).append(f.code)
    reason = _clean_reason(reason)
    starts = _line_starts(text)
    lines = text.split("\n")
    out: list[Planned] = []
    refused: list[tuple[int, int, str]] = []
    for line in sorted(wanted):
        found = sorted(set(wanted[line]))
        count = len(wanted[line])
        above = lines[line - 2] if line >= 2 else None
        merged = _DIRECTIVE_LINE.match(above) if above is not None else None
        if merged is not None:
            have = [c.strip().upper() for c in merged.group("codes").split(",")]
            union = ",".join(dict.fromkeys([*have, *found]))
            base = starts[line - 2]
            out.append(Planned(line, base + merged.start("codes"), base + merged.end("codes"), union, count))
            continue
        start = starts[line - 1]
        own = lines[line - 1]
        indent = own[:len(own) - len(own.lstrip(" \t"))]
        ending = "\r\n" if own.endswith("\r") else "\n"
        try:
            comment = comment_for(path, text, start + len(indent), f"{_MARKER}: {','.join(found)} -- {reason}")
        except Refused as exc:
            refused.append((line, count, str(exc)))
            continue
        out.append(Planned(line, start, start, f"{indent}{comment}{ending}", count))
    return out, refused


def apply(text: str, planned: Sequence[Planned]) -> str:
    out = text
    for p in sorted(planned, key=lambda p: (p.start, p.end), reverse=True):
        out = out[:p.start] + p.text + out[p.end:]
    return out


# findings about a planned edit (a removal that would swallow a comment, a refused fix): once the
# finding whose fix it is gets suppressed, no edit is planned and they are gone too
CONSEQUENCES = frozenset({"DR202", "DR203"})


def idle_consequences(front: Any, text: str, placed: Placed, config: Any, reason: str) -> set[tuple[str, int]]:
    """(code, line in the original text) of the findings of `CONSEQUENCES` that the directives
    written in `placed` leave with nothing to silence: suppressing the finding whose fix they are
    about took them away, and a directive that names them would be unused (DR300)."""
    from drmigrate import suppressions

    inserted = sorted(p.line for p in placed.planned if p.start == p.end)
    covered: dict[int, int] = {}  # line in the new text -> line in the original
    for p in placed.planned:
        if p.start == p.end:
            covered[p.line + sum(1 for line in inserted if line <= p.line)] = p.line
    extraction = front.extract(placed.text, config.settings)
    cleaned = _clean_reason(reason)
    out: set[tuple[str, int]] = set()
    for d in suppressions.directive_use(extraction, placed.text, config.table, config.options):
        original = covered.get(d.line + 1)
        if original is None or d.reason != cleaned:
            continue
        out.update((code, original) for code in d.codes
                   if code in CONSEQUENCES and not any(u.startswith(code) for u in d.used))
    return out


def place(front: object, text: str, path: str, findings: Sequence[Finding], settings: object,
          reason: str = DEFAULT_REASON) -> Placed:
    """`text` with every directive that can be proven safe; the others named with their reason.
    All at once when the whole proves safe, else each alone (a line inside a template literal
    must not cost the other lines their comments)."""
    planned, refused = plan(text, path, findings, reason)
    kept = list(planned)
    if kept:
        try:
            verify(front, text, apply(text, kept), settings)
        except Refused:
            kept = []
            for p in planned:
                try:
                    verify(front, text, apply(text, [p]), settings)
                except Refused as exc:
                    refused.append((p.line, p.findings, str(exc)))
                else:
                    kept.append(p)
            if kept:
                verify(front, text, apply(text, kept), settings)  # each alone was safe: so is the whole
    refusals = tuple(f"line {line}: {why}" for line, _, why in sorted(refused))
    return Placed(apply(text, kept), len(kept), sum(p.findings for p in kept), refusals,
                  sum(n for _, n, _ in refused), tuple(kept))


def verify(front: object, original: str, new: str, settings: object) -> None:
    """Raise Refused unless `new` is `original` with drmigrate comments added (or extended) and
    nothing else: the same syntax tree by the same parser, the same other comments, template
    tags and markup."""
    from drmigrate.frontends import ParseError
    from drmigrate.guard import GuardError

    try:
        for grammar, before_text, after_text in _grammars(front, original, new, settings):
            _same(grammar, before_text, after_text)
    except GuardError as exc:
        if "would not parse" in str(exc):
            raise Refused("a comment cannot stand there: the file would not parse with it (a line "
                          "continuation, an unclosed construct)") from None
        raise Refused("a comment there would be part of the code (inside a string, a template literal, "
                      f"JSX text or a tag: {exc})") from None
    except ParseError as exc:
        raise Refused(f"the file does not parse ({exc})") from None


def _grammars(front: object, original: str, new: str, settings: object) -> list[tuple[object, str, str]]:
    from drmigrate.frontends.combined import CombinedFrontEnd
    from drmigrate.frontends.javascript import JavaScriptFrontEnd
    from drmigrate.frontends.php import PhpFrontEnd, PhpGrammar
    from drmigrate.frontends.python_cst import PythonFrontEnd, PythonGrammar
    from drmigrate.frontends.templates import TemplateFrontEnd, TemplateGrammar, find_tags

    if isinstance(front, JavaScriptFrontEnd):
        front.extract(original, settings)  # type: ignore[arg-type]  # the parser that reads it, for the guard
        return [(front.grammar(), original, new)]
    if isinstance(front, PythonFrontEnd):
        return [(PythonGrammar(), original, new)]
    if isinstance(front, PhpFrontEnd):
        return [(PhpGrammar(), original, new)]
    if isinstance(front, TemplateFrontEnd):
        return [(TemplateGrammar(front), original, new)]
    if isinstance(front, CombinedFrontEnd) and isinstance(front.page, TemplateFrontEnd):
        # the server's guard reads the PHP with the lines added to the page blanked, the page's
        # guard the page without the lines added inside PHP blocks
        suffix = front.page.suffix
        added = _added_lines(original, new)
        tags = find_tags(new, suffix)
        in_php = [s for s in added if any(t.span[0] < s[0] < t.span[1] for t in tags)]
        server_text = new
        page_text = new
        for start, end in sorted(added, reverse=True):
            if (start, end) in in_php:
                page_text = page_text[:start] + page_text[end:]
            else:
                server_text = server_text[:start] + re.sub(r"[^\r\n]", " ", server_text[start:end]) + server_text[end:]
        out: list[tuple[object, str, str]] = [(TemplateGrammar(front.page), original, page_text)]
        if isinstance(front.server, PhpFrontEnd):
            out.append((PhpGrammar(), original, server_text))
        return out
    raise Refused("drmigrate has no parser to prove a comment safe in this file")


def _added_lines(original: str, new: str) -> list[Span]:
    """The spans in `new` of the whole lines it has on top of `original`."""
    import difflib

    old = original.splitlines(keepends=True)
    lines = new.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    out: list[Span] = []
    for op, _, _, j1, j2 in difflib.SequenceMatcher(None, old, lines, autojunk=False).get_opcodes():
        if op == "insert":
            out.extend((offsets[j], offsets[j + 1]) for j in range(j1, j2))
    return out


def _same(grammar: object, original: str, new: str) -> None:
    from drmigrate.guard import GuardError, _compare_trees

    before, after = grammar.views(original, new)  # type: ignore[attr-defined]
    _compare_trees(before.tree, after.tree, original, new)
    for what, old, got in (("comment", before.comments, after.comments), ("template tag", before.tags, after.tags)):
        others_before = Counter(t for _, t in old if _MARKER not in t)
        others_after = Counter(t for _, t in got if _MARKER not in t)
        if others_before != others_after:
            changed = next(iter((others_before - others_after) or (others_after - others_before)))
            raise GuardError(f"the {what} `{changed[:40]}` would change")
        if sum(1 for _, t in got if _MARKER in t) < sum(1 for _, t in old if _MARKER in t):
            raise GuardError(f"a drmigrate {what} would be lost")
    if "".join(t for _, t in before.markup) != "".join(t for _, t in after.markup):
        raise GuardError("the markup outside the page's scripts would change")
