"""Command line (click): parse options, run the pipeline over the files, map results to exit codes.

Exit codes: 0 nothing to report; 1 findings remain, or files would change / were changed; 2 usage
or configuration error, or a file could not be read or parsed (the other files are still processed).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from drmigrate import reporters
from drmigrate.discovery import Source, SourceError, decode, iter_files, read_source, write_source
from drmigrate.engine import Options
from drmigrate.model import FileResult
from drmigrate.rules import RuleTable, RuleTableError, load_table
from drmigrate.runner import JS_EXTENSIONS, JSX_EXTENSIONS, Config, make_config, result_for

F = TypeVar("F", bound=Callable[..., Any])
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUFFIXES = JS_EXTENSIONS | JSX_EXTENSIONS


class UsageError(click.UsageError):
    exit_code = EXIT_ERROR


class ConfigError(click.ClickException):
    """A bad rule table or configuration: one line, exit 2."""

    exit_code = EXIT_ERROR


def _codes(value: str | None) -> tuple[str, ...]:
    return tuple(c.strip().upper() for c in (value or "").split(",") if c.strip())


def validate_session_expr(expr: str) -> str:
    """The --session-id value must be one JavaScript expression."""
    from drmigrate.frontends.esprima_js import parse
    from drmigrate.frontends import ParseError

    try:
        program = parse(f"({expr}\n);")
    except ParseError:
        raise UsageError(f"--session-id {expr!r} is not a JavaScript expression; "
                         "pass e.g. --session-id 'checkout.payment.session.id'") from None
    if len(program.body) != 1 or program.body[0].type != "ExpressionStatement":
        raise UsageError(f"--session-id {expr!r} must be a single JavaScript expression")
    return expr


def common_options(func: F) -> F:
    options = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--diff", is_flag=True, help="Show the fixes as a unified diff; write nothing."),
        click.option("--select", metavar="CODES", help="Only these codes (comma-separated; prefixes like DR1 work)."),
        click.option("--ignore", metavar="CODES", help="Skip these codes (comma-separated prefixes)."),
        click.option("--session-id", "session_id", metavar="EXPR",
                     help="JavaScript expression to insert as sessionId (default: a placeholder that DR110 reports)."),
        click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes declared unsafe."),
        click.option("--stdin-filename", metavar="PATH", help="The name to report for input read from `-`."),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                     help="Report format."),
        click.option("--rules", "rules_path", type=click.Path(), metavar="FILE",
                     help="Use this rule table instead of the bundled one."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain (errors still exit 2)."),
        click.option("-v", "--verbose", is_flag=True, help="List every file with its status and parser."),
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
def check(**kwargs: Any) -> None:
    """Report legacy payloads (never writes). PATHS default to the current directory; `-` reads stdin."""
    run(fixing=False, **kwargs)


@main.command()
@common_options
def fix(**kwargs: Any) -> None:
    """Rewrite legacy payloads in place (with `-`, the result goes to stdout)."""
    run(fixing=True, **kwargs)


def _load_table(rules_path: str | None) -> RuleTable:
    try:
        return load_table(rules_path)
    except RuleTableError as exc:
        raise ConfigError(str(exc)) from None


def run(
    *,
    fixing: bool,
    paths: Sequence[str] = (),
    diff: bool = False,
    select: str | None = None,
    ignore: str | None = None,
    session_id: str | None = None,
    unsafe_fixes: bool = False,
    stdin_filename: str | None = None,
    fmt: str = "text",
    rules_path: str | None = None,
    exit_zero: bool = False,
    verbose: bool = False,
) -> None:
    table = _load_table(rules_path)
    sessions = {"js": validate_session_expr(session_id)} if session_id is not None else {}
    options = Options(session_id=sessions, select=_codes(select), ignore=_codes(ignore),
                      unsafe_fixes=unsafe_fixes)
    unknown = [c for c in options.select + options.ignore if not any(k.startswith(c) for k in table.codes)]
    if unknown:
        raise UsageError(f"unknown rule code {unknown[0]}; `drmigrate rules` lists the codes")
    config = make_config(table, options)
    paths = tuple(paths) or (".",)
    results: list[FileResult] = []
    stdout_text: str | None = None
    if paths == ("-",):
        name = stdin_filename or "-"
        try:
            source = decode(sys.stdin.buffer.read(), name)
        except SourceError as exc:
            results.append(FileResult(name, "error", str(exc).split(": ", 1)[1]))
        else:
            result = result_for(name, source.text, config, fix=fixing and not diff, diff=diff)
            results.append(result)
            if fixing and not diff:
                stdout_text = ("\ufeff" if source.bom else "") + (result.fixed or source.text)
    else:
        for path, problem in iter_files(paths, SUFFIXES):
            if problem:
                results.append(FileResult(path, "error", problem))
                continue
            results.append(_process_file(path, config, fixing=fixing, diff=diff))
    _emit(results, fmt=fmt, fixing=fixing and not diff, diff=diff, verbose=verbose, stdout_text=stdout_text)
    sys.exit(exit_code(results, exit_zero=exit_zero))


def _process_file(path: str, config: Config, *, fixing: bool, diff: bool) -> FileResult:
    try:
        source: Source = read_source(path)
    except SourceError as exc:
        return FileResult(path, "error", str(exc).split(": ", 1)[1])
    result = result_for(path, source.text, config, fix=fixing and not diff, diff=diff)
    if result.changed and fixing and not diff and result.fixed is not None:
        try:
            write_source(source, result.fixed)
        except SourceError as exc:
            return FileResult(path, "error", str(exc).split(": ", 1)[1], result.findings, result.parser)
    return result


def _emit(results: Sequence[FileResult], *, fmt: str, fixing: bool, diff: bool, verbose: bool,
          stdout_text: str | None) -> None:
    out = click.get_text_stream("stdout")
    if stdout_text is not None:
        # `fix -`: the fixed source is the output; the report goes to stderr
        sys.stdout.buffer.write(stdout_text.encode("utf-8"))
        sys.stdout.flush()
        out = click.get_text_stream("stderr")
    if diff:
        # the diff is the output; the report goes to stderr, as with `ruff check --diff`
        click.echo(reporters.to_diff(results), nl=False, file=out)
        out = click.get_text_stream("stderr")
    if fmt == "json":
        click.echo(reporters.to_json(results), nl=False, file=out)
    else:
        click.echo(reporters.to_text(results, fixing=fixing, verbose=verbose), nl=False, file=out)


def exit_code(results: Sequence[FileResult], *, exit_zero: bool = False) -> int:
    if any(r.status == "error" for r in results):
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    if any(r.findings or r.changed for r in results):
        return EXIT_FINDINGS
    return EXIT_CLEAN


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
    click.echo("Per payment method (add sessionId; remove):")
    for rule in table.methods.values():
        removes = ", ".join(".".join(p) for p in rule.remove) or "nothing"
        hashes = " / ".join(rule.hashes)
        edition = "" if rule.edition == "2024-04" else f"  [{rule.edition} edition]"
        click.echo(f"  {rule.type:<22} hash {hashes:<22} remove {removes}{edition}")
    click.echo(f"\nSession-native (nothing removed): {', '.join(sorted(table.native_types))}")
    click.echo("\nCodes:")
    for info in table.codes.values():
        click.echo(f"  {info.code}  {info.name:<28} fix: {info.fix_safety:<6}  {info.summary}")


def rules_markdown(table: RuleTable) -> str:
    """The README's rule list, generated from the rule table so the two never disagree."""
    out = ["| type | nested hash | remove (besides adding `sessionId`) | doc edition |",
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
@click.argument("code")
@click.option("--rules", "rules_path", type=click.Path(), metavar="FILE", help="A rule table to read.")
def explain(code: str, rules_path: str | None) -> None:
    """Explain a finding code (e.g. DR101) or a payment method type (e.g. payPal)."""
    table = _load_table(rules_path)
    info = table.codes.get(code.upper())
    if info is not None:
        click.echo(f"{info.code} ({info.name})\n\n{info.summary}\n")
        click.echo(f"Why\n  {info.rationale}\n")
        fix_line = f"{info.fix_title} ({info.fix_safety})" if info.fix_title else f"none ({info.fix_safety})"
        click.echo(f"Fix\n  {fix_line}\n")
        click.echo(f"Doc\n  {table.source_title}\n  {table.source_url}\n")
        click.echo("Example\n  before:")
        click.echo("\n".join("    " + line for line in info.example_before.splitlines()))
        click.echo("  after:")
        click.echo("\n".join("    " + line for line in (info.example_after or "(removed)").splitlines()))
        return
    rule = table.methods.get(code)
    if rule is None:
        raise UsageError(f"unknown code or type {code!r}; `drmigrate rules` lists them")
    click.echo(f"{rule.type} ({rule.title})\n\nDoc section: {rule.doc_section} [{rule.edition}]")
    click.echo(f"Nested hash: {' or '.join(rule.hashes)} (legacy keys are stripped from whichever is present)")
    click.echo("Add: sessionId (placed right after `type`)")
    click.echo("Remove: " + (", ".join(".".join(p) for p in rule.remove) or "nothing"))
    for report in rule.report:
        click.echo(f"Reported, removed only with --unsafe-fixes: {'.'.join(report.path)} ({report.code})")
    for note in rule.notes:
        click.echo(f"Note: {note}")


if __name__ == "__main__":  # pragma: no cover
    main()
