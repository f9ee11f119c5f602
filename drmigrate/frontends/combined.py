"""Files read by two front ends at once: a PHP page holds PHP arrays *and* `<script>` JavaScript.

The combined front end runs both readers on the same text and merges their payload sites (offsets
already refer to the same file). A template tag is protected from JavaScript edits, but a payload
the PHP reader found inside a tag (`var p = <?= json_encode(['type' => 'payPal', ...]) ?>;`) is
PHP code, so that tag is not protected from the PHP edits. A JavaScript payload printed by such a
tag is then migrated on the PHP side, so its "arrives from the server" finding is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from drmigrate.frontends import Extraction, FrontEnd, Settings
from drmigrate.frontends.php import PhpFrontEnd, embedded_calls
from drmigrate.model import EmbeddedCall, Intent, Span


def _inside(inner: Span, outer: Span) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


class CombinedFrontEnd:
    def __init__(self, server: FrontEnd, page: FrontEnd) -> None:
        self.server = server
        self.page = page
        self.name = f"{server.name}+{page.name}"

    def extract(self, text: str, settings: Settings) -> Extraction:
        from drmigrate.calls import evidence, mentioned

        # each reader runs only when its kind of payload can be there (a ParseError is the file's):
        # most templates have neither a quoted Digital River type nor a call of DigitalRiver.js
        calls = mentioned(text, evidence(settings.receiver_names, settings.dr_types)) is not None
        server = (self.server.extract(text, settings) if settings.quotes_dr_type(text) or settings.seeds
                  else Extraction((), self.server.name))
        page = (self.page.extract(text, settings) if calls
                else Extraction((), self.page.name))
        embedded: tuple[EmbeddedCall, ...] = ()
        if calls and isinstance(self.server, PhpFrontEnd):  # JavaScript that PHP prints as a string
            embedded = embedded_calls(text)
        server_spans: list[Span] = [part.span for site in server.sites for part in site.parts]
        server_spans += [write.span for site in server.sites for write in site.writes]
        protected = tuple(p for p in page.protected if not any(_inside(s, p) for s in server_spans))
        # a PHP comment inside a tag that stands in the JavaScript (`items: <?= /* raw */ $x ?>,`)
        # goes with the tag when the property is removed whole: it is not a JS comment to keep
        server_comments = {c for c in server.comments if not any(_inside(c, p) for p in page.protected)}
        comments: Sequence[Span] = sorted(server_comments | set(page.comments))
        page_sites = tuple(
            site for site in page.sites
            if not (site.unresolved_span is not None
                    and any(_inside(s, site.unresolved_span) for s in server_spans))
        )
        return Extraction(
            sites=server.sites + page_sites,
            parser=f"{server.parser}+{page.parser}",
            comments=tuple(comments),
            protected=protected,
            notes=server.notes + page.notes,
            embedded=server.embedded + page.embedded + embedded,
        )

    def parses(self, text: str) -> bool:
        return self.server.parses(text) and self.page.parses(text)

    def verify(self, original: str, fixed: str, intents: Sequence[Intent]) -> None:
        """Both guards: the server's on its code, the page's on its scripts, tags and markup.

        An intent inside a template tag is server code; the tags holding one may change text.
        """
        from drmigrate.frontends.php import PhpFrontEnd
        from drmigrate.frontends.templates import (
            TemplateFrontEnd,
            find_tags,
            inserted_tags,
            tags_brought_in,
        )

        suffix = self.page.suffix if isinstance(self.page, TemplateFrontEnd) else ".php"
        tags = [t.span for t in find_tags(original, suffix)]
        server = [i for i in intents if any(_inside(i.span, t) for t in tags)]
        page = [i for i in intents if i not in server]
        # page code the fix removes is text to the server's guard (the page's guard checks which
        # tags may go with it)
        gone = [i.span for i in page if i.kind in ("remove", "replace")]
        if isinstance(self.server, PhpFrontEnd):
            # a tag the page's fix inserts (`sessionId: <?= … ?>`) is page code to the PHP guard:
            # blanked, as the tags inside removed page code are in the original
            added = [t for i in page for t in inserted_tags(i, suffix)]
            server_view = fixed
            for start, end in tags_brought_in(original, fixed, suffix, added, gone):
                server_view = (server_view[:start] + re.sub(r"[^\r\n]", " ", fixed[start:end])
                               + server_view[end:])
            self.server.verify(original, server_view, server, dropped=gone)
        else:
            self.server.verify(original, fixed, server)
        if isinstance(self.page, TemplateFrontEnd):
            self.page.verify(original, fixed, page, free=[i.span for i in server])
        else:
            self.page.verify(original, fixed, page)
