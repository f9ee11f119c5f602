"""The DigitalRiver.js calls the payment-sessions docs touch, and finding a mention of one in text.

`CALL_NAMES` is the one list: the prefilter (a file that mentions none of them holds nothing to
check), the notes on files drmigrate does not read or skips as build output, and the check for
JavaScript built inside server strings all read it, so a new call kind is added here once.

`createSource` counts wherever the name appears as a word, as it always has: no other code calls it
so (`createSourceCode`, `createSourceFile` are other words). For the other names only a call counts: `name(`, `name.call(` / `.apply(` / `.bind(`, on a receiver that
is not one of `FOREIGN_RECEIVERS` (`document.createElement('div')` is in most pages). Two of them are
methods of other libraries too (`SHARED_NAMES`: Stripe's and the storefront's own `paymentRequest`,
Vue's `createElement`): a call of one counts only in a file that shows Digital River (`Evidence`).
Without that, the bench tree's 55 files with a `x.paymentRequest(...)` of their own were parsed for
nothing, and the cold run took several times longer.

The search runs over every file of a tree, so it must stay near what `b"createSource" in raw`
cost (0.035 s for the bench tree's 68 MB). Python's `re` scans for a pattern's leading literal fast
but tries an alternation of names at every position (0.48 s), so the names are grouped under
substrings they share (`create`: createSource, createDropin, createElement; `ayment`:
paymentRequest, retrieveAvailablePaymentMethods), each group is one pattern that starts with its
substring (the rest of each name is checked around it with lookarounds; 0.16 s for both), and a
group's pattern runs only where `in` finds its gate (`_gates`; 0.11 s in all).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import AnyStr

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
# Methods that other libraries have under the same name (Stripe's `paymentRequest`, Vue's
# `createElement`): a call of one counts only in a file that shows Digital River (`Evidence`).
SHARED_NAMES = frozenset({"createElement", "paymentRequest"})
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
    # a whole word in every case: `createSourceCode` / `createSourceFile` (TypeScript, ESLint) are
    # other names
    parts.append(rf"(?<![\w$]{through_key})")
    if not bare:
        parts.extend(rf"(?<!{re.escape(r)}\.{through_key})" for r in FOREIGN_RECEIVERS.get(name, ()))
    parts.append(re.escape(name[at + len(key):]))
    parts.append(r"(?![\w$])" if bare else rf"(?![\w$]){_CALL_FORM}")
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


@cache
def _gates() -> tuple[tuple[bytes, ...], ...]:
    """Per group, substrings one of which a match must contain, searched with `in` first: it
    skips through bytes faster than `re` scans for a literal (measured: the two groups' patterns
    alone 0.16 s on the bench tree, gated 0.11 s; `createSource in` 0.035 s). A shared prefix
    (`create`) is one gate for its group; a shared middle part (`ayment`) is in common words
    (`payment`), so there each name is its own gate."""
    return tuple((key.encode(),) if all(n.startswith(key) for n in names) else tuple(n.encode() for n in names)
                 for key, names in _grouped())


def _name(match: re.Match[str] | re.Match[bytes]) -> str:
    assert match.lastgroup is not None
    return CALL_NAMES[int(match.lastgroup[1:])]


# Digital River's element types (`createElement('cardnumber', ...)`), beside the payment types.
ELEMENT_TYPES = ("cardnumber", "cardexpiration", "cardcvv", "taxidentifier", "invoiceattribute", "compliance",
                 "delayedpaymentinstructions", "paypal", "applepay", "googlepay", "amazonpay", "onlinebanking")
LOOK_BACK = 64  # characters before a call in which its receiver is looked for


@dataclass(frozen=True)
class Evidence:
    """What shows that a call of one of `SHARED_NAMES` is Digital River's: its receiver is named
    like a DigitalRiver.js instance (`drjs.paymentRequest(`, `this.dr.createElement(` — the
    `receiver-names` setting), its first argument is a Digital River element or payment type
    (`createElement('paypal', ...)`, in any case), or the file names Digital River
    (`DigitalRiver(`, `js.digitalriverws.com`, in any case). Each is checked where it is cheap:
    the first two at the call, the last once per file (a search of lowered bytes). The patterns
    are compiled when first needed: most runs meet no such call, and a pre-commit run of a few
    files would pay for them at start."""

    receiver: str  # pattern sources
    argument: str


@lru_cache(maxsize=8)
def evidence(receivers: tuple[str, ...] = (), types: frozenset[str] = frozenset()) -> Evidence:
    if not receivers:
        from drmigrate.frontends import Settings

        receivers = Settings().receiver_names
    names = "|".join(sorted(map(re.escape, receivers), key=len, reverse=True))
    kinds = "|".join(sorted({re.escape(t.lower()) for t in (*types, *ELEMENT_TYPES)}, key=len, reverse=True))
    return Evidence(rf"(?<![\w$])(?:{names})\s*\??\.\s*\Z", rf"""\s*\(\s*['"](?i:{kinds})['"]""")


@lru_cache(maxsize=32)
def _text_re(source: str) -> re.Pattern[str]:
    return re.compile(source)


@lru_cache(maxsize=32)
def _bytes_re(source: str) -> re.Pattern[bytes]:
    return re.compile(source.encode("ascii"))


@cache
def _name_offsets() -> dict[str, int]:
    """How far before its group's shared substring each name starts."""
    return {name: name.index(key) for key, names in _grouped() for name in names}


@cache
def _text_gates() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(g.decode() for g in gate) for gate in _gates())


@cache
def _group_names() -> tuple[tuple[str, ...], ...]:
    return tuple(names for _key, names in _grouped())


@cache
def _group_names_bytes() -> tuple[tuple[bytes, ...], ...]:
    return tuple(tuple(n.encode() for n in names) for names in _group_names())


def _first(data: AnyStr, patterns: Sequence[re.Pattern[AnyStr]], shown: Evidence,
           compiled: Callable[[str], re.Pattern[AnyStr]], names_digital_river: Callable[[], bool],
           gates: Sequence[Sequence[AnyStr]], spelled: Sequence[Sequence[AnyStr]]) -> str | None:
    offsets = _name_offsets()
    proven: bool | None = None
    for pattern, gate, names, group in zip(patterns, gates, spelled, _group_names(), strict=True):
        for needle in gate:  # a loop, not any(<generator>): this runs for every file of a tree
            if needle in data:
                break
        else:
            continue
        # where each name occurs (`find` skips through text several times faster than `re`
        # scans for the group's literal); the pattern is tried only there, at its shared part
        starts: list[int] = []
        for spelling, name in zip(names, group, strict=True):
            at = data.find(spelling)
            while at != -1:
                starts.append(at + offsets[name])
                at = data.find(spelling, at + 1)
        starts.sort()
        for key_at in starts:
            found = pattern.match(data, key_at)
            if found is None:
                continue
            name = _name(found)
            if name not in SHARED_NAMES:
                return name
            start = key_at - offsets[name]
            if (compiled(shown.receiver).search(data[max(0, start - LOOK_BACK):start])
                    or compiled(shown.argument).match(data, start + len(name))):
                return name
            if proven is None:
                proven = names_digital_river()
            if proven:
                return name
    return None


def mentioned_in_bytes(raw: bytes, shown: Evidence | None = None) -> str | None:
    """The first call name (in the patterns' order) that the UTF-8 bytes mention; a call of one
    of `SHARED_NAMES` counts only with `Evidence` (by default, of the default receiver names).

    An ASCII pattern matches UTF-8 bytes exactly where it matches the decoded text."""
    return _first(raw, _byte_patterns(), shown or evidence(), _bytes_re, lambda: b"digitalriver" in raw.lower(),
                  _gates(), _group_names_bytes())


def mentioned(text: str, shown: Evidence | None = None) -> str | None:
    """`mentioned_in_bytes` on decoded text."""
    return _first(text, _text_patterns(False), shown or evidence(), _text_re,
                  lambda: "digitalriver" in text.lower(), _text_gates(),
                  _group_names())


def calls_in(text: str) -> Iterator[tuple[int, str]]:
    """(offset, name) of every call of one of the names in `text`, `createSource` too only as a
    call: for text that is not JavaScript itself, such as a server string holding some."""
    found: list[tuple[int, str]] = []
    for pattern in _text_patterns(True):
        found.extend((m.start() - _name_offsets()[_name(m)], _name(m)) for m in pattern.finditer(text))
    yield from sorted(found)
