"""No silent files (issue 11): every file that mentions a DigitalRiver.js call ends with a verdict.

A file drmigrate does not read is listed with what would check it; build output (bundles,
Babel / TypeScript output) is skipped with "fix the source"; a path named on the command line that
the excludes drop is named; a run that checked no file says so and never reads "All checks passed".
The calls themselves are one list (`drmigrate.calls.CALL_NAMES`), searched cheaply in bytes.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from drmigrate import calls
from drmigrate.cli import main
from drmigrate.discovery import sources_beside
from drmigrate.frontends.bundles import classify, transpiled
from drmigrate.frontends.templates import find_tags
from drmigrate.runner import CALL_NAMES, is_candidate, make_config, settled_from_bytes

LEGACY = "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", "--no-cache", *args])
    return result.exit_code, result.stdout, result.stderr


def write(root: Path, name: str, text: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


# --------------------------------------------------------------------------------------- the calls

@pytest.mark.parametrize(
    ("text", "name"),
    [
        pytest.param("digitalriver.createSource(payload)", "createSource", id="createSource"),
        pytest.param("const {createSource} = digitalriver", "createSource", id="createSource-any-mention"),
        pytest.param("dr.createDropin({options: {flow: 'checkout'}})", "createDropin", id="createDropin"),
        pytest.param("dr.createDropin.call(dr, config)", "createDropin", id="call-form"),
        pytest.param("dr.retrieveAvailablePaymentMethods({sessionId})", "retrieveAvailablePaymentMethods",
                     id="retrieveAvailablePaymentMethods"),
        pytest.param("dr.createElement('paypal', {sourceData})", "createElement", id="createElement"),
        pytest.param("this.el = h.createElement('ApplePay', opts)", "createElement", id="by-its-element-type"),
        pytest.param("digitalriver.paymentRequest({country: 'US'})", "paymentRequest", id="paymentRequest"),
        pytest.param("this.dr.paymentRequest(data)", "paymentRequest", id="by-its-receiver"),
        pytest.param("const x = new DigitalRiver(key);\nwallet.paymentRequest(data)", "paymentRequest",
                     id="beside-digital-river"),
        pytest.param("stripe.paymentRequest({country: 'US', currency: 'usd'})", None, id="stripe-paymentRequest"),
        pytest.param("render(createElement) { return createElement('div', this.label) }", None,
                     id="vue-createElement"),
        pytest.param("vue.createElement('div'); dr.createDropin(cfg)", "createDropin", id="later-name-counts"),
        pytest.param("document.createElement('div')", None, id="dom-createElement"),
        pytest.param("this.ownerDocument.createElement('div')", None, id="owner-document"),
        pytest.param("React.createElement('span', null)", None, id="react-createElement"),
        pytest.param("_createElementBlock('div'); el.createElementNS(ns, 'svg')", None, id="longer-names"),
        pytest.param("var paymentRequest = new PaymentRequest(methods, details);", None, id="not-a-call"),
        pytest.param("$paymentRequest(1); canMakepaymentRequest()", None, id="other-identifiers"),
    ],
)
def test_mentions(text: str, name: str | None) -> None:
    assert calls.mentioned(text) == name
    assert calls.mentioned_in_bytes(text.encode("utf-8")) == name


def test_every_call_name_is_found_by_every_search() -> None:
    for name in CALL_NAMES:
        text = f"/* café */ digitalriver.{name}(payload);"
        assert calls.mentioned(text) == name
        assert calls.mentioned_in_bytes(text.encode("utf-8")) == name
        assert list(calls.calls_in(text)) == [(text.index(name), name)]


def test_names_are_grouped_under_shared_substrings() -> None:
    # the grouping is what keeps the search at memory speed: each pattern starts with a literal
    assert [(key, set(names)) for key, names in calls._groups(CALL_NAMES)] == [
        ("create", {"createSource", "createDropin", "createElement"}),
        ("ayment", {"retrieveAvailablePaymentMethods", "paymentRequest"}),
    ]


def test_calls_in_takes_only_calls() -> None:
    text = "log('createSource'); dr.createSource(p); x.paymentRequest ; dr.paymentRequest (q)"
    assert [name for _, name in calls.calls_in(text)] == ["createSource", "paymentRequest"]


@pytest.mark.parametrize("name", CALL_NAMES)
def test_every_call_makes_a_file_a_candidate(name: str) -> None:
    config = make_config()
    text = f"digitalriver.{name}({{type: 'payPal'}});\n"
    for path in ("a.js", "a.tsx", "page.html", "page.liquid", "view.phtml"):
        assert is_candidate(text, path, config), path
        assert settled_from_bytes(text.encode(), path, config) is None, path


def test_dom_code_stays_settled_from_its_bytes() -> None:
    raw = b"document.body.appendChild(document.createElement('div'));\n"
    settled = settled_from_bytes(raw, "a.js", make_config())
    assert settled is not None and settled.parser == "prefilter"


# ------------------------------------------------------------------------- files drmigrate does not read

@pytest.fixture()
def shop(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, "js/util.js", "export const total = 1;\n")
    write(tmp_path, "theme/checkout.vm", f"<script>\n{LEGACY}</script>\n")
    write(tmp_path, "theme/plain.ftl", "<p>${order.total}</p>\n")  # mentions no call: not listed
    write(tmp_path, "docs/integration.md", f"```js\n{LEGACY}```\n")
    write(tmp_path, "css/site.css", ".createSource { color: red }\n")
    write(tmp_path, "img/logo.png", b"\x89PNG\r\n\x1a\n" + LEGACY.encode())  # never opened
    write(tmp_path, "js/checkout.js.bak", LEGACY)
    write(tmp_path, "server/Payment.java", 'String js = "digitalriver.createSource(" + payload + ")";\n')
    write(tmp_path, "views/checkout.pug", f"script.\n  {LEGACY}")
    return tmp_path


def test_unread_files_that_mention_a_call_are_listed(shop: Path) -> None:
    code, out, _ = run(str(shop))
    assert code == 0  # skipped files never fail a run
    lines = {line.split(": skipped: ")[0]: line.split(": skipped: ")[1]
             for line in out.splitlines() if ": skipped: " in line}
    assert lines == {
        str(shop / "theme/checkout.vm"): 'a .vm file that mentions createSource is not read; add ".vm" to '
                                         "template-extensions to check its <script> blocks",
        str(shop / "js/checkout.js.bak"): "a copy of a .js file (by its name) that mentions createSource is "
                                          "not read; rename it to end in .js to check it, or delete it",
        str(shop / "server/Payment.java"): "a .java file that mentions createSource is not read: drmigrate reads "
                                           "server code only in PHP and Python, and no setting changes that; "
                                           "review a payload built there by hand",
        str(shop / "views/checkout.pug"): "a .pug file that mentions createSource is not read: its script blocks "
                                          "are not `<script>` tags, which is what template-extensions reads; "
                                          "review it by hand",
    }
    # documentation and styles are listed quietly: counted, in --show-files and the JSON report
    assert out.endswith("All checks passed (1 file). 6 files skipped (`--show-files` lists them).\n")
    _, shown, _ = run("--show-files", str(shop))
    assert (f"{shop / 'docs/integration.md'}: skipped: not a file type drmigrate reads (documentation that "
            'mentions createSource; add ".md" to template-extensions if it holds <script> blocks to check)') in shown
    assert (f"{shop / 'css/site.css'}: skipped: not a file type drmigrate reads (a .css file is data or styles, "
            "never code; it mentions createSource)") in shown
    for silent in ("plain.ftl", "logo.png"):
        assert silent not in shown


def test_unread_files_in_the_json_report(shop: Path) -> None:
    code, out, _ = run("--format", "json", str(shop))
    files = {Path(f["path"]).relative_to(shop).as_posix(): f["status"] for f in json.loads(out)["files"]}
    assert code == 0
    assert files["theme/checkout.vm"].startswith("skipped: a .vm file that mentions createSource")
    assert files["docs/integration.md"].startswith("skipped: not a file type drmigrate reads (documentation")
    assert "theme/plain.ftl" not in files and "img/logo.png" not in files


def test_a_listed_suffix_is_read_once_added_to_template_extensions(shop: Path) -> None:
    write(shop, ".drmigrate.toml", 'template-extensions = [".vm"]\n')
    code, out, _ = run(str(shop / "theme"))
    assert code == 1 and "checkout.vm:2:28: DR100" in out


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("checkout.liquid", "<script>\n{{ x }}\n" + LEGACY + "</script>\n", id="liquid"),
        pytest.param("checkout.mustache", "<script>\n{{#a}}\n" + LEGACY + "{{/a}}\n</script>\n", id="mustache"),
        pytest.param("Checkout.aspx", "<%@ Page %>\n<script>\n" + LEGACY + "</script>\n", id="aspx"),
        pytest.param("payment.tpl", "{* x *}\n<script>\n" + LEGACY + "</script>\n", id="smarty"),
        pytest.param("Pay.astro", "---\nconst a = 1;\n---\n<script>\n" + LEGACY + "</script>\n", id="astro"),
        pytest.param("pay.xhtml", "<html>\n<script>\n" + LEGACY + "</script>\n</html>\n", id="xhtml"),
    ],
)
def test_common_templates_are_read_by_default(tmp_path: Path, name: str, text: str) -> None:
    write(tmp_path, name, text)
    code, out, _ = run(str(tmp_path))
    assert code == 1 and "DR100" in out, out


def test_smarty_reads_no_tag_inside_literal() -> None:
    text = '{$a}<script>{literal}var t = "{$name}"; {l s=\'x\'}{/literal}</script>{$b}'
    assert [text[t.span[0]:t.span[1]] for t in find_tags(text, ".tpl")] == ["{$a}", "{literal}", "{/literal}",
                                                                           "{$b}"]


# ----------------------------------------------------------------------------------- build output

BABEL = ('"use strict";\n\nfunction _classCallCheck(instance, Constructor) { if (!(instance instanceof '
         'Constructor)) { throw new TypeError("Cannot call a class as a function"); } }\n\n'
         "function _createClass(C, p) { return C; }\n\nvar Checkout = /*#__PURE__*/function () {\n"
         "  function Checkout() { _classCallCheck(this, Checkout); }\n  return Checkout;\n}();\n" + LEGACY)
ES_MODULE = ('"use strict";\n\nObject.defineProperty(exports, "__esModule", {\n  value: true\n});\n'
             'var _dr = _interopRequireDefault(require("./dr"));\n' + LEGACY)
TYPESCRIPT = ('"use strict";\nvar __awaiter = (this && this.__awaiter) || function (thisArg) { };\n'
              "var __generator = (this && this.__generator) || function (thisArg, body) { };\n" + LEGACY)
TSLIB = 'const tslib_1 = require("tslib");\nexports.pay = () => tslib_1.__awaiter(void 0, void 0, void 0, f);\n' + LEGACY


@pytest.mark.parametrize(
    ("path", "text", "reason"),
    [
        pytest.param("lib/checkout.js", BABEL,
                     "build output (compiled by Babel: its helpers `_classCallCheck`, `_createClass`)", id="babel"),
        pytest.param("lib/index.js", ES_MODULE,
                     "build output (compiled by Babel: its helpers `_interopRequireDefault`)", id="helper+prologue"),
        pytest.param("out/pay.js", TYPESCRIPT,
                     "build output (compiled by TypeScript: its helpers `__awaiter`, `__generator`)", id="tsc"),
        pytest.param("out/pay.js", TSLIB,
                     "build output (compiled by TypeScript: its helpers `tslib`, `__awaiter`)", id="tslib"),
        pytest.param("src/util.js", "function _typeof(o) { return typeof o; }\n" + LEGACY, None,
                     id="hand-written-typeof"),
        pytest.param("src/util.js", "var _extends = Object.assign;\nvar _typeof = f;\n" + LEGACY, None,
                     id="one-marker-no-prologue"),
        pytest.param("src/pay.ts", TYPESCRIPT, None, id="typescript-source-is-a-source"),
    ],
)
def test_transpiled_output(path: str, text: str, reason: str | None) -> None:
    assert classify(path, text) == reason
    assert (transpiled(text) is not None) == (reason is not None or path.endswith(".ts"))


def test_transpiled_output_names_the_source_beside_it(tmp_path: Path) -> None:
    write(tmp_path, "src/checkout.ts", "export {};\n")
    write(tmp_path, "lib/checkout.js", BABEL)
    code, out, _ = run(str(tmp_path))
    assert code == 0, out
    assert (f"{tmp_path / 'lib/checkout.js'}: skipped: build output (compiled by Babel: its helpers "
            "`_classCallCheck`, `_createClass`); it mentions createSource: fix its source "
            f"({tmp_path / 'src/checkout.ts'}), not the build output (--include-minified checks it anyway)") in out
    code, out, _ = run("--include-minified", str(tmp_path))
    assert code == 1 and "checkout.js" in out and "DR100" in out


def test_sources_beside(tmp_path: Path) -> None:
    lib = write(tmp_path, "pkg/lib/a/pay.js", "x")
    write(tmp_path, "pkg/src/a/pay.tsx", "x")
    assert sources_beside(str(lib), "") == [str(tmp_path / "pkg/src/a/pay.tsx")]
    twin = write(tmp_path, "web/cart.js", "x")
    write(tmp_path, "web/cart.ts", "x")
    assert sources_beside(str(twin), "") == [str(tmp_path / "web/cart.ts")]
    built = write(tmp_path, "dist/app.js", "x")
    write(tmp_path, "dist/app.js.map", json.dumps({"version": 3, "sources": ["webpack:///../client/pay.js",
                                                                            "../client/gone.js"]}))
    write(tmp_path, "client/pay.js", "x")
    assert sources_beside(str(built), "//# sourceMappingURL=app.js.map\n") == [str(tmp_path / "client/pay.js")]
    inline = base64.b64encode(json.dumps({"sources": ["../client/pay.js"]}).encode()).decode()
    text = f"//# sourceMappingURL=data:application/json;charset=utf-8;base64,{inline}\n"
    assert sources_beside(str(built), text) == [str(tmp_path / "client/pay.js")]
    assert sources_beside(str(tmp_path / "alone.js"), "") == []


# --------------------------------------------------------------------- named paths, and checking nothing

@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path, "node_modules/x/index.js", LEGACY)
    write(tmp_path, "app.min.js", LEGACY)
    write(tmp_path, "dist/e.js", LEGACY)
    write(tmp_path, "src/pay.js", "export const x = 1;\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_named_directory_the_excludes_drop(project: Path) -> None:
    code, out, _ = run("node_modules/x")
    assert code == 2
    assert out == ("node_modules/x: skipped: a directory excluded by the default excludes (`node_modules`); "
                   "pass --exclude '' to check it\n"
                   "No files were checked: node_modules/x: a directory excluded by the default excludes "
                   "(`node_modules`); pass --exclude '' to check it.\n")
    code, out, _ = run("--exclude", "", "node_modules/x")
    assert code == 2 and "vendored or deployed copy (under node_modules/)" in out  # read: now a vendored file
    code, out, _ = run("--exclude", "", "--include-minified", "node_modules/x")
    assert code == 1 and "node_modules/x/index.js:1:28: DR100" in out


def test_named_bundle(project: Path) -> None:
    code, out, _ = run("app.min.js")
    assert code == 2
    assert out.splitlines()[-1] == ("No files were checked: app.min.js: minified or bundled (by its name); it "
                                    "mentions createSource: fix the source, not the build output "
                                    "(--include-minified checks it anyway).")
    assert "All checks passed" not in out


def test_nothing_checked_in_other_formats_and_modes(project: Path) -> None:
    code, out, err = run("--format", "json", "node_modules/x")
    assert code == 2 and json.loads(out)["files"][0]["path"] == "node_modules/x"
    assert err.startswith("error: No files were checked: node_modules/x: a directory excluded")
    code, out, err = run("--quiet", "app.min.js")
    assert code == 2 and out == "" and err.startswith("error: No files were checked: app.min.js")
    result = CliRunner().invoke(main, ["fix", "--no-cache", "app.min.js"])
    assert result.exit_code == 2 and "No fixes applied" not in result.stdout
    assert "No files were checked: app.min.js" in result.stdout


def test_force_exclude_dropping_every_named_file_passes(project: Path) -> None:
    # pre-commit passes every changed file with --force-exclude: dropping them all is no failure
    code, out, _ = run("--force-exclude", "dist/e.js")
    assert code == 0
    assert out == ("No files were checked: dist/e.js: excluded by the default excludes (`dist`), which "
                   "--force-exclude applies to named files; pass --exclude '' to check it.\n")


def test_a_run_that_checks_one_file_passes(project: Path) -> None:
    code, out, _ = run("src", "node_modules/x")
    assert code == 0 and out.endswith("All checks passed (1 file). 1 file skipped (`--show-files` lists them).\n")


def test_default_path_with_nothing_to_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "notes/readme.txt", "nothing here\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run()
    # no path was named: nothing to read is not an error (as ruff), but never "All checks passed"
    assert code == 0
    assert out.splitlines()[-1] == ("No files were checked: .: a directory with no file drmigrate reads that the "
                                    "excludes and .gitignore leave; add a template suffix to template-extensions "
                                    "to read such files.")


def test_server_string_call_can_be_suppressed(tmp_path: Path) -> None:
    page = write(tmp_path, "page.php", "<?php\n# drmigrate-ignore: DR204 -- printed by the legacy theme\n"
                                        "echo \"<script>digitalriver.createSource(p);</script>\";\n")
    code, out, _ = run(str(page))
    assert code == 0, out


def test_no_binary_file_is_turned_up(tmp_path: Path) -> None:
    # the run reads only the entries discovery turns up: a binary one is never among them
    from drmigrate.discovery import Discovery, WalkSettings
    from drmigrate.pipeline import _reads, _searched

    write(tmp_path, "a.js", "export const a = 1;\n")
    write(tmp_path, "logo.png", b"\x89PNG" + LEGACY.encode())
    write(tmp_path, "fonts/x.woff2", LEGACY)
    write(tmp_path, "notes.txt", "x\n")
    found = Discovery(WalkSettings(root=tmp_path), _reads, _searched).entries([str(tmp_path)])
    assert sorted((Path(e.path).name, e.status) for e in found) == [("a.js", "file"), ("notes.txt", "unread")]


def test_no_file_of_the_corpus_that_mentions_a_call_goes_unlisted() -> None:
    from tests.fixturelib import ROOT

    corpus = [ROOT / "fixtures", ROOT / "examples", ROOT / "tests" / "data"]
    result = CliRunner().invoke(main, ["check", "--no-cache", "--format", "json", "--exit-zero",
                                       *map(str, corpus)])
    listed = {Path(f["path"]).resolve() for f in json.loads(result.stdout)["files"]}
    mentioning = {p.resolve() for top in corpus for p in top.rglob("*")
                  if p.is_file() and calls.mentioned_in_bytes(p.read_bytes()) is not None}
    assert mentioning and mentioning <= listed, sorted(map(str, mentioning - listed))


def test_the_calls_searched_are_the_calls_the_rule_table_checks() -> None:
    from drmigrate.rules import bundled_table

    assert {rule.call for rule in bundled_table().calls.values()} == set(CALL_NAMES)
