"""Which calls drmigrate takes to be free of side effects: the documented list of known-pure builtins.

Removing a legacy key drops its value; removing a write drops its right-hand side. A value is
dropped silently only when it is proven free of effects (ruff's fix safety is the model): literals,
reads of variables and properties, operators, functions written as values (not called), calls of
the builtins listed here with arguments that are free of effects themselves (a callback passed to
`map` / `reduce` / `array_map` must be a function whose body is proven pure), and in JavaScript a
function of the same file whose body the analysis proves pure (`frontends.jseffects`). Everything
else — any other call (a name proves nothing: `computeTotal()` may push to `dataLayer`,
`$order->calculate_totals()` saves the order), `new` (but of value types such as `Date`), an
assignment, `++`, `delete`, `await`, `yield`, an immediately-invoked function whose body does
something, a getter in the payload — may do something. Such a value is never deleted silently: a
removed write keeps it as a statement of its own, and a key holding it becomes an unsafe fix
(`--unsafe-fixes`). A property read is taken as a read: a getter defined elsewhere is not seen.
"""

from __future__ import annotations

# JavaScript: functions by their dotted name (`Math.*`: every member of Math).
JS_PURE_FUNCTIONS = frozenset({
    "Number", "String", "Boolean", "BigInt", "parseFloat", "parseInt", "isNaN", "isFinite",
    "Number.parseFloat", "Number.parseInt", "Number.isNaN", "Number.isFinite", "Number.isInteger",
    "Number.isSafeInteger", "JSON.stringify", "JSON.parse", "Object.keys", "Object.values",
    "Object.entries", "Object.fromEntries", "Object.freeze", "Array.isArray", "Array.of", "Array.from",
    "encodeURIComponent", "encodeURI", "decodeURIComponent", "decodeURI", "Date.now", "Date.parse",
    "Date.UTC", "String.fromCharCode",
})
JS_PURE_NAMESPACES = frozenset({"Math"})
# JavaScript: methods by their name, on any receiver (strings, numbers, arrays, dates).
JS_PURE_METHODS = frozenset({
    "toFixed", "toPrecision", "toString", "toLocaleString", "toLowerCase", "toUpperCase",
    "toLocaleLowerCase", "toLocaleUpperCase", "trim", "trimStart", "trimEnd", "padStart", "padEnd",
    "slice", "substring", "substr", "charAt", "charCodeAt", "codePointAt", "indexOf", "lastIndexOf",
    "includes", "startsWith", "endsWith", "split", "concat", "join", "replace", "replaceAll", "repeat",
    "normalize", "at", "valueOf", "hasOwnProperty", "toISOString", "toJSON", "getTime", "getFullYear",
    "getMonth", "getDate", "getDay", "getHours", "getMinutes", "getSeconds",
    "map", "filter", "reduce", "reduceRight", "find", "findIndex", "findLast", "findLastIndex", "some",
    "every", "flat", "flatMap", "keys", "values", "entries",
})
# ... of which these call the function they are given: it must be proven pure as well.
JS_CALLBACK_METHODS = frozenset({
    "map", "filter", "reduce", "reduceRight", "find", "findIndex", "findLast", "findLastIndex", "some",
    "every", "flatMap", "replace", "replaceAll", "Array.from",
})
# Constructors of value types: `new Date()` makes a value and does nothing else.
JS_VALUE_CONSTRUCTORS = frozenset({"Date", "Number", "String", "Array", "Object", "Map", "Set", "URL",
                                   "URLSearchParams", "RegExp", "Intl.NumberFormat", "Intl.DateTimeFormat"})

# PHP: functions by name (case-insensitive, as PHP calls them).
PHP_PURE_FUNCTIONS = frozenset({
    "intval", "floatval", "doubleval", "strval", "boolval", "round", "floor", "ceil", "abs", "min", "max",
    "number_format", "sprintf", "count", "strlen", "strtoupper", "strtolower", "ucfirst", "trim", "rtrim",
    "ltrim", "substr", "str_replace", "implode", "explode", "json_encode", "json_decode", "array_sum",
    "array_values", "array_keys", "array_map", "array_filter", "array_slice", "array_merge", "in_array",
    "is_array", "is_numeric", "isset", "empty", "htmlspecialchars", "esc_html", "esc_attr", "esc_url",
    "esc_js", "__", "_e", "date", "time", "strtotime", "bcadd", "bcmul", "bcdiv", "bcsub",
})
PHP_CALLBACK_FUNCTIONS = frozenset({"array_map", "array_filter"})

# Python: functions by their dotted name; methods by name on any receiver.
PYTHON_PURE_FUNCTIONS = frozenset({
    "int", "float", "str", "bool", "round", "abs", "min", "max", "sum", "len", "sorted", "list", "dict",
    "tuple", "set", "frozenset", "format", "repr", "any", "all", "enumerate", "zip", "range", "map",
    "filter", "isinstance", "getattr", "Decimal", "decimal.Decimal", "json.dumps", "json.loads",
    "math.floor", "math.ceil", "math.fsum", "str.format",
})
PYTHON_PURE_METHODS = frozenset({
    "get", "copy", "keys", "values", "items", "format", "lower", "upper", "strip", "lstrip", "rstrip",
    "split", "join", "replace", "startswith", "endswith", "quantize", "isoformat", "to_integral_value",
})


def js_pure_function(name: str) -> bool:
    """`parseFloat`, `Math.round`: a builtin function known to have no side effects."""
    return name in JS_PURE_FUNCTIONS or name.split(".", 1)[0] in JS_PURE_NAMESPACES and "." in name
