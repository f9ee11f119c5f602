"""The run over many files: discovery, reading, analysis (in worker processes when worth it), writes.

The CLI builds a `Config` and the walk settings and hands them here; results come back as
`FileResult`s in discovery order, so the output is the same whatever `--jobs` is. Files are read
through `discovery` and written back here, only when a fix changed them.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from drmigrate import config
from drmigrate.calls import mentioned_in_bytes
from drmigrate.discovery import (
    Discovery,
    Entry,
    Identity,
    Source,
    SourceError,
    WalkSettings,
    decode,
    identity,
    read_bytes,
    sources_beside,
    write_source,
)
from drmigrate.model import FileResult, Seed
from drmigrate.runner import (
    Config,
    build_output,
    evidence_for,
    front_end_for,
    is_candidate,
    non_candidate_result,
    reads,
    result_for,
    searched_unread,
    settled_from_bytes,
    unread_reason,
)

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    import pathspec

    from drmigrate.cache import Cache

T = TypeVar("T")
# Worker processes pay for themselves only above some work: starting two (fork, the first round
# trip, shutdown) costs ~15 ms and importing the pool machinery ~10 ms, while esprima reads about
# 0.4 MB per CPU-second. Below this many bytes of candidate text the run stays in one process.
PARALLEL_MIN_BYTES = 48_000
INDEX_BLOB = "project-index.json"  # the project index's answers, in the result cache
PROGRESS_MIN_FILES = 100


@functools.lru_cache(maxsize=256)
def _reads_suffix(suffix: str, name: str, templates: frozenset[str]) -> bool:
    return reads(name, templates)


def _reads(path: str, templates: frozenset[str] = frozenset()) -> bool:
    """The runner's decision, asked once per file suffix (a `.d.ts` name is asked on its own)."""
    name = os.path.basename(path).lower()
    suffix = os.path.splitext(name)[1]
    probe = name if name.endswith(".d.ts") else f"x{suffix}"
    return _reads_suffix(suffix, probe, templates)


@functools.lru_cache(maxsize=256)
def _searched_suffix(suffix: str) -> bool:
    return searched_unread(f"x{suffix}")


def _searched(path: str) -> bool:
    return _searched_suffix(os.path.splitext(path)[1].lower())


def unread_result(entry: Entry, cfg: Config, call: str | None) -> FileResult | None:
    """A file drmigrate does not read, whose bytes mention `call` (`unread_call`): listed as
    skipped when they do (with what would check it), else only when it was named on the command
    line (`entry.reason`)."""
    if call is not None:
        return FileResult(entry.path, "skipped", unread_reason(entry.path, call, cfg.template_extensions))
    return FileResult(entry.path, "skipped", entry.reason) if entry.reason else None


def unread_call(entry: Entry, cfg: Config) -> str | None:
    """The call the bytes of a file drmigrate does not read mention, if any."""
    try:
        raw = read_bytes(entry.path, entry.size)
    except SourceError:
        raw = b""
    return mentioned_in_bytes(raw, evidence_for(cfg))


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str) -> pathspec.GitIgnoreSpec:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines([pattern])


def file_config(cfg: Config, settings: config.Settings, path: str) -> Config:
    """`cfg` with the per-file-ignores that match `path` added to the ignored codes, and the page's
    session-id expression of the first `per-file-session-id` pattern that matches it (unless
    `--session-id` was given: the command line wins over every file setting)."""
    sessions = settings.per_file_session_id if settings.origins.get("session_id") != "command line" else ()
    if not settings.per_file_ignores and not sessions:
        return cfg
    rel = _relative(path, settings.root)
    extra = tuple(code for pattern, codes in settings.per_file_ignores
                  if _pattern(pattern).match_file(rel) for code in codes)
    session = next((expr for pattern, expr in sessions if _pattern(pattern).match_file(rel)), None)
    if not extra and session is None:
        return cfg
    options = cfg.options
    if extra:
        options = replace(options, ignore=options.ignore + extra)
    if session is not None:
        options = replace(options, session_id={**options.session_id, "js": session})
    return replace(cfg, options=options)


def _relative(path: str, root: Path) -> str:
    absolute = Path(path).absolute()
    return absolute.relative_to(root).as_posix() if absolute.is_relative_to(root) else absolute.as_posix()


@dataclass(frozen=True)
class _Task:
    """One candidate file for a worker: everything it needs, nothing it could write with."""

    path: str
    text: str
    config: Config
    fix: bool
    diff: bool


def _analyse(task: _Task) -> FileResult:
    # the main process decided the file is a candidate and not build output: not asked again here
    return result_for(task.path, task.text, task.config, fix=task.fix, diff=task.diff, candidate=True)


def process_paths(paths: Sequence[str], cfg: Config, settings: config.Settings, *, fixing: bool,
                  want_fixes: bool, jobs: int, show_progress: bool, cache: Cache | None = None,
                  git: bool = True, follow: bool = True,
                  overlay: Mapping[str, str] | None = None) -> list[FileResult]:
    """Discover, read, analyse (in parallel when worth it) and write back, in discovery order.

    Most files are settled from their bytes. A candidate's result comes from `cache` when it has
    one for these bytes, settings and mode (check, or fixes shown without writing: `--diff`, JSON,
    SARIF); `fix` always analyses, so no write ever depends on the cache.

    `overlay` holds texts that stand for files on disk, by absolute path: an editor's unsaved
    buffers (`drmigrate.server`); the run reads them instead of the files, here and in the project.
    """
    walk = WalkSettings(root=settings.root, exclude=settings.exclude, extend_exclude=settings.extend_exclude,
                        include=settings.include, force_exclude=settings.force_exclude,
                        respect_gitignore=settings.respect_gitignore, max_file_size=settings.max_file_size,
                        git=git)
    discovery = Discovery(walk, lambda p: _reads(p, cfg.template_extensions), _searched)
    entries = discovery.entries(paths)
    if fixing:
        cache = None
    started_ns = time.time_ns()  # before the walk: the stat index trusts no timestamp newer than this
    mode = "diff" if want_fixes else "check"
    results: list[FileResult | None] = []
    sources: dict[int, Source] = {}
    configs: dict[int, Config] = {}
    keys: dict[int, str] = {}
    identities: dict[int, Identity | None] = {}
    roots = _real_roots(paths) if fixing else ()
    runner = _TaskRunner(jobs)
    walked: list[Entry] = []  # the walk is a generator: the entries, kept for the project phase
    # the warm path: files whose stat and settings are what they were when last settled clean
    known = cache.stat_index(started_ns) if cache is not None and not overlay else None
    stats = discovery.stats
    quoting: dict[int, bool] = {}  # clean files known to quote a Digital River type, or not
    try:
        for i, entry in enumerate(entries):
            walked.append(entry)
            results.append(None)
            if entry.status == "unread":
                st = stats.get(entry.path)
                if known is not None and known.settled(entry.path, st, known.digest(cfg)) == "u":
                    results[i] = unread_result(entry, cfg, None)
                    continue
                call = unread_call(entry, cfg)
                results[i] = unread_result(entry, cfg, call)
                if known is not None:
                    known.record(entry.path, st, known.digest(cfg), "u" if call is None else None)
                continue
            if entry.status != "file":
                results[i] = FileResult(entry.path, entry.status, entry.reason)
                continue
            file_cfg = file_config(cfg, settings, entry.path)
            if known is not None:
                digest = known.digest(file_cfg)
                st = stats.get(entry.path)
                kind = known.settled(entry.path, st, digest)
                if kind is not None and kind != "u":
                    # clean, or skipped by its name (`s`: the reason is worded again)
                    results[i] = non_candidate_result(entry.path, file_cfg) if kind == "s" else \
                        FileResult(entry.path, "clean", parser="prefilter")
                    if kind in ("n", "q"):
                        quoting[i] = kind == "q"
                    continue
            try:
                raw = _read(overlay, entry.path, entry.size)
                settled = settled_from_bytes(raw, entry.path, file_cfg)
                if settled is not None:
                    results[i] = settled
                    if known is not None:
                        known.record(entry.path, st, digest, "c" if settled.status == "clean" else "s", raw)
                    continue
                if known is not None:
                    known.record(entry.path, st, digest, None)
                source = decode(raw, entry.path)
            except SourceError as exc:
                results[i] = FileResult(entry.path, "error", str(exc).split(": ", 1)[1])
                continue
            if cache is not None:
                # first: an entry exists only for a file that was analysed, and the key holds all
                # that being a candidate and not build output depends on (its bytes, path, settings)
                key = cache.key(entry.path, raw, file_cfg, mode)
                hit = cache.get(key, entry.path, source.text, file_cfg, count=False)
                if hit is not None:
                    results[i] = hit
                    continue
            if not is_candidate(source.text, entry.path, file_cfg):  # decided here: no parser run
                results[i] = result_for(entry.path, source.text, file_cfg, fix=fixing, diff=want_fixes)
                continue
            built = build_output(entry.path, source.text, file_cfg)
            if built is not None:  # skipped as build output: named with the sources beside it
                results[i] = built.result(sources_beside(entry.path, source.text) if built.call else ())
                continue
            if cache is not None:
                cache.misses += 1
                keys[i] = key
            sources[i] = source
            configs[i] = file_cfg
            if fixing:  # what the write re-checks: the file and its directory as they were read
                identities[i] = identity(entry.path)
            runner.add(i, _Task(entry.path, source.text, file_cfg, fixing, want_fixes), len(raw))
        progress = show_progress and len(results) >= PROGRESS_MIN_FILES and sys.stderr.isatty()
        for i, result in _with_progress(runner.results(), runner.count, progress):
            if cache is not None and i in keys and result.status != "fixed":
                cache.put(keys[i], result)
            results[i] = result
    finally:
        runner.close()
    if follow and (any(r is not None and _follows(r) for r in results)
                   or _builders_named(paths, walked, results, cfg, settings, quoting)):
        _follow(paths, walked, results, sources, configs, cfg, settings, fixing=fixing, want_fixes=want_fixes,
                cache=cache, mode=mode, stats=discovery.stats, overlay=overlay or {}, quoting=quoting)
    if known is not None:
        for i, answer in quoting.items():  # what _builders_named learnt, kept for the next run
            entry = walked[i]
            known.record(entry.path, stats.get(entry.path),
                         known.digest(configs.get(i) or file_config(cfg, settings, entry.path)), "q" if answer else "n")
        known.save()
    for i, final in enumerate(results):
        if final is not None and final.status == "fixed" and final.fixed is not None and i in sources:
            results[i] = _write(sources[i], final, configs[i], identities.get(i), roots)
    if cache is not None:
        cache.finish()
    return [r for r in results if r is not None]


def _read(overlay: Mapping[str, str] | None, path: str, size: int = -1) -> bytes:
    """The bytes of `path`, or of the editor's buffer that stands for it."""
    text = overlay.get(os.path.abspath(path)) if overlay else None
    return read_bytes(path, size) if text is None else text.encode("utf-8", "surrogatepass")


def _builders_named(paths: Sequence[str], entries: Sequence[Entry], results: Sequence[FileResult | None],
                    cfg: Config, settings: config.Settings, quoting: dict[int, bool] | None = None) -> list[int]:
    """Files named on the command line (a pre-commit run) that may build a payload for a call in
    another file: JavaScript that calls nothing but quotes a Digital River type. Their callers are
    outside the run, so the project looks them up (`_follow`). A run over the whole project finds
    every call itself: none then. `quoting` holds the answers known already (the stat index's),
    by entry, and gets the ones found here."""
    from drmigrate.cache import project_root

    root = os.path.realpath(project_root(paths, settings.file))
    if any(os.path.realpath(p) == root for p in paths if p != "-"):
        return []
    from drmigrate.frontends.javascript import dialect_for

    quoting = {} if quoting is None else quoting
    found = []
    for i, entry in enumerate(entries):
        result = results[i] if i < len(results) else None
        if result is None or entry.status != "file" or result.parser != "prefilter" or result.status != "clean":
            continue
        if dialect_for(entry.path) is None:
            continue
        if i not in quoting:
            try:
                raw = read_bytes(entry.path, entry.size)
            except SourceError:
                continue
            quoting[i] = cfg.settings.quotes_dr_type(raw.decode("utf-8", "replace"))
        if quoting[i]:
            found.append(i)
    return found


def _follows(result: FileResult) -> bool:
    """The file has a payload built in another file: the project follows it."""
    return any(site.hop is not None for site in result.sites)


def _follow(paths: Sequence[str], entries: Sequence[Entry], results: list[FileResult | None],
            sources: dict[int, Source], configs: dict[int, Config], cfg: Config, settings: config.Settings,
            *, fixing: bool, want_fixes: bool, cache: Cache | None, mode: str,
            stats: Mapping[str, os.stat_result] | None = None, overlay: Mapping[str, str] | None = None,
            quoting: dict[int, bool] | None = None) -> None:
    """Payloads built in other files: the project index follows each hop to its builder, the
    builders' files are analysed with their seeds (and fixed, when they are among the files
    checked), and the calls' verdicts follow their builders (`drmigrate.project.flow`)."""
    from drmigrate.cache import project_root
    from drmigrate.project.flow import Flow, apply_verdicts
    from drmigrate.project.index import ProjectIndex

    root = project_root(paths, settings.file)
    walk = WalkSettings(root=settings.root, exclude=settings.exclude, extend_exclude=settings.extend_exclude,
                        include=settings.include, force_exclude=False,
                        respect_gitignore=settings.respect_gitignore, max_file_size=settings.max_file_size)

    covered = any(os.path.realpath(p) == os.path.realpath(root) for p in paths if p != "-")

    def listing() -> list[tuple[str, int, int, int, int]]:
        # a run over the whole project walked it already: its entries are the listing
        walker = None if covered else Discovery(walk, lambda p: True)
        found = entries if walker is None else walker.entries([str(root)])
        times = (stats or {}) if walker is None else walker.stats
        out = []
        for entry in found:
            if entry.status in ("file", "unread"):
                rel = index.relative(entry.path)
                if rel is not None:
                    st = times.get(entry.path)
                    out.append((rel, entry.size, *((st.st_mtime_ns, st.st_ctime_ns, st.st_ino) if st is not None
                                                   else (0, 0, 0))))
        return out

    index = ProjectIndex(root, listing)
    if cache is not None:
        store = cache
        index.attach(store.load_blob(INDEX_BLOB), lambda data: store.store_blob(INDEX_BLOB, data),
                     store.run_version())
    by_rel: dict[str, int] = {}
    for i, entry in enumerate(entries):
        if i < len(results) and results[i] is not None and entry.status == "file":
            rel = index.relative(entry.path)
            if rel is not None:
                by_rel.setdefault(rel, i)
    displays = {rel: entries[i].path for rel, i in by_rel.items()}
    current = {rel: found for rel, i in by_rel.items() if (found := results[i]) is not None}
    for path, text in (overlay or {}).items():  # the editor's unsaved buffers stand for their files
        rel = index.relative(path)
        if rel is not None:
            index.read.set(rel, text)
    for rel, result in current.items():
        i = by_rel[rel]
        if i in sources:
            index.read.set(rel, result.fixed if result.fixed is not None and fixing else sources[i].text)

    def analyse(batch: dict[str, list[Seed]]) -> dict[str, FileResult]:
        out: dict[str, FileResult] = {}
        for rel, seeds in batch.items():
            i = by_rel.get(rel)
            display = displays.get(rel) or index.display(rel)
            displays.setdefault(rel, display)
            raw: bytes | None = None
            try:
                if i is not None and i in sources:
                    text = sources[i].text
                elif i is not None:
                    raw = _read(overlay, entries[i].path, entries[i].size)
                    sources[i] = decode(raw, entries[i].path)
                    text = sources[i].text
                else:
                    raw = _read(overlay, str(root / rel))
                    text = decode(raw, display).text
            except SourceError:
                continue
            base = configs.get(i, file_config(cfg, settings, display)) if i is not None else \
                file_config(cfg, settings, display)
            seeded = replace(base, settings=replace(base.settings, seeds=tuple(seeds)))
            checked = i is not None
            key = None
            if cache is not None and not fixing:
                key = cache.key(display, raw if raw is not None else text.encode("utf-8", "surrogatepass"),
                                seeded, mode)
                hit = cache.get(key, display, text, seeded)
                if hit is not None:
                    out[rel] = hit
                    continue
            result = result_for(display, text, seeded, fix=fixing and checked, diff=want_fixes and checked)
            if cache is not None and key is not None and result.status != "fixed":
                cache.put(key, result)
            index.read.set(rel, result.fixed if result.fixed is not None and fixing and checked else text)
            if checked and i is not None:
                configs[i] = seeded
            out[rel] = result
        return out

    # a builder named alone (pre-commit): the modules around it — those that import it, and what
    # those import — read as context, bring the calls that reach it
    named = _builders_named(paths, entries, results, cfg, settings, quoting)
    frontier = [rel for rel, i in by_rel.items() if i in named]
    seen = set(current)

    def context(rel: str) -> None:
        if rel in seen:
            return
        seen.add(rel)
        text = index.read(rel)
        display = index.display(rel)
        if text is not None and is_candidate(text, display, cfg):
            displays[rel] = display
            found = file_config(cfg, settings, display)
            key = cache.key(display, text.encode("utf-8", "surrogatepass"), found) if cache is not None else None
            hit = cache.get(key, display, text, found) if cache is not None and key is not None else None
            current[rel] = hit if hit is not None else result_for(display, text, found, fix=False)
            if hit is None and cache is not None and key is not None:
                cache.put(key, current[rel])

    for _ in range(3):
        upward: list[str] = []
        for rel in frontier:
            for importer, _imported in index.importers(rel):
                if importer in seen:
                    continue
                upward.append(importer)
                context(importer)
                skeleton = index.skeleton(importer)
                for imported in skeleton.imports if skeleton is not None else ():
                    target = index.resolve(imported.specifier, importer)
                    if target is not None:
                        context(target)
        frontier = upward
    flow = Flow(index).run(current, displays, analyse)
    index.close()
    updated = apply_verdicts(flow, current, {}, set(by_rel), displays)
    for rel, final in {**flow.results, **updated}.items():
        position = by_rel.get(rel)
        if position is not None:
            results[position] = updated.get(rel, final)


class _TaskRunner:
    """Analyses candidate files while discovery goes on: once the candidates found add up to
    enough text to be worth a process pool, they go to worker processes as they are found, so
    parsing overlaps the walk; a small run stays in this process. Results come back in the
    order tasks were added.

    A worker that dies (a parser's native crash) breaks the pool and every task still in it:
    each of those runs again alone, in a process of its own, so the file that kills its process
    ends as one error and the rest of the run, its report included, goes on."""

    def __init__(self, jobs: int, analyse: Callable[[_Task], FileResult] | None = None) -> None:
        self.jobs = jobs
        self.analyse = analyse or _analyse
        self.pending: list[tuple[int, _Task]] = []
        self.pending_bytes = 0
        self.futures: list[tuple[int, _Task, Future[FileResult]]] = []
        self.pool: ProcessPoolExecutor | None = None

    @property
    def count(self) -> int:
        return len(self.pending) + len(self.futures)

    def add(self, index: int, task: _Task, size: int) -> None:
        self.pending_bytes += size
        if self.pool is None and self.jobs > 1 and self.pending_bytes >= PARALLEL_MIN_BYTES:
            from concurrent.futures import ProcessPoolExecutor

            _warm_parsers([t for _, t in self.pending] + [task])  # forked workers inherit the imports
            # Forked workers share the parent's memory until they write to it; a garbage
            # collection in a worker walks (and so copies) every object it inherited. Frozen
            # objects are left out of collections (measured: about a tenth less CPU in the workers).
            gc.freeze()
            self.pool = ProcessPoolExecutor(max_workers=self.jobs)
            self.futures = [(i, t, self.pool.submit(self.analyse, t)) for i, t in self.pending]
            self.pending = []
        if self.pool is not None:
            self.futures.append((index, task, self.pool.submit(self.analyse, task)))
        else:
            self.pending.append((index, task))

    def results(self) -> Iterator[tuple[int, FileResult]]:
        if self.futures:  # the pool's module is imported only by a run that started one
            from concurrent.futures.process import BrokenProcessPool
        for index, task, future in self.futures:
            try:
                result = future.result()
            except BrokenProcessPool:
                result = self._alone(task)
            yield index, result
        for index, task in self.pending:
            yield index, self.analyse(task)

    def _alone(self, task: _Task) -> FileResult:
        """`task` in a process of its own; an error result when that process dies too."""
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        with ProcessPoolExecutor(max_workers=1) as pool:
            try:
                return pool.submit(self.analyse, task).result()
            except BrokenProcessPool:
                return FileResult(task.path, "error", "the process analysing it died (a parser crashed); the "
                                                      "file was left unchanged; exclude it and please report this")

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def _with_progress(done: Iterator[T], total: int, progress: bool) -> Iterator[T]:
    if not progress:
        yield from done
        return
    import click

    with click.progressbar(length=total, label="drmigrate", file=sys.stderr) as bar:
        for result in done:
            bar.update(1)
            yield result


def _warm_parsers(tasks: Sequence[_Task]) -> None:
    """Import, before the workers fork, every parser the tasks so far need (and the analysis):
    forked workers inherit the imports, where each would otherwise pay for them again."""
    from drmigrate import suppressions  # noqa: F401 - imported for the workers
    from drmigrate.frontends import esprima_js

    suffixes = {os.path.splitext(task.path)[1].lower() for task in tasks}
    for task in tasks:
        suffix = os.path.splitext(task.path)[1].lower()
        if suffix in suffixes:
            suffixes.discard(suffix)
            front_end_for(task.path, task.config.template_extensions)  # builds it: imports it
    esprima_js._parser_class(False)  # esprima itself; every JavaScript and page reader uses it


def _real_roots(paths: Sequence[str]) -> tuple[str, ...]:
    """The named paths as they are on disk (symlinks resolved): `fix` writes only inside them."""
    return tuple(os.path.realpath(p) for p in paths if p != "-")


def _inside(path: str, roots: Sequence[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == root or real.startswith(os.path.join(root, "")) for root in roots)


def _write(source: Source, result: FileResult, cfg: Config, known: Identity | None = None,
           roots: Sequence[str] = ()) -> FileResult:
    """Write the fixed text; when that fails, nothing changed: the file's result is then the
    findings of its original text (what `check` reports), with the error. Only a file inside the
    named paths, as they are on disk, is written: one reached through a symlink is not."""
    assert result.fixed is not None
    try:
        if roots and not _inside(source.path, roots):
            raise SourceError(f"{source.path}: resolves outside the paths named (through a symlink); "
                              "not written: name its real location to fix it")
        write_source(source, result.fixed, known=known)
    except SourceError as exc:
        unchanged = result_for(result.path, source.text, cfg, fix=False)
        return replace(unchanged, status="error", reason=str(exc).split(": ", 1)[1])
    return result


@dataclass(frozen=True)
class Suppressed:
    """What `add_suppressions` did to one file: directives added, or why none could be."""

    path: str
    lines: int = 0  # lines that got a directive (new, or codes added to one above)
    findings: int = 0  # the findings they cover
    refused: tuple[str, ...] = ()  # "line N: why" for each line left as it was (or why the file was)
    left: int = 0  # the findings left unsuppressed


def add_suppressions(results: Sequence[FileResult], cfg: Config, settings: config.Settings,
                     reason: str) -> list[Suppressed]:
    """Write a `drmigrate-ignore` directive for every remaining finding (`drmigrate.noqa`), each
    file proven unchanged but for the comments and written atomically; a file that changed since
    it was analysed, or where a comment cannot stand, is left as it is and named with the reason."""
    from drmigrate import noqa

    out = []
    for r in results:
        findings = [f for f in r.findings if f.code != noqa.UNUSED_CODE]
        if r.status != "findings" or not findings:
            continue
        try:
            source = decode(read_bytes(r.path), r.path)
        except SourceError as exc:
            out.append(Suppressed(r.path, refused=(str(exc).split(": ", 1)[1],), left=len(findings)))
            continue
        if r.original is not None and source.text != r.original:
            out.append(Suppressed(r.path, refused=("it changed while it was checked; run again",), left=len(findings)))
            continue
        front = front_end_for(r.path, cfg.template_extensions)
        try:
            placed = noqa.place(front, source.text, r.path, findings, cfg.settings, reason)
            idle = noqa.idle_consequences(front, source.text, placed, file_config(cfg, settings, r.path), reason) \
                if placed.lines else set()
            if idle:  # a DR202 the fix of a suppressed finding caused: it goes with that fix
                findings = [f for f in findings if (f.code, f.line) not in idle]
                placed = noqa.place(front, source.text, r.path, findings, cfg.settings, reason)
            if placed.lines:
                write_source(source, placed.text)
        except noqa.Refused as exc:
            out.append(Suppressed(r.path, refused=(f"{exc}",), left=len(findings)))
            continue
        except SourceError as exc:
            out.append(Suppressed(r.path, refused=(str(exc).split(": ", 1)[1],), left=len(findings)))
            continue
        out.append(Suppressed(r.path, placed.lines, placed.findings, placed.refused, placed.refused_findings))
    return out
