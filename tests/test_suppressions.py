"""Suppression comments: which findings they cover, that they stop the fix, and unused ones (DR300)."""

from __future__ import annotations

import pytest

from drmigrate.runner import check_text, fix_text
from drmigrate.suppressions import Suppressions

CALL = "digitalriver.createSource({type: 'wireTransfer', amount: 1, wireTransfer: {}});"


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        pytest.param(f"{CALL}\n", ["DR100", "DR101"], id="none"),
        pytest.param(f"{CALL} // drmigrate-ignore\n", [], id="same-line"),
        pytest.param(f"// drmigrate-ignore\n{CALL}\n", [], id="line-before"),
        pytest.param(f"{CALL} // drmigrate-ignore: DR101 -- reason\n", ["DR100"], id="one-code"),
        pytest.param(f"{CALL} /* drmigrate-ignore: DR1 */\n", [], id="prefix-block-comment"),
        pytest.param(f"var a = 1; // drmigrate-ignore\n{CALL}\n", ["DR300", "DR100", "DR101"],
                     id="trailing-comment-covers-only-its-line"),
        pytest.param(f"// drmigrate-ignore-file\n\n\n{CALL}\n", [], id="file"),
        pytest.param(f"{CALL} // drmigrate-ignore: DR110\n", ["DR100", "DR101", "DR300"], id="unused-code"),
        pytest.param("\n" * 12 + f"// drmigrate-ignore-file\n{CALL}\n", ["DR300", "DR100", "DR101"],
                     id="file-directive-too-low"),
        pytest.param(f"{CALL} // drmigrate-ignored\n", ["DR100", "DR101"], id="not-a-directive"),
    ],
)
def test_covered_codes(text: str, codes: list[str]) -> None:
    assert [f.code for f in check_text(text)] == codes


def test_suppressed_finding_is_not_fixed() -> None:
    text = f"{CALL} // drmigrate-ignore: DR101\n"
    assert fix_text(text) == text.replace("'wireTransfer', amount", "'wireTransfer', sessionId: "
                                          "'DRMIGRATE_TODO_SESSION_ID', amount")
    assert fix_text(f"{CALL} // drmigrate-ignore\n") == f"{CALL} // drmigrate-ignore\n"


def test_comment_syntaxes() -> None:
    text = "# drmigrate-ignore\n<!-- drmigrate-ignore: DR101 -->\n{# drmigrate-ignore: DR100,DR102 -- why #}\n"
    found = Suppressions(text).directives
    assert [(d.line, d.codes, d.reason) for d in found] == [
        (1, (), ""), (2, ("DR101",), ""), (3, ("DR100", "DR102"), "why")]


def test_unused_reported_only_for_selected_codes() -> None:
    from dataclasses import replace

    from drmigrate.runner import make_config

    text = f"{CALL} // drmigrate-ignore: DR110\n"
    config = make_config()
    quiet = replace(config, options=replace(config.options, ignore=("DR110",)))
    assert "DR300" not in [f.code for f in check_text(text, config=quiet)]
