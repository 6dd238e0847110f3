"""A kind's formulas compiled to NumPy: evaluation over sample arrays, units checked once.

Compiling a kind for one item form and one set of input units does everything that does not
depend on the numbers: picks each formula's case, resolves every name, checks the units of
every ``+`` and every output (pint, once) and folds each unit conversion into a constant
factor. What is left is a tree of small functions over plain magnitudes.

Over a million samples each pass over an array costs about a millisecond, so the compiled
functions do not compute node by node. A value is kept as a sum of products, ``Σ c·Π aᵉ``:
``c`` a plain number (point inputs, constants and unit factors, multiplied together as they
meet), ``a`` the sample arrays. Multiplying by a point or converting a unit is then free, and
``capex = server_capex·(1 + networking + storage)`` is one coefficient on ``gpus·cost``. An
array is made only when an output is read; it is built with common factors taken out first
(``g·(c₁·cost + ts·(c₂·pue·price + c₃) + c₄)``) and filled in place, so a fleet's TCO costs
about as many passes as the hand-fused formula it replaces. Input arrays are never written.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pint

from flopbook.calc import ends_in, overlap, starts_in
from flopbook.quantity import parsed_unit, registry

if TYPE_CHECKING:
    import pint

    from flopbook.formula.declaration import Form, Kind

__all__ = ["Compiled", "compiled"]

# Products of sums are multiplied out while they stay small; a bigger one is made an array.
_MAX_TERMS = 48

Key = tuple[tuple[int, int], ...]  # ((atom, exponent), ...) sorted by atom


class _Arrays:
    """The sample arrays of one evaluation (inputs, and arrays made on the way)."""

    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []

    def atom(self, array: np.ndarray) -> Poly:
        self.arrays.append(array)
        return Poly({((len(self.arrays) - 1, 1),): 1.0}, self)


class Poly:
    """``Σ c·Π aᵉ`` over the arrays of one evaluation; a point value has the key ``()``."""

    __slots__ = ("terms", "arrays")

    def __init__(self, terms: dict[Key, float], arrays: _Arrays) -> None:
        self.terms = terms
        self.arrays = arrays

    def scaled(self, factor: float) -> Poly:
        if factor == 1.0:
            return self
        return Poly({k: c * factor for k, c in self.terms.items()}, self.arrays)

    def plus(self, other: Poly, factor: float = 1.0) -> Poly:
        terms = dict(self.terms)
        for k, c in other.terms.items():
            terms[k] = terms.get(k, 0.0) + c * factor
        return Poly(terms, self.arrays)

    def times(self, other: Poly) -> Poly:
        if len(self.terms) * len(other.terms) > _MAX_TERMS:
            return self.arrays.atom(self.array()).times(self.arrays.atom(other.array()))
        terms: dict[Key, float] = {}
        for k1, c1 in self.terms.items():
            for k2, c2 in other.terms.items():
                k = _merge(k1, k2)
                terms[k] = terms.get(k, 0.0) + c1 * c2
        return Poly(terms, self.arrays)

    def over(self, other: Poly) -> Poly:
        """``self / other``; a one-term divisor divides the coefficients (``a / b`` rounded
        once, as NumPy divides, not ``a·(1/b)``)."""
        if len(other.terms) == 1:
            ((k, d),) = other.terms.items()
            inverse = tuple((a, -e) for a, e in k)
            terms: dict[Key, float] = {}
            for k1, c in self.terms.items():
                merged = _merge(k1, inverse)
                terms[merged] = terms.get(merged, 0.0) + (
                    c / d if d else math.copysign(math.inf, c) if c else math.nan
                )
            return Poly(terms, self.arrays)
        return self.times(other.inverse())

    def inverse(self) -> Poly:
        if len(self.terms) == 1:
            ((k, c),) = self.terms.items()
            inverse = 1.0 / c if c else math.inf  # as NumPy would; ratios check zeros first
            return Poly({tuple((a, -e) for a, e in k): inverse}, self.arrays)
        return self.arrays.atom(self.array()).inverse()

    def power(self, exponent: float) -> Poly:
        if len(self.terms) == 1 and float(exponent).is_integer():
            ((k, c),) = self.terms.items()
            e = int(exponent)
            return Poly(
                {tuple((a, p * e) for a, p in k): float(np.power(c, float(e)))}, self.arrays
            )
        point = self.point()
        if point is not None:
            return Poly({(): float(np.power(point, exponent))}, self.arrays)
        return self.arrays.atom(np.power(self.array(), exponent))

    def point(self) -> float | None:
        """The value if it is one number (no arrays in it), else None."""
        if all(k == () for k in self.terms):
            return math.fsum(self.terms.values())
        return None

    def array(self) -> np.ndarray:
        """The value as an array (of one sample for a point); possibly an input's own."""
        value, _ = _make(self.terms, self.arrays.arrays)
        if isinstance(value, float):
            return np.array([value])
        return value


def _merge(k1: Key, k2: Key) -> Key:
    if not k1:
        return k2
    if not k2:
        return k1
    exps = dict(k1)
    for a, e in k2:
        exps[a] = exps.get(a, 0) + e
    return tuple(sorted((a, e) for a, e in exps.items() if e))


# ---- making arrays ----------------------------------------------------------------------


def _make(terms: Mapping[Key, float], arrays: list[np.ndarray]) -> tuple[Any, bool]:
    """The sum of ``terms``: (a float or an array, whether the array is a new one)."""
    constant = math.fsum(c for k, c in terms.items() if not k)
    rest = {k: c for k, c in terms.items() if k and c != 0.0}
    if not rest:
        return constant, False
    # take out the array that most terms share (its first power): g·(…) + (…)
    counts: dict[int, int] = {}
    for k in rest:
        for a, e in k:
            if e > 0:
                counts[a] = counts.get(a, 0) + 1
    best = max(counts, key=lambda a: (counts[a], -a), default=None)
    if best is not None and counts[best] >= 2:
        inner = {_merge(k, ((best, -1),)): c for k, c in rest.items() if dict(k).get(best, 0) > 0}
        outer = {k: c for k, c in rest.items() if dict(k).get(best, 0) <= 0}
        if constant:
            outer[()] = constant
        value, own = _make(inner, arrays)
        if isinstance(value, float):
            product = np.multiply(arrays[best], value)
        elif own:
            product = np.multiply(value, arrays[best], out=value)
        else:
            product = np.multiply(value, arrays[best])
        if outer:
            return _add_into(product, _make(outer, arrays)[0]), True
        return product, True
    out: np.ndarray | None = None
    own = False
    for k, c in rest.items():
        value, made = _monomial(k, c, arrays)
        if out is None:
            out, own = value, made
        elif own:
            out = np.add(out, value, out=out)
        elif made:
            out = np.add(value, out, out=value)
            own = True
        else:
            out, own = np.add(out, value), True
    assert out is not None
    if constant:
        out = _add_into(out, constant) if own else np.add(out, constant)
        own = True
    return out, own


def _add_into(out: np.ndarray, value: Any) -> np.ndarray:
    return np.add(out, value, out=out)


def _monomial(k: Key, c: float, arrays: list[np.ndarray]) -> tuple[np.ndarray, bool]:
    """``c·Π aᵉ`` as an array: (the array, whether it is a new one)."""
    (a, e), rest = k[0], k[1:]
    if e == 1 and c == 1.0 and not rest:
        return arrays[a], False  # an input (or an array already made) as it is
    if e == 1 and c == 1.0 and rest[0][1] == 1:
        # two arrays and no factor: one pass, not two
        out = np.multiply(arrays[a], arrays[rest[0][0]])
        rest = rest[1:]
    elif e == 1:
        out = np.multiply(arrays[a], c)
    elif e == -1:
        out = np.divide(c, arrays[a])
    else:
        out = np.power(arrays[a], float(e))
        if c != 1.0:
            out = np.multiply(out, c, out=out)
    for a, e in rest:
        if e == 1:
            np.multiply(out, arrays[a], out=out)
        elif e == -1:
            np.divide(out, arrays[a], out=out)
        else:
            np.multiply(out, np.power(arrays[a], float(e)), out=out)
    return out, True


# ---- compiling --------------------------------------------------------------------------

Node = Callable[["_Evaluation"], Poly]


class _Evaluation:
    """One call: the inputs' magnitudes and the formulas read so far."""

    def __init__(self, compiled: Compiled, values: Mapping[str, Any]) -> None:
        self.compiled = compiled
        self.arrays = _Arrays()
        self.done: dict[str, Poly] = {}
        self.made: set[str] = set()  # formulas made into arrays
        self.inputs: dict[str, Poly] = {}
        for name, value in values.items():
            m = np.asarray(value, dtype=float)
            if m.size == 1:
                self.inputs[name] = Poly({(): float(m.reshape(-1)[0])}, self.arrays)
            else:
                self.inputs[name] = self.arrays.atom(m)

    def formula(self, key: str) -> Poly:
        if key not in self.done:
            self.done[key] = self.compiled.nodes[key](self)
        return self.done[key]

    def array(self, key: str) -> np.ndarray:
        """The formula ``key`` as an array; formulas read after it use the array as it is
        (a row read after the rows it depends on costs a pass or two, not the whole sum)."""
        # sums of products kept from before are rebuilt (cheap: no arrays are touched) so
        # that they read the arrays made since
        self.done = {k: v for k, v in self.done.items() if k in self.made}
        value = self.formula(key).array()
        if value.size > 1:
            self.done[key] = self.arrays.atom(value)
            self.made.add(key)
        return value


class Compiled:
    """A kind's formulas for one item form and one set of input units.

    Call it with each input's magnitude (a float array, in the unit it was compiled for) and
    the keys wanted; it answers each formula's value as an array in the formula's unit, or
    None where the formula is unknown for this form.
    """

    def __init__(self, kind: Kind, form: Form, units: Mapping[str, pint.Unit]) -> None:

        kind.check()
        self.kind, self.form = kind, form
        self.units = dict(units)
        self.ureg = registry()
        self.nodes: dict[str, Node] = {}
        self.unknown: set[str] = set()
        self.compiling: list[str] = []
        for key in kind.formulas:
            self._compile(key)

    def known(self, key: str) -> bool:
        return key in self.nodes

    def __call__(
        self, values: Mapping[str, Any], keys: list[str] | None = None
    ) -> dict[str, np.ndarray | None]:
        run = _Evaluation(self, values)
        out: dict[str, np.ndarray | None] = {}
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for key in keys if keys is not None else list(self.kind.formulas):
                out[key] = run.array(key) if key in self.nodes else None
        return out

    def polys(self, values: Mapping[str, Any]) -> _Evaluation:
        """An evaluation to read formulas from one by one (``.formula(key)``)."""
        return _Evaluation(self, values)

    # ---- one formula

    def _compile(self, key: str) -> bool:
        if key in self.nodes:
            return True
        if key in self.unknown:
            return False
        f = self.kind.formulas[key]
        case = f.case(self.form)
        node = None
        if case is not None:
            if key in self.compiling:
                raise ValueError(
                    f"{self.kind.name}: for this form the formulas read each "
                    "other: " + " -> ".join([*self.compiling, key])
                )
            self.compiling.append(key)
            found = self._node(key, case.parsed, case.parsed.tree.body)
            self.compiling.pop()
            if found is not None:
                fn, unit = found
                factor = self._factor(unit, self.ureg.Unit(f.unit), key, case.expression)
                node = _scaled(fn, factor)
        if node is None:
            self.unknown.add(key)
            return False
        self.nodes[key] = node
        return True

    def _factor(self, unit: pint.Unit, target: pint.Unit, key: str, text: str) -> float:

        try:
            return float(self.ureg.Quantity(1.0, unit).to(target).magnitude)
        except pint.DimensionalityError:
            raise ValueError(
                f"{self.kind.name}.{key} = {text}: the expression is in {unit:~P}, not {target:~P}"
            ) from None

    def _node(self, key: str, expr: Any, node: ast.AST) -> tuple[Node, pint.Unit] | None:
        """(function, unit) of ``node``, or None when it reads something unknown here."""
        if isinstance(node, ast.Constant):
            value = float(cast(float, node.value))  # the parser admits numbers only
            return (lambda run: Poly({(): value}, run.arrays)), parsed_unit("")
        if isinstance(node, ast.Name | ast.Attribute):
            return self._name(key, _dotted(node))
        if isinstance(node, ast.UnaryOp):
            found = self._node(key, expr, node.operand)
            if found is None:
                return None
            fn, unit = found
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
            return _scaled(fn, sign), unit
        if isinstance(node, ast.Call):
            return self._call(key, expr, node)
        if not isinstance(node, ast.BinOp):
            raise ValueError(f"{self.kind.name}.{key}: unsupported construct")
        left, right = self._node(key, expr, node.left), self._node(key, expr, node.right)
        if left is None or right is None:
            return None
        (lf, lu), (rf, ru) = left, right
        op = node.op
        if isinstance(op, ast.Mult):
            return (lambda run: lf(run).times(rf(run))), lu * ru
        if isinstance(op, ast.Div):
            return (lambda run: lf(run).over(rf(run))), lu / ru
        if isinstance(op, ast.Add | ast.Sub):
            factor = self._factor(ru, lu, key, expr.text)
            factor = -factor if isinstance(op, ast.Sub) else factor
            return (lambda run: lf(run).plus(rf(run), factor)), lu
        if isinstance(op, ast.Pow):
            if isinstance(node.right, ast.Constant | ast.UnaryOp):
                exponent = float(ast.literal_eval(node.right))
                return (lambda run: lf(run).power(exponent)), cast("pint.Unit", lu**exponent)
            # a plain number raised to an expression (the share of experts no token picks,
            # (1 - k/E)^tokens): both plain, computed as arrays
            b_factor = self._factor(lu, self.ureg.Unit(""), key, expr.text)
            e_factor = self._factor(ru, self.ureg.Unit(""), key, expr.text)

            def raised(run: _Evaluation) -> Poly:
                return _elementwise(
                    run, [lf(run).scaled(b_factor), rf(run).scaled(e_factor)], np.power
                )

            return raised, self.ureg.Unit("")
        raise ValueError(f"{self.kind.name}.{key}: unsupported operator")

    def _name(self, key: str, name: str) -> tuple[Node, pint.Unit] | None:
        kind, ureg = self.kind, self.ureg
        if kind.formula_reads(key, name):
            if not self._compile(name):
                return None
            return (lambda run: run.formula(name)), ureg.Unit(kind.formulas[name].unit)
        if name in kind.inputs:
            if name not in self.units:
                return None  # not given for this item
            return (lambda run: run.inputs[name]), self.units[name]
        if name in kind.constant:
            c = kind.constant[name]
            return (lambda run: Poly({(): c.value}, run.arrays)), ureg.Unit(c.unit)
        return (lambda run: Poly({(): 1.0}, run.arrays)), parsed_unit(name)

    def _call(self, key: str, expr: Any, node: ast.Call) -> tuple[Node, pint.Unit] | None:
        name = _dotted(node.func)
        args = [self._node(key, expr, a) for a in node.args]
        if any(a is None for a in args):
            return None
        if name == "annuity_factor":
            (rf, ru), (nf, nu) = args  # type: ignore[misc]
            r_factor = self._factor(ru, self.ureg.Unit(""), key, expr.text)
            n_factor = self._factor(nu, self.ureg.Unit("year"), key, expr.text)

            def annuity(run: _Evaluation) -> Poly:
                return _elementwise(
                    run, [rf(run).scaled(r_factor), nf(run).scaled(n_factor)], _annuity_factor
                )

            return annuity, self.ureg.Unit("1/year")
        if name == "decline_factor":
            (rf, ru), (nf, nu) = args  # type: ignore[misc]
            r_factor = self._factor(ru, self.ureg.Unit(""), key, expr.text)
            n_factor = self._factor(nu, self.ureg.Unit("year"), key, expr.text)

            def decline(run: _Evaluation) -> Poly:
                return _elementwise(
                    run,
                    [rf(run).scaled(r_factor), nf(run).scaled(n_factor)],
                    lambda r, n: 10.0 ** (-r * n),
                )

            return decline, self.ureg.Unit("")
        if name in _TIME_FUNCTIONS:
            # arguments: a rate (discount_factor's first) or times, each in years
            given = [a for a in args if a is not None]  # none is missing: checked above
            want = ["", "year"] if name == "discount_factor" else ["year"] * len(given)
            factors = [
                self._factor(u, self.ureg.Unit(w), key, expr.text)
                for (_, u), w in zip(given, want, strict=True)
            ]
            fns = [f for f, _ in given]
            apply = _TIME_FUNCTIONS[name]

            def timed(run: _Evaluation) -> Poly:
                values = [f(run).scaled(k) for f, k in zip(fns, factors, strict=True)]
                return _elementwise(run, values, apply)

            unit = "year" if name == "overlap" else ""
            return timed, self.ureg.Unit(unit)
        if name in ("maximum", "minimum", "if_positive"):
            return self._choice(key, expr, name, node, args)  # type: ignore[arg-type]
        if name == "mean":
            ((mf, mu),) = args  # type: ignore[misc]

            def mean(run: _Evaluation) -> Poly:
                x = mf(run)
                if x.point() is not None:
                    return x
                return Poly({(): float(np.mean(x.array()))}, run.arrays)

            return mean, mu
        if name == "floor":
            ((xf, xu),) = args  # type: ignore[misc]
            x_factor = self._factor(xu, self.ureg.Unit(""), key, expr.text)

            def whole(run: _Evaluation) -> Poly:
                return _elementwise(run, [xf(run).scaled(x_factor)], np.floor)

            return whole, self.ureg.Unit("")
        raise ValueError(f"{self.kind.name}.{key}: unknown function {name!r}")

    def _choice(
        self,
        key: str,
        expr: Any,
        name: str,
        node: ast.Call,
        args: list[tuple[Node, pint.Unit]],
    ) -> tuple[Node, pint.Unit]:
        """maximum(a, b), minimum(a, b) and if_positive(test, then, otherwise): the two
        values chosen between in one unit (a literal 0 takes the other's)."""
        first = 1 if name == "if_positive" else 0
        (af, au), (bf, bu) = args[first], args[first + 1]
        a_zero, b_zero = (_is_zero(n) for n in node.args[first : first + 2])
        unit = bu if a_zero else au
        factor = 1.0 if b_zero else self._factor(bu, unit, key, expr.text)
        if name == "if_positive":
            test = args[0][0]

            def choose(run: _Evaluation) -> Poly:
                t, then, otherwise = test(run), af(run), bf(run).scaled(factor)
                point = t.point()
                if point is not None:  # one number: one branch, no arrays
                    return then if point > 0 else otherwise
                return run.arrays.atom(np.where(t.array() > 0, then.array(), otherwise.array()))

            return choose, unit
        pick = np.maximum if name == "maximum" else np.minimum

        def extreme(run: _Evaluation) -> Poly:
            return _elementwise(run, [af(run), bf(run).scaled(factor)], pick)

        return extreme, unit


def _elementwise(run: _Evaluation, values: list[Poly], fn: Callable[..., Any]) -> Poly:
    """``fn`` of the values, element by element: one number when every value is one (no
    arrays are made), else an array over the samples."""
    points = [v.point() for v in values]
    if all(p is not None for p in points):
        return Poly({(): float(fn(*points))}, run.arrays)
    return run.arrays.atom(np.asarray(fn(*(v.array() for v in values)), float))


def _annuity_factor(rate: Any, life: Any) -> Any:
    """rate / (1 - (1 + rate)^-life), and 1 / life at a rate of 0; for numbers and arrays."""
    safe = np.where(rate == 0, 1.0, rate)
    return np.where(rate == 0, 1 / life, safe / (1 - (1 + safe) ** -life))


def _is_zero(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0


_TIME_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "discount_factor": lambda r, n: (1 + r) ** -n,
    "overlap": overlap,
    "starts_in": starts_in,
    "ends_in": ends_in,
}


def _scaled(fn: Node, factor: float) -> Node:
    if factor == 1.0:
        return fn
    return lambda run: fn(run).scaled(factor)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


_CACHE: dict[tuple[Kind, Form, frozenset[tuple[str, Any]]], Compiled] = {}


def compiled(kind: Kind, form: Form, units: Mapping[str, pint.Unit]) -> Compiled:
    """The kind compiled for ``form`` and these input units (made once, then reused)."""
    # the kind itself (hashed by identity), not its id: an id is reused once freed
    key = (kind, form, frozenset(units.items()))  # pint units hash without formatting
    if key not in _CACHE:
        _CACHE[key] = Compiled(kind, form, units)
    return _CACHE[key]
