"""The result cache: a file's check result, kept under `.drmigrate_cache/` and found by its content.

A second run over an unchanged tree (pre-commit, CI with a restored cache, an editor) then parses
nothing: every candidate file's result comes from here. Like ruff's and ESLint's caches it is on
by default; `--no-cache` turns it off, `--cache-dir DIR` moves it.

What a result depends on is all in its key (`Cache.key`, the one place it is computed), so an
entry can never be stale:

- the file's bytes and its path (findings name the path; per-file ignores depend on it);
- the drmigrate that ran: its version and a digest of its own source and data files, so a
  developer running from a checkout never gets results of the code before an edit;
- the rule table's contents, and every resolved setting that changes a result (session ids,
  select / ignore with the per-file ignores applied, unsafe fixes, receiver names, template
  extensions, include-minified), and the mode of the run;
- `inputs`: the bytes of anything else the result was computed from (other files, once the
  analysis reads them), each named; a caller adds them there and nowhere else.

The cache directory is part of the tree, so it is the attacker's as much as the files are: a
repository can commit one. So nothing in an entry is trusted:

- a check result (findings, payload sites) is read against a shape, its spans must lie in the
  file's text and name codes of this run's rule table, and its lines and columns are computed
  again from the text; anything else makes it a miss;
- a run that shows fixes without writing them (`--diff`, JSON, SARIF, HTML) keeps no fixed text:
  the entry holds the changed line ranges, applied to the file's own text on a hit, and is signed
  (HMAC-SHA256) with a key that lives outside the tree (`DRMIGRATE_CACHE_KEY`, else a random key
  in the user's cache directory, made on first use); an entry without a valid signature is a
  miss, so a hand-edited one can never put code into a diff;
- `fix` never reads the cache: no write ever depends on it.

The directory is never followed through a symlink: a cache directory, entry directory or marker
file that is a link is not used (one warning), entries are created without following links, and
read without following them. An entry is written atomically (a temporary file renamed over it).
A cache directory that cannot be created or written costs one warning, never the run.

It stays small: an entry names its file, and a file keeps its two newest entries per mode (older
ones are of its earlier contents or settings); once a day, a run that wrote entries also drops
those of files that no longer exist, entries of older cache formats and, past `MAX_BYTES`, the
oldest entries.

The directory is `.drmigrate_cache/` in the project root: the directory of the configuration
file when one was found, else the root of the git work tree holding the first path, else the
current directory. It holds a `.gitignore` (`*`) and a `CACHEDIR.TAG`, and the walk never enters it.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import os
import re
import stat
import sys
import time
from collections.abc import Sequence
from dataclasses import MISSING, asdict, fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from drmigrate import untrusted
from drmigrate.discovery import CACHE_DIR_NAME
from drmigrate.model import FileResult, Finding, Hop, SiteOutcome, Step
from drmigrate.runner import Config, locate
from drmigrate.untrusted import List, Obj

FORMAT = 4  # bump when the entry layout changes
ENTRIES = f"v{FORMAT}"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by drmigrate.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
MAX_BYTES = 128 << 20  # past this, a sweep drops the oldest entries (down to three quarters of it)
SWEEP_EVERY = 24 * 3600  # seconds between sweeps (a run that writes entries checks)
KEEP_PER_FILE = 2  # newest entries kept per file and mode
KEY_ENV = "DRMIGRATE_CACHE_KEY"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_STATUSES = ("clean", "findings", "skipped", "error")
_ENTRY_NAME = re.compile(r"[0-9a-f]{16}-[a-z]+-[0-9a-f]{40}\.json")

_FINDING = Obj({
    "code": str, "name": str, "message": str, "span": List(int, 2), "source_type": (str, None),
    "fix": str, "confidence": str, "fix_applicable": bool, "fix_title": str, "suggestion": str,
}, required=frozenset({"code", "name", "message", "span", "fix"}))
_SITE = Obj({"source_type": (str, None), "state": str, "call": str, "span": List(int, 2)},
            required=frozenset({"state"}))
_RESULT = Obj({
    "status": str, "reason": str, "parser": str, "original": bool, "fixes_applied": int,
    "findings": List(_FINDING, 100_000), "sites": List(_SITE, 100_000),
    "leftovers": List(List((int, str), 2), 100_000), "changes": (List(List((int, str), 3), 100_000), None),
}, required=frozenset({"status", "reason", "parser", "original", "fixes_applied", "findings", "sites",
                       "leftovers"}))
_ENTRY = Obj({"format": int, "key": str, "path": str, "where": str, "result": _RESULT, "mac": str},
             required=frozenset({"format", "key", "path", "result"}))


def project_root(paths: Sequence[str], config_file: Path | None) -> Path:
    """Where `.drmigrate_cache/` goes: the configuration file's directory, else the git work tree
    holding the first path, else the current directory."""
    if config_file is not None:
        return config_file.parent.absolute()
    start = os.path.abspath(next((p for p in paths if p != "-"), "."))
    directory = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return Path(directory)
        parent = os.path.dirname(directory)
        if parent == directory:
            return Path.cwd()
        directory = parent


def _version() -> str:
    """drmigrate's version from its `.dist-info` directory name (the name carries it), without
    importing importlib.metadata, which costs more than a whole small run's analysis."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("drmigrate-") and name.endswith(".dist-info"):
                return name[len("drmigrate-"):-len(".dist-info")]
    return "unknown"


def _code_digest() -> str:
    """A digest of every module of the drmigrate that is running (~1 ms: read only when some
    candidate file is looked up)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    for file in sorted(package.rglob("*.py")):  # the rule table is in the key by its contents
        try:
            digest.update(file.as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
        except OSError:
            digest.update(file.as_posix().encode() + b"\0?\0")
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    """A JSON-able, order-stable form of a setting (sets sorted, dataclasses as dicts)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted(_canonical(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def _path_digest(path: str) -> str:
    return hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


def signing_key() -> bytes | None:
    """The key entries with fixes are signed with: `DRMIGRATE_CACHE_KEY`, else 32 random bytes
    kept in the user's cache directory (created on first use, readable by the user alone);
    None when neither can be had (such entries are then neither kept nor used)."""
    given = os.environ.get(KEY_ENV)
    if given:
        return hashlib.sha256(given.encode("utf-8", "surrogateescape")).digest()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    directory = os.path.join(base, "drmigrate")
    path = os.path.join(directory, "cache-key")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(32))
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
                return None  # not a key only this user could have written
            key = fh.read(64)
    except OSError:
        return None
    return key if len(key) >= 32 else None


class Cache:
    """Check results by content key, in one directory. Methods never raise for disk trouble."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.entries = directory / ENTRIES
        self.warning = ""  # the first problem, for the CLI to print once
        self.ready: bool | None = None  # None: the directory has not been prepared yet
        self._run_digest = ""
        self._config_digests: dict[tuple[int, str], tuple[Config, str]] = {}
        self._table_digests: dict[int, tuple[object, str]] = {}
        self._key: bytes | None | bool = False  # False: not looked up yet
        self.hits = 0
        self.misses = 0
        self.written = 0

    # ---------------------------------------------------------------- keys

    def run_version(self) -> str:
        """What a stored entry must have been written by: drmigrate's version and code digest."""
        return self._base()

    def _base(self) -> str:
        if not self._run_digest:
            self._run_digest = f"{FORMAT}:{_version()}:{_code_digest()}"
        return self._run_digest

    def config_digest(self, config: Config, mode: str) -> str:
        """The digest of everything in `config` that changes a result. Computed once per config
        object: files without per-file ignores share one."""
        known = self._config_digests.get((id(config), mode))
        if known is not None and known[0] is config:
            return known[1]
        table = self._table_digests.get(id(config.table))
        if table is None or table[0] is not config.table:
            text = json.dumps(_canonical(config.table), sort_keys=True, default=repr)
            table = (config.table, hashlib.blake2b(text.encode(), digest_size=16).hexdigest())
            self._table_digests[id(config.table)] = table
        settings = {
            "mode": mode,
            "table": table[1],
            "options": _canonical(config.options),
            "front_ends": _canonical(config.settings),
            "include_minified": config.include_minified,
            "template_extensions": sorted(config.template_extensions),
        }
        text = json.dumps(settings, sort_keys=True, default=repr)
        digest = hashlib.blake2b(f"{self._base()}\0{text}".encode("utf-8", "surrogateescape"),
                                 digest_size=16).hexdigest()
        self._config_digests[(id(config), mode)] = (config, digest)
        return digest

    def key(self, path: str, raw: bytes, config: Config, mode: str = "check",
            inputs: Sequence[tuple[str, bytes]] = ()) -> str:
        """The entry name of `path`'s result: its mode, a digest of its path, and a digest of all
        it depends on (see the module docstring); `inputs` are (name, bytes) of anything else
        the result was computed from."""
        digest = hashlib.blake2b(digest_size=20)
        digest.update(self.config_digest(config, mode).encode())
        digest.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(len(raw).to_bytes(8, "big") + raw)
        for name, data in inputs:
            encoded_name = name.encode("utf-8", "surrogateescape")
            digest.update(len(encoded_name).to_bytes(8, "big") + encoded_name + len(data).to_bytes(8, "big") + data)
        return f"{_path_digest(path)}-{mode}-{digest.hexdigest()}"

    # ---------------------------------------------------------------- entries

    def get(self, key: str, path: str, text: str, config: Config | None = None, *,
            count: bool = True) -> FileResult | None:
        """The cached result for `key`, or None. Anything unexpected in the entry is a miss
        (`count=False`: the caller counts a miss, if the file turns out to be one it would keep)."""
        try:
            fd = os.open(self.entries / f"{key}.json", os.O_RDONLY | _NOFOLLOW)
            with os.fdopen(fd, "rb") as fh:
                blob = fh.read(64 << 20)
            data = untrusted.loads(blob.decode("utf-8"))
            untrusted.check(data, _ENTRY)
            if data["format"] != FORMAT or data["key"] != key or data["path"] != path:
                raise ValueError("another entry")
            changes = data["result"].get("changes")
            if changes is not None and not self._signed(data):
                raise ValueError("an entry with fixes and no valid signature")
            result = _result_from(data["result"], path, text, config)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, untrusted.UntrustedError):
            self.misses += count
            return None
        self.hits += 1
        return result

    def put(self, key: str, result: FileResult) -> None:
        if result.status == "fixed" or not self._prepare():
            return  # a written fix is never kept
        data: dict[str, Any] = {"format": FORMAT, "key": key, "path": result.path,
                                "where": os.path.abspath(result.path), "result": _result_to(result)}
        if data["result"].get("changes") is not None:
            mac = self._mac(data)
            if mac is None:
                return  # no key to sign it with: not kept
            data["mac"] = mac
        blob = json.dumps(data, separators=(",", ":")).encode("ascii")  # lone surrogates as \u escapes
        tmp = f".{key}.{os.getpid()}.{os.urandom(3).hex()}.tmp"
        try:
            fd = os.open(self.entries / tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(self.entries / tmp, self.entries / f"{key}.json")
            self.written += 1
        except OSError as exc:
            self._failed(exc)
            try:
                os.unlink(self.entries / tmp)
            except OSError:
                pass

    def load_blob(self, name: str) -> bytes | None:
        """A named file of the cache (the project index's answers), or None; never read through a
        link. Its reader checks what it holds: it is as untrusted as any entry."""
        try:
            fd = os.open(self.entries / name, os.O_RDONLY | _NOFOLLOW)
            with os.fdopen(fd, "rb") as fh:
                return fh.read(64 << 20)
        except OSError:
            return None

    def store_blob(self, name: str, data: bytes) -> None:
        """Write a named file of the cache atomically; a failure costs the warning, never the run."""
        if not self._prepare():
            return
        tmp = f".{name}.{os.getpid()}.{os.urandom(3).hex()}.tmp"
        try:
            fd = os.open(self.entries / tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(self.entries / tmp, self.entries / name)
        except OSError as exc:
            self._failed(exc)
            try:
                os.unlink(self.entries / tmp)
            except OSError:
                pass

    def signing_key(self) -> bytes | None:
        """The key signed entries are checked with (looked up once per run)."""
        if self._key is False:
            self._key = signing_key()
        return self._key if isinstance(self._key, bytes) else None

    def stat_index(self, started_ns: int) -> StatIndex:
        """The stat index of this cache (see `StatIndex`), loaded."""
        return StatIndex(self, started_ns)

    def _mac(self, data: dict[str, Any]) -> str | None:
        if self.signing_key() is None:
            return None
        assert isinstance(self._key, bytes)
        body = json.dumps({k: v for k, v in data.items() if k != "mac"}, sort_keys=True, separators=(",", ":"))
        return hmac.new(self._key, body.encode("ascii"), hashlib.sha256).hexdigest()

    def _signed(self, data: dict[str, Any]) -> bool:
        mac = self._mac(data)
        return mac is not None and isinstance(data.get("mac"), str) and hmac.compare_digest(mac, data["mac"])

    # ---------------------------------------------------------------- the directory

    def _prepare(self) -> bool:
        if self.ready is None:
            try:
                _real_directory(self.directory)
                _real_directory(self.entries)
                for name, content in ((".gitignore", "# created by drmigrate\n*\n"),
                                      ("CACHEDIR.TAG", CACHEDIR_TAG)):
                    _marker(self.directory / name, content)
                self.ready = True
            except _Refused as exc:
                self.ready = False
                self.warning = (f"drmigrate: the cache directory is not used: {exc} (a repository can commit one); "
                                "remove it, or pass --cache-dir DIR or --no-cache")
            except OSError as exc:
                self._failed(exc)
        return bool(self.ready)

    def _failed(self, exc: OSError) -> None:
        self.ready = False
        if not self.warning:
            self.warning = (f"drmigrate: cannot write the cache in {self.directory} ({exc.strerror or exc}); "
                            "results are not cached: make it writable, pass --cache-dir DIR, or --no-cache")

    def sweep_due(self, now: float | None = None) -> bool:
        """Whether the last sweep is older than `SWEEP_EVERY`."""
        now = time.time() if now is None else now
        try:
            last = os.stat(self.entries / ".swept", follow_symlinks=False).st_mtime
        except OSError:
            last = 0.0
        return now - last >= SWEEP_EVERY

    def finish(self, *, now: float | None = None) -> None:
        """At the end of a run: sweep the cache when this run wrote to it and the last sweep is
        older than `SWEEP_EVERY`."""
        if not self.written or not self.ready:
            return
        now = time.time() if now is None else now
        stamp = self.entries / ".swept"
        if not self.sweep_due(now):
            return
        self.prune(now=now)
        try:
            _marker(stamp, "")
            os.utime(stamp, (now, now), follow_symlinks=False)
        except (OSError, _Refused):
            pass

    def prune(self, *, max_bytes: int = MAX_BYTES, now: float | None = None) -> int:
        """Drop entries no run will use again: older entries of a file (past `KEEP_PER_FILE` per
        mode), entries of files that no longer exist, other cache formats, stray temporary files,
        and, past `max_bytes`, the oldest entries. Returns how many entries went."""
        now = time.time() if now is None else now
        removed = 0
        for other in _listing(self.directory):
            if other.name.startswith("v") and other.name[1:].isdigit() and other.name != ENTRIES:
                _remove_tree(other.path)
        groups: dict[str, list[tuple[float, int, str]]] = {}
        for item in _listing(self.entries):
            try:
                st = item.stat(follow_symlinks=False)
            except OSError:
                continue
            if item.name.endswith(".tmp") or not stat.S_ISREG(st.st_mode):
                if now - st.st_mtime > 3600 or not stat.S_ISREG(st.st_mode):
                    removed += _unlink(item.path)
                continue
            if not _ENTRY_NAME.match(item.name):
                continue  # not an entry (the project index's file, ...): kept
            group = item.name.rsplit("-", 1)[0]  # path digest and mode
            groups.setdefault(group, []).append((st.st_mtime, st.st_size, item.path))
        kept: list[tuple[float, int, str]] = []
        for items in groups.values():
            items.sort(reverse=True)
            for old in items[KEEP_PER_FILE:]:
                removed += _unlink(old[2])
            newest = items[:KEEP_PER_FILE]
            if _gone(newest[0][2]):
                removed += sum(_unlink(p) for _, _, p in newest)
            else:
                kept.extend(newest)
        total = sum(size for _, size, _ in kept)
        if total > max_bytes:
            kept.sort()  # oldest first
            for _, size, path in kept:
                if total <= max_bytes * 3 // 4:
                    break
                removed += _unlink(path)
                total -= size
        return removed


class StatIndex:
    """What a file's `stat` said when it was last settled without a parse: the warm path.

    Most of a tree holds no candidate, and a warm run used to read, search and hash each such file
    again to learn that. This index keeps, per file (by absolute path), the size, mtime_ns,
    ctime_ns and inode its walk saw, the digest of its settings and drmigrate's version (in the
    settings digest), and its verdict; when all of them match, the file costs the walk's stat and
    nothing else (ruff keys its cache the same way). Only verdicts that need no text are kept:
    a clean file (`KINDS`) and a file drmigrate does not read that mentions no call. Candidates
    keep their content-keyed entries.

    Timestamps are trusted only where they can tell two versions apart:
    - a file whose mtime or ctime is within `RACY_NS` of the run's start is not kept (it may change
      again within the clock's granularity without its stat changing): the next run reads it;
    - where both timestamps are whole seconds (FAT, some network file systems: the granularity may
      be that coarse), the entry also keeps a digest of the bytes, and a match needs a read and the
      digest to agree (still no search, no decode).

    Like every file of the cache it is untrusted: it is signed with the entries' key (a run
    without one keeps no stat index), and a row of the wrong shape is a miss.
    """

    NAME = "stat-index.json"
    RACY_NS = 2_000_000_000
    # clean (whether it quotes a Digital River type unknown / it quotes none / it quotes one: see
    # pipeline._builders_named), skipped by its name (build output), unread with no call mentioned
    KINDS = frozenset({"c", "n", "q", "s", "u"})

    def __init__(self, cache: Cache, started_ns: int) -> None:
        self.cache = cache
        self.started_ns = started_ns
        self.prefix = os.path.join(os.getcwd(), "")
        self.files: dict[str, list[Any]] = {}
        self.configs: list[str] = []
        self._config_ids: dict[str, int] = {}
        self.dirty = False
        self.hits = 0
        self._load()

    def _load(self) -> None:
        blob = self.cache.load_blob(self.NAME)
        key = self.cache.signing_key()
        if not blob or key is None:
            return
        mac, _, body = blob.partition(b"\n")
        expected = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(mac, expected):
            return
        try:
            data = untrusted.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, untrusted.UntrustedError):
            return
        if not isinstance(data, dict) or data.get("format") != FORMAT \
                or data.get("run") != self.cache.run_version():
            return
        configs, files = data.get("configs"), data.get("files")
        if isinstance(configs, list) and all(isinstance(c, str) for c in configs) and isinstance(files, dict):
            self.configs = configs
            self._config_ids = {c: i for i, c in enumerate(configs)}
            self.files = files

    def digest(self, config: Config) -> str:
        """The settings digest a row is kept under (a verdict without a parse is the same in every
        mode)."""
        return self.cache.config_digest(config, "check")

    def _where(self, path: str) -> str:
        # the walk's paths are normalised already; another spelling of a path is only a miss
        if path[:1] == os.sep:
            return path
        return self.prefix + (path[2:] if path[:2] == "./" else path)

    def settled(self, path: str, st: os.stat_result | None, digest: str) -> str | None:
        """The verdict kept for `path` when its stat and settings are what they were, else None."""
        if st is None:
            return None
        row = self.files.get(self._where(path))
        if type(row) is not list or len(row) != 7:
            return None
        size, mtime, ctime, inode, config, kind, content = row
        if size != st.st_size or mtime != st.st_mtime_ns or ctime != st.st_ctime_ns or inode != st.st_ino \
                or type(config) is not int or not 0 <= config < len(self.configs) \
                or self.configs[config] != digest or kind not in self.KINDS:
            return None
        if content:
            from drmigrate.discovery import SourceError, read_bytes

            try:
                raw = read_bytes(path, st.st_size)
            except SourceError:
                return None
            if _content_digest(raw) != content:
                return None
        self.hits += 1
        return str(kind)

    def record(self, path: str, st: os.stat_result | None, digest: str, kind: str | None,
               raw: bytes | None = None) -> None:
        """Keep `kind` for `path` as `st` shows it; None forgets it (the file needs its text now)."""
        if st is None:
            return
        where = self._where(path)
        recent = max(st.st_mtime_ns, st.st_ctime_ns) >= self.started_ns - self.RACY_NS
        if kind is None or recent:
            if self.files.pop(where, None) is not None:
                self.dirty = True
            return
        coarse = st.st_mtime_ns % 1_000_000_000 == 0 and st.st_ctime_ns % 1_000_000_000 == 0
        if coarse and raw is None:
            return
        config = self._config_ids.get(digest)
        if config is None:
            config = self._config_ids[digest] = len(self.configs)
            self.configs.append(digest)
            self.dirty = True
        row = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, config, kind,
               _content_digest(raw) if coarse and raw is not None else ""]
        if self.files.get(where) != row:
            self.files[where] = row
            self.dirty = True

    def save(self) -> None:
        """Write the index when this run changed it (a warm run over an unchanged tree writes nothing)."""
        if not self.dirty:
            return
        if self.cache.sweep_due():  # rows of files that are gone: dropped with the daily sweep
            self.files = {where: row for where, row in self.files.items() if os.path.lexists(where)}
        key = self.cache.signing_key()
        if key is None:
            return
        body = json.dumps({"format": FORMAT, "run": self.cache.run_version(), "configs": self.configs,
                           "files": self.files}, separators=(",", ":")).encode("ascii")
        self.cache.store_blob(self.NAME, hmac.new(key, body, hashlib.sha256).hexdigest().encode() + b"\n" + body)
        self.dirty = False


def _content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


class _Refused(Exception):
    """A part of the cache directory that is a symlink (or not what it should be)."""


def _real_directory(path: Path) -> None:
    """Make `path` a directory of its own, or say why it cannot be used; never through a link."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        try:
            os.makedirs(path.parent, exist_ok=True)
            os.mkdir(path)
        except FileExistsError:
            pass
        st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise _Refused(f"{path} is a symlink")
    if not stat.S_ISDIR(st.st_mode):
        raise OSError(errno.ENOTDIR, "not a directory")


def _marker(path: Path, content: str) -> None:
    """Create the file `path` with `content` unless something is there (never through a link)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    except FileExistsError:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise _Refused(f"{path} is a symlink") from None
        return
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(content)


def _listing(path: Path) -> list[os.DirEntry[str]]:
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return []
        with os.scandir(path) as it:
            return list(it)
    except OSError:
        return []


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
        return 1
    except OSError:
        return 0


def _remove_tree(path: str) -> None:
    import shutil

    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            os.unlink(path)
        else:
            shutil.rmtree(path, ignore_errors=True)  # never follows a link inside
    except OSError:
        pass


def _gone(entry: str) -> bool:
    """Whether the file an entry is about no longer exists (an unreadable entry counts as gone)."""
    try:
        fd = os.open(entry, os.O_RDONLY | _NOFOLLOW)
        with os.fdopen(fd, "rb") as fh:
            data = json.loads(fh.read(64 << 20))
        where = data.get("where") if isinstance(data, dict) else None
    except (OSError, ValueError, RecursionError):
        return True
    return not isinstance(where, str) or not os.path.lexists(where)


def open_cache(paths: Sequence[str], config_file: Path | None, cache_dir: str | None) -> Cache:
    directory = Path(cache_dir) if cache_dir else project_root(paths, config_file) / CACHE_DIR_NAME
    return Cache(directory)


# -------------------------------------------------------------------- results as JSON


def _plain(obj: Any) -> dict[str, Any]:
    out = {k: (v.value if isinstance(v, Enum) else v) for k, v in asdict(obj).items()}
    if isinstance(obj, Finding):
        for position in ("line", "column", "end_line", "end_column"):
            out.pop(position, None)  # computed again from the span and the text
    return out


def _rebuild(cls: type[Any], data: dict[str, Any]) -> Any:
    """`cls(**data)`, with JSON lists back to tuples and enum fields back to their enum."""
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue  # the dataclass default; a missing required field raises TypeError below
        value = data[f.name]
        if f.name in ("related", "via", "builders") and isinstance(value, list):
            value = tuple(_rebuild(Step, step) for step in value)  # a payload's way: places in files
        elif f.name == "hop" and isinstance(value, dict):
            value = _rebuild(Hop, value)
        elif isinstance(value, list):
            value = _tuples(value)
        elif f.default is not MISSING and isinstance(f.default, Enum):
            value = type(f.default)(value)
        values[f.name] = value
    if set(data) - set(values):
        raise TypeError("unknown fields")
    return cls(**values)


def _tuples(value: Any) -> Any:
    """JSON lists back to the tuples they were, at any depth."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _result_to(result: FileResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "status": result.status,
        "reason": result.reason,
        "parser": result.parser,
        "original": result.original is not None,
        "fixes_applied": result.fixes_applied,
        "findings": [_plain(f) for f in result.findings],
        "sites": [_plain(s) for s in result.sites],
        "leftovers": [[line, what] for line, what in result.leftovers],
    }
    if result.fixed is not None and result.original is not None:
        from drmigrate.edits import changes

        # the fix as the line ranges it changes, never as a text to show: a hit applies them to
        # the file's own text
        out["changes"] = [[offset, length, text] for _, _, offset, length, text in
                          changes(result.original, result.fixed)]
    return out


def _result_from(data: dict[str, Any], path: str, text: str, config: Config | None) -> FileResult:
    status = data["status"]
    if status not in _STATUSES:
        raise ValueError("not a check result")
    codes = config.table.codes if config is not None else None
    findings = []
    for item in data["findings"]:
        finding = _rebuild(Finding, item)
        start, end = finding.span
        if not 0 <= start <= end <= len(text) or (codes is not None and finding.code not in codes):
            raise ValueError("a finding that is not of this text or table")
        findings.append(finding)
    sites = tuple(_rebuild(SiteOutcome, s) for s in data["sites"])
    if any(s.state not in ("migrated", "remaining", "manual", "suppressed") for s in sites):
        raise ValueError("an unknown site state")
    fixed = None
    if data.get("changes") is not None:
        from drmigrate.edits import replay

        fixed = replay(text, [(int(o), int(n), str(t)) for o, n, t in data["changes"]])
        if fixed is None:
            raise ValueError("changes that do not fit the text")
    return FileResult(
        path=path,
        status=status,
        reason=data["reason"],
        findings=locate(findings, text),
        parser=data["parser"],
        original=text if data["original"] else None,
        fixed=fixed,
        sites=sites,
        fixes_applied=data["fixes_applied"],
        leftovers=tuple((int(line), str(what)) for line, what in data["leftovers"]),
    )
