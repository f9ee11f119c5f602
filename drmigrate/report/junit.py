"""JUnit XML (`--format junit`), for CI systems that show test reports (GitLab, Jenkins)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from drmigrate.model import FileResult

if TYPE_CHECKING:
    from drmigrate.report import Run


def render(results: Sequence[FileResult], run: Run) -> str:
    return to_junit(results)


def to_junit(results: Sequence[FileResult]) -> str:
    """One test suite per file, one failing test case per finding (a clean file: one passing case)."""
    import xml.etree.ElementTree as ET

    suites = ET.Element("testsuites", name="drmigrate")
    totals = Counter[str]()
    for r in results:
        suite = ET.SubElement(suites, "testsuite", name=r.path)
        counts = Counter[str]()
        if r.status == "error":
            case = ET.SubElement(suite, "testcase", classname=r.path, name="analyse")
            ET.SubElement(case, "error", message=r.reason).text = r.reason
            counts["errors"] += 1
        elif r.status == "skipped":
            case = ET.SubElement(suite, "testcase", classname=r.path, name="analyse")
            ET.SubElement(case, "skipped", message=r.reason)
            counts["skipped"] += 1
        elif not r.findings:
            ET.SubElement(suite, "testcase", classname=r.path, name="no legacy payloads")
        for f in r.findings:
            case = ET.SubElement(suite, "testcase", classname=r.path, name=f"{f.code} line {f.line} column {f.column}")
            failure = ET.SubElement(case, "failure", message=f.message, type=f.code)
            failure.text = f"{r.path}:{f.line}:{f.column}: {f.code} {f.message}"
            counts["failures"] += 1
        counts["tests"] = len(suite)
        for key in ("tests", "failures", "errors", "skipped"):
            suite.set(key, str(counts[key]))
            totals[key] += counts[key]
    for key in ("tests", "failures", "errors", "skipped"):
        suites.set(key, str(totals[key]))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"

