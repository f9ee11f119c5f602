"""Reports: one module per format, found by the format's name, as ESLint finds its formatters.

`FORMATS` maps each `--format` name to the module of this package that writes it; a module has
`render(results, run) -> str`, where `run` (a `Run`) is what the format may need to know about the
run besides the results. Adding a format is adding a module and a line here. A module is imported
only when its format is asked for, so a run pays for the format it prints and nothing else.

Beside the formats: `common` (counts, states, help lines, the summary line), `steps` (what is
left), `codeframe` (a finding's source lines), `diff` (`--diff`), `merge` (JSON reports read
back and combined), `baseline` (findings accepted for now).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drmigrate.model import FileResult
    from drmigrate.rules import RuleTable

FORMATS = {
    "text": "text",
    "concise": "text",
    "json": "json",
    "html": "html",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit",
    "gitlab": "gitlab",
}


@dataclass(frozen=True)
class Run:
    """What a format may need to know about the run besides its results."""

    format: str
    table: RuleTable
    fixing: bool = False  # the fixes were written (positions refer to the fixed text)
    repository: str | None = None  # `--repository`
    baseline: dict[str, Any] | None = None  # `{file, hidden, stale}` with `--baseline`
    verbose: bool = False  # text: every file with its status
    statistics: bool = False  # text: the tables instead of the findings
    quiet: bool = False  # text: no summary, no notes, no closing section
    notes: tuple[str, ...] = ()  # text: lines before the closing section (stale baseline entries)
    selected: bool = False  # only some codes were asked for: a clean run is not "complete"
    show_fixes: bool = False  # text: the fixes applied (or that `fix` would apply), per file

    @property
    def baselined(self) -> int:
        return int(self.baseline["hidden"]) if self.baseline else 0


def render(results: Sequence[FileResult], run: Run) -> str:
    """The report of `results` in `run.format`."""
    module = importlib.import_module(f"{__name__}.{FORMATS[run.format]}")
    text: str = module.render(results, run)
    return text
