"""The primary JavaScript front end: esprima (ES5–ES2017) feeding the shared ESTree analysis.

esprima is imported lazily: the import alone walks every Unicode code point (0.3–0.4 s), and a run
whose files hold no candidate call should never pay for it.
"""

from __future__ import annotations

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


def parse(text: str, *, jsx: bool = False) -> Any:
    """Parse as a script, then as a module; raise ParseError with esprima's one-line message."""
    esprima = _esprima()
    options = {"range": True, "comment": True, "jsx": jsx}
    old_limit = sys.getrecursionlimit()
    # esprima is a recursive-descent parser: deep nesting needs head room, and a RecursionError
    # beyond it is reported as a parse error rather than a crash.
    sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
    try:
        try:
            return esprima.parseScript(text, options)
        except esprima.Error:
            pass
        try:
            return esprima.parseModule(text, options)
        except esprima.Error as exc:
            raise ParseError(f"esprima: {exc}") from None
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
