"""Command line (click): parse options, run the pipeline over the files, map results to exit codes.

Exit codes: 0 nothing to report; 1 findings remain, or files would change / were changed; 2 usage
or configuration error, or a file could not be read or parsed (the other files are still processed).

Settings come from the configuration file (`drmigrate.config`), overridden by flags; the run over
the files (workers, reads, writes) is `drmigrate.pipeline`.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

from drmigrate import config
from drmigrate import report as reports
from drmigrate.discovery import SourceError, decode
from drmigrate.engine import Options
from drmigrate.escape import encoded, neutral_lines, printable
from drmigrate.model import FileResult
from drmigrate.pipeline import file_config, process_paths
from drmigrate.report import common as reporters
from drmigrate.rules import CallRule, CodeInfo, MethodRule, RuleTable, RuleTableError, load_table
from drmigrate.runner import Config, make_config, result_for

if TYPE_CHECKING:  # the baseline and report modules load only for the runs that use them
    from drmigrate.report import baseline as baselines

F = TypeVar("F", bound=Callable[..., Any])
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
LANGUAGE_NAMES = {"python": "Python", "php": "PHP"}
FORMATS = tuple(reports.FORMATS)
MERGE_FORMATS = ("text", "json", "html")
# formats that carry the diff of each fix: the fixes are computed (not written) when only checking
FIX_CARRYING_FORMATS = frozenset({"sarif", "json", "html"})


class UsageError(click.UsageError):
    exit_code = EXIT_ERROR

    def format_message(self) -> str:
        return _one_line(super().format_message())


class ConfigError(click.ClickException):
    """A bad rule table or configuration: one line, exit 2."""

    exit_code = EXIT_ERROR

    def format_message(self) -> str:
        return _one_line(super().format_message())


def _one_line(message: str) -> str:
    """An error message with what came from files (a key, a path, a value) unable to act: its
    control characters escaped, no `::` at the start of the line, nothing an encoder refuses."""
    return neutral_lines(printable(message))


class NotFoundError(click.ClickException):
    """A word that names nothing drmigrate knows (`explain`): one line, exit 2."""

    exit_code = EXIT_ERROR


def _codes(value: str | None) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in (value or "").split(",") if c.strip())


def _patterns(values: Sequence[str]) -> tuple[str, ...] | None:
    """Repeated and/or comma-separated patterns; None when the option was not given."""
    if not values:
        return None
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def validate_session_expr(expr: str, where: str = "--session-id") -> str:
    """The session-id value must be exactly one JavaScript expression."""
    from drmigrate.frontends.javascript import is_expression

    if not is_expression(expr):
        raise UsageError(f"{where} {expr!r} is not a single JavaScript expression (no comma, comment or "
                         "trailing code); pass e.g. --session-id 'checkout.payment.session.id'")
    return expr


def _validate_server_expr(language: str, expr: str, where: str) -> str:
    if language == "python":
        from drmigrate.frontends.python_cst import is_expression
    else:
        from drmigrate.frontends.php import is_expression
    if not is_expression(expr):
        raise UsageError(f"{where} {expr!r} is not a single {LANGUAGE_NAMES[language]} expression; "
                         f"pass e.g. {'request.session.payment_session_id' if language == 'python' else '$paymentSessionId'}")
    return expr


def _pattern_suffix(pattern: str) -> str | None:
    """The file suffix every path a gitignore-style pattern matches ends with, when it says one."""
    last = pattern.rstrip("/").rsplit("/", 1)[-1]
    match = re.search(r"(\.[\w-]+)$", last)
    if pattern.endswith("/") or match is None:
        return None
    return match.group(1).lower()


def _directory(pattern: str) -> str:
    return re.sub(r"(?:/\*\*)*/*$", "", pattern) or "**"


def per_file_session_problem(pattern: str, value: str, template_extensions: Sequence[str] = ()) -> str | None:
    """What is wrong with `value` as the page's session-id expression for files matching
    `pattern`, or None. A JavaScript file takes a JavaScript expression; a template also takes
    exactly one tag of its own syntax that prints the id (alone, or in quotes), which the fix
    inserts as it is: the server fills it in when it renders the page."""
    from drmigrate.frontends.javascript import dialect_for, is_expression
    from drmigrate.frontends.templates import (
        TEMPLATE_EXTENSIONS,
        find_tags,
        output_tag,
        output_tag_examples,
    )

    suffix = _pattern_suffix(pattern)
    templates = {e.lower() if e.startswith(".") else f".{e.lower()}" for e in template_extensions}
    js_hint = "give a JavaScript expression such as checkout.payment.session.id"
    template = suffix is not None and (suffix in templates or (
        dialect_for(f"x{suffix}") is None and suffix in TEMPLATE_EXTENSIONS | {".php", ".phtml"}))
    if suffix == ".py":
        return "this setting is for the page's JavaScript; set `python-session-id` for payloads built in Python"
    if suffix is not None and not template and dialect_for(f"x{suffix}") is None:
        return (f"`{pattern}` matches no file drmigrate reads; end it with a JavaScript or template "
                "suffix (.js, .ts, .phtml, .twig, ...)")
    if suffix is not None and template:
        examples = " or ".join(f"`{e}`" for e in output_tag_examples(suffix))
        if find_tags(value, suffix):
            quoted = len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""
            if output_tag(value, suffix) or (quoted and output_tag(value[1:-1], suffix)):
                return None
            return (f"a server tag in {suffix} files must be exactly one tag that prints the id "
                    f"({examples}), alone or in quotes")
        if not is_expression(value):
            tags = f", or one tag that prints the id ({examples})" if examples else ""
            return f"not a single JavaScript expression; {js_hint}{tags}"
        return None
    if find_tags(value, ""):  # a PHP, ERB or {{ }} tag, which no JavaScript file evaluates
        if suffix is not None:
            return f"`{pattern}` matches JavaScript files, where a server tag is never filled in; {js_hint}"
        return (f"`{pattern}` can match JavaScript files too, where a server tag is never filled in; "
                f"end the pattern with the template's suffix (e.g. `{_directory(pattern)}/**/*.phtml`)")
    if not is_expression(value):
        return f"not a single JavaScript expression (no comma, comment or trailing code); {js_hint}"
    return None


def common_options(func: F) -> F:
    options = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--diff", is_flag=True, help="Show the fixes as a unified diff; write nothing."),
        click.option("--select", metavar="CODES", help="Only these codes (comma-separated; prefixes like DR1 work)."),
        click.option("--ignore", metavar="CODES", help="Skip these codes (comma-separated prefixes)."),
        click.option("--extend-select", metavar="CODES",
                     help="Add these codes to the selection (`select` in the configuration, or --select)."),
        click.option("--extend-ignore", metavar="CODES",
                     help="Skip these codes too, on top of `ignore` in the configuration or --ignore."),
        click.option("--show-fixes/--no-show-fixes", default=None,
                     help="List the fixes applied per file (with check: the ones `fix` would apply)."),
        click.option("--watch", "-w", is_flag=True,
                     help="Run again whenever a file under PATHS changes (Ctrl-C stops)."),
        click.option("--session-id", "session_id", metavar="EXPR",
                     help="JavaScript expression to insert as sessionId (default: a placeholder that DR110 reports)."),
        click.option("--python-session-id", metavar="EXPR", help="The same for Python payloads."),
        click.option("--php-session-id", metavar="EXPR", help="The same for PHP payloads."),
        click.option("--unsafe-fixes/--no-unsafe-fixes", default=None, help="Also apply fixes declared unsafe."),
        click.option("--session-id-from-scope/--no-session-id-from-scope", default=None,
                     help="Without --session-id: use the session id found in scope at each payload (the "
                          "findings name it) instead of the placeholder."),
        click.option("--stdin-filename", metavar="PATH", help="The name to report for input read from `-`."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="Report format."),
        click.option("--output-file", "-o", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Write the report to FILE instead of stdout."),
        click.option("--color", "color", type=click.Choice(("auto", "always", "never")), default=None,
                     help="Colour the text report and the diff: auto (a terminal, unless NO_COLOR is set "
                          "or FORCE_COLOR forces it), always, never."),
        click.option("--no-color", is_flag=True, help="The same as --color never."),
        click.option("-q", "--quiet", is_flag=True,
                     help="Only the findings and errors: no summary, no notes, no progress bar."),
        click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Report only findings that are not in this baseline (and list its entries that "
                          "no longer occur)."),
        click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Record the findings in FILE as the baseline and exit 0; with --baseline, keep only "
                          "the entries that still occur (the baseline never grows)."),
        click.option("--repository", metavar="NAME",
                     help="The repository name to put in the JSON / HTML report (for `report merge`)."),
        click.option("--rules", "rules_path", type=click.Path(), metavar="FILE",
                     help="Use this rule table instead of the bundled one."),
        click.option("--config", "config_file", type=click.Path(), metavar="FILE",
                     help="Read settings from FILE (a .drmigrate.toml or a pyproject.toml with [tool.drmigrate])."),
        click.option("--exclude", multiple=True, metavar="PATTERNS",
                     help="Exclude these gitignore-style patterns, replacing the defaults (node_modules, vendor, ...)."),
        click.option("--extend-exclude", multiple=True, metavar="PATTERNS", help="Exclude these too."),
        click.option("--force-exclude/--no-force-exclude", default=None,
                     help="Apply excludes and .gitignore to files named explicitly too (for pre-commit)."),
        click.option("--respect-gitignore/--no-respect-gitignore", default=None,
                     help="Skip files ignored by .gitignore (default: yes)."),
        click.option("--max-file-size", metavar="SIZE", help="Skip (and report) files bigger than this, e.g. 5MB."),
        click.option("--include-minified/--no-include-minified", default=None,
                     help="Also parse minified, bundled and vendored files (skipped and listed by default)."),
        click.option("--receiver", "receivers", multiple=True, metavar="NAME",
                     help="A name a DigitalRiver.js instance from another file goes by (repeatable; "
                          "replaces the default list)."),
        click.option("--extend-receiver", "extend_receivers", multiple=True, metavar="NAME",
                     help="A name to add to the receiver names (repeatable; keeps the default list)."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
                     help="Worker processes (default: the CPU count; few files run in one process)."),
        click.option("--no-cache", is_flag=True, help="Analyse every file; neither read nor write the result cache."),
        click.option("--no-follow", is_flag=True,
                     help="Read each file on its own: payloads built in other files stay DR200 (no project index)."),
        click.option("--cache-dir", metavar="DIR", envvar="DRMIGRATE_CACHE_DIR",
                     help="Keep the result cache in DIR (default: .drmigrate_cache in the project root)."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain (errors still exit 2)."),
        click.option("--statistics", is_flag=True, help="Counts by code and payment method, and the migration status."),
        click.option("--show-files", is_flag=True, help="List every file with its status (clean, skipped: why, ...)."),
        click.option("-v", "--verbose", is_flag=True, help="As --show-files, with the parser that read each file."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drmigrate")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Migrate DigitalRiver.js createSource payloads to payment sessions.

    With no command, runs `check` on the current directory.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(check)


@main.command()
@common_options
@click.option("--fix", "fix_", is_flag=True, help="Apply the fixes: the same as `drmigrate fix`.")
@click.option("--exit-non-zero-on-fix", is_flag=True,
              help="With --fix: exit 1 when a file was changed, even if nothing remains.")
@click.option("--add-noqa", "--add-suppressions", "add_noqa", is_flag=True,
              help="Write a `drmigrate-ignore` comment, with a reason, for every remaining finding.")
@click.option("--reason", metavar="TEXT",
              help="The reason --add-noqa writes into each comment (default: where it came from).")
def check(fix_: bool, add_noqa: bool, reason: str | None, **kwargs: Any) -> None:
    """Report legacy payloads (never writes, unless --fix or --add-noqa). PATHS default to the
    current directory; `-` reads stdin."""
    if add_noqa and (fix_ or kwargs.get("diff") or tuple(kwargs.get("paths") or ()) == ("-",) or kwargs.get("watch")):
        raise UsageError("--add-noqa writes comments into the files checked: it takes no --fix, --diff, "
                         "--watch or `-`; run `drmigrate fix` first, then --add-noqa for what is left")
    if reason is not None and not add_noqa:
        raise UsageError("--reason is the text --add-noqa writes; pass --add-noqa too")
    if kwargs.get("exit_non_zero_on_fix") and not fix_:
        raise UsageError("--exit-non-zero-on-fix only means something with --fix (or `drmigrate fix`)")
    run(fixing=fix_, add_noqa=add_noqa, noqa_reason=reason, **kwargs)


@main.command()
@common_options
@click.option("--exit-non-zero-on-fix", is_flag=True,
              help="Exit 1 when a file was changed, even if nothing remains.")
def fix(**kwargs: Any) -> None:
    """Rewrite legacy payloads in place (with `-`, the result goes to stdout).

    Exits 0 when nothing remains after fixing (1 with --exit-non-zero-on-fix if files changed).
    """
    run(fixing=True, **kwargs)


def _load_table(rules_path: str | None) -> RuleTable:
    try:
        return load_table(rules_path)
    except RuleTableError as exc:
        raise ConfigError(str(exc)) from None


def resolve_settings(paths: Sequence[str], config_file: str | None, **flags: Any) -> config.Settings:
    """The configuration file's settings with the command-line flags applied over them."""
    try:
        settings = config.resolve(paths, config_file)
        for note in settings.ignored:  # a file the search passed over: said, never silent
            echo(neutral_lines(f"drmigrate: {printable(note)}") + "\n", sys.stderr)
        if flags.get("max_file_size") is not None:
            flags["max_file_size"] = config.parse_size(flags["max_file_size"], "--max-file-size")
    except config.ConfigFileError as exc:
        raise ConfigError(str(exc)) from None
    for key in ("select", "ignore", "extend_select", "extend_ignore"):
        if flags.get(key) is not None:
            flags[key] = _codes(flags[key])
    for key in ("extend_select", "extend_ignore"):
        if flags.get(key) is not None:  # on top of the file's: they extend, they do not replace
            flags[key] = tuple(dict.fromkeys((*getattr(settings, key), *flags[key])))
    for key in ("exclude", "extend_exclude"):
        flags[key] = _patterns(flags.get(key) or ())
    return settings.override("command line", **flags)


def _origin(settings: config.Settings, key: str, flag: str) -> str:
    origin = settings.origins.get(key, "command line")
    return flag if origin == "command line" else f"`{key.replace('_', '-')}` in {origin}"


def build_config(settings: config.Settings, table: RuleTable) -> Config:
    try:
        return _build_config(settings, table)
    except UsageError as exc:
        if settings.file is not None and str(settings.file) in exc.message:
            raise ConfigError(exc.message) from None  # the file is wrong, not the command line
        raise


def _build_config(settings: config.Settings, table: RuleTable) -> Config:
    sessions = {}
    if settings.session_id is not None:
        sessions["js"] = validate_session_expr(settings.session_id, _origin(settings, "session_id", "--session-id"))
    for language in ("python", "php"):
        expr = getattr(settings, f"{language}_session_id")
        if expr is not None:
            where = _origin(settings, f"{language}_session_id", f"--{language}-session-id")
            sessions[language] = _validate_server_expr(language, expr, where)
    for pattern, expr in settings.per_file_session_id:
        problem = per_file_session_problem(pattern, expr, settings.template_extensions)
        if problem is not None:
            origin = settings.origins.get("per_file_session_id", "command line")
            raise ConfigError(f"{origin}: `per-file-session-id` \"{pattern}\" = {expr!r}: {problem}")
    select, ignore = settings.selection()
    options = Options(session_id=sessions, select=select, ignore=ignore,
                      unsafe_fixes=settings.unsafe_fixes, session_id_from_scope=settings.session_id_from_scope)
    per_file = [c for _, codes in settings.per_file_ignores for c in codes]
    for code in (*settings.select, *settings.extend_select, *settings.ignore, *settings.extend_ignore, *per_file):
        if not any(k.startswith(code) for k in table.codes):
            key = next((k for k in ("select", "extend_select", "ignore", "extend_ignore")
                        if code in getattr(settings, k)), "per_file_ignores")
            origin = settings.origins.get(key, "command line")
            where = "" if origin == "command line" else f" (`{key.replace('_', '-')}` in {origin})"
            near = _nearest_code(table, code)
            hint = f" (did you mean {near}?)" if near else ""
            raise UsageError(f"unknown rule code {code}{where}{hint}; `drmigrate rules` lists the codes")
    custom = settings.receiver_names is not None or bool(settings.extend_receiver_names)
    return make_config(table, options, receiver_names=settings.receivers() if custom else None,
                       include_minified=settings.include_minified,
                       template_extensions=settings.template_extensions,
                       payload_names=settings.server_payload_names, wrappers=settings.wrappers)


def _nearest_code(table: RuleTable, code: str) -> str | None:
    """The code spelled most like `code`, or the code a code name names (`legacy-amount-currency`)."""
    topic = table.topic(code)
    if topic is not None and topic.code is not None:
        return f"{topic.code.code} ({topic.code.name})"
    import difflib

    wanted = code.upper()
    close = difflib.get_close_matches(wanted, list(table.codes), n=5, cutoff=0.6)
    if not close:
        return None

    def likeness(candidate: str) -> tuple[float, int]:  # a tie goes to the longer common start (DR1011: DR101)
        same = next((i for i, (a, b) in enumerate(zip(candidate, wanted)) if a != b), min(len(candidate), len(wanted)))
        return round(difflib.SequenceMatcher(None, wanted, candidate).ratio(), 6), same

    return max(close, key=likeness)


def resolve_color(choice: str | None, no_color: bool, environ: Mapping[str, str]) -> bool | None:
    """True / False to force colour on / off; None: on exactly when the output is a terminal.

    `--color always|never` wins, then `--no-color`, then NO_COLOR (any non-empty value, as
    no-color.org asks), then FORCE_COLOR (any non-empty value but `0`): NO_COLOR beats
    FORCE_COLOR, as in CPython's own colouring.
    """
    if choice == "always":
        return True
    if choice == "never" or no_color:
        return False
    if choice == "auto" or choice is None:
        if environ.get("NO_COLOR"):
            return False
        if environ.get("FORCE_COLOR", "0") not in ("", "0"):
            return True
    return None


def run(
    *,
    fixing: bool,
    paths: Sequence[str] = (),
    diff: bool = False,
    select: str | None = None,
    ignore: str | None = None,
    extend_select: str | None = None,
    extend_ignore: str | None = None,
    show_fixes: bool | None = None,
    watch: bool = False,
    add_noqa: bool = False,
    noqa_reason: str | None = None,
    session_id: str | None = None,
    python_session_id: str | None = None,
    php_session_id: str | None = None,
    unsafe_fixes: bool | None = None,
    session_id_from_scope: bool | None = None,
    stdin_filename: str | None = None,
    fmt: str = "text",
    output_file: str | None = None,
    color: str | None = None,
    no_color: bool = False,
    quiet: bool = False,
    baseline_file: str | None = None,
    write_baseline: str | None = None,
    repository: str | None = None,
    rules_path: str | None = None,
    config_file: str | None = None,
    exclude: Sequence[str] = (),
    extend_exclude: Sequence[str] = (),
    force_exclude: bool | None = None,
    respect_gitignore: bool | None = None,
    max_file_size: str | None = None,
    include_minified: bool | None = None,
    receivers: Sequence[str] = (),
    extend_receivers: Sequence[str] = (),
    jobs: int | None = None,
    no_cache: bool = False,
    no_follow: bool = False,
    cache_dir: str | None = None,
    exit_zero: bool = False,
    exit_non_zero_on_fix: bool = False,
    statistics: bool = False,
    show_files: bool = False,
    verbose: bool = False,
) -> None:
    if watch:
        if tuple(paths) == ("-",):
            raise UsageError("--watch watches files; it cannot read `-` (stdin)")
        arguments = {k: v for k, v in locals().items() if k not in ("watch", "fixing")}
        _watch(paths, lambda: run(fixing=fixing, **arguments))
        return
    table = _load_table(rules_path)
    named = bool(paths) and tuple(paths) != ("-",)  # paths given on the command line (not stdin)
    paths = tuple(paths) or (".",)
    settings = resolve_settings(
        paths, config_file, select=select, ignore=ignore, session_id=session_id,
        extend_select=extend_select, extend_ignore=extend_ignore, show_fixes=show_fixes,
        python_session_id=python_session_id, php_session_id=php_session_id, unsafe_fixes=unsafe_fixes,
        session_id_from_scope=session_id_from_scope,
        exclude=exclude, extend_exclude=extend_exclude, force_exclude=force_exclude,
        respect_gitignore=respect_gitignore, max_file_size=max_file_size, include_minified=include_minified,
        receiver_names=tuple(receivers) or None, extend_receiver_names=tuple(extend_receivers) or None,
    )
    cfg = build_config(settings, table)
    accepted = _read_baseline(baseline_file) if baseline_file is not None else None
    writing = fixing and not diff
    # some formats carry each finding's fix: compute the fixes (without writing) when only checking
    want_fixes = diff or (fmt in FIX_CARRYING_FORMATS and not fixing)
    stdout_bytes: bytes | None = None
    if paths == ("-",):
        name = stdin_filename or "-"
        results: list[FileResult] = []
        raw = sys.stdin.buffer.read()
        if writing:  # a filter never loses its input: what cannot be fixed comes out as it came
            stdout_bytes = raw
        try:
            source = decode(raw, name)
        except SourceError as exc:
            results.append(FileResult(name, "error", str(exc).split(": ", 1)[1]))
        else:
            result = result_for(name, source.text, file_config(cfg, settings, name),
                                fix=writing, diff=want_fixes)
            results.append(result)
            if writing and result.fixed is not None:
                stdout_bytes = source.encode(result.fixed)
    else:
        from drmigrate.cache import open_cache

        progress = (fmt in ("text", "concise") or bool(output_file)) and not quiet
        cache = None if no_cache else open_cache(paths, settings.file, cache_dir)
        results = process_paths(paths, cfg, settings, fixing=writing, want_fixes=want_fixes,
                                jobs=jobs or os.cpu_count() or 1, show_progress=progress, cache=cache,
                                follow=not no_follow)
        if cache is not None and cache.warning:
            echo(neutral_lines(printable(cache.warning)) + "\n", sys.stderr)
    colour = resolve_color(color, no_color, os.environ)
    if add_noqa:
        sys.exit(_add_noqa(results, cfg, settings, noqa_reason, quiet=quiet, color=colour))
    if write_baseline is not None:
        _write_baseline(write_baseline, results, accepted, fixing=writing, stdout_bytes=stdout_bytes,
                        quiet=quiet, color=colour)
        if accepted is None:  # adopting: the findings are accepted, nothing else to report
            sys.exit(EXIT_ERROR if any(r.status == "error" for r in results) else EXIT_CLEAN)
    hidden = 0
    stale: tuple[baselines.Entry, ...] = ()
    if accepted is not None:
        from drmigrate.report import baseline as baselines

        applied = baselines.apply(accepted, results, fixing=writing)
        results, hidden, stale = list(applied.results), applied.hidden, applied.stale
    baseline_doc = None if accepted is None else {
        "file": baseline_file, "hidden": hidden, "stale": [e.as_dict() for e in stale]}
    _emit(results, table=table, fmt=fmt, fixing=writing, diff=diff, verbose=verbose,
          show_files=show_files, statistics=statistics, stdout_bytes=stdout_bytes, output_file=output_file,
          color=colour, quiet=quiet, repository=repository, baseline=baseline_doc,
          baseline_notes=_stale_lines(baseline_file, stale) if baseline_file and not quiet else [],
          selected=bool(settings.select or settings.ignore or settings.extend_ignore or settings.per_file_ignores),
          show_fixes=settings.show_fixes)
    empty = reporters.nothing_checked(results) if named and not settings.force_exclude else None
    if empty is not None:
        # paths were named and none of them was checked: a gate that checked nothing must not
        # pass (with --force-exclude, as pre-commit runs it, dropping every named file is normal)
        if quiet or fmt not in ("text", "concise") or output_file is not None:
            echo(neutral_lines(f"error: {printable(empty)}") + "\n", sys.stderr)
        sys.exit(EXIT_ERROR)
    sys.exit(exit_code(results, exit_zero=exit_zero, fixing=writing,
                       exit_non_zero_on_fix=exit_non_zero_on_fix))


def _read_utf8(path: str, *, what: str, missing: str, not_text: str, limit: int) -> str:
    """A file given on the command line, as text; each failure a one-line error naming the file.
    Only a regular file of at most `limit` bytes is read (`discovery.read_named`)."""
    from drmigrate.discovery import read_named

    try:
        return read_named(path, limit, what, missing=missing).decode("utf-8")
    except SourceError as exc:
        raise ConfigError(str(exc)) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: {not_text}") from None


def _read_baseline(path: str) -> baselines.Baseline:
    from drmigrate.report import baseline as baselines

    text = _read_utf8(path, what="baseline", limit=baselines.MAX_SIZE,
                      missing=f"no such baseline file; create it with `drmigrate check --write-baseline {path}`",
                      not_text="the baseline is not UTF-8 text; rewrite it with --write-baseline")
    try:
        return baselines.loads(text, path, Path(path).absolute().parent)
    except baselines.BaselineError as exc:
        raise ConfigError(str(exc)) from None


def _write_baseline(path: str, results: Sequence[FileResult], accepted: baselines.Baseline | None, *,
                    fixing: bool, stdout_bytes: bytes | None, quiet: bool, color: bool | None) -> None:
    """Adopt (every finding) or, with an existing baseline, shrink it to the entries still found."""
    from drmigrate.report import baseline as baselines

    root = Path(path).absolute().parent
    if accepted is None:
        entries = baselines.record(results, root, fixing=fixing)
    else:
        entries = baselines.apply(baselines.Baseline(root, accepted.entries), results, fixing=fixing).matched
    _write_output(path, baselines.dumps(entries), "baseline")
    out = sys.stderr if stdout_bytes is not None or accepted is not None else sys.stdout
    if stdout_bytes is not None and accepted is None:
        _write_stream(sys.stdout, stdout_bytes)
    if accepted is None:
        for r in results:
            if r.status == "error":
                line = f"{click.style(printable(r.path), bold=True)}: {click.style('error', fg='red')}: {printable(r.reason)}"
                echo(neutral_lines(line) + "\n", out, color)
    if quiet:
        return
    files = len({e.path for e in entries})
    verb = "Kept" if accepted is not None else "Wrote"
    click.echo(f"{verb} {reporters.plural(len(entries), 'finding')} in {reporters.plural(files, 'file')} "
               f"in the baseline {path}.", file=out, color=color)


def _stale_lines(path: str, stale: Sequence[baselines.Entry]) -> list[str]:
    if not stale:
        return []
    head = (f"{len(stale)} entr{'y' if len(stale) == 1 else 'ies'} of the baseline {path} no longer occur; "
            f"shrink it with `--baseline {path} --write-baseline {path}`:")
    lines = [head]
    lines += [f"  {printable(e.path)}:{e.line}: {printable(e.code)} {printable(e.message)}" for e in stale]
    return lines


def _emit(results: Sequence[FileResult], *, table: RuleTable, fmt: str, fixing: bool, diff: bool,
          verbose: bool, show_files: bool, statistics: bool, stdout_bytes: bytes | None,
          output_file: str | None, color: bool | None, quiet: bool = False, repository: str | None = None,
          baseline: dict[str, Any] | None = None, baseline_notes: Sequence[str] = (),
          selected: bool = False, show_fixes: bool = False) -> None:
    out = sys.stdout
    if stdout_bytes is not None:
        # `fix -`: the source (fixed, or as it came when it could not be) is the output, in its
        # own encoding; the report goes to stderr
        _write_stream(sys.stdout, stdout_bytes)
        out = sys.stderr
    if diff:
        # the diff is the output; the report goes to stderr, as with `ruff check --diff`
        from drmigrate.report.diff import styled_diff, to_diff

        echo(styled_diff(to_diff(results)), out, color)  # before the report, on a terminal showing both
        out = sys.stderr
    if (fmt in ("text", "concise") and quiet and not (verbose or show_files or statistics or show_fixes)
            and output_file is None
            and not any(r.findings or r.status == "error" for r in results)):
        return  # `-q` prints only findings and errors: with none, no format module is even imported
    about = reports.Run(fmt, table, fixing=fixing, repository=repository, baseline=baseline,
                        verbose=verbose or show_files, statistics=statistics, quiet=quiet,
                        notes=tuple(baseline_notes), selected=selected, show_fixes=show_fixes)
    pieces = _batches(reports.stream(results, about))
    if fmt in ("text", "concise") and verbose is False and show_files:
        pieces = iter([_without_parsers("".join(pieces))])
    if output_file is not None:
        _write_output(output_file, (click.unstyle(piece) for piece in pieces), "report")
        return
    for piece in pieces:
        echo(piece, out, color)


def _batches(pieces: Iterable[str], size: int = 1 << 20) -> Iterator[str]:
    """`pieces` joined into runs of about `size` characters: one write per megabyte, not per finding."""
    batch: list[str] = []
    held = 0
    for piece in pieces:
        batch.append(piece)
        held += len(piece)
        if held >= size:
            yield "".join(batch)
            batch, held = [], 0
    if batch:
        yield "".join(batch)


def echo(text: str, out: TextIO, color: bool | None = None) -> None:
    """`text` on `out` as UTF-8: colour codes kept for a terminal (or as `color` says), a lone
    surrogate written as an escape (`escape.encoded`); a stream that cannot be written is one
    line and exit 2."""
    from click import _compat, globals  # click.echo's own decision (a terminal, its test runner)

    if _compat.should_strip_ansi(out, globals.resolve_color_default(color)):
        text = click.unstyle(text)
    _write_stream(out, encoded(text))


def _write_stream(out: TextIO, data: bytes) -> None:
    try:
        out.flush()
        buffer = getattr(out, "buffer", None)
        if buffer is None:  # a text-only stream (an embedding): what its encoding takes
            out.write(data.decode("utf-8"))
        else:
            buffer.write(data)
            buffer.flush()
        out.flush()
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say to it
        _stdout_gone()
    except OSError as exc:
        name = "stdout" if out is sys.stdout else "stderr"
        raise ConfigError(f"cannot write the report to {name} ({exc.strerror}); "
                          "free space or pass --output-file FILE") from None


def _stdout_gone() -> None:
    """The reader of stdout closed it: write nothing more there (not even at exit)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _write_output(path: str, text: str | Iterable[str], what: str) -> None:
    """A report or baseline named with --output-file / --write-baseline: whole or not at all,
    never through a symlink (`discovery.write_named`); `text` may come in pieces."""
    from drmigrate.discovery import write_named

    pieces = [text] if isinstance(text, str) else text
    try:
        write_named(path, (encoded(piece) for piece in pieces), what)
    except SourceError as exc:
        raise ConfigError(str(exc)) from None


def _add_noqa(results: Sequence[FileResult], cfg: Config, settings: config.Settings, reason: str | None, *,
              quiet: bool, color: bool | None) -> int:
    """`check --add-noqa`: write the directives, say what was written and what was refused.
    Exit 0 when every finding got its comment, 1 when some could not (the gate stays red there),
    2 when a file could not be analysed."""
    from drmigrate.noqa import DEFAULT_REASON
    from drmigrate.pipeline import add_suppressions


    done = add_suppressions(results, cfg, settings, reason or DEFAULT_REASON)
    for r in results:
        if r.status == "error":
            click.echo(_one_line(f"{r.path}: error: {r.reason}"), err=True, color=color)
    for item in done:
        for why in item.refused:
            click.echo(f"{click.style(_one_line(item.path), bold=True)}: "
                       f"{click.style('not suppressed', fg='yellow')}: {_one_line(why)}", err=True, color=color)
    written = [d for d in done if d.lines]
    if not quiet:
        findings = sum(d.findings for d in written)
        lines = sum(d.lines for d in written)
        head = (f"Added {reporters.plural(lines, 'suppression comment')} for {reporters.plural(findings, 'finding')} "
                f"in {reporters.plural(len(written), 'file')}." if written else "No suppression comments added.")
        unused = sum(1 for r in results for f in r.findings if f.code == "DR300")
        if unused:
            head += (f" {reporters.plural(unused, 'unused suppression')} (DR300) got no comment: "
                     "remove {}.".format("it" if unused == 1 else "them"))
        left = sum(d.left for d in done)
        if left:
            head += (f" {reporters.plural(left, 'finding')} left as {'it was' if left == 1 else 'they were'}: "
                     "no comment can stand there (above).")
        click.echo(head, color=color)
    if any(r.status == "error" for r in results):
        return EXIT_ERROR
    return EXIT_FINDINGS if any(d.left for d in done) else EXIT_CLEAN


def _watch(paths: Sequence[str], once: Callable[[], None]) -> None:
    """Run `once`, then again after every change to a file under `paths` that drmigrate reads
    (watchfiles: the system's file events, not polling), until Ctrl-C."""
    import time

    try:
        import watchfiles
    except ImportError:
        raise UsageError("--watch needs the watchfiles package: pip install 'drmigrate[watch]'") from None

    from drmigrate.runner import reads

    roots = [p for p in (tuple(paths) or (".",))]
    missing = [p for p in roots if not os.path.exists(p)]
    if missing:
        raise UsageError(f"{missing[0]}: no such file or directory; --watch needs paths that exist")

    def relevant(change: watchfiles.Change, path: str) -> bool:
        parts = Path(path).parts
        if any(part in (".git", ".drmigrate_cache", "node_modules", "__pycache__") for part in parts):
            return False
        name = os.path.basename(path)
        return reads(name) or name in config.CONFIG_NAMES

    def one_run() -> None:
        stamp = time.strftime("%H:%M:%S")
        click.echo(click.style(f"[{stamp}] drmigrate: checking {' '.join(roots)}", dim=True), err=True)
        try:
            once()
        except SystemExit:
            pass
        except click.ClickException as exc:
            exc.show()
        click.echo(click.style("Watching for file changes (Ctrl-C stops).", dim=True), err=True)
        sys.stdout.flush()

    one_run()
    try:
        for changes in watchfiles.watch(*roots, watch_filter=relevant, raise_interrupt=False):
            if changes:
                one_run()
    except KeyboardInterrupt:
        pass


def _without_parsers(report: str) -> str:
    return "\n".join(re.sub(r" \[[\w-]+\]$", "", line) for line in report.split("\n"))


def exit_code(results: Sequence[FileResult], *, exit_zero: bool = False, fixing: bool = False,
              exit_non_zero_on_fix: bool = False) -> int:
    """2 on errors; 1 when findings remain, or (with `exit_non_zero_on_fix`) a fix changed a file."""
    if any(r.status == "error" for r in results):
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    if any(r.findings for r in results):
        return EXIT_FINDINGS
    if any(r.status == "fixed" for r in results) and (exit_non_zero_on_fix or not fixing):
        return EXIT_FINDINGS
    return EXIT_CLEAN


@main.command("server")
@click.option("--stdio", is_flag=True, help="Speak LSP over stdin/stdout (the default, and the only transport).")
def serve(stdio: bool) -> None:
    """Run the language server for editors (LSP over stdio): diagnostics, quick fixes, hover."""
    try:
        from drmigrate import server
    except ImportError as exc:
        raise UsageError(f"`drmigrate server` needs pygls ({exc.name} is missing): "
                         "pip install 'drmigrate[server]'") from None
    server.start()


@main.group()
def report() -> None:
    """Work with JSON reports: combine the reports of many repositories into one status."""


@report.command("merge")
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(MERGE_FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the merged report to FILE instead of stdout.")
def merge_reports(reports: Sequence[str], fmt: str, output_file: str | None) -> None:
    """Combine JSON reports (`check --format json`), one per repository, into one.

    Each report is tagged with its repository: the name given to `check --repository NAME`, else
    the report file's name without `.json`.
    """
    from drmigrate.report import html as report_html
    from drmigrate.report import merge as report_merge

    docs = []
    for path in reports:
        text = _read_utf8(path, what="report", limit=report_merge.MAX_SIZE,
                          missing=f"no such report; make it with `drmigrate check --format json "
                                  f"--output-file {path}`",
                          not_text="not a drmigrate JSON report (not UTF-8 text)")
        try:
            docs.append((path, report_merge.parse(text, path)))
        except report_merge.ReportError as exc:
            raise ConfigError(str(exc)) from None
    try:
        merged = report_merge.merge(docs, version=reporters.tool_version())
    except report_merge.ReportError as exc:
        raise ConfigError(str(exc)) from None
    if fmt == "json":
        out = json.dumps(merged, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "html":
        out = report_html.page(merged)
    else:
        out = report_merge.to_text(merged)
    if output_file is None:
        echo(out, sys.stdout)
        return
    _write_output(output_file, click.unstyle(out), "report")


@main.command("config")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--config", "config_file", type=click.Path(), metavar="FILE", help="Read this configuration file.")
def show_config(paths: Sequence[str], config_file: str | None) -> None:
    """Print the resolved settings for PATHS and where each came from."""
    try:
        settings = config.resolve(tuple(paths) or (".",), config_file)
    except config.ConfigFileError as exc:
        raise ConfigError(str(exc)) from None
    click.echo(f"# configuration file: {settings.file or '(none found: defaults)'}")
    click.echo(f"# {settings.search}")
    for note in settings.ignored:
        click.echo(f"# {printable(note)}")
    click.echo(f"# patterns are relative to: {settings.root}")
    for key, value, origin in settings.describe():
        click.echo(f"{key} = {value}  # {origin}")
    click.echo(f"# receiver names in effect: {', '.join(settings.receivers())}")


@main.command("rules")
@click.option("--rules", "rules_path", type=click.Path(), metavar="FILE", help="A rule table to list.")
@click.option("--markdown", is_flag=True, help="Print the tables as Markdown (the README's rule list).")
def list_rules(rules_path: str | None, markdown: bool) -> None:
    """List the per-method rule table and the finding codes."""
    table = _load_table(rules_path)
    if markdown:
        click.echo(rules_markdown(table), nl=False)
        return
    click.echo(f"Rule table: {table.source_title}\n  {table.source_url}\n")
    click.echo("Calls (the DigitalRiver.js calls the payment-sessions docs touch):")
    for call in table.calls.values():
        click.echo(f"  {_call_signature(call):<44} {_call_rule_text(call)}")
    click.echo("\nPer payment method (add sessionId; remove):")
    for rule in table.methods.values():
        removes = ", ".join(".".join(p) for p in rule.remove) or "nothing"
        hashes = " / ".join(rule.hashes)
        edition = "" if rule.edition == "2024-04" else f"  [{rule.edition} edition]"
        click.echo(f"  {rule.type:<22} hash {hashes:<22} remove {removes}{edition}")
    click.echo(f"\nSession-native (nothing removed): {', '.join(sorted(table.native_types))}")
    click.echo("\nCodes:")
    for info in table.codes.values():
        click.echo(f"  {info.code}  {info.name:<28} fix: {info.fix_safety:<6}  {info.summary}")


def _call_signature(call: CallRule) -> str:
    if call.element_types:
        return f"createElement({' / '.join(repr(e) for e in call.element_types)}, options)"
    return f"{call.call}(…)"


def _call_rule_text(call: CallRule) -> str:
    if call.kind == "source":
        where = f"`{call.payload_key}`" if call.payload_key else "the payload"
        return f"the per-method rules apply to {where}"
    flows = f" (flow {' / '.join(call.session_flows)}; other flows are left alone)" if call.session_flows else ""
    keep = f"; {', '.join(call.keep)} stay" if call.keep else ""
    return f"needs `sessionId`{flows}{keep}: {call.code}"


def rules_markdown(table: RuleTable) -> str:
    """The README's rule list, generated from the rule table so the two never disagree."""
    out = ["| call | rule | doc section |", "|---|---|---|"]
    for call in table.calls.values():
        out.append(f"| `{_call_signature(call)}` | {_call_rule_text(call)} | {call.doc_section} |")
    out += ["", "| type | nested hash | remove (besides adding `sessionId`) | doc edition |",
            "|---|---|---|---|"]
    for rule in table.methods.values():
        removes = ", ".join(f"`{'.'.join(p)}`" for p in rule.remove) or "nothing"
        hashes = " or ".join(f"`{h}`" for h in rule.hashes)
        out.append(f"| `{rule.type}` | {hashes} | {removes} | {rule.edition} |")
    out += ["", "| code | name | fix | what it reports |", "|---|---|---|---|"]
    for info in table.codes.values():
        out.append(f"| {info.code} | `{info.name}` | {info.fix_safety} | {info.summary} |")
    return "\n".join(out) + "\n"


@main.command()
@click.argument("word", metavar="CODE")
@click.option("--rules", "rules_path", type=click.Path(), metavar="FILE", help="A rule table to read.")
def explain(word: str, rules_path: str | None) -> None:
    """Explain a finding code (DR101 or its name, legacy-amount-currency), a payment method
    type (payPal, googlePay) or a call (createDropin), in any case."""
    table = _load_table(rules_path)
    topic = table.topic(word)
    if topic is None:
        nearest = table.nearest(word)
        hint = f"did you mean `{nearest}`? " if nearest else ""
        raise NotFoundError(f"unknown code or type {word!r}; {hint}`drmigrate rules` lists them")
    if topic.code is not None:
        _explain_code(table, topic.code)
    elif topic.method is not None:
        _explain_method(topic.method)
    elif topic.call is not None:
        _explain_call(topic.call)
    else:
        assert topic.native is not None
        _explain_native(table, topic.native)


def _explain_code(table: RuleTable, info: CodeInfo) -> None:
    click.echo(explain_code_text(table, info))


def explain_code_text(table: RuleTable, info: CodeInfo) -> str:
    """`drmigrate explain CODE`: what the code reports, why, its fix, the doc and an example (the
    language server's hover shows the same)."""
    title = info.general_fix_title
    lines = [f"{info.code} ({info.name})", "", info.summary, "", "Why", f"  {info.rationale}", "",
             "Fix", f"  {title} ({info.fix_safety})" if title else f"  none ({info.fix_safety})", ""]
    if info.fix_safety_notes:
        lines += ["Fix safety", *(f"  - {note}" for note in info.fix_safety_notes), ""]
    lines += ["Doc", f"  {table.source_title}", f"  {table.source_url}", "", "Example", "  before:"]
    lines += ["    " + line for line in info.example_before.splitlines()]
    lines.append("  after:")
    lines += ["    " + line for line in (info.example_after or "(removed)").splitlines()]
    return "\n".join(lines)


def _explain_method(rule: MethodRule) -> None:
    click.echo(f"{rule.type} ({rule.title})\n\nDoc section: {rule.doc_section} [{rule.edition}]")
    click.echo(f"Nested hash: {' or '.join(rule.hashes)} (legacy keys are stripped from whichever is present)")
    click.echo("Add: sessionId (placed right after `type`)")
    click.echo("Remove: " + (", ".join(".".join(p) for p in rule.remove) or "nothing"))
    for report in rule.report:
        click.echo(f"Reported, removed only with --unsafe-fixes: {'.'.join(report.path)} ({report.code})")
    for note in rule.notes:
        click.echo(f"Note: {note}")


def _explain_call(call: CallRule) -> None:
    click.echo(f"{call.name} ({call.title})\n\nCall: {_call_signature(call)}\nDoc section: {call.doc_section}")
    click.echo(f"Rule: {_call_rule_text(call)}")
    for note in call.notes:
        click.echo(f"Note: {note}")


def _explain_native(table: RuleTable, native: str) -> None:
    click.echo(f"{native} (session-native)\n\nNot among the methods of the doc's migration section: "
               "its page was session-based from the start.")
    click.echo("Add: nothing (the payload is left as it is)")
    click.echo("Remove: nothing")
    reports = ", ".join(f"{'.'.join(r.path)} ({r.code})" for r in table.native_report)
    if reports:
        click.echo(f"Reported, removed only with --unsafe-fixes: {reports}")
    click.echo(f"Note: {table.native_note}")


if __name__ == "__main__":  # pragma: no cover
    main()
