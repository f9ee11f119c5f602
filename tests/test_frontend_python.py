"""The libcst front end: which dicts are payloads, exact spans, writes, comments, parse errors."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from drmigrate.edits import apply
from drmigrate.engine import Options, analyze
from drmigrate.frontends import ParseError, Settings
from drmigrate.frontends.python_cst import PythonFrontEnd, is_expression
from drmigrate.model import ObjectLit, PayloadSite
from drmigrate.rules import bundled_table
from drmigrate.runner import front_end_for, make_config, process_text
from tests.fixturelib import SETTINGS, Case, cases, cut, read

TABLE = bundled_table()
FRONT = PythonFrontEnd()


# The short variable names these tests use count as payload names here (the `server-payload-names`
# setting); what else ties a literal to Digital River is tested in test_payload_evidence.
NAMED = replace(SETTINGS, payload_names=("p", "q", "x"))


def extract(text: str, settings: Settings = NAMED) -> tuple[PayloadSite, ...]:
    return FRONT.extract(text, settings).sites


def assert_exact(text: str, lit: ObjectLit) -> None:
    """Every span slices the text it names: the engine splices on them without re-reading."""
    body = cut(text, lit.span)
    assert body.startswith(("{", "dict(")) and body.endswith(("}", ")")), body
    for prop in lit.props:
        key = cut(text, prop.key_span)
        assert key == f"{prop.key_quote}{prop.key}{prop.key_quote}" or key.endswith(
            f"{prop.key_quote}{prop.key}{prop.key_quote}"
        ), key
        assert prop.span == (prop.key_span[0], prop.value_span[1])
        assert lit.span[0] < prop.span[0] and prop.span[1] < lit.span[1]
        if prop.string_value is not None:
            assert prop.string_value in cut(text, prop.value_span)
        if prop.value is not None:
            assert prop.value.span == prop.value_span
            assert_exact(text, prop.value)


DJANGO_VIEW = '''\
import json

from django.shortcuts import render


def checkout(request):
    cart = request.cart
    # the page passes this straight to createSource
    payload = {
        "type": "payPal",
        "amount": cart.total,
        'currency': cart.currency,  # ISO code
        "payPal": {
            "returnUrl": request.build_absolute_uri("/paypal/return"),
            "cancelUrl": request.build_absolute_uri("/paypal/cancel"),
            "items": [line.as_dict() for line in cart.lines],
            "taxAmount": cart.tax,
        },
    }
    payload["payPal"]["shippingAmount"] = cart.shipping
    return render(request, "checkout.html", {"payload": json.dumps(payload)})
'''


def test_django_view_dict_is_one_site_with_exact_spans() -> None:
    (site,) = extract(DJANGO_VIEW)
    assert site.source_type == "payPal"
    assert site.language == "python" and site.origin == "python-dict"
    (lit,) = site.parts
    assert site.call_span == lit.span
    assert cut(DJANGO_VIEW, site.type_span) == '"type": "payPal"'
    assert [p.key for p in lit.props] == ["type", "amount", "currency", "payPal"]
    assert_exact(DJANGO_VIEW, lit)
    currency = lit.get("currency")
    assert currency is not None and currency.key_quote == "'"
    assert cut(DJANGO_VIEW, currency.span) == "'currency': cart.currency"
    paypal = lit.get("payPal")
    assert paypal is not None and paypal.value is not None
    assert [p.key for p in paypal.value.props] == ["returnUrl", "cancelUrl", "items", "taxAmount"]
    items = paypal.value.get("items")
    assert items is not None and items.value is None  # a list is no hash
    (write,) = site.writes
    assert write.path == ("payPal", "shippingAmount") and write.removable
    assert cut(DJANGO_VIEW, write.span) == 'payload["payPal"]["shippingAmount"] = cart.shipping'


def test_comments_are_reported_as_spans() -> None:
    comments = FRONT.extract(DJANGO_VIEW, SETTINGS).comments
    assert [cut(DJANGO_VIEW, c) for c in comments] == [
        "# the page passes this straight to createSource",
        "# ISO code",
    ]


def test_dict_call_uses_keywords_without_quotes_and_equals() -> None:
    text = 'data = dict(type="klarnaCredit", amount=total, klarnaCredit=dict(items=[], locale="de_DE"))\n'
    (site,) = extract(text)
    (lit,) = site.parts
    assert cut(text, lit.span) == text[len("data = "):-1]
    type_prop = lit.get("type")
    assert type_prop is not None and type_prop.key_quote == ""
    assert cut(text, type_prop.key_span) == "type"
    assert text[type_prop.key_span[1]:type_prop.value_span[0]] == "="
    assert_exact(text, lit)
    hash_prop = lit.get("klarnaCredit")
    assert hash_prop is not None and hash_prop.value is not None
    assert [p.key for p in hash_prop.value.props] == ["items", "locale"]


def test_spread_is_opaque_so_session_id_may_already_be_there() -> None:
    text = 'p = {**base, "type": "payPal", "amount": 1}\nq = dict(defaults, type="payPal", amount=1)\n'
    first, second = extract(text)
    assert first.opaque == ("**base",)
    assert second.opaque == ("defaults",)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('x = {"type": "ü€😀", "a": "é"}\np = {"type": "payPal", "amount": "€1"}\n',
                     id="non-ascii-before"),
        pytest.param('x = 1\r\np = {\r\n    "type": "payPal",\r\n    "amount": 1,\r\n}\r\n', id="crlf"),
        pytest.param('\ufeffx = "é"\np = {"type": "payPal", "amount": 1}\n', id="bom"),
        pytest.param('x = """a\rb"""\np = {"type": "payPal", "amount": 1}\n', id="lone-cr-in-string"),
        pytest.param('x = """a\r\nb"""\np = {"type": "payPal", "amount": 1}\n', id="crlf-in-lf-file"),
        pytest.param('x = "a\\\r\nb"\np = {"type": "payPal", "amount": 1}\n', id="crlf-continuation"),
        pytest.param('x = """a\u2028b\x0c"""\np = {"type": "payPal", "amount": 1}\n', id="not-newlines"),
        pytest.param('x = 1\rp = {"type": "payPal", "amount": 1}\r', id="cr-only-lines"),
        pytest.param('p = ({"type": ("payPal"), "amount": 1})\n', id="parenthesized"),
    ],
)
def test_offsets_are_str_indices_of_the_exact_input(text: str) -> None:
    (site,) = extract(text)
    (lit,) = site.parts
    assert_exact(text, lit)
    amount = lit.get("amount")
    assert amount is not None and cut(text, amount.span).startswith('"amount": ')
    type_prop = lit.get("type")
    assert type_prop is not None and type_prop.string_value == "payPal"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('s = {"type": "card", "owner": {"name": n}, "amount": 1}\n', id="stripe-card"),
        pytest.param(
            's = {"type": "ideal", "amount": 1099, "currency": "eur",\n'
            '     "redirect": {"return_url": url}}\n',
            id="stripe-ideal-shares-a-dr-type",
        ),
        pytest.param(
            's = {"type": "alipay", "amount": 1, "currency": "usd", "owner": {"postal_code": z}}\n',
            id="stripe-snake-case-keys",
        ),
        pytest.param(
            'body = {"type": "customerCredit", "amount": 10, "paymentSessionId": sid}\n',
            id="rest-customer-credit",
        ),
        pytest.param(
            'body = {"type": "payPal", "amount": 10, "paymentSessionId": sid}\n',
            id="rest-body-with-dr-type",
        ),
        pytest.param('LOGGING = {"type": "file", "amount": 3}\n', id="config-not-a-dr-type"),
        pytest.param(
            'METHODS = [{"type": "payPal", "label": "PayPal"}, {"type": "klarnaCredit", "label": "K"}]\n',
            id="ui-list",
        ),
        pytest.param('x = {"type": kind, "amount": 1}\n', id="type-not-a-literal"),
        pytest.param('x = {"type": f"payPal", "amount": 1}\n', id="f-string-type"),
        pytest.param('x = {"type": b"payPal", "amount": 1}\n', id="bytes-type"),
        pytest.param('# p = {"type": "payPal", "amount": 1}\n', id="commented-out"),
        pytest.param('"""p = {"type": "payPal", "amount": 1}"""\n', id="in-a-docstring"),
        pytest.param('x = mydict(type="payPal", amount=1)\n', id="other-callable"),
    ],
)
def test_look_alikes_give_no_sites(text: str) -> None:
    assert extract(text) == ()


@pytest.mark.parametrize(
    ("text", "payload"),
    [
        pytest.param('p = {"type": "payPal", "sessionId": sid}\n', True, id="sessionId"),
        pytest.param('p = {"type": "klarnaCredit", "klarnaCredit": {}}\n', True, id="own-hash"),
        pytest.param('p = {"type": "payPalBilling", "payPal": {"x": 1}}\n', True, id="paypal-hash"),
        pytest.param('p = {"type": "onlineBanking", "extra": {"returnUrl": u}}\n', True, id="returnUrl"),
        pytest.param('p = {"type": "konbini", "currency": "JPY"}\n', False, id="currency-alone"),
        pytest.param('p = {"type": "creditCard", "owner": o}\n', False, id="owner-alone"),
        pytest.param('p = {"type": "konbini", "currency": "JPY"}\nout = json.dumps(p)\n', True,
                     id="serialized-by-name"),
        pytest.param('def f():\n    return {"type": "konbini", "amount": 1}\n', True, id="returned"),
        pytest.param('r = JsonResponse({"type": "konbini", "amount": 1})\n', True, id="serialized"),
        pytest.param('source_data = {"type": "konbini", "amount": 1}\n', True, id="payload-name"),
        pytest.param('x = json.dumps([{"type": "payPal", "currency": "USD"}])\n', False,
                     id="in-a-list-even-serialized"),
        pytest.param('x = json.dumps({"type": "payPal", "label": "PayPal", "currency": "USD"})\n', False,
                     id="ui-keys"),
        pytest.param('CHOICES = [{"type": "payPal", "label": "PayPal", "currency": "USD"}]\n', False,
                     id="issue-ui-choices"),
    ],
)
def test_payload_evidence(text: str, payload: bool) -> None:
    """A `type` alone is not enough: the method's hash, a sessionId, or a payload key in a literal
    that is serialized for the page, returned, or bound to a payload name."""
    sites = extract(text, SETTINGS)
    assert bool(sites) is payload
    for site in sites:
        assert_exact(text, site.parts[0])


def test_payload_names_setting_adds_names() -> None:
    text = 'checkout_blob = {"type": "konbini", "currency": "JPY"}\n'
    assert extract(text, SETTINGS) == ()
    (site,) = extract(text, replace(SETTINGS, payload_names=("*_blob",)))
    assert site.source_type == "konbini"


WRITES = '''\
def build(cart, flag):
    payload = {"type": "payPal", "payPal": {}}
    payload["amount"] = cart.total
    payload["payPal"]["items"] = []
    payload["payPal"]["items"].append(line)
    payload["payPal"]["items"][0]["x"] = 1
    payload["currency"] += ""
    if flag:
        payload["currency"] = "USD"
    if flag: payload["amount"] = 2
    payload["amount"] = 3; other = 1
    other["amount"] = 4
    payload.amount = 5
    return payload


def elsewhere(payload):
    payload["amount"] = 6
'''


def test_writes_in_the_same_function_reach_the_payload() -> None:
    (site,) = extract(WRITES)
    got = [(w.path, w.removable, cut(WRITES, w.span), w.why_not) for w in site.writes]
    assert got == [
        (("amount",), False, 'payload["amount"] = cart.total', "another write to `amount` cannot be removed"),
        (("payPal", "items"), True, 'payload["payPal"]["items"] = []', ""),
        (("payPal", "items"), True, 'payload["payPal"]["items"].append(line)', ""),
        (("payPal", "items"), True, 'payload["payPal"]["items"][0]["x"] = 1', ""),
        (("currency",), True, 'payload["currency"] += ""', ""),
        # alone in its `if`, it goes with the `if` (the `+=` above still keeps the key: it reads it)
        (("currency",), True, 'payload["currency"] = "USD"', ""),
        (("amount",), False, 'payload["amount"] = 2', "the write is the body of a one-line block"),
        (("amount",), False, 'payload["amount"] = 3',
         "the write shares its line with another statement"),
    ]


def test_writes_to_one_key_stand_or_fall_together() -> None:
    text = """\
def f(cart):
    p = {"type": "payPal", "payPal": {}}
    p["payPal"]["items"] = []
    for line in cart.lines():
        p["payPal"]["items"].append(line)
    p["amount"] = cart.total
"""
    (site,) = extract(text)
    got = [(w.path, w.removable, w.why_not) for w in site.writes]
    assert got == [
        (("payPal", "items"), False, "another write to `payPal.items` cannot be removed"),
        (("payPal", "items"), False, "the write is the only statement of its block"),
        (("amount",), True, ""),
    ]
    text = text.replace("        p[\"payPal\"][\"items\"].append(line)\n",
                        "        p[\"payPal\"][\"items\"].append(line)\n        p[\"amount\"] = line.total\n")
    (site,) = extract(text)  # the loop's two writes are its whole block: they stay, and so does the first
    assert [(w.path, w.removable) for w in site.writes] == [
        (("payPal", "items"), False), (("payPal", "items"), False), (("amount",), False), (("amount",), False)]


def test_a_loop_that_only_walks_a_list_goes_with_its_writes() -> None:
    text = """\
def f(cart):
    p = {"type": "payPal", "payPal": {}}
    p["payPal"]["items"] = []
    for line in cart.lines:
        p["payPal"]["items"].append(line)
    if cart.shipping:
        if cart.ship_to:
            p["payPal"]["shipping"] = cart.ship_to
    return json.dumps(p)
"""
    outcome = process_text(text, "a.py", make_config(options=Options(session_id={"python": "sid"})), fix=True)
    assert not outcome.error and not outcome.findings, outcome.findings
    assert outcome.fixed == ('def f(cart):\n    p = {"type": "payPal", "sessionId": sid, "payPal": {}}\n'
                             '    return json.dumps(p)\n')


def test_a_block_that_would_be_left_empty_keeps_its_writes() -> None:
    text = """\
def f(cart):
    p = {"type": "payPal", "payPal": {}}
    for line in cart.lines():
        p["amount"] = line.total
        p["currency"] = line.currency
    return json.dumps(p)
"""
    outcome = process_text(text, "a.py", make_config(options=Options(session_id={"python": "sid"})), fix=True)
    assert not outcome.error and outcome.fixed is not None and 'p["amount"] = line.total' in outcome.fixed
    refused = [f for f in outcome.findings if f.code == "DR202"]
    assert len(refused) == 2 and all("leave their block empty" in f.message for f in refused)
    assert not [f for f in outcome.findings if f.code == "DR203"]  # planned, not caught by the guard


def test_write_string_value_and_trailing_semicolon() -> None:
    text = 'p = {"type": "payPal", "amount": 1}\np["currency"] = "EUR";\n'
    (site,) = extract(text)
    (write,) = site.writes
    assert write.string_value == "EUR"
    assert cut(text, write.span) == 'p["currency"] = "EUR";'


def test_reassignment_stops_writes_and_branches_share_them() -> None:
    text = '''\
def f(a):
    if a:
        p = {"type": "payPal", "amount": 1}
    else:
        p = {"type": "klarnaCredit", "amount": 1}
    p["currency"] = "EUR"
    p = {}
    p["amount"] = 2
'''
    first, second = extract(text)
    assert [w.path for w in first.writes] == [("currency",)]
    assert [w.path for w in second.writes] == [("currency",)]


def test_writes_before_the_payload_do_not_reach_it_and_writes_in_other_scopes_stay() -> None:
    text = '''\
p["amount"] = 0
p = {"type": "payPal", "amount": 1}
def g():
    p["amount"] = 2
class C:
    p["amount"] = 3
'''
    (site,) = extract(text)
    # the first write runs before the payload exists; g and C's body write the module's `p`
    # (Python names not bound in a function are global) at a time drmigrate cannot order
    assert [(w.path, w.removable) for w in site.writes] == [(("amount",), False), (("amount",), False)]
    assert all("inside a function" in w.why_not for w in site.writes)


def test_attribute_variable() -> None:
    text = 'class V:\n    def f(self):\n        self.p = {"type": "payPal", "amount": 1}\n' \
           '        self.p["currency"] = "EUR"\n'
    (site,) = extract(text)
    assert [w.path for w in site.writes] == [("currency",)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('def f(:\n    return {"type": "payPal", "amount": 1}\n', id="bad-params"),
        pytest.param('p = {"type": "payPal",\n', id="unclosed"),
        pytest.param('x = )\np = {"type": "payPal", "amount": 1}\n', id="stray-paren"),
    ],
)
def test_parse_errors_are_one_line(text: str) -> None:
    with pytest.raises(ParseError) as info:
        FRONT.extract(text, SETTINGS)
    message = str(info.value)
    assert "\n" not in message and message.startswith("line ")
    assert not FRONT.parses(text)


def test_files_naming_no_dr_type_are_not_parsed() -> None:
    """libcst is slow (~50 KB/s with positions): a file with no quoted DR type is skipped unread."""
    broken = "def f(:\n    return {'type': 'card'}\n"
    assert FRONT.extract(broken, SETTINGS).sites == ()
    assert not FRONT.parses(broken)  # the re-parse guard always parses


def test_parses_accepts_valid_python() -> None:
    assert FRONT.parses(DJANGO_VIEW)
    assert FRONT.name == "libcst"


def test_no_dr_types_no_sites() -> None:
    assert FRONT.extract(DJANGO_VIEW, Settings()).sites == ()



@pytest.mark.parametrize(
    ("expr", "ok"),
    [
        pytest.param("checkout.payment_session_id", True, id="attribute"),
        pytest.param('request.session["dr_checkout"]["payment"]["session"]["id"]', True, id="subscripts"),
        pytest.param('session["#id"]', True, id="hash-in-a-string"),
        pytest.param("(a, b)", True, id="parenthesized-tuple"),
        pytest.param("a, b", False, id="bare-tuple"),
        pytest.param('"s"  # note', False, id="comment"),
        pytest.param("x = 1", False, id="statement"),
        pytest.param("f(", False, id="unclosed"),
        pytest.param("", False, id="empty"),
    ],
)
def test_is_expression_validates_the_session_id_setting(expr: str, ok: bool) -> None:
    assert is_expression(expr) is ok

# --- both server-side front ends on their fixtures: nothing outside a payload changes ---------

SERVER_CASES = [c for c in cases() if c.id.split("/")[0].startswith(("python-", "php-"))]


def _write_line(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A removed write takes its line with it: the region is the whole line(s)."""
    start = text.rfind("\n", 0, span[0]) + 1
    end = text.find("\n", span[1])
    return start, len(text) if end < 0 else end + 1


@pytest.mark.parametrize("case", SERVER_CASES, ids=[c.id for c in SERVER_CASES])
def test_server_fixture_edits_touch_only_payloads(case: Case) -> None:
    text = read(case.before)
    config = case.config()
    front = front_end_for(str(case.before))
    assert front is not None
    extraction = front.extract(text, config.settings)
    result = analyze(extraction.sites, config.table, text, comments=extraction.comments,
                     options=config.options)
    regions = [s.call_span for s in extraction.sites]
    regions += [_write_line(text, w.span) for s in extraction.sites for w in s.writes]
    # an `if` that only held removed writes goes with them (no debris)
    regions += [_write_line(text, w.enclosure.span) for s in extraction.sites for w in s.writes
                if w.enclosure is not None]
    for edit in result.edits:
        assert any(r0 <= edit.start and edit.end <= r1 for r0, r1 in regions), edit
    fixed = apply(text, result.edits)
    if not result.edits:
        assert not case.after.exists()
        return
    first = min(e.start for e in result.edits)
    last = max(e.end for e in result.edits)
    assert fixed.startswith(text[:first]) and fixed.endswith(text[last:])
    assert case.after.read_bytes() == fixed.encode("utf-8")  # line endings kept, byte for byte
    if "\r\n" in text:
        assert fixed.count("\n") == fixed.count("\r\n")


def test_server_fixtures_cover_both_languages_and_look_alikes() -> None:
    tops = {c.id.split("/")[0] for c in SERVER_CASES}
    assert {"python-django-view", "python-flask-view", "php-magento-controller",
            "php-helper-sessionid", "python-lookalike", "php-lookalike"} <= tops
    unchanged = [c for c in SERVER_CASES if not c.after.exists()]
    assert {c.id.split("/")[0] for c in unchanged} >= {"python-lookalike", "php-lookalike"}
    # a server case that stays unchanged is a look-alike, or has nothing a fix may apply (a
    # dual-mode builder, DR205; one already migrated)
    for case in unchanged:
        if case.id.split("/")[0] not in ("python-lookalike", "php-lookalike"):
            findings = json.loads(case.expected.read_text("utf-8"))
            assert not [f for f in findings if f["fixed"]], case.id


def test_a_function_that_writes_or_reads_the_module_payload_is_seen() -> None:
    text = """\
import json
p = {"type": "payPal", "payPal": {}}
p["currency"] = "USD"


def add_total(cart):
    p["amount"] = cart.total


def log_total():
    print(p["currency"])


def other():
    p = {}
    p["amount"] = 1
    return p


print(json.dumps(p))
"""
    outcome = process_text(text, "a.py", make_config(options=Options(session_id={"python": "sid"})), fix=True)
    assert not outcome.error and outcome.fixed is not None
    assert 'p["amount"] = cart.total' in outcome.fixed and 'p["currency"] = "USD"' in outcome.fixed
    assert '    p["amount"] = 1' in outcome.fixed  # the function's own `p` is another variable
    why = {f.line: f.message for f in outcome.findings if f.code == "DR202"}
    assert "inside a function" in why[7]  # the write in add_total stays, reported
    assert "inside a function" in why[3]  # `currency` is read by log_total: it stays too
    assert 16 not in why and not [f for f in outcome.findings if f.line == 16]
