"""A lazily computed stand-in for `esprima.character`, installed before esprima is imported.

esprima 4.0.1 classifies identifier characters with sets built at import time by asking
`unicodedata.category` about every one of the 1.1 million code points: 0.3 s per process, which is
most of a pre-commit run. This module answers the same questions one character at a time, with the
same definitions (ECMAScript ID_Start / ID_Continue as esprima builds them: letter categories Lu Ll
Lt Lm Lo Nl, plus Other_ID_Start, `$`, `_` and `\\`; continuing with Mn Mc Nd Pc, ZWJ, ZWNJ and
Other_ID_Continue), and remembers each answer. `tests/test_esprima_chars.py` checks it against
esprima's own sets for every code point.
"""

from __future__ import annotations

import sys
import types
import unicodedata
from functools import cache

_START_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nl"})
_PART_CATEGORIES = _START_CATEGORIES | {"Mn", "Mc", "Nd", "Pc"}
# Unicode's Other_ID_Start / Other_ID_Continue, as esprima 4.0.1 lists them
_OTHER_ID_START = frozenset(
    "\u1885\u1886\u2118\u212E\u309B\u309C\u08B3\u0AF9\u13F8\u9FCD\uAB60\U00010CC0\U000108E0"
    "\U0002B820\u1C80\U000104DB\U0001E922\U0001EE00\U0001EE06\U0001EE0A"
)
_OTHER_ID_CONTINUE = frozenset(
    "\xB7\u0387\u1369\u136A\u136B\u136C\u136D\u136E\u136F\u1370\u1371\u19DA\u08E3\uA69E"
    "\U00011730\u08D4\u1DFB\uA8C5\U00011450\U0001EE03\U0001EE0B"
)
_START_EXTRA = frozenset("$_\\")
_PART_EXTRA = frozenset("\u200D\u200C")

WHITE_SPACE = frozenset(
    "\x09\x0B\x0C\x20\xA0\u1680\u180E\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200A\u202F\u205F\u3000\uFEFF"
)
LINE_TERMINATOR = frozenset("\x0A\x0D\u2028\u2029")
DECIMAL_CONV = {c: n for n, c in enumerate("0123456789")}
OCTAL_CONV = {c: n for n, c in enumerate("01234567")}
HEX_CONV = {c: n for n, c in enumerate("0123456789abcdef")} | {c: n for n, c in enumerate("ABCDEF", 10)}


@cache
def is_identifier_start(ch: str) -> bool:
    if ch < "\x80":
        return ch.isalpha() or ch in _START_EXTRA
    return unicodedata.category(ch) in _START_CATEGORIES or ch in _OTHER_ID_START


@cache
def is_identifier_part(ch: str) -> bool:
    if ch < "\x80":
        return ch.isalnum() or ch in _START_EXTRA
    return (
        unicodedata.category(ch) in _PART_CATEGORIES
        or ch in _OTHER_ID_START
        or ch in _OTHER_ID_CONTINUE
        or ch in _PART_EXTRA
    )


class Character:
    """The API esprima's scanner and JSX parser use (`esprima.character.Character`)."""

    @staticmethod
    def fromCodePoint(code: int) -> str:
        return chr(code)

    @staticmethod
    def isWhiteSpace(ch: str) -> bool:
        return ch in WHITE_SPACE

    @staticmethod
    def isLineTerminator(ch: str) -> bool:
        return ch in LINE_TERMINATOR

    @staticmethod
    def isIdentifierStart(ch: str) -> bool:
        return is_identifier_start(ch)

    @staticmethod
    def isIdentifierPart(ch: str) -> bool:
        return is_identifier_part(ch)

    @staticmethod
    def isDecimalDigit(ch: str) -> bool:
        return ch in DECIMAL_CONV

    @staticmethod
    def isHexDigit(ch: str) -> bool:
        return ch in HEX_CONV

    @staticmethod
    def isOctalDigit(ch: str) -> bool:
        return ch in OCTAL_CONV


def install() -> None:
    """Make `import esprima` use this module for `esprima.character` (no-op once esprima is loaded)."""
    if "esprima" in sys.modules or "esprima.character" in sys.modules:
        return
    module = types.ModuleType("esprima.character", __doc__)
    module.Character = Character  # type: ignore[attr-defined]
    module.HEX_CONV = HEX_CONV  # type: ignore[attr-defined]
    module.OCTAL_CONV = OCTAL_CONV  # type: ignore[attr-defined]
    module.DECIMAL_CONV = DECIMAL_CONV  # type: ignore[attr-defined]
    module.WHITE_SPACE = WHITE_SPACE  # type: ignore[attr-defined]
    module.LINE_TERMINATOR = LINE_TERMINATOR  # type: ignore[attr-defined]
    sys.modules["esprima.character"] = module
