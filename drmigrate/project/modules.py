"""Which file of the project a module specifier names, as the code's module system would resolve it.

Specifiers are resolved against the project's own files only: a package from `node_modules` or the
platform (`dw/...`, `mage/url`) is outside the tree, and resolves to None. Supported:
- relative specifiers (`./x`, `../lib/x`), with the extensions Node and bundlers try and `index`
  files of folders;
- the project's own package names (every `package.json` outside `node_modules` with a `name`) and
  the `paths` / `baseUrl` of a `tsconfig.json` / `jsconfig.json` at the root;
- RequireJS: the `map` and `paths` aliases of every `requirejs-config.js`, and Magento's module
  paths `Vendor_Module/js/x` (the module's folder is found by its `registration.php` or
  `etc/module.xml`; files under `view/frontend/web/` or `view/base/web/`);
- SFCC's cartridge paths: `*/cartridge/scripts/x` (any cartridge of the tree) and
  `~/cartridge/...` (the cartridge of the importing file).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")
_REGISTRATION = re.compile(r"""ComponentRegistrar::MODULE\s*,\s*['"]([A-Za-z0-9]+_[A-Za-z0-9]+)['"]""")
_MODULE_XML = re.compile(r"""<module\s+name\s*=\s*['"]([A-Za-z0-9]+_[A-Za-z0-9]+)['"]""")
_MAGENTO_MODULE = re.compile(r"^([A-Z][A-Za-z0-9]*_[A-Z][A-Za-z0-9]*)/(.+)$")
# `map: {'*': {alias: 'Vendor_Module/js/x'}}` and `paths: {alias: 'Vendor_Module/js/x'}`: every
# quoted `key: 'value'` pair inside a requirejs-config.js (its values are module paths)
# quoted `key: 'value'` pair inside a requirejs-config.js (its values are module paths); bounded
# repetitions keep the scan linear on any input
_RJS_PAIR = re.compile(
    r"""(?:(['"])([A-Za-z0-9_$./@-]{1,200})\1|\b([A-Za-z_$][A-Za-z0-9_$]{0,200}))[ \t]*:[ \t]*"""
    r"""(['"])([A-Za-z0-9_$./@-]{1,300})\4""")


@dataclass
class ProjectFiles:
    """The files the resolver may answer with: relative POSIX paths under `root`."""

    root: Path
    files: set[str] = field(default_factory=set)
    _folders: set[str] | None = None

    @classmethod
    def of(cls, root: Path, paths: Iterable[str]) -> ProjectFiles:
        return cls(root, set(paths))

    def add(self, path: str) -> None:
        self.files.add(path)
        self._folders = None

    @property
    def folders(self) -> set[str]:
        """Every folder holding a file (computed when a folder question is first asked)."""
        if self._folders is None:
            folders: set[str] = set()
            for path in self.files:
                parent = posixpath.dirname(path)
                while parent and parent not in folders:
                    folders.add(parent)
                    parent = posixpath.dirname(parent)
            self._folders = folders
        return self._folders

    def has(self, path: str) -> bool:
        return path in self.files


class ModuleResolver:
    """Resolves specifiers to project-relative paths; built once per run from the file list."""

    def __init__(self, files: ProjectFiles, read: ReadText) -> None:
        self.files = files
        self.read = read
        self._packages: dict[str, str] | None = None
        self._magento: dict[str, str] | None = None
        self._aliases: dict[str, str] | None = None
        self._ts_paths: list[tuple[str, list[str]]] | None = None
        self._ts_base: str = ""

    # -- the question ---------------------------------------------------------------------------
    def resolve(self, specifier: str, importer: str) -> str | None:
        """The project file `specifier` (as written in `importer`) names, or None (outside)."""
        if not specifier or specifier.startswith(("http:", "https:", "data:")):
            return None
        specifier = specifier.split("?", 1)[0]
        if specifier.startswith(("./", "../")) or specifier in (".", ".."):
            base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
            return self._file(base)
        if specifier.startswith("/"):
            return self._file(specifier.lstrip("/"))
        if specifier.startswith("~/cartridge/"):
            cartridge = _cartridge_of(importer)
            return self._file(posixpath.join(cartridge, specifier[2:])) if cartridge else None
        if specifier.startswith("*/cartridge/"):
            return self._any_cartridge(specifier[2:])
        specifier = self._alias(specifier)
        if specifier.startswith(("./", "../")):
            return self._file(posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier)))
        found = self._magento_module(specifier) or self._package(specifier) or self._tsconfig(specifier)
        return found

    def names_for(self, target: str) -> list[str]:
        """The bare specifiers that resolve to `target` without ending with its name: RequireJS
        aliases, names of the project's packages (their main file) and exact tsconfig paths."""
        self._alias("")
        self._package("")
        self._tsconfig("")
        assert self._aliases is not None and self._packages is not None and self._ts_paths is not None
        candidates = [*self._aliases, *self._packages, *(p for p, _ in self._ts_paths if "*" not in p)]
        return sorted({name for name in candidates if self.resolve(name, "") == target})

    # -- candidates for one base path -------------------------------------------------------------
    def _file(self, base: str) -> str | None:
        if base.startswith("../") or base == "..":
            return None
        if self.files.has(base) and os.path.splitext(base)[1].lower() in JS_SUFFIXES:
            return base
        stem, suffix = os.path.splitext(base)
        if suffix.lower() in (".js", ".mjs", ".cjs", ".jsx"):  # TypeScript imports name the emitted `.js`
            for ts in (".ts", ".tsx", ".mts", ".cts"):
                if self.files.has(stem + ts):
                    return stem + ts
        for ext in JS_SUFFIXES:
            if self.files.has(base + ext):
                return base + ext
        if base in self.files.folders or base == "":
            main = self._package_main(base)
            if main is not None:
                return main
            for ext in JS_SUFFIXES:
                candidate = posixpath.join(base, "index" + ext) if base else "index" + ext
                if self.files.has(candidate):
                    return candidate
        return None

    def _any_cartridge(self, rest: str) -> str | None:
        matches = []
        for folder in sorted(self.files.folders):
            if posixpath.basename(folder) == "cartridge" or folder.endswith("/cartridge"):
                found = self._file(posixpath.join(posixpath.dirname(folder), rest))
                if found is not None:
                    matches.append(found)
        return matches[0] if len(matches) == 1 else (matches[0] if matches else None)

    # -- RequireJS and Magento ------------------------------------------------------------------
    def _alias(self, specifier: str) -> str:
        if self._aliases is None:
            self._aliases = {}
            for path in sorted(self.files.files):
                if posixpath.basename(path) == "requirejs-config.js":
                    for match in _RJS_PAIR.finditer(self.read(path) or ""):
                        key, value = match.group(2) or match.group(3), match.group(5)
                        if key not in ("*", "deps", "shim", "config", "mixins") and "/" in value:
                            self._aliases.setdefault(key, value)
        seen = 0
        while specifier in self._aliases and seen < 8:
            specifier = self._aliases[specifier]
            seen += 1
        return specifier

    def _magento_module(self, specifier: str) -> str | None:
        match = _MAGENTO_MODULE.match(specifier)
        if match is None:
            return None
        if self._magento is None:
            self._magento = magento_modules(self.files, self.read)
        folder = self._magento.get(match.group(1))
        if folder is None:
            return None
        for area in ("view/frontend/web", "view/base/web", "view/adminhtml/web"):
            found = self._file(posixpath.join(folder, area, match.group(2)) if folder else
                               posixpath.join(area, match.group(2)))
            if found is not None:
                return found
        return None

    # -- packages and tsconfig ------------------------------------------------------------------
    def _package(self, specifier: str) -> str | None:
        if self._packages is None:
            self._packages = {}
            for path in sorted(self.files.files):
                if posixpath.basename(path) == "package.json" and "node_modules/" not in path:
                    try:
                        name = json.loads(self.read(path) or "{}").get("name")
                    except (ValueError, AttributeError):
                        continue
                    if isinstance(name, str) and name:
                        self._packages.setdefault(name, posixpath.dirname(path))
        parts = specifier.split("/")
        name = "/".join(parts[:2]) if specifier.startswith("@") else parts[0]
        folder = self._packages.get(name)
        if folder is None:
            return None
        rest = specifier[len(name):].lstrip("/")
        return self._file(posixpath.join(folder, rest) if rest else folder)

    def _package_main(self, folder: str) -> str | None:
        manifest = posixpath.join(folder, "package.json") if folder else "package.json"
        if not self.files.has(manifest):
            return None
        try:
            data = json.loads(self.read(manifest) or "{}")
        except ValueError:
            return None
        for key in ("source", "module", "main"):
            value = data.get(key) if isinstance(data, dict) else None
            if isinstance(value, str) and value:
                target = posixpath.normpath(posixpath.join(folder, value))
                if target != folder:
                    found = self._file(target)
                    if found is not None:
                        return found
        return None

    def _tsconfig(self, specifier: str) -> str | None:
        if self._ts_paths is None:
            self._ts_paths = []
            for name in ("tsconfig.json", "jsconfig.json"):
                if self.files.has(name):
                    options = _json_with_comments(self.read(name) or "").get("compilerOptions", {})
                    if isinstance(options, dict):
                        base = options.get("baseUrl")
                        self._ts_base = posixpath.normpath(base) if isinstance(base, str) else ""
                        for pattern, targets in (options.get("paths") or {}).items():
                            if isinstance(targets, list):
                                self._ts_paths.append((pattern, [t for t in targets if isinstance(t, str)]))
                    break
        for pattern, targets in self._ts_paths:
            prefix, star, suffix = pattern.partition("*")
            if star and specifier.startswith(prefix) and specifier.endswith(suffix):
                middle = specifier[len(prefix):len(specifier) - len(suffix)]
                for target in targets:
                    found = self._file(posixpath.normpath(posixpath.join(self._ts_base, target.replace("*", middle))))
                    if found is not None:
                        return found
            elif not star and specifier == pattern:
                for target in targets:
                    found = self._file(posixpath.normpath(posixpath.join(self._ts_base, target)))
                    if found is not None:
                        return found
        if self._ts_base and self._ts_base != ".":
            return self._file(posixpath.join(self._ts_base, specifier))
        return None


class ReadText:
    """Reads a project file's text (None when it cannot): the resolver's only disk access."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, str | None] = {}
        self.given: set[str] = set()  # texts set by the run, which may differ from the disk

    def set(self, path: str, text: str) -> None:
        """The text the analysis read for `path` (its fixed text, when fixing): offsets the
        analysis reports are offsets in this text, not in what is on disk."""
        self.cache[path] = text
        self.given.add(path)

    def peek(self, path: str) -> str | None:
        """The text of `path` without keeping it (a scan over the tree reads every file once; only
        the files it finds are worth holding)."""
        if path in self.cache:
            return self.cache[path]
        try:
            data = (self.root / path).read_bytes()
        except OSError:
            return None
        return data[:2_000_000].decode("utf-8", "replace")

    def __call__(self, path: str) -> str | None:
        if path not in self.cache:
            try:
                data = (self.root / path).read_bytes()
                self.cache[path] = data[:2_000_000].decode("utf-8", "replace")
            except OSError:
                self.cache[path] = None
        return self.cache[path]


def magento_modules(files: ProjectFiles, read: ReadText) -> dict[str, str]:
    """Magento module names (`Vendor_Module`) to their folders, by `registration.php` or `etc/module.xml`."""
    found: dict[str, str] = {}
    for path in sorted(files.files):
        name = posixpath.basename(path)
        if name == "registration.php":
            match = _REGISTRATION.search(read(path) or "")
            if match is not None:
                found.setdefault(match.group(1), posixpath.dirname(path))
        elif name == "module.xml" and path.endswith("etc/module.xml"):
            match = _MODULE_XML.search(read(path) or "")
            if match is not None:
                found.setdefault(match.group(1), posixpath.dirname(posixpath.dirname(path)))
    return found


def _cartridge_of(path: str) -> str:
    parts = path.split("/")
    if "cartridge" in parts:
        return "/".join(parts[: parts.index("cartridge")])
    return ""


def _json_with_comments(text: str) -> dict[str, object]:
    """tsconfig.json allows comments and trailing commas."""
    stripped = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.DOTALL)
    stripped = re.sub(r",(\s*[}\]])", r"\1", stripped)
    try:
        data = json.loads(stripped)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
