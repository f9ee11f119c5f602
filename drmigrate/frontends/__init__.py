"""Front ends: each turns one language's source text into payload sites.

A front end knows its language and nothing about rules. It returns an `Extraction`: the payload
sites it found, the comment spans (so the splicer never swallows one), the protected spans that no
edit may touch (template tags), and which parser read the text. It raises `ParseError` when the
text cannot be read; `verify()` is the fix guard run on fixed text (`drmigrate.guard`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from drmigrate.model import EmbeddedCall, Intent, PayloadSite, Seed, Span


class ParseError(Exception):
    """The text cannot be parsed. The message is one line: what is wrong and where."""


@dataclass(frozen=True)
class Settings:
    """What a front end may need to know beyond the text (receiver names, ...)."""

    receiver_names: tuple[str, ...] = (
        "digitalriver",
        "digitalRiver",
        "DigitalRiverJs",
        "digitalriverjs",
        "digitalRiverJs",
        "drjs",
        "drJs",
        "dr",
        "DR",
        "drClient",
    )
    dr_types: frozenset[str] = frozenset()
    payload_names: tuple[str, ...] = ()  # more names a server-side payload variable goes by
    # the DigitalRiver.js methods whose calls are read, and for createElement the element types
    # read with the options key that holds their payload ("" when the options are the payload)
    calls: frozenset[str] = frozenset({"createSource"})
    elements: tuple[tuple[str, str], ...] = ()
    # payload roots other files' calls hand to this one (`drmigrate.project`); None: the text is read
    # on its own, so an export counts as a use drmigrate cannot see
    seeds: tuple[Seed, ...] | None = None
    # functions of an installed library that send a payload to createSource (the `wrappers`
    # setting): (module, name, argument position); an empty module is a page global
    wrappers: tuple[tuple[str, str, int], ...] = ()

    def quotes_dr_type(self, text: str) -> bool:
        """Whether a Digital River type appears as a quoted string (a server payload's `'type'`)."""
        return _quoted(self.dr_types).search(text) is not None


@lru_cache(maxsize=8)
def _quoted(types: frozenset[str]) -> re.Pattern[str]:
    names = "|".join(sorted(map(re.escape, types), key=len, reverse=True)) or "(?!)"
    return re.compile(f"""['"](?:{names})['"]""")


@dataclass(frozen=True)
class Extraction:
    sites: tuple[PayloadSite, ...]
    parser: str
    comments: tuple[Span, ...] = ()
    protected: tuple[Span, ...] = ()
    notes: tuple[str, ...] = field(default=())
    embedded: tuple[EmbeddedCall, ...] = ()  # calls in strings of another language (PHP echo)
    sliced: object | None = None  # the `slicing.Slice` the text was read through, when it was


class FrontEnd(Protocol):
    name: str

    def extract(self, text: str, settings: Settings) -> Extraction: ...

    def parses(self, text: str) -> bool: ...

    def verify(self, original: str, fixed: str, intents: Sequence[Intent]) -> None:
        """Raise `guard.GuardError` unless `fixed` is `original` with exactly `intents` applied."""
        ...
