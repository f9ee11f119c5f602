"""`drmigrate report merge`: JSON reports of several repositories combined into one status, read
generically (a newer report with more states, codes or call kinds still merges), and bad inputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from drmigrate.cli import main
from tests.fixturelib import ROOT

EXAMPLE = ROOT / "examples" / "checkout"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture()
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two storefronts as two CI jobs would report them; shop-b has migrated its Klarna payload."""
    for name in ("shop-a", "shop-b"):
        shutil.copytree(EXAMPLE, tmp_path / name)
    monkeypatch.chdir(tmp_path / "shop-b")
    assert invoke("fix", "--session-id", "checkout.session.id", "js/klarna.js").exit_code == 0
    monkeypatch.chdir(tmp_path / "shop-a")
    assert invoke("check", "--format", "json", "--repository", "shop-a", "-o", "../a.json", ".").exit_code == 1
    monkeypatch.chdir(tmp_path / "shop-b")
    # no --repository: the report is named after its file
    assert invoke("check", "--format", "json", "-o", "../shop-b.json", ".").exit_code == 1
    monkeypatch.chdir(tmp_path)
    return tmp_path


def merged(*files: str) -> dict[str, Any]:
    result = invoke("report", "merge", *files, "--format", "json")
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_merge_json(reports: Path) -> None:
    doc = merged("a.json", "shop-b.json")
    assert [r["name"] for r in doc["repositories"]] == ["shop-a", "shop-b"]
    assert doc["migration_status"] == {
        "creditCard": {"migrated": 0, "remaining": 2, "manual": 0, "suppressed": 0},
        "klarnaCredit": {"migrated": 1, "remaining": 1, "manual": 0, "suppressed": 0},
        "payPal": {"migrated": 0, "remaining": 2, "manual": 0, "suppressed": 0},
    }
    assert doc["summary"]["findings"] == 20 and doc["summary"]["fixable"] == 20
    assert doc["statistics"]["by_code"] == {"DR100": 5, "DR101": 6, "DR102": 9}
    assert {(f["repository"], f["path"]) for f in doc["findings"]} == {
        ("shop-a", "js/checkout.js"), ("shop-a", "js/klarna.js"), ("shop-b", "js/checkout.js")}
    assert all(f["repository"] in ("shop-a", "shop-b") for f in doc["files"])
    assert doc["findings"][0]["frame"]  # frames travel with the findings


def test_merge_text(reports: Path) -> None:
    result = invoke("report", "merge", "a.json", "shop-b.json")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == ("Migration status of 2 repositories: payload sites by state, then findings (all, "
                        "fixable, fixable with --unsafe-fixes, manual):")
    assert lines[2].split() == ["shop-a", "0", "3", "0", "0", "13", "13", "0", "0"]
    assert lines[3].split() == ["shop-b", "1", "2", "0", "0", "7", "7", "0", "0"]
    assert lines[4].split() == ["total", "1", "5", "0", "0", "20", "20", "0", "0"]
    assert "  klarnaCredit" in result.stdout
    assert lines[-1] == ("2 repositories: 1 of 6 payload sites migrated; 20 findings (20 fixable, "
                         "0 with --unsafe-fixes, 0 manual).")


def test_merging_is_associative(reports: Path) -> None:
    shutil.copy(reports / "a.json", reports / "shop-c.json")
    doc = json.loads((reports / "shop-c.json").read_text("utf-8"))
    doc["repository"] = None  # named after the file: shop-c
    (reports / "shop-c.json").write_text(json.dumps(doc), "utf-8")
    (reports / "ab.json").write_text(invoke("report", "merge", "a.json", "shop-b.json", "--format", "json").stdout,
                                     "utf-8")
    at_once = merged("a.json", "shop-b.json", "shop-c.json")
    in_steps = merged("ab.json", "shop-c.json")
    for key in ("summary", "migration_status", "statistics", "findings", "files"):
        assert in_steps[key] == at_once[key], key
    assert [r["name"] for r in in_steps["repositories"]] == ["shop-a", "shop-b", "shop-c"]


def test_newer_report_with_call_kinds_and_unknown_states(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11's `calls` table, a state and a code drmigrate does not know today: merged and shown."""
    monkeypatch.chdir(tmp_path)
    newer = {
        "version": 1, "repository": "shop-new", "mode": "check",
        "files": [{"path": "js/dropin.js", "status": "findings", "sites": {"remaining": 1, "refused": 1}}],
        "findings": [{"path": "js/dropin.js", "line": 3, "column": 5, "code": "DR203", "name": "fix-refused",
                      "message": "the fix was refused", "source_type": "payPal", "fix": "none"}],
        "migration_status": {"payPal": {"remaining": 1, "refused": 1}},
        "calls": {"createDropin": {"checkout": {"remaining": 1}},
                  "createSource": {"payPal": {"refused": 1}}},
    }
    older = {"version": 1, "files": [], "findings": [], "migration_status": {"payPal": {"migrated": 2}}}
    (tmp_path / "new.json").write_text(json.dumps(newer), "utf-8")
    (tmp_path / "old.json").write_text(json.dumps(older), "utf-8")
    doc = merged("new.json", "old.json")
    assert doc["migration_status"]["payPal"] == {"remaining": 1, "refused": 1, "migrated": 2}
    assert doc["calls"] == newer["calls"]
    assert doc["summary"]["manual"] == 1  # derived from the finding's fix fields
    text = invoke("report", "merge", "new.json", "old.json").stdout
    assert "`createDropin` payload sites by payment method:" in text and "refused" in text
    page = invoke("report", "merge", "new.json", "old.json", "--format", "html").stdout
    assert "<code>createDropin</code>" in page and "s-refused" in page and "DR203" in page


@pytest.mark.parametrize(("content", "message"), [
    pytest.param(None, "no such report; make it with `drmigrate check --format json --output-file", id="missing"),
    pytest.param("[1, 2", "not a drmigrate JSON report (invalid JSON", id="not-json"),
    pytest.param("[]", "not a drmigrate JSON report (not an object)", id="not-object"),
    pytest.param('{"version": 2, "files": [], "findings": []}', "of version 1 (version 2)", id="version"),
    pytest.param('{"version": 1, "files": {}, "findings": []}', "`files` must be a list of objects", id="files"),
    pytest.param('<?xml version="1.0"?><sarif/>', "invalid JSON", id="xml"),
])
def test_bad_report_is_one_line_exit_2(reports: Path, content: str | None, message: str) -> None:
    if content is not None:
        (reports / "bad.json").write_text(content, "utf-8")
    result = invoke("report", "merge", "a.json", "bad.json")
    assert result.exit_code == 2
    assert message in result.stderr and "bad.json" in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_two_reports_for_one_repository(reports: Path) -> None:
    result = invoke("report", "merge", "a.json", "a.json")
    assert result.exit_code == 2
    assert "repository 'shop-a' is also in a.json" in result.stderr and "--repository NAME" in result.stderr


def test_merge_to_a_file(reports: Path) -> None:
    result = invoke("report", "merge", "a.json", "shop-b.json", "--format", "html", "-o", "status.html")
    assert result.exit_code == 0 and result.stdout == ""
    assert (reports / "status.html").read_text("utf-8").startswith("<!DOCTYPE html>")
