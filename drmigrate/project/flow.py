"""Payloads followed across files: from a call whose payload is built elsewhere to the code that
builds it, and the call's verdict back from there.

A file's analysis cannot see past its own text; where a payload comes from another file it leaves
a `Hop` on the call's site (an import, a wrapper exported for other modules, a page global, a
server response). Here each hop is answered with the project index: the file that builds the
payload and a `Seed` naming what in it (what an export returns, an exported value, the arguments
of calls of an import...). Seeded files are analysed again with their seeds, which may leave hops
of their own; the loop runs until no new seed appears. Then:
- each call whose hops all reached builders loses its DR200 and takes its builders' state (the
  builders are reported, and fixed, where they are);
- a hop that reaches nothing keeps the DR200, saying why (a package outside the tree, a function
  no file of the project calls: a wrapper for callers elsewhere, ...);
- a builder that other code of the project also uses (an importer that reads `payload.amount`)
  is kept as it is, with that use named (`Seed.shared`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from drmigrate.model import FileResult, Finding, Hop, Seed, SiteOutcome, Step
from drmigrate.project.index import ProjectIndex

MAX_ROUNDS = 8  # hops followed in a row (a wrapper of a wrapper of ...)
STATE_ORDER = {"manual": 3, "remaining": 2, "suppressed": 1, "migrated": 0}


@dataclass(frozen=True)
class Origin:
    """A hop, where it was met: the file, the site that has it."""

    rel: str
    display: str
    site: SiteOutcome

    @property
    def hop(self) -> Hop:
        assert self.site.hop is not None
        return self.site.hop

    @property
    def key(self) -> tuple[str, int, int, int, str]:
        hop = self.hop
        return (self.rel, self.site.span[0], hop.span[0], hop.span[1],
                "\0".join((hop.kind, hop.specifier, hop.name, *hop.member)))


@dataclass
class Verdict:
    """What following one origin's hop found."""

    origin: Origin
    seeds: list[tuple[str, str]] = field(default_factory=list)  # (file, seed key)
    reason: str = ""  # why it could not be followed ("" when it was)
    wrapper: bool = False  # a function nothing in the project calls: callers outside the tree
    absent: bool = False  # an event no other file triggers: this way brings nothing


@dataclass
class FlowResult:
    """The seeds each file was analysed with, and the verdict of every hop."""

    seeds: dict[str, list[Seed]]
    verdicts: list[Verdict]
    results: dict[str, FileResult]  # the seeded files' results (context files included)
    rounds: int = 0


Analyse = Callable[[dict[str, list[Seed]]], dict[str, FileResult]]


class Flow:
    """Follows hops through the project index."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index

    # -- the loop ---------------------------------------------------------------------------------
    def run(self, results: dict[str, FileResult], displays: dict[str, str], analyse: Analyse) -> FlowResult:
        """`results` by root-relative path (the first analysis); `analyse` reads files with seeds."""
        seeds: dict[str, dict[str, Seed]] = {}
        verdicts: dict[tuple[str, int, int, int, str], Verdict] = {}
        seeded_results: dict[str, FileResult] = {}
        pending = list(_origins(results, displays))
        rounds = 0
        while pending and rounds < MAX_ROUNDS:
            rounds += 1
            changed: set[str] = set()
            # the wrappers' importers, asked below one by one, found in one pass over the tree
            self.index.prefetch_importers(o.rel for o in pending if o.hop.kind == "param")
            for origin in pending:
                if origin.key in verdicts:
                    continue
                verdict = Verdict(origin)
                verdicts[origin.key] = verdict
                targets, reason, wrapper = self.targets(origin)
                verdict.reason, verdict.wrapper = reason, wrapper
                if not targets and origin.hop.kind == "param" and origin.hop.exports \
                        and all(e[0] == "event" for e in origin.hop.exports):
                    verdict.absent, verdict.reason = True, (
                        f"{_cap(origin.hop.what.split(';')[0])}, and no file of this project triggers it; "
                        "check what does")
                for rel, seed in targets:
                    known = seeds.setdefault(rel, {})
                    if seed.key in known:
                        known[seed.key] = replace(known[seed.key], others=known[seed.key].others + 1)
                    else:
                        known[seed.key] = seed
                        changed.add(rel)
                    verdict.seeds.append((rel, seed.key))
            changed |= self._agreement(seeds, verdicts.values())
            if not changed:
                break
            batch = {rel: list(seeds[rel].values()) for rel in sorted(changed)}
            fresh = analyse(batch)
            seeded_results.update(fresh)
            pending = [o for o in _origins(fresh, {rel: self.index.display(rel) for rel in fresh})
                       if o.key not in verdicts]
        return FlowResult({rel: list(found.values()) for rel, found in seeds.items()}, list(verdicts.values()),
                          seeded_results, rounds)

    # -- one hop ----------------------------------------------------------------------------------
    def targets(self, origin: Origin) -> tuple[list[tuple[str, Seed]], str, bool]:
        """(file, seed) pairs for one hop; else why it cannot be followed, and whether the reason
        is that nothing in the project calls the function (a wrapper)."""
        found, reason, wrapper = self._targets(origin)
        written = origin.hop.written
        if found and written:
            # the code that builds the payload does not decide alone what the call sends
            return [], (f"{_cap(origin.hop.what)}; this file also sets {written} on the object it "
                        "receives, so migrate the two together by hand"), False
        return found, reason, wrapper

    def _targets(self, origin: Origin) -> tuple[list[tuple[str, Seed]], str, bool]:
        hop = origin.hop
        kind = hop.kind
        if kind in ("import", "import-call"):
            target = self.index.resolve(hop.specifier, origin.rel)
            if target is None:
                return [], (f"{_cap(hop.what)} — `{hop.specifier}` is not a module of this project "
                            "(a package, or a file outside the tree)"), False
            if kind == "import":
                value: tuple[str, ...] = (hop.name,) if hop.name != "*" else (hop.path[:1] or ("*",))
                path = hop.path if hop.name != "*" else hop.path[1:]
                target, value = self.index.origin_of(target, value)
                return [(target, self._seed(origin, ("value", *value), path=path))], "", False
            if hop.name != "*":
                names: tuple[str, ...] = (hop.name, *hop.member)
            elif hop.member and not hop.member[0].startswith("#"):
                names = hop.member  # `api.build()` on a module: its export `build`
            else:
                names = ("*", *hop.member)  # the module's value itself (a function, a class)
            target, names = self.index.origin_of(target, names)
            return [(target, self._seed(origin, ("returns", *names), path=hop.path,
                                        constants=hop.constants))], "", False
        if kind == "param":
            return self._callers(origin)
        if kind in ("global", "global-call"):
            definers = [rel for rel in self.index.definers(hop.name) if rel != origin.rel]
            if not definers:
                return [], (f"{_cap(hop.what)} — no script of this project defines `{hop.name}` "
                            "(the server may print it into the page)"), False
            what = "global-value" if kind == "global" else "global-returns"
            return [(rel, self._seed(origin, (what, hop.name, *hop.member), path=hop.path,
                                     constants=hop.constants)) for rel in definers], "", False
        if kind == "response" or kind.startswith("server-"):
            # a request's answer, or a server builder another server file holds: `routes` links them
            from drmigrate.project import routes

            links, reason = routes.follow(self.index, origin.rel, hop)
            return [(link.rel, self._seed(origin, link.target, path=link.path, constants=link.constants))
                    for link in links], reason, False
        return [], "", False

    def _callers(self, origin: Origin) -> tuple[list[tuple[str, Seed]], str, bool]:
        """The files that call a function the origin's file exports (or defines for the page)."""
        hop = origin.hop
        found: list[tuple[str, Seed]] = []
        for exit_ in hop.exports:
            kind, names = exit_[0], tuple(exit_[1:])
            if not names:
                continue
            if kind == "event":
                # a page-wide jQuery event: any script or page that triggers it passes the payload
                for rel in self.index.mentioning_string(names[0]):
                    if rel != origin.rel:
                        found.append((rel, self._seed(origin, ("event-args", names[0]), index=hop.index,
                                                      path=hop.path)))
                continue
            if kind == "global":
                for rel in self.index.mentioning(names[0]):
                    skeleton = self.index.skeleton(rel)
                    if rel == origin.rel or skeleton is None or names[0] in skeleton.globals \
                            or names[0] in skeleton.exports:
                        continue  # a file with its own `pay` calls that one
                    found.append((rel, self._seed(origin, ("global-args", *names), index=hop.index,
                                                  path=hop.path)))
                continue
            for rel, imported, through in self.index.importers_through(origin.rel, names):
                if not imported.local:
                    continue
                target = _import_target(through, imported.specifier, imported.imported)
                if target is not None:
                    found.append((rel, self._seed(origin, ("args", *target), index=hop.index, path=hop.path)))
        unique = list({(rel, seed.key): (rel, seed) for rel, seed in found}.values())
        if not unique:
            where = ", ".join("`" + ".".join(n[1:]) + "`" for n in hop.exports[:2])
            if any(e[0] == "export" for e in hop.exports):
                return [], (f"a wrapper for callers outside this tree: no file of this project calls {where}, "
                            "so its payload is built elsewhere and there is nothing to migrate here"), True
            # a page global nobody here calls: its callers may be printed by the server (never green)
            return [], (f"{_cap(hop.what.split(';')[0])}, which no script or page of this project calls; if "
                        "the server prints its callers, migrate the payloads there"), False
        return unique, "", False

    def _seed(self, origin: Origin, target: tuple[str, ...], *, index: int = -1, path: tuple[str, ...] = (),
              constants: tuple[tuple[int, str], ...] = ()) -> Seed:
        hop = origin.hop
        site = origin.site
        step = Step(hop.span, _hop_step(hop), origin.display, hop.line, hop.column)
        onward = tuple(replace(s, path=s.path or origin.display) for s in site.via)
        if not onward or not onward[-1].what.startswith("the `"):
            onward = (*onward, Step(site.span, f"the `{site.call}` call", origin.display, site.line, site.column))
        method = site.method or site.call
        key = _key(target, index, path, method, site.element, origin.display, hop.span)
        return Seed(target=target, index=index, path=path, call=method, element=site.element, low=site.low,
                    via=(step, *onward), constants=constants, needs=hop.needs,
                    shared=(hop.shared,) if hop.shared else (), key=key)

    # -- other uses of a builder ----------------------------------------------------------------
    def _agreement(self, seeds: dict[str, dict[str, Seed]], verdicts: Iterable[Verdict]) -> set[str]:
        """A builder whose export other modules also use gets those uses as `shared`: it stays as
        it is. The uses that are the hops themselves agree."""
        origins: dict[tuple[str, str], list[tuple[str, Hop]]] = {}
        for verdict in verdicts:
            for rel, key in verdict.seeds:
                origins.setdefault((rel, key), []).append((verdict.origin.rel, verdict.origin.hop))
        changed: set[str] = set()
        self.index.prefetch_importers(rel for rel, found in seeds.items() if any(
            seed.target[0] in ("returns", "value") for seed in found.values()))
        for rel, found in seeds.items():
            for key, seed in list(found.items()):
                kind = seed.target[0]
                if kind not in ("returns", "value", "global-returns", "global-value") or len(seed.target) < 2:
                    continue
                if kind.startswith("global-"):
                    reasons = self._other_global_uses(rel, seed.target[1:], origins.get((rel, key), []))
                else:
                    reasons = self._other_uses(rel, seed.target[1:], origins.get((rel, key), []))
                new = tuple(dict.fromkeys((*seed.shared, *reasons)))
                if new != seed.shared:
                    found[key] = replace(seed, shared=new)
                    changed.add(rel)
        return changed

    def _other_global_uses(self, rel: str, names: tuple[str, ...], hops: Sequence[tuple[str, Hop]]) -> list[str]:
        """Uses of the page global `names` in other scripts and pages than the hops that reached it."""
        reasons: list[str] = []
        for other in self.index.mentioning(names[0]):
            if other == rel:
                continue
            skeleton = self.index.skeleton(other)
            if skeleton is not None and (names[0] in skeleton.globals or names[0] in skeleton.exports):
                continue  # its own `names[0]`
            for offset, member, _called, _newed in self.index.uses_of(other, names[0]):
                if len(names) > 1 and member != names[1]:
                    continue
                if any(o_rel == other and hop.span[0] <= offset < hop.span[1] for o_rel, hop in hops):
                    continue
                text = self.index.read(other) or ""
                line = text.count("\n", 0, offset) + 1
                shown = ".".join(names[:2])
                reasons.append(f"`{shown}` is also used in {self.index.display(other)} on line {line}")
                break
        return reasons

    def _other_uses(self, rel: str, names: tuple[str, ...], hops: Sequence[tuple[str, Hop]]) -> list[str]:
        """Uses of the export `names` in the importers of `rel` that are not the hops that reached
        it: other code gets the same builder's object."""
        reasons: list[str] = []
        for importer, imported, through in self.index.importers_through(rel, names):
            if not imported.local:
                continue
            first, rest = through[0], through[1:]
            if imported.imported == first:
                expected = rest
            elif imported.imported in ("*", "default") and first not in ("*", "default"):
                expected = through
            elif imported.imported in ("*", "default") and first in ("*", "default"):
                expected = rest
            else:
                continue
            for offset, member, _called, newed in self.index.uses_of(importer, imported.local):
                if expected and expected[0].startswith("#"):
                    if newed:
                        continue  # an instance: its calls of the method are the hops
                elif expected and member != expected[0]:
                    continue  # another member of the module or object
                covered = any(o_rel == importer and hop.span[0] <= offset < hop.span[1] for o_rel, hop in hops)
                if not covered:
                    text = self.index.read(importer) or ""
                    line = text.count("\n", 0, offset) + 1
                    shown = imported.local + (f".{member}" if member else "")
                    reasons.append(f"`{shown}` is also used in {self.index.display(importer)} on line {line}")
                    break
        return reasons


def _origins(results: dict[str, FileResult], displays: dict[str, str]) -> Iterable[Origin]:
    for rel, result in results.items():
        for site in result.sites:
            if site.hop is not None:
                yield Origin(rel, displays.get(rel, rel), site)


def _import_target(names: tuple[str, ...], specifier: str, imported: str) -> tuple[str, ...] | None:
    """How an importer reaches the export `names` through its binding `imported`."""
    first, rest = names[0], names[1:]
    if first in ("module", "default"):
        if imported in ("default", "*"):
            return (specifier, imported, *rest)
        return None
    if imported == first:
        return (specifier, imported, *rest)
    if imported == "*":
        return (specifier, "*", first, *rest) if rest else (specifier, "*", first)
    return None


def _hop_step(hop: Hop) -> str:
    if hop.kind == "param":
        return "received as a parameter here"
    if hop.kind == "import":
        return "imported here"
    if hop.kind == "global":
        return "read from a page global here"
    if hop.kind in ("import-call", "global-call"):
        return "returned by a call into another file here"
    if hop.kind == "response":
        return "received from the server here"
    return "received here"


def _key(target: tuple[str, ...], index: int, path: tuple[str, ...], call: str, element: str, display: str,
         span: tuple[int, int]) -> str:
    text = "\0".join((*target, str(index), ".".join(path), call, element))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- the verdicts, applied to the results ---------------------------------------------------------

def apply_verdicts(flow: FlowResult, results: dict[str, FileResult], table_codes: dict[str, object],
                   checked: set[str], displays: dict[str, str]) -> dict[str, FileResult]:
    """The origins' results with their followed calls: DR200 gone where every builder was found
    (the call listed in `followed` with its builders' state), kept with the reason where not."""
    by_seed: dict[tuple[str, str], list[SiteOutcome]] = {}
    for rel, result in {**results, **flow.results}.items():
        for site in result.sites:
            if site.seed:
                by_seed.setdefault((rel, site.seed), []).append(site)
    by_key = {v.origin.key: v for v in flow.verdicts}
    memo: dict[tuple[str, int, int, int, str], list[tuple[str, SiteOutcome]] | None] = {}

    def builders_of(verdict: Verdict, depth: int = 0) -> list[tuple[str, SiteOutcome]] | None:
        """The sites that build the payload in the end (a builder that is itself followed on
        gives its own builders); None when some way cannot be followed."""
        key = verdict.origin.key
        if key in memo:
            return memo[key]
        memo[key] = None  # a cycle follows nothing more
        if verdict.reason or depth > MAX_ROUNDS:
            return None
        found: list[tuple[str, SiteOutcome]] = []
        for target, seed_key in verdict.seeds:
            for site in by_seed.get((target, seed_key), []):
                if site.hop is not None:
                    inner = by_key.get(Origin(target, "", site).key)
                    deeper = builders_of(inner, depth + 1) if inner is not None else None
                    if deeper is None:
                        found.append((target, site))  # stays unresolved there: its DR200 says why
                    else:
                        found.extend(deeper)
                else:
                    found.append((target, site))
        memo[key] = found or None
        return memo[key]

    updated: dict[str, FileResult] = {}
    grouped: dict[str, list[Verdict]] = {}
    for verdict in flow.verdicts:
        grouped.setdefault(verdict.origin.rel, []).append(verdict)
    for rel, verdicts in grouped.items():
        found_result = updated.get(rel) or flow.results.get(rel) or results.get(rel)
        if found_result is None:
            continue
        result = found_result
        findings = list(result.findings)
        sites = list(result.sites)
        followed = list(result.followed)
        notes = list(result.notes)
        by_site: dict[tuple[int, int], list[Verdict]] = {}
        for verdict in verdicts:
            by_site.setdefault(verdict.origin.site.span, []).append(verdict)
        for together in by_site.values():
            all_builders: list[tuple[str, SiteOutcome]] = []
            for verdict in together:
                origin = verdict.origin
                message = _cap(origin.hop.what)
                match = _dr200(findings, origin.site, message)
                if not verdict.seeds and not verdict.reason:
                    continue  # nothing to follow it with (no adapter for it): its own reason stands
                others = any(f.span == origin.site.span and f is not match for f in findings) or any(
                    s.span == origin.site.span and s is not origin.site for s in sites)
                if verdict.absent and match is not None and others:
                    findings.remove(match)  # the event's triggers in this file are its other ways
                    if origin.site in sites:
                        sites.remove(origin.site)
                    continue
                builders = builders_of(verdict)
                if verdict.wrapper and match is not None:
                    # exported for callers outside the tree: a wrapper, not a payload
                    findings.remove(match)
                    if origin.site in sites:
                        sites.remove(origin.site)
                    notes.append((match.line, match.column, verdict.reason))
                    continue
                if verdict.reason or not builders:
                    searched = ", ".join(sorted({displays.get(t, t) for t, _ in verdict.seeds}))
                    if verdict.reason:
                        reason = verdict.reason
                    elif origin.hop.kind == "param":
                        reason = (f"{message.split(';')[0]}, which no script or page of this project calls; if "
                                  "the server prints its callers, migrate the payloads there")
                    else:
                        reason = f"{message} — drmigrate followed it to {searched} but found nothing that builds it there"
                    if match is not None:
                        findings[findings.index(match)] = replace(match, message=reason)
                    continue
                outside = [(t, s) for t, s in builders if t not in checked and s.state in ("remaining", "manual")]
                if outside and match is not None:
                    where = ", ".join(f"{displays.get(t, t)}:{s.line}" for t, s in outside[:3])
                    findings[findings.index(match)] = replace(
                        match, message=f"The payload is built at {where}, outside the paths checked, which "
                                       "still needs migrating; run drmigrate on that file too")
                    continue
                if match is not None:
                    findings.remove(match)
                all_builders.extend(builders)
            site = together[0].origin.site
            unresolved = any(f.code == "DR200" and f.span == site.span for f in findings)
            if not all_builders or unresolved:
                continue  # the call keeps its DR200: one of its ways could not be followed
            if site in sites:
                sites.remove(site)
            state = max((s.state for _, s in all_builders), key=lambda st: STATE_ORDER.get(st, 0))
            steps = tuple(dict.fromkeys(Step(s.span, f"{s.state} here", displays.get(t, t), s.line, s.column)
                                        for t, s in all_builders))
            followed.append(replace(site, state=state, builders=steps))
        status = result.status
        if status == "findings" and not findings:
            status = "clean"
        updated[rel] = replace(result, findings=tuple(findings), sites=tuple(sites), followed=tuple(followed),
                               status=status, notes=tuple(dict.fromkeys(notes)))
    return updated


def _dr200(findings: Sequence[Finding], site: SiteOutcome, message: str) -> Finding | None:
    for finding in findings:
        if finding.code == "DR200" and finding.span == site.span and finding.message == message:
            return finding
    for finding in findings:
        if finding.code == "DR200" and finding.span == site.span:
            return finding
    return None
