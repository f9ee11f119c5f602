"""The language server's latency (issue 21): how long an editor waits for diagnostics on a
2,000-line file. A measurement, not a test: it prints figures.

The real `drmigrate server` process is started over stdio and spoken to by pygls' own LSP client.
A seeded generator writes a 2,000-line storefront checkout file (jQuery-era code: cart helpers,
DOM handlers, analytics, and eight `createSource` payloads of several methods, some built by
helpers, some written after creation) into a temporary git project with a `.drmigrate.toml`.

Measured, each over `--rounds` rounds (median and the slowest):

- open: `didOpen` to the first `publishDiagnostics` (the first one also pays for imports);
- change: `didChange` (a payload edited: a legacy field added or removed, so the diagnostics
  differ every round) to the `publishDiagnostics` of that version. It includes the server's
  debounce (the pause it waits for the next keystroke), printed beside it;
- a hover sent while an analysis runs: its answer time shows the message loop is not blocked.

    python bench/server_latency.py             # 2,000 lines, 10 rounds
    python bench/server_latency.py --lines 5000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

METHODS = [
    ("payPal", ("amount: cart.total, currency: cart.currency,\n        payPal: {returnUrl: urls.ok, cancelUrl: urls.cancel, "
               "items: cart.items, taxAmount: cart.tax}")),
    ("klarnaCredit", ("amount: cart.total, currency: cart.currency,\n        klarnaCredit: {locale: 'en_US', "
                     "shipping: cart.shipping, returnUrl: urls.ok}")),
    ("directDebit", "amount: cart.total, currency: 'EUR', owner: owner"),
    ("wireTransfer", "amount: cart.total, currency: cart.currency, owner: owner"),
    ("konbini", "amount: cart.total, currency: 'JPY', konbini: {storeId: store}"),
    ("creditCard", "owner: owner"),
    ("onlineBanking", "amount: cart.total, currency: cart.currency, onlineBanking: {bankCode: bank}"),
    ("bPay", "amount: cart.total, currency: 'AUD'"),
]


def checkout_file(lines: int, seed: int = 21) -> str:
    """A storefront checkout script of about `lines` lines with eight payloads in it."""
    rng = random.Random(seed)
    out = ["(function ($, window) {", "    'use strict';", ("    var digitalriver = new DigitalRiver(window.DR_KEY, "
           "{locale: 'en_US'});"), "    var urls = {ok: '/checkout/ok', cancel: '/checkout/cancel'};", ""]
    filler = 0
    payloads = 0
    while len(out) < lines - 20:
        if payloads < len(METHODS) and len(out) > (payloads + 1) * lines // (len(METHODS) + 2):
            method, fields = METHODS[payloads]
            if payloads % 2:
                out += [f"    function build{method}(cart, owner, store, bank) {{",
                        f"        return {{type: '{method}', {fields}}};", "    }",
                        f"    $('#pay-{method}').on('click', function () {{",
                        "        var cart = readCart();",
                        (f"        digitalriver.createSource(build{method}(cart, owner(), 'lawson', 'x'))"
                        ".then(handleSource);"), "    });", ""]
            else:
                out += [f"    function pay{method}(cart) {{", f"        var payload = {{type: '{method}', {fields}}};",
                        "        if (cart.shipping) {", "            payload.amount = cart.total + cart.shipping.cost;",
                        "        }", "        return digitalriver.createSource(payload).then(handleSource);", "    }", ""]
            payloads += 1
            continue
        filler += 1
        name = f"helper{filler}"
        kind = rng.randrange(4)
        if kind == 0:
            out += [f"    function {name}(cart) {{", "        var total = 0;",
                    "        for (var i = 0; i < cart.items.length; i++) {",
                    f"            total += cart.items[i].price * cart.items[i].qty * {rng.randint(1, 9)};", "        }",
                    "        return Math.round(total * 100) / 100;", "    }", ""]
        elif kind == 1:
            out += [f"    $(document).on('change', '#field-{filler}', function (event) {{",
                    "        var value = $(event.target).val();",
                    f"        window.dataLayer.push({{event: 'field_{filler}', value: value}});",
                    f"        $('#summary-{filler}').text(value ? 'set' : 'empty');", "    });", ""]
        elif kind == 2:
            out += [f"    var {name} = {{", f"        label: 'Step {filler}',", f"        order: {rng.randint(1, 99)},",
                    "        render: function (el) { el.innerHTML = '<b>' + this.label + '</b>'; }", "    };", ""]
        else:
            out += [f"    function {name}(address) {{", "        if (!address || !address.country) {",
                    "            return null;", "        }",
                    f"        return [address.line1, address.city, address.country].join(', ') + ' #{filler}';",
                    "    }", ""]
    out += ["    function readCart() { return window.checkoutConfig.cart; }",
            "    function owner() { return window.checkoutConfig.owner; }",
            "    function handleSource(result) { if (result.error) { showError(result.error); } }",
            "    function showError(error) { $('#errors').text(error.message); }"]
    while len(out) < lines - 1:
        out.append("    // end of the checkout steps")
    out.append("}(jQuery, window));")
    return "\n".join(out) + "\n"


async def measure(lines: int, rounds: int) -> None:
    from drmigrate.server import DEBOUNCE_SECONDS

    root = Path(tempfile.mkdtemp(prefix="drmigrate-lsp-"))
    subprocess.run(["git", "init", "-q", str(root)], check=True)  # noqa: ASYNC221 - setup, before the server starts
    (root / ".drmigrate.toml").write_text('session-id = "window.checkoutConfig.payment.session.id"\n')
    text = checkout_file(lines)
    path = root / "checkout.js"
    path.write_text(text)
    uri = from_fs_path(str(path))
    assert uri is not None
    got: dict[int | None, tuple[float, int]] = {}
    arrived = asyncio.Event()
    client = LanguageClient("bench", "1")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        got[params.version] = (time.perf_counter(), len(params.diagnostics))
        arrived.set()

    async def wait_version(version: int) -> tuple[float, int]:
        while version not in got:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), 120)
        return got[version]

    await client.start_io(sys.executable, "-m", "drmigrate.cli", "server")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                         root_uri=from_fs_path(str(root))))
    client.initialized(types.InitializedParams())
    opens, changes, hovers = [], [], []
    version = 0
    counts = []
    for i in range(rounds):
        version += 1
        start = time.perf_counter()
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="javascript", version=version, text=text)))
        done, count = await wait_version(version)
        opens.append(done - start)
        counts.append(count)
        client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
    version += 1
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="javascript", version=version, text=text)))
    await wait_version(version)
    for i in range(rounds):
        edited = text.replace("owner: owner}", "owner: owner, amount: 1}" if i % 2 == 0 else "owner: owner}")
        version += 1
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)]))
        # a hover while the analysis runs: answered by the loop, not after the analysis
        await asyncio.sleep(DEBOUNCE_SECONDS + 0.05)
        asked = time.perf_counter()
        await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0)))
        hovers.append(time.perf_counter() - asked)
        done, count = await wait_version(version)
        changes.append(done - start)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()

    def ms(values: list[float]) -> str:
        return f"median {statistics.median(values) * 1000:.0f} ms, slowest {max(values) * 1000:.0f} ms"

    load = os.getloadavg()[0]
    print(f"file: {lines} lines, {len(text.encode()) / 1024:.0f} KiB, {counts[0]} diagnostics; "
          f"{rounds} rounds; Python {sys.version.split()[0]}; load average {load:.1f} on {os.cpu_count()} CPUs")
    print(f"open -> diagnostics:   first {opens[0] * 1000:.0f} ms (imports), then {ms(opens[1:] or opens)}")
    print(f"change -> diagnostics: {ms(changes)} (including the {DEBOUNCE_SECONDS * 1000:.0f} ms debounce)")
    print(f"hover during an analysis: {ms(hovers)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(measure(args.lines, args.rounds))


if __name__ == "__main__":
    main()
