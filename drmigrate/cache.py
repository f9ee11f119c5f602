"""The result cache: a file's check result, kept under `.drmigrate_cache/` and found by its content.

A second run over an unchanged tree (pre-commit, CI with a restored cache, an editor) then parses
nothing: every candidate file's result comes from here. Like ruff's and ESLint's caches it is on
by default; `--no-cache` turns it off, `--cache-dir DIR` moves it.

What a result depends on is all in its key, so an entry can never be stale:

- the file's bytes and its path (findings name the path; per-file ignores depend on it);
- the drmigrate that ran: its version and a digest of its own source and data files, so a
  developer running from a checkout never gets results of the code before an edit;
- the rule table's contents, and every resolved setting that changes a result (session ids,
  select / ignore with the per-file ignores applied, unsafe fixes, receiver names, template
  extensions, include-minified), and the mode of the run.

Check results are kept, and the results of runs that show fixes without writing them (`--diff`,
JSON, SARIF: with the fixed text, under a key of their own mode); `fix` always analyses, so a hit
can never stand in for a write. An entry is a small JSON file named by its key, written atomically (a
temporary file renamed over it), so worker processes and concurrent runs cannot see half of one;
one that does not parse, has another format or names another key or path is a miss. A cache
directory that cannot be created or written costs one warning, never the run.

The directory is `.drmigrate_cache/` in the project root: the directory of the configuration
file when one was found, else the root of the git work tree holding the first path, else the
current directory. It holds a `.gitignore` (`*`) and a `CACHEDIR.TAG`, and the walk never enters it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import MISSING, asdict, fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from drmigrate.discovery import CACHE_DIR_NAME
from drmigrate.model import FileResult, Finding, Hop, SiteOutcome, Step
from drmigrate.runner import Config

FORMAT = 3  # bump when the entry layout changes
ENTRIES = f"v{FORMAT}"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by drmigrate.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


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
    import hashlib

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


class Cache:
    """Check results by content key, in one directory. Methods never raise for disk trouble."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.entries = directory / ENTRIES
        self.warning = ""  # the first write problem, for the CLI to print once
        self.ready: bool | None = None  # None: the directory has not been prepared yet
        self._run_digest = ""
        self._config_digests: dict[tuple[int, str], tuple[Config, str]] = {}
        self._table_digests: dict[int, tuple[object, str]] = {}
        self.hits = 0
        self.misses = 0

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
        import hashlib

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
        digest = hashlib.blake2b(f"{self._base()}\0{text}".encode(), digest_size=16).hexdigest()
        self._config_digests[(id(config), mode)] = (config, digest)
        return digest

    def key(self, path: str, raw: bytes, config: Config, mode: str = "check") -> str:
        import hashlib

        digest = hashlib.blake2b(digest_size=20)
        digest.update(self.config_digest(config, mode).encode())
        digest.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(raw)
        return digest.hexdigest()

    # ---------------------------------------------------------------- entries

    def get(self, key: str, path: str, text: str) -> FileResult | None:
        """The cached result for `key`, or None. Anything unexpected in the entry is a miss."""
        try:
            with open(self.entries / f"{key}.json", "rb") as fh:
                data = json.loads(fh.read())
            if data.get("format") != FORMAT or data.get("key") != key or data.get("path") != path:
                raise ValueError("another entry")
            result = _result_from(data["result"], path, text)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, key: str, result: FileResult) -> None:
        if result.status == "fixed" or not self._prepare():
            return  # a written fix is never kept
        data = {"format": FORMAT, "key": key, "path": result.path, "result": _result_to(result)}
        blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        tmp = self.entries / f".{key}.{os.getpid()}.tmp"
        try:
            with open(tmp, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, self.entries / f"{key}.json")
        except OSError as exc:
            self._failed(exc)
            try:
                os.unlink(tmp)
            except OSError:
                pass

    def load_blob(self, name: str) -> bytes | None:
        """A named file of the cache (the project index's answers), or None."""
        try:
            with open(self.entries / name, "rb") as fh:
                return fh.read(64 << 20)
        except OSError:
            return None

    def store_blob(self, name: str, data: bytes) -> None:
        """Write a named file of the cache atomically; a failure costs the warning, never the run."""
        if not self._prepare():
            return
        tmp = self.entries / f".{name}.{os.getpid()}.tmp"
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self.entries / name)
        except OSError as exc:
            self._failed(exc)
            try:
                os.unlink(tmp)
            except OSError:
                pass

    def _prepare(self) -> bool:
        if self.ready is None:
            try:
                self.entries.mkdir(parents=True, exist_ok=True)
                for name, content in ((".gitignore", "# created by drmigrate\n*\n"),
                                      ("CACHEDIR.TAG", CACHEDIR_TAG)):
                    marker = self.directory / name
                    if not marker.exists():
                        marker.write_text(content, "utf-8")
                self.ready = True
            except OSError as exc:
                self._failed(exc)
        return bool(self.ready)

    def _failed(self, exc: OSError) -> None:
        self.ready = False
        if not self.warning:
            self.warning = (f"drmigrate: cannot write the cache in {self.directory} ({exc.strerror or exc}); "
                            "results are not cached: make it writable, pass --cache-dir DIR, or --no-cache")


def open_cache(paths: Sequence[str], config_file: Path | None, cache_dir: str | None) -> Cache:
    directory = Path(cache_dir) if cache_dir else project_root(paths, config_file) / CACHE_DIR_NAME
    return Cache(directory)


# -------------------------------------------------------------------- results as JSON


def _plain(obj: Any) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in asdict(obj).items()}


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
    return {
        "status": result.status,
        "reason": result.reason,
        "parser": result.parser,
        "original": result.original is not None,
        "fixed": result.fixed,
        "fixes_applied": result.fixes_applied,
        "findings": [_plain(f) for f in result.findings],
        "sites": [_plain(s) for s in result.sites],
        "leftovers": [[line, what] for line, what in result.leftovers],
    }


def _result_from(data: dict[str, Any], path: str, text: str) -> FileResult:
    status = data["status"]
    if status not in ("clean", "findings", "skipped", "error") or not isinstance(data["reason"], str):
        raise ValueError("not a check result")
    return FileResult(
        path=path,
        status=status,
        reason=data["reason"],
        findings=tuple(_rebuild(Finding, f) for f in data["findings"]),
        parser=str(data["parser"]),
        original=text if data["original"] else None,
        fixed=data["fixed"] if isinstance(data["fixed"], str) else None,
        sites=tuple(_rebuild(SiteOutcome, s) for s in data["sites"]),
        fixes_applied=int(data["fixes_applied"]),
        leftovers=tuple((int(line), str(what)) for line, what in data["leftovers"]),
    )
