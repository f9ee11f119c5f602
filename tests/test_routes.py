"""Server links (`drmigrate.project.routes`): which handler answers a page's request, on real
project trees written to temp dirs. Each table row is a tree, a request (method, URL kind, URL as
`jsrequests.url_of` gives them) and the handler expected, or the words the reason must hold when
the link is not certain (the candidates it names)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from drmigrate.model import Hop
from drmigrate.project.index import ProjectIndex
from drmigrate.project.routes import follow, resolve_request, resolve_server

REGISTRATION = "<?php\n\\Magento\\Framework\\Component\\ComponentRegistrar::register(" \
               "\\Magento\\Framework\\Component\\ComponentRegistrar::MODULE, '{name}', __DIR__);\n"
ROUTES = """<?xml version="1.0"?>
<config><router id="standard"><route id="{front}" frontName="{front}">{modules}</route></router></config>
"""
CONTROLLER = "<?php\nnamespace {ns};\nclass {cls} extends \\Magento\\Framework\\App\\Action\\Action\n{{\n" \
             "    public function execute() {{ return null; }}\n}}\n"


def magento_module(name: str, folder: str, front: str = "", controllers: tuple[str, ...] = (),
                   registered: bool = True) -> dict[str, str]:
    files: dict[str, str] = {}
    if registered:
        files[f"{folder}/registration.php"] = REGISTRATION.format(name=name)
    if front:
        files[f"{folder}/etc/frontend/routes.xml"] = ROUTES.format(front=front, modules=f'<module name="{name}"/>')
    for path in controllers:
        ns = name.replace("_", "\\") + "\\Controller\\" + "\\".join(path.split("/")[:-1])
        files[f"{folder}/Controller/{path}.php"] = CONTROLLER.format(ns=ns, cls=path.split("/")[-1])
    return files


def tree(tmp_path: Path, files: dict[str, str]) -> ProjectIndex:
    for rel, text in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), "utf-8")
    listed = sorted(files)
    return ProjectIndex(tmp_path, lambda: listed)


MAGENTO = {
    **magento_module("Acme_Pay", "app/code/Acme/Pay", "acmepay",
                     ("Paypal/Savedrquote", "Index/Index", "Paypal/Index", "Source/NewAction", "Paypal/Express/Start")),
}
TWO_MODULES = {
    **magento_module("Acme_Pay", "app/code/Acme/Pay", "drpay", ("Paypal/Source",)),
    **magento_module("Acme_PayB2b", "app/code/Acme/PayB2b", "drpay", ("Paypal/Source",)),
}
UNREGISTERED = magento_module("Diconium_DrPay", "Diconium/DrPay", "drpay", ("Paypal/Savedrquote",), registered=False)
NO_ROUTES = magento_module("Digitalriver_DrPay", "DrPay", "", ("Paypal/Savedrquote",), registered=False)


@pytest.mark.parametrize(("files", "kind", "url", "handler"), [
    pytest.param(MAGENTO, "literal", "*acmepay/paypal/savedrquote",
                 ("app/code/Acme/Pay/Controller/Paypal/Savedrquote.php", "Savedrquote", "execute"), id="base-url"),
    pytest.param(MAGENTO, "literal", "/acmepay/PAYPAL/SavedRQuote?x=1#top",
                 ("app/code/Acme/Pay/Controller/Paypal/Savedrquote.php", "Savedrquote", "execute"),
                 id="any-case-query-fragment"),
    pytest.param(MAGENTO, "literal", "https://shop.example/default/acmepay/paypal/savedrquote/id/3",
                 ("app/code/Acme/Pay/Controller/Paypal/Savedrquote.php", "Savedrquote", "execute"),
                 id="store-code-and-parameters"),
    pytest.param(MAGENTO, "magento", "acmepay/paypal",
                 ("app/code/Acme/Pay/Controller/Paypal/Index.php", "Index", "execute"), id="action-defaults-to-index"),
    pytest.param(MAGENTO, "magento", "acmepay",
                 ("app/code/Acme/Pay/Controller/Index/Index.php", "Index", "execute"), id="front-name-alone"),
    pytest.param(MAGENTO, "magento", "acmepay/source/new",
                 ("app/code/Acme/Pay/Controller/Source/NewAction.php", "NewAction", "execute"), id="reserved-action"),
    pytest.param(MAGENTO, "magento", "acmepay/paypal_express/start",
                 ("app/code/Acme/Pay/Controller/Paypal/Express/Start.php", "Start", "execute"),
                 id="underscore-is-a-folder"),
    pytest.param(UNREGISTERED, "literal", "*drpay/paypal/savedrquote",
                 ("Diconium/DrPay/Controller/Paypal/Savedrquote.php", "Savedrquote", "execute"),
                 id="module-folder-from-routes-xml"),
])
def test_magento_routes(tmp_path: Path, files: dict[str, str], kind: str, url: str,
                        handler: tuple[str, str, str]) -> None:
    found = resolve_request(tree(tmp_path, files), "POST", kind, url)
    assert found.certain, found.reason
    assert [(h.rel, h.target[2], h.target[3]) for h in found.handlers] == [handler]
    assert found.handlers[0].target[:2] == ("response", "php-method")


@pytest.mark.parametrize(("files", "kind", "url", "words"), [
    pytest.param(TWO_MODULES, "literal", "*drpay/paypal/source",
                 ["several modules", "app/code/Acme/Pay/Controller/Paypal/Source.php",
                  "app/code/Acme/PayB2b/Controller/Paypal/Source.php"], id="two-modules"),
    pytest.param(NO_ROUTES, "literal", "*drpay/paypal/savedrquote",
                 ["no etc/frontend/routes.xml", "`drpay`", "DrPay/Controller/Paypal/Savedrquote.php"],
                 id="no-routes-xml-names-the-candidate"),
    pytest.param(MAGENTO, "magento", "acmepay/paypal/missing",
                 ["no module", "`acmepay`", "Controller/Paypal/Missing.php"], id="no-action-class"),
    pytest.param(MAGENTO, "literal", "*acmepay/*/savedrquote", ["computed part"], id="computed-controller"),
    pytest.param(MAGENTO, "magento", "shop/cart/add", ["no etc/frontend/routes.xml", "`shop`"],
                 id="front-name-outside-the-tree"),
    pytest.param(MAGENTO, "magento-rest", "/V1/carts/mine/source", ["Magento REST route"], id="rest-not-followed"),
    pytest.param(MAGENTO, "expression", "window.checkoutConfig.payment.url", ["computed", "checkoutConfig"],
                 id="computed-url"),
])
def test_magento_uncertain(tmp_path: Path, files: dict[str, str], kind: str, url: str, words: list[str]) -> None:
    found = resolve_request(tree(tmp_path, files), "POST", kind, url)
    assert not found.certain
    for word in words:
        assert word in found.reason, found.reason


ISML = '<div class="dr" data-config-url="${{URLUtils.url(\'{route}\')}}"></div>\n'
SFCC_BASE = {
    "cartridges/app_x/cartridge/templates/default/checkout/dr.isml": ISML.format(route="DR-Config"),
    "cartridges/int_dr/cartridge/controllers/DR.js": """
        'use strict';
        var server = require('server');
        // server.get('Config', function () {}); a comment is no registration
        server.get('Config', server.middleware.https, function (req, res, next) { res.json({}); next(); });
        server.post('Place', function (req, res, next) { next(); });
        module.exports = server.exports();
    """,
}


def sfcc(extra: dict[str, str]) -> dict[str, str]:
    return {**SFCC_BASE, **extra}


@pytest.mark.parametrize(("files", "method", "kind", "url", "handlers"), [
    pytest.param(SFCC_BASE, "GET", "data-attribute", "data-config-url",
                 [("cartridges/int_dr/cartridge/controllers/DR.js", "get", "Config")], id="isml-attribute"),
    pytest.param(SFCC_BASE, "POST", "literal", "/on/demandware.store/Sites-Shop-Site/default/DR-Place",
                 [("cartridges/int_dr/cartridge/controllers/DR.js", "post", "Place")], id="pipeline-url"),
    pytest.param(sfcc({"cartridges/int_dr_ext/cartridge/controllers/DR.js": """
        var server = require('server');
        server.extend(module.superModule);
        server.append('Config', function (req, res, next) { res.setViewData({ trace: 1 }); next(); });
        module.exports = server.exports();
    """}), "GET", "data-attribute", "data-config-url",
        [("cartridges/int_dr/cartridge/controllers/DR.js", "get", "Config"),
         ("cartridges/int_dr_ext/cartridge/controllers/DR.js", "append", "Config")], id="appended-overlay"),
    pytest.param(sfcc({"cartridges/int_dr_ext/cartridge/controllers/DR.js": """
        var server = require('server');
        server.extend(module.superModule);
        server.replace('Config', function (req, res, next) { res.json({}); next(); });
    """}), "GET", "data-attribute", "data-config-url",
        [("cartridges/int_dr_ext/cartridge/controllers/DR.js", "replace", "Config")], id="replaced-route"),
])
def test_sfcc_routes(tmp_path: Path, files: dict[str, str], method: str, kind: str, url: str,
                     handlers: list[tuple[str, str, str]]) -> None:
    found = resolve_request(tree(tmp_path, files), method, kind, url)
    assert found.certain, found.reason
    assert [(h.rel, h.target[2], h.target[3]) for h in found.handlers] == handlers
    assert all(h.target[:2] == ("response", "sfcc") for h in found.handlers)


@pytest.mark.parametrize(("files", "method", "url", "words"), [
    pytest.param(sfcc({"cartridges/int_other/cartridge/controllers/DR.js": """
        var server = require('server');
        server.get('Config', function (req, res, next) { res.json({}); next(); });
    """}), "GET", "data-config-url", ["registered in several cartridges", "int_dr/", "int_other/"],
        id="two-cartridges"),
    pytest.param(SFCC_BASE, "POST", "data-config-url", ["GET only", "sends POST"], id="method-mismatch"),
    pytest.param(sfcc({"cartridges/app_y/cartridge/templates/default/account/dr.isml": ISML.format(route="DR-Place")}),
                 "GET", "data-config-url", ["different URLs", "DR-Config", "DR-Place"], id="templates-disagree"),
    pytest.param({"cartridges/app_x/cartridge/templates/default/dr.isml": '<div data-config-url="${pdict.url}">'},
                 "GET", "data-config-url", ["computed URL", "${pdict.url}"], id="computed-attribute"),
    pytest.param(SFCC_BASE, "GET", "data-other-url", ["no template", "data-other-url"], id="no-such-attribute"),
    pytest.param({"cartridges/app_x/cartridge/templates/default/dr.isml": ISML.format(route="Missing-Config")},
                 "GET", "data-config-url", ["no cartridge", "Missing.js"], id="controller-outside-the-tree"),
])
def test_sfcc_uncertain(tmp_path: Path, files: dict[str, str], method: str, url: str, words: list[str]) -> None:
    found = resolve_request(tree(tmp_path, files), method, "data-attribute", url)
    assert not found.certain
    for word in words:
        assert word in found.reason, found.reason


WP_CLASS = """<?php
class Acme_Ajax {
    public function __construct() {
        add_action('wp_ajax_acme_this', array($this, 'by_this'));
        add_action('wp_ajax_nopriv_acme_this', array( $this , "by_this" ));
        add_action('wp_ajax_acme_class', [Acme_Ajax::class, 'by_class']);
        add_action('wp_ajax_acme_static', 'Acme_Ajax::by_static');
        add_action('wp_ajax_acme_self', array(__CLASS__, 'by_self'));
    }
    public function by_this() {}
    public static function by_class() {}
    public static function by_static() {}
    public static function by_self() {}
}
"""
WP_PLUGIN = """<?php
require __DIR__ . '/class-acme-ajax.php';
add_action('wp_ajax_acme_function', 'acme_function');
add_action('wp_ajax_acme_closure', function () { wp_send_json(array('a' => 1)); });
add_action('wp_ajax_acme_split', 'acme_function');
add_action('wp_ajax_nopriv_acme_split', 'acme_guest');
// add_action('wp_ajax_acme_commented', 'nothing');
$public = new Acme_Public();
$this->loader->add_action('wp_ajax_acme_loader', $public, 'by_loader', 10, 1);
add_action('wp_ajax_acme_unknown', $callbacks[0]);
"""
WP_FUNCTIONS = """<?php
function acme_function() {}
function acme_guest() {}
class Acme_Public { public function by_loader() {} }
"""
WP = {"plugin/acme.php": WP_PLUGIN, "plugin/class-acme-ajax.php": WP_CLASS, "plugin/functions.php": WP_FUNCTIONS}


@pytest.mark.parametrize(("action", "handlers"), [
    pytest.param("acme_this", [("plugin/class-acme-ajax.php", ("php-method", "Acme_Ajax", "by_this"))], id="this"),
    pytest.param("acme_class", [("plugin/class-acme-ajax.php", ("php-method", "Acme_Ajax", "by_class"))],
                 id="class-constant"),
    pytest.param("acme_static", [("plugin/class-acme-ajax.php", ("php-method", "Acme_Ajax", "by_static"))],
                 id="static-string"),
    pytest.param("acme_self", [("plugin/class-acme-ajax.php", ("php-method", "Acme_Ajax", "by_self"))],
                 id="__CLASS__"),
    pytest.param("acme_function", [("plugin/functions.php", ("php-function", "acme_function"))], id="function"),
    pytest.param("acme_closure", [("plugin/acme.php", ("php-closure", "add_action", "wp_ajax_acme_closure"))],
                 id="closure"),
    pytest.param("acme_split", [("plugin/functions.php", ("php-function", "acme_function")),
                                ("plugin/functions.php", ("php-function", "acme_guest"))],
                 id="logged-in-and-guest-both-answer"),
    pytest.param("acme_loader", [("plugin/functions.php", ("php-method", "Acme_Public", "by_loader"))],
                 id="boilerplate-loader"),
])
def test_wordpress_ajax(tmp_path: Path, action: str, handlers: list[tuple[str, tuple[str, ...]]]) -> None:
    found = resolve_request(tree(tmp_path, WP), "POST", "wp-ajax", action)
    assert found.certain, found.reason
    assert [(h.rel, h.target[1:]) for h in found.handlers] == handlers


@pytest.mark.parametrize(("action", "words"), [
    pytest.param("acme_unknown", ["cannot follow", "$callbacks[0]"], id="computed-callback"),
    pytest.param("acme_commented", ["no `add_action('wp_ajax_acme_commented'"], id="commented-out"),
])
def test_wordpress_ajax_uncertain(tmp_path: Path, action: str, words: list[str]) -> None:
    found = resolve_request(tree(tmp_path, WP), "POST", "wp-ajax", action)
    assert not found.certain
    for word in words:
        assert word in found.reason, found.reason


REST = {
    "plugin/rest.php": """<?php
        add_action('rest_api_init', function () {
            register_rest_route('acme/v1', '/source', array(
                array('methods' => WP_REST_Server::CREATABLE, 'callback' => 'acme_create'),
                array('methods' => 'GET', 'callback' => array('Acme_Rest', 'read')),
            ));
            register_rest_route($this->namespace, '/orders/(?P<id>\\d+)/source', ['callback' => 'acme_order']);
        });
        function acme_create() {}
        function acme_order() {}
        class Acme_Rest { public static function read() {} }
    """,
}


@pytest.mark.parametrize(("method", "url", "handler"), [
    pytest.param("POST", "/wp-json/acme/v1/source", ("php-function", "acme_create"), id="wp-json-post"),
    pytest.param("GET", "https://shop.example/wp-json/acme/v1/source", ("php-method", "Acme_Rest", "read"),
                 id="wp-json-get"),
    pytest.param("POST", "*acme/v1/source", ("php-function", "acme_create"), id="api-root-plus-route"),
    pytest.param("GET", "*wp-json/shop/v2/orders/12/source", ("php-function", "acme_order"),
                 id="namespace-in-a-variable"),
])
def test_wordpress_rest(tmp_path: Path, method: str, url: str, handler: tuple[str, ...]) -> None:
    found = resolve_request(tree(tmp_path, REST), method, "literal", url)
    assert found.certain, found.reason
    assert [h.target[1:] for h in found.handlers] == [handler]


GENERIC = {
    "server/app.js": """
        const express = require('express');
        const app = express();
        const api = express.Router();
        api.post('/sources', (req, res) => res.json({ sourceData: {} }));
        api.get('/sources/:id', show);
        app.post('/orders/:id/pay', function (req, res) { res.json({}); });
        app.put('/twice', a);
        app.put('/twice', b);
        app.delete('/elsewhere', controllers.remove);
        app.use('/api', api);
    """,
    "public/client.js": "$.get('/client-only', function () {}); axios.post('/client-only', {});\n",
    "shop/views.py": """
        from flask import Blueprint, jsonify
        bp = Blueprint('shop', __name__)

        @bp.route('/paypal-source', methods=['POST'])
        def paypal_source():
            return jsonify(source={})

        @bp.get('/status')
        def status():
            return {}

        def wire(request):
            return {}
    """,
    "shop/urls.py": """
        from django.urls import path
        from . import views
        urlpatterns = [path('api/wire/', views.wire), path('api/klass/', views.Klass.as_view())]
    """,
    "routes/web.php": """<?php
        Route::post('/laravel/source', [SourceController::class, 'store']);
        Route::post('/laravel/legacy', 'SourceController@legacy');
    """,
    "app/Http/Controllers/SourceController.php": """<?php
        namespace App\\Http\\Controllers;
        class SourceController { public function store() {} public function legacy() {} }
    """,
}


@pytest.mark.parametrize(("method", "url", "handler"), [
    pytest.param("POST", "/api/sources", ("server/app.js", ("express", "post", "/sources")), id="express-mounted"),
    pytest.param("GET", "/api/sources/src_1", ("server/app.js", ("express", "get", "/sources/:id")),
                 id="express-parameter"),
    pytest.param("", "*orders/7/pay", ("server/app.js", ("express", "post", "/orders/:id/pay")),
                 id="method-unknown"),
    pytest.param("POST", "/shop/paypal-source", ("shop/views.py", ("py-function", "paypal_source")), id="flask"),
    pytest.param("GET", "/status", ("shop/views.py", ("py-function", "status")), id="flask-get"),
    pytest.param("POST", "/api/wire/", ("shop/views.py", ("py-function", "wire")), id="django"),
    pytest.param("POST", "/laravel/source", ("app/Http/Controllers/SourceController.php",
                                             ("php-method", "SourceController", "store")), id="laravel-array"),
    pytest.param("POST", "/laravel/legacy", ("app/Http/Controllers/SourceController.php",
                                             ("php-method", "SourceController", "legacy")), id="laravel-at"),
])
def test_generic_routes(tmp_path: Path, method: str, url: str, handler: tuple[str, tuple[str, ...]]) -> None:
    found = resolve_request(tree(tmp_path, GENERIC), method, "literal", url)
    assert found.certain, found.reason
    assert [(h.rel, h.target[1:]) for h in found.handlers] == [handler]


@pytest.mark.parametrize(("method", "url", "words"), [
    pytest.param("PUT", "/twice", ["several server routes", "app.put('/twice')"], id="two-routes"),
    pytest.param("DELETE", "/elsewhere", ["defined elsewhere", "controllers.remove"], id="handler-elsewhere"),
    pytest.param("POST", "/status", ["no handler of this project answers"], id="method-mismatch"),
    pytest.param("GET", "/client-only", ["no handler of this project answers"], id="client-requests-are-no-routes"),
    pytest.param("POST", "/api/klass/", ["class-based view"], id="django-class-view"),
])
def test_generic_uncertain(tmp_path: Path, method: str, url: str, words: list[str]) -> None:
    found = resolve_request(tree(tmp_path, GENERIC), method, "literal", url)
    assert not found.certain
    for word in words:
        assert word in found.reason, found.reason


HELPERS = {
    "app/code/Acme/Pay/Helper/Data.php": "<?php\nnamespace Acme\\Pay\\Helper;\nclass Data {\n"
                                         "    public function getPayload($type) { return []; }\n}\n",
    "app/code/Other/Pay/Helper/Data.php": "<?php\nnamespace Other\\Pay\\Helper;\nclass Data {\n"
                                          "    public function getPayload($type) { return []; }\n}\n",
    "inc/functions.php": "<?php\nif (!function_exists('acme_payload')) {\n    function acme_payload() { return []; }\n}\n",
}


@pytest.mark.parametrize(("kind", "name", "expected"), [
    pytest.param("server-php-method", "Acme\\Pay\\Helper\\Data::getPayload",
                 ("app/code/Acme/Pay/Helper/Data.php", ("response-php", "method", "Data", "getPayload")),
                 id="class-by-namespace"),
    pytest.param("server-php-function", "acme_payload",
                 ("inc/functions.php", ("response-php", "function", "acme_payload")), id="function-in-an-if"),
    pytest.param("server-php-method", "Magento\\Framework\\Controller\\Result\\JsonFactory::create",
                 "is not declared in this project", id="a-library-class"),
    pytest.param("server-php-method", "Data::getPayload", "declared in several files", id="ambiguous-short-name"),
    pytest.param("server-php-method", "Acme\\Pay\\Helper\\Data::build", "has no method `build`", id="no-method"),
])
def test_server_hops(tmp_path: Path, kind: str, name: str, expected: tuple[str, tuple[str, ...]] | str) -> None:
    index = tree(tmp_path, HELPERS)
    found = resolve_server(index, "app/code/Acme/Pay/Controller/X.php", Hop(kind, (0, 0), "why", name=name))
    if isinstance(expected, str):
        assert not found.certain and expected in found.reason, found.reason
    else:
        assert found.certain, found.reason
        assert [(h.rel, h.target) for h in found.handlers] == [expected]


def test_follow_gives_links_with_the_hop_path_or_the_reason(tmp_path: Path) -> None:
    index = tree(tmp_path, {**MAGENTO, **magento_module("Acme_Pay2", "app/code/Acme/Pay2", "drpay", ("Paypal/Source",)),
                            **magento_module("Acme_Pay3", "app/code/Acme/Pay3", "drpay", ("Paypal/Source",))})
    what = "the payload is the server's answer to the request `x`; migrate the server code that builds it"
    hop = Hop("response", (0, 1), what, path=("content", "payload"), request=("POST", "literal", "*acmepay/paypal/savedrquote"))
    links, reason = follow(index, "page.phtml", hop)
    assert reason == ""
    assert [(link.rel, link.target, link.path) for link in links] == [
        ("app/code/Acme/Pay/Controller/Paypal/Savedrquote.php", ("response", "php-method", "Savedrquote", "execute"),
         ("content", "payload"))]
    links, reason = follow(index, "page.phtml", Hop("response", (0, 1), what, request=("POST", "literal", "*drpay/paypal/source")))
    assert links == []
    assert reason.startswith("The payload is the server's answer to the request `x`; migrate the server code that "
                             "builds it — the route `drpay/paypal/source` has an action class in several modules")
    assert follow(index, "page.phtml", Hop("import", (0, 1), what)) == ([], "")
