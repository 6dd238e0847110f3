"""Workbooks with planted errors, and clean ones, for the audit's accuracy benchmark.

Three layouts of the models the audit is for, each varied in size, position, labels and
units: a fleet table (items across, metrics down, a Total column), a yearly plan (years
across, line items and subtotals down, assumptions above) and an item list (items down,
a Total row). A book is either clean or carries one planted error of a named kind; the
generator returns the findings the audit must make, as (sheet, cell, code).

Saved values are computed here as Excel would (a small evaluator for the formulas the
generator writes), so error values (#DIV/0!, #VALUE!) and "as published" values are real.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import get_column_letter, range_boundaries

KINDS = ["FB101", "FB102", "FB103", "FB104", "FB105", "FB106", "FB107"]


def A(r: int, c: int) -> str:
    return f"{get_column_letter(c)}{r}"


@dataclass
class Book:
    name: str
    layout: str
    sheets: dict[str, dict[tuple[int, int], Any]] = field(default_factory=dict)
    expected: set[tuple[str, str, str]] = field(default_factory=set)
    planted: str | None = None  # the kind of error planted, None for a clean book

    def sheet(self, name: str) -> dict[tuple[int, int], Any]:
        return self.sheets.setdefault(name, {})

    # ---- saved values, as Excel computes them ------------------------------------------
    def values(self) -> dict[tuple[str, int, int], Any]:
        memo: dict[tuple[str, int, int], Any] = {}

        def val(sheet: str, r: int, c: int) -> Any:
            key = (sheet, r, c)
            if key in memo:
                return memo[key]
            v = self.sheets[sheet].get((r, c))
            if isinstance(v, str) and v.startswith("="):
                memo[key] = None  # guards against cycles
                memo[key] = _Eval(self, sheet, val).run(v)
            else:
                memo[key] = v
            return memo[key]

        for sheet, cells in self.sheets.items():
            for r, c in cells:
                val(sheet, r, c)
        return memo

    def write(self, path: str | Path) -> Path:
        import xlsxwriter

        values = self.values()
        wb = xlsxwriter.Workbook(str(path))
        for name, cells in self.sheets.items():
            ws = wb.add_worksheet(name)
            for (r, c), v in sorted(cells.items()):
                if isinstance(v, str) and v.startswith("="):
                    saved = values[(name, r, c)]
                    ws.write_formula(r - 1, c - 1, v, None, saved if saved is not None else 0)
                elif isinstance(v, str):
                    ws.write_string(r - 1, c - 1, v)
                else:
                    ws.write_number(r - 1, c - 1, v)
        wb.close()
        return Path(path)


class _Err(str):
    pass


DIV0, VALUE = _Err("#DIV/0!"), _Err("#VALUE!")


class _Eval:
    """Evaluates the generator's own formulas: + - * / ( ), SUM, SUMPRODUCT, AVERAGE."""

    def __init__(self, book: Book, sheet: str, val: Any) -> None:
        self.book, self.sheet, self.val = book, sheet, val

    def run(self, text: str) -> Any:
        self.toks = [t for t in Tokenizer(text).items if t.type != Token.WSPACE]
        self.i = 0
        return self.expr()

    def _peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def expr(self) -> Any:
        v = self.term()
        while (t := self._peek()) is not None and t.type == Token.OP_IN and t.value in "+-":
            self.i += 1
            w = self.term()
            v = _arith(v, w, t.value)
        return v

    def term(self) -> Any:
        v = self.atom()
        while (t := self._peek()) is not None and t.type == Token.OP_IN and t.value in "*/":
            self.i += 1
            w = self.atom()
            v = _arith(v, w, t.value)
        return v

    def atom(self) -> Any:
        t = self.toks[self.i]
        self.i += 1
        if t.type == Token.OP_PRE:
            return _arith(0, self.atom(), "-")
        if t.type == Token.OPERAND and t.subtype == Token.NUMBER:
            return float(t.value)
        if t.type == Token.OPERAND and t.subtype == Token.RANGE:
            cells = self._cells(t.value)
            return cells[0] if len(cells) == 1 else cells
        if t.type == Token.PAREN:
            v = self.expr()
            self.i += 1
            return v
        if t.type == Token.FUNC:
            name = t.value[:-1].upper()
            args = []
            while not (self._peek().type == Token.FUNC and self._peek().subtype == Token.CLOSE):
                if self._peek().type == Token.SEP:
                    self.i += 1
                    continue
                args.append(self.expr())
            self.i += 1
            return _function(name, args)
        raise ValueError(t.value)

    def _cells(self, ref: str) -> list[Any]:
        sheet, _, addr = ref.rpartition("!")
        sheet = sheet.strip("'") or self.sheet
        c1, r1, c2, r2 = range_boundaries(addr.replace("$", ""))
        return [self.val(sheet, r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def _num(v: Any) -> Any:
    if isinstance(v, _Err):
        return v
    if v is None:
        return 0.0
    if isinstance(v, str):
        return VALUE
    return float(v)


def _arith(a: Any, b: Any, op: str) -> Any:
    a, b = _num(a), _num(b)
    for x in (a, b):
        if isinstance(x, _Err):
            return x
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return DIV0 if b == 0 else a / b


def _function(name: str, args: list[Any]) -> Any:
    flat = [x for a in args for x in (a if isinstance(a, list) else [a])]
    if any(isinstance(x, _Err) for x in flat):
        return next(x for x in flat if isinstance(x, _Err))
    nums = [float(x) for x in flat if isinstance(x, (int, float))]
    if name == "SUM":
        return sum(nums)
    if name == "AVERAGE":
        return sum(nums) / len(nums) if nums else DIV0
    if name == "SUMPRODUCT":
        cols = [a if isinstance(a, list) else [a] for a in args]
        total = 0.0
        for xs in zip(*cols, strict=True):
            p = 1.0
            for x in xs:
                p *= float(x) if isinstance(x, (int, float)) else 0.0
            total += p
        return total
    raise ValueError(name)


# ---- words ------------------------------------------------------------------------------

ITEMS = [
    "A100",
    "H20",
    "H800",
    "H100",
    "H200",
    "B200",
    "MI300X",
    "Gaudi3",
    "TPU v5e",
    "Ascend 910B",
    "L40S",
    "GB200",
]
REGIONS = ["US East", "US West", "Europe", "Asia", "Middle East", "LatAm", "Africa", "Oceania"]
SHEETS = ["Fleet", "Model", "Capex", "Summary", "Calc", "Sheet1", "DC plan", "Cluster"]
COUNT = [
    "Number of GPUs",
    "GPUs (#)",
    "Units",
    "Quantity",
    "Count of accelerators",
    "Number of servers",
]
PRICE = [
    "Server CapEx per GPU {k}",
    "Unit price ({k})",
    "Price per unit {k}",
    "Cost per GPU ({k})",
    "ASP {k}",
    "Average cost per unit {k}",
]
CAPEX = ["Server CapEx {m}", "Capex ({m})", "Hardware spend {m}", "Cluster capex {m}"]
OPEX_UNIT = [
    "Opex per GPU per year {k}",
    "Running cost per unit ({k}/yr)",
    "Power & hosting per GPU {k} per year",
]
OPEX_YEAR = ["Opex per year {m}", "Annual opex ({m})", "Operating cost {m}/yr"]
OPEX_LIFE = ["Cost of operation ({n}y) {m}", "Opex over {n} years {m}", "Lifetime opex ({n}y) {m}"]
TCO_LIFE = ["TCO ({n}y Ownership) {m}", "Total cost of ownership ({n}y) {m}", "TCO, {n} years {m}"]
TCO_YEAR = ["TCO per year {m}", "Annual TCO ({m})", "TCO {m}/yr"]
SHARE = ["Share of fleet %", "Mix %", "Share of GPUs"]
TOTAL = ["Total", "All", "Total fleet", "Sum"]


def _money(rng: random.Random) -> tuple[str, str, float]:
    """Labels for big and per-unit money, and the factor between them."""
    return rng.choice([("$m", "$k", 1000.0), ("$bn", "$m", 1000.0), ("$m", "$", 1e6)])


# ---- layout 1: a fleet table --------------------------------------------------------------


def fleet_table(rng: random.Random, name: str, plant: str | None) -> Book:
    b = Book(name, "fleet")
    sheet = rng.choice(SHEETS)
    s = b.sheet(sheet)
    r0, c0 = rng.randint(1, 4), rng.randint(1, 3)
    n = rng.randint(3, 8)
    items = rng.sample(ITEMS if rng.random() < 0.7 else REGIONS, n)
    big, small, factor = _money(rng)
    years = rng.choice([3, 4, 5])
    if r0 > 1:
        s[(r0 - 1, c0)] = rng.choice(
            ["Fleet model", "Cluster economics, base case", "GPU fleet (illustrative)"]
        )
    gap = rng.random() < 0.2  # a blank column before the Total
    for j, it in enumerate(items):
        s[(r0, c0 + 1 + j)] = it
    tc = c0 + n + 1 + (1 if gap else 0)
    s[(r0, tc)] = rng.choice(TOTAL)
    if rng.random() < 0.3:
        s[(r0, tc + 1)] = "Notes"
    cols = [c0 + 1 + j for j in range(n)]
    row: dict[str, int] = {}
    keys = [
        "count",
        "price",
        "capex",
        "opex_unit",
        "opex_year",
        "opex_life",
        "tco_life",
        "tco_year",
    ]
    if rng.random() < 0.4:
        keys.append("share")
    labels = {
        "count": rng.choice(COUNT),
        "price": rng.choice(PRICE).format(k=small),
        "capex": rng.choice(CAPEX).format(m=big),
        "opex_unit": rng.choice(OPEX_UNIT).format(k=small),
        "opex_year": rng.choice(OPEX_YEAR).format(m=big),
        "opex_life": rng.choice(OPEX_LIFE).format(n=years, m=big),
        "tco_life": rng.choice(TCO_LIFE).format(n=years, m=big),
        "tco_year": rng.choice(TCO_YEAR).format(m=big),
        "share": rng.choice(SHARE),
    }
    for i, k in enumerate(keys):
        row[k] = r0 + 1 + i
        s[(row[k], c0)] = labels[k]
    f = f"/{factor:g}"
    for c in cols:
        L = get_column_letter(c)
        s[(row["count"], c)] = float(rng.choice([1000, 2000, 2048, 5000, 10000, 30000]))
        s[(row["price"], c)] = round(rng.uniform(10, 40), 1) * (1000 if small == "$" else 1)
        s[(row["capex"], c)] = f"={L}{row['count']}*{L}{row['price']}{f}"
        s[(row["opex_unit"], c)] = round(rng.uniform(2, 6), 2) * (1000 if small == "$" else 1)
        s[(row["opex_year"], c)] = f"={L}{row['count']}*{L}{row['opex_unit']}{f}"
        s[(row["opex_life"], c)] = f"={L}{row['opex_year']}*{years}"
        s[(row["tco_life"], c)] = f"={L}{row['capex']}+{L}{row['opex_life']}"
        s[(row["tco_year"], c)] = f"={L}{row['tco_life']}/{years}"
        if "share" in row:
            s[(row["share"], c)] = f"={L}{row['count']}/${get_column_letter(tc)}${row['count']}"
    first, last = A(0, cols[0])[:-1], A(0, cols[-1])[:-1]

    def span(r: int) -> str:
        return f"{first}{r}:{last}{r}"

    for k, r in row.items():
        if k in ("price", "opex_unit"):
            w = span(row["count"])
            s[(r, tc)] = f"=SUMPRODUCT({span(r)},{w})/SUM({w})"
        else:
            s[(r, tc)] = f"=SUM({span(r)})"

    if plant == "FB101":
        k = rng.choice(["capex", "opex_year", "opex_life", "tco_life"])
        s[(row[k], tc)] = f"=SUM({first}{row[k]}:{A(row[k], cols[-2])})"
        b.expected.add((sheet, A(row[k], tc), "FB101"))
    elif plant == "FB102":
        k = rng.choice(["price", "opex_unit"])
        s[(row[k], tc)] = f"=SUM({span(row[k])})"
        b.expected.add((sheet, A(row[k], tc), "FB102"))
    elif plant == "FB103":
        k = rng.choice(["capex", "opex_year", "tco_life"])
        c = rng.choice(cols[1:-1])
        L, M = get_column_letter(c), get_column_letter(c + 1)
        s[(row[k], c)] = {
            "capex": f"={L}{row['count']}*{M}{row['price']}{f}",
            "opex_year": f"={M}{row['count']}*{L}{row['opex_unit']}{f}",
            "tco_life": f"={L}{row['capex']}+{M}{row['opex_life']}",
        }[k]
        b.expected.add((sheet, A(row[k], c), "FB103"))
    elif plant == "FB104":
        how = rng.choice(["typed", "literal", "total"])
        c = rng.choice(cols[1:-1])
        L = get_column_letter(c)
        if how == "typed":
            k = rng.choice(["capex", "opex_year", "tco_life", "tco_year"])
            vals = b.values()
            s[(row[k], c)] = round(float(vals[(sheet, row[k], c)]), 1)
            b.expected.add((sheet, A(row[k], c), "FB104"))
        elif how == "literal":
            s[(row["capex"], c)] = f"={L}{row['count']}*{s[(row['price'], c)]:g}{f}"
            b.expected.add((sheet, A(row["capex"], c), "FB104"))
        else:
            k = rng.choice(["opex_life", "tco_life"])
            vals = b.values()
            s[(row[k], tc)] = round(float(vals[(sheet, row[k], tc)]), 1)
            b.expected.add((sheet, A(row[k], tc), "FB104"))
    elif plant == "FB105":
        if rng.random() < 0.5:  # the published table's error: an amount labelled per hour
            per = rng.choice(["/hr", "/yr", " per hour"])
            s[(row["tco_life"], c0)] = labels["tco_life"] + per
            b.expected.add((sheet, A(row["tco_life"], c0), "FB105"))
        else:  # capex plus a yearly cost, as if it were the lifetime cost
            for c in cols:
                L = get_column_letter(c)
                s[(row["tco_life"], c)] = f"={L}{row['capex']}+{L}{row['opex_year']}"
            b.expected.add((sheet, A(row["tco_life"], cols[0]), "FB105"))
    elif plant == "FB106":
        # a subtotal column of some items, then a Total that adds it and its items
        sub = rng.randint(2, n - 1)
        b = fleet_with_subtotal(rng, name, sheet, n, sub)
    elif plant == "FB107":
        c = rng.choice(cols)
        s[(row["price"], c)] = rng.choice(["n/a", "tbd", "?"])
        b.expected.add((sheet, A(row["capex"], c), "FB107"))
    b.planted = plant
    return b


def fleet_with_subtotal(rng: random.Random, name: str, sheet: str, n: int, sub: int) -> Book:
    b = Book(name, "fleet")
    s = b.sheet(sheet)
    items = rng.sample(ITEMS, n)
    big = rng.choice(["$m", "$bn"])
    for j, it in enumerate(items[:sub]):
        s[(1, 2 + j)] = it
    sc = 2 + sub
    s[(1, sc)] = rng.choice(["Hoppers subtotal", "Subtotal", "Sub-total (NVIDIA)"])
    for j, it in enumerate(items[sub:]):
        s[(1, sc + 1 + j)] = it
    tc = sc + 1 + (n - sub)
    s[(1, tc)] = "Total"
    for r, label in ((2, f"Capex {big}"), (3, f"Opex per year {big}")):
        s[(r, 1)] = label
        for c in [*range(2, sc), *range(sc + 1, tc)]:
            s[(r, c)] = round(rng.uniform(50, 900), 1)
        s[(r, sc)] = f"=SUM({A(r, 2)}:{A(r, sc - 1)})"
        s[(r, tc)] = f"=SUM({A(r, 2)}:{A(r, tc - 1)})"
        b.expected.add((sheet, A(r, tc), "FB106"))
    return b


# ---- layout 2: a yearly plan --------------------------------------------------------------


def plan(rng: random.Random, name: str, plant: str | None) -> Book:
    b = Book(name, "plan")
    sheet = rng.choice(SHEETS)
    s = b.sheet(sheet)
    big = rng.choice(["$m", "$k", "$bn"])
    s[(1, 1)] = rng.choice(["Assumptions", "Inputs", "Drivers"])
    s[(2, 1)] = rng.choice(["Revenue growth", "Growth rate", "Annual growth"])
    s[(2, 2)] = round(rng.uniform(0.05, 0.4), 2)
    nopex = rng.randint(2, 4)
    opex_names = rng.sample(["Power", "Staff", "Hosting", "Network", "Software", "Support"], nopex)
    for i, o in enumerate(opex_names):
        s[(3 + i, 1)] = f"{o} cost ratio"
        s[(3 + i, 2)] = round(rng.uniform(0.03, 0.15), 3)
    h = 3 + nopex + rng.randint(1, 2)
    ny = rng.randint(4, 12)
    start = rng.choice([2024, 2025, 2026])
    yc = [2 + j for j in range(ny)]
    for j, c in enumerate(yc):
        s[(h, c)] = float(start + j) if rng.random() < 0.6 else f"FY{(start + j) % 100}"
    total_col = rng.random() < 0.6
    tc = yc[-1] + 1
    if total_col:
        s[(h, tc)] = "Total"
    r = h + 1
    rev = r
    s[(rev, 1)] = f"Revenue {big}"
    s[(rev, yc[0])] = float(rng.randint(50, 500))
    for c in yc[1:]:
        s[(rev, c)] = f"={A(rev, c - 1)}*(1+$B$2)"
    r += 1
    opex_rows = []
    for i, o in enumerate(opex_names):
        s[(r, 1)] = f"{o} {big}"
        for c in yc:
            s[(r, c)] = f"={A(rev, c)}*$B${3 + i}"
        opex_rows.append(r)
        r += 1
    opex_sub = r
    s[(r, 1)] = rng.choice(["Opex subtotal", "Total opex", "Opex sub-total"])
    for c in yc:
        s[(r, c)] = f"=SUM({A(opex_rows[0], c)}:{A(opex_rows[-1], c)})"
    r += 1
    capex_rows = []
    for cname in rng.sample(["GPUs", "Servers", "Networking", "Buildings"], rng.randint(2, 3)):
        s[(r, 1)] = f"{cname} capex {big}"
        for c in yc:
            s[(r, c)] = float(rng.randint(10, 300))
        capex_rows.append(r)
        r += 1
    capex_sub = r
    s[(r, 1)] = rng.choice(["Capex subtotal", "Total capex", "Capex sub-total"])
    for c in yc:
        s[(r, c)] = f"=SUM({A(capex_rows[0], c)}:{A(capex_rows[-1], c)})"
    r += 1
    grand = r
    s[(r, 1)] = rng.choice([f"Total spend {big}", "Total cost", f"Grand total {big}"])
    for c in yc:
        s[(r, c)] = f"={A(opex_sub, c)}+{A(capex_sub, c)}"
    r += 1
    profit = r
    s[(r, 1)] = rng.choice([f"Cash flow {big}", f"Net {big}", f"Profit {big}"])
    for c in yc:
        s[(r, c)] = f"={A(rev, c)}-{A(grand, c)}"
    r += 1
    margin = r
    s[(r, 1)] = rng.choice(["Margin %", "Net margin (%)", "Profit margin"])
    for c in yc:
        s[(r, c)] = f"={A(profit, c)}/{A(rev, c)}"
    if total_col:
        for rr in [rev, *opex_rows, opex_sub, *capex_rows, capex_sub, grand, profit]:
            s[(rr, tc)] = f"=SUM({A(rr, yc[0])}:{A(rr, yc[-1])})"
        s[(margin, tc)] = f"={A(profit, tc)}/{A(rev, tc)}"

    inner = yc[1:-1]
    if plant == "FB101":
        if total_col and rng.random() < 0.5:
            rr = rng.choice([rev, *opex_rows, grand])
            s[(rr, tc)] = f"=SUM({A(rr, yc[0])}:{A(rr, yc[-2])})"
            b.expected.add((sheet, A(rr, tc), "FB101"))
        else:
            c = rng.choice(yc)
            s[(capex_sub, c)] = f"=SUM({A(capex_rows[0], c)}:{A(capex_rows[-2], c)})"
            b.expected.add((sheet, A(capex_sub, c), "FB101"))
    elif plant == "FB102":
        if total_col:
            s[(margin, tc)] = f"=SUM({A(margin, yc[0])}:{A(margin, yc[-1])})"
            b.expected.add((sheet, A(margin, tc), "FB102"))
        else:
            c = yc[-1] + 1
            s[(h, c)] = "Total"
            s[(margin, c)] = f"=SUM({A(margin, yc[0])}:{A(margin, yc[-1])})"
            b.expected.add((sheet, A(margin, c), "FB102"))
    elif plant == "FB103":
        c = rng.choice(inner)
        how = rng.choice(["ratio", "growth"])
        if how == "growth":  # revenue's first year is typed: its run starts a column later
            c = rng.choice(yc[2:-1])
        if how == "ratio" and len(opex_rows) >= 2:
            i = rng.randrange(len(opex_rows))
            j = (i + 1) % len(opex_rows)
            s[(opex_rows[i], c)] = f"={A(rev, c)}*$B${3 + j}"
            b.expected.add((sheet, A(opex_rows[i], c), "FB103"))
        else:
            s[(rev, c)] = f"={A(rev, c - 1)}*(1+$B$3)"
            b.expected.add((sheet, A(rev, c), "FB103"))
    elif plant == "FB104":
        c = rng.choice(inner)
        if rng.random() < 0.5:
            vals = b.values()
            rr = rng.choice([rev, *opex_rows, grand, profit])
            if rr == rev:
                c = rng.choice(yc[2:-1])
            s[(rr, c)] = round(float(vals[(sheet, rr, c)]), 2)
            b.expected.add((sheet, A(rr, c), "FB104"))
        else:
            c = rng.choice(yc[2:-1])
            s[(rev, c)] = f"={A(rev, c - 1)}*(1+{s[(2, 2)]:g})"
            b.expected.add((sheet, A(rev, c), "FB104"))
    elif plant == "FB105":
        # one capex line in another scale, added into the capex subtotal
        other = {"$m": "$k", "$k": "$m", "$bn": "$m"}[big]
        rr = capex_rows[-1]
        s[(rr, 1)] = str(s[(rr, 1)]).replace(big, other)
        b.expected.add((sheet, A(capex_sub, yc[0]), "FB105"))
    elif plant == "FB106":
        for c in yc:
            s[(grand, c)] = f"=SUM({A(opex_rows[0], c)}:{A(capex_sub, c)})"
            b.expected.add((sheet, A(grand, c), "FB106"))
    elif plant == "FB107":
        s.pop((2, 2))  # the growth assumption left empty: revenue grows by 0 without a word
        # one finding for the blank assumption, at the first formula that reads it (the
        # other copies are listed as its related cells)
        b.expected.add((sheet, A(rev, yc[1]), "FB107"))
    b.planted = plant
    return b


# ---- layout 3: an item list ---------------------------------------------------------------


def item_list(rng: random.Random, name: str, plant: str | None) -> Book:
    b = Book(name, "list")
    sheet = rng.choice(SHEETS)
    s = b.sheet(sheet)
    n = rng.randint(5, 120)
    r0 = rng.randint(1, 3)
    big, small, factor = _money(rng)
    heads = [
        "Item",
        rng.choice(["Count", "Units (#)", "Quantity", "Number of GPUs"]),
        f"Unit price ({small})",
        f"Cost ({big})",
        "Power per unit (W)",
        "Power (kW)",
    ]
    notes = rng.random() < 0.4
    if notes:
        heads.append("Notes")
    for j, hd in enumerate(heads):
        s[(r0, 1 + j)] = hd
    rows = [r0 + 1 + i for i in range(n)]
    f = f"/{factor:g}"
    for i, r in enumerate(rows):
        s[(r, 1)] = f"{rng.choice(ITEMS)} #{i + 1}"
        s[(r, 2)] = float(rng.randint(1, 5000))
        s[(r, 3)] = round(rng.uniform(5, 40), 1) * (1000 if small == "$" else 1)
        s[(r, 4)] = f"=B{r}*C{r}{f}"
        s[(r, 5)] = float(rng.choice([300, 350, 400, 700, 1000, 1200]))
        s[(r, 6)] = f"=B{r}*E{r}/1000"
        if notes and rng.random() < 0.3:
            s[(r, 7)] = rng.choice(["leased", "second-hand", "quote pending"])
    t = rows[-1] + 1 + (1 if rng.random() < 0.3 else 0)
    s[(t, 1)] = rng.choice(TOTAL)
    a, z = rows[0], rows[-1]
    s[(t, 2)] = f"=SUM(B{a}:B{z})"
    s[(t, 3)] = f"=SUMPRODUCT(C{a}:C{z},B{a}:B{z})/SUM(B{a}:B{z})"
    s[(t, 4)] = f"=SUM(D{a}:D{z})"
    s[(t, 5)] = f"=SUMPRODUCT(E{a}:E{z},B{a}:B{z})/SUM(B{a}:B{z})"
    s[(t, 6)] = f"=SUM(F{a}:F{z})"
    adjacent = t == z + 1
    inner = rows[1:-1]
    if plant == "FB101":
        col = rng.choice("BDF")
        s[(t, " ABCDEF".index(col))] = f"=SUM({col}{a}:{col}{z - 1})"
        b.expected.add((sheet, f"{col}{t}", "FB101"))
    elif plant == "FB102":
        col = rng.choice("CE")
        s[(t, " ABCDEF".index(col))] = f"=SUM({col}{a}:{col}{z})"
        b.expected.add((sheet, f"{col}{t}", "FB102"))
    elif plant == "FB103":
        r = rng.choice(inner)
        s[(r, 4)] = f"=B{r}*C{r + 1}{f}"
        b.expected.add((sheet, f"D{r}", "FB103"))
    elif plant == "FB104":
        r = rng.choice(inner)
        vals = b.values()
        s[(r, 4)] = round(float(vals[(sheet, r, 4)]), 3)
        b.expected.add((sheet, f"D{r}", "FB104"))
    elif plant == "FB105":
        for r in rows:
            s[(r, 4)] = f"=B{r}*C{r}"  # the /1000 to the big unit forgotten
        b.expected.add((sheet, A(r0, 4), "FB105"))
    elif plant == "FB106":
        # a subtotal row in the middle, then a Total over everything
        m = rng.choice(inner)
        for c in range(1, 8):
            s.pop((t, c), None)
        s2 = {}
        for (r, c), v in s.items():
            if r > m:
                s2[(r + 1, c)] = _shift(v, m)
            else:
                s2[(r, c)] = v
        s.clear()
        s.update(s2)
        s[(m + 1, 1)] = "Subtotal"
        s[(m + 1, 4)] = f"=SUM(D{a}:D{m})"
        s[(m + 1, 6)] = f"=SUM(F{a}:F{m})"
        t2 = t + 1
        s[(t2, 1)] = "Total"
        s[(t2, 4)] = f"=SUM(D{a}:D{z + 1})"
        b.expected.add((sheet, f"D{t2}", "FB106"))
        if adjacent:
            pass
    elif plant == "FB107":
        r = rng.choice(inner)
        s.pop((r, 2))  # a count left blank: its cost and power quietly become 0
        b.expected.add((sheet, f"D{r}", "FB107"))
        b.expected.add((sheet, f"F{r}", "FB107"))
    b.planted = plant
    return b


def _shift(v: Any, after: int) -> Any:
    """A formula of the item list with rows past ``after`` moved down one."""
    if not (isinstance(v, str) and v.startswith("=")):
        return v
    out = []
    for t in Tokenizer(v).items:
        if t.type == Token.OPERAND and t.subtype == Token.RANGE:
            parts = []
            for part in t.value.split(":"):
                col = "".join(ch for ch in part if ch.isalpha())
                row = int("".join(ch for ch in part if ch.isdigit()))
                parts.append(f"{col}{row + 1 if row > after else row}")
            out.append(":".join(parts))
        else:
            out.append(t.value)
    return "=" + "".join(out)


LAYOUTS = {"fleet": fleet_table, "plan": plan, "list": item_list}


def corpus(seed: int, per_kind: int, clean: int) -> list[Book]:
    """``per_kind`` books with each kind of error and ``clean`` clean books, layouts mixed."""
    rng = random.Random(seed)
    books = []
    layouts = list(LAYOUTS)
    for i in range(clean):
        layout = layouts[i % len(layouts)]
        books.append(LAYOUTS[layout](rng, f"clean-{layout}-{i}", None))
    for kind in KINDS:
        for i in range(per_kind):
            layout = layouts[i % len(layouts)]
            books.append(LAYOUTS[layout](rng, f"{kind}-{layout}-{i}", kind))
    return books
