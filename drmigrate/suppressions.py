"""Suppression comments: `drmigrate-ignore` directives read from the text, and the unused ones.

    // drmigrate-ignore                         every code, on this line
    // drmigrate-ignore: DR101,DR102 -- reason  these codes only; the reason is for people
    // drmigrate-ignore-file                    the whole file (in its first 10 lines)

The same after `#` (Python, PHP), inside `/* */`, `<!-- -->` and `{# #}` (templates). A directive
covers the findings that start on its line; a directive alone on its line also covers the next
one. The scan is lexical and language-neutral, so every front end gets it for free. A suppressed
finding is not reported and plans no edit (the engine's `suppress` predicate); a directive that
silenced nothing is itself reported (DR300) so stale ones do not pile up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from drmigrate import engine
from drmigrate.engine import Options
from drmigrate.frontends import Extraction
from drmigrate.model import Analysis, Finding, Span
from drmigrate.rules import RuleTable

UNUSED_CODE = "DR300"
FILE_DIRECTIVE_LINES = 10
_DIRECTIVE = re.compile(
    r"(?P<open>//|/\*|<!--|\{#|#)[ \t]*drmigrate-ignore(?P<file>-file)?(?![\w-])"
    r"(?:[ \t]*:[ \t]*(?P<codes>[A-Za-z]+\d*(?:[ \t]*,[ \t]*[A-Za-z]+\d*)*))?"
    r"(?P<dashes>[ \t]*--(?!>)[ \t]*)?",
)
# The reason runs to the comment's end (`*/`, `-->`, `#}`) or the line's, less the blanks before
# it. Found with `find`, not with a lazy pattern and a lookahead, which tried the lookahead's
# blanks again at every character: a directive followed by 19,000 blanks took 6 s.
_COMMENT_ENDS = ("*/", "-->", "#}")


def _reason(text: str, start: int) -> str:
    """The reason of a directive whose reason starts at `start`."""
    end = text.find("\n", start)
    segment = text[start:] if end < 0 else text[start:end]
    cut = min((i for i in (segment.find(c) for c in _COMMENT_ENDS) if i >= 0), default=len(segment))
    return segment[:cut].rstrip(" \t")


@dataclass
class Directive:
    line: int  # 1-based line of the comment
    span: Span
    codes: tuple[str, ...]  # empty: every code
    whole_file: bool
    own_line: bool  # nothing but the comment on its line: it also covers the next line
    reason: str = ""
    used: set[str] = field(default_factory=set)  # codes it silenced

    def covers(self, code: str, line: int) -> bool:
        if self.codes and not any(code.startswith(c) for c in self.codes):
            return False
        return self.whole_file or line == self.line or (self.own_line and line == self.line + 1)

    @property
    def text(self) -> str:
        suffix = "-file" if self.whole_file else ""
        return f"drmigrate-ignore{suffix}" + (f": {','.join(self.codes)}" if self.codes else "")


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


class Suppressions:
    """The directives of one text, and which of them were used."""

    def __init__(self, text: str) -> None:
        self.starts = _line_starts(text)
        self.directives: list[Directive] = []
        if "drmigrate-ignore" not in text:  # the usual case costs one substring search
            return
        for m in _DIRECTIVE.finditer(text):
            line = self.line_of(m.start())
            line_start = self.starts[line - 1]
            # alone on its line, also when it is the comment of a template's own comment tag
            # (`<?php /* drmigrate-ignore … */ ?>`, `<%# drmigrate-ignore … %>`)
            own_line = text[line_start:m.start()].strip() in ("", "<?php", "<%")
            codes = tuple(c.strip().upper() for c in (m.group("codes") or "").split(",") if c.strip())
            whole_file = bool(m.group("file"))
            if whole_file and line > FILE_DIRECTIVE_LINES:
                whole_file = False  # too far down to be a file directive: reported as unused
                line = -1
            reason = _reason(text, m.end()) if m.group("dashes") is not None else ""
            self.directives.append(Directive(line, (m.start(), m.end() + len(reason)), codes, whole_file, own_line,
                                             reason.strip()))

    def line_of(self, offset: int) -> int:
        lo, hi = 0, len(self.starts)
        while lo + 1 < hi:
            mid = (lo + hi) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid
        return lo + 1

    def __bool__(self) -> bool:
        return bool(self.directives)

    def predicate(self) -> Callable[[str, Span], bool] | None:
        """`suppress(code, span)` for the engine; marks the directives it uses."""
        if not self.directives:
            return None

        def suppress(code: str, span: Span) -> bool:
            line = self.line_of(span[0])
            hit = False
            for d in self.directives:
                if d.covers(code, line):
                    d.used.add(code)
                    hit = True
            return hit

        return suppress

    def unused(self, selected: Callable[[str], bool], known: Callable[[str], bool]) -> list[Directive]:
        """Directives that silenced nothing (codes this run does not select are not held against them)."""
        out = []
        for d in self.directives:
            if d.codes:
                idle = [c for c in d.codes if not any(u.startswith(c) for u in d.used)]
                if any(not known(c) for c in idle) or any(selected(c) for c in idle):
                    out.append(d)
            elif not d.used:
                out.append(d)
        return out


def unused_findings(directives: list[Directive], make: Callable[[Directive, str], Finding],
                    known: Callable[[str], bool]) -> list[Finding]:
    """One finding per unused directive, with a message saying which part is unused."""
    out = []
    for d in directives:
        if d.line == -1:
            why = f"`drmigrate-ignore-file` only counts in the first {FILE_DIRECTIVE_LINES} lines; move it up"
        elif d.codes:
            idle = [c for c in d.codes if not any(u.startswith(c) for u in d.used)]
            unknown = [c for c in idle if not known(c)]
            if unknown:
                why = f"{', '.join(unknown)} is not a drmigrate code; `drmigrate rules` lists them"
            else:
                where = "in this file" if d.whole_file else "on this line"
                why = f"no {', '.join(idle)} finding {where}; remove it from the comment"
        else:
            where = "in this file" if d.whole_file else "on this line"
            why = f"no finding {where}; remove the comment"
        out.append(make(d, why))
    return out


def analyze(extraction: Extraction, text: str, table: RuleTable, options: Options,
            hold: Callable[[str, Span], bool] | None = None) -> Analysis:
    """The engine on one text, with the text's suppression comments applied and unused ones reported.
    `hold`: findings whose fix the guard refused (reported, no edit planned)."""
    directives = Suppressions(text)
    suppress = directives.predicate()
    if options.only:
        by_comment = suppress

        def suppress(code: str, span: Span) -> bool:
            return (code, *span) not in options.only or bool(by_comment and by_comment(code, span))

    result = engine.analyze(extraction.sites, table, text, comments=extraction.comments,
                            protected=extraction.protected, options=options,
                            suppress=suppress, embedded=extraction.embedded, hold=hold)
    info = table.codes.get(UNUSED_CODE)
    if not directives or info is None or not options.selected(UNUSED_CODE):
        return result

    def known(code: str) -> bool:
        return any(k.startswith(code) for k in table.codes)

    def make(d: Directive, why: str) -> Finding:
        return Finding(UNUSED_CODE, info.name, table.message(UNUSED_CODE, directive=d.text, reason=why),
                       d.span, None, info.fix_safety)

    extra = unused_findings(directives.unused(options.selected, known), make, known)
    if not extra:
        return result
    findings = sorted((*result.findings, *extra), key=lambda f: (f.span[0], f.code, f.span[1]))
    return replace(result, findings=tuple(findings))


def directive_use(extraction: Extraction, text: str, table: RuleTable, options: Options) -> list[Directive]:
    """The text's directives, each with the codes it silenced (`Directive.used`) in this analysis."""
    directives = Suppressions(text)
    if directives:
        engine.analyze(extraction.sites, table, text, comments=extraction.comments, protected=extraction.protected,
                       options=options, suppress=directives.predicate(), embedded=extraction.embedded)
    return directives.directives
