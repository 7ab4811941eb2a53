"""Safe parsing of typed formulas into SymPy expressions.

A formula is untrusted text. It is checked character by character against a whitelist, parsed
with Python's :mod:`ast` (which only builds a tree, it runs nothing), and the tree is walked by
a whitelist: numbers, variable names, ``+ - * / **`` (``^`` is accepted for power), unary minus
and calls of the functions in :data:`FUNCTIONS`. What people type is read as they mean it
(:func:`_normalise`): ``2x``, ``3 sin(x)``, ``(x+1)(y-1)`` are products, ``x²`` and ``x⁻¹`` are
powers, and ``− · × ÷`` are operators. Anything else is refused with a
:class:`~gdlab.errors.FormulaError` that names the column (and a hint where one helps).
``eval``, ``exec``, ``sympify`` and ``parse_expr`` are never called on the text.

Limits (each refused with its own message): :data:`MAX_LENGTH` characters,
:data:`MAX_PAREN_DEPTH` nested parentheses, :data:`MAX_TREE_DEPTH` levels of the syntax tree,
:data:`MAX_VARIABLES` variables, integer literals up to :data:`MAX_INT_LITERAL`, constant
exponents up to :data:`MAX_EXPONENT` in magnitude, and constant powers up to
10**:data:`MAX_CONSTANT_LOG10` (so ``9**9**9**9`` is refused at once, never computed).

Example:
    >>> f = parse("x^2 + 3*y")
    >>> f.variables
    ('x', 'y')
    >>> f.expr
    x**2 + 3*y
    >>> parse("x**").expr
    Traceback (most recent call last):
    ...
    gdlab.errors.FormulaError: unexpected end of formula at column 4
"""

from __future__ import annotations

import ast
import keyword
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Sequence

from .errors import FormulaError, GdlabError

__all__ = [
    "Formula",
    "parse",
    "natural_key",
    "FUNCTIONS",
    "CONSTANTS",
    "MAX_LENGTH",
    "MAX_VARIABLES",
]

MAX_LENGTH = 2000
MAX_PAREN_DEPTH = 64
MAX_TREE_DEPTH = 200
MAX_NODES = 2000
MAX_VARIABLES = 64
MAX_NAME_LENGTH = 32
MAX_INT_LITERAL = 10**15
MAX_EXPONENT = 1000
MAX_CONSTANT_LOG10 = 400
#: Constants must be doubles: at most the largest, and none nonzero below the smallest
#: (subnormal) one (else the compiled function would silently hold inf or 0).
MAX_CONSTANT = 1.7976931348623157e308
MIN_CONSTANT = 5e-324
#: The largest argument of a periodic function that is a constant: beyond it a double holds
#: no digit of the phase, and SymPy would evaluate it exactly for ever.
MAX_PERIODIC_ARGUMENT = 1e15
#: The precision, in digits, at which constant parts are evaluated and folded.
CONSTANT_DIGITS = 30

#: Whitelisted functions: name -> number of arguments accepted.
FUNCTIONS: dict[str, tuple[int, ...]] = {
    "sin": (1,), "cos": (1,), "tan": (1,), "cot": (1,), "sec": (1,), "csc": (1,),
    "asin": (1,), "acos": (1,), "atan": (1,), "atan2": (2,),
    "sinh": (1,), "cosh": (1,), "tanh": (1,), "asinh": (1,), "acosh": (1,), "atanh": (1,),
    "exp": (1,), "log": (1, 2), "ln": (1,), "log2": (1,), "log10": (1,),
    "sqrt": (1,), "abs": (1,), "erf": (1,), "sigmoid": (1,), "softplus": (1,),
    "relu": (1,), "max": tuple(range(2, 9)), "min": tuple(range(2, 9)),
}

#: Named constants. They cannot be used as variable names.
CONSTANTS = ("pi", "e")

_ALLOWED_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ \t+-*/^().,"
)
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

_NODE_WORDS = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambda",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.GeneratorExp: "comprehensions", ast.DictComp: "comprehensions",
    ast.Compare: "comparisons", ast.BoolOp: "'and'/'or'", ast.IfExp: "'if' expressions",
    ast.Tuple: "tuples (a ',' outside a function call)", ast.List: "lists", ast.Dict: "dicts",
    ast.Set: "sets", ast.Starred: "'*' unpacking", ast.NamedExpr: "assignments",
    ast.JoinedStr: "strings", ast.Await: "'await'", ast.Yield: "'yield'",
}
_BINOP_SYMBOLS = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
    ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>",
}


@dataclass(frozen=True)
class Formula:
    """A parsed formula.

    Attributes:
        text: the text as typed.
        expr: the SymPy expression (symbols are real).
        variables: variable names in order (natural sort unless given).
        symbols: the SymPy symbols, in the same order.
    """

    text: str
    expr: Any
    variables: tuple[str, ...]
    symbols: tuple[Any, ...]

    @property
    def dim(self) -> int:
        """Number of variables."""
        return len(self.variables)

    def __str__(self) -> str:
        return str(self.expr)


def natural_key(name: str) -> tuple:
    """Sort key that orders ``x2`` before ``x10`` (digits compare as numbers).

    >>> sorted(["x10", "x2", "y", "x1"], key=natural_key)
    ['x1', 'x2', 'x10', 'y']
    """
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.findall(r"\d+|\D+", name))


def parse(text: str, variables: Sequence[str] | str | None = None) -> Formula:
    """Parse untrusted text into a :class:`Formula`.

    Args:
        text: the formula, e.g. ``"x0**2 + x1**2"``, ``"sqrt(x^2 + y^2)"``.
        variables: the variable order, as names or a comma-separated string. It must contain
            every variable of the formula and may add variables the formula does not use.
            Default: the formula's names in natural order (``x0 < x1 < x10``, then ``x < y``).

    Returns:
        The parsed :class:`Formula`.

    Raises:
        FormulaError: for anything outside the whitelist or over a limit.

    Example:
        >>> parse("sin(x)*exp(y) + x*y**3").expr
        x*y**3 + exp(y)*sin(x)
        >>> parse("x + y", variables="y,x").variables
        ('y', 'x')
    """
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be text; got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise FormulaError("empty formula")
    _check_characters(text)
    _check_parentheses(text)
    source, columns = _normalise(text)
    tree = _parse_tree(source, columns, len(text))
    _check_tree_size(tree, columns)
    symbols: dict[str, Any] = {}
    import mpmath

    with sympy_guard("build"), mpmath.workdps(CONSTANT_DIGITS):
        expr = _Converter(columns, symbols, source).convert(tree.body)
        _refuse_non_real(expr)
    names = _order_variables(symbols, variables)
    import sympy as sp

    all_symbols = tuple(symbols.get(n) or sp.Symbol(n, real=True) for n in names)
    return Formula(text=text, expr=expr, variables=names, symbols=all_symbols)


# --- character-level checks and what people type ------------------------------------------

#: Characters read as an operator: the note's minus sign, dot and cross, and the division sign.
_OPERATOR_CHARS = {"−": "-", "·": "*", "×": "*", "÷": "/", "^": "**"}
#: Superscript digits and minus: ``x²`` is read as ``x**2``, ``x⁻¹`` as ``x**-1``.
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-"))
#: A hint for a character people type that a formula spells otherwise.
_CHARACTER_HINTS = {
    "√": "write sqrt(x)", "|": "write abs(x)", "=": "type only the right-hand side, e.g. "
    "x**2 + y**2", "[": "use ( ) for grouping", "]": "use ( ) for grouping",
    "{": "use ( ) for grouping", "}": "use ( ) for grouping", "!": "factorials are not "
    "supported", "π": "write pi", "∗": "write *", "ⁿ": "write x**n or x^n",
}
_TOKEN_RE = re.compile(
    r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_]\w*)|(?P<other>\*\*|\S)")


def _check_characters(text: str) -> None:
    for i, ch in enumerate(text):
        if ch not in _ALLOWED_CHARS and ch not in _OPERATOR_CHARS and ch not in _SUPERSCRIPTS:
            hint = _CHARACTER_HINTS.get(ch)
            if hint is None and ch.isalpha() and not ch.isascii():
                hint = "names are ASCII letters, digits and '_'"
            if hint is None and "SUPERSCRIPT" in _unicode_name(ch):
                hint = "write x**2 or x^2"
            raise FormulaError(f"unexpected character {ch!r}" + (f" ({hint})" if hint else ""),
                               i + 1)


def _unicode_name(ch: str) -> str:
    import unicodedata

    return unicodedata.name(ch, "")


def _check_parentheses(text: str) -> None:
    depth = 0
    opened: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
            opened.append(i)
            if depth > MAX_PAREN_DEPTH:
                raise FormulaError(
                    f"parentheses nested deeper than {MAX_PAREN_DEPTH} levels", i + 1)
        elif ch == ")":
            if depth == 0:
                raise FormulaError("unmatched ')'", i + 1)
            depth -= 1
            opened.pop()
    if opened:
        raise FormulaError(
            f"unexpected end of formula ('(' at column {opened[-1] + 1} is never closed)",
            len(text) + 1)


def _normalise(text: str) -> tuple[str, list[int]]:
    """The typed text as Python syntax, and a map from each new index to the original column.

    ``^ − · × ÷`` become operators, a run of superscripts ``x²`` becomes ``x**2``, and a
    multiplication sign is written where one is implied: after a number or a closing parenthesis
    when a name, a number or ``(`` follows (``2x``, ``3 sin(x)``, ``2(x + 1)y``,
    ``(x+1)(y-1)``). Two names side by side are never multiplied (``xy`` is one name).
    """
    chars: list[str] = []
    columns: list[int] = []
    start = len(text) - len(text.lstrip())  # leading blanks would be an "indent" to ast
    previous_superscript = False
    for i, ch in enumerate(text[start:], start):
        superscript = ch in _SUPERSCRIPTS
        piece = _OPERATOR_CHARS.get(ch, _SUPERSCRIPTS.get(ch, ch))
        if superscript and not previous_superscript:
            piece = "**" + piece
        chars.append(piece)
        columns += [i] * len(piece)
        previous_superscript = superscript
    return _imply_products("".join(chars), columns, len(text))


def _imply_products(source: str, columns: list[int], length: int) -> tuple[str, list[int]]:
    out: list[str] = []
    out_columns: list[int] = []
    previous = ""  # kind of the previous token: "number", "close" or ""
    previous_text = ""
    position = 0
    for match in _TOKEN_RE.finditer(source):
        kind = match.lastgroup
        token = match.group()
        # never before a keyword (``1 else``): the whitelist then names what is not supported
        follows = (kind == "name" and token[0].isalpha() and not keyword.iskeyword(token)) \
            or token == "(" or (kind == "number" and previous == "close")
        if previous == "number" and token in ("j", "J") and match.start() == position:
            raise FormulaError("complex numbers are not supported (for a product with a "
                               f"variable write *{token})", columns[match.start()] + 1)
        if previous == "number" and previous_text == "0" and kind == "name" and \
                match.start() == position and token[0] in "xXbBoO":  # 0x10, not 0 × x10
            raise FormulaError("hexadecimal, binary and octal numbers are not supported (for "
                               f"a product with a variable write 0*{token})",
                               columns[match.start() - 1] + 1)
        if previous and follows:
            out.append("*")
            out_columns.append(columns[match.start()])
        gap = source[position:match.end()]
        out.append(gap)
        out_columns += columns[position:match.end()]
        position = match.end()
        previous = "number" if kind == "number" else "close" if token == ")" else ""
        previous_text = token
    out.append(source[position:])
    out_columns += columns[position:]
    out_columns.append(length)  # one past the end
    return "".join(out), out_columns


def _parse_tree(source: str, columns: list[int], length: int) -> ast.Expression:
    try:
        with warnings.catch_warnings():  # "2if": Python's warning made the refusal it is
            warnings.simplefilter("error", SyntaxWarning)
            return ast.parse(source, mode="eval")
    except SyntaxError as exc:
        offset = exc.offset or 0
        if (exc.lineno or 1) > 1 or offset <= 0 or offset > len(source):
            raise FormulaError("unexpected end of formula", length + 1) from None
        message = exc.msg or "invalid syntax"
        if message.startswith("invalid syntax"):
            message = "invalid syntax"
        return _raise(message, columns[offset - 1] + 1)
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("formula is too complex to parse") from None


def _raise(message: str, column: int | None) -> Any:
    raise FormulaError(message, column)


def _check_tree_size(tree: ast.AST, columns: list[int]) -> None:
    stack = [(tree, 0)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_TREE_DEPTH:
            raise FormulaError(f"formula is nested more than {MAX_TREE_DEPTH} levels deep",
                               _column(node, columns))
        if count > MAX_NODES:
            raise FormulaError(f"formula has more than {MAX_NODES} parts")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _column(node: ast.AST, columns: list[int]) -> int | None:
    offset = getattr(node, "col_offset", None)
    if offset is None:
        return None
    return columns[min(offset, len(columns) - 1)] + 1


# --- tree -> SymPy ----------------------------------------------------------------------


def _sympy_functions() -> dict[str, Any]:
    import sympy as sp

    from .diff.special import sigmoid, softplus

    return {
        "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "cot": sp.cot, "sec": sp.sec,
        "csc": sp.csc, "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "atan2": sp.atan2,
        "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "asinh": sp.asinh,
        "acosh": sp.acosh, "atanh": sp.atanh, "exp": sp.exp,
        "log": lambda a, b=None: _log(a) if b is None else sp.log(a, b),
        "ln": lambda a: _log(a), "log2": lambda a: sp.log(a, 2), "log10": lambda a: sp.log(a, 10),
        "sqrt": sp.sqrt, "abs": sp.Abs, "erf": sp.erf,
        "sigmoid": sigmoid, "softplus": softplus,
        "relu": lambda a: sp.Max(0, a), "max": sp.Max, "min": sp.Min,
    }


def _exp_plus_one(expr: Any) -> Any:
    """``u`` where ``expr`` is ``1 + exp(u)``, else None."""
    import sympy as sp

    if isinstance(expr, sp.Add) and len(expr.args) == 2 and sp.S.One in expr.args:
        other = expr.args[1] if expr.args[0] == sp.S.One else expr.args[0]
        if isinstance(other, sp.exp):
            return other.args[0]
    return None


def _log(a: Any) -> Any:
    """``log(a)``, read as ``softplus(u)`` where ``a`` is ``1 + exp(u)`` (it cannot overflow)."""
    import sympy as sp

    from .diff.special import softplus

    u = _exp_plus_one(a)
    return sp.log(a) if u is None else softplus(u)


class _Converter:
    """The syntax tree as SymPy, built bottom-up. Every constant part is evaluated on the way by
    :mod:`mpmath` at bounded precision (:func:`_constant_value`), before SymPy sees it: a
    constant that is not a finite real double is refused where it is written, so SymPy never
    evaluates ``cos(exp(10**10))`` (it would, exactly, for ever)."""

    def __init__(self, columns: list[int], symbols: dict[str, Any], source: str = ""):
        import sympy as sp

        self.sp = sp
        self.source = source
        self.columns = columns
        self.symbols = symbols
        self.functions = _sympy_functions()
        self.values: dict[int, Any] = {}  # id(node) -> mpmath value of a constant part

    def fail(self, message: str, node: ast.AST) -> Any:
        raise FormulaError(message, _column(node, self.columns))

    def literal(self, node: ast.AST) -> str:
        """The number as written (Python reads 1e-400 as 0.0)."""
        return ast.get_source_segment(self.source, node) or ""

    def convert(self, node: ast.AST) -> Any:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            word = _NODE_WORDS.get(type(node), f"'{type(node).__name__}'")
            return self.fail(f"{word} not allowed in a formula", node)
        return method(node)

    def value(self, node: ast.AST) -> Any:
        """The mpmath value of a constant part already converted, else None."""
        return self.values.get(id(node))

    def constant(self, node: ast.AST, value: Any) -> None:
        """Record a constant part's value, refusing one that is not a finite real double."""
        import mpmath

        text = ast.unparse(node)
        if isinstance(value, mpmath.mpc) and value.imag != 0:
            self.fail(f"{text} is not a real number", node)
        value = mpmath.re(value)
        if not mpmath.isfinite(value):
            self.fail(f"{text} is not finite", node)
        if abs(value) > MAX_CONSTANT:
            self.fail(f"{text} is too large (beyond {MAX_CONSTANT:.3g}, the largest double)",
                      node)
        if value != 0 and abs(value) < MIN_CONSTANT:
            self.fail(f"{text} is too small (below {MIN_CONSTANT:.3g}, the smallest double)",
                      node)
        self.values[id(node)] = value

    def settled(self, node: ast.AST) -> Any:
        """A constant part as a SymPy float of its 30-digit value."""
        import mpmath

        return self.sp.Float(mpmath.nstr(self.values[id(node)], CONSTANT_DIGITS),
                             CONSTANT_DIGITS)

    def visit_Constant(self, node: ast.Constant) -> Any:
        import mpmath

        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float, complex)):
            return self.fail("only numbers are allowed as constants", node)
        if isinstance(value, complex):
            return self.fail("complex numbers are not supported", node)
        if isinstance(value, int):
            if abs(value) > MAX_INT_LITERAL:
                return self.fail(f"integer literal larger than {MAX_INT_LITERAL:.0e}", node)
            self.constant(node, mpmath.mpf(value))
            return self.sp.Integer(value)
        if value != value or value in (float("inf"), float("-inf")):
            return self.fail("number out of range", node)
        if value == 0 and any(c in "123456789" for c in self.literal(node).split("e")[0]
                              .split("E")[0]):
            return self.fail(f"{self.literal(node)} is too small (below {MIN_CONSTANT:.3g}, "
                             "the smallest double)", node)
        self.constant(node, mpmath.mpf(value))
        return self.sp.Float(value)

    def visit_Name(self, node: ast.Name) -> Any:
        import mpmath

        name = node.id
        if name == "pi":
            self.constant(node, +mpmath.pi)
            return self.sp.pi
        if name == "e":
            self.constant(node, +mpmath.e)
            return self.sp.E
        if name in FUNCTIONS:
            return self.fail(f"'{name}' is a function: call it as {name}(...)", node)
        _check_name(name, lambda msg: self.fail(msg, node))
        if name not in self.symbols:
            if len(self.symbols) >= MAX_VARIABLES:
                return self.fail(f"more than {MAX_VARIABLES} variables", node)
            self.symbols[name] = self.sp.Symbol(name, real=True)
        return self.symbols[name]

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = self.convert(node.operand)
        value = self.value(node.operand)
        if isinstance(node.op, ast.USub):
            if value is not None:
                self.constant(node, -value)
            return -operand
        if isinstance(node.op, ast.UAdd):
            if value is not None:
                self.constant(node, value)
            return operand
        return self.fail("operator not allowed in a formula", node)

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        op = type(node.op)
        if op in _BINOP_SYMBOLS:
            return self.fail(f"operator '{_BINOP_SYMBOLS[op]}' not allowed in a formula", node)
        left = self.convert(node.left)
        right = self.convert(node.right)
        a, b = self.value(node.left), self.value(node.right)
        if op is ast.Div and b is not None and b == 0:
            return self.fail("division by zero", node)
        if op is ast.Pow:
            return self.power(left, right, node, a, b)
        if a is not None and b is not None:
            self.constant(node, {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}.get(
                op, a / b if op is ast.Div else None))
            if left.has(self.sp.Float) or right.has(self.sp.Float):  # fold at 30 digits:
                return self.settled(node)  # in doubles 1e20 + 1 - 1e20 would be 0
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if op is ast.Div:
            u = _exp_plus_one(right)
            if left == 1 and u is not None:  # 1/(1 + exp(u)), the logistic function of −u
                from .diff.special import sigmoid

                return sigmoid(-u)
            return left / right
        return self.fail("operator not allowed in a formula", node)

    def power(self, base: Any, exponent: Any, node: ast.BinOp, a: Any, b: Any) -> Any:
        import mpmath

        if b is not None:
            if abs(b) > MAX_EXPONENT:
                shown = str(int(b)) if b == mpmath.floor(b) and abs(b) < 1e15 else \
                    mpmath.nstr(b, 6)
                return self.fail(f"exponent {shown} is too large (the limit is {MAX_EXPONENT} "
                                 "in magnitude)", node.right)
            if a is not None:
                if a == 0 and b < 0:
                    return self.fail("division by zero (0 to a negative power)", node)
                size = mpmath.log10(abs(a)) * b if a != 0 else 0
                if abs(size) > MAX_CONSTANT_LOG10:
                    word = "large (more" if size > 0 else "small (less"
                    return self.fail(f"number too {word} than 10**"
                                     f"{'' if size > 0 else '-'}{MAX_CONSTANT_LOG10} in "
                                     "magnitude)", node)
                if a < 0 and b != mpmath.floor(b):
                    return self.fail(f"{ast.unparse(node)} is not a real number (a negative "
                                     "number to a fractional power)", node)
                self.constant(node, mpmath.power(a, b))
        return self.sp.Pow(base, exponent)

    def visit_Call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name):
            return self.fail("only named functions can be called", node)
        name = node.func.id
        if name not in FUNCTIONS:
            return self.fail(_unknown_function(name), node)
        if node.keywords:
            return self.fail(f"{name}() takes no keyword arguments", node.keywords[0])
        arities = FUNCTIONS[name]
        if len(node.args) not in arities:
            expected = (f"{arities[0]} to {arities[-1]}" if len(arities) > 2
                        else " or ".join(str(a) for a in arities))
            return self.fail(f"{name}() takes {expected} argument"
                             f"{'s' if arities != (1,) else ''}, got {len(node.args)}", node)
        args = [self.convert(a) for a in node.args]
        values = [self.value(a) for a in node.args]
        if name in ("log", "ln", "log2", "log10") and len(values) == 2 and \
                values[1] is not None and (values[1] <= 0 or values[1] == 1):
            return self.fail("the base of a logarithm must be positive and not 1", node.args[1])
        if all(v is not None for v in values):
            self.constant(node, _constant_value(name, values, lambda m: self.fail(m, node)))
        return self.functions[name](*args)


def _constant_value(name: str, args: list, fail) -> Any:
    """A whitelisted function of constants, by :mod:`mpmath` at 30 digits, after checking
    that its argument cannot make the evaluation run away (a periodic function of a number
    beyond :data:`MAX_PERIODIC_ARGUMENT`, an exponential of one beyond 10⁵)."""
    import mpmath

    a = args[0]
    if name in ("sin", "cos", "tan", "cot", "sec", "csc") and abs(a) > MAX_PERIODIC_ARGUMENT:
        fail(f"{name} of a number beyond {MAX_PERIODIC_ARGUMENT:g} in magnitude has no "
             "accurate value in floating point")
    if name in ("exp", "sinh", "cosh", "softplus", "sigmoid") and abs(a) > 1e5:
        if name in ("exp", "sinh", "cosh") or (name == "softplus" and a > 0):
            fail(f"{name}({mpmath.nstr(a, 3)}) is too large")
    table = {
        "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan, "cot": mpmath.cot,
        "sec": mpmath.sec, "csc": mpmath.csc, "asin": mpmath.asin, "acos": mpmath.acos,
        "atan": mpmath.atan, "atan2": lambda y, x: mpmath.atan2(y, x) if (y, x) != (0, 0)
        else mpmath.nan, "sinh": mpmath.sinh, "cosh": mpmath.cosh, "tanh": mpmath.tanh,
        "asinh": mpmath.asinh, "acosh": mpmath.acosh, "atanh": mpmath.atanh,
        "exp": mpmath.exp, "log": lambda x, b=None: mpmath.log(x) if b is None
        else mpmath.log(x, b), "ln": mpmath.log, "log2": lambda x: mpmath.log(x, 2),
        "log10": mpmath.log10, "sqrt": mpmath.sqrt, "abs": abs, "erf": mpmath.erf,
        "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
        "softplus": lambda x: mpmath.log(1 + mpmath.exp(x)),
        "relu": lambda x: max(x, 0), "max": lambda *v: max(v), "min": lambda *v: min(v),
    }
    with mpmath.workdps(CONSTANT_DIGITS):
        try:
            return table[name](*args)
        except (ZeroDivisionError, ValueError):
            return mpmath.nan


def _refuse_non_real(expr: Any) -> None:
    """SymPy evaluates exactly what mpmath saw as a huge double: ``tan(pi/2)`` is complex
    infinity, ``x/sin(pi)`` a division by an exact zero, ``(x - x)**-1`` too."""
    import sympy as sp

    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise FormulaError("part of the formula is infinite or undefined (a division by an "
                           "exact zero, or tan(pi/2)-like)")
    if expr.has(sp.I):
        raise FormulaError("part of the formula is not a real number")


@contextmanager
def sympy_guard(doing: str):
    """Turn an exception from inside SymPy (its own bugs: ``sec(pi + x - 1/(w + cosh(t)))``
    raises AttributeError there) into a :class:`FormulaError` that says so, instead of an
    internal error; gdlab's own refusals pass through."""
    try:
        yield
    except GdlabError:
        raise
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, ArithmeticError,
            NotImplementedError, RecursionError) as exc:
        raise FormulaError(f"SymPy cannot {doing} this formula ({type(exc).__name__} inside "
                           "SymPy); write it another way") from None


def _unknown_function(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(FUNCTIONS), n=1, cutoff=0.75)
    if close:
        return f"unknown function '{name}' — did you mean {close[0]}?"
    if _NAME_RE.match(name) and name not in CONSTANTS:
        return f"unknown function '{name}' (for a product write {name}*(...))"
    return f"unknown function '{name}' (known: {', '.join(FUNCTIONS)})"


def _check_name(name: str, fail) -> None:
    if not _NAME_RE.match(name):
        fail(f"invalid variable name '{name}' (a letter, then letters, digits or '_')")
    if len(name) > MAX_NAME_LENGTH:
        fail(f"variable name longer than {MAX_NAME_LENGTH} characters")
    if name in CONSTANTS:
        fail(f"'{name}' is a constant and cannot be a variable")
    if name in FUNCTIONS:
        fail(f"'{name}' is a function and cannot be a variable")


def _order_variables(symbols: dict[str, Any], variables: Sequence[str] | str | None
                     ) -> tuple[str, ...]:
    if variables is None:
        return tuple(sorted(symbols, key=natural_key))
    if isinstance(variables, str):
        variables = [v.strip() for v in variables.split(",")]
    names = tuple(variables)
    if not names:
        raise FormulaError("`variables` is empty")
    if len(names) > MAX_VARIABLES:
        raise FormulaError(f"more than {MAX_VARIABLES} variables")
    for name in names:
        if not isinstance(name, str):
            raise FormulaError(f"variable names must be text; got {name!r}")
        _check_name(name, lambda msg: _raise(msg, None))
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FormulaError(f"variable {duplicates[0]!r} is listed twice in `variables`")
    missing = [n for n in sorted(symbols, key=natural_key) if n not in names]
    if missing:
        raise FormulaError(f"the formula uses {', '.join(missing)}, which `variables` "
                           f"({','.join(names)}) does not list")
    return names
