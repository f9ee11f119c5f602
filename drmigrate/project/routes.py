"""Server links: the handler that answers a page's request, and the server code that builds it.

`follow` answers two kinds of hop:
- "response" (the page's payload is the server's answer to a request): the request's URL, as the
  page's analysis describes it (`jsrequests.url_of`), is resolved to the handler(s) that answer it
  by small adapters — Magento 2 (`magento`), SFCC (`sfcc`), WordPress ajax actions and REST routes
  (`wordpress`), and the generic rule, a route string found once among the server handlers of the
  tree (`webroutes`). A URL read from a page attribute (`$(x).data('configUrl')`) is looked up in
  the templates that set it (`data-config-url="${URLUtils.url('Ctrl-Action')}"`,
  `<?= $block->getUrl('front/path/action') ?>`).
- "server-php-method" / "server-php-function" (a PHP builder left a hop: the array comes from a
  method of a class, or a function, declared in another file): the file that declares it.
Each handler becomes a `Link`: the file, and a target naming the code there (`Seed.target`):
("response", "php-method", class, method), ("response", "php-function", name), ("response",
"php-closure", registrar, key), ("response", "sfcc", verb, action), ("response", "express", verb,
route), ("response", "py-function", name): what that handler answers; ("response-php", "method",
class, method) and ("response-php", "function", name): what that code returns. The link's path is
the hop's (a framework's envelope, `wp_send_json_success`'s `data`, is the server front end's).

Never a false green: when the answer is not certain — several handlers match, the URL is computed,
no routes.xml declares the front name — there are no links, and the reason names the candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drmigrate.model import Hop
from drmigrate.project import magento, sfcc, webroutes, wordpress
from drmigrate.project.handlers import (
    Handler,
    Resolution,
    line_of,
    linked,
    memo,
    scan,
    unlinked,
    url_segments,
)
from drmigrate.project.index import TEMPLATE_SUFFIXES, ProjectIndex
from drmigrate.project.phpcode import find_function, find_method


@dataclass(frozen=True)
class Link:
    """Where a hop leads: a file and what in it (a `Seed` target), with the path into the value."""

    rel: str
    target: tuple[str, ...]
    path: tuple[str, ...] = ()
    constants: tuple[tuple[int, str], ...] = ()


def follow(index: ProjectIndex, origin: str, hop: Hop) -> tuple[list[Link], str]:
    """The links of a "response" hop (or a "server-*" hop a server front end left), or why none."""
    if hop.kind == "response":
        method, kind, url = (*hop.request, "", "", "")[:3]
        found = resolve_request(index, method, kind, url)
    elif hop.kind in ("server-php-method", "server-php-function"):
        found = resolve_server(index, origin, hop)
    else:
        return [], ""
    if not found.certain:
        return [], f"{_cap(hop.what)} — {found.reason or 'drmigrate found no code that answers it'}"
    return [Link(h.rel, h.target, hop.path, hop.constants) for h in found.handlers], ""


def resolve_server(index: ProjectIndex, origin: str, hop: Hop) -> Resolution:
    """The declaration a PHP hop names: `Vendor\\Module\\Helper\\Data::getPayload`, `build_payload`."""
    if hop.kind == "server-php-method":
        owner, _, method = hop.name.rpartition("::")
        found = find_method(index, owner, method, kind=("response-php", "method"), prefer=origin)
    else:
        found = find_function(index, hop.name, kind=("response-php", "function"))
    return linked(found) if isinstance(found, Handler) else unlinked(found)


def resolve_request(index: ProjectIndex, method: str, kind: str, url: str) -> Resolution:
    """The handler(s) that answer a request: `kind` and `url` as `jsrequests.url_of` gives them."""
    if kind == "magento":
        return magento.resolve(index, url_segments(url), explicit=True) or unlinked("")
    if kind == "wp-ajax":
        return wordpress.ajax(index, url)
    if kind == "literal":
        return _literal(index, method, url)
    if kind == "data-attribute":
        return _attribute(index, method, url)
    if kind == "magento-rest":
        return unlinked(f"the URL is a Magento REST route (`{url}`), which drmigrate does not follow to its "
                        "service class; migrate the service method that builds it")
    shown = f" (`{url}`)" if url else ""
    return unlinked(f"the URL is computed{shown}, so drmigrate cannot tell which server handler answers it")


def _literal(index: ProjectIndex, method: str, url: str) -> Resolution:
    if "admin-ajax.php" in url:
        return unlinked("the request goes to admin-ajax.php, but its `action` is not a literal string")
    segments = url_segments(url)
    if "wp-json" in segments:
        rest = segments[segments.index("wp-json") + 1:]
        return webroutes.resolve(index, rest, method, only=wordpress.rest_routes(index)) or \
            unlinked(f"no `register_rest_route` of this project matches `{'/'.join(rest)}`")
    answers: list[Resolution] = []
    found = magento.resolve(index, segments, explicit=False)
    if found is not None:
        answers.append(found)
    if segments and sfcc.is_route(segments[-1]) and sfcc.has_controllers(index):
        answers.append(sfcc.resolve(index, segments[-1], method))
    if not any(a.certain for a in answers):  # every route of the tree is read only when needed
        generic = webroutes.resolve(index, segments, method)
        if generic is not None:
            answers.append(generic)
    return _one(index, answers, f"no handler of this project answers `{url}` (no Magento route, SFCC "
                                "controller, WordPress hook or server route matches it)")


def _one(index: ProjectIndex, answers: list[Resolution], nothing: str) -> Resolution:
    """The one certain answer among the adapters'; else the first reason."""
    certain = [a for a in answers if a.certain]
    distinct = {a.handlers for a in certain}
    if len(distinct) == 1:
        return certain[0]
    if len(distinct) > 1:
        from drmigrate.project.handlers import named

        return unlinked(f"several handlers may answer it ({named(index, [h for a in certain for h in a.handlers])})")
    reasons = [a.reason for a in answers if a.reason]
    return unlinked(reasons[0] if reasons else nothing)


# -- a URL a page attribute holds -----------------------------------------------------------------

_SFCC_URL = re.compile(r"""URLUtils\s*\.\s*(?:url|https|http|abs)\s*\(\s*['"]([A-Za-z0-9_]+-[A-Za-z0-9_]+)['"]""")
_MAGENTO_URL = re.compile(r"""getUrl\s*\(\s*['"]([A-Za-z0-9_]+(?:/[A-Za-z0-9_*]+){0,2})/?['"]""")
_TAGS = ("<?", "${", "{{", "<%", "{%", "{!")


@dataclass(frozen=True)
class _Value:
    rel: str
    line: int
    text: str
    kind: str  # sfcc, magento, literal, unknown
    url: str


def attribute_values(index: ProjectIndex, attribute: str) -> list[_Value]:
    """Every value the project's templates give the attribute (`data-config-url`, `action`)."""
    def build() -> list[_Value]:
        pattern = re.compile(
            rf"""(?<![\w:.@-]){re.escape(attribute)}\s*=\s*(["'])((?:<\?.*?\?>|\$\{{.*?\}}|(?!\1).)*?)\1""",
            re.DOTALL | re.IGNORECASE)
        out: list[_Value] = []
        for rel in sorted(index.files.files):
            suffix = "." + rel.rsplit(".", 1)[-1].lower() if "." in rel else ""
            if suffix not in TEMPLATE_SUFFIXES:
                continue
            text = scan(index, rel, lambda t: attribute.lower() in t.lower())
            if text is None:
                continue
            for match in pattern.finditer(text):
                value = match.group(2)
                line = line_of(text, match.start())
                if (found := _SFCC_URL.search(value)) is not None:
                    out.append(_Value(rel, line, value, "sfcc", found.group(1)))
                elif (found := _MAGENTO_URL.search(value)) is not None:
                    out.append(_Value(rel, line, value, "magento", found.group(1)))
                elif value.strip() and not any(tag in value for tag in _TAGS):
                    out.append(_Value(rel, line, value, "literal", value.strip()))
                else:
                    out.append(_Value(rel, line, value, "unknown", value))
        return out

    return memo(index, f"attribute:{attribute.lower()}", build)


def _attribute(index: ProjectIndex, method: str, attribute: str) -> Resolution:
    values = attribute_values(index, attribute)
    if not values:
        return unlinked(f"no template of this project sets the attribute `{attribute}` the URL is read from")
    distinct = {(v.kind, v.url if v.kind != "unknown" else v.text) for v in values}
    shown = ", ".join(f"{index.display(v.rel)}:{v.line} (`{' '.join(v.text.split())[:60]}`)" for v in values[:4])
    if len(distinct) > 1:
        return unlinked(f"the templates give the attribute `{attribute}` different URLs ({shown})")
    value = values[0]
    if value.kind == "sfcc":
        return sfcc.resolve(index, value.url, method)
    if value.kind == "magento":
        return magento.resolve(index, url_segments(value.url), explicit=True) or unlinked("")
    if value.kind == "literal":
        return _literal(index, method, value.url)
    return unlinked(f"the attribute `{attribute}` is set to a computed URL ({shown})")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


__all__ = ["Link", "follow", "resolve_request", "resolve_server"]
