"""GitLab Code Quality (`--format gitlab`): the JSON array a job declares under
`artifacts:reports:codequality`, which GitLab shows in the merge request and on the changed lines.

GitLab reads, per issue: `description`, `check_name`, `fingerprint` (unique per issue: GitLab
compares fingerprints between the base and the merge request to say what is new or resolved),
`severity` (one of `info`, `minor`, `major`, `critical`, `blocker`) and `location.path` (relative to
the repository, without `./`) with `location.lines.begin`. The fingerprint is the baseline's (code,
file, payment method and the payload's normalised text: moving a payload keeps it), with the
occurrence counted, so two identical payloads in one file are two issues.

A file that could not be analysed is an issue too (`drmigrate/error`, critical): a report that
leaves it out would read as clean. Every text from the files has its control characters escaped.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drmigrate.escape import printable
from drmigrate.model import FileResult, Finding

if TYPE_CHECKING:
    from drmigrate.report import Run

SEVERITIES = ("info", "minor", "major", "critical", "blocker")


def render(results: Sequence[FileResult], run: Run) -> str:
    return json.dumps(issues(results, fixing=run.fixing), indent=2, ensure_ascii=False) + "\n"


def severity(f: Finding) -> str:
    """An unused suppression is information; a fix the doc does not prescribe (unsafe) is a
    review, minor; every other finding is a payload the migration must change, major."""
    if f.code.startswith("DR3"):
        return "info"
    if f.fix == "unsafe":
        return "minor"
    return "major"


def repo_path(path: str) -> str:
    """`path` as GitLab names files: relative to the working directory (the job runs in the
    repository's root), `/`-separated, without a leading `./`."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()
    return relative


def issues(results: Sequence[FileResult], *, fixing: bool = False) -> list[dict[str, Any]]:
    from drmigrate.report.baseline import fingerprint, normalize
    from drmigrate.report.codeframe import source_of

    out: list[dict[str, Any]] = []
    seen: Counter[str] = Counter()
    for r in results:
        path = printable(repo_path(r.path))
        if r.status == "error":
            out.append(_issue(f"{r.path} could not be analysed: {r.reason}", "drmigrate/error", "critical",
                              path, 1, _unique(seen, "\0".join(("error", path, normalize(r.reason))))))
            continue
        text = source_of(r, fixing=fixing)
        for f in r.findings:
            description = f"{f.code} {f.message}"
            key = _unique(seen, fingerprint(f, path, text))
            out.append(_issue(description, f"drmigrate/{f.code}/{f.name}", severity(f), path, max(f.line, 1), key,
                              end=max(f.end_line, f.line, 1)))
    return out


def _unique(seen: Counter[str], base: str) -> str:
    seen[base] += 1
    return hashlib.sha256(f"{base}\0{seen[base]}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _issue(description: str, check: str, level: str, path: str, line: int, key: str,
           end: int | None = None) -> dict[str, Any]:
    lines = {"begin": line} if end is None or end == line else {"begin": line, "end": end}
    return {"description": printable(description), "check_name": printable(check), "fingerprint": key,
            "severity": level, "location": {"path": path, "lines": lines}}
