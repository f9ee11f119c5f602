"""The server side of a followed request, through the real CLI on small project trees: what a
handler answers with, where the path into it leads, and the cases where the link must not make the
page's call green (the page or the controller also writes into the object; the answer has no such
key; the handler answers with nothing drmigrate can see)."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from drmigrate.cli import main

ROUTES = """<?xml version="1.0"?>
<config><router id="standard"><route id="shop" frontName="shop"><module name="Acme_Shop"/></route></router></config>
"""
REGISTRATION = "<?php\n\\Magento\\Framework\\Component\\ComponentRegistrar::register(" \
               "\\Magento\\Framework\\Component\\ComponentRegistrar::MODULE, 'Acme_Shop', __DIR__);\n"


def page(url: str, read: str, extra: str = "") -> str:
    return textwrap.dedent(f"""\
        <script>
        var digitalriver = new DigitalRiver('pk');
        jQuery.ajax({{url: BASE_URL + '{url}', type: 'POST', success: function (response) {{
            var payload = {read};
            {extra}
            digitalriver.createSource(payload);
        }}}});
        </script>
        """)


def controller(body: str, cls: str = "Source", folder: str = "Paypal", extra: str = "") -> str:
    return (f"<?php\nnamespace Acme\\Shop\\Controller\\{folder};\n\nclass {cls} extends \\Magento\\Framework\\App\\Action\\Action\n"
            f"{{\n    public function __construct(\\Acme\\Shop\\Helper\\Builder $builder) {{ $this->builder = $builder; }}\n\n"
            f"    public function execute()\n    {{\n{textwrap.indent(textwrap.dedent(body), '        ')}    }}\n{extra}}}\n")


BUILDER = """<?php
namespace Acme\\Shop\\Helper;

class Builder
{
    public function build($type)
    {
        return ['type' => $type, 'sessionId' => $this->sessionId(), 'payPal' => ['returnUrl' => '/back']];
    }
}
"""


def run(tmp_path: Path, files: dict[str, str]) -> dict[str, Any]:
    base = {"Shop/registration.php": REGISTRATION, "Shop/etc/frontend/routes.xml": ROUTES,
            "Shop/Helper/Builder.php": BUILDER}
    for rel, text in {**base, **files}.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["check", "--format", "json", "--no-cache", "."], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1), result.stdout
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def codes(data: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["code"]) for f in data["findings"]]


def followed(data: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    return [(f["path"], s["state"], [f"{b['path']}:{b['line']}" for b in s.get("builders", [])])
            for f in data["files"] for s in f.get("followed", [])]


def dr200(data: dict[str, Any], path: str) -> str:
    found = [f["message"] for f in data["findings"] if f["code"] == "DR200" and f["path"] == path]
    assert len(found) == 1, data["findings"]
    return found[0]


def test_a_builder_in_another_file_is_followed_through_the_injected_helper(tmp_path: Path) -> None:
    data = run(tmp_path, {
        "Shop/view/frontend/templates/pay.phtml": page("shop/paypal/source", "response.content"),
        "Shop/Controller/Paypal/Source.php": controller("""\
            $content = $this->builder->build('payPal');
            return $this->resultFactory->create('json')->setData(['content' => $content]);
            """),
    })
    assert codes(data) == []
    assert ("Shop/view/frontend/templates/pay.phtml", "migrated", ["Shop/Helper/Builder.php:8"]) in followed(data)


def test_the_controller_writing_into_the_helpers_array_stops_the_link(tmp_path: Path) -> None:
    data = run(tmp_path, {
        "Shop/view/frontend/templates/pay.phtml": page("shop/paypal/source", "response.content"),
        "Shop/Controller/Paypal/Source.php": controller("""\
            $content = $this->builder->build('payPal');
            $content['amount'] = 100;
            return $this->resultFactory->create('json')->setData(['content' => $content]);
            """),
    })
    # the helper's array is migrated, but what the controller sends is not: no green here
    message = dr200(data, "Shop/Controller/Paypal/Source.php")
    assert "this file also sets `amount` (line 11) on the array it gets" in message
    assert [s for _, s, _ in followed(data)] == ["manual"]


def test_the_page_writing_into_the_answer_stops_the_link(tmp_path: Path) -> None:
    data = run(tmp_path, {
        "Shop/view/frontend/templates/pay.phtml": page("shop/paypal/source", "response.content",
                                                       "payload.amount = 100;"),
        "Shop/Controller/Paypal/Source.php": controller("""\
            return $this->resultFactory->create('json')->setData(['content' => $this->builder->build('payPal')]);
            """),
    })
    message = dr200(data, "Shop/view/frontend/templates/pay.phtml")
    assert "this file also sets `amount` (line 5) on the object it receives" in message
    assert followed(data) == []


def test_an_answer_without_the_key_builds_nothing(tmp_path: Path) -> None:
    data = run(tmp_path, {
        "Shop/view/frontend/templates/pay.phtml": page("shop/paypal/source", "response.data.payload"),
        "Shop/Controller/Paypal/Source.php": controller("""\
            if (!$this->getRequest()->isPost()) {
                wp_send_json_error(['message' => 'POST only']);
            }
            wp_send_json(['payload' => ['type' => 'payPal', 'amount' => 1, 'payPal' => ['returnUrl' => '/b']]]);
            """),
    })
    # `wp_send_json` sends no `data` envelope, and the error's `data` has no `payload`
    message = dr200(data, "Shop/view/frontend/templates/pay.phtml")
    assert "followed it to Shop/Controller/Paypal/Source.php but found nothing that builds it there" in message
    assert followed(data) == []


def test_a_handler_that_answers_with_nothing_visible_is_reported_there(tmp_path: Path) -> None:
    data = run(tmp_path, {
        "Shop/view/frontend/templates/pay.phtml": page("shop/paypal/source", "response.payload"),
        "Shop/Controller/Paypal/Source.php": controller("""\
            $this->getResponse()->setBody($this->cache->load('payload'));
            """),
    })
    message = dr200(data, "Shop/Controller/Paypal/Source.php")
    assert "cannot see what `Source::execute` answers with" in message
    assert followed(data) == [("Shop/view/frontend/templates/pay.phtml", "manual",
                               ["Shop/Controller/Paypal/Source.php:8"])]


def test_a_type_from_a_class_constant_and_writes_through_two_variables(tmp_path: Path) -> None:
    data = run(tmp_path, {
        "Shop/view/frontend/templates/pay.phtml": page("shop/klarna", "response.content.payload"),
        "Shop/Controller/Klarna/Index.php": controller("""\
            $payload = [];
            $payload['payload'] = ['type' => self::KLARNA, 'klarnaCredit' => ['returnUrl' => '/b']];
            $payload['payload']['amount'] = $this->total();
            $answer = ['content' => $payload];
            $answer['content']['payload']['currency'] = 'EUR';
            return $this->resultFactory->create('json')->setData($answer);
            """, cls="Index", folder="Klarna", extra="    const KLARNA = 'klarnaCredit';\n"),
    })
    assert codes(data) == [("Shop/Controller/Klarna/Index.php", 11, "DR100"),
                           ("Shop/Controller/Klarna/Index.php", 12, "DR101"),
                           ("Shop/Controller/Klarna/Index.php", 14, "DR101")]
    assert followed(data) == [("Shop/view/frontend/templates/pay.phtml", "remaining",
                               ["Shop/Controller/Klarna/Index.php:11"])]


EXPRESS = """\
const express = require('express');
const router = express.Router();
router.post('/source', function (req, res, next) {
  if (!req.body.cart) {
    res.status(400).json({ error: 'no cart' });
    return;
  }
  const answer = { ok: true, payload: { type: 'payPal', amount: 1, payPal: { returnUrl: '/b' } } };
  res.json(answer);
});
module.exports = router;
"""


def test_express_answers_without_the_key_are_no_builders(tmp_path: Path) -> None:
    data = run(tmp_path, {
        "public/pay.js": "const dr = new DigitalRiver('pk');\n"
                         "fetch('/api/source', {method: 'POST'}).then((r) => r.json())"
                         ".then((body) => dr.createSource(body.payload));\n",
        "server/routes.js": EXPRESS,
    })
    assert codes(data) == [("server/routes.js", 8, "DR100"), ("server/routes.js", 8, "DR101")]
    assert followed(data) == [("public/pay.js", "remaining", ["server/routes.js:9"])]  # the answer call


def test_a_json_string_body_and_other_set_data_calls(tmp_path: Path) -> None:
    data = run(tmp_path, {
        "Shop/view/frontend/templates/pay.phtml": page("shop/paypal/source", "response.payload"),
        "Shop/Controller/Paypal/Source.php": controller("""\
            $block = $this->layout->createBlock('Magento\\\\Framework\\\\View\\\\Element\\\\Template');
            $block->setData('payload', ['type' => 'payPal', 'amount' => 2, 'payPal' => ['returnUrl' => '/x']]);
            $cached = $this->cache->load('x', function () {
                return json_encode(['payload' => ['type' => 'payPal', 'amount' => 3]]);
            });
            $answer = ['payload' => ['type' => 'payPal', 'amount' => 1, 'payPal' => ['returnUrl' => '/b']]];
            $this->getResponse()->representJson($this->jsonHelper->jsonEncode($answer));
            """),
    })
    # the block's data and the closure's string are no answer: only the JSON body's array is (the
    # block's array is still a payload on its own evidence, its PayPal hash)
    assert [c for c in codes(data) if c[0].endswith("Source.php")] == [
        ("Shop/Controller/Paypal/Source.php", 11, "DR100"), ("Shop/Controller/Paypal/Source.php", 11, "DR101"),
        ("Shop/Controller/Paypal/Source.php", 15, "DR100"), ("Shop/Controller/Paypal/Source.php", 15, "DR101")]
    assert followed(data) == [("Shop/view/frontend/templates/pay.phtml", "remaining",
                               ["Shop/Controller/Paypal/Source.php:15"])]


def test_a_django_view_in_another_module_of_the_app(tmp_path: Path) -> None:
    data = run(tmp_path, {
        "static/pay.js": "const dr = new DigitalRiver('pk');\n"
                         "$.post('/shop/api/source/', {cart: 1}).done(function (answer) {\n"
                         "  dr.createSource(answer.source);\n"
                         "});\n",
        "shop/urls.py": "from django.urls import path\n\nfrom . import views\n\n"
                        "urlpatterns = [path('api/source/', views.source, name='source')]\n",
        "shop/views.py": textwrap.dedent("""\
            from django.http import JsonResponse


            def _sepa(order, kind):
                data = dict(type=kind, amount=order.total, currency=order.currency)
                data["directDebit"] = {"returnUrl": order.return_url}
                return data


            def source(request):
                order = request.order
                return JsonResponse({"source": _sepa(order, "directDebit")})
            """),
    })
    # the type is the helper's parameter, bound to the view's string
    assert codes(data) == [("shop/views.py", 5, "DR100"), ("shop/views.py", 5, "DR101"), ("shop/views.py", 5, "DR101")]
    assert followed(data) == [("static/pay.js", "remaining", ["shop/views.py:5"])]


def test_a_key_set_to_a_helpers_array_then_written_into_stops_the_link(tmp_path: Path) -> None:
    data = run(tmp_path, {
        "Shop/view/frontend/templates/pay.phtml": page("shop/paypal/source", "response.content.payload"),
        "Shop/Controller/Paypal/Source.php": controller("""\
            $content = [];
            $content['payload'] = $this->builder->build('payPal');
            $content['payload']['currency'] = 'EUR';
            return $this->resultFactory->create('json')->setData(['content' => $content]);
            """),
    })
    assert "this file also sets `currency` (line 12) on the array it gets" in dr200(data, "Shop/Controller/Paypal/Source.php")


def test_an_sfcc_controller_writing_into_a_helpers_configuration_stops_the_link(tmp_path: Path) -> None:
    data = run(tmp_path, {
        "c/int_x/cartridge/templates/default/dropin.isml": '<div id="dr" data-config-url="${URLUtils.url(\'X-Config\')}"></div>\n',
        "c/int_x/cartridge/client/default/js/dropin.js":
            "$.ajax({url: $('#dr').data('configUrl'), success: function (data) {\n"
            "  new DigitalRiver(data.key).createDropin(data.dropInConfiguration);\n}});\n",
        "c/int_x/cartridge/controllers/X.js": textwrap.dedent("""\
            var server = require('server');
            server.get('Config', function (req, res, next) {
                var helper = require('*/cartridge/scripts/helper');
                var configuration = helper.configuration();
                configuration.options = { flow: 'managePaymentMethods' };
                res.json({ key: 'pk', dropInConfiguration: configuration });
                next();
            });
            module.exports = server.exports();
            """),
        "c/int_x/cartridge/scripts/helper.js": "module.exports = { configuration: function () {\n"
                                               "    return { billingAddress: {} };\n} };\n",
    })
    message = dr200(data, "c/int_x/cartridge/controllers/X.js")
    assert "this file also sets `options` (line 5) on the object it receives" in message
    # the helper's configuration has no sessionId, but the flow is the controller's: nothing is fixed there
    assert not [c for c in codes(data) if c[0].endswith("helper.js")]
