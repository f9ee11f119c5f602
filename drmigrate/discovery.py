"""Discovery and file access: which files to look at, reading them as text, writing them back safely.

With the CLI, the only module that touches the disk. Files are read as bytes and decoded here (a
text-mode open would turn CRLF into LF silently); a UTF-8 BOM is remembered and written back.
Writes are atomic: a temporary file in the same directory replaces the original, keeping its mode,
and a file that changed on disk since it was read is not overwritten.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

BOM = "\ufeff"
DEFAULT_EXCLUDES = frozenset(
    {"node_modules", "vendor", "bower_components", "dist", "build", ".git", "coverage", ".hg", ".svn",
     "__pycache__", ".venv", "venv", ".tox"}
)


class SourceError(Exception):
    """A file cannot be read or written; the message is one line ending with what to do."""


@dataclass(frozen=True)
class Source:
    path: str  # as shown to the user
    text: str  # decoded, without the BOM
    bom: bool
    raw: bytes


def iter_files(paths: Sequence[str], suffixes: frozenset[str]) -> Iterator[tuple[str, str | None]]:
    """Yield (display path, problem) for every file under `paths`; problem is None when readable.

    Explicitly named files are always yielded; directories are walked without following symlinks
    and without entering the default excluded directories.
    """
    for given in paths:
        p = Path(given)
        if not p.exists() and not p.is_symlink():
            yield given, "no such file or directory; check the path"
            continue
        if p.is_dir():
            yield from _walk(p, suffixes)
        else:
            yield given, None


def _walk(root: Path, suffixes: frozenset[str]) -> Iterator[tuple[str, str | None]]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in DEFAULT_EXCLUDES)
        for name in sorted(filenames):
            if Path(name).suffix.lower() in suffixes:
                yield os.path.join(dirpath, name), None


def decode(raw: bytes, path: str) -> Source:
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
    try:
        raw = Path(path).read_bytes()
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, not a file; pass the directory to scan it") from None
    except PermissionError:
        raise SourceError(f"{path}: permission denied; make it readable or exclude it") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror}); check the path") from None
    return decode(raw, path)


def write_source(source: Source, new_text: str) -> None:
    """Atomically replace `source.path` with `new_text`, unless the file changed since it was read."""
    path = Path(source.path)
    data = ((BOM if source.bom else "") + new_text).encode("utf-8")
    target = path.resolve() if path.is_symlink() else path
    try:
        current = target.read_bytes()
    except OSError as exc:
        raise SourceError(f"{source.path}: cannot re-read before writing ({exc.strerror}); nothing written") from None
    if current != source.raw:
        raise SourceError(f"{source.path}: changed on disk while drmigrate ran; nothing written, run again")
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        if not os.access(target, os.W_OK):
            raise SourceError(f"{source.path}: file is read-only; make it writable to fix it")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".drmigrate", dir=target.parent)
    except PermissionError:
        raise SourceError(f"{source.path}: directory is not writable; nothing written") from None
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
