"""The rule table: schema-valid, mirrors the doc's sentences, every code documented and exercised."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from drmigrate.rules import RuleTableError, bundled_table, load_table, parse_table
from tests.fixturelib import FIXTURES, ROOT

DOC = (Path(__file__).parent / "data" / "update-your-code.txt").read_text("utf-8")
RAW: dict[str, Any] = json.loads((ROOT / "rules" / "rules.json").read_text("utf-8"))


def test_table_validates_against_schema() -> None:
    schema = json.loads((ROOT / "rules" / "schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(RAW)


def test_bundled_table_is_the_validated_table() -> None:
    # bundled_table() skips the schema at run time (this suite is where it is validated): the
    # same data through the validating loader must give the same table
    table = bundled_table()
    assert parse_table(RAW, table.path) == table
    assert load_table(ROOT / "rules" / "rules.json").methods == table.methods


def test_one_entry_per_documented_type() -> None:
    table = bundled_table()
    assert set(table.methods) == {
        "creditCard", "payPal", "payPalBilling", "payPalCredit", "directDebit", "wireTransfer", "codJapan",
        "payco", "bankTransfer", "onlineBanking", "konbini", "klarnaCredit", "klarnaCreditRecurring", "bPay",
    }
    assert table.methods["bPay"].edition == "2022-02"
    assert table.methods["payPalBilling"].hashes == ("payPalBilling", "payPal")
    assert set(table.methods["payPalCredit"].hashes) == {"payPal", "payPalCredit"}


def _doc_sentences() -> dict[str, list[str]]:
    """'For <Title>, you add sessionId... and remove a, b, and c.' -> {title: [a, b, c]}."""
    out: dict[str, list[str]] = {}
    for title, rest in re.findall(r"^For (.+?), you add sessionId ?to the payload(.*)$", DOC, re.MULTILINE):
        if "do not remove" in rest:
            out[title] = []
            continue
        listed = rest.split("remove", 1)[1].rstrip(".")
        out[title] = [p.strip().removeprefix("and ").strip() for p in listed.split(",") if p.strip()]
        if len(out[title]) == 1 and " and " in out[title][0]:
            out[title] = [p.strip() for p in out[title][0].split(" and ")]
    return out


def test_table_mirrors_the_doc_sentences() -> None:
    sentences = _doc_sentences()
    table = bundled_table()
    by_title = {rule.title: rule for rule in table.methods.values()}
    assert len(sentences) == 13  # every 2024-04 section; bPay comes from the 2022-02 edition
    for title, fields in sentences.items():
        rule = by_title["Credit Card" if title == "credit cards" else title]
        assert [".".join(p) for p in rule.remove] == fields, title


def test_every_code_is_unique_documented_and_triggered() -> None:
    codes = [c["code"] for c in RAW["codes"]]
    assert len(codes) == len(set(codes))
    readme = (ROOT / "README.md").read_text("utf-8")
    triggered: set[str] = set()
    for expected in FIXTURES.glob("*/*/expected.json"):
        data = json.loads(expected.read_text("utf-8"))
        # a multi-file fixture (fixtures/project/) keeps its findings under "findings"
        triggered.update(f["code"] for f in (data["findings"] if isinstance(data, dict) else data))
    # DR203 (fix refused by the guard) is what a wrong edit triggers: no correct fixture can, so
    # tests/test_guard.py triggers it with edits that are wrong on purpose
    guard_tests = (ROOT / "tests" / "test_guard.py").read_text("utf-8")
    for code in codes:
        assert code in readme, f"{code} is not listed in the README"
        assert code in triggered or (code == "DR203" and '"DR203"' in guard_tests), f"no fixture triggers {code}"


def _broken(mutate: Any) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "named"),
    [
        pytest.param(lambda d: d["methods"][1].pop("hashes"), "methods[1](payPal)", id="missing-key"),
        pytest.param(lambda d: d["methods"][0].update(remove="amount"), "methods[0](creditCard).remove",
                     id="ill-typed"),
        pytest.param(lambda d: d["codes"][0].update(fix_safety="maybe"), "codes[0](DR100).fix_safety",
                     id="bad-enum"),
        pytest.param(lambda d: d["methods"][1].update(remove=["payPl.items"]), "payPl.items", id="bad-hash"),
        pytest.param(lambda d: d.update(extra=1), "extra", id="unknown-key"),
    ],
)
def test_invalid_table_names_the_key(mutate: Any, named: str) -> None:
    with pytest.raises(RuleTableError) as info:
        parse_table(_broken(mutate), "rules.json")
    assert named in str(info.value)
    assert "\n" not in str(info.value)


def test_unreadable_table(tmp_path: Path) -> None:
    bad = tmp_path / "rules.json"
    bad.write_text("{not json", "utf-8")
    with pytest.raises(RuleTableError, match="not valid JSON"):
        load_table(bad)
