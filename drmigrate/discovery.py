"""Discovery and file access: which files to look at, reading them as bytes, writing them back safely.

With the CLI, the only module that touches the disk. Which file names are read is the runner's
decision (`runner.reads`), passed in as `readable`; discovery only walks. A walk respects
`.gitignore` files (nested ones and `.git/info/exclude`), the default and configured excludes, and
never follows a symlink: a linked file or directory is reported as skipped, a loop too. Every path
ends as an `Entry`: a file to read, skipped (reason) or error (reason).

The walk is most of what a run over an unchanged tree costs, so it works on strings, not `Path`
objects, stats each entry once, and answers the usual excludes (`node_modules`, `vendor`, ...) with
set lookups. `.gitignore` patterns are matched (with `pathspec`, imported only then) only in
directories that an ignore file applies to. Inside a git work tree, when git is installed, `git
ls-files` lists the files instead (git matches the ignore files in C); the result is the same as
the walk's, which is the fallback whenever git is missing, fails, or the tree is not a work tree.
`tests/test_discovery.py` runs both over the same real repositories.

Files are read as bytes and decoded here (a text-mode open would turn CRLF into LF silently); the
BOM and encoding (UTF-8, or UTF-16 with a BOM) are remembered and written back. Writes are atomic:
a temporary file in the same directory replaces the original, keeping its mode and owner; a file
that changed on disk since it was read (checked again just before the rename), that is read-only,
has other hard links, or whose directory was swapped for a symlink, is not overwritten. A
directory that the git index lists but that is a symlink in the work tree is never entered.

Files named by the user that are not sources (reports, baselines, rule tables) are read with
`read_named` (regular files only, size-capped: a FIFO never hangs a run) and reports and
baselines written with `write_named` (whole or not at all, never through a symlink).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    import pathspec

BOM = "\ufeff"
DEFAULT_EXCLUDES: tuple[str, ...] = (
    "node_modules", "vendor", "bower_components", "dist", "build", ".git", "coverage",
    ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox",
)
DEFAULT_MAX_FILE_SIZE = 5_000_000  # bytes; esprima reads ~0.4 MB/s, a bigger file is a bundle
GIT_TIMEOUT = 30.0  # seconds `git ls-files` may take before the walk lists the files itself
MAX_IGNORE_SIZE = 16 << 20  # bytes of a .gitignore or .git/info/exclude read
MAX_MAP_SIZE = 64 << 20  # bytes of a source map read to name a bundle's sources
CACHE_DIR_NAME = ".drmigrate_cache"  # never walked, whatever the excludes say (see drmigrate.cache)
NOT_READ = "not a file type drmigrate reads"
# Skip reasons that a normal report does not repeat line by line (`--show-files` lists them).
QUIET_SKIPS = ("excluded", NOT_READ)
UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")


class SourceError(Exception):
    """A file cannot be read or written; the message is one line ending with what to do."""


@dataclass(frozen=True)
class Source:
    path: str  # as shown to the user
    text: str  # decoded, without the BOM
    bom: bool
    raw: bytes
    encoding: str = "utf-8"

    def encode(self, text: str) -> bytes:
        """`text` as this file stores it: same encoding, same BOM."""
        if self.encoding == "utf-8":
            return ((BOM if self.bom else "") + text).encode("utf-8")
        prefix = next(b for b, enc in UTF16_BOMS.items() if enc == self.encoding)
        return prefix + text.encode(self.encoding)


@dataclass(frozen=True)
class WalkSettings:
    """How paths become files. Patterns are gitignore-style, relative to `root`."""

    root: Path = field(default_factory=Path.cwd)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()  # when set, only walked files matching one are read
    force_exclude: bool = False  # excludes (and .gitignore) also apply to files named explicitly
    respect_gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    git: bool = True  # list a git work tree with `git ls-files` (same result, faster)


class Entry(NamedTuple):
    """One path the walk turned up. A named tuple, not a frozen dataclass: a walk makes one per
    file, and a tuple is built several times faster.

    An `unread` entry is a file drmigrate does not read, turned up only so that its bytes can be
    searched for a call; `reason` is what to report when they mention none ("" for a walked file:
    nothing; a name given on the command line is always answered).
    """

    path: str  # display path
    status: Literal["file", "skipped", "error", "unread"]
    reason: str = ""
    size: int = 0


def format_size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size} bytes"


def _gitignore_spec(lines: Sequence[str]) -> pathspec.GitIgnoreSpec:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


# A pattern that names a file or directory by its plain name ("node_modules", "dist/"): it matches
# when any component of the path is that name, which a set lookup answers.
_PLAIN_NAME = re.compile(r"[^\s*?\[\]\\!#/]+/?")


class Patterns:
    """gitignore-style patterns (the exclude settings) relative to one base directory.

    Plain names are set lookups; only the other patterns go to pathspec. With a negation (`!x`)
    anywhere, order matters, so then every pattern goes to pathspec, as before.
    """

    def __init__(self, lines: Sequence[str]) -> None:
        self.names: frozenset[str] = frozenset()  # match a file or a directory
        self.dir_names: frozenset[str] = frozenset()  # `name/`: match directories only
        rest = list(lines)
        if not any(line.lstrip().startswith("!") for line in lines):
            plain = [line for line in lines if _PLAIN_NAME.fullmatch(line)]
            self.names = frozenset(p for p in plain if not p.endswith("/"))
            self.dir_names = frozenset(p[:-1] for p in plain if p.endswith("/"))
            rest = [line for line in lines if not _PLAIN_NAME.fullmatch(line)]
        self.all_names = self.names | self.dir_names
        self.spec = _gitignore_spec(rest) if any(line.strip() for line in rest) else None

    def in_dirs(self, dir_rel: str) -> bool:
        """Whether a plain name matches a directory component of `dir_rel` ("a/b", "" for none)."""
        return bool(dir_rel) and not self.all_names.isdisjoint(dir_rel.split("/"))

    def match_name(self, name: str, is_dir: bool) -> bool:
        return name in self.all_names if is_dir else name in self.names

    def match(self, rel: str, is_dir: bool) -> bool:
        """Whether the pattern set matches `rel` (relative to the base, "/"-separated)."""
        head, _, name = rel.rpartition("/")
        if self.in_dirs(head) or self.match_name(name, is_dir):
            return True
        return self.spec is not None and self.spec.match_file(rel + ("/" if is_dir else ""))


# One ignore file that applies to a directory: the length of its base directory's absolute path
# with a trailing separator (what to cut from an absolute path), and its patterns.
Level = tuple[int, "pathspec.GitIgnoreSpec"]


class GitIgnores:
    """The ignore files of the repositories the walk enters, each parsed once.

    A directory's levels are `.git/info/exclude` and every `.gitignore` from its repository's root
    down to it, outermost first; a deeper match wins, as in git. Outside a repository none apply.
    """

    def __init__(self) -> None:
        self.specs: dict[str, pathspec.GitIgnoreSpec | None] = {}
        self.repos: dict[str, str | None] = {}
        self.levels_by_dir: dict[str, tuple[Level, ...]] = {}

    def spec(self, file: str) -> pathspec.GitIgnoreSpec | None:
        if file not in self.specs:
            try:  # a FIFO or device named .gitignore is not read (it would never end)
                lines = read_named(file, MAX_IGNORE_SIZE, "ignore file").decode("utf-8", "replace").splitlines()
            except SourceError:
                lines = []
            self.specs[file] = _gitignore_spec(lines) if lines else None
        return self.specs[file]

    def repo(self, directory: str) -> str | None:
        """The nearest directory at or above `directory` (absolute) holding a `.git`."""
        if directory not in self.repos:
            parent = os.path.dirname(directory)
            if os.path.exists(os.path.join(directory, ".git")):
                self.repos[directory] = directory
            elif parent == directory:
                self.repos[directory] = None
            else:
                self.repos[directory] = self.repo(parent)
        return self.repos[directory]

    def _level(self, base: str, file: str) -> Level | None:
        spec = self.spec(file)
        return None if spec is None else (len(os.path.join(base, "")), spec)

    def levels(self, directory: str) -> tuple[Level, ...]:
        """The levels for entries of `directory` (absolute, normalized), found by looking up."""
        found = self.levels_by_dir.get(directory)
        if found is None:
            repo = self.repo(directory)
            if repo is None:
                found = ()
            elif repo == directory:
                found = self._fresh(directory)
            else:
                found = self.levels(os.path.dirname(directory)) + self._own(directory)
            self.levels_by_dir[directory] = found
        return found

    def _fresh(self, repo: str) -> tuple[Level, ...]:
        bases = ((repo, os.path.join(repo, ".git", "info", "exclude")), (repo, os.path.join(repo, ".gitignore")))
        return tuple(level for base, file in bases if (level := self._level(base, file)) is not None)

    def _own(self, directory: str) -> tuple[Level, ...]:
        level = self._level(directory, os.path.join(directory, ".gitignore"))
        return () if level is None else (level,)

    def child_levels(self, parent: tuple[Level, ...], parent_in_repo: bool, child: str,
                     names: frozenset[str]) -> tuple[tuple[Level, ...], bool]:
        """A subdirectory's levels from its parent's and from the names in its own listing (no
        extra stat for the usual directory, with neither `.git` nor `.gitignore`); the same as
        `levels(child)` would find by looking up. Returns (levels, in a repository)."""
        if ".git" in names and os.path.exists(os.path.join(child, ".git")):
            levels, in_repo = self._fresh(child), True
        elif not parent_in_repo:
            levels, in_repo = (), False
        elif ".gitignore" in names:
            levels, in_repo = parent + self._own(child), True
        else:
            levels, in_repo = parent, True
        self.levels_by_dir[child] = levels
        return levels, in_repo

    @staticmethod
    def verdict(levels: tuple[Level, ...], absolute: str, is_dir: bool) -> bool:
        """Whether `absolute` (a path in a directory these levels apply to) is ignored."""
        suffix = "/" if is_dir else ""
        ignored: bool | None = None
        for prefix, spec in levels:  # deeper files win, as in git
            include = spec.check_file(absolute[prefix:].replace(os.sep, "/") + suffix).include
            if include is not None:
                ignored = include
        return bool(ignored)

    def ignored(self, path: str, is_dir: bool) -> bool:
        absolute = os.path.abspath(path)
        levels = self.levels(os.path.dirname(absolute))
        return bool(levels) and self.verdict(levels, absolute, is_dir)


@dataclass
class _Dir:
    """A directory being walked: what its entries share."""

    key: str  # its display path; an entry shows as os.path.join(key, name)
    absolute: str
    rel: str  # relative to the exclude base ("" for the base itself), "/"-separated
    excluded_above: bool  # a plain exclude name matches one of its own components
    in_repo: bool
    levels: tuple[Level, ...] | None = None  # the ignore files for its entries (None: not read yet)
    per_entry_rel: bool = False  # the project root is at or below it: each entry's rel is computed


class Discovery:
    """Turns the paths given on the command line into entries, in a stable order.

    `readable(name)` says which files drmigrate reads; `searched(name)`, which of the others are
    still turned up as `unread` entries (text formats, whose bytes may mention a call).
    """

    def __init__(self, settings: WalkSettings, readable: Callable[[str], bool],
                 searched: Callable[[str], bool] | None = None) -> None:
        self.settings = settings
        self.readable = readable
        self.searched = searched
        self.root = os.path.abspath(settings.root)
        self.root_prefix = os.path.join(self.root, "")
        self.excludes = Patterns([*settings.exclude, *settings.extend_exclude])
        self.includes = _gitignore_spec(settings.include) if settings.include else None
        self.gitignores = GitIgnores()
        # (device, inode) -> the name it was read under: a file reached twice is read once
        self.seen: dict[tuple[int, int], str] = {}
        self.seen_unread: set[tuple[int, int]] = set()  # the same for files only searched
        self.listed_by_git: list[str] = []  # directories git listed (the rest were walked)
        # what the walk's stat said of each file entry, by its path: what keeps answers about the
        # tree between runs (the project index, the result cache's stat index) compares it
        self.stats: dict[str, os.stat_result] = {}

    # ------------------------------------------------------------------ paths relative to the base

    def _relative_abs(self, absolute: str, top_prefix: str) -> str:
        """Exclude patterns are relative to the project root, or to the walked path outside it."""
        for base in (self.root_prefix, top_prefix):
            if absolute.startswith(base) or absolute == base[:-1]:
                return absolute[len(base):].replace(os.sep, "/")
        return absolute.replace(os.sep, "/").lstrip("/")

    def _relative(self, path: Path | str, top: Path | str) -> str:
        return self._relative_abs(os.path.abspath(path), os.path.join(os.path.abspath(top), ""))

    def _excluded_rel(self, rel: str, is_dir: bool) -> bool:
        return rel not in ("", "/") and self.excludes.match(rel, is_dir)

    def excluded(self, path: Path | str, is_dir: bool, top: Path | str) -> str:
        """Why `path` is excluded ("" when it is not)."""
        if self._excluded_rel(self._relative(path, top), is_dir):
            return "excluded by the exclude settings"
        if self.settings.respect_gitignore and self.gitignores.ignored(str(path), is_dir):
            return "excluded by .gitignore"
        return ""

    def _exclude_pattern(self, rel: str, is_dir: bool) -> str:
        """The exclude pattern that drops `rel` (which the patterns do match), for a message."""
        for pattern in (*self.settings.exclude, *self.settings.extend_exclude):
            if not pattern.lstrip().startswith("!") and Patterns([pattern]).match(rel, is_dir):
                return pattern
        return ""  # a negation made the set match where no single pattern does

    def _exclude_setting(self, pattern: str) -> tuple[str, str]:
        """(which setting holds `pattern`, how to check what it drops anyway)."""
        if pattern in self.settings.extend_exclude:
            return f"extend-exclude (`{pattern}`)", "remove it from extend-exclude to check it"
        if self.settings.exclude == DEFAULT_EXCLUDES:
            return f"the default excludes (`{pattern}`)", "pass --exclude '' to check it"
        return f"the exclude setting (`{pattern}`)", "change exclude to check it"

    def named_excluded(self, path: Path, is_dir: bool) -> str:
        """Why a path named on the command line is dropped by the excludes or .gitignore, with the
        setting that would check it ("" when it is not dropped). A named file is only dropped
        with --force-exclude; the reason of a file starts with "excluded" (a quiet skip: pre-commit
        names every changed file), a directory's does not."""
        rel = self._relative(path, path if is_dir else path.parent)
        head = "a directory excluded by" if is_dir else "excluded by"
        if self._excluded_rel(rel, is_dir):
            pattern = self._exclude_pattern(rel, is_dir)
            setting, fix = self._exclude_setting(pattern) if pattern else ("the exclude settings", "")
        elif (self.settings.respect_gitignore and not (is_dir and os.path.exists(os.path.join(path, ".git")))
              and self.gitignores.ignored(str(path), is_dir)):  # a repository's own root: its ignores only
            setting, fix = ".gitignore", "pass --no-respect-gitignore to check it"
        else:
            return ""
        forced = "" if is_dir else ", which --force-exclude applies to named files"
        return f"{head} {setting}{forced}" + (f"; {fix}" if fix else "")

    # ------------------------------------------------------------------ entry points

    def entries(self, paths: Sequence[str]) -> Iterator[Entry]:
        for given in paths:
            p = Path(given)
            if p.is_symlink():
                yield from self._explicit_link(given, p)
            elif not p.exists():
                yield Entry(given, "error", "no such file or directory; check the path")
            elif p.is_dir():
                yield from self._explicit_dir(given, p)
            else:
                yield from self._explicit_file(given, p)

    def _explicit_dir(self, given: str, p: Path) -> Iterator[Entry]:
        """A directory named on the command line: walked, unless the excludes or .gitignore drop
        it; either way, and when nothing under it is a file drmigrate reads, it is named."""
        why = self.named_excluded(p, True)
        if why:
            yield Entry(given, "skipped", why)
            return
        found = False
        for entry in self._walk(p, self._top(p), use_git=True):
            found = found or entry.status != "unread"
            yield entry
        if not found:
            yield Entry(given, "skipped", "a directory with no file drmigrate reads that the excludes and "
                                          ".gitignore leave; add a template suffix to template-extensions "
                                          "to read such files")

    def _explicit_file(self, given: str, p: Path) -> Iterator[Entry]:
        if self.settings.force_exclude:
            why = self.named_excluded(p, False)
            if why:
                yield Entry(given, "skipped", why)
                return
        if not self.readable(given):
            if self.searched is None or not self.searched(given):
                yield Entry(given, "skipped", NOT_READ)
                return
            entry = self._stat_entry(given, os.stat)
            if entry is not None and entry.status == "file":
                yield Entry(given, "unread", NOT_READ, entry.size)
            elif entry is not None and entry.reason.startswith("not a regular file"):
                yield entry
            else:
                yield Entry(given, "skipped", NOT_READ)
            return
        entry = self._stat_entry(given, os.stat)
        if entry is not None:
            yield entry

    def _explicit_link(self, given: str, p: Path) -> Iterator[Entry]:
        target = _resolve(p)
        if isinstance(target, str):
            yield Entry(given, "error", target)
        elif not target.is_relative_to(Path(self.root).resolve()):
            yield Entry(given, "skipped", f"symlink to {target}, outside the project ({self.root}); "
                                          "not followed: pass the target itself to check it")
        elif target.is_dir():
            yield from self._walk(p, self._top(p), use_git=False)
        else:
            yield from self._explicit_file(given, p)

    def _stat_entry(self, shown: str, stat_of: Callable[[str], os.stat_result]) -> Entry | None:
        try:
            st = stat_of(shown)
        except OSError as exc:
            return Entry(shown, "error", f"cannot read ({exc.strerror}); check the path")
        return self._file_entry(shown, st)

    def _file_entry(self, shown: str, st: os.stat_result) -> Entry | None:
        """The entry of a file stat'ed as `st`; None for a file already seen under another name."""
        if not stat.S_ISREG(st.st_mode):
            return Entry(shown, "skipped", "not a regular file (a FIFO, socket or device); exclude it")
        key = (st.st_dev, st.st_ino)  # cheaper than resolving the path, and exact
        first = self.seen.get(key)
        if first is not None:
            if os.path.normpath(first) == os.path.normpath(shown):
                return None  # the same name twice
            return Entry(shown, "skipped", f"the same file as {first} (a hard link), which is checked under that name")
        self.seen[key] = shown
        if st.st_size > self.settings.max_file_size:
            return Entry(shown, "skipped",
                         f"{format_size(st.st_size)}, over the max-file-size limit of "
                         f"{format_size(self.settings.max_file_size)}; raise max-file-size or exclude it")
        self.stats[shown] = st
        return Entry(shown, "file", size=st.st_size)

    def _unread_entry(self, shown: str, st: os.stat_result | None) -> Entry | None:
        """The `unread` entry of a walked file drmigrate does not read; None for one that is not a
        regular file, was seen already, or is over the size limit (its bytes are not searched:
        only the files drmigrate reads are reported for their size)."""
        if st is None:
            try:
                st = os.lstat(shown)
            except OSError:
                return None
        if not stat.S_ISREG(st.st_mode) or st.st_size > self.settings.max_file_size:
            return None
        key = (st.st_dev, st.st_ino)
        if key in self.seen or key in self.seen_unread:
            return None
        self.seen_unread.add(key)
        self.stats[shown] = st
        return Entry(shown, "unread", size=st.st_size)

    # ------------------------------------------------------------------ directories

    def _top(self, top: Path) -> _Dir:
        key = str(top)
        absolute = os.path.abspath(key)
        rel = self._relative_abs(absolute, os.path.join(absolute, ""))
        in_repo = self.settings.respect_gitignore and self.gitignores.repo(absolute) is not None
        return _Dir(key, absolute, rel, self.excludes.in_dirs(rel), in_repo,
                    per_entry_rel=self.root_prefix.startswith(os.path.join(absolute, "")))

    def _child(self, d: _Dir, name: str, top_prefix: str, levels: tuple[Level, ...] | None,
               in_repo: bool) -> _Dir:
        absolute = os.path.join(d.absolute, name)
        rel = self._child_rel(d, name, top_prefix)
        return _Dir(name if d.key == "." else os.path.join(d.key, name), absolute, rel,
                    d.excluded_above or self.excludes.in_dirs(rel), in_repo, levels,
                    d.per_entry_rel and self.root_prefix.startswith(os.path.join(absolute, "")))

    def _child_rel(self, d: _Dir, name: str, top_prefix: str) -> str:
        if d.per_entry_rel:  # the root may be this very entry: the general way
            return self._relative_abs(os.path.join(d.absolute, name), top_prefix)
        return f"{d.rel}/{name}" if d.rel else name

    def _child_excluded(self, d: _Dir, name: str, is_dir: bool, top_prefix: str) -> bool:
        """The walk's test of one entry of `d`: the exclude settings, then the ignore files."""
        if d.per_entry_rel:
            if self._excluded_rel(self._child_rel(d, name, top_prefix), is_dir):
                return True
        elif d.excluded_above or self.excludes.match_name(name, is_dir):
            return True
        elif self.excludes.spec is not None:
            rel = f"{d.rel}/{name}" if d.rel else name
            if self.excludes.spec.match_file(rel + ("/" if is_dir else "")):
                return True
        return bool(d.levels) and GitIgnores.verdict(d.levels, os.path.join(d.absolute, name), is_dir)  # type: ignore[arg-type]

    def _included(self, d: _Dir, name: str, top_prefix: str) -> bool:
        return self.includes is None or self.includes.match_file(self._child_rel(d, name, top_prefix))

    def _walk(self, top: Path, d: _Dir, *, use_git: bool) -> Iterator[Entry]:
        """The entries under directory `d` of the walk of `top`: listed by git when `d` is in a
        work tree (and git is there), else scanned here."""
        if use_git and self.settings.git and d.in_repo:
            listed = _git_list(d.absolute, self.excludes.names, self.excludes.dir_names)
            if listed is not None:
                self.listed_by_git.append(d.key)
                yield from self._git_walk(top, d, listed)
                return
        yield from self._scan(top, d)

    @staticmethod
    def _listing(key: str) -> list[os.DirEntry[str]] | Entry:
        try:
            with os.scandir(key) as it:
                return sorted(it, key=lambda e: e.name)
        except OSError as exc:
            return Entry(key, "error", f"cannot list the directory ({exc.strerror}); make it readable or exclude it")

    def _scan(self, top: Path, start: _Dir) -> Iterator[Entry]:
        """The walk in Python: depth first, names sorted, one stat per file, none per directory.

        One generator with an explicit stack: a `yield from` per directory level would pass every
        entry up through each level above it.
        """
        top_prefix = os.path.join(os.path.abspath(top), "")
        if start.levels is None:
            start.levels = self.gitignores.levels(start.absolute) if self.settings.respect_gitignore else ()
        listing = self._listing(start.key)
        if isinstance(listing, Entry):
            yield listing
            return
        respect = self.settings.respect_gitignore
        readable, searched, excluded, included = self.readable, self.searched, self._child_excluded, self._included
        stack = [(start, iter(listing))]
        while stack:
            d, children = stack[-1]
            for child in children:
                name = child.name
                if child.is_symlink():
                    yield from self._walked_link(os.path.join(d.key, name), Path(d.key, name), top)
                elif child.is_dir(follow_symlinks=False):
                    if name == CACHE_DIR_NAME or excluded(d, name, True, top_prefix):
                        continue
                    sub = self._listing(name if d.key == "." else os.path.join(d.key, name))
                    if isinstance(sub, Entry):
                        yield sub
                        continue
                    levels, in_repo = d.levels, d.in_repo
                    if respect:
                        names = frozenset(e.name for e in sub if e.name in (".git", ".gitignore"))
                        levels, in_repo = self.gitignores.child_levels(
                            d.levels or (), d.in_repo, os.path.join(d.absolute, name), names)
                    stack.append((self._child(d, name, top_prefix, levels, in_repo), iter(sub)))
                    break
                else:
                    read = readable(name)
                    if ((read or (searched is not None and searched(name)))
                            and not excluded(d, name, False, top_prefix) and included(d, name, top_prefix)):
                        path = os.path.join(d.key, name)
                        # os.lstat: the same as DirEntry.stat here
                        entry = self._stat_entry(path, os.lstat) if read else self._unread_entry(path, None)
                        if entry is not None:
                            yield entry
            else:
                stack.pop()

    def _git_walk(self, top: Path, base: _Dir, listed: list[str]) -> Iterator[Entry]:
        """The walk's entries under `base`, from git's list of its files (paths relative to it).

        git has applied the ignore files, so only the exclude settings are checked here, per
        directory once; each file is stat'ed once, as in the walk. A directory in the list is a
        submodule or a nested repository, which git does not list into: it is walked in turn.
        """
        top_prefix = os.path.join(os.path.abspath(top), "")
        base.levels = ()
        dirs: dict[str, _Dir | None] = {"": base}  # None: excluded, the walk would not enter it
        readable, searched, excluded = self.readable, self.searched, self._child_excluded

        links: list[tuple[str, Path]] = []  # listed directories that are symlinks now

        def directory(rel_dir: str) -> _Dir | None:
            if rel_dir not in dirs:
                parent_rel, _, name = rel_dir.rpartition("/")
                parent = directory(parent_rel)
                if parent is None or name == CACHE_DIR_NAME or excluded(parent, name, True, top_prefix):
                    dirs[rel_dir] = None
                elif not self._real_directory(os.path.join(parent.key, name)):
                    # the index lists files under it, but the work tree has a symlink (or a file)
                    # there now: its files would be read and written through the link
                    dirs[rel_dir] = None
                    links.append((os.path.join(parent.key, name), Path(parent.key, name)))
                else:
                    dirs[rel_dir] = self._child(parent, name, top_prefix, (), True)
            return dirs[rel_dir]

        for rel in sorted(listed, key=lambda p: p.split("/")):
            rel_dir, _, name = rel.rpartition("/")
            d = directory(rel_dir)
            while links:
                yield from self._walked_link(*links.pop(0), top, listed_dir=True)
            if d is None:
                continue
            shown = os.path.join(d.key, name)
            try:
                st = os.lstat(shown)
            except FileNotFoundError:
                continue  # in the index but deleted from the work tree: the walk would not see it
            except OSError as exc:
                yield Entry(shown, "error", f"cannot read ({exc.strerror}); check the path")
                continue
            if stat.S_ISLNK(st.st_mode):
                yield from self._walked_link(shown, Path(d.key, name), top)
            elif stat.S_ISDIR(st.st_mode):
                if name == CACHE_DIR_NAME or excluded(d, name, True, top_prefix):
                    continue
                absolute = os.path.join(d.absolute, name)
                own_repo = os.path.exists(os.path.join(absolute, ".git"))
                levels = self.gitignores.levels(absolute) if self.settings.respect_gitignore else ()
                sub = self._child(d, name, top_prefix, levels, True)
                # an uninitialised submodule (no .git of its own) would make git list the outer
                # repository's files: walk it here
                yield from self._walk(top, sub, use_git=own_repo)
            else:
                read = readable(name)
                if ((read or (searched is not None and searched(name)))
                        and not excluded(d, name, False, top_prefix) and self._included(d, name, top_prefix)):
                    entry = self._file_entry(shown, st) if read else self._unread_entry(shown, st)
                    if entry is not None:
                        yield entry

    @staticmethod
    def _real_directory(shown: str) -> bool:
        try:
            return stat.S_ISDIR(os.lstat(shown).st_mode)
        except OSError:
            return False

    def _walked_link(self, shown: str, path: Path, top: Path, *, listed_dir: bool = False) -> Iterator[Entry]:
        if listed_dir and not path.is_symlink():  # a file or nothing where git has a directory
            return
        target = _resolve(path)
        if isinstance(target, str):
            if listed_dir or (self.readable(path.name) and not self.excluded(path, False, top)):
                yield Entry(shown, "skipped", target)
            return
        is_dir = target.is_dir()
        if listed_dir and is_dir:  # git lists files under it: say so, it is never entered
            yield Entry(shown, "skipped", f"symlink to the directory {target} where git has a directory of "
                                          "files; not followed: pass the target itself to check it")
            return
        if (not is_dir and not self.readable(path.name)) or self.excluded(path, is_dir, top):
            return
        if is_dir:
            yield Entry(shown, "skipped", f"symlink to the directory {target}; not followed: "
                                          "pass the target itself to check it")
        elif target.is_relative_to(top.resolve()):
            yield Entry(shown, "skipped", "symlink to a file in the same tree, which is checked itself")
        else:
            yield Entry(shown, "skipped", f"symlink to {target}, outside the tree; not followed: "
                                          "pass the target itself to check it")


def _git_list(directory: str, names: frozenset[str], dir_names: frozenset[str]) -> list[str] | None:
    """The files under `directory` that git does not ignore, relative to it; None when git cannot
    say (not installed, not a work tree, a warning such as an unreadable directory).

    `--cached --others --exclude-standard` lists tracked and untracked files that the ignore files
    do not exclude; tracked files that an ignore file matches are listed too (git never ignores a
    tracked file) but the walk skips them, so the second command's list of those is taken away.
    The user's global excludes file and case folding are turned off: the walk reads neither.
    Untracked directories named like an exclude setting are not even entered (`-x`).
    """
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    base = ["git", "-C", directory, "-c", "core.excludesFile=", "-c", "core.ignoreCase=false",
            "-c", "core.quotePath=false", "ls-files", "-z", "--exclude-standard"]
    prune = [f"--exclude={n}" for n in sorted(names)] + [f"--exclude={n}/" for n in sorted(dir_names)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "stdin": subprocess.DEVNULL, "env": env}
    try:
        listed = subprocess.Popen([*base, "--cached", "--others", *prune], **pipes)  # type: ignore[call-overload]
    except OSError:  # git is not installed
        return None
    try:  # both at once: the second runs while the first does
        ignored = subprocess.Popen([*base, "--cached", "--ignored"], **pipes)  # type: ignore[call-overload]
    except OSError:  # pragma: no cover - git vanished between the two
        listed.communicate()
        return None
    try:
        # git opens every .gitignore, and open() waits forever on a FIFO planted as one: past
        # GIT_TIMEOUT the walk lists the files instead (it reads only regular ignore files)
        out, err = listed.communicate(timeout=GIT_TIMEOUT)
        ign_out, ign_err = ignored.communicate(timeout=GIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        for process in (listed, ignored):
            process.kill()
            process.communicate()
        return None
    if listed.returncode or ignored.returncode or err or ign_err:
        return None
    try:
        files = set(out.decode("utf-8").split("\0"))
        files.difference_update(ign_out.decode("utf-8").split("\0"))
    except UnicodeDecodeError:  # a name that is not UTF-8: the walk reports it as the OS gives it
        return None
    files.discard("")
    return [f.rstrip("/") for f in files]


def _resolve(path: Path) -> Path | str:
    """The target of a symlink, or why it has none."""
    try:
        return path.resolve(strict=True)
    except RuntimeError:
        return "symlink loop; fix or remove the link"
    except FileNotFoundError:
        return "broken symlink (its target does not exist); fix or remove the link"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop; fix or remove the link"
        return f"cannot follow the symlink ({exc.strerror}); fix or remove the link"


# Where compilers put their output, and the suffixes of the sources they compile.
BUILD_DIRS = frozenset({"lib", "dist", "build", "es", "esm", "cjs", "umd", "out", "compiled", "target"})
SOURCE_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".jsx", ".mjs", ".js", ".es6")
MAX_SOURCES_SHOWN = 3


def sources_beside(path: str, text: str) -> list[str]:
    """The source files a build-output file was made from, as far as the disk shows: those its
    source map names (that exist), else a file of the same name with a source suffix beside it or
    in the `src/` directory that stands where a build directory (`lib/`, `dist/`, ...) stands."""
    from drmigrate.frontends.bundles import inline_map_sources, map_sources, source_map_url

    directory = os.path.dirname(path)
    url = source_map_url(text)
    if url is not None:
        named = inline_map_sources(url)
        base = directory
        if named is None and "://" not in url:
            map_path = os.path.normpath(os.path.join(directory, url.split("?", 1)[0]))
            try:
                # the name comes from the file: only a regular file of sane size is read
                named = map_sources(read_named(map_path, MAX_MAP_SIZE, "source map").decode("utf-8", "replace"))
            except SourceError:
                named = []
            base = os.path.dirname(map_path)
        found = []
        for source in named or []:
            local = re.sub(r"^[a-z][\w+.-]*://[^/]*/?", "", source)  # webpack:///./src/a.ts -> ./src/a.ts
            candidate = os.path.normpath(os.path.join(base, local))
            if os.path.isfile(candidate) and candidate != os.path.normpath(path):
                found.append(candidate)
        if found:
            return _shown(list(dict.fromkeys(found)))
    stem, own = os.path.splitext(os.path.basename(path))
    places = [directory]
    parts = directory.replace(os.sep, "/").split("/")
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] in BUILD_DIRS:
            places.append("/".join([*parts[:index], "src", *parts[index + 1:]]))
            break
    twins = [os.path.join(place, stem + suffix) for place in places for suffix in SOURCE_SUFFIXES
             if not (place == directory and suffix == own)]
    return _shown([t for t in twins if os.path.isfile(t)])


def _shown(paths: list[str]) -> list[str]:
    if len(paths) <= MAX_SOURCES_SHOWN:
        return paths
    return [*paths[:MAX_SOURCES_SHOWN], f"and {len(paths) - MAX_SOURCES_SHOWN} more"]


def decode(raw: bytes, path: str) -> Source:
    if raw.startswith(UTF32_BOMS):
        raise SourceError(f"{path}: UTF-32 encoded; re-save it as UTF-8 or exclude it")
    for prefix, encoding in UTF16_BOMS.items():
        if raw.startswith(prefix):
            try:
                return Source(path, raw[2:].decode(encoding), True, raw, encoding)
            except UnicodeDecodeError as exc:
                raise SourceError(f"{path}: has a UTF-16 BOM but is not valid UTF-16 (byte {exc.start + 2}); "
                                  "re-save it as UTF-8 or exclude it") from None
    if b"\x00" in raw[:8192]:
        raise SourceError(f"{path}: looks like a binary file (NUL bytes); exclude it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{path}: not valid UTF-8 (byte {exc.start}); re-save it as UTF-8 or exclude it"
        ) from None
    bom = text.startswith(BOM)
    return Source(path, text[1:] if bom else text, bom, raw)


def read_source(path: str) -> Source:
    return decode(read_bytes(path), path)


def read_bytes(path: str, size: int = -1) -> bytes:
    """The bytes of `path`. `size` (from the walk's stat) lets one read call do: a regular file
    returns fewer bytes than asked only at its end."""
    try:
        # without waiting: a file the walk saw as regular may be a FIFO by now (read: nothing)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            want = size + 1 if size >= 0 else 1 << 16
            data = os.read(fd, want)
            if len(data) == want:  # bigger than the stat said (or no size given): read to the end
                chunks = [data]
                while chunk := os.read(fd, 1 << 20):
                    chunks.append(chunk)
                data = b"".join(chunks)
            return data
        finally:
            os.close(fd)
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, not a file; pass the directory to scan it") from None
    except PermissionError:
        raise SourceError(f"{path}: permission denied; make it readable or exclude it") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror}); check the path") from None
def identity(path: str) -> Identity | None:
    """What `write_source` re-checks before replacing the file at `path`: the file and the
    directory it is in (None when either cannot be stat'ed: the write then says why)."""
    try:
        st = os.stat(path)
        directory = os.stat(os.path.dirname(os.path.realpath(path)))
    except OSError:
        return None
    return Identity((st.st_dev, st.st_ino), (directory.st_dev, directory.st_ino))


class Identity(NamedTuple):
    """A file and its directory as (device, inode): the same names may come to mean other
    files (a directory swapped for a symlink, a file saved over) while drmigrate runs."""

    file: tuple[int, int]
    directory: tuple[int, int]


def write_source(source: Source, new_text: str, *, known: Identity | None = None) -> None:
    """Replace the file `source` was read from with `new_text`, whole or not at all.

    The file is written only if it is still the file that was read: the same directory and file
    (`known`, from `identity()` when it was read), a regular file with one link and the same
    bytes. It is checked when the write starts and again once the new text is written and synced
    beside it, just before the rename; the rename happens in the directory that was checked (by
    its descriptor), so a directory swapped for a symlink meanwhile is never written through.
    The file keeps its mode and owner (a root run changes no owner); a file with other hard
    links is refused (a rename would leave the other names with the old text), as is a
    read-only one (read-only is the owner's decision, even for root).

    A named symlink (discovery lets only links inside the project through) is written through to
    its target, so the link stays a link. Every failure, a full disk included, is a SourceError
    ("nothing written"), and no temporary file is left behind.
    """
    path = Path(source.path)
    try:
        data = source.encode(new_text)
    except UnicodeEncodeError:
        raise SourceError(f"{source.path}: the fixed text cannot be encoded as {source.encoding} (a lone "
                          "surrogate in a --session-id?); nothing written") from None
    target = str(path.resolve()) if path.is_symlink() else os.path.abspath(source.path)
    directory, name = os.path.split(target)
    try:
        dfd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise SourceError(f"{source.path}: cannot open its directory ({exc.strerror}); nothing written") from None
    tmp = ""
    try:
        st = _still_the_same(source, dfd, name, known)
        if not stat.S_IMODE(st.st_mode) & 0o222 or not os.access(name, os.W_OK, dir_fd=dfd):
            raise SourceError(f"{source.path}: file is read-only; make it writable to fix it (nothing written)")
        tmp = f".{name}.{os.getpid()}.{os.urandom(4).hex()}.drmigrate"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_CLOEXEC", 0), 0o600, dir_fd=dfd)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            mine = os.fstat(fh.fileno())
            if (mine.st_uid, mine.st_gid) != (st.st_uid, st.st_gid):
                try:
                    os.fchown(fh.fileno(), st.st_uid, st.st_gid)
                except PermissionError:
                    raise SourceError(
                        f"{source.path}: owned by another user (uid {st.st_uid}, gid {st.st_gid}); rewriting it "
                        "would change its owner: fix it as its owner (nothing written)") from None
            os.fchmod(fh.fileno(), stat.S_IMODE(st.st_mode))
        # a save that landed meanwhile wins: checked again after the new text is safe on disk
        again = _still_the_same(source, dfd, name, known)
        if (again.st_ino, again.st_mtime_ns, again.st_size) != (st.st_ino, st.st_mtime_ns, st.st_size):
            raise SourceError(f"{source.path}: changed on disk while drmigrate ran; nothing written, run again")
        os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        tmp = ""
        try:
            os.fsync(dfd)  # the rename itself outlives a crash
        except OSError:  # pragma: no cover - some file systems do not sync directories
            pass
    except OSError as exc:
        raise SourceError(f"{source.path}: cannot write ({exc.strerror}); nothing written") from None
    finally:
        if tmp:
            try:
                os.unlink(tmp, dir_fd=dfd)
            except OSError:
                pass
        os.close(dfd)


def _still_the_same(source: Source, dfd: int, name: str, known: Identity | None) -> os.stat_result:
    """The stat of `name` in the directory `dfd`, when it is still the file `source` was read
    from; else a SourceError saying what changed."""
    if known is not None:
        directory = os.fstat(dfd)
        if (directory.st_dev, directory.st_ino) != known.directory:
            raise SourceError(f"{source.path}: its directory was replaced (by a symlink?) while drmigrate ran; "
                              "nothing written")
    try:
        st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        raise SourceError(f"{source.path}: removed while drmigrate ran; nothing written") from None
    if not stat.S_ISREG(st.st_mode):
        raise SourceError(f"{source.path}: no longer a regular file (a symlink?); nothing written")
    if known is not None and (st.st_dev, st.st_ino) != known.file:
        raise SourceError(f"{source.path}: changed on disk while drmigrate ran; nothing written, run again")
    if st.st_nlink > 1:
        raise SourceError(f"{source.path}: has {st.st_nlink} hard links, and a fix replaces the file, which would "
                          "leave the other names with the old text; fix it by hand or break the link (cp) first")
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), dir_fd=dfd)
    except OSError as exc:
        raise SourceError(f"{source.path}: cannot re-read before writing ({exc.strerror}); nothing written") from None
    with os.fdopen(fd, "rb") as fh:
        current = fh.read()
    if current != source.raw:
        raise SourceError(f"{source.path}: changed on disk while drmigrate ran; nothing written, run again")
    return st


# --------------------------------------------------------------------------- files named by the user

def read_named(path: str, limit: int, what: str, *, missing: str = "") -> bytes:
    """The bytes of a file named on the command line or in the configuration (a report, a
    baseline, a rule table), as one line on any failure (`SourceError`).

    Only a regular file is read: a FIFO would wait for a writer that never comes and a device
    such as /dev/zero never ends, so the file is opened without waiting (O_NONBLOCK), checked
    with fstat, and read up to `limit` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise SourceError(f"{path}: {missing or f'no such {what}; check the path'}") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the {what} ({exc.strerror}); check the path") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a FIFO, socket or device)"
            raise SourceError(f"{path}: {kind}, not a {what} file; name the file itself")
        if st.st_size > limit:
            raise SourceError(f"{path}: {format_size(st.st_size)}, over the limit of {format_size(limit)} "
                              f"for a {what}; check that it is one")
        chunks = []
        size = 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # grew while being read
                raise SourceError(f"{path}: over the limit of {format_size(limit)} for a {what}; "
                                  "check that it is one")
        return b"".join(chunks)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the {what} ({exc.strerror}); check the path") from None
    finally:
        os.close(fd)


def write_named(path: str, data: bytes | Iterable[bytes], what: str) -> None:
    """Write a report or baseline named on the command line, whole or not at all.

    A regular file (or a new one) is replaced atomically: a temporary file beside it is written,
    synced and renamed over it, so a full disk or a killed run leaves the old file as it was. A
    symlink is never written through (a repository can commit `report.json -> ~/.bashrc`),
    except to a terminal, pipe or other device, such as /dev/stdout, where nothing is replaced."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise SourceError(f"{path}: cannot write the {what} ({exc.strerror}); nothing written") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        target_mode = _target_mode(path) if stat.S_ISLNK(st.st_mode) else st.st_mode
        if target_mode is not None and (stat.S_ISCHR(target_mode) or stat.S_ISFIFO(target_mode)):
            _write_stream(path, data, what)
            return
        kind = "a symlink; drmigrate never writes through one" if stat.S_ISLNK(st.st_mode) else "not a regular file"
        raise SourceError(f"{path}: {kind}: remove it or name another file for the {what} (nothing written)")
    directory = os.path.dirname(os.path.abspath(path))
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".drmigrate", dir=directory)
    except OSError as exc:
        raise SourceError(f"{path}: cannot write the {what} ({exc.strerror}); nothing written") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in [data] if isinstance(data, bytes) else data:
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        if st is not None:
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
        else:  # mkstemp makes 0600; a new report gets the mode any new file gets
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        _unlink(tmp)
        raise SourceError(f"{path}: cannot write the {what} ({exc.strerror}); nothing written") from None
    except BaseException:
        _unlink(tmp)
        raise


def _target_mode(path: str) -> int | None:
    try:
        return os.stat(path).st_mode
    except OSError:
        return None


def _write_stream(path: str, data: bytes | Iterable[bytes], what: str) -> None:
    try:
        with open(path, "wb") as fh:
            fh.writelines([data] if isinstance(data, bytes) else data)
    except OSError as exc:
        raise SourceError(f"{path}: cannot write the {what} ({exc.strerror})") from None


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
