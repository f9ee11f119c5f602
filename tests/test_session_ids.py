"""Per-path session ids (`per-file-session-id`): checked at load for the files each pattern can
match, first match wins, `--session-id` beats them all; a server tag inserted into a template is
accounted for by the fix guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from drmigrate.cli import main, per_file_session_problem
from drmigrate.engine import Options
from drmigrate.frontends.combined import CombinedFrontEnd
from drmigrate.frontends.php import PhpFrontEnd
from drmigrate.frontends.templates import TemplateFrontEnd
from drmigrate.guard import GuardError
from drmigrate.model import Intent
from drmigrate.runner import check_text, fix_text, make_config

LEGACY = "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});\n"
PAGE = """<div class="checkout" data-key="<?= $block->getKey() ?>">
<script>
require(['jquery'], function ($) {
    digitalriver.createSource({
        type: 'payPal',
        amount: <?= $block->getTotal() ?>,
        currency: 'USD',
        payPal: {returnUrl: '<?= $block->getUrl() ?>'}
    });
});
</script>
</div>
"""
MAGENTO = "'<?= $block->escapeJs($block->getPaymentSessionId()) ?>'"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def shop(tmp_path: Path) -> Path:
    (tmp_path / "app" / "design").mkdir(parents=True)
    (tmp_path / "app" / "design" / "pay.phtml").write_text(PAGE, "utf-8")
    (tmp_path / "app" / "design" / "pay.erb").write_text(
        PAGE.replace("<?= $block->getTotal() ?>", "<%= total %>").replace("<?= $block->getUrl() ?>", "<%= url %>")
        .replace("<?= $block->getKey() ?>", "<%= key %>"), "utf-8")
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "pay.js").write_text(LEGACY, "utf-8")
    (tmp_path / "legacy.js").write_text(LEGACY, "utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.drmigrate]\nsession-id = "window.drSessionId"\n\n[tool.drmigrate.per-file-session-id]\n'
        f'"app/design/**/*.phtml" = "{MAGENTO}"\n'
        '"app/**/*.erb" = "<%= @checkout.payment_session_id.to_json %>"\n'
        '"web/**/*.js" = "checkout.payment.session.id"\n'
        '"**/*.js" = "never.used.for.web"\n', "utf-8")
    return tmp_path


def test_each_file_gets_the_expression_of_its_first_matching_pattern(shop: Path) -> None:
    code, out, _ = run("fix", "--no-cache", str(shop))
    assert code == 0, out
    page = (shop / "app" / "design" / "pay.phtml").read_text("utf-8")
    assert page == PAGE.replace("        amount: <?= $block->getTotal() ?>,\n        currency: 'USD',\n",
                                f"        sessionId: {MAGENTO},\n")
    erb = (shop / "app" / "design" / "pay.erb").read_text("utf-8")
    assert "        sessionId: <%= @checkout.payment_session_id.to_json %>,\n" in erb and "amount" not in erb
    assert "sessionId: checkout.payment.session.id," in (shop / "web" / "pay.js").read_text("utf-8")
    assert "sessionId: never.used.for.web," in (shop / "legacy.js").read_text("utf-8")  # second pattern
    code, out, _ = run("check", "--no-cache", str(shop))
    assert code == 0 and "All checks passed (4 files)." in out


def test_unmatched_files_take_session_id_and_the_command_line_beats_every_pattern(shop: Path) -> None:
    config = (shop / "pyproject.toml").read_text("utf-8")
    (shop / "pyproject.toml").write_text(config.replace('"**/*.js" = "never.used.for.web"\n', ""), "utf-8")
    code, _, _ = run("fix", "--no-cache", str(shop / "legacy.js"))
    assert code == 0
    assert "sessionId: window.drSessionId," in (shop / "legacy.js").read_text("utf-8")
    code, _, _ = run("fix", "--no-cache", "--session-id", "cli.sid", str(shop / "web"), str(shop / "app"))
    assert code == 0
    assert "sessionId: cli.sid," in (shop / "web" / "pay.js").read_text("utf-8")
    assert "sessionId: cli.sid," in (shop / "app" / "design" / "pay.phtml").read_text("utf-8")


def test_stdin_takes_the_pattern_of_its_name(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shop)
    result = CliRunner().invoke(main, ["fix", "-", "--stdin-filename", "web/x.js"], input=LEGACY)
    assert result.exit_code == 0 and "sessionId: checkout.payment.session.id" in result.stdout


def test_config_command_shows_the_table_in_order(shop: Path) -> None:
    code, out, _ = run("config", str(shop))
    assert code == 0
    assert (f"per-file-session-id = {{'app/design/**/*.phtml' = {MAGENTO!r}, 'app/**/*.erb' = "
            "'<%= @checkout.payment_session_id.to_json %>', 'web/**/*.js' = 'checkout.payment.session.id', "
            f"'**/*.js' = 'never.used.for.web'}}  # {shop / 'pyproject.toml'}") in out


@pytest.mark.parametrize(
    ("pattern", "value", "problem"),
    [
        pytest.param("**/*.js", "checkout.payment.session.id", None, id="js-expression"),
        pytest.param("src/checkout/", "window.sid", None, id="directory-js-expression"),
        pytest.param("**/*.ts", "import.meta.env.VITE_SID", None, id="ts-expression-esprima-cannot-read"),
        pytest.param("**/*.phtml", "<?= $block->getPaymentSessionId() ?>", None, id="phtml-short-echo"),
        pytest.param("**/*.phtml", "'<?= $block->escapeJs($id) ?>'", None, id="phtml-quoted"),
        pytest.param("**/*.php", "<?php echo json_encode($sid); ?>", None, id="php-echo"),
        pytest.param("**/*.phtml", "window.checkoutConfig.payment.session.id", None, id="phtml-js-expression"),
        pytest.param("**/*.twig", "{{ checkout.payment.session.id|json_encode|raw }}", None, id="twig"),
        pytest.param("templates/*.html", '"{{ session_id }}"', None, id="jinja-html-quoted"),
        pytest.param("**/*.erb", "<%= @sid.to_json %>", None, id="erb"),
        pytest.param("**/*.ejs", "<%- JSON.stringify(sid) %>", None, id="ejs-raw"),
        pytest.param("**/*.vm", "{{ sid }}", None, id="template-extensions-suffix"),
        pytest.param("**/*.js", "<?= $sid ?>", "matches JavaScript files, where a server tag is never filled in",
                     id="tag-for-js"),
        pytest.param("**/*.js", "'<?= $sid ?>'", "matches JavaScript files, where a server tag", id="quoted-tag-for-js"),
        pytest.param("app/**", "<?= $sid ?>", "can match JavaScript files too, where a server tag is never "
                     "filled in; end the pattern with the template's suffix (e.g. `app/**/*.phtml`)",
                     id="tag-for-any-file"),
        pytest.param("**/*.phtml", "<?= $a ?><?= $b ?>", "exactly one tag that prints the id (`<?= … ?>`)",
                     id="two-tags"),
        pytest.param("**/*.phtml", "<?php if ($sid): ?>", "exactly one tag that prints the id", id="control-tag"),
        pytest.param("**/*.phtml", "<?= $sid ?>.trim()", "exactly one tag that prints the id", id="tag-and-code"),
        pytest.param("**/*.twig", "{% sid %}", "exactly one tag that prints the id (`{{ … }}`)", id="twig-block"),
        pytest.param("**/*.phtml", "{{ sid }}", "or one tag that prints the id (`<?= … ?>`)", id="other-syntax"),
        pytest.param("**/*.vue", "{{ sid }}", "not a single JavaScript expression", id="vue-has-no-tags"),
        pytest.param("**/*.js", "a, b", "not a single JavaScript expression", id="js-sequence"),
        pytest.param("**/*.py", "request.sid", "set `python-session-id` for payloads built in Python", id="python"),
        pytest.param("docs/*.md", "sid", "matches no file drmigrate reads", id="unread-suffix"),
    ],
)
def test_values_are_checked_for_the_files_a_pattern_can_match(pattern: str, value: str,
                                                              problem: str | None) -> None:
    found = per_file_session_problem(pattern, value, template_extensions=(".vm",))
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_a_bad_value_is_exit_2_naming_the_key_the_file_and_what_to_do(shop: Path) -> None:
    (shop / ".drmigrate.toml").write_text('[per-file-session-id]\n"**/*.js" = "<?= $sid ?>"\n', "utf-8")
    code, out, err = run("check", str(shop))
    assert code == 2 and out == ""
    line = err.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith(f"Error: {shop / '.drmigrate.toml'}: `per-file-session-id` \"**/*.js\" = '<?= $sid ?>': ")
    assert "give a JavaScript expression such as checkout.payment.session.id" in line
    (shop / ".drmigrate.toml").write_text('per-file-session-id = {"**/*.js" = 3}\n', "utf-8")
    code, _, err = run("check", str(shop))
    assert code == 2 and "`per-file-session-id.**/*.js` must be a string" in err


@pytest.mark.parametrize(
    ("suffix", "tag"),
    [
        pytest.param(".phtml", "<?= $block->getPaymentSessionId() ?>", id="phtml"),
        pytest.param(".php", "'<?= $sid ?>'", id="php-quoted"),
        pytest.param(".erb", "<%= @sid.to_json %>", id="erb"),
        pytest.param(".twig", "{{ sid|json_encode|raw }}", id="twig"),
        pytest.param(".jsp", "'${checkout.sessionId}'", id="jsp-el"),
    ],
)
def test_an_inserted_tag_passes_the_guard_and_the_page_is_then_clean(suffix: str, tag: str) -> None:
    page = "<p>pay</p>\n<script>\n" + LEGACY + "</script>\n"
    cfg = make_config(options=Options(session_id={"js": tag}))
    fixed = fix_text(page, f"page{suffix}", cfg)
    assert fixed == page.replace("amount: 1, currency: 'EUR'", f"sessionId: {tag}")
    assert check_text(fixed, f"page{suffix}", cfg) == ()


INSERT_PAGE = "<p><?= $title ?></p>\n<script>\nf({type: 'konbini', konbini: {}});\n</script>\n"


def _insert(tag: str) -> Intent:
    obj = (INSERT_PAGE.index("{type"), INSERT_PAGE.index("});") + 1)
    entry = (obj[0] + 1, INSERT_PAGE.index(", konbini"))
    return Intent("insert", obj, f"sessionId: {tag}", after=entry)


def _fixed(tag: str, page: str = INSERT_PAGE) -> str:
    return page.replace("'konbini', konbini", f"'konbini', sessionId: {tag}, konbini")


@pytest.mark.parametrize(
    "front",
    [TemplateFrontEnd(".phtml"), CombinedFrontEnd(PhpFrontEnd(), TemplateFrontEnd(".phtml"))],
    ids=["template", "php-page"],
)
@pytest.mark.parametrize(
    ("fixed", "refusal"),
    [
        pytest.param(_fixed("<?= $sid ?>"), None, id="as-planned"),
        pytest.param(_fixed("<?= $title ?>"), "template tag|change", id="another-tag-inserted"),
        pytest.param(_fixed("<?= $sid ?>", INSERT_PAGE.replace("<?= $title ?>", "")), "markup|template tag|change",
                     id="a-tag-lost-elsewhere"),
        pytest.param(_fixed("<?= $sid ?>").replace("<p>", "<p><?= $sid ?>"), "markup|template tag|change|add",
                     id="inserted-twice"),
    ],
)
def test_the_guard_counts_an_inserted_tag(front: TemplateFrontEnd | CombinedFrontEnd, fixed: str,
                                          refusal: str | None) -> None:
    intents = [_insert("<?= $sid ?>")]
    if refusal is None:
        front.verify(INSERT_PAGE, fixed, intents)
        return
    with pytest.raises(GuardError, match=refusal):
        front.verify(INSERT_PAGE, fixed, intents)


@pytest.mark.parametrize(
    ("suffix", "tag"),
    [
        pytest.param(".phtml", "<?= json_encode($block->getPaymentSessionId()) ?>", id="phtml"),
        pytest.param(".erb", "<%= @sid.to_json %>", id="erb"),
    ],
)
def test_a_placeholder_is_wired_later_with_a_tag(suffix: str, tag: str) -> None:
    page = "<p>pay</p>\n<script>\n" + LEGACY + "</script>\n"
    first = fix_text(page, f"page{suffix}", make_config())
    assert "'DRMIGRATE_TODO_SESSION_ID'" in first
    cfg = make_config(options=Options(session_id={"js": tag}))
    wired = fix_text(first, f"page{suffix}", cfg)
    assert wired == page.replace("amount: 1, currency: 'EUR'", f"sessionId: {tag}")
    assert check_text(wired, f"page{suffix}", cfg) == ()
