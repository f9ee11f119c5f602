"""Template pages: which scripts are read, how tags are masked, and that fixes never touch a tag."""

from __future__ import annotations

from pathlib import Path

import pytest

from drmigrate import edits as splicer
from drmigrate.discovery import decode
from drmigrate.engine import analyze
from drmigrate.frontends.bundles import LIBRARY, classify
from drmigrate.frontends.templates import (
    TemplateFrontEnd,
    extract_php_scripts,
    find_scripts,
    find_tags,
    mask,
)
from drmigrate.runner import make_config
from tests.fixturelib import FIXTURES

SETTINGS = make_config().settings
PAYLOAD = "digitalriver.createSource({type: 'payPal', amount: 1, currency: 'USD'});"


def bodies(text: str, suffix: str) -> list[str]:
    tags = find_tags(text, suffix)
    return [text[s.body[0] : s.body[1]] for s in find_scripts(text, tags)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"<script>{PAYLOAD}</script>", [PAYLOAD], id="plain"),
        pytest.param(f"<SCRIPT type='module'>{PAYLOAD}</SCRIPT >", [PAYLOAD], id="module-caps"),
        pytest.param(f'<script src="dr.js">{PAYLOAD}</script>', [], id="src"),
        pytest.param(
            f'<script type="text/x-magento-template">{PAYLOAD}</script>', [], id="x-template"
        ),
        pytest.param('<script type="application/ld+json">{"a": 1}</script>', [], id="ld-json"),
        pytest.param(f"<!-- <script>{PAYLOAD}</script> -->", [], id="commented-out"),
        pytest.param(
            f"<script src=\"<?php echo $block->getUrl('x') ?>\"></script><script>{PAYLOAD}</script>",
            [PAYLOAD],
            id="php-tag-in-src",
        ),
        pytest.param(
            f"<?php echo '<script>evil()</script>' ?><script>{PAYLOAD}</script>",
            [PAYLOAD],
            id="script-markup-inside-a-tag",
        ),
    ],
)
def test_inline_script_bodies(text: str, expected: list[str]) -> None:
    assert bodies(text, ".phtml") == expected


@pytest.mark.parametrize(
    ("suffix", "js", "fills"),
    [
        pytest.param(".phtml", "amount: <?= $t ?>,", {"<?= $t ?>": "_"}, id="value"),
        pytest.param(
            ".phtml",
            "x = '<?php echo __('Edit') ?>';",
            {"<?php echo __('Edit') ?>": "_"},
            id="quotes-inside-a-string",
        ),
        pytest.param(
            ".phtml",
            "a();\n<?php if ($x): ?>\nb();",
            {"<?php if ($x): ?>": " "},
            id="control-is-blank",
        ),
        pytest.param(".phtml", "n = 10<?= $cents ?>;", {"<?= $cents ?>": "0"}, id="digits"),
        pytest.param(".phtml", "return <?= $json ?>;", {"<?= $json ?>": "_"}, id="after-return"),
        pytest.param(
            ".erb", "a = <%= @x %>; <% end %>", {"<%= @x %>": "_", "<% end %>": " "}, id="erb"
        ),
        pytest.param(
            ".isml",
            'a = ${p.x}; <isif condition="${a > 1}">',
            {"${p.x}": "_", '<isif condition="${a > 1}">': " "},
            id="isml",
        ),
        pytest.param(".page", "a = '{!JSENCODE(x)}';", {"{!JSENCODE(x)}": "_"}, id="visualforce"),
        pytest.param(
            ".twig",
            "a = {{ t|json_encode|raw }}; {# c #}",
            {"{{ t|json_encode|raw }}": "_", "{# c #}": " "},
            id="twig",
        ),
    ],
)
def test_masking(suffix: str, js: str, fills: dict[str, str]) -> None:
    masked = js
    for tag, fill in fills.items():
        masked = masked.replace(tag, fill * len(tag))
    text = f"<p>x</p>\n<script>{js}</script>\n"
    tags = find_tags(text, suffix)
    out, protected = mask(text, find_scripts(text, tags), tags)
    assert len(out) == len(text)
    start = text.index(js)
    assert out[start : start + len(js)] == masked
    assert out[:start].strip() == ""  # markup is blanked
    assert all(text[p0:p1] in js for p0, p1 in protected)


def test_non_ascii_and_crlf_keep_offsets() -> None:
    text = (
        "<p>caf\u00e9 \U0001f600</p>\r\n<script>\r\nvar t = '\u00e9';\r\n"
        + PAYLOAD
        + "\r\n</script>\r\n"
    )
    extraction = TemplateFrontEnd(".html").extract(text, SETTINGS)
    (site,) = extraction.sites
    assert text[site.call_span[0] : site.call_span[1]] == PAYLOAD[:-1]


def test_php_scripts_for_merging() -> None:
    text = f"<?php $a = ['type' => 'x']; ?>\n<script>{PAYLOAD}</script>\n"
    extraction = extract_php_scripts(text, SETTINGS)
    assert [s.source_type for s in extraction.sites] == ["payPal"]
    assert extraction.parser == "template+esprima"


def test_vue_typescript_goes_to_tree_sitter() -> None:
    text = f'<template><b>{{{{ x }}}}</b></template>\n<script setup lang="ts">\nconst n: number = 1;\n{PAYLOAD}\n</script>\n'
    extraction = TemplateFrontEnd(".vue").extract(text, SETTINGS)
    assert extraction.parser == "template+tree-sitter" and len(extraction.sites) == 1


def test_a_broken_block_does_not_hide_the_others() -> None:
    text = f"<script>var = ;</script>\n<script>{PAYLOAD}</script>\n"
    front = TemplateFrontEnd(".html")
    extraction = front.extract(text, SETTINGS)
    assert len(extraction.sites) == 1
    assert any("line 1 not read" in note for note in extraction.notes)
    assert front.parses(text)  # no more failing blocks than before


def test_no_script_no_sites() -> None:
    extraction = TemplateFrontEnd(".html").extract("<p>createSource</p>", SETTINGS)
    assert extraction.sites == ()


TEMPLATE_CASES = sorted(FIXTURES.glob("template-*/*/before.*"))


def _outside_scripts(text: str, suffix: str) -> list[str]:
    tags = find_tags(text, suffix)
    pieces, pos = [], 0
    for script in find_scripts(text, tags):
        pieces.append(text[pos : script.body[0]])
        pos = script.body[1]
    return [*pieces, text[pos:]]


@pytest.mark.parametrize("before", TEMPLATE_CASES, ids=[p.parent.name for p in TEMPLATE_CASES])
def test_js_fixes_leave_every_template_region_intact(before: Path) -> None:
    """Markup is byte-identical; each tag in a script is kept as it was or removed whole.

    Only the template front end's own edits are applied here: on `.php` / `.phtml` pages the PHP
    front end may also, rightly, edit a server-side array (even one inside a `<?= … ?>` tag).
    """
    suffix = before.suffix
    text = decode(before.read_bytes(), str(before)).text
    config = make_config()
    extraction = TemplateFrontEnd(suffix).extract(text, config.settings)
    result = analyze(
        extraction.sites,
        config.table,
        text,
        comments=extraction.comments,
        protected=extraction.protected,
        options=config.options,
    )
    fixed = splicer.apply(text, result.edits, extraction.protected)
    assert _outside_scripts(fixed, suffix) == _outside_scripts(text, suffix)
    kept = [fixed[t.span[0] : t.span[1]] for t in find_tags(fixed, suffix)]
    original = [text[t.span[0] : t.span[1]] for t in find_tags(text, suffix)]
    remaining = iter(original)
    assert all(tag in remaining for tag in kept)  # an in-order subsequence: nothing rewritten


def test_template_fixtures_exist() -> None:
    assert {p.suffix for p in TEMPLATE_CASES} >= {
        ".phtml",
        ".isml",
        ".page",
        ".erb",
        ".ejs",
        ".vue",
    }


@pytest.mark.parametrize(
    ("path", "text", "reason"),
    [
        pytest.param("src/checkout.js", PAYLOAD, None, id="source"),
        pytest.param(
            "web/js/checkout.min.js", PAYLOAD, "minified or bundled (by its name)", id="min"
        ),
        pytest.param(
            "a.js",
            PAYLOAD + "\n//# sourceMappingURL=a.js.map\n",
            "build output (it has a `sourceMappingURL` comment)",
            id="source-map",
        ),
        pytest.param(
            "dist/app.js",
            "__webpack_require__(1);" + PAYLOAD,
            "build output (a webpack bundle: `__webpack_require__`)",
            id="webpack",
        ),
        pytest.param(
            "a.js", "var a=1,b=2;function f(c){return c+a}" * 1000,
            "minified (a line of 37,000 characters; 100% of the code in dense lines)", id="dense-code"
        ),
        pytest.param(  # one long line of inline i18n text in a hand-written file: not minified
            "i18n.js", "var msgs = {" + ", ".join(f'"k{i}": "Bitte geben Sie eine Nummer ein {i}"' for i in range(600))
            + "};\n" + "\n".join(f"function f{i}(a) {{\n  return a + {i};\n}}" for i in range(60)),
            None, id="one-long-line-of-strings"
        ),
        pytest.param(
            "node_modules/x/index.js",
            PAYLOAD,
            "vendored or deployed copy (under node_modules/)",
            id="node-modules",
        ),
        pytest.param(
            "pub/static/frontend/x.js",
            PAYLOAD,
            "vendored or deployed copy (under pub/static/)",
            id="magento-static",
        ),
        # content, not names: a merchant's own checkout code named like the library is read
        pytest.param("vendor/DigitalRiver.js", PAYLOAD, None, id="library-name-alone"),
        pytest.param("js/digitalriver.min.js", PAYLOAD, "minified or bundled (by its name)", id="min-name"),
        pytest.param(
            "lib.js",
            "/* js.digitalriverws.com */ a.createSource=function(e){};" * 400,
            LIBRARY,
            id="library-content-minified",
        ),
        pytest.param(
            "vendor/anything.js",
            "// https://api.digitalriverws.com\nDigitalRiver.prototype.createSource = function (a, b) {\n"
            "  return post('/sources', b);\n};\nDigitalRiver.prototype.createElement = function (t, o) {\n};\n"
            "DigitalRiver.prototype.retrieveSource = function (id) {\n};\n",
            LIBRARY,
            id="library-content-readable",
        ),
        pytest.param(
            "wrapper.js",
            "// https://js.digitalriverws.com/v1/DigitalRiver.js\n"
            "class Pay { createSource(data) { return this.dr.createSource(data) } }",
            None,
            id="own-wrapper-is-source",
        ),
    ],
)
def test_bundle_classification(path: str, text: str, reason: str | None) -> None:
    assert classify(path, text) == reason


def test_the_walks_template_suffixes_are_the_front_ends() -> None:
    """`runner.reads` answers from a copy of the suffix list (the walk must not import the front end)."""
    from drmigrate.frontends.templates import TEMPLATE_EXTENSIONS
    from drmigrate.runner import TEMPLATE_SUFFIXES

    assert TEMPLATE_SUFFIXES == TEMPLATE_EXTENSIONS
