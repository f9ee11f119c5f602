"""Server links: the handler that answers a page's request, and the server code that builds it.

(Placeholder: the adapters are being written; `follow` links nothing yet, so a payload from a
server response keeps its DR200 with the reason the page's analysis gave.)
"""

from __future__ import annotations

from dataclasses import dataclass

from drmigrate.model import Hop
from drmigrate.project.index import ProjectIndex


@dataclass(frozen=True)
class Link:
    """Where a hop leads: a file and what in it (a `Seed` target), with the path into the value."""

    rel: str
    target: tuple[str, ...]
    path: tuple[str, ...] = ()
    constants: tuple[tuple[int, str], ...] = ()


def follow(index: ProjectIndex, origin: str, hop: Hop) -> tuple[list[Link], str]:
    """The links of a "response" hop (or a "server-*" hop a server front end left), or why none."""
    return [], ""
