"""Attack suite, time (issue 20): every scanner runs in time linear in its input, whatever it holds.

Each case feeds one scanner an adversarial input at a size `n` and at `4 n`, in the same process,
and compares the two times: linear work takes about 4 times as long, quadratic work 16 times,
exponential work never finishes. The bound is a ratio within one run, never an absolute time
(the machine's speed cancels out); `n` is doubled first until the small input takes 20 ms, so
that timer noise does not decide. A case runs in its own process with a timeout, so a scanner
that hangs fails instead of stopping the suite.

The inputs are the ones the review found (PHP tags of comments, `{{ x` lines, ERB `<%`, ASP.NET
`<%--`, a suppression comment followed by blanks) and the same shape for every other syntax a
scanner reads: an opener whose closer never comes, repeated.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from drmigrate.frontends import templates
from tests.attacklib import PACKAGE_ROOT, env

RATIO = 8.0  # for 4 times the input: linear is ~4, quadratic ~16
JS_CALL = "<script>digitalriver.createSource({type: 'payPal', amount: 1, payPal: {}});</script>\n"

# (id, setup code defining `make(n) -> input` and `run(input)`, starting n)
CASES: list[tuple[str, str, int]] = [
    *[(f"tags {suffix} {opener!r}", (f"from drmigrate.frontends.templates import find_tags\n"
       f"make = lambda n: {opener!r} * n\nrun = lambda text: find_tags(text, {suffix!r})"), 500)
      for suffix, opener in [
          (".html", "{{ x\n"), (".html", "{% x\n"), (".html", "{# x\n"), (".html", "{{{ x }}\n"),
          (".erb", "<% x\n"), (".erb", "<%= x\n"), (".aspx", "<%-- x %>\n"), (".aspx", "<%@ x\n"),
          (".php", "<?php /**/ "), (".phtml", "<?= /* x\n"), (".jsp", "${ {a} x\n"), (".isml", "<isprint a=\"x\" "),
          (".isml", "<iscomment x\n"), (".isml", "<!--- x\n"), (".isml", "<isif a='x "), (".page", "{! {a} x\n"),
          (".cshtml", "@( (a) x\n"), (".tpl", "{* x\n"), (".tpl", "{$a|x "), (".tpl", "{l s=x "),
          (".tpl", "{literal}{$a}"), (".tpl", "{if x "), (".xhtml", "#{ {a} x\n"), (".vm", "{{ x <% y <?php z\n"),
      ]],
    ("php tag of comments", ("from drmigrate.frontends.templates import find_tags\n"
     "make = lambda n: '<?php ' + '/**/' * n + ' $x ?>'\n"
     "run = lambda text: [t.outputs for t in find_tags(text, '.php')]"), 500),
    ("php output of comments", ("from drmigrate.frontends.templates import php_outputs\n"
     "make = lambda n: ' /**/' * n + ' x'\nrun = php_outputs"), 500),
    ("scripts: unclosed attributes", ("from drmigrate.frontends.templates import find_scripts\n"
     "make = lambda n: '<script a=\"' * n + '>'\nrun = lambda text: find_scripts(text, [])"), 500),
    ("scripts: unclosed comments", ("from drmigrate.frontends.templates import find_scripts\n"
     "make = lambda n: '<!-- <script>' * n\nrun = lambda text: find_scripts(text, [])"), 500),
    ("mask: tags in one script", ("from drmigrate.frontends.templates import find_tags, find_scripts, mask\n"
     "make = lambda n: '<script>' + 'a = <?= $x ?>;\\n' * n + '</script>'\n"
     "def run(text):\n    tags = find_tags(text, '.php')\n    mask(text, find_scripts(text, tags), tags)"), 200),
    ("mask: many scripts", ("from drmigrate.frontends.templates import find_tags, find_scripts, mask\n"
     "make = lambda n: '<script>a = <?= $x ?>;</script>\\n' * n\n"
     "def run(text):\n    tags = find_tags(text, '.php')\n    mask(text, find_scripts(text, tags), tags)"), 200),
    ("suppression followed by blanks", ("from drmigrate.suppressions import Suppressions\n"
     "make = lambda n: '// drmigrate-ignore -- reason' + ' ' * n + 'x\\n'\nrun = Suppressions"), 2000),
    ("suppression codes", ("from drmigrate.suppressions import Suppressions\n"
     "make = lambda n: '// drmigrate-ignore: ' + 'DR1, ' * n + '\\n'\nrun = Suppressions"), 500),
    ("suppressions, many", ("from drmigrate.suppressions import Suppressions\n"
     "make = lambda n: '// drmigrate-ignore -- a\\n' * n\nrun = Suppressions"), 500),
    ("baseline fingerprint text", ("from drmigrate.report.baseline import normalize\n"
     "make = lambda n: ',' * n + 'x'\nrun = normalize"), 2000),
    ("call search, text", ("from drmigrate.calls import mentioned\n"
     "make = lambda n: 'x.createElement(' * n + ('createElement' + ' ' * 40) * n\nrun = mentioned"), 500),
    ("call search, bytes", ("from drmigrate.calls import mentioned_in_bytes\n"
     "make = lambda n: (b'a.paymentRequest ' + b' ' * 40) * n\nrun = mentioned_in_bytes"), 500),
    ("build output", ("from drmigrate.frontends.bundles import classify\n"
     "make = lambda n: ('var _classCallCheck' + ' ' * 20 + '\\n') * n\n"
     "run = lambda text: classify('a.js', text)"), 500),
    ("python shape: brackets", ("from drmigrate.frontends.python_cst import shape_problem\n"
     "make = lambda n: ('x = ' + '[\\n' * 90 + ']\\n' * 90) * n\nrun = shape_problem"), 20),
    ("python shape: chains", ("from drmigrate.frontends.python_cst import shape_problem\n"
     "make = lambda n: ('x = a' + '.b' * 240 + '\\n') * n\nrun = shape_problem"), 20),
    ("report shape", ("import json\nfrom drmigrate.report.merge import parse\n"
     "make = lambda n: json.dumps({'version': 1, 'files': [], 'findings': [{'path': 'a', 'code': 'DR1', "
     "'frame': [{'line': 1, 'before': 'x', 'marked': 'y', 'after': 'z'}], 'x': [[[1]]]}] * n})\n"
     "run = lambda text: parse(text, 'r.json')"), 200),
    ("printable", ("from drmigrate.escape import printable\n"
     "make = lambda n: '\\x1b]0;x\\x07\\u202e' * n\nrun = printable"), 2000),
    *[(f"code frames on one long {kind} line", ("from drmigrate.report.codeframe import rows\n"
       f"make = lambda n: ({unit!r} * n).split('\\n')\n"
       "def run(lines):\n    made = {}\n    for col in range(1, len(lines[0]) - 8, 8):\n"
       "        rows(lines, 1, col, 1, col + 4, made)"), 200)
      for kind, unit in [("ASCII", "{a: 1}, "), ("CJK and tab", "{価:\t1}, ")]],
    *[(f"check {name}", (f"from drmigrate.runner import check_text\n"
       f"make = lambda n: {(JS_CALL if path != 'a.js' else JS_CALL[8:-10] + chr(10))!r} + {body!r} * n\n"
       f"run = lambda text: check_text(text, {path!r})"), size)
      for name, path, body, size in [
          ("php comments", "a.php", "<?php /**/ $x ?>\n", 200),
          ("html {{ lines", "a.html", "{{ x\n", 500),
          ("erb <%", "a.erb", "<% x\n", 500),
          ("aspx <%--", "a.aspx", "<%-- x\n", 500),
          ("js suppression blanks", "a.js", "// drmigrate-ignore -- r" + " " * 2000 + "x\n", 20),
          ("html event handlers", "a.html", '<!-- c --><a onclick="digitalriver.createSource(p)">x</a>\n', 50),
          ("html comments and tags", "a.html", "<!-- c --><b><i>\n", 500),
      ]],
    # the project index's importer search: a module's name ending many strings on one long line
    *[(f"importer specifiers: {name}", ("from drmigrate.project.index import _quoted_ends, _specifier_ends\n"
       f"ends = _specifier_ends({target!r}, ('alias',))\n"
       f"make = lambda n: 'var a = ' + {unit!r} * n\nrun = lambda text: _quoted_ends(text, ends)"), 500)
      for name, target, unit in [
          ("stems", "src/payload.js", "'x/payload'+"), ("unclosed", "src/payload.js", "payload'"),
          ("no quote", "src/payload.js", "payload.js?"), ("folders", "lib/index.js", "'../lib/'+"),
          ("dots", "lib/index.js", "'..'+"), ("aliases", "src/payload.js", "'alias'+"),
      ]],
]

PROBE = """
import sys, time
{setup}
def best(value):
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run(value)
        times.append(time.perf_counter() - start)
    return min(times)
n = {n}
small_input = make(n)
small = best(small_input)
while small < 0.03 and n < 1_000_000:
    n *= 2
    small_input = make(n)
    small = best(small_input)
large_input = make(4 * n)
# the machine is shared: a ratio over the bound is measured again (twice) before it counts
for _ in range(3):
    small, large = best(small_input), best(large_input)
    if large / small < {ratio}:
        break
print(n, small, large)
"""


@pytest.mark.parametrize(("setup", "n"), [pytest.param(c[1], c[2], id=c[0]) for c in CASES])
def test_time_grows_linearly(setup: str, n: int) -> None:
    code = PROBE.format(setup=setup, n=n, ratio=RATIO)
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                              cwd=PACKAGE_ROOT, env=env(), check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("did not finish in 120 s: super-linear")
    assert done.returncode == 0, done.stderr[-2000:]
    size, small, large = done.stdout.split()
    ratio = float(large) / float(small)
    print(f"n={size}: {float(small) * 1000:.1f} ms, 4n: {float(large) * 1000:.1f} ms, x{ratio:.1f}")
    assert ratio < RATIO, f"n={size}: {float(small) * 1000:.1f} ms, 4n: {float(large) * 1000:.1f} ms (x{ratio:.1f})"


# --------------------------------------------------------------------------- the scanner means the expressions

TEXTS = ["{{ a }} {{# b }} {{{ c }}} {% d %} {# e #} {{ f", "<?php echo 1 ?> <?= $x ?> <?xml v ?> <? y", "<%= a %> <% b %>",
         "<%-- c --%> <%: d %> <%@ e %> <%-- f %>", "${a} ${b {c} d} ${e", ("<isprint value=\"${x}\" encoding='on'> "
         "<iscomment>x</iscomment> <!--- y ---> <isif condition=\"a > b\"> </isif> <isprint a=\""), "{!a} {!b {c}}",
         "@a.b(c) @(x (y)) @@ d@e", ("{* c *} {$a|escape} {$b nofilter} {#c#} {if $x} {/if} {l s='a' mod=\"b\"} "
         "{literal}{$no}{/literal} {$yes}"), "#{a} #{b {c}}", "<![CDATA[ x ]]>", "{{ <% <?php {% {# x"]


@pytest.mark.parametrize("suffix", sorted(templates.LANGUAGES) + [".vm"])
def test_the_scanner_finds_what_the_expressions_match(suffix: str) -> None:
    """The tag syntaxes are defined as regular expressions; the linear scanner must find exactly
    their matches (leftmost, first alternative), on every sample and on random mixtures."""
    import random

    parts = templates.LANGUAGES.get(suffix, templates.GENERIC)
    if not parts:
        assert templates.find_tags("{{ a }} <?php b ?>", suffix) == []
        return
    reference = re.compile("|".join(parts), re.IGNORECASE)
    pieces = [p for t in TEXTS for p in re.split(r"(\s)", t)]
    rng = random.Random(suffix)
    samples = TEXTS + ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(400)]
    for text in samples:
        literals = ([m.span(1) for m in re.finditer(r"\{literal\}([\s\S]*?)\{/literal\}", text)]
                    if templates._SMARTY in parts and "{literal}" in text else [])
        expected = [m.span() for m in reference.finditer(text)
                    if not any(a <= m.start() < b for a, b in literals)]
        assert [t.span for t in templates.find_tags(text, suffix)] == expected, text


@pytest.mark.parametrize(("body", "prints"), [
    pytest.param(" echo $x ", True, id="echo"),
    pytest.param(" /* a */ // b\n PRINT($x) ", True, id="comments-then-print"),
    pytest.param(" /* a */ x */ echo $x ", False, id="a-comment-ends-at-its-first-close"),
    pytest.param(" /* never closed echo", False, id="unclosed"),
    pytest.param(" echoes()", False, id="another-word"),
])
def test_php_outputs(body: str, prints: bool) -> None:
    assert templates.php_outputs(body) is prints


def test_a_page_of_many_blocks_with_one_broken_reads_the_rest() -> None:
    from drmigrate.runner import check_text

    page = JS_CALL * 3 + "<script>var a = (;</script>\n" + JS_CALL.replace("payPal", "payco", 1)
    codes = [(f.line, f.code) for f in check_text(page, "a.html")]
    assert (1, "DR100") in codes and (5, "DR100") in codes  # the blocks around the broken one


def test_code_frames_of_long_lines_are_what_the_full_line_gives() -> None:
    """A frame cut from a long line near its span is the frame the whole line gives (the
    unoptimised way, kept as `codeframe._window` without widths)."""
    import random

    from drmigrate.report import codeframe

    rng = random.Random(20)
    alphabet = ["a", " ", "\t", "価", "\u0301", "\x1b", "\u2028", "x", ",", "\u200b"]
    for _ in range(300):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 600)))
        start = rng.randint(0, len(line))
        end = rng.randint(start, len(line))
        pieces = codeframe._pieces(line)
        expected = codeframe.Row(1, *codeframe._window("".join(pieces[:start]), "".join(pieces[start:end]),
                                                       "".join(pieces[end:])))
        assert codeframe._Line(line).row(1, start, end) == expected, (line, start, end)
