"""Untrusted text made safe to print and to store.

File names, string values in the code, messages built from them, report files and configuration
come from the repository, which is the attacker's. Two things go wrong when such text is written
out as it is:

- a lone surrogate cannot be encoded: a string literal `"\\ud800"` (JavaScript decodes the escape)
  or a file name that is not UTF-8 (Python reads it as U+DC80..U+DCFF) makes every encoder fail;
- control characters act: a newline starts a line of its own (`::error::…` is a GitHub workflow
  command, a line of a log another tool parses), ESC starts a terminal sequence (a window title,
  the clipboard through OSC 52), bidirectional overrides reorder what a reader sees.

`storable` writes lone surrogates as visible escapes (`\\xe9` for the byte of a file name, `\\ud800`
otherwise): what JSON, SARIF, HTML, the baseline and every output stream need. `printable` also
writes control characters as escapes (`\\n`, `\\x1b`, `\\u202e`): what the text formats, GitHub
annotations, JUnit and error lines need. `neutral_lines` makes sure no line of an output starts
with `::` (after blanks and colour codes), whatever a field held.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, line and paragraph separators, bidirectional marks, embeddings,
# overrides and isolates, and lone surrogates
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_LINE_START = re.compile(r"^(?:[ \t]|\x1b\[[0-9;]*m)*::", re.MULTILINE)


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def storable(text: str) -> str:
    """`text` with every lone surrogate written as a visible escape; any encoder takes it."""
    if text.isascii():
        return text
    return _SURROGATE.sub(_escape, text)


def printable(text: str) -> str:
    """`text` with lone surrogates and every control character written as a visible escape."""
    if text.isascii() and text.isprintable():  # the usual case: nothing to do
        return text
    return _UNPRINTABLE.sub(_escape, text)


def neutral_lines(text: str) -> str:
    """`text` where no line starts with `::` (after blanks and colour codes): a CI runner reads
    such a line as a command. The first colon is written as `\\x3a`."""
    if "::" not in text:
        return text
    return _LINE_START.sub(lambda m: m.group(0)[:-2] + "\\x3a:", text)


def encoded(text: str) -> bytes:
    """`text` as UTF-8 bytes for an output stream or file; a lone surrogate that got this far
    becomes a backslash escape (in JSON, a valid escape of the same character)."""
    return text.encode("utf-8", "backslashreplace")
