"""The primary JavaScript front end: esprima (ES5–ES2017) feeding the shared ESTree analysis.

esprima is imported lazily: the import alone walks every Unicode code point (0.3–0.4 s), and a run
whose files hold no candidate call should never pay for it.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from drmigrate.frontends import Extraction, ParseError, Settings
from drmigrate.frontends.jsanalysis import comment_spans, find_sites

_RECURSION_LIMIT = 20_000


def _esprima() -> Any:
    from drmigrate.frontends import esprima_chars

    esprima_chars.install()  # before the import: it would classify 1.1 million code points
    import esprima

    return esprima


_MODULE_SYNTAX = re.compile(r"^[ \t]*(?:import|export)\b", re.MULTILINE)


def parse(text: str, *, jsx: bool = False) -> Any:
    """Parse as a script, then as a module; raise ParseError with esprima's one-line message.

    A file with `import` / `export` at the start of a line is tried as a module first: parsing it
    as a script would fail only at the end, doubling the cost.
    """
    esprima = _esprima()
    options = {"range": True, "comment": True, "jsx": jsx}
    first, second = esprima.parseScript, esprima.parseModule
    if _MODULE_SYNTAX.search(text):
        first, second = second, first
    old_limit = sys.getrecursionlimit()
    # esprima is a recursive-descent parser: deep nesting needs head room, and a RecursionError
    # beyond it is reported as a parse error rather than a crash.
    sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
    try:
        try:
            return first(text, options)
        except esprima.Error as exc:
            first_error = exc
        try:
            return second(text, options)
        except esprima.Error as exc:
            # report the error of the module parse: the one that matches what the file looks like
            shown = first_error if first is esprima.parseModule else exc
            raise ParseError(f"esprima: {shown}") from None
        except RecursionError:
            raise ParseError("esprima: the code is nested too deeply to parse") from None
    except RecursionError:
        raise ParseError("esprima: the code is nested too deeply to parse") from None
    finally:
        sys.setrecursionlimit(old_limit)


class EsprimaFrontEnd:
    name = "esprima"

    def __init__(self, *, jsx: bool = False) -> None:
        self.jsx = jsx

    def extract(self, text: str, settings: Settings) -> Extraction:
        program = parse(text, jsx=self.jsx)
        return Extraction(
            sites=find_sites(program, text, settings),
            parser=self.name,
            comments=comment_spans(program.comments),
        )

    def parses(self, text: str) -> bool:
        try:
            parse(text, jsx=self.jsx)
        except ParseError:
            return False
        return True
