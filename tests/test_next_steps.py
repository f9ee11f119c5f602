"""What is left after a run: the text report's closing section, and the same as data (JSON
`next_steps`, SARIF `run.properties`, `report merge`, the HTML page)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drmigrate.cli import main

LEGACY = "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});\n"
CARD = "digitalriver.createSource(cardNumber, {type: 'creditCard', amount: 10, owner: owner});\n"
FROM_PARAMETER = "function pay(payload) { return digitalriver.createSource(payload); }\n"
SERVER = ("On the server: create the checkout and pass its `payment.session.id` to the page "
          "(`paymentSessionId` before API version 2021-03-23); see "
          "https://docs.digitalriver.com/digital-river-api/payments/payment-sessions")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--no-cache"] if args[0] in ("check", "fix") else list(args))
    return result.exit_code, result.stdout


def section(out: str) -> list[str]:
    """The lines of the closing section (empty when there is none)."""
    lines = out.rstrip("\n").split("\n")
    if "What is left:" not in lines:
        return []
    start = lines.index("What is left:")
    end = lines.index("", start)
    return lines[start + 1:end]


@pytest.fixture()
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text(LEGACY, "utf-8")
    (tmp_path / "js" / "b.js").write_text(LEGACY + LEGACY, "utf-8")
    (tmp_path / "js" / "card.js").write_text(CARD, "utf-8")
    (tmp_path / "js" / "pay.js").write_text(FROM_PARAMETER, "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def steps(*args: str) -> list[dict[str, Any]]:
    _, out = run(*args, "--format", "json", ".")
    found: list[dict[str, Any]] = json.loads(out)["next_steps"]
    return found


def test_check_lists_the_fixes_the_decisions_the_reviews_and_the_server_step(shop: Path) -> None:
    code, out = run("check", ".")
    assert code == 1
    assert section(out) == [
        ("  - Run `drmigrate fix --session-id EXPR`: it applies 10 fixes in 3 files (EXPR: the page's payment "
        "session id; without it, a placeholder to wire later)."),
        "  - Decide on 1 unsafe fix (DR120) at js/card.js:1; `drmigrate fix --unsafe-fixes` applies it.",
        "  - Review by hand: 1 unresolved-payload (DR200) at js/pay.js:1; `drmigrate explain DR200` says what to do.",
        f"  - {SERVER}",
    ]
    assert out.rstrip("\n").split("\n")[-1].startswith("Found 12 findings in 4 files")  # the summary stays last
    data = steps("check")
    assert [(s["kind"], s["count"], s["files"]) for s in data] == [
        ("fix", 10, 3), ("unsafe-fixes", 1, 1), ("manual-review", 1, 1), ("server", 5, 4)]
    assert data[2]["code"] == "DR200" and data[2]["name"] == "unresolved-payload"
    assert data[2]["locations"] == [{"path": "js/pay.js", "line": 1, "column": 32}]
    assert [s["message"] for s in data] == [line.removeprefix("  - ") for line in section(out)]


def test_after_fix_without_session_id_the_placeholders_to_wire_and_where(shop: Path) -> None:
    code, out = run("fix", ".")
    assert code == 1
    left = section(out)
    assert left[0] == ("  - Wire the session id: 4 placeholders in 3 files at js/a.js:1, js/b.js:1, js/b.js:2 "
                       "and 1 more; `drmigrate fix --session-id EXPR` replaces them.")
    assert left[-1] == f"  - {SERVER}"
    wire = steps("check")[0]
    assert wire["kind"] == "wire-session-id" and wire["count"] == 4
    assert [(w["path"], w["line"]) for w in wire["locations"]] == [
        ("js/a.js", 1), ("js/b.js", 1), ("js/b.js", 2), ("js/card.js", 1)]


def test_a_fix_that_leaves_nothing_still_names_the_server_step_then_check_says_complete(shop: Path) -> None:
    (shop / "js" / "pay.js").unlink()
    code, out = run("fix", "--session-id", "checkout.payment.session.id", "--unsafe-fixes", ".")
    assert code == 0
    assert section(out) == [f"  - {SERVER}"]
    code, out = run("check", ".")
    assert code == 0 and section(out) == []
    assert out == ("Migration complete for the files checked: 4 payload sites use payment sessions.\n\n"
                   "All checks passed (3 files).\n")
    assert steps("check") == []


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("--select", "DR101"), id="select"),
        pytest.param(("--ignore", "DR100"), id="ignore"),
    ],
)
def test_no_complete_line_when_only_some_codes_were_checked(shop: Path, args: tuple[str, ...]) -> None:
    (shop / "js" / "pay.js").unlink()
    (shop / "js" / "card.js").unlink()
    run("fix", "--select", "DR101", ".")  # amount and currency go, no sessionId yet
    code, out = run("check", *args, ".")
    assert code == 0 and "Migration complete" not in out and section(out) == []


def test_no_section_for_code_without_payloads(tmp_path: Path) -> None:
    (tmp_path / "util.js").write_text("export const x = 1;\n", "utf-8")
    (tmp_path / "stripe.js").write_text("stripe.createSource({type: 'card'});\n", "utf-8")
    code, out = run("check", str(tmp_path))
    assert code == 0 and out == "All checks passed (2 files).\n"
    code, out = run("fix", str(tmp_path))
    assert code == 0 and out == "No fixes applied; nothing remains.\n"


def test_quiet_hides_it_and_concise_keeps_one_line(shop: Path) -> None:
    _, out = run("check", "--quiet", ".")
    assert "What is left" not in out and "Migration complete" not in out
    _, out = run("check", "--format", "concise", ".")
    assert ("What is left: 10 fixes to apply; 1 unsafe to decide; 1 DR200 to review; the server step "
            "(payment.session.id, https://docs.digitalriver.com/digital-river-api/payments/payment-sessions).\n"
            ) in out
    assert out.count("What is left") == 1


def test_sarif_and_html_carry_it(shop: Path) -> None:
    _, out = run("check", "--format", "sarif", ".")
    assert json.loads(out)["runs"][0]["properties"]["next_steps"] == steps("check")
    _, page = run("check", "--format", "html", ".")
    assert '<section id="left"><h2>What is left</h2>' in page
    assert ('<li class="step-manual-review">Review by hand: 1 unresolved-payload (DR200) at js/pay.js:1; '
            "<code>drmigrate explain DR200</code> says what to do.</li>") in page


def test_report_merge_sums_the_steps_of_each_repository(shop: Path, tmp_path: Path) -> None:
    reports = []
    for name in ("shop-a", "shop-b"):
        _, out = run("check", "--format", "json", "--repository", name, ".")
        reports.append(tmp_path / f"{name}.json")
        reports[-1].write_text(out, "utf-8")
    (tmp_path / "old.json").write_text(json.dumps({**json.loads(out), "repository": "old", "next_steps": None}))
    code, merged = run("report", "merge", "--format", "json", *map(str, reports), str(tmp_path / "old.json"))
    assert code == 0
    doc = json.loads(merged)
    assert [(s["kind"], s["count"], s["files"]) for s in doc["next_steps"]] == [
        ("fix", 20, 6), ("unsafe-fixes", 2, 2), ("manual-review", 2, 2), ("server", 10, 8)]
    review = doc["next_steps"][2]
    assert [loc["repository"] for loc in review["locations"]] == ["shop-a", "shop-b"]
    assert review["message"].startswith("Review by hand: 2 unresolved-payload (DR200) at shop-a: js/pay.js:1, "
                                        "shop-b: js/pay.js:1;")
    assert [r["next_steps"] for r in doc["repositories"]][2] == []  # a report that has none
    again = tmp_path / "merged.json"
    again.write_text(merged, "utf-8")
    _, twice = run("report", "merge", "--format", "json", str(again))
    assert json.loads(twice)["next_steps"] == doc["next_steps"]  # a merged report merges again
    _, text = run("report", "merge", *map(str, reports))
    assert "What is left:\n  - Run `drmigrate fix --session-id EXPR`: it applies 20 fixes in 6 files" in text


def test_wiring_the_placeholders_later_leaves_only_the_server_step(shop: Path) -> None:
    (shop / "js" / "pay.js").unlink()
    (shop / "js" / "card.js").unlink()
    run("fix", ".")
    code, out = run("fix", "--session-id", "checkout.payment.session.id", ".")
    assert code == 0 and section(out) == [f"  - {SERVER}"]
    assert "DRMIGRATE_TODO_SESSION_ID" not in (shop / "js" / "b.js").read_text("utf-8")
    code, out = run("check", ".")
    assert code == 0 and out.startswith("Migration complete for the files checked: 3 payload sites")
