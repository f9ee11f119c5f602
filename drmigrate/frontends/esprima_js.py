"""The primary JavaScript front end: esprima (ES5–ES2017) feeding the shared ESTree analysis.

esprima is imported lazily: the import alone walks every Unicode code point (0.3–0.4 s), and a run
whose files hold no candidate call should never pay for it.

esprima is asked for what the analysis reads and no more: `range` offsets (not `loc`) and the
comments. `esprima.parse` collects comments through a per-node callback that, once installed,
also builds two `Position` objects and a `SourceLocation` for every node of the tree; here the
parser keeps the comments itself, as the callback would have (same objects, same order), and no
node pays for them: 14 % fewer instructions per parse (callgrind, on the benchmark's payload
files). `tests/test_esprima_parse.py` compares the trees node for node with esprima's
`parseScript` / `parseModule` over every JavaScript file of the test corpus.

(Skipping blank runs between tokens with a regular expression was tried and measured: it costs
more than esprima's own character loop, 13 % more instructions, and was left out.)
"""

from __future__ import annotations

import re
import sys
from functools import cache
from typing import Any

from drmigrate.frontends import Extraction, ParseError, Settings
from drmigrate.frontends.jsanalysis import comment_spans, find_sites
from drmigrate.frontends.jsembedded import calls_in_strings

_RECURSION_LIMIT = 20_000


def _esprima() -> Any:
    from drmigrate.frontends import esprima_chars

    esprima_chars.install()  # before the import: it would classify 1.1 million code points
    import esprima

    return esprima


_MODULE_SYNTAX = re.compile(r"^[ \t]*(?:import|export)\b", re.MULTILINE)


@cache
def _parser_class(jsx: bool) -> Any:
    """esprima's parser (or its JSX parser) keeping comment ranges without a per-node callback."""
    _esprima()  # esprima_chars first
    from esprima.comment_handler import Comment
    from esprima.jsx_parser import JSXParser
    from esprima.parser import Parser

    base = JSXParser if jsx else Parser

    class CommentKeepingParser(base):  # type: ignore[misc, valid-type]
        def __init__(self, code: str, options: dict[str, Any]) -> None:
            self.kept_comments: list[Any] = []  # before super(): it reads the first token
            super().__init__(code, options=options, delegate=None)

        def collectComments(self) -> None:  # esprima's name
            comments = self.scanner.scanComments()
            if comments:
                source = self.scanner.source
                for e in comments:
                    kind = "Block" if e.multiLine else "Line"
                    self.kept_comments.append(Comment(kind, source[e.slice[0]:e.slice[1]], e.range))

    return CommentKeepingParser


def _parse_once(text: str, *, module: bool, jsx: bool) -> Any:
    parser = _parser_class(jsx)(text, {"range": True, "comment": True, "jsx": jsx,
                                       "sourceType": "module" if module else "script"})
    program = parser.parseModule() if module else parser.parseScript()
    program.comments = parser.kept_comments
    return program


_RECENT: dict[tuple[str, bool, bool | None], Any] = {}  # the last programs parsed, by (text, jsx, module)
_RECENT_SIZE = 2


def parse(text: str, *, jsx: bool = False, module: bool | None = None) -> Any:
    """`_parse` with the last two programs kept: one fix pass parses the same texts several times
    (the analysis reads the original, the fix guard compares it with the fixed text, the next
    pass analyses the fixed text), and esprima is most of a run's time. The trees are only read.
    `module`: read as an ES module (True) or a script (False) first, whatever the text looks like
    (a slice whose import / export lines are blanked is still the module it was)."""
    key = (text, jsx, module)
    found = _RECENT.get(key)
    if found is not None:
        return found
    program = _parse(text, jsx=jsx, module=module)
    if len(_RECENT) >= _RECENT_SIZE:
        del _RECENT[next(iter(_RECENT))]
    _RECENT[key] = program
    return program


_SLOT = re.compile(r"slot=\(\d+")


def _agree(sliced: Extraction, whole: Extraction) -> None:
    """`DRMIGRATE_SLICE=verify`: the slice must give exactly what the whole file gives."""
    # a write's slot names its statement list by the node's identity: two parses differ there
    # and only there, so slots are compared by shape
    ours, theirs = (_SLOT.sub("slot=(_", repr(e.sites)) for e in (sliced, whole))
    if ours != theirs or sliced.embedded != whole.embedded:
        raise AssertionError("the sliced reading differs from the whole one:\n"
                             f"sliced: {ours}\nwhole: {theirs}")


def _parse(text: str, *, jsx: bool = False, module: bool | None = None) -> Any:
    """Parse as a script, then as a module; raise ParseError with esprima's one-line message.

    A file with `import` / `export` at the start of a line is tried as a module first: parsing it
    as a script would fail only at the end, doubling the cost.
    """
    esprima = _esprima()
    first_module = bool(_MODULE_SYNTAX.search(text)) if module is None else module
    old_limit = sys.getrecursionlimit()
    # esprima is a recursive-descent parser: deep nesting needs head room, and a RecursionError
    # beyond it is reported as a parse error rather than a crash.
    sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
    try:
        try:
            return _parse_once(text, module=first_module, jsx=jsx)
        except esprima.Error as exc:
            first_error = exc
        try:
            return _parse_once(text, module=not first_module, jsx=jsx)
        except esprima.Error as exc:
            # report the error of the module parse: the one that matches what the file looks like
            shown = first_error if first_module else exc
            raise ParseError(f"esprima: {shown}") from None
        except RecursionError:
            raise ParseError("esprima: the code is nested too deeply to parse") from None
    except RecursionError:
        raise ParseError("esprima: the code is nested too deeply to parse") from None
    finally:
        sys.setrecursionlimit(old_limit)


class EsprimaFrontEnd:
    name = "esprima"

    def __init__(self, *, jsx: bool = False, slicing_ok: bool = False) -> None:
        self.jsx = jsx
        self.slicing_ok = slicing_ok  # a plain script file (not a template's scripts, no seeds)

    def extract(self, text: str, settings: Settings) -> Extraction:
        from drmigrate.frontends import slicing

        chosen = slicing.mode() if self.slicing_ok and not settings.seeds and not self.jsx else "off"
        plan = slicing.plan(text, bool(_MODULE_SYNTAX.search(text))) if chosen != "off" else None
        if plan is not None:
            try:
                sliced = self._extract(plan.text, settings, plan)
            except ParseError:
                plan = None  # the slice does not parse as the file does: read it whole
            else:
                if chosen == "verify":
                    _agree(sliced, self._extract(text, settings, None))
                return sliced
        return self._extract(text, settings, None)

    def _extract(self, text: str, settings: Settings, plan: Any) -> Extraction:
        program = parse(text, jsx=self.jsx, module=plan.module if plan is not None else None)
        return Extraction(
            sites=find_sites(program, text, settings, kind=plan.kind if plan is not None else "",
                             order=plan.starts if plan is not None else ()),
            parser=self.name,
            comments=comment_spans(program.comments),
            embedded=calls_in_strings(program, text),
            sliced=plan,
        )

    def parses(self, text: str) -> bool:
        try:
            parse(text, jsx=self.jsx)
        except ParseError:
            return False
        return True
