"""Configuration: `[tool.drmigrate]` in `pyproject.toml`, or a `.drmigrate.toml`, and where each value came from.

The file is found by walking up from the first path checked (`.drmigrate.toml` wins over
`pyproject.toml` in the same directory; a `pyproject.toml` without a `[tool.drmigrate]` table is
passed over), and the walk stops at the project root: the root of the git work tree holding the
path. A file above it (a shared `/tmp`, another user's home) is never read: it would set the
session id inserted into code, or `unsafe-fixes`. Outside any work tree the walk goes up to the
first file found, which is read only when it belongs to the user running drmigrate (or root);
another user's file is ignored, with a warning. `--config FILE` names one directly. Values are checked here, by key and type: an
unknown or ill-typed key is a `ConfigFileError` naming the key and the file. Command-line flags
override the file (the CLI applies them with `Settings.override`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from drmigrate.discovery import DEFAULT_EXCLUDES, DEFAULT_MAX_FILE_SIZE

CONFIG_NAMES = (".drmigrate.toml", "pyproject.toml")
MAX_SIZE = 16 << 20  # bytes of a configuration file


class ConfigFileError(Exception):
    """A configuration file that cannot be used; the message is one line naming file and key."""


@dataclass(frozen=True)
class Settings:
    """Every configurable value, with its default; `origins` says where each non-default came from."""

    session_id: str | None = None
    python_session_id: str | None = None
    php_session_id: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()  # added to `select` (which, empty, selects every code)
    extend_ignore: tuple[str, ...] = ()  # added to `ignore`
    show_fixes: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    per_file_session_id: tuple[tuple[str, str], ...] = ()  # (pattern, page expression); first match wins
    receiver_names: tuple[str, ...] | None = None  # None: the default names
    extend_receiver_names: tuple[str, ...] = ()
    server_payload_names: tuple[str, ...] = ()
    wrappers: tuple[str, ...] = ()  # `[module:]name[@argument]`: library functions that call createSource
    template_extensions: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    unsafe_fixes: bool = False
    session_id_from_scope: bool = False
    include_minified: bool = False
    respect_gitignore: bool = True
    force_exclude: bool = False
    root: Path = field(default_factory=Path.cwd)  # patterns are relative to it
    file: Path | None = None
    origins: Mapping[str, str] = field(default_factory=dict)
    search: str = ""  # how the file was found (for `drmigrate config`)
    ignored: tuple[str, ...] = ()  # files the search passed over, as warnings

    def override(self, origin: str, **values: Any) -> Settings:
        """These values (None = not given) replace the file's, and are marked as coming from `origin`."""
        given = {k: v for k, v in values.items() if v is not None}
        origins = dict(self.origins) | {k: origin for k in given}
        return replace(self, **given, origins=origins)

    def receivers(self) -> tuple[str, ...]:
        """The receiver names in effect: `receiver-names` (or the defaults), then the extensions."""
        base = self.receiver_names if self.receiver_names is not None else self.default_receivers()
        return tuple(dict.fromkeys((*base, *self.extend_receiver_names)))

    @staticmethod
    def default_receivers() -> tuple[str, ...]:
        from drmigrate.frontends import Settings as FrontEndSettings

        return FrontEndSettings().receiver_names

    def selection(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(select, ignore) in effect: `extend-select` widens a `select` (with none, every code is
        selected already), `extend-ignore` adds to `ignore`."""
        select = tuple(dict.fromkeys((*self.select, *self.extend_select))) if self.select else ()
        return select, tuple(dict.fromkeys((*self.ignore, *self.extend_ignore)))

    def session_ids(self) -> dict[str, str]:
        pairs = {"js": self.session_id, "python": self.python_session_id, "php": self.php_session_id}
        return {lang: expr for lang, expr in pairs.items() if expr is not None}

    def describe(self) -> list[tuple[str, str, str]]:
        """(key as written in the file, value, origin) for every key."""
        out = []
        for f in fields(self):
            if f.name in ("root", "file", "origins", "search", "ignored"):
                continue
            value = getattr(self, f.name)
            if f.name == "receiver_names" and value is None:
                value = self.default_receivers()
            if f.name == "per_file_ignores":
                shown = "{" + ", ".join(f"{p!r} = {list(c)!r}" for p, c in value) + "}"
            elif f.name == "per_file_session_id":
                shown = "{" + ", ".join(f"{p!r} = {e!r}" for p, e in value) + "}"
            elif isinstance(value, tuple):
                shown = repr(list(value))
            elif isinstance(value, bool):
                shown = str(value).lower()
            elif value is None:
                shown = "(not set)"
            else:
                shown = repr(value) if isinstance(value, str) else str(value)
            out.append((f.name.replace("_", "-"), shown, self.origins.get(f.name, "default")))
        return out


def _strings(key: str, value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigFileError(f"{where}: `{key}` must be a list of strings, not {_shown(value)}")
    return tuple(value)


def _string(key: str, value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigFileError(f"{where}: `{key}` must be a string, not {_shown(value)}")
    return value


def _bool(key: str, value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigFileError(f"{where}: `{key}` must be true or false, not {_shown(value)}")
    return value


def _shown(value: object) -> str:
    return f"{type(value).__name__} {value!r}"[:80]


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000}


def parse_size(value: object, where: str = "", key: str = "max-file-size") -> int:
    """An int (bytes) or a string like "5MB" / "500 kB"."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        m = _SIZE.match(value)
        if m:
            return int(float(m.group(1)) * _UNITS[(m.group(2) or "").lower()])
    raise ConfigFileError(f"{where}: `{key}` must be a positive number of bytes or a size like \"5MB\", "
                          f"not {_shown(value)}".lstrip(": "))


def _per_file(key: str, value: object, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigFileError(f"{where}: `{key}` must be a table of pattern = [codes], not {_shown(value)}")
    return tuple((str(p), tuple(c.upper() for c in _strings(f"{key}.{p}", codes, where)))
                 for p, codes in value.items())


def _per_file_strings(key: str, value: object, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise ConfigFileError(f"{where}: `{key}` must be a table of pattern = \"expression\", not {_shown(value)}")
    return tuple((str(p), _string(f"{key}.{p}", v, where)) for p, v in value.items())


_WRAPPER_NAME = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")


def parse_wrapper(text: str) -> tuple[str, str, int] | None:
    """`@acme/dr-sdk:createPaymentSource@1` -> ("@acme/dr-sdk", "createPaymentSource", 1); a name
    without a module is a global of the page (`DRHelper.pay`); the argument defaults to the first."""
    module, _, rest = text.strip().rpartition(":")
    name, at, index = rest.rpartition("@")
    if not at or not index.isdigit() or len(index) > 2:
        name, index = rest, "0"
    if not _WRAPPER_NAME.fullmatch(name) or any(c.isspace() for c in module):
        return None
    return module, name, int(index)


def _wrapper(key: str, value: str, where: str) -> str:
    if parse_wrapper(value) is None:
        raise ConfigFileError(f"{where}: `{key}` entry {_shown(value)} is not `[module:]name[@argument]` "
                              "(e.g. \"@acme/dr-sdk:createPaymentSource@1\"); fix the entry")
    return value


_KEYS: dict[str, Any] = {
    "session-id": _string,
    "python-session-id": _string,
    "php-session-id": _string,
    "select": _strings,
    "ignore": _strings,
    "extend-select": _strings,
    "extend-ignore": _strings,
    "show-fixes": _bool,
    "include": _strings,
    "exclude": _strings,
    "extend-exclude": _strings,
    "per-file-ignores": _per_file,
    "per-file-session-id": _per_file_strings,
    "receiver-names": _strings,
    "extend-receiver-names": _strings,
    "server-payload-names": _strings,
    "wrappers": lambda k, v, w: tuple(_wrapper(k, item, w) for item in _strings(k, v, w)),
    "template-extensions": _strings,
    "max-file-size": lambda k, v, w: parse_size(v, w, k),
    "unsafe-fixes": _bool,
    "session-id-from-scope": _bool,
    "include-minified": _bool,
    "respect-gitignore": _bool,
    "force-exclude": _bool,
}
KNOWN_KEYS = tuple(_KEYS)


def nearest_key(key: str) -> str | None:
    """The known key spelled most like `key` (`session_id` -> `session-id`)."""
    import difflib

    spelled = key.strip().lower().replace("_", "-")
    if spelled in _KEYS:
        return spelled
    close = difflib.get_close_matches(spelled, KNOWN_KEYS, n=1, cutoff=0.6)
    return close[0] if close else None


def _table(path: Path) -> dict[str, Any] | None:
    """The drmigrate table of a config file; None for a pyproject.toml without one."""
    import tomllib  # only when there is a configuration file to read

    from drmigrate.discovery import SourceError, read_named

    try:
        raw = read_named(str(path), MAX_SIZE, "configuration")  # a regular file, of a sane size
        if path.name == "pyproject.toml" and b"drmigrate" not in raw:
            return None  # no [tool.drmigrate] can be in it: not worth parsing the TOML
        data = tomllib.loads(raw.decode("utf-8"))
    except SourceError as exc:
        raise ConfigFileError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise ConfigFileError(f"{path}: cannot read the configuration ({exc}); check the file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"{path}: not valid TOML ({exc}); fix the file") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("drmigrate") if isinstance(tool, dict) else None
        if table is None:
            return None
        if not isinstance(table, dict):
            raise ConfigFileError(f"{path}: [tool.drmigrate] must be a table")
        return table
    return data


@dataclass(frozen=True)
class Search:
    """Where the configuration was looked for: the file found (or None), how the walk went, and
    the files it passed over (each a warning)."""

    file: Path | None
    how: str
    ignored: tuple[str, ...] = ()


def search_config(start: Path) -> Search:
    """The configuration for a run that starts at `start`: the nearest file at or above it that
    configures drmigrate, up to the project root (see the module docstring)."""
    directory = start.absolute()
    if not directory.is_dir():
        directory = directory.parent
    repository = _repository_root(directory)
    how = (f"searched from {directory} up; the search stops at the repository root {repository}" if repository
           else f"searched from {directory} up (not in a git repository: the first file found)")
    ignored: list[str] = []
    for candidate in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            path = candidate / name
            if not path.is_file() or _table(path) is None:
                continue
            owner = path.stat().st_uid
            if repository is None and owner not in (os.geteuid(), 0):
                ignored.append(f"ignored {path}: owned by another user (uid {owner}), outside any repository; "
                               "pass --config to use it")
                return Search(None, how, tuple(ignored))
            return Search(path, how, tuple(ignored))
        if candidate == repository:
            break
    return Search(None, how, tuple(ignored))


def _repository_root(directory: Path) -> Path | None:
    """The nearest directory at or above `directory` that holds a `.git` (a work tree's root)."""
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def find_config(start: Path) -> Path | None:
    """The configuration file for a run that starts at `start` (None: defaults)."""
    return search_config(start).file


def load(path: Path | None) -> Settings:
    """Settings from `path` (defaults when None), every key checked."""
    if path is None:
        return Settings()
    table = _table(path)
    section = "[tool.drmigrate]" if path.name == "pyproject.toml" else ""
    where = f"{path} {section}".strip()
    if table is None:
        raise ConfigFileError(f"{path}: has no [tool.drmigrate] table; add one or pass another --config")
    if path.name != "pyproject.toml" and "tool" in table:
        raise ConfigFileError(
            f"{path}: `[tool.drmigrate]` is the pyproject.toml form; {path.name} takes the same keys at its top "
            "level: drop the `[tool.drmigrate]` header (and write `[per-file-session-id]` for "
            "`[tool.drmigrate.per-file-session-id]`)")
    values: dict[str, Any] = {}
    for key, value in table.items():
        check = _KEYS.get(key)
        if check is None:
            near = nearest_key(key)
            hint = f" (did you mean `{near}`?)" if near else ""
            raise ConfigFileError(f"{where}: unknown key `{key}`{hint}; known keys: {', '.join(KNOWN_KEYS)}")
        values[key.replace("-", "_")] = check(key, value, where)
    for name in ("select", "ignore", "extend_select", "extend_ignore"):
        if name in values:
            values[name] = tuple(c.upper() for c in values[name])
    if "template_extensions" in values:
        values["template_extensions"] = tuple(
            e if e.startswith(".") else f".{e}" for e in values["template_extensions"])
    origins = {k: str(path) for k in values}
    return Settings(**values, root=path.parent.absolute(), file=path, origins=origins)


def resolve(paths: Sequence[str], config_file: str | None) -> Settings:
    """The settings for a run over `paths`: `--config` if given, else the nearest config file."""
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigFileError(f"{config_file}: no such configuration file; check --config")
        return replace(load(path), search="named with --config")
    start = next((Path(p) for p in paths if p != "-"), Path.cwd())
    found = search_config(start)
    return replace(load(found.file), search=found.how, ignored=found.ignored)
