"""`check --add-noqa` / `--add-suppressions`: a directive with a reason for every remaining
finding, in the comment syntax of the place; idempotent; refused where no comment can stand; and
only comments added (judged by other tokenizers than the guard's: esprima's token stream,
Python's `tokenize`)."""

from __future__ import annotations

import io
import json
import shutil
import tokenize
from pathlib import Path

import esprima
import pytest
from click.testing import CliRunner, Result

from drmigrate.cli import main
from tests.fixturelib import FIXTURES, ROOT

REASON = "accepted with drmigrate check --add-noqa"


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, ["check", "--no-cache", *args])


def _js_tokens(text: str) -> list[tuple[str, str]]:
    """esprima's token stream (no comments); for the modern syntax it cannot read, tree-sitter's
    leaves without the comments."""
    try:
        return [(t.type, t.value) for t in esprima.tokenize(text, {"jsx": True})]
    except esprima.Error:
        import tree_sitter_javascript
        from tree_sitter import Language, Parser

        data = text.encode()
        root = Parser(Language(tree_sitter_javascript.language())).parse(data).root_node
        out, stack = [], [root]
        while stack:
            node = stack.pop()
            if node.child_count == 0 and node.type != "comment":
                out.append((node.type, data[node.start_byte:node.end_byte].decode()))
            stack.extend(reversed(node.children))
        return out


def _py_tokens(text: str) -> list[tuple[int, str]]:
    return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type not in (tokenize.COMMENT, tokenize.NL)]


def _tree(tmp_path: Path) -> dict[Path, str]:
    tree = tmp_path / "fx"
    for before in sorted(FIXTURES.glob("*/*/before.*")):
        target = tree / before.parent.parent.name / before.parent.name / before.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(before, target)
    return {p: p.read_text("utf-8") for p in tree.rglob("before.*")}


def test_round_trip_on_every_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After it, the only findings left are the ones it named as refused and the unused
    suppressions (DR300: remove them, never suppress them); a second run adds nothing; and no
    token of any JavaScript or Python file changed."""
    originals = _tree(tmp_path)
    first = _run(tmp_path, monkeypatch, "--add-noqa", "fx")
    assert first.exit_code == 1, first.output  # two DR204 inside PHP heredocs cannot have one
    refused = [line for line in first.stderr.splitlines() if ": not suppressed: line " in line]
    assert len(refused) == 2 and all("before.php" in line and "inside a string" in line for line in refused)
    assert "3 unused suppressions (DR300) got no comment: remove them." in first.stdout
    after = _run(tmp_path, monkeypatch, "--format", "json", "fx")
    left = json.loads(after.stdout)["findings"]
    # the fixture's own three; none of the comments it wrote is unused
    assert sorted(f["code"] for f in left) == ["DR204", "DR204"] + ["DR300"] * 3
    second = _run(tmp_path, monkeypatch, "--add-noqa", "fx")
    assert "No suppression comments added." in second.stdout
    changed = 0
    for path, before in originals.items():
        now = path.read_text("utf-8")
        if now == before:
            continue
        changed += 1
        assert "drmigrate-ignore" in now
        def others(text: str) -> str:
            return "".join(line for line in text.splitlines(keepends=True) if "drmigrate-ignore" not in line)

        assert others(now) == others(before), path  # every other byte is as it was (directives above
        # a line that has more findings get the codes added)
        if path.suffix in (".js", ".mjs", ".cjs"):
            assert _js_tokens(now) == _js_tokens(before), path
        elif path.suffix == ".py":
            assert _py_tokens(now) == _py_tokens(before), path
    assert changed > 100


def test_round_trip_on_the_readme_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "examples" / "checkout", tmp_path / "shop")
    (tmp_path / "shop" / "js" / "card.js").write_text(
        "digitalriver.createSource(cardNumber, {type: 'creditCard', amount: 10, owner: owner});\n", "utf-8")
    (tmp_path / "shop" / "js" / "pay.js").write_text(
        "function pay(payload) { return digitalriver.createSource(payload); }\n", "utf-8")
    done = _run(tmp_path, monkeypatch, "--add-noqa", "--reason", "reviewed with the payments team", "shop")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("Added 15 suppression comments for 16 findings in 4 files.")
    assert (tmp_path / "shop" / "js" / "card.js").read_text() == (
        "// drmigrate-ignore: DR100,DR120 -- reviewed with the payments team\n"
        "digitalriver.createSource(cardNumber, {type: 'creditCard', amount: 10, owner: owner});\n")
    green = _run(tmp_path, monkeypatch, "shop")
    assert green.exit_code == 0 and "All checks passed" in green.stdout
    again = _run(tmp_path, monkeypatch, "--add-noqa", "shop")
    assert again.exit_code == 0 and again.stdout.startswith("No suppression comments added.")


PAYPAL = "digitalriver.createSource({type: 'payPal', amount: 1});"


@pytest.mark.parametrize(("name", "before", "after"), [
    pytest.param("a.js", f"if (x) {{\n\t{PAYPAL}\n}}\n",
                 f"if (x) {{\n\t// drmigrate-ignore: DR100,DR101 -- {REASON}\n\t{PAYPAL}\n}}\n", id="js-tab-indent"),
    pytest.param("a.js", f"var a;\r\n  {PAYPAL}\r\n",
                 f"var a;\r\n  // drmigrate-ignore: DR100,DR101 -- {REASON}\r\n  {PAYPAL}\r\n", id="js-crlf"),
    pytest.param("a.ts", f"const n: number = 1;\n{PAYPAL}\n",
                 f"const n: number = 1;\n// drmigrate-ignore: DR100,DR101 -- {REASON}\n{PAYPAL}\n", id="ts"),
    pytest.param("a.py", "def f(cart):\n    return {'type': 'payPal', 'amount': cart.total}\n",
                 f"def f(cart):\n    # drmigrate-ignore: DR100,DR101 -- {REASON}\n"
                 "    return {'type': 'payPal', 'amount': cart.total}\n", id="python"),
    pytest.param("a.php", "<?php\n$payload = ['type' => 'payPal', 'amount' => 1];\n",
                 f"<?php\n// drmigrate-ignore: DR100,DR101 -- {REASON}\n$payload = ['type' => 'payPal', 'amount' => 1];\n",
                 id="php-block"),
    pytest.param("a.phtml", f"<script>\n  {PAYPAL}\n</script>\n",
                 f"<script>\n  <?php /* drmigrate-ignore: DR100,DR101 -- {REASON} */ ?>\n  {PAYPAL}\n</script>\n",
                 id="phtml-script-php-comment"),
    pytest.param("a.twig", f"<script>\n  {PAYPAL}\n</script>\n",
                 f"<script>\n  {{# drmigrate-ignore: DR100,DR101 -- {REASON} #}}\n  {PAYPAL}\n</script>\n",
                 id="twig-comment"),
    pytest.param("a.erb", f"<script>\n  {PAYPAL}\n</script>\n",
                 f"<script>\n  <%# drmigrate-ignore: DR100,DR101 -- {REASON} %>\n  {PAYPAL}\n</script>\n",
                 id="erb-comment"),
    pytest.param("a.html", f"<script>\n  {PAYPAL}\n</script>\n",
                 f"<script>\n  // drmigrate-ignore: DR100,DR101 -- {REASON}\n  {PAYPAL}\n</script>\n",
                 id="html-script-js-comment"),
    pytest.param("a.js", f"// drmigrate-ignore: DR101 -- reviewed\n{PAYPAL}\n",
                 f"// drmigrate-ignore: DR101,DR100 -- reviewed\n{PAYPAL}\n", id="extends-the-directive-above"),
])
def test_comment_syntax_by_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, before: str,
                                 after: str) -> None:
    (tmp_path / name).write_bytes(before.encode())
    done = _run(tmp_path, monkeypatch, "--add-noqa", name)
    assert done.exit_code == 0, done.output
    assert (tmp_path / name).read_bytes().decode() == after
    assert _run(tmp_path, monkeypatch, name).exit_code == 0  # green: the comment is read as a directive


@pytest.mark.parametrize(("name", "text", "why"), [
    pytest.param("a.js", f"const s = `\n${{{PAYPAL[:-1]}}}`;\n", "inside a string, a template literal",
                 id="template-literal"),
    pytest.param("a.jsx", "const B = () => <p>\n  pay {digitalriver.createSource({type: 'payPal', amount: 1})}\n</p>;\n",
                 "JSX text", id="jsx-text"),
    pytest.param("a.py", "payload = \\\n    {'type': 'payPal', 'amount': 1}\n", "would not parse", id="python-continuation"),
    pytest.param("a.twig", "<script>\n  {{ helper(\n  x) }} " + PAYPAL + "\n</script>\n",
                 "inside a template tag", id="inside-a-template-tag"),
])
def test_refused_where_no_comment_can_stand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str,
                                            why: str) -> None:
    (tmp_path / name).write_text(text)
    done = _run(tmp_path, monkeypatch, "--add-noqa", name)
    assert done.exit_code == 1, done.output
    assert (tmp_path / name).read_text() == text  # left exactly as it was
    lines = [line for line in done.stderr.splitlines() if "not suppressed" in line]
    assert lines and all(line.startswith(f"{name}: not suppressed: line ") and why in line for line in lines), \
        done.stderr


def test_a_kept_field_is_suppressed_by_the_finding_that_says_why(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """DR202 says removing `items` would swallow a comment; it is the field's one finding (a kept
    field is reported once), so the comment names DR202, and nothing is left unused (no DR300)."""
    text = ("digitalriver.createSource({type: 'payPal', payPal: {\n    items: [\n        // one per line\n"
            "        {name: 'x'}\n    ]\n}});\n")
    (tmp_path / "a.js").write_text(text)
    assert sorted(f["code"] for f in json.loads(
        _run(tmp_path, monkeypatch, "--format", "json", "a.js").stdout)["findings"]) == ["DR100", "DR202"]
    done = _run(tmp_path, monkeypatch, "--add-noqa", "a.js")
    assert done.exit_code == 0, done.output
    assert f"    // drmigrate-ignore: DR202 -- {REASON}\n    items" in (tmp_path / "a.js").read_text()
    assert _run(tmp_path, monkeypatch, "a.js").exit_code == 0


def test_the_other_lines_of_a_file_still_get_theirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = f"{PAYPAL}\nconst s = `\n${{{PAYPAL[:-1]}}}`;\n"
    (tmp_path / "a.js").write_text(text)
    done = _run(tmp_path, monkeypatch, "--add-noqa", "a.js")
    assert done.exit_code == 1
    assert (tmp_path / "a.js").read_text() == f"// drmigrate-ignore: DR100,DR101 -- {REASON}\n" + text


@pytest.mark.parametrize("args", [
    pytest.param(("--add-noqa", "--fix"), id="with-fix"),
    pytest.param(("--add-noqa", "--diff"), id="with-diff"),
    pytest.param(("--reason", "x"), id="reason-alone"),
])
def test_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    (tmp_path / "a.js").write_text(PAYPAL + "\n")
    done = _run(tmp_path, monkeypatch, *args, "a.js")
    assert done.exit_code == 2 and done.output.splitlines()[-1].startswith("Error: --")
    assert (tmp_path / "a.js").read_text() == PAYPAL + "\n"


def test_the_reason_cannot_close_the_comment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.phtml").write_text(f"<script>\n{PAYPAL}\n</script>\n")
    done = _run(tmp_path, monkeypatch, "--add-noqa", "--reason", "ok */ ?> <?php evil(); ?>\nx", "a.phtml")
    assert done.exit_code == 0, done.output
    assert (tmp_path / "a.phtml").read_text().count("?>") == 1
    assert _run(tmp_path, monkeypatch, "a.phtml").exit_code == 0
