"""`--format gitlab`: GitLab Code Quality JSON, validated against the fields GitLab documents
(tests/data/gitlab-codequality.schema.json, written from GitLab's page on the report format)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from drmigrate.cli import main
from tests.fixturelib import FIXTURES, ROOT

SCHEMA = json.loads((ROOT / "tests" / "data" / "gitlab-codequality.schema.json").read_text("utf-8"))
LEGACY = "digitalriver.createSource({type: 'payPal', amount: 1, currency: 'USD', payPal: {returnUrl: u}});\n"


def _report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[list[dict[str, Any]], int]:
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(main, ["check", "--no-cache", "--format", "gitlab", *args])
    issues = json.loads(done.stdout)
    jsonschema.validate(issues, SCHEMA)
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(fingerprints) == len(set(fingerprints)), "GitLab needs one fingerprint per issue"
    return issues, done.exit_code


def test_the_example_validates_with_one_issue_per_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "examples" / "checkout", tmp_path / "shop")
    issues, code = _report(tmp_path, monkeypatch, "shop")
    text = json.loads(CliRunner().invoke(main, ["check", "--no-cache", "--format", "json", "shop"]).stdout)
    assert code == 1
    assert len(issues) == len(text["findings"]) == 13
    assert {(i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues} == {
        (f["path"], f["line"]) for f in text["findings"]}
    first = issues[0]
    assert first["check_name"].startswith("drmigrate/DR") and first["severity"] == "major"
    assert first["description"].startswith(first["check_name"].split("/")[1] + " ")


def test_every_fixture_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "fx"
    for before in sorted(FIXTURES.glob("*/*/before.*")):
        target = tree / before.parent.parent.name / before.parent.name / before.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(before, target)
    issues, _ = _report(tmp_path, monkeypatch, "fx")
    assert len(issues) > 100
    assert {i["severity"] for i in issues} >= {"major", "minor"}
    assert not any(i["location"]["path"].startswith(("./", "/")) for i in issues)


def test_fingerprints_survive_moves_and_count_twins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.js").write_text(LEGACY + LEGACY)
    before, _ = _report(tmp_path, monkeypatch, "a.js")
    assert len(before) == 6 and len({i["fingerprint"] for i in before}) == 6  # the twins are two issues
    (tmp_path / "a.js").write_text("// a comment\n\nvar x = 1;\n" + LEGACY + LEGACY)
    moved, _ = _report(tmp_path, monkeypatch, "a.js")
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in before]
    assert [i["location"]["lines"]["begin"] for i in moved] == [4, 4, 4, 5, 5, 5]
    (tmp_path / "a.js").write_text(LEGACY.replace("amount: 1", "amount: 2") + LEGACY)
    changed, _ = _report(tmp_path, monkeypatch, "a.js")
    # only the finding whose own text changed (`amount: 2`) is new; the missing sessionId and
    # `currency` of the same payload, and the twin, keep theirs
    assert len({i["fingerprint"] for i in changed} - {i["fingerprint"] for i in before}) == 1


def test_a_file_that_cannot_be_read_is_an_issue_not_a_gap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.js").write_text("digitalriver.createSource({type: 'payPal', amount: 1,,,);\n")
    issues, code = _report(tmp_path, monkeypatch, "bad.js")
    assert code == 2
    assert [(i["check_name"], i["severity"], i["location"]["path"]) for i in issues] == [
        ("drmigrate/error", "critical", "bad.js")]


def test_control_characters_in_names_are_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "evil\x1b]0;pwned\x07\u202e.js"
    (tmp_path / name).write_text(LEGACY)
    issues, _ = _report(tmp_path, monkeypatch, ".")
    assert issues and all(i["location"]["path"] == "evil\\x1b]0;pwned\\x07\\u202e.js" for i in issues)
    assert not any(ch in json.dumps(issues, ensure_ascii=False) for ch in "\x1b\x07\u202e")


def test_no_findings_is_an_empty_array(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ok.js").write_text("var x = 1;\n")
    issues, code = _report(tmp_path, monkeypatch, "ok.js")
    assert issues == [] and code == 0
