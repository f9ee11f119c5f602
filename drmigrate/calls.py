"""The DigitalRiver.js calls the payment-sessions docs touch, and finding a mention of one in text.

`CALL_NAMES` is the one list: the prefilter (a file that mentions none of them holds nothing to
check), the notes on files drmigrate does not read or skips as build output, and the check for
JavaScript built inside server strings all read it, so a new call kind is added here once.

`createSource` counts wherever the name appears, as it always has: no other code calls it so. The
other names are common words or DOM methods (`document.createElement('div')` is in most pages), so
for them only a call counts: `name(`, `name.call(` / `.apply(` / `.bind(`, on a receiver that is not
one of `FOREIGN_RECEIVERS`.

The search must cost about what `b"createSource" in raw` did: it runs over every file of a tree.
Python's `re` scans for a pattern's leading literal at memory speed but tries an alternation of
names at every position (measured on the bench tree: 0.07 s against 0.48 s for 70 MB), so the names
are grouped under substrings they share (`create`: createSource, createDropin, createElement;
`ayment`: paymentRequest, retrieveAvailablePaymentMethods) and each group is one pattern that starts
with its substring; the rest of each name is checked around it with lookarounds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache

CALL_NAMES: tuple[str, ...] = (
    "createSource",
    "createDropin",
    "retrieveAvailablePaymentMethods",
    "createElement",
    "paymentRequest",
)
# Receivers whose method of that name is never Digital River's (a receiver ending in `document.`
# includes `ownerDocument.` via `Document.`).
FOREIGN_RECEIVERS: dict[str, tuple[str, ...]] = {"createElement": ("document", "Document", "React")}
BARE_NAMES = frozenset({"createSource"})  # counted wherever the name appears
MIN_KEY = 5  # a shared substring shorter than this would match too often to pay off

_CALL_FORM = r"\s*(?:\(|\.\s*(?:call|apply|bind)\b)"


def _groups(names: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The names grouped under a substring they share: greedily, the substring shared by the most
    names (the longest among equals); a name that shares none is its own group."""
    left = list(names)
    groups: list[tuple[str, list[str]]] = []
    while left:
        key, sharing = left[0], [left[0]]
        for name in left:
            for i in range(len(name)):
                for j in range(i + MIN_KEY, len(name) + 1):
                    part = name[i:j]
                    members = [n for n in left if part in n]
                    if len(members) > len(sharing) or (len(members) == len(sharing) and len(part) > len(key)):
                        key, sharing = part, members
        groups.append((key, sharing))
        left = [n for n in left if n not in sharing]
    return groups


def _alternative(name: str, key: str, index: int, *, bare: bool) -> str:
    """The part of a group's pattern after `key` that completes `name`, checking the rest of the
    name behind the key with lookbehinds."""
    at = name.index(key)
    through_key = re.escape(name[: at + len(key)])
    parts = []
    if at:
        parts.append(f"(?<={through_key})")
    if not bare:
        parts.append(rf"(?<![\w$]{through_key})")
        parts.extend(rf"(?<!{re.escape(r)}\.{through_key})" for r in FOREIGN_RECEIVERS.get(name, ()))
    parts.append(re.escape(name[at + len(key):]))
    if not bare:
        parts.append(rf"(?![\w$]){_CALL_FORM}")
    return "".join(parts) + f"(?P<c{index}>)"


@cache
def _grouped() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((key, tuple(names)) for key, names in _groups(CALL_NAMES))


def _sources(*, calls_only: bool) -> list[str]:
    out = []
    for key, names in _grouped():
        alternatives = "|".join(
            _alternative(n, key, CALL_NAMES.index(n), bare=n in BARE_NAMES and not calls_only) for n in names)
        out.append(f"{re.escape(key)}(?:{alternatives})")
    return out


@cache
def _text_patterns(calls_only: bool) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(s) for s in _sources(calls_only=calls_only))


@cache
def _byte_patterns() -> tuple[re.Pattern[bytes], ...]:
    return tuple(re.compile(s.encode("ascii")) for s in _sources(calls_only=False))


def _name(match: re.Match[str] | re.Match[bytes]) -> str:
    assert match.lastgroup is not None
    return CALL_NAMES[int(match.lastgroup[1:])]


def mentioned_in_bytes(raw: bytes) -> str | None:
    """The first call name (in `CALL_NAMES` order of the patterns) that the UTF-8 bytes mention.

    An ASCII pattern matches UTF-8 bytes exactly where it matches the decoded text."""
    for pattern in _byte_patterns():
        found = pattern.search(raw)
        if found is not None:
            return _name(found)
    return None


def mentioned(text: str) -> str | None:
    """`mentioned_in_bytes` on decoded text."""
    if "createSource" in text:
        return "createSource"
    for pattern in _text_patterns(False):
        found = pattern.search(text)
        if found is not None:
            return _name(found)
    return None


def calls_in(text: str) -> Iterator[tuple[int, str]]:
    """(offset, name) of every call of one of the names in `text`, `createSource` too only as a
    call: for text that is not JavaScript itself, such as a server string holding some."""
    found: list[tuple[int, str]] = []
    for pattern in _text_patterns(True):
        found.extend((m.start() - _key_offset(m), _name(m)) for m in pattern.finditer(text))
    yield from sorted(found)


def _key_offset(match: re.Match[str]) -> int:
    """How far before the match the name starts (the match starts at the shared substring)."""
    name = _name(match)
    for key, names in _grouped():
        if name in names:
            return name.index(key)
    return 0  # pragma: no cover - every name is in a group
