"""The project layer: what a run knows about the whole checked tree, beyond one file.

- `modules`: which file a module specifier names (relative paths, `index` files, extensions,
  package-local names, `tsconfig` paths, RequireJS `map` / `paths` and Magento's
  `Vendor_Module/js/x`, SFCC's `*/cartridge/...`).
- `skeleton`: one file's module skeleton read with tree-sitter (imports, exports, classes, the
  names it uses), cheap enough to read many files; never esprima.
- `index`: the project index built from the candidates outward: skeletons on demand, who imports
  a module, where a global is defined, cached between runs.
- `routes`: server links: the handler a page's request reaches (Magento 2, SFCC, WordPress, a
  route string found once).
- `flow`: payloads followed across files: the hops a file's analysis could not follow become seeds
  in the files that build the payloads, and the call sites' verdicts follow their builders.
"""
