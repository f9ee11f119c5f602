"""Discovery and file access: which files to look at, reading them as text, writing them back safely.

With the CLI, the only module that touches the disk. Which file names are read is the runner's
decision (`runner.front_end_for`), passed in as `readable`; discovery only walks. A walk respects
`.gitignore` files (nested ones and `.git/info/exclude`, through `pathspec`), the default and
configured excludes, and never follows a symlink: a linked file or directory is reported as skipped,
a loop too. Every path ends as an `Entry`: a file to read, skipped (reason) or error (reason).

Files are read as bytes and decoded here (a text-mode open would turn CRLF into LF silently); the
BOM and encoding (UTF-8, or UTF-16 with a BOM) are remembered and written back. Writes are atomic:
a temporary file in the same directory replaces the original, keeping its mode; a file that changed
on disk since it was read, or that is read-only, is not overwritten.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pathspec

BOM = "\ufeff"
DEFAULT_EXCLUDES: tuple[str, ...] = (
    "node_modules", "vendor", "bower_components", "dist", "build", ".git", "coverage",
    ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox",
)
DEFAULT_MAX_FILE_SIZE = 5_000_000  # bytes; esprima reads ~0.4 MB/s, a bigger file is a bundle
# Skip reasons that a normal report does not repeat line by line (`--show-files` lists them).
QUIET_SKIPS = ("excluded", "not a file type drmigrate reads")
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


@dataclass(frozen=True)
class Entry:
    path: str  # display path
    status: Literal["file", "skipped", "error"]
    reason: str = ""
    size: int = 0


def format_size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size} bytes"


class _GitIgnores:
    """The .gitignore files of the repositories the walk enters, parsed once per directory."""

    def __init__(self) -> None:
        self.specs: dict[Path, pathspec.GitIgnoreSpec | None] = {}
        self.repos: dict[Path, Path | None] = {}
        self.levels: dict[str, list[tuple[int, pathspec.GitIgnoreSpec]]] = {}

    def _spec(self, file: Path) -> pathspec.GitIgnoreSpec | None:
        if file not in self.specs:
            try:
                lines = file.read_text("utf-8", errors="replace").splitlines()
            except OSError:
                lines = []
            self.specs[file] = pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
        return self.specs[file]

    def _repo(self, directory: Path) -> Path | None:
        if directory not in self.repos:
            if (directory / ".git").exists():
                self.repos[directory] = directory
            elif directory.parent == directory:
                self.repos[directory] = None
            else:
                self.repos[directory] = self._repo(directory.parent)
        return self.repos[directory]

    def _levels(self, directory: str) -> list[tuple[int, pathspec.GitIgnoreSpec]]:
        """For files in `directory`: (length of the base prefix, spec) of every ignore file that
        applies, outermost first. Computed once per directory: the walk asks for every file."""
        levels = self.levels.get(directory)
        if levels is None:
            repo = self._repo(Path(directory))
            levels = []
            if repo is not None:
                bases = [(repo, repo / ".git" / "info" / "exclude")]
                rel_dirs = Path(directory).relative_to(repo).parts
                for depth in range(len(rel_dirs) + 1):
                    base = repo.joinpath(*rel_dirs[:depth])
                    bases.append((base, base / ".gitignore"))
                for base, file in bases:
                    spec = self._spec(file)
                    if spec is not None:
                        levels.append((len(os.path.join(str(base), "")), spec))
            self.levels[directory] = levels
        return levels

    def ignored(self, path: Path, is_dir: bool) -> bool:
        absolute = os.path.abspath(path)
        levels = self._levels(os.path.dirname(absolute))
        if not levels:
            return False
        suffix = "/" if is_dir else ""
        verdict: bool | None = None
        for prefix, spec in levels:  # deeper files win, as in git
            rel = absolute[prefix:].replace(os.sep, "/") + suffix
            result = spec.check_file(rel)
            if result.include is not None:
                verdict = result.include
        return bool(verdict)


class Discovery:
    """Turns the paths given on the command line into entries, in a stable order."""

    def __init__(self, settings: WalkSettings, readable: Callable[[str], bool]) -> None:
        self.settings = settings
        self.readable = readable
        self.root = settings.root.absolute()
        self.root_prefix = os.path.join(str(self.root), "")
        self.excludes = pathspec.GitIgnoreSpec.from_lines(
            [*settings.exclude, *settings.extend_exclude])
        self.includes = pathspec.GitIgnoreSpec.from_lines(settings.include) if settings.include else None
        self.gitignores = _GitIgnores()
        self.seen: set[tuple[int, int]] = set()  # (device, inode): a file reached twice is read once

    def _relative(self, path: Path, top: Path) -> str:
        absolute = os.path.abspath(path)
        for base in (self.root_prefix, os.path.join(os.path.abspath(top), "")):
            if absolute.startswith(base) or absolute == base[:-1]:
                return absolute[len(base):].replace(os.sep, "/")
        return absolute.replace(os.sep, "/").lstrip("/")

    def excluded(self, path: Path, is_dir: bool, top: Path) -> str:
        """Why `path` is excluded ("" when it is not)."""
        rel = self._relative(path, top) + ("/" if is_dir else "")
        if rel not in ("", "/") and self.excludes.match_file(rel):
            return "excluded by the exclude settings"
        if self.settings.respect_gitignore and self.gitignores.ignored(path, is_dir):
            return "excluded by .gitignore"
        return ""

    def entries(self, paths: Sequence[str]) -> Iterator[Entry]:
        for given in paths:
            p = Path(given)
            if p.is_symlink():
                yield from self._explicit_link(given, p)
            elif not p.exists():
                yield Entry(given, "error", "no such file or directory; check the path")
            elif p.is_dir():
                yield from self._walk(p, p)
            else:
                yield from self._explicit_file(given, p)

    def _explicit_file(self, given: str, p: Path) -> Iterator[Entry]:
        if self.settings.force_exclude:
            why = self.excluded(p, False, p.parent)
            if why:
                yield Entry(given, "skipped", why)
                return
        if not self.readable(given):
            yield Entry(given, "skipped", "not a file type drmigrate reads")
            return
        yield from self._file(given, p)

    def _explicit_link(self, given: str, p: Path) -> Iterator[Entry]:
        target = _resolve(p)
        if isinstance(target, str):
            yield Entry(given, "error", target)
        elif not target.is_relative_to(self.root.resolve()):
            yield Entry(given, "skipped", f"symlink to {target}, outside the project ({self.root}); "
                                          "not followed: pass the target itself to check it")
        elif target.is_dir():
            yield from self._walk(p, p)
        else:
            yield from self._explicit_file(given, p)

    def _file(self, shown: str, p: Path) -> Iterator[Entry]:
        try:
            st = p.stat()
        except OSError as exc:
            yield Entry(shown, "error", f"cannot read ({exc.strerror}); check the path")
            return
        if not stat.S_ISREG(st.st_mode):
            yield Entry(shown, "skipped", "not a regular file (a FIFO, socket or device); exclude it")
            return
        key = (st.st_dev, st.st_ino)  # cheaper than resolving the path, and exact
        if key in self.seen:
            return
        self.seen.add(key)
        if st.st_size > self.settings.max_file_size:
            yield Entry(shown, "skipped",
                        f"{format_size(st.st_size)}, over the max-file-size limit of "
                        f"{format_size(self.settings.max_file_size)}; raise max-file-size or exclude it")
            return
        yield Entry(shown, "file", size=st.st_size)

    def _walk(self, directory: Path, top: Path) -> Iterator[Entry]:
        try:
            with os.scandir(directory) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Entry(str(directory), "error",
                        f"cannot list the directory ({exc.strerror}); make it readable or exclude it")
            return
        for child in children:
            path = Path(directory, child.name)
            shown = os.path.join(directory, child.name)
            if child.is_symlink():
                yield from self._walked_link(shown, path, top)
            elif child.is_dir(follow_symlinks=False):
                if not self.excluded(path, True, top):
                    yield from self._walk(path, top)
            elif self.readable(child.name) and not self.excluded(path, False, top):
                if self.includes is not None and not self.includes.match_file(self._relative(path, top)):
                    continue
                yield from self._file(shown, path)

    def _walked_link(self, shown: str, path: Path, top: Path) -> Iterator[Entry]:
        target = _resolve(path)
        if isinstance(target, str):
            if self.readable(path.name) and not self.excluded(path, False, top):
                yield Entry(shown, "skipped", target)
            return
        is_dir = target.is_dir()
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


def read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, not a file; pass the directory to scan it") from None
    except PermissionError:
        raise SourceError(f"{path}: permission denied; make it readable or exclude it") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror}); check the path") from None


def write_source(source: Source, new_text: str) -> None:
    """Atomically replace `source.path` with `new_text`, unless the file changed since it was read.

    A symlink is written through to its target (discovery only lets links inside the project
    through), so the link stays a link; the target keeps its mode. A read-only file is refused even
    when the process could override it (root): read-only is the owner's decision.
    """
    path = Path(source.path)
    data = source.encode(new_text)
    target = path.resolve() if path.is_symlink() else path
    try:
        current = target.read_bytes()
    except OSError as exc:
        raise SourceError(f"{source.path}: cannot re-read before writing ({exc.strerror}); nothing written") from None
    if current != source.raw:
        raise SourceError(f"{source.path}: changed on disk while drmigrate ran; nothing written, run again")
    mode = stat.S_IMODE(target.stat().st_mode)
    if not mode & 0o222 or not os.access(target, os.W_OK):
        raise SourceError(f"{source.path}: file is read-only; make it writable to fix it (nothing written)")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".drmigrate", dir=target.parent)
    except OSError as exc:
        raise SourceError(f"{source.path}: cannot create a file beside it ({exc.strerror}); "
                          "make the directory writable (nothing written)") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
