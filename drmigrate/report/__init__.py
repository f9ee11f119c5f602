"""Reports: one module per format, found by the format's name, as ESLint finds its formatters.

`FORMATS` maps each `--format` name to the module of this package that writes it; a module has
`render(results, run) -> str`, where `run` (a `Run`) is what the format may need to know about the
run besides the results. Adding a format is adding a module and a line here. A module is imported
only when its format is asked for, so a run pays for the format it prints and nothing else. A
module may also have `chunks(results, run)`, the same report in pieces (`stream` writes them as
they come).

Beside the formats: `common` (counts, states, help lines, the summary line), `steps` (what is
left), `codeframe` (a finding's source lines), `diff` (`--diff`), `merge` (JSON reports read
back and combined), `baseline` (findings accepted for now).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
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


# Formats people and CI log parsers read line by line: every text from the files has its control
# characters escaped, and no line may start with `::` (a workflow command). The others (JSON, SARIF,
# HTML) are parsed, and only need text any encoder takes.
PRINTED = frozenset({"text", "concise", "github", "junit"})


def render(results: Sequence[FileResult], run: Run) -> str:
    """The report of `results` in `run.format`, every text from the files made safe for it first
    (`drmigrate.escape`)."""
    return "".join(stream(results, run))


def stream(results: Sequence[FileResult], run: Run) -> Iterator[str]:
    """`render` in pieces, to be written as they come: a format module with `chunks(results, run)`
    (JSON) makes its report piece by piece, so a large one is never held whole."""
    from drmigrate import escape
    from drmigrate.report.common import escaped

    printed = run.format in PRINTED
    safe = escaped(results, escape.printable if printed else escape.storable)
    module = importlib.import_module(f"{__name__}.{FORMATS[run.format]}")
    if hasattr(module, "chunks"):
        yield from module.chunks(safe, run)
        return
    text: str = module.render(safe, run)
    # GitHub's own lines are commands; its module keeps every other line neutral
    yield escape.neutral_lines(text) if printed and run.format != "github" else text
