"""The tree-sitter-php front end: which arrays are payloads, exact spans, writes, comments, errors."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drmigrate.frontends import ParseError, Settings
from drmigrate.frontends.php import PhpFrontEnd, is_expression
from drmigrate.model import ObjectLit, PayloadSite
from drmigrate.rules import bundled_table
from tests.fixturelib import SETTINGS, cut

TABLE = bundled_table()
FRONT = PhpFrontEnd()


# The short variable names these tests use count as payload names here (the `server-payload-names`
# setting); what else ties a literal to Digital River is tested in test_payload_evidence.
NAMED = replace(SETTINGS, payload_names=("d", "p", "x"))


def extract(text: str, settings: Settings = NAMED) -> tuple[PayloadSite, ...]:
    return FRONT.extract(text, settings).sites


def assert_exact(text: str, lit: ObjectLit) -> None:
    """Every span slices the text it names: the engine splices on them without re-reading."""
    body = cut(text, lit.span)
    assert body.startswith(("[", "array(", "array (")) and body.endswith(("]", ")")), body
    for prop in lit.props:
        assert cut(text, prop.key_span) == f"{prop.key_quote}{prop.key}{prop.key_quote}"
        assert prop.span == (prop.key_span[0], prop.value_span[1])
        assert "=>" in text[prop.key_span[1]:prop.value_span[0]]
        assert lit.span[0] < prop.span[0] and prop.span[1] < lit.span[1]
        if prop.string_value is not None:
            assert cut(text, prop.value_span)[1:-1] == prop.string_value
        if prop.value is not None:
            assert prop.value.span == prop.value_span
            assert_exact(text, prop.value)


MAGENTO = """\
<?php
/**
 * Builds the PayPal source payload for the checkout page.
 */
namespace Vendor\\DigitalRiver\\Controller\\Checkout;

class SourceData extends \\Magento\\Framework\\App\\Action\\Action
{
    public function execute()
    {
        $quote = $this->session->getQuote();
        $data = [
            'type' => 'payPal',
            'amount' => $quote->getGrandTotal(), // legacy
            "currency" => $quote->getQuoteCurrencyCode(),
            'payPal' => array(
                'returnUrl' => $this->url->getUrl('dr/paypal/success'),
                'items' => $this->items($quote),
                'taxAmount' => $quote->getTax(),
            ),
        ];
        # shipping is only known after the address step
        $data['payPal']['shippingAmount'] = $quote->getShipping();
        return $this->json->setData($data);
    }
}
"""


def test_magento_array_is_one_site_with_exact_spans() -> None:
    (site,) = extract(MAGENTO)
    assert site.source_type == "payPal"
    assert site.language == "php" and site.origin == "php-array"
    (lit,) = site.parts
    assert site.call_span == lit.span
    assert cut(MAGENTO, site.type_span) == "'type' => 'payPal'"
    assert [p.key for p in lit.props] == ["type", "amount", "currency", "payPal"]
    assert_exact(MAGENTO, lit)
    currency = lit.get("currency")
    assert currency is not None and currency.key_quote == '"'
    paypal = lit.get("payPal")
    assert paypal is not None and paypal.value is not None
    assert cut(MAGENTO, paypal.value_span).startswith("array(")
    assert [p.key for p in paypal.value.props] == ["returnUrl", "items", "taxAmount"]
    (write,) = site.writes
    assert write.path == ("payPal", "shippingAmount") and write.removable
    assert cut(MAGENTO, write.span) == "$data['payPal']['shippingAmount'] = $quote->getShipping();"


def test_comments_of_every_kind_are_spans() -> None:
    text = "<?php\n// a\n# b\n/* c */ $x = 1; /** d */\n#[Attr]\nfunction f() {}\n"
    comments = FRONT.extract(text, SETTINGS).comments
    assert [cut(text, c) for c in comments] == ["// a", "# b", "/* c */", "/** d */"]
    assert [cut(MAGENTO, c) for c in FRONT.extract(MAGENTO, SETTINGS).comments] == [
        "/**\n * Builds the PayPal source payload for the checkout page.\n */",
        "// legacy",
        "# shipping is only known after the address step",
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<?php $d = ['type' => 'payPal', 'amount' => 1];", id="short"),
        pytest.param("<?php $d = array('type' => 'payPal', 'amount' => 1);", id="long"),
        pytest.param("<?php $d = ARRAY ( 'type'=>'payPal' , 'amount'=>1 ) ;", id="odd-spacing"),
        pytest.param("<?php $d = ['type' => \"payPal\", \"amount\" => 1,];", id="double-quoted"),
        pytest.param("<p>ü€😀</p><?php $d = ['type' => 'payPal', 'amount' => 'é€'];", id="multibyte"),
        pytest.param("<?php\r\n$x = 'ü';\r\n$d = [\r\n  'type' => 'payPal',\r\n  'amount' => 1,\r\n];\r\n",
                     id="crlf"),
        pytest.param("\ufeff<?php $d = ['type' => 'payPal', 'amount' => 1];", id="bom"),
        pytest.param("<?php $d = ['ty\\pe' => 'payPal', 'type' => 'pay\\x50al', 'amount' => 1];",
                     id="escapes-not-decoded-in-single-quotes"),
    ],
)
def test_offsets_are_str_indices_of_the_exact_input(text: str) -> None:
    sites = extract(text)
    if "x50" in text:
        assert sites == ()  # '\x50' is four characters in single quotes: not "payPal"
        return
    (site,) = sites
    (lit,) = site.parts
    assert cut(text, lit.span).lower().startswith(("[", "array"))
    type_prop = lit.get("type")
    assert type_prop is not None and type_prop.string_value == "payPal"
    amount = lit.get("amount")
    assert amount is not None
    key = cut(text, amount.key_span)
    assert key in ("'amount'", '"amount"') and key[0] == amount.key_quote


def test_double_quoted_escapes_are_decoded() -> None:
    text = '<?php $d = ["type" => "pay\\x50al", "\\u{61}mount" => 1];'
    (site,) = extract(text)
    assert site.source_type == "payPal"
    assert [p.key for p in site.parts[0].props] == ["type", "amount"]


def test_spread_and_positional_entries_are_opaque() -> None:
    text = "<?php $d = [...$base, 'type' => 'payPal', 'amount' => 1, SESSION_KEY => $s];"
    (site,) = extract(text)
    assert site.opaque == ("...$base", "SESSION_KEY => $s")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<?php $s = ['type' => 'card', 'owner' => ['name' => $n], 'amount' => 1];",
                     id="stripe-card"),
        pytest.param(
            "<?php $s = ['type' => 'ideal', 'amount' => 1099, 'currency' => 'eur',"
            " 'redirect' => ['return_url' => $u]];",
            id="stripe-ideal-shares-a-dr-type",
        ),
        pytest.param(
            "<?php $b = ['type' => 'customerCredit', 'amount' => 10, 'paymentSessionId' => $sid];",
            id="rest-customer-credit",
        ),
        pytest.param("<?php $c = ['type' => 'redis', 'amount' => 3];", id="config-not-a-dr-type"),
        pytest.param(
            "<?php $m = [['type' => 'payPal', 'label' => __('PayPal')], "
            "['type' => 'klarnaCredit', 'label' => 'Klarna']];",
            id="ui-list",
        ),
        pytest.param("<?php $d = ['type' => $type, 'amount' => 1];", id="type-not-a-literal"),
        pytest.param("<?php $d = ['type' => \"pay{$x}\", 'amount' => 1];", id="interpolated-type"),
        pytest.param("<?php // $d = ['type' => 'payPal', 'amount' => 1];\n", id="commented-out"),
        pytest.param("<p>['type' => 'payPal', 'amount' => 1]</p>", id="html-text"),
        pytest.param(
            "<?php ?><script>var p = {type: 'payPal', amount: 1};</script>", id="script-is-not-php"
        ),
        pytest.param("<?php $d = json_decode('{\"type\": \"payPal\", \"amount\": 1}');",
                     id="json-in-a-string"),
    ],
)
def test_look_alikes_give_no_sites(text: str) -> None:
    assert extract(text) == ()


WRITES = """\
<?php
function build($cart, $flag) {
    $data = ['type' => 'payPal', 'payPal' => []];
    $data['amount'] = $cart->total;
    $data['payPal']['items'][] = $line;
    $data['payPal']['items'][0]['sku'] = 'x';
    $data["currency"] .= '';
    if ($flag) {
        $data['currency'] = 'USD';
    }
    if ($flag) $data['amount'] = 2;
    $data['amount'] = 3; $other = 1; // trailing
    $other['amount'] = 4;
    $data->amount = 5;
    return $data;
}

function elsewhere($data) {
    $data['amount'] = 6;
}
"""


def test_writes_in_the_same_function_reach_the_payload() -> None:
    (site,) = extract(WRITES)
    got = [(w.path, w.removable, cut(WRITES, w.span), w.string_value) for w in site.writes]
    assert got == [
        (("amount",), False, "$data['amount'] = $cart->total;", None),
        (("payPal", "items"), True, "$data['payPal']['items'][] = $line;", None),
        (("payPal", "items"), True, "$data['payPal']['items'][0]['sku'] = 'x';", "x"),
        (("currency",), True, "$data[\"currency\"] .= '';", ""),
        (("currency",), True, "$data['currency'] = 'USD';", "USD"),
        (("amount",), False, "$data['amount'] = 2;", None),
        (("amount",), False, "$data['amount'] = 3;", None),
    ]
    assert site.writes[5].why_not == "the write is the body of a statement without braces"
    # one `amount` write cannot go, so none of them goes: the rest would half-migrate the key
    assert site.writes[0].why_not == "another write to `amount` cannot be removed"


def test_reassignment_stops_writes_and_branches_share_them() -> None:
    text = """<?php
if ($a) {
    $p = ['type' => 'payPal', 'amount' => 1];
} else {
    $p = ['type' => 'klarnaCredit', 'amount' => 1];
}
$p['currency'] = 'EUR';
$p = [];
$p['amount'] = 2;
"""
    first, second = extract(text)
    assert [w.path for w in first.writes] == [("currency",)]
    assert [w.path for w in second.writes] == [("currency",)]


def test_member_variable_and_template_blocks() -> None:
    text = """<html><?php $this->p = ['type' => 'payPal', 'amount' => 1]; ?>
<b>x</b>
<?php if ($x): ?><i>y</i><?php $this->p['currency'] = 'EUR'; endif; ?>
"""
    (site,) = extract(text)
    (write,) = site.writes
    assert write.path == ("currency",) and write.removable


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<?php\n$a = [ 'x' => ;\n", id="missing-value"),
        pytest.param("<?php\nfunction f() { $a = ['type' => 'payPal'] }\n", id="missing-semicolon"),
        pytest.param("<?php\n$a = ['é' => 1, 'b' => 2\n", id="unclosed"),
    ],
)
def test_parse_errors_are_one_line(text: str) -> None:
    with pytest.raises(ParseError) as info:
        FRONT.extract(text, SETTINGS)
    message = str(info.value)
    assert "\n" not in message and message.startswith("line 2, column ")
    assert not FRONT.parses(text)


def test_parses_accepts_valid_php_and_html() -> None:
    assert FRONT.parses(MAGENTO)
    assert FRONT.parses("<html><body><?= $x ?></body></html>")
    assert FRONT.name == "tree-sitter-php"


@pytest.mark.parametrize(
    ("expr", "ok"),
    [
        pytest.param("$this->checkoutSession->getDrPaymentSessionId()", True, id="method-call"),
        pytest.param("$checkout['payment']['session']['id']", True, id="subscripts"),
        pytest.param('Mage::getSingleton("checkout/session")->getDrSessionId()', True, id="static"),
        pytest.param("1; exit()", False, id="two-statements"),
        pytest.param("$a // note", False, id="comment"),
        pytest.param("$a ?>", False, id="closing-tag"),
        pytest.param("$a +", False, id="half"),
        pytest.param("", False, id="empty"),
    ],
)
def test_is_expression_validates_the_session_id_setting(expr: str, ok: bool) -> None:
    assert is_expression(expr) is ok


def test_snake_case_metadata_does_not_hide_a_payload() -> None:
    # Stripe's snake_case keys mark a look-alike, but a merchant's own metadata may use any style
    text = "<?php\n$d = ['type' => 'payPal', 'amount' => 1, 'metadata' => ['order_id' => 7]];\n"
    assert [s.source_type for s in extract(text)] == ["payPal"]
    stripe = "<?php\n$d = ['type' => 'ideal', 'amount' => 1, 'owner' => ['address' => ['postal_code' => 1]]];\n"
    assert extract(stripe) == ()


@pytest.mark.parametrize(("body", "when"), [
    pytest.param("$d = ['type' => 'payPal', 'payPal' => []];\nif ($s) { $d['sessionId'] = $s; }",
                 "$d['sessionId'] = $s;", id="if-branch"),
    pytest.param("$d = ['type' => 'payPal', 'payPal' => []];\nif (!$s) { $d['amount'] = 1; } else { $d['sessionId'] = $s; }",
                 "$d['sessionId'] = $s;", id="else-branch"),
    pytest.param("$d = ['type' => 'payPal', 'payPal' => []];\nforeach ($ids as $s) { $d['sessionId'] = $s; }",
                 "$d['sessionId'] = $s;", id="loop"),
    pytest.param("$d = ['type' => 'payPal', 'sessionId' => $s ?: null, 'payPal' => []];", "'sessionId' => $s ?: null",
                 id="elvis-null"),
    pytest.param("$d = ['type' => 'payPal', 'sessionId' => $s ?? '', 'payPal' => []];", "'sessionId' => $s ?? ''",
                 id="coalesce-empty"),
    pytest.param("$d = ['type' => 'payPal', 'sessionId' => $s ? $s : $fallback, 'payPal' => []];", None,
                 id="both-branches-give-an-id"),
    pytest.param("$d = ['type' => 'payPal', 'payPal' => []];\nif ($s) { $x = 1; }\n$d['sessionId'] = $s;", None,
                 id="always-written"),
    pytest.param("$d = ['type' => 'payPal', 'payPal' => []];\nif ($d['sessionId'] = $s) { log(1); }", None,
                 id="written-in-the-condition"),
])
def test_a_session_id_set_on_some_paths_only_is_marked(body: str, when: str | None) -> None:
    text = f"<?php\nfunction p($s, $fallback) {{\n{body}\necho json_encode($d);\n}}\n"
    sites = FRONT.extract(text, SETTINGS).sites
    assert len(sites) == 1
    found = sites[0].session_when
    assert (cut(text, found) if found is not None else None) == when
