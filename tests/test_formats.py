"""Report formats: SARIF (validated against the official 2.1.0 schema), GitHub, JUnit, JSON, text;
--output-file, --statistics, and output that does not depend on --jobs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from drmigrate.cli import main
from drmigrate.pipeline import PARALLEL_MIN_BYTES

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
LEGACY = "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});\n"
MIGRATED = "digitalriver.createSource({type: 'payco', sessionId: sid, payco: {}});\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "pay.js").write_text(LEGACY, "utf-8")
    (tmp_path / "js" / "done.js").write_text(MIGRATED, "utf-8")
    (tmp_path / "js" / "broken.js").write_text("digitalriver.createSource({type: 'payPal' amount: 1});\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_sarif_is_valid_with_rules_locations_and_fixes(repo: Path) -> None:
    code, out, _ = run("check", "--format", "sarif", "js")
    assert code == 2  # broken.js
    doc = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    run_ = doc["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert rules["DR101"]["helpUri"].startswith("https://") and rules["DR101"]["help"]["markdown"]
    results = run_["results"]
    assert [r["ruleId"] for r in results] == ["DR100", "DR101", "DR101"]
    loc = results[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "js/pay.js", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["startLine"] == 1 and loc["region"]["startColumn"] == 28
    fix = next(r["fixes"][0] for r in results if "fixes" in r)
    replacement = fix["artifactChanges"][0]["replacements"][0]
    original = LEGACY
    start = replacement["deletedRegion"]["charOffset"]
    end = start + replacement["deletedRegion"]["charLength"]
    fixed = original[:start] + replacement["insertedContent"]["text"] + original[end:]
    assert "sessionId" in fixed and "amount" not in fixed
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert run_["invocations"][0]["executionSuccessful"] is False and "broken.js" in notes[0]["message"]["text"]
    assert (repo / "js" / "pay.js").read_text("utf-8") == LEGACY


def test_github_annotations(repo: Path) -> None:
    _code, out, _ = run("check", "--format", "github", "js")
    lines = out.splitlines()
    assert "::error file=js/broken.js,title=drmigrate::cannot parse" in lines[0]
    assert lines[1].startswith("::warning file=js/pay.js,line=1,col=28,endLine=1,endColumn=")
    assert ",title=drmigrate DR100 (missing-session-id)::`wireTransfer` payload" in lines[1]


def test_junit(repo: Path) -> None:
    _code, out, _ = run("check", "--format", "junit", "js")
    root = ET.fromstring(out)
    assert root.attrib["failures"] == "3" and root.attrib["errors"] == "1"
    assert {s.attrib["name"] for s in root} == {"js/pay.js", "js/done.js", "js/broken.js"}


def test_json_has_statistics_and_migration_status(repo: Path) -> None:
    _code, out, _ = run("check", "--format", "json", "js")
    doc = json.loads(out)
    assert doc["statistics"]["by_code"] == {"DR100": 1, "DR101": 2}
    assert doc["migration_status"] == {
        "payco": {"migrated": 1, "remaining": 0, "manual": 0, "suppressed": 0},
        "wireTransfer": {"migrated": 0, "remaining": 1, "manual": 0, "suppressed": 0},
    }


def test_statistics_text(repo: Path) -> None:
    _code, out, _ = run("check", "--statistics", "js")
    assert "Findings by code:" in out and "DR101  legacy-amount-currency" in out
    assert "Migration status (call sites):" in out
    status = out.split("Migration status (call sites):\n", 1)[1].split("\n\n")[0].splitlines()
    assert status[1].split() == ["payco", "1", "0", "0", "0"]
    assert status[-1].split() == ["total", "1", "1", "0", "0"]
    # the tables replace the list of findings; the closing summary follows them
    assert "js/pay.js:1:28" not in out
    assert out.rstrip().splitlines()[-1].startswith("Found 3 findings in 1 file")


def test_output_file_keeps_stdout_clean(repo: Path) -> None:
    code, out, _err = run("check", "--format", "sarif", "--output-file", "report.sarif", "js")
    assert code == 2 and out == ""
    jsonschema.Draft4Validator(SCHEMA).validate(json.loads((repo / "report.sarif").read_text("utf-8")))


def test_no_colour_off_a_terminal(repo: Path) -> None:
    _code, out, _ = run("check", "js")
    assert "\x1b[" not in out
    result = CliRunner().invoke(main, ["check", "js"], color=True)
    assert "\x1b[" in result.stdout
    result = CliRunner().invoke(main, ["check", "--no-color", "js"], color=True)
    assert "\x1b[" not in result.stdout


def test_output_identical_whatever_jobs(tmp_path: Path) -> None:
    """Enough candidate text to start worker processes; real subprocesses, both fix and check."""
    padding = "".join(f"var pad{n} = {n};\n" for n in range(PARALLEL_MIN_BYTES // (16 * 16)))
    for i in range(32):  # 32 files of PARALLEL_MIN_BYTES / 16 each: the pool starts half way
        body = LEGACY if i % 3 else MIGRATED
        (tmp_path / f"f{i:02}.js").write_text(body + f"var n{i} = {i};\n" + padding, "utf-8")
    (tmp_path / "broken.js").write_text("digitalriver.createSource({type: 'payPal' amount: 1});\n", "utf-8")
    outputs = []
    for jobs in ("1", "2"):
        for fmt in ("text", "json", "sarif"):
            # --no-cache: every run analyses, so the second set really goes through the workers
            done = subprocess.run([sys.executable, "-m", "drmigrate.cli", "check", "--no-cache", "--jobs", jobs,
                                   "--format", fmt, "--statistics", "."], cwd=tmp_path, capture_output=True,
                                  env=_env(), check=False)
            assert done.returncode == 2, done.stderr
            outputs.append(done.stdout)
    assert outputs[:3] == outputs[3:]


def _env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
