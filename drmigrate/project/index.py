"""The project index: the checked tree's modules, what they import and export, and the globals
scripts define, built from the candidate files outward and only as far as the questions go.

The payload flow (`drmigrate.project.flow`) asks:
- which file does this specifier name? (`resolve`, through `modules.ModuleResolver`);
- which files import this module, under which names? (`importers`): files whose text mentions the
  module's name are read with tree-sitter (`skeleton`), never esprima, and their imports resolved;
- which scripts define, or use, the page global `name`? (`definers`, `mentioning`).
A file's skeleton is read once per run. Listing the tree (for reverse questions) is done once, and
only when a question needs it: a pre-commit run whose payloads are all built in the files it names
never lists anything.
"""

from __future__ import annotations

import functools
import json
import os
import posixpath
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drmigrate.project.modules import JS_SUFFIXES, ModuleResolver, ProjectFiles, ReadText
from drmigrate.project.skeleton import (
    Import,
    Skeleton,
    dialect_of,
    read_skeleton,
    skeleton_from,
    skeleton_to,
    uses,
)

# Files whose scripts can define page globals or call them: templates hold inline scripts.
TEMPLATE_SUFFIXES = frozenset({".html", ".htm", ".phtml", ".php", ".isml", ".erb", ".ejs", ".hbs", ".twig",
                               ".vue", ".svelte", ".tpl", ".jsp", ".aspx", ".cshtml", ".liquid", ".njk"})


RACY_NS = 2_000_000_000  # the result cache's window too (cache.StatIndex.RACY_NS)


@dataclass
class ProjectIndex:
    """What the run knows of the project tree (paths are POSIX, relative to `root`)."""

    root: Path
    # the tree's files: root-relative paths, or (path, size, mtime_ns, ctime_ns, inode) as the walk
    # saw them (what tells a kept skeleton or answer from a stale one: a same-size edit with the
    # mtime put back still changes the ctime)
    list_files: Callable[[], Iterable[str | tuple[str, int, int, int, int]]]
    read: ReadText = field(init=False)
    _files: ProjectFiles | None = field(default=None, init=False)
    _skeletons: dict[str, Skeleton | None] = field(default_factory=dict, init=False)
    _resolver: ModuleResolver | None = field(default=None, init=False)
    _importers: dict[str, list[tuple[str, Import]]] = field(default_factory=dict, init=False)
    listed: bool = field(default=False, init=False)
    skeletons_read: int = field(default=0, init=False)
    # the index's answers kept between runs (`attach`): skeletons by file stat, and the answers to
    # reverse questions while no code file of the tree changed
    _stored: dict[str, Any] | None = field(default=None, init=False)
    _dirty: bool = field(default=False, init=False)
    _signature: str = field(default="", init=False)
    _save: Callable[[bytes], None] | None = field(default=None, init=False)
    _stats: dict[str, list[int]] = field(default_factory=dict, init=False)
    _prefix: tuple[str, str] | None = field(default=None, init=False)
    _cwd: str = field(default="", init=False)
    _cwd_is_root: bool = field(default=False, init=False)
    _code: list[str] | None = field(default=None, init=False)
    # timestamps this close to the run's start cannot tell two versions of a file apart (the
    # clock's granularity): what was read from such a file is not kept for the next run
    _started_ns: int = field(default_factory=time.time_ns, init=False)
    _recent: bool = field(default=False, init=False)  # some code file is that recent: keep no answers

    def __post_init__(self) -> None:
        self.read = ReadText(self.root)

    def _settled(self, stat: list[int] | None) -> bool:
        """Whether a file with `stat` (size, mtime, ctime, inode) can be kept: its timestamps
        are older than the window (`cache.StatIndex.RACY_NS`) before the run."""
        return stat is not None and len(stat) == 4 and max(stat[1], stat[2]) < self._started_ns - RACY_NS

    # -- kept between runs ------------------------------------------------------------------------
    def attach(self, data: bytes | None, save: Callable[[bytes], None], version: str) -> None:
        """Use what an earlier run stored (untrusted: anything malformed is ignored) and store
        this run's answers with `save` when `close` is called."""
        self._save = save
        stored: dict[str, Any] = {"version": version, "skeletons": {}, "signature": "", "answers": {}}
        from drmigrate.untrusted import UntrustedError, loads, within

        try:
            loaded = loads(data.decode("utf-8")) if data else None
        except (UnicodeDecodeError, UntrustedError):  # also what json turns into a RecursionError
            loaded = None
        if isinstance(loaded, dict) and within(loaded, 32) and loaded.get("version") == version \
                and isinstance(loaded.get("skeletons"), dict) and isinstance(loaded.get("answers"), dict) \
                and isinstance(loaded.get("signature"), str):
            stored = loaded
        self._stored = stored

    def close(self) -> None:
        if self._save is not None and self._stored is not None and self._dirty:
            kept = self._stored if not self._recent else {**self._stored, "signature": "", "answers": {}}
            self._save(json.dumps(kept, separators=(",", ":")).encode("utf-8"))
            self._dirty = False

    def _stat(self, rel: str) -> list[int] | None:
        known = self._stats.get(rel)
        if known is not None:
            return known
        try:
            info = os.stat(self.root / rel)
        except OSError:
            return None
        return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]

    def _answer(self, question: str, compute: Callable[[], Any]) -> Any:
        """An answer about the whole tree, reused while no code file changed since it was stored."""
        if self._stored is None:
            return compute()
        answers = self._answers()
        if question in answers:
            return answers[question]
        answer = compute()
        answers[question] = answer
        self._dirty = True
        return answer

    def _answers(self) -> dict[str, Any]:
        """The stored answers that still hold (none once a code file of the tree changed)."""
        assert self._stored is not None
        if not self._signature:
            import hashlib

            digest = hashlib.blake2b(digest_size=16)
            for rel in self._code_files():
                stat = self._stat(rel)
                digest.update(f"{rel}\0{stat}\0".encode("utf-8", "surrogatepass"))
                if stat is not None and not self._settled(stat):
                    self._recent = True
            self._signature = digest.hexdigest()
            if self._stored.get("signature") != self._signature:
                self._stored["signature"] = self._signature
                self._stored["answers"] = {}
                self._dirty = True
        answers: dict[str, Any] = self._stored["answers"]
        return answers

    # -- the tree -------------------------------------------------------------------------------
    @property
    def files(self) -> ProjectFiles:
        if self._files is None:
            listed = list(self.list_files())
            self._stats = {item[0]: list(item[1:]) for item in listed if isinstance(item, tuple)}
            self._files = ProjectFiles.of(self.root, (item if isinstance(item, str) else item[0] for item in listed))
            self.listed = True
        return self._files

    def relative(self, path: str) -> str | None:
        """`path` (as the walk reports it) relative to the root, or None when outside."""
        if self._prefix is None:
            root = os.path.abspath(self.root)
            self._prefix = (os.path.join(root, ""), os.path.join(os.path.realpath(root), ""))
            self._cwd = os.getcwd()
            self._cwd_is_root = os.path.join(self._cwd, "") in self._prefix
        if not os.path.isabs(path):
            # the walk's paths are relative to the working directory: no getcwd per path
            if self._cwd_is_root and ".." not in path:
                return path[2:] if path.startswith("./") else path.replace(os.sep, "/")
            absolute = os.path.normpath(os.path.join(self._cwd, path))
        else:
            absolute = os.path.normpath(path)
        for prefix in self._prefix:
            if absolute.startswith(prefix):
                return absolute[len(prefix):].replace(os.sep, "/")
        return None

    def display(self, rel: str) -> str:
        """A root-relative path as the run shows paths: relative to the working directory."""
        absolute = self.root / rel
        try:
            return os.path.relpath(absolute)
        except ValueError:
            return str(absolute)

    # -- modules ----------------------------------------------------------------------------------
    @property
    def resolver(self) -> ModuleResolver:
        if self._resolver is None:
            self._resolver = ModuleResolver(self.files, self.read)
        return self._resolver

    def resolve(self, specifier: str, importer: str) -> str | None:
        return self.resolver.resolve(specifier, importer)

    def skeleton(self, rel: str) -> Skeleton | None:
        if rel not in self._skeletons:
            self._skeletons[rel] = self._stored_skeleton(rel)
        return self._skeletons[rel]

    def _stored_skeleton(self, rel: str) -> Skeleton | None:
        if self._stored is None or rel in self.read.given:
            return self._read_skeleton(rel)
        stat = self._stat(rel)
        kept = self._stored["skeletons"].get(rel)
        if isinstance(kept, list) and len(kept) == 2 and kept[0] == stat:
            try:
                return skeleton_from(kept[1]) if kept[1] is not None else None
            except (TypeError, ValueError, KeyError):
                pass
        found = self._read_skeleton(rel)
        if self._settled(stat):
            self._stored["skeletons"][rel] = [stat, skeleton_to(found) if found is not None else None]
            self._dirty = True
        return found

    def _read_skeleton(self, rel: str) -> Skeleton | None:
        text = self.read(rel)
        if text is None:
            return None
        self.skeletons_read += 1
        suffix = os.path.splitext(rel)[1].lower()
        if suffix in JS_SUFFIXES:
            return read_skeleton(rel, text)
        script = page_script(rel, text)
        return read_skeleton(rel, script) if script else None

    def importers(self, target: str) -> list[tuple[str, Import]]:
        """The files that import `target`, with each binding they get from it."""
        if target in self._importers:
            return self._importers[target]
        files = self._answer(f"importers:{target}", lambda: self._importing(target))
        found: list[tuple[str, Import]] = []
        for rel in files if isinstance(files, list) else ():
            skeleton = self.skeleton(rel) if isinstance(rel, str) else None
            for imported in skeleton.imports if skeleton is not None else ():
                if self.resolve(imported.specifier, rel) == target:
                    found.append((rel, imported))
        self._importers[target] = found
        return found

    def prefetch_importers(self, targets: Iterable[str]) -> None:
        """Answer `importers` for several modules in one pass over the tree's code files (asked one
        at a time, each question reads every file again)."""
        known = self._answers() if self._stored is not None else {}
        wanted = [t for t in dict.fromkeys(targets) if t not in self._importers and f"importers:{t}" not in known]
        if len(wanted) < 2:
            return
        found = self._importing_all(wanted)
        for target in wanted:
            self._answer(f"importers:{target}", functools.partial(found.__getitem__, target))

    def _importing(self, target: str) -> list[str]:
        """The files whose imports resolve to `target` (found by text, then by their skeleton)."""
        return self._importing_all([target])[target]

    def _importing_all(self, targets: Sequence[str]) -> dict[str, list[str]]:
        ends = [(target, _specifier_ends(target, self.resolver.names_for(target))) for target in targets]
        found: dict[str, list[str]] = {target: [] for target in targets}
        for rel in self._code_files():
            text = self.read.peek(rel)
            if text is None:
                continue
            for target, specifier in ends:
                if rel != target and self._imports(rel, text, target, specifier):
                    found[target].append(rel)
        return found

    def _imports(self, rel: str, text: str, target: str, specifier: _Ends) -> bool:
        if not any(self.resolve(quoted, rel) == target for quoted in _quoted_ends(text, specifier)):
            return False  # no string in it names `target`: no import of it (its skeleton is not read)
        skeleton = self.skeleton(rel)
        return skeleton is not None and any(
            self.resolve(imported.specifier, rel) == target for imported in skeleton.imports)

    def origin_of(self, rel: str, names: tuple[str, ...], depth: int = 0) -> tuple[str, tuple[str, ...]]:
        """Where the export `names` of `rel` is defined, through re-exports (`export {x} from`,
        `export * from`, barrels of `index` files): the file and the names it has there."""
        skeleton = self.skeleton(rel)
        if skeleton is None or depth > 8 or not names:
            return rel, names
        if names[0] in skeleton.exports and not any(r[0] == names[0] for r in skeleton.reexports):
            return rel, names
        for exported, specifier, imported in skeleton.reexports:
            target = self.resolve(specifier, rel)
            if target is None:
                continue
            if exported == names[0]:
                inner = (imported, *names[1:]) if imported != "*" else names[1:] or ("*",)
                return self.origin_of(target, inner, depth + 1)
            if exported == "*":
                inner_skeleton = self.skeleton(target)
                if inner_skeleton is not None and (names[0] in inner_skeleton.exports or any(
                        r[0] in (names[0], "*") for r in inner_skeleton.reexports)):
                    found = self.origin_of(target, names, depth + 1)
                    found_skeleton = self.skeleton(found[0])
                    if found_skeleton is not None and found[1][:1] and found[1][0] in found_skeleton.exports:
                        return found
        return rel, names

    def importers_through(self, rel: str, names: tuple[str, ...], depth: int = 0) -> list[tuple[str, Import, tuple[str, ...]]]:
        """The files that import the export `names` of `rel`, directly or through files that
        re-export it, with the names they import it under."""
        found: list[tuple[str, Import, tuple[str, ...]]] = []
        for importer, imported in self.importers(rel):
            found.append((importer, imported, names))
            if depth >= 8 or imported.local:
                continue
            skeleton = self.skeleton(importer)
            for exported, specifier, inner in skeleton.reexports if skeleton is not None else ():
                if self.resolve(specifier, importer) != rel:
                    continue
                if exported == "*" and inner == "*":
                    found.extend(self.importers_through(importer, names, depth + 1))
                elif inner == names[0]:
                    found.extend(self.importers_through(importer, (exported, *names[1:]), depth + 1))
                elif inner == "*":  # `export * as api from`: the module under a name
                    found.extend(self.importers_through(importer, (exported, *names), depth + 1))
        return found

    def mentioning(self, name: str) -> list[str]:
        """The code files (scripts and templates) whose text has `name` as a word (an identifier)."""
        found = self._answer(f"mentioning:{name}", lambda: self._mentioning(name))
        return [rel for rel in found if isinstance(rel, str)] if isinstance(found, list) else []

    def _mentioning(self, name: str) -> list[str]:
        import re

        word = re.compile(rf"(?<![\w$]){re.escape(name)}(?![\w$])")
        out = []
        for rel in self._code_files():
            text = self.read.peek(rel)
            if text is not None and name in text and word.search(text) is not None:
                out.append(rel)
        return out

    def mentioning_string(self, value: str) -> list[str]:
        """The code files that have `value` as a string literal (an event's name)."""
        def scan() -> list[str]:
            quoted = (f"'{value}'", f'"{value}"', f"`{value}`")
            out = []
            for rel in self._code_files():
                text = self.read.peek(rel)
                if text is not None and value in text and any(q in text for q in quoted):
                    out.append(rel)
            return out

        found = self._answer(f"string:{value}", scan)
        return [rel for rel in found if isinstance(rel, str)] if isinstance(found, list) else []

    def definers(self, name: str) -> list[str]:
        """The scripts (and pages) that define the page global `name`."""
        out = []
        for rel in self.mentioning(name):
            skeleton = self.skeleton(rel)
            if skeleton is not None and name in skeleton.globals:
                out.append(rel)
        return out

    def uses_of(self, rel: str, local: str) -> list[tuple[int, str, bool, bool]]:
        """Where `local` is used in `rel`: (offset, member read after it, called, constructed);
        kept between runs like the skeletons (a warm run parses nothing)."""
        if self._stored is None or rel in self.read.given:
            return self._uses_of(rel, local)
        kept_uses = self._stored.get("uses")
        if not isinstance(kept_uses, dict):
            kept_uses = self._stored["uses"] = {}
        key, stat = f"{rel}\0{local}", self._stat(rel)
        kept = kept_uses.get(key)
        if isinstance(kept, list) and len(kept) == 2 and kept[0] == stat and isinstance(kept[1], list):
            try:
                return [(int(o), str(m), bool(c), bool(n)) for o, m, c, n in kept[1]]
            except (TypeError, ValueError):
                pass
        found = self._uses_of(rel, local)
        if self._settled(stat):
            kept_uses[key] = [stat, [list(use) for use in found]]
            self._dirty = True
        return found

    def _uses_of(self, rel: str, local: str) -> list[tuple[int, str, bool, bool]]:
        text = self.read(rel)
        if text is None:
            return []
        suffix = os.path.splitext(rel)[1].lower()
        if suffix not in JS_SUFFIXES:
            text = page_script(rel, text)
        return uses(text, local, dialect_of(rel) if suffix in JS_SUFFIXES else "javascript")

    def _code_files(self) -> list[str]:
        if self._code is None:
            wanted = frozenset(JS_SUFFIXES) | TEMPLATE_SUFFIXES
            self._code = sorted(p for p in self.files.files if p[p.rfind("."):].lower() in wanted)
        return self._code


# what may follow a specifier's end: a query string (bounded: an unclosed one on a long line must
# not be read to the line's end at every match), the closing quote
_QUERY_QUOTE = r"(?:\?[^\"'`\n]{0,200})?[\"'`]"
_AFTER_STEM = re.compile(r"(?:\.[cm]?[jt]sx?)?" + _QUERY_QUOTE)
_AFTER_FOLDER = re.compile(r"(?:/index(?:\.[cm]?[jt]sx?)?)?/?" + _QUERY_QUOTE)
_AFTER_NAME = re.compile(_QUERY_QUOTE)
_DOTS = re.compile(r"[\"'`]\.\.?/?" + _QUERY_QUOTE)
_QUOTES = frozenset("\"'`")
_BOUNDARY = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$.@-")


@dataclass(frozen=True)
class _Ends:
    """How a quoted specifier naming a file can end: with its name (`./payload`,
    `Vendor_Module/js/payload`, `../x/payload.js`), its folder's for an `index` file (or `.`, `..`),
    or one of the other names that resolve to it (RequireJS aliases, packages, tsconfig paths)."""

    words: tuple[tuple[str, re.Pattern[str], bool], ...]  # (text, what follows it, quoted whole)
    dots: bool


def _specifier_ends(target: str, names: Sequence[str] = ()) -> _Ends:
    stem = posixpath.splitext(posixpath.basename(target))[0]
    words = [(stem, _AFTER_STEM, False)]
    folder = posixpath.basename(posixpath.dirname(target)) if stem == "index" else ""
    if folder:
        words.append((folder, _AFTER_FOLDER, False))
    words += [(name, _AFTER_NAME, True) for name in names]
    return _Ends(tuple(words), stem == "index")


def _quoted_ends(text: str, ends: _Ends) -> set[str]:
    """The strings of `text` that end as `ends` says, each from its opening quote (the nearest
    same quote before its end, on its line, within 500 characters). Found with `str.find`, then
    checked in place: a pattern with a look-behind would be tried at every offset."""
    found: set[str] = set()

    def take(start: int, end: int) -> None:
        quote = text[end]
        low = max(0, start - 500)  # bounded: a long minified line with many matches stays linear
        line = text.rfind("\n", low, start) + 1
        opening = text.rfind(quote, max(line, low), start + 1)
        if opening >= 0:
            found.add(text[opening + 1:end].split("?", 1)[0])

    for word, after, quoted in ends.words:
        at = text.find(word)
        while at >= 0:
            before = text[at - 1] if at else "\n"
            if (before in _QUOTES) if quoted else (before not in _BOUNDARY):
                tail = after.match(text, at + len(word))
                if tail is not None:
                    take(at - 1 if quoted else at, tail.end() - 1)
            at = text.find(word, at + 1)
    if ends.dots:
        for match in _DOTS.finditer(text):
            take(match.start(), match.end() - 1)
    return found


def page_script(rel: str, text: str) -> str:
    """A template's inline scripts with the rest blanked (same offsets), for the skeleton."""
    from drmigrate.frontends.templates import find_scripts, find_tags, mask

    suffix = os.path.splitext(rel)[1].lower()
    tags = find_tags(text, suffix)
    scripts = find_scripts(text, tags)
    if not scripts:
        return ""
    masked, _ = mask(text, scripts, tags)
    return masked
