"""The command line, through click's CliRunner on real files in temporary directories."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from drmigrate.cli import main
from tests.fixturelib import FIXTURES, ROOT

LEGACY = "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});\n"


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "pay.js").write_text(LEGACY, "utf-8")
    (tmp_path / "src" / "util.js").write_text("export const x = 1;\n", "utf-8")
    return tmp_path


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_check_reports_and_exits_1(repo: Path) -> None:
    code, out, _ = run("check", str(repo))
    assert code == 1
    assert f"{repo / 'src' / 'pay.js'}:1:28: DR100 [*]" in out
    assert "Found 3 findings in 1 file (3 fixable with `drmigrate fix`)." in out
    assert (repo / "src" / "pay.js").read_text("utf-8") == LEGACY  # check never writes


def test_default_command_checks_current_directory(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    code, out, _ = run()
    assert code == 1
    assert "src/pay.js:1:28: DR100" in out


def test_fix_writes_then_check_is_clean(repo: Path) -> None:
    code, out, _ = run("fix", "--session-id", "session.id", str(repo))
    assert code == 0, out  # nothing remains after fixing
    assert "Fixed 3 findings in 1 file; nothing remains." in out
    fixed = (repo / "src" / "pay.js").read_text("utf-8")
    assert fixed == "digitalriver.createSource({type: 'wireTransfer', sessionId: session.id, wireTransfer: {}});\n"
    code, out, _ = run("check", str(repo))
    assert code == 0, out
    assert "All checks passed" in out


def test_fix_without_session_id_keeps_check_red(repo: Path) -> None:
    run("fix", str(repo))
    code, out, _ = run("check", str(repo))
    assert code == 1
    assert "DR110" in out


def test_diff_writes_nothing(repo: Path) -> None:
    code, out, err = run("check", "--diff", str(repo))
    assert code == 1
    assert out.startswith("---") and "+digitalriver.createSource({type: 'wireTransfer', sessionId:" in out
    assert "DR101" in err
    assert (repo / "src" / "pay.js").read_text("utf-8") == LEGACY
    code, out, _ = run("fix", "--diff", str(repo))
    assert (repo / "src" / "pay.js").read_text("utf-8") == LEGACY


def test_stdin_fix_prints_source(repo: Path) -> None:
    code, out, _err = run("fix", "-", "--stdin-filename", "pay.js", "--session-id", "sid", input=LEGACY)
    assert out == "digitalriver.createSource({type: 'wireTransfer', sessionId: sid, wireTransfer: {}});\n"
    code, out, _ = run("check", "-", "--stdin-filename", "web/pay.js", input=LEGACY)
    assert code == 1 and "web/pay.js:1:28: DR100" in out


def test_json_format(repo: Path) -> None:
    _code, out, _ = run("check", "--format", "json", str(repo))
    doc = json.loads(out)
    assert doc["version"] == 1
    statuses = {Path(f["path"]).name: f["status"] for f in doc["files"]}
    assert statuses == {"pay.js": "findings", "util.js": "clean"}
    first = doc["findings"][0]
    assert set(first) >= {"path", "line", "column", "end_line", "end_column", "code", "name", "message",
                          "source_type", "fix"}
    assert [f["code"] for f in doc["findings"]] == ["DR100", "DR101", "DR101"]
    assert first["source_type"] == "wireTransfer" and first["fix"] == "safe"


def test_select_and_ignore(repo: Path) -> None:
    code, out, _ = run("check", "--select", "DR101", str(repo))
    assert "DR100" not in out and out.count("DR101") == 2
    code, out, _ = run("check", "--ignore", "DR1", str(repo))
    assert code == 0
    code, _, err = run("check", "--select", "DR999", str(repo))
    assert code == 2 and "unknown rule code DR999" in err


def test_select_limits_fixes(repo: Path) -> None:
    run("fix", "--select", "DR101", str(repo))
    text = (repo / "src" / "pay.js").read_text("utf-8")
    assert "amount" not in text and "sessionId" not in text


@pytest.mark.parametrize("expr", ["a b", "})", "x; y", ""])
def test_bad_session_id_is_exit_2(repo: Path, expr: str) -> None:
    code, _, _err = run("fix", "--session-id", expr, str(repo))
    assert code == 2
    assert (repo / "src" / "pay.js").read_text("utf-8") == LEGACY


def test_invalid_rule_file_exit_2(repo: Path, tmp_path: Path) -> None:
    table = json.loads((ROOT / "rules" / "rules.json").read_text("utf-8"))
    table["codes"][2]["fix_safety"] = "sometimes"
    bad = tmp_path / "rules.json"
    bad.write_text(json.dumps(table), "utf-8")
    code, _, err = run("check", "--rules", str(bad), str(repo))
    assert code == 2
    assert "codes[2](DR102).fix_safety" in err and str(bad) in err
    assert "Traceback" not in err


def test_parse_error_is_reported_and_other_files_processed(repo: Path) -> None:
    (repo / "src" / "broken.js").write_text("digitalriver.createSource({type: 'payPal' amount: 1});\n", "utf-8")
    code, out, _ = run("check", str(repo))
    assert code == 2
    assert "broken.js: error: cannot parse" in out
    assert "pay.js:1:28: DR100" in out


def test_missing_path_exit_2(repo: Path) -> None:
    code, out, _ = run("check", str(repo / "nope"))
    assert code == 2 and "no such file or directory" in out


def test_ordinary_javascript_reports_nothing(tmp_path: Path) -> None:
    for case in ("ordinary-code", "stripe", "local-function", "commented-out", "rest-customer-credit"):
        shutil.copy(FIXTURES / "lookalikes" / case / "before.js", tmp_path / f"{case}.js")
    code, out, _ = run("check", str(tmp_path))
    assert code == 0, out
    assert out == "All checks passed (5 files).\n"


def test_rules_and_explain() -> None:
    code, out, _ = run("rules")
    assert code == 0 and "payPalBilling" in out and "DR202" in out
    code, out, _ = run("explain", "DR101")
    assert code == 0
    for section in ("Why", "Fix", "Doc", "before:", "after:"):
        assert section in out
    code, out, _ = run("explain", "payPalCredit")
    assert "payPal or payPalCredit" in out
    code, _, err = run("explain", "DR999")
    assert code == 2 and "unknown code" in err


def test_bundles_skipped_unless_included(tmp_path: Path) -> None:
    (tmp_path / "app.min.js").write_text("var a=1;" + LEGACY, "utf-8")
    code, out, _ = run("check", str(tmp_path))
    assert code == 2  # the named directory holds nothing that was checked (see test_nothing_checked_*)
    assert "app.min.js: skipped: minified or bundled" in out
    assert "fix the source, not the build output (--include-minified checks it anyway)" in out
    (tmp_path / "checkout.js").write_text("var total = 1;\n", "utf-8")
    code, out, _ = run("check", str(tmp_path))
    assert code == 0 and "All checks passed (1 file). 1 file skipped" in out
    code, out, _ = run("check", "--include-minified", str(tmp_path))
    assert code == 1 and "app.min.js:1:36: DR100" in out


def test_template_extensions_setting(tmp_path: Path) -> None:
    page = "<script>\n" + LEGACY + "</script>\n"
    (tmp_path / "page.vm").write_text(page, "utf-8")
    code, out, _ = run("check", str(tmp_path))
    assert code == 2  # .vm is not read by default: listed, and nothing else was checked
    assert ('page.vm: skipped: a .vm file that mentions createSource is not read; add ".vm" to '
            "template-extensions to check its <script> blocks") in out
    (tmp_path / ".drmigrate.toml").write_text('template-extensions = ["vm"]\n', "utf-8")
    code, out, _ = run("check", str(tmp_path))
    assert code == 1 and "page.vm:2:28: DR100" in out


def test_receiver_names(tmp_path: Path) -> None:
    src = "gateway.createSource({type: 'wireTransfer', amount: 1, wireTransfer: {}});\n"
    (tmp_path / "pay.js").write_text(src, "utf-8")
    code, out, _ = run("check", "--format", "json", str(tmp_path))
    assert code == 1 and {f["confidence"] for f in json.loads(out)["findings"]} == {"low"}
    code, out, _ = run("check", "--format", "json", "--receiver", "gateway", str(tmp_path))
    assert code == 1 and {f["confidence"] for f in json.loads(out)["findings"]} == {"high"}
