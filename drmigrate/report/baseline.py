"""Baselines: the findings a repository accepts for now, so CI reports only new ones.

An entry is a fingerprint of a finding: its code, its file (relative to the baseline file's
directory, so `check .` and `check src/` agree), its payment method, and the text of its span with
whitespace, quotes, trailing commas and semicolons taken out. No line or column goes in: editing
other code, or moving the payload, leaves the fingerprint as it was; changing the payload itself
makes it a new finding. Identical findings in one file (two payloads written alike) are counted,
not merged: a third one is new.

This module only computes: the CLI reads and writes the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from drmigrate import untrusted
from drmigrate.escape import printable, storable
from drmigrate.model import FileResult, Finding
from drmigrate.report.codeframe import source_of
from drmigrate.untrusted import List, Obj

BASELINE_VERSION = 1
MAX_SIZE = 256 << 20  # bytes of a baseline file
_ENTRY = Obj({"fingerprint": str, "path": str, "code": str, "line": (int, None), "message": (str, None)},
             required=frozenset({"fingerprint", "path", "code"}))
_BASELINE = Obj({"version": int, "about": (str, None), "findings": List(_ENTRY, 10_000_000)},
                required=frozenset({"version", "findings"}))
ANALYSED = ("clean", "findings", "fixed")
_SPACE_AND_QUOTES = re.compile(r"""\s+|['"`]""")
# a run of separators is tried from its first character only: linear on a run of any length
_TRAILING = re.compile(r"(?<![,;])[,;]+(?=[\]})]|$)")
ABOUT = ("drmigrate baseline: findings accepted for now. `drmigrate check --baseline FILE` reports "
         "only findings not listed here; `--baseline FILE --write-baseline FILE` drops the entries "
         "that no longer occur.")


class BaselineError(Exception):
    """The baseline file is not one drmigrate wrote."""


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    path: str  # relative to the baseline's directory, `/`-separated
    code: str
    line: int  # where it was when recorded: for people, not for matching
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "code": self.code, "message": self.message,
                "fingerprint": self.fingerprint}


@dataclass(frozen=True)
class Baseline:
    root: Path  # the directory paths are relative to
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Applied:
    """A run seen through a baseline."""

    results: tuple[FileResult, ...]  # with the baseline's findings taken out
    hidden: int  # findings matched by an entry
    matched: tuple[Entry, ...]  # the current findings that the baseline covers (to rewrite it)
    stale: tuple[Entry, ...]  # entries of analysed files that no longer occur


def path_key(path: str, root: Path) -> str:
    """`path` relative to `root`, `/`-separated (absolute when outside it); `..` is resolved
    textually, so `../baseline.json` from a subdirectory names the same entries."""
    absolute = Path(os.path.abspath(path))
    try:
        key = absolute.relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        key = absolute.as_posix()
    return storable(key)  # a name that is not UTF-8 is recorded by its escapes


def normalize(text: str) -> str:
    """The span's text without the parts a formatter changes."""
    return _TRAILING.sub("", _SPACE_AND_QUOTES.sub("", text))


def fingerprint(f: Finding, key: str, text: str | None) -> str:
    """Code + file + payment method + normalised span text (the message when the text is gone)."""
    body = text[f.span[0]:f.span[1]] if text is not None else f.message
    data = "\0".join((f.code, key, f.source_type or "", normalize(body)))
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _entries(r: FileResult, root: Path, fixing: bool) -> list[tuple[Entry, Finding]]:
    key = path_key(r.path, root)
    text = source_of(r, fixing=fixing)
    return [(Entry(fingerprint(f, key, text), key, f.code, f.line, storable(f.message)), f) for f in r.findings]


def record(results: Sequence[FileResult], root: Path, *, fixing: bool) -> tuple[Entry, ...]:
    """Every finding of the run as an entry."""
    return tuple(e for r in results for e, _ in _entries(r, root, fixing))


def apply(baseline: Baseline, results: Sequence[FileResult], *, fixing: bool) -> Applied:
    """Take out the findings the baseline covers; list its entries that no longer occur.

    An entry counts as gone only when its file was analysed in this run: a run over a few files
    (pre-commit) says nothing about the others.
    """
    left = Counter(e.fingerprint for e in baseline.entries)
    out, matched = [], []
    analysed: set[str] = set()
    for r in results:
        if r.status in ANALYSED:
            analysed.add(path_key(r.path, baseline.root))
        if not r.findings:
            out.append(r)
            continue
        kept = []
        for entry, f in _entries(r, baseline.root, fixing):
            if left[entry.fingerprint] > 0:
                left[entry.fingerprint] -= 1
                matched.append(entry)
            else:
                kept.append(f)
        out.append(r if len(kept) == len(r.findings) else replace(r, findings=tuple(kept)))
    stale = []
    for entry in baseline.entries:
        if left[entry.fingerprint] > 0 and entry.path in analysed:
            left[entry.fingerprint] -= 1
            stale.append(entry)
    return Applied(tuple(out), len(matched), tuple(matched), tuple(stale))


def dumps(entries: Sequence[Entry]) -> str:
    ordered = sorted(entries, key=lambda e: (e.path, e.line, e.code, e.fingerprint))
    doc = {"version": BASELINE_VERSION, "about": ABOUT, "findings": [e.as_dict() for e in ordered]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def loads(text: str, origin: str, root: Path) -> Baseline:
    """Parse a baseline file's text. Raises BaselineError naming `origin`."""
    hint = f"write one with `drmigrate check --write-baseline {origin}`"
    try:
        doc = untrusted.loads(text)
    except untrusted.UntrustedError as exc:
        raise BaselineError(f"{origin}: not a drmigrate baseline ({exc}); {hint}") from None
    if not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION or not isinstance(
            doc.get("findings"), list):
        raise BaselineError(f"{origin}: not a drmigrate baseline (expected version {BASELINE_VERSION} "
                            f"and a `findings` list); {hint}")
    for i, item in enumerate(doc["findings"]):
        if not (isinstance(item, dict) and all(isinstance(item.get(k), str)
                                               for k in ("fingerprint", "path", "code"))):
            raise BaselineError(f"{origin}: baseline entry {i} needs `fingerprint`, `path` and `code` "
                                f"strings; {hint}")
    try:
        untrusted.check(doc, _BASELINE)
    except untrusted.UntrustedError as exc:
        raise BaselineError(f"{origin}: not a drmigrate baseline ({printable(str(exc))}); {hint}") from None
    entries = []
    for item in doc["findings"]:
        line = item.get("line")
        message = item.get("message")
        entries.append(Entry(storable(item["fingerprint"]), storable(item["path"]), storable(item["code"]),
                             line if isinstance(line, int) else 0,
                             storable(message) if isinstance(message, str) else ""))
    return Baseline(root, tuple(entries))
