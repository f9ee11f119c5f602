"""Synthetic merchant repository for the benchmark: a seeded, reproducible tree of front-end code.

The tree imitates what a storefront repository looks like (see DOMAIN.md, "What real integrations
look like"): Magento modules with RequireJS components and `.phtml` templates full of `<?php ?>`
tags, a WordPress plugin, a TypeScript/TSX storefront, jQuery plugins, static HTML pages with
`<script>` blocks, built `.min.js` bundles, and vendored libraries (including a copy of
DigitalRiver.js itself, which defines `createSource`). About 0.5 % of the files carry legacy
`createSource` payloads covering every method of `rules/rules.json`, in the shapes real code uses;
a similar share are look-alikes (Stripe, comments, local functions, the server-side REST wrapper).

Same seed and options give a byte-identical tree. Nothing here imports drmigrate: the benchmark
must not depend on the code it measures. A manifest of what was planted is written next to the
tree (`<out>.manifest.json`), not inside it, so no tool under test reads it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MB = 1024 * 1024
UNICODE_SHARE = 0.04
DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "repo"
DEFAULT_SEED = 7
GENERATOR_VERSION = 5  # bump when the output changes, so bench/run.py regenerates old trees

# Legacy fields per method, as the merchant's old code would have sent them. The method list is
# checked against rules/rules.json at generation time (see `check_methods`), so a new rule that
# the generator does not cover is a loud error, not a silent gap in the benchmark.
METHODS = (
    "creditCard", "payPal", "payPalBilling", "payPalCredit", "directDebit", "wireTransfer",
    "codJapan", "payco", "bankTransfer", "onlineBanking", "konbini", "klarnaCredit",
    "klarnaCreditRecurring", "bPay",
)  # fmt: skip

WORDS = (
    "cart", "quote", "order", "item", "price", "total", "amount", "tax", "shipping", "billing",
    "address", "customer", "account", "payment", "method", "checkout", "step", "summary",
    "coupon", "discount", "promo", "product", "variant", "option", "sku", "qty", "store",
    "locale", "country", "region", "currency", "rate", "label", "title", "button", "modal",
    "panel", "form", "field", "input", "error", "message", "status", "state", "config",
    "settings", "options", "data", "result", "response", "request", "handler", "cache",
    "token", "session", "user", "profile", "wishlist", "review", "rating", "image", "gallery",
    "slider", "menu", "nav", "header", "footer", "search", "filter", "sort", "page", "list",
    "grid", "row", "column", "tab", "accordion", "tooltip", "popup",
)  # fmt: skip
SELECTORS = ("#checkout", ".product-info", "[data-role=cart]", ".minicart", "#payment-form",
             ".btn-primary", ".field.required", "#shipping-method", ".nav-sections", ".gallery")
MODULES = ("Checkout", "Catalog", "Customer", "Wishlist", "Review", "Cms", "Theme", "Sales",
           "Payment", "Shipping", "Newsletter", "Search", "Swatches", "Tax", "Directory")
VENDORS = ("Acme", "Northwind", "Contoso", "Globex", "Initech")


def _camel(words: list[str]) -> str:
    return words[0] + "".join(w.capitalize() for w in words[1:])


@dataclass
class Budget:
    """Bytes still to write, shared by the directory builders."""

    left: int


@dataclass
class Manifest:
    seed: int
    size_mb: float
    heavy: bool
    generator: int = GENERATOR_VERSION
    files: int = 0
    bytes: int = 0
    payload_files: dict[str, list[str]] = field(default_factory=dict)  # path -> methods
    lookalike_files: dict[str, str] = field(default_factory=dict)  # path -> kind
    kinds: dict[str, int] = field(default_factory=dict)


class Code:
    """Random but syntactically valid ES5/ES2017 code, built from a small statement grammar."""

    def __init__(self, rng: random.Random, modern: bool = False, typed: bool = False) -> None:
        self.rng = rng
        self.modern = modern  # ES2015+ (let/const, arrows, template strings)
        self.typed = typed  # TypeScript annotations
        self.seen: set[str] = set()
        # a few files in a hundred carry translated strings (real trees: a few %, mostly i18n)
        self.unicode = rng.random() < UNICODE_SHARE

    def top(self, cls: bool = False) -> str:
        """A top-level name not used before in this file (modules reject redeclarations)."""
        while True:
            n = self.cls() if cls else self.name()
            if n not in self.seen:
                self.seen.add(n)
                return n

    # -- names and literals -------------------------------------------------------------------
    def name(self, n: int = 2) -> str:
        return _camel(self.rng.sample(WORDS, n))

    def cls(self) -> str:
        return "".join(w.capitalize() for w in self.rng.sample(WORDS, 2))

    def string(self) -> str:
        r = self.rng.random()
        if r < 0.02 and self.unicode:
            return self.rng.choice(["'Zahlung fehlgeschlagen – bitte erneut versuchen'",
                                    "'お支払い方法を選択してください'", "'결제 수단'", "'Prix € TTC'"])
        if r < 0.3:
            return repr(self.rng.choice(SELECTORS)).replace('"', "'")
        if r < 0.6:
            return "'" + " ".join(self.rng.sample(WORDS, self.rng.randint(1, 4))) + "'"
        return "'" + "-".join(self.rng.sample(WORDS, 2)) + "'"

    def number(self) -> str:
        return self.rng.choice(["0", "1", "2", "10", "100", "250", "0.5", "1000", "-1", "3"])

    def decl(self) -> str:
        if not self.modern:
            return "var"
        return self.rng.choice(["const", "const", "let"])

    # -- expressions --------------------------------------------------------------------------
    def atom(self) -> str:
        r = self.rng.random()
        if r < 0.35:
            return self.name(self.rng.randint(1, 2))
        if r < 0.55:
            return self.string()
        if r < 0.7:
            return self.number()
        if r < 0.8:
            return f"{self.name(1)}.{self.name(1)}"
        if r < 0.9:
            return self.rng.choice(["true", "false", "null", "this", "undefined"])
        return f"{self.name(1)}[{self.string()}]"

    def expr(self, depth: int = 0) -> str:
        if depth > 2:
            return self.atom()
        r = self.rng.random()
        d = depth + 1
        if r < 0.25:
            return self.atom()
        if r < 0.4:
            op = self.rng.choice(["+", "-", "*", "&&", "||", "===", "!==", "<", ">="])
            if op == "<" and self.typed:
                op = ">"  # `f() < {...}` and `f() < (...)` read as type arguments to TS parsers
            return f"{self.expr(d)} {op} {self.expr(d)}"
        if r < 0.55:
            args = ", ".join(self.expr(d) for _ in range(self.rng.randint(0, 3)))
            return f"{self.name()}({args})"
        if r < 0.65:
            args = ", ".join(self.expr(d) for _ in range(self.rng.randint(0, 2)))
            return f"{self.name(1)}.{self.name()}({args})"
        if r < 0.72:
            return f"$({self.string()}).{self.rng.choice(['val', 'data', 'attr', 'text'])}()"
        if r < 0.8:
            return self.obj(d)
        if r < 0.85:
            return "[" + ", ".join(self.atom() for _ in range(self.rng.randint(0, 4))) + "]"
        if r < 0.9 and self.modern:
            return f"`{self.name(1)}-${{{self.name(1)}}}-{self.name(1)}`"
        if r < 0.95:
            return f"({self.expr(d)} ? {self.atom()} : {self.atom()})"
        if self.modern:
            # Parenthesised: an arrow may not be an operand, and `=> {` would open a block.
            return f"(({self.name(1)}) => ({self.expr(d)}))"
        return f"function ({self.name(1)}) {{ return {self.expr(d)}; }}"

    def obj(self, depth: int = 0) -> str:
        keys = self.rng.sample(WORDS, self.rng.randint(1, 5))
        inner = ", ".join(f"{k}: {self.expr(depth + 1)}" for k in keys)
        return "{ " + inner + " }"

    # -- statements ---------------------------------------------------------------------------
    def stmt(self, ind: str, depth: int = 0) -> str:
        r = self.rng.random()
        nxt = ind + "    "
        if depth > 2 or r < 0.3:
            return f"{ind}{self.decl()} {self.top()} = {self.expr()};\n"
        if r < 0.45:
            return f"{ind}{self.name(1)}.{self.name()}({self.expr()});\n"
        if r < 0.55:
            body = self.block(nxt, depth + 1, 1, 3)
            out = f"{ind}if ({self.expr()}) {{\n{body}{ind}}}"
            if self.rng.random() < 0.4:
                out += f" else {{\n{self.block(nxt, depth + 1, 1, 2)}{ind}}}"
            return out + "\n"
        if r < 0.62:
            i = self.rng.choice("ijk")
            lim = self.name(1)
            body = self.block(nxt, depth + 1, 1, 3)
            return f"{ind}for (var {i} = 0; {i} < {lim}.length; {i}++) {{\n{body}{ind}}}\n"
        if r < 0.7:
            cb = f"function ({self.name(1)})"
            if self.modern:
                cb = f"({self.name(1)}) =>"
            body = self.block(nxt, depth + 1, 1, 3)
            return (f"{ind}$({self.string()}).on('{self.rng.choice(['click', 'change', 'submit'])}'"
                    f", {cb} {{\n{body}{ind}}});\n")
        if r < 0.77:
            body = self.block(nxt + "    ", depth + 1, 1, 2)
            return (f"{ind}$.ajax({{\n{nxt}url: {self.string()},\n{nxt}type: 'POST',\n"
                    f"{nxt}data: {self.obj(1)},\n{nxt}success: function (response) {{\n"
                    f"{body}{nxt}}}\n{ind}}});\n")
        if r < 0.83:
            body = self.block(nxt, depth + 1, 1, 2)
            return (f"{ind}try {{\n{body}{ind}}} catch (e) {{\n"
                    f"{nxt}console.error({self.string()}, e);\n{ind}}}\n")
        if r < 0.88:
            return f"{ind}// {' '.join(self.rng.sample(WORDS, self.rng.randint(3, 9)))}\n"
        if r < 0.93:
            body = self.block(nxt, depth + 1, 1, 2)
            return (f"{ind}{self.name(1)}.{self.name()}().then(function ({self.name(1)}) {{\n"
                    f"{body}{ind}}});\n")
        return f"{ind}return {self.expr()};\n"

    def block(self, ind: str, depth: int, lo: int, hi: int) -> str:
        return "".join(self.stmt(ind, depth) for _ in range(self.rng.randint(lo, hi)))

    def function(self, ind: str, name: str | None = None, member_of: str | None = None) -> str:
        params = ", ".join(self.rng.sample(WORDS, self.rng.randint(0, 3)))
        if self.typed:
            params = ", ".join(f"{p}: {self.rng.choice(['string', 'number', 'any'])}"
                               for p in params.split(", ") if p)
        body = self.block(ind + "    ", 0, 2, 7)
        name = name or self.top()
        head = f"function {name}({params})"
        if member_of is not None:
            head = f"{member_of}.{name} = function ({params})"
        doc = ""
        if self.rng.random() < 0.3:
            doc = f"{ind}/**\n{ind} * {' '.join(self.rng.sample(WORDS, 6))}\n{ind} */\n"
        end = ";" if member_of is not None else ""
        return f"{doc}{ind}{head} {{\n{body}{ind}}}{end}\n"

    def method(self, ind: str) -> str:
        body = self.block(ind + "    ", 0, 2, 6)
        params = ", ".join(self.rng.sample(WORDS, self.rng.randint(0, 2)))
        return f"{ind}{self.name()}: function ({params}) {{\n{body}{ind}}}"


# ---------------------------------------------------------------------------------------------
# Ordinary files. Each builder returns the text of one file of roughly `size` bytes.

def fill(size: int, unit: Callable[[], str], sep: str = "\n") -> str:
    parts: list[str] = []
    n = 0
    while n < size:
        part = unit()
        parts.append(part)
        n += len(part)
    return sep.join(parts)


def jquery_plugin(rng: random.Random, size: int) -> str:
    c = Code(rng)
    plugin = c.name()
    defaults = ",\n".join(f"        {k}: {c.atom()}" for k in rng.sample(WORDS, 5))
    proto = f"{plugin.capitalize()}.prototype"
    body = fill(size - 600, lambda: c.function("    ", member_of=proto))
    return (
        f"/*!\n * jQuery {plugin} plugin\n * Licensed MIT\n */\n"
        f";(function ($, window, document, undefined) {{\n    'use strict';\n\n"
        f"    var pluginName = '{plugin}',\n        defaults = {{\n{defaults}\n        }};\n\n"
        f"    function {plugin.capitalize()}(element, options) {{\n"
        f"        this.element = element;\n"
        f"        this.settings = $.extend({{}}, defaults, options);\n"
        f"        this._defaults = defaults;\n        this.init();\n    }}\n\n"
        f"{body}\n"
        f"    $.fn[pluginName] = function (options) {{\n"
        f"        return this.each(function () {{\n"
        f"            if (!$.data(this, 'plugin_' + pluginName)) {{\n"
        f"                $.data(this, 'plugin_' + pluginName, new "
        f"{plugin.capitalize()}(this, options));\n"
        f"            }}\n        }});\n    }};\n}})(jQuery, window, document);\n"
    )


def amd_component(rng: random.Random, size: int) -> str:
    c = Code(rng)
    deps = ["jquery", "uiComponent", "ko", "mage/url", "Magento_Checkout/js/model/quote",
            "Magento_Customer/js/customer-data", "mage/translate"]
    chosen = rng.sample(deps, rng.randint(2, 5))
    args = ", ".join(d.split("/")[-1].replace("-", "_") for d in chosen)
    methods = fill(size - 400, lambda: c.method("        "), sep=",\n\n")
    dep_list = ",\n".join(f"    '{d}'" for d in chosen)
    return (
        f"define([\n{dep_list}\n], function ({args}) {{\n"
        f"    'use strict';\n\n    return Component.extend({{\n"
        f"        defaults: {{\n            template: '{rng.choice(VENDORS)}_"
        f"{rng.choice(MODULES)}/{c.name(1)}'\n        }},\n\n{methods}\n    }});\n}});\n"
    )


def es_module(rng: random.Random, size: int, modern_syntax: bool = False) -> str:
    c = Code(rng, modern=True)
    imports = "".join(
        f"import {{ {c.top()} }} from './{c.name(1)}';\n" for _ in range(rng.randint(1, 4)))

    def unit() -> str:
        r = rng.random()
        if r < 0.5:
            return "export " + c.function("")
        if r < 0.75:
            return f"export const {c.top()} = ({c.name(1)}) => {{\n{c.block('    ', 0, 2, 6)}}};\n"
        methods = "\n".join(
            f"    {'async ' if rng.random() < 0.3 else ''}{c.name()}({c.name(1)}) {{\n"
            f"{c.block('        ', 1, 1, 4)}    }}" for _ in range(rng.randint(2, 5)))
        extra = ""
        if modern_syntax:
            # Syntax esprima 4 rejects (DOMAIN.md, Parser facts): optional chaining, nullish,
            # class fields. Real storefront code has all three.
            extra = (f"    {c.name(1)} = {c.atom()};\n"
                     f"    get {c.name()}() {{ return this.{c.name(1)}?.{c.name(1)} ?? null; }}\n")
        return f"export class {c.top(cls=True)} {{\n{extra}{methods}\n}}\n"

    return f"'use strict';\n{imports}\n" + fill(size, unit)


def react_module(rng: random.Random, size: int, jsx: bool) -> str:
    c = Code(rng, modern=True)

    def unit() -> str:
        comp = c.top(cls=True)
        state = c.name(1)
        if jsx:
            view = (f"    return (\n      <div className=\"{c.name(1)}\">\n"
                    f"        <h2>{{props.{c.name(1)}}}</h2>\n"
                    f"        <button onClick={{() => set{state.capitalize()}(!{state})}}>"
                    f"{c.name(1)}</button>\n      </div>\n    );\n")
        else:
            view = (f"    return React.createElement('div', {{ className: '{c.name(1)}' }},\n"
                    f"        React.createElement('span', null, props.{c.name(1)}));\n")
        return (f"export function {comp}(props) {{\n"
                f"    const [{state}, set{state.capitalize()}] = useState({c.atom()});\n"
                f"    useEffect(() => {{\n{c.block('        ', 1, 1, 3)}    }}, [{state}]);\n"
                f"{c.block('    ', 1, 1, 4)}{view}}}\n")

    head = "import React, { useState, useEffect } from 'react';\n\n"
    return head + fill(size, unit)


def ts_module(rng: random.Random, size: int, tsx: bool) -> str:
    c = Code(rng, modern=True, typed=True)

    def unit() -> str:
        r = rng.random()
        if r < 0.3:
            fields = "\n".join(f"  {k}{'?' if rng.random() < 0.3 else ''}: "
                               f"{rng.choice(['string', 'number', 'boolean', 'string[]'])};"
                               for k in rng.sample(WORDS, rng.randint(2, 7)))
            return f"export interface {c.top(cls=True)} {{\n{fields}\n}}\n"
        if r < 0.4:
            return f"export type {c.top(cls=True)} = '{c.name(1)}' | '{c.name(1)}' | '{c.name(1)}';\n"
        if tsx and r < 0.7:
            return (f"export const {c.top(cls=True)}: React.FC<{{ {c.name(1)}: string }}> = (props) => {{\n"
                    f"{c.block('  ', 1, 1, 3)}  return <section className=\"{c.name(1)}\">"
                    f"{{props.{c.name(1)}}}</section>;\n}};\n")
        return "export " + c.function("").replace(")", "): void", 1)

    head = "import React from 'react';\n\n" if tsx else ""
    return head + fill(size, unit)


def phtml_template(rng: random.Random, size: int, script: str | None = None) -> str:
    c = Code(rng)
    parts = [("<?php\n/** @var \\Magento\\Framework\\View\\Element\\Template $block */\n"
             "/** @var \\Magento\\Framework\\Escaper $escaper */\n?>\n")]
    n = 0
    while n < size:
        r = rng.random()
        if r < 0.4:
            chunk = (f"<div class=\"{c.name(1)}\" data-bind=\"scope: '{c.name(1)}'\">\n"
                     f"    <span><?= $escaper->escapeHtml(__('{c.string()[1:-1]}')) ?></span>\n"
                     f"    <?php if ($block->{c.name()}()): ?>\n"
                     f"        <a href=\"<?= $escaper->escapeUrl($block->getUrl('{c.name(1)}')) ?>"
                     f"\"><?= $block->escapeHtml($block->{c.name()}()) ?></a>\n"
                     f"    <?php endif; ?>\n</div>\n")
        elif r < 0.7:
            chunk = (f"<script type=\"text/x-magento-init\">\n{{\n    \"{rng.choice(SELECTORS)}\": "
                     f"{{\n        \"{rng.choice(VENDORS)}_{rng.choice(MODULES)}/js/{c.name(1)}\":"
                     f" {{\"{c.name(1)}\": \"<?= $block->escapeJs($block->{c.name()}()) ?>\"}}\n"
                     f"    }}\n}}\n</script>\n")
        else:
            body = c.block("        ", 0, 2, 5)
            chunk = (f"<script>\n    require(['jquery'], function ($) {{\n"
                     f"        var {c.name()} = '<?= $block->escapeJs($block->{c.name()}()) ?>';\n"
                     f"{body}    }});\n</script>\n")
        parts.append(chunk)
        n += len(chunk)
    if script is not None:
        parts.insert(rng.randint(1, len(parts)), script)
    return "".join(parts)


def html_page(rng: random.Random, size: int, script: str | None = None) -> str:
    c = Code(rng)
    parts = [(f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             f"<title>{c.string()[1:-1]}</title>\n"
             f"<script src=\"/static/js/{c.name(1)}.min.js\"></script>\n</head>\n<body>\n")]
    n = 0
    while n < size:
        if rng.random() < 0.6:
            chunk = (f"<section class=\"{c.name(1)}\">\n  <h2>{c.string()[1:-1]}</h2>\n"
                     f"  <p>{' '.join(rng.choices(WORDS, k=40))}</p>\n</section>\n")
        else:
            chunk = f"<script>\n{c.block('  ', 0, 2, 6)}</script>\n"
        parts.append(chunk)
        n += len(chunk)
    if script is not None:
        parts.insert(rng.randint(1, len(parts)), script)
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def php_plugin_file(rng: random.Random, size: int) -> str:
    c = Code(rng)
    parts = [(f"<?php\n/**\n * Plugin Name: {c.cls()} for WooCommerce\n */\n\n"
             f"if (!defined('ABSPATH')) {{\n    exit;\n}}\n\n")]
    n = 0
    while n < size:
        fn = "_".join(rng.sample(WORDS, 3))
        chunk = (f"function {fn}($order_id) {{\n    $order = wc_get_order($order_id);\n"
                 f"    $total = $order->get_total();\n    if ($total > {c.number()}) {{\n"
                 f"        update_post_meta($order_id, '_{fn}', $total);\n    }}\n"
                 f"    ?>\n    <script>\n{c.block('    ', 0, 1, 3)}    </script>\n    <?php\n"
                 f"    return $total;\n}}\nadd_action('woocommerce_{c.name(1)}', '{fn}');\n\n")
        parts.append(chunk)
        n += len(chunk)
    return "".join(parts)


def minify(text: str) -> str:
    """Crude but valid for our generated code: drop comment lines and indentation, join lines."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith(("//", "/*", "*")):
            continue
        out.append(s)
    # Every generated statement ends in `;` or `}`, so joining lines is safe (no ASI traps).
    return "".join(out)


def bundle(rng: random.Random, size: int, with_dr: bool) -> str:
    """A built bundle: webpack-like module table in one line, optionally embedding DR.js."""
    parts = [("!function(e){var t={};function n(r){if(t[r])return t[r].exports;"
             "var o=t[r]={i:r,l:!1,exports:{}};return e[r].call(o.exports,o,o.exports,n),"
             "o.l=!0,o.exports}n.m=e,n(0)}([")]
    n = 0
    i = 0
    while n < size:
        body = minify(es5_chunk(rng, rng.randint(2000, 8000)))
        chunk = f"function(e,t,n){{{body}}},"
        if with_dr and i == 3:
            chunk = f"function(e,t,n){{{minify(dr_library(rng, 20000))}}},"
        parts.append(chunk)
        n += len(chunk)
        i += 1
    parts.append("function(e,t){}]);\n")
    return "".join(parts)


def es5_chunk(rng: random.Random, size: int) -> str:
    c = Code(rng)
    return fill(size, lambda: c.function(""))


def dr_library(rng: random.Random, size: int) -> str:
    """A vendored copy of a DigitalRiver.js-like client library: it *defines* createSource."""
    c = Code(rng)
    filler = fill(size - 1500, lambda: c.function("    "))
    return (
        "/*! DigitalRiver.js (vendored copy) */\n"
        "(function (root) {\n    'use strict';\n"
        "    function DigitalRiver(publicKey, options) {\n"
        "        if (!(this instanceof DigitalRiver)) { return new DigitalRiver(publicKey, options); }\n"
        "        this.publicKey = publicKey;\n        this.options = options || {};\n    }\n"
        "    DigitalRiver.prototype.createSource = function (element, sourceData) {\n"
        "        if (sourceData === undefined) { sourceData = element; element = null; }\n"
        "        var body = { type: sourceData.type, amount: sourceData.amount,\n"
        "            currency: sourceData.currency, sessionId: sourceData.sessionId };\n"
        "        return this._post('/sources', body, element);\n    };\n"
        "    DigitalRiver.prototype.createElement = function (type, options) {\n"
        "        return new Element(this, type, options);\n    };\n"
        f"{filler}\n    root.DigitalRiver = DigitalRiver;\n}})(window);\n"
    )


def css_file(rng: random.Random, size: int) -> str:
    parts = []
    n = 0
    while n < size:
        chunk = (f"{rng.choice(SELECTORS)} .{rng.choice(WORDS)}-{rng.choice(WORDS)} {{\n"
                 f"  margin: {rng.randint(0, 40)}px;\n  color: #{rng.randrange(0xFFFFFF):06x};\n"
                 f"  display: {rng.choice(['block', 'flex', 'none', 'inline-block'])};\n}}\n")
        parts.append(chunk)
        n += len(chunk)
    return "".join(parts)


def json_file(rng: random.Random, size: int) -> str:
    data = {}
    n = 0
    while n < size:
        k = "_".join(rng.sample(WORDS, 2))
        data[k] = " ".join(rng.sample(WORDS, 5))
        n += len(k) + 40
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------------------------
# Payloads. Shapes follow DOMAIN.md: rarely inline; variables declared in an `if` and used after,
# reassigned per branch, extended by bracket writes, merged with Object.assign/$.extend, returned
# by helpers; receivers under many names; element-first calls for cards.

RECEIVERS = ("digitalriver", "digitalRiver", "drjs", "this.dr", "window.digitalriverjs",
             "self.digitalRiver", "window['DigitalRiverJs']", "drClient")
OWNER = ("owner: {{\n{i}    firstName: {cart}.billingAddress.firstname,\n"
         "{i}    lastName: {cart}.billingAddress.lastname,\n"
         "{i}    email: {cart}.email,\n"
         "{i}    address: {{\n{i}        line1: {cart}.billingAddress.street[0],\n"
         "{i}        city: {cart}.billingAddress.city,\n"
         "{i}        postalCode: {cart}.billingAddress.postcode,\n"
         "{i}        country: {cart}.billingAddress.countryId\n{i}    }}\n{i}}}")
ITEMS = ("items: {cart}.items.map(function (item) {{\n"
         "{i}    return {{ name: item.name, quantity: item.qty, unitAmount: item.price }};\n{i}}})")
KLARNA_EXTRA = (
    "locale: '{locale}',\n{i}discountAmount: {cart}.discount,\n{i}taxAmount: {cart}.tax,\n"
    "{i}shippingAmount: {cart}.shippingAmount,\n"
    "{i}shipping: {{ recipient: {cart}.shippingAddress.name, address: {cart}.shippingAddress }},\n"
    "{i}accountId: {cart}.customerId,\n{i}accountCreatedDate: {cart}.customerCreatedAt,\n"
    "{i}hasPaidBefore: {cart}.hasOrders")


def payload_body(rng: random.Random, method: str, ind: str, cart: str, php: bool) -> str:
    """Key/value lines (no braces) of a legacy payload for `method`."""
    i = ind
    amount = f"{cart}.grandTotal"
    currency = f"{cart}.currencyCode"
    if php:
        amount = "<?= (float) $block->getGrandTotal() ?>"
        currency = "'<?= $block->escapeJs($block->getCurrencyCode()) ?>'"
    lines = [f"type: '{method}'"]
    owner = OWNER.format(i=i, cart=cart)
    if method == "creditCard":
        lines.append(owner)
        if rng.random() < 0.5:  # real legacy card code sent these too (ambiguity 3)
            lines += [f"amount: {amount}", f"currency: {currency}"]
        return (",\n" + i).join(lines)
    lines += [f"amount: {amount}", f"currency: {currency}"]
    if method in ("payPal", "payPalBilling", "payPalCredit"):
        hashname = method if method != "payPal" and rng.random() < 0.5 else "payPal"
        inner = i + "    "
        fields = [f"returnUrl: {cart}.returnUrl", f"cancelUrl: {cart}.cancelUrl",
                  ITEMS.format(i=inner, cart=cart), f"taxAmount: {cart}.tax",
                  f"shippingAmount: {cart}.shippingAmount", "amountsEstimated: true",
                  f"requestShipping: {rng.choice(['true', 'false'])}"]
        lines.append(f"{hashname}: {{\n{inner}" + (",\n" + inner).join(fields) + f"\n{i}}}")
    elif method in ("klarnaCredit", "klarnaCreditRecurring"):
        inner = i + "    "
        extra = KLARNA_EXTRA.format(i=inner, cart=cart, locale=rng.choice(["de_DE", "en_GB"]))
        fields = [f"returnUrl: {cart}.returnUrl", f"cancelUrl: {cart}.cancelUrl",
                  ITEMS.format(i=inner, cart=cart), extra]
        if method == "klarnaCreditRecurring":
            fields += ["subscriptionDescription: 'Monthly box'", "autoRenewal: true"]
        lines.append(f"{method}: {{\n{inner}" + (",\n" + inner).join(fields) + f"\n{i}}}")
    elif method == "directDebit":
        lines.append(owner)
        lines.append(f"directDebit: {{ returnUrl: {cart}.returnUrl }}")
    elif method == "onlineBanking":
        lines.append(f"onlineBanking: {{ bankCode: {cart}.bankCode, returnUrl: {cart}.returnUrl,"
                     f" cancelUrl: {cart}.cancelUrl }}")
    elif method == "konbini":
        lines.append(owner)
        lines.append(f"konbini: {{ storeId: {cart}.storeId }}")
    elif method in ("wireTransfer", "codJapan", "bPay"):
        lines.append(owner)
    elif method in ("payco", "bankTransfer"):
        lines.append(owner)
        lines.append(f"{method}: {{ returnUrl: {cart}.returnUrl, cancelUrl: {cart}.cancelUrl }}")
    if rng.random() < 0.3:
        lines.append("futureUse: false")
    return (",\n" + i).join(lines)


def result_handler(ind: str) -> str:
    return (f".then(function (result) {{\n{ind}    if (result.error) {{\n"
            f"{ind}        showError(result.error.errors[0].message);\n{ind}        return;\n"
            f"{ind}    }}\n{ind}    submitSource(result.source.id);\n{ind}}});\n")


def payload_snippet(rng: random.Random, methods: list[str], php: bool = False,
                    ts: bool = False) -> tuple[str, str]:
    """One function containing one or more legacy createSource calls. Returns (shape, code)."""
    recv = rng.choice(RECEIVERS)
    if ts and recv.startswith(("self.", "window[")):
        recv = "this.digitalRiver"
    fn = _camel(rng.sample(WORDS, 2))
    cart = rng.choice(["cart", "quote", "checkoutData", "orderInfo"])
    var = rng.choice(["payload", "sourceData", "data", "request", "options"])
    i1, i2, i3 = "    ", "        ", "            "
    decl = "const" if ts else "var"
    ann = ": any" if ts else ""
    shapes = ["inline", "variable", "if-scoped", "branches", "bracket-write", "merge", "helper",
              "async", "computed"]
    shape = "branches" if len(methods) > 1 else rng.choice(shapes)
    m = methods[0]
    body = payload_body(rng, m, i3 if shape in ("if-scoped",) else i2, cart, php)
    head = f"function {fn}({cart}{ann}) {{\n"
    if shape == "inline":
        if m == "creditCard":
            code = (f"{i1}{recv}.createSource(cardNumber, {{\n{i2}{body}\n{i1}}})"
                    + result_handler(i1))
        else:
            code = f"{i1}{recv}.createSource({{\n{i2}{body}\n{i1}}})" + result_handler(i1)
    elif shape == "variable":
        code = (f"{i1}{decl} {var}{ann} = {{\n{i2}{body}\n{i1}}};\n"
                f"{i1}{var}.amount = {cart}.totals.grand_total;\n"
                f"{i1}{recv}.createSource({var})" + result_handler(i1))
    elif shape == "if-scoped":
        code = (f"{i1}if ({cart}.paymentMethod === '{m}') {{\n"
                f"{i2}var {var} = {{\n{i3}{body}\n{i2}}};\n{i1}}}\n"
                f"{i1}{recv}.createSource({var})" + result_handler(i1))
    elif shape == "branches":
        branches = []
        for j, mm in enumerate(methods):
            kw = "if" if j == 0 else "} else if"
            b = payload_body(rng, mm, i3, cart, php)
            branches.append(f"{i1}{kw} ({cart}.method === '{mm}') {{\n"
                            f"{i2}{var} = {{\n{i3}{b}\n{i2}}};\n")
        code = (f"{i1}{'let' if ts else 'var'} {var}{ann};\n" + "".join(branches) + f"{i1}}}\n"
                f"{i1}{recv}.createSource({var})" + result_handler(i1))
    elif shape == "bracket-write":
        code = (f"{i1}{decl} {var}{ann} = {{\n{i2}{body}\n{i1}}};\n"
                f"{i1}if ({cart}.isVirtual === false) {{\n"
                f"{i2}{var}['shipping'] = {{ recipient: {cart}.shippingAddress.name }};\n"
                f"{i2}{var}['currency'] = {cart}.quoteCurrencyCode;\n{i1}}}\n"
                f"{i1}{recv}.createSource({var})" + result_handler(i1))
    elif shape == "merge":
        merger = rng.choice(["Object.assign({}, base, ", "$.extend(true, {}, base, "])
        code = (f"{i1}{decl} base = {{ type: '{m}' }};\n"
                f"{i1}{decl} {var} = {merger}{{\n{i2}{body}\n{i1}}});\n"
                f"{i1}{recv}.createSource({var})" + result_handler(i1))
    elif shape == "helper":
        code = (f"{i1}return {recv}.createSource(build{m[0].upper() + m[1:]}Payload({cart}))"
                + result_handler(i1) + "}\n\n"
                f"function build{m[0].upper() + m[1:]}Payload({cart}{ann}) {{\n"
                f"{i1}return {{\n{i2}{body}\n{i1}}};\n")
    elif shape == "async":
        head = f"async function {fn}({cart}{ann}) {{\n"
        code = (f"{i1}{decl} {var}{ann} = {{\n{i2}{body}\n{i1}}};\n"
                f"{i1}{decl} {{ source, error }} = await {recv}.createSource({var});\n"
                f"{i1}if (error) {{\n{i2}throw new Error(error.errors[0].message);\n{i1}}}\n"
                f"{i1}return source;\n")
    else:  # computed member
        code = (f"{i1}{decl} {var}{ann} = {{\n{i2}{body}\n{i1}}};\n"
                f"{i1}window[drInstanceName].createSource({var})" + result_handler(i1))
    return shape, head + code + "}\n"


def dr_setup(rng: random.Random) -> str:
    key = f"pk_test_{rng.randrange(16**24):024x}"
    name = rng.choice(["digitalriver", "digitalRiver", "drjs", "drClient"])
    return (f"var {name} = new DigitalRiver('{key}', {{\n"
            f"    locale: '{rng.choice(['en_US', 'de_DE', 'ja_JP', 'ko_KR'])}'\n}});\n\n")


def lookalike(rng: random.Random) -> tuple[str, str]:
    """Code that mentions createSource but must never be touched. Returns (kind, code)."""
    kind = rng.choice(["stripe-card", "stripe-ideal", "comment", "local-function",
                       "rest-wrapper", "commented-out"])
    if kind == "stripe-card":
        return kind, ("var stripe = Stripe('pk_test_xxx');\nvar card = elements.create('card');\n"
                      "function pay(ownerInfo) {\n"
                      "    stripe.createSource(card, { type: 'card', owner: ownerInfo })\n"
                      "        .then(function (result) { handleStripe(result); });\n}\n")
    if kind == "stripe-ideal":
        return kind, ("function payIdeal(order) {\n    return stripe.createSource({\n"
                      "        type: 'ideal',\n        amount: order.amount,\n"
                      "        currency: 'eur',\n        owner: { name: order.name },\n"
                      "        redirect: { return_url: order.returnUrl }\n    });\n}\n")
    if kind == "comment":
        return kind, ("/**\n * Payment step. The source is created with createSource() in\n"
                      " * payment-form.js; this module only renders the summary.\n */\n")
    if kind == "local-function":
        return kind, ("function createSource(node, opts) {\n"
                      "    return { node: node, amount: opts.amount, currency: opts.currency };\n"
                      "}\nvar src = createSource(el, { amount: 1, currency: 'USD' });\n")
    if kind == "rest-wrapper":
        return kind, ("// Server-side wrapper around the Digital River REST API.\n"
                      "async function addStoreCredit(api, checkout) {\n"
                      "    return api.createSource({\n        type: 'customerCredit',\n"
                      "        amount: checkout.creditAmount,\n"
                      "        paymentSessionId: checkout.paymentSessionId\n    });\n}\n")
    return kind, ("// Legacy, kept for reference:\n"
                  "// digitalriver.createSource({ type: 'payPal', amount: total, currency: 'USD' });\n")


# ---------------------------------------------------------------------------------------------
# The tree.

@dataclass
class Gen:
    rng: random.Random
    root: Path
    manifest: Manifest
    budget: Budget
    method_cycle: int = 0

    def write(self, rel: str, text: str, kind: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        self.manifest.files += 1
        self.manifest.bytes += len(data)
        self.manifest.kinds[kind] = self.manifest.kinds.get(kind, 0) + 1
        self.budget.left -= len(data)

    def next_methods(self) -> list[str]:
        """Round-robin over METHODS so every method is planted even in a small tree."""
        k = 1 if self.rng.random() < 0.7 else self.rng.randint(2, 3)
        out = []
        for _ in range(k):
            out.append(METHODS[self.method_cycle % len(METHODS)])
            self.method_cycle += 1
        return out

    def size(self, lo: int = 1000, hi: int = 45000) -> int:
        # Log-uniform: many small files, a few big ones, like real repos.
        return int(math.exp(self.rng.uniform(math.log(lo), math.log(hi))))


ORDINARY: list[tuple[str, float]] = [
    ("amd", 0.22), ("jquery", 0.10), ("es-module", 0.12), ("es-modern", 0.06), ("react", 0.05),
    ("jsx", 0.03), ("ts", 0.08), ("tsx", 0.05), ("phtml", 0.14), ("html", 0.04), ("php", 0.04),
    ("css", 0.05), ("json", 0.02),
]


def ordinary_path(g: Gen, kind: str, idx: int) -> str:
    rng = g.rng
    vendor, module = rng.choice(VENDORS), rng.choice(MODULES)
    base = "-".join(rng.sample(WORDS, 2))
    mage = f"app/code/{vendor}/{module}/view/frontend"
    return {
        "amd": f"{mage}/web/js/{base}-{idx}.js",
        "jquery": f"app/design/frontend/{vendor}/default/web/js/jquery.{base}-{idx}.js",
        "es-module": f"storefront/src/lib/{base}-{idx}.js",
        "es-modern": f"storefront/src/services/{base}-{idx}.js",
        "react": f"storefront/src/components/{base}-{idx}.js",
        "jsx": f"storefront/src/components/{base}-{idx}.jsx",
        "ts": f"storefront/src/{rng.choice(['api', 'store', 'utils'])}/{base}-{idx}.ts",
        "tsx": f"storefront/src/views/{base}-{idx}.tsx",
        "phtml": f"{mage}/templates/{base}-{idx}.phtml",
        "html": f"public/{base}-{idx}.html",
        "php": f"wp-content/plugins/{vendor.lower()}-checkout/includes/{base}-{idx}.php",
        "css": f"{mage}/web/css/{base}-{idx}.css",
        "json": f"storefront/src/i18n/{base}-{idx}.json",
    }[kind]


def ordinary_text(g: Gen, kind: str, size: int, script: str | None = None) -> str:
    rng = g.rng
    if kind == "amd":
        return amd_component(rng, size)
    if kind == "jquery":
        return jquery_plugin(rng, size)
    if kind in ("es-module", "es-modern"):
        return es_module(rng, size, modern_syntax=kind == "es-modern")
    if kind in ("react", "jsx"):
        return react_module(rng, size, jsx=kind == "jsx")
    if kind in ("ts", "tsx"):
        return ts_module(rng, size, tsx=kind == "tsx")
    if kind == "phtml":
        return phtml_template(rng, size, script)
    if kind == "html":
        return html_page(rng, size, script)
    if kind == "php":
        return php_plugin_file(rng, size)
    if kind == "css":
        return css_file(rng, size)
    return json_file(rng, size)


def payload_file(g: Gen, idx: int) -> None:
    """A file with legacy payloads: JS (most), TS, or a template with a <script> block."""
    rng = g.rng
    methods = g.next_methods()
    r = rng.random()
    kind = "amd" if r < 0.45 else "ts" if r < 0.6 else "phtml" if r < 0.85 else "html"
    php = kind == "phtml" and rng.random() < 0.7
    shape, snippet = payload_snippet(rng, methods, php=php, ts=kind == "ts")
    size = g.size(1500, 20000)
    if kind in ("phtml", "html"):
        script = f"<script>\n{dr_setup(rng)}{snippet}</script>\n"
        text = ordinary_text(g, kind, size, script)
    else:
        text = dr_setup(rng) + snippet + "\n" + ordinary_text(g, kind, size)
    p = PurePosixPath(ordinary_path(g, kind, idx))
    rel = str(p.with_stem(p.stem + "-payment"))
    g.write(rel, text, f"payload-{kind}")
    g.manifest.payload_files[rel] = [*methods, f"shape={shape}"]


def crossfile_payload(g: Gen, idx: int) -> None:
    """A payload built in one module and sent from another (issue 18): a builder module that
    exports a function returning the legacy literal, and a checkout module that imports it and
    hands its result to `createSource`, through a wrapper half of the time."""
    rng = g.rng
    methods = g.next_methods()
    method = methods[0]
    folder = f"storefront/src/checkout/flow-{idx}"
    body = payload_body(rng, method, "        ", "cart", False)
    builder = (f"export function build{idx}(cart) {{\n    return {{\n        type: '{method}',\n{body}    }};\n}}\n\n"
               + es_module(rng, g.size(800, 6000)))
    g.write(f"{folder}/payload.js", builder, "payload-crossfile")
    g.manifest.payload_files[f"{folder}/payload.js"] = [method, "shape=crossfile"]
    if rng.random() < 0.5:
        setup = f"var digitalriver = new DigitalRiver('pk_test_{rng.randrange(16**24):024x}');\n"
        wrapper = (f"{setup}export function send{idx}(data) {{\n    return digitalriver.createSource(data);\n}}\n\n"
                   + es_module(rng, g.size(800, 6000)))
        g.write(f"{folder}/send.js", wrapper, "crossfile-wrapper")
        caller = (f"import {{build{idx}}} from './payload';\nimport {{send{idx}}} from './send';\n\n"
                  f"export function pay(cart) {{\n    return send{idx}(build{idx}(cart));\n}}\n\n")
    else:
        setup = f"var digitalriver = new DigitalRiver('pk_test_{rng.randrange(16**24):024x}');\n"
        caller = (f"import {{build{idx}}} from './payload';\n{setup}\n"
                  f"export function pay(cart) {{\n    return digitalriver.createSource(build{idx}(cart));\n}}\n\n")
    g.write(f"{folder}/checkout.js", caller + es_module(rng, g.size(800, 6000)), "crossfile-call")


def lookalike_file(g: Gen, idx: int) -> None:
    kind, code = lookalike(g.rng)
    rel = f"storefront/src/legacy/{kind}-{idx}.js"
    if kind == "rest-wrapper":
        rel = f"server/routes/{kind}-{idx}.js"
    filler = es5_chunk(g.rng, g.size(1000, 8000))
    g.write(rel, code + "\n" + filler, f"lookalike-{kind}")
    g.manifest.lookalike_files[rel] = kind


def vendored(g: Gen, share: int) -> None:
    """Vendored libraries (vendor/, node_modules/, lib/web) and built .min.js bundles."""
    rng = g.rng
    start = g.budget.left
    g.write("vendor/digitalriver/DigitalRiver.js", dr_library(rng, 60000), "vendor-drjs")
    g.write("lib/web/digitalriver/DigitalRiver.min.js", minify(dr_library(rng, 60000)),
            "vendor-drjs-min")
    g.write("node_modules/@types/digitalriver/index.d.ts",
            "export interface DigitalRiver {\n"
            "  createSource(sourceData: SourceData): Promise<SourceResult>;\n"
            "  createSource(element: Element, sourceData: SourceData): Promise<SourceResult>;\n"
            "}\nexport interface SourceData { type: string; amount?: number; currency?: string;"
            " sessionId?: string; }\n", "vendor-dts")
    i = 0
    while start - g.budget.left < share:
        r = rng.random()
        if r < 0.25:  # bundles: few, big, one line
            size = rng.randint(150_000, 700_000)
            with_dr = rng.random() < 0.3
            g.write(f"pub/static/dist/bundle-{i}.min.js", bundle(rng, size, with_dr),
                    "bundle-min-dr" if with_dr else "bundle-min")
        elif r < 0.6:
            lib = rng.choice(["jquery-ui", "slick", "lodash-lite", "moment-lite", "select2"])
            g.write(f"vendor/{lib}/src/{rng.choice(WORDS)}-{i}.js",
                    jquery_plugin(rng, g.size(3000, 40000)), "vendor-js")
        else:
            pkg = rng.choice(["left-pad", "core-js", "whatwg-fetch", "regenerator", "axios"])
            g.write(f"node_modules/{pkg}/lib/{rng.choice(WORDS)}-{i}.js",
                    es5_chunk(rng, g.size(1000, 20000)), "node_modules-js")
        i += 1


def ignored(g: Gen, share: int) -> None:
    """Files the repository's .gitignore files leave out: a coverage report under a nested
    .gitignore, Magento's preprocessed view files under the root one's /var/, generated code. They
    are real-looking JavaScript (one mentions createSource), so a tool that does not honour the
    ignore files pays for them and reports them."""
    rng = g.rng
    start = g.budget.left
    g.write("storefront/.gitignore", "coverage/\n*.generated.js\n.cache/\n", "gitignore")
    g.write("app/code/Acme/Checkout/.gitignore", "view/frontend/web/js/build/\n", "gitignore")
    g.write("var/view_preprocessed/pub/static/payment-copy.js",
            dr_setup(rng) + payload_snippet(rng, ["payPal"])[1], "ignored-copy")
    i = 0
    while start - g.budget.left < share:
        r = rng.random()
        if r < 0.5:
            rel = f"storefront/coverage/lcov-report/src/{rng.choice(WORDS)}-{i}.js.html.js"
        elif r < 0.8:
            rel = f"var/view_preprocessed/pub/static/frontend/{rng.choice(VENDORS)}/{rng.choice(WORDS)}-{i}.js"
        elif r < 0.9:
            rel = f"storefront/src/api/{rng.choice(WORDS)}-{i}.generated.js"
        else:
            rel = f"app/code/Acme/Checkout/view/frontend/web/js/build/{rng.choice(WORDS)}-{i}.js"
        g.write(rel, es5_chunk(rng, g.size(2000, 30000)), "ignored")
        i += 1


def generate(out: Path, size_mb: float = 70, seed: int = DEFAULT_SEED, heavy: bool = False,
             payload_share: float = 0.003, force: bool = False) -> Manifest:
    """Write the tree to `out` (replacing it if `force`); return the manifest."""
    if out.exists():
        if not force:
            raise FileExistsError(f"{out} exists; pass force=True (--force) to regenerate it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = random.Random(f"drmigrate-bench:{seed}:{size_mb}:{heavy}")
    manifest = Manifest(seed=seed, size_mb=size_mb, heavy=heavy)
    g = Gen(rng=rng, root=out, manifest=manifest, budget=Budget(int(size_mb * MB)))
    idx = 0
    if heavy:
        # Candidate-heavy: every file has payloads; no vendored code or look-alikes.
        while g.budget.left > 0:
            payload_file(g, idx)
            idx += 1
    else:
        vendored(g, int(g.budget.left * 0.15))
        ignored(g, int(g.budget.left * 0.04))
        kinds = [k for k, _ in ORDINARY]
        weights = [w for _, w in ORDINARY]
        while g.budget.left > 0:
            r = rng.random()
            if r < payload_share:
                payload_file(g, idx)
            elif r < 2 * payload_share:
                lookalike_file(g, idx)
            elif r < 2.5 * payload_share:
                crossfile_payload(g, idx)
            else:
                kind = rng.choices(kinds, weights)[0]
                text = ordinary_text(g, kind, g.size())
                if rng.random() < 0.03:  # some files were committed from Windows
                    text = text.replace("\n", "\r\n")
                g.write(ordinary_path(g, kind, idx), text, kind)
            idx += 1
        # Guarantee coverage of every method even in a small tree.
        while g.method_cycle < len(METHODS):
            payload_file(g, idx)
            idx += 1
    make_repository(out)
    manifest_path(out).write_text(json.dumps(manifest.__dict__, indent=1, sort_keys=True) + "\n")
    return manifest


GITIGNORE = "# what a storefront repository typically ignores\n/node_modules/\n/var/\n*.log\n.idea/\n"


def make_repository(out: Path) -> None:
    """Make the tree a git repository of its own, as a merchant's checkout is, with the files
    committed (a checkout's files are tracked; `git ls-files` reads them from the index).

    Without a repository of its own, tools that honour .gitignore (ripgrep, ast-grep, drmigrate)
    would apply the ignore files of whatever repository the tree sits in; the default tree sits
    inside the drmigrate checkout, whose .gitignore ignores bench/out/ itself. The tree's own
    .gitignore is not counted in the manifest's file totals.
    """
    (out / ".gitignore").write_text(GITIGNORE)
    if shutil.which("git"):
        env = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
               "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
               "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
               "PATH": os.environ.get("PATH", ""), "HOME": str(out)}
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "storefront"]):
            subprocess.run(["git", "-c", "core.autocrlf=false", *args], cwd=out, check=True, env=env,
                           capture_output=True)
    else:  # a `.git` entry is what marks a repository root for the tools measured
        (out / ".git").mkdir()


def manifest_path(out: Path) -> Path:
    return out.with_name(out.name + ".manifest.json")


def check_methods(rules_json: Path) -> None:
    """Fail loudly if rules.json names a method this generator does not plant."""
    if not rules_json.exists():
        return
    types = [m["type"] for m in json.loads(rules_json.read_text())["methods"]]
    missing = sorted(set(types) - set(METHODS))
    if missing:
        raise SystemExit(f"bench/synth.py does not plant payloads for {missing}; add them to "
                         "METHODS and payload_body()")


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and ".git" not in p.relative_to(root).parts:
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="target directory "
                    "(default: bench/out/repo); the manifest goes to <out>.manifest.json")
    ap.add_argument("--size-mb", type=float, default=70, help="approximate size in MiB (default 70)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 7)")
    ap.add_argument("--heavy", action="store_true",
                    help="candidate-heavy tree: every file has payloads")
    ap.add_argument("--force", action="store_true", help="replace the directory if it exists")
    ap.add_argument("--digest", action="store_true", help="print a SHA-256 of the tree afterwards")
    args = ap.parse_args(argv)
    check_methods(Path(__file__).resolve().parent.parent / "rules" / "rules.json")
    try:
        m = generate(args.out, args.size_mb, args.seed, args.heavy, force=args.force)
    except FileExistsError as e:
        print(f"bench/synth.py: {e}", file=sys.stderr)
        return 2
    planted = sorted({x for ms in m.payload_files.values() for x in ms if "=" not in x})
    print(f"{args.out}: {m.files} files, {m.bytes / MB:.1f} MiB, "
          f"{len(m.payload_files)} payload files ({len(planted)} methods), "
          f"{len(m.lookalike_files)} look-alikes")
    if args.digest:
        print(tree_digest(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
