"""Fixture discovery shared by the fixture tests: `fixtures/<method>/<case>/` directories.

Each case holds `before.<ext>`, optionally `after.<ext>` (absent: the file must stay unchanged),
`expected.json` (the findings on `before`) and optionally `options.json` (engine options).
Set DRMIGRATE_UPDATE_FIXTURES=1 to rewrite `after.*` and `expected.json` from the current code;
review every rewrite it makes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drmigrate.engine import Options
from drmigrate.frontends import Settings
from drmigrate.model import Finding
from drmigrate.runner import Config, make_config

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
UPDATE = os.environ.get("DRMIGRATE_UPDATE_FIXTURES") == "1"


@dataclass(frozen=True)
class Case:
    dir: Path
    before: Path

    @property
    def id(self) -> str:
        return str(self.dir.relative_to(FIXTURES))

    @property
    def after(self) -> Path:
        return self.dir / f"after{self.before.suffix}"

    @property
    def expected(self) -> Path:
        return self.dir / "expected.json"

    def options(self) -> dict[str, Any]:
        path = self.dir / "options.json"
        return json.loads(path.read_text("utf-8")) if path.exists() else {}

    def config(self) -> Config:
        raw = self.options()
        session = raw.get("session_id", {})
        if isinstance(session, str):
            session = {"js": session}
        options = Options(
            session_id=session,
            select=tuple(raw.get("select", ())),
            ignore=tuple(raw.get("ignore", ())),
            unsafe_fixes=bool(raw.get("unsafe_fixes", False)),
        )
        return make_config(options=options, receiver_names=raw.get("receivers"))

    def path_for_frontend(self) -> str:
        """The name the runner sees: `before.phtml` -> a name with the same extension."""
        return str(self.before)


def cases() -> list[Case]:
    found = []
    for before in sorted(FIXTURES.glob("*/*/before.*")):
        found.append(Case(before.parent, before))
    return found


def read(path: Path) -> str:
    """Fixture text exactly as stored (bytes decoded without newline translation)."""
    return path.read_bytes().decode("utf-8")


def findings_json(findings: tuple[Finding, ...]) -> list[dict[str, Any]]:
    return [
        {"line": f.line, "column": f.column, "code": f.code, "source_type": f.source_type,
         "fixed": f.fix_applicable}
        for f in findings
    ]


SETTINGS: Settings = make_config().settings  # what the runner gives a front end by default


def cut(text: str, span: tuple[int, int] | None) -> str:
    """The text a span names (front-end tests check that every span slices exactly)."""
    assert span is not None
    return text[span[0]:span[1]]
