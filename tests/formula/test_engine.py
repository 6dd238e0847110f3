"""The formula engine: a kind's declaration, evaluated over samples and written to Excel.

The fused NumPy evaluation is held to plain pint arithmetic on the same expressions (the
calculator's own evaluator), on random inputs of every form the fleet takes.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.calc import CalcError, evaluate, parse
from flopbook.errors import UnitMismatchError
from flopbook.formula import Form, Kind, extensive, ratio, step
from flopbook.formula.conversions import factor_formula
from flopbook.formula.excel import Ref, excel_formula
from flopbook.formula.samples import compiled
from flopbook.inputs import FieldSpec
from flopbook.models.fleet import FLEET
from flopbook.quantity import Quantity, registry


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(np.abs(a - b) <= 1e-9 * np.maximum(np.abs(a), np.abs(b))))


# ---- one fleet SKU of any form, as plain quantities -------------------------------------

SHARED_OR_AMOUNT = {
    "networking": "USD/GPU",
    "storage": "USD/GPU",
    "facility": "USD/GPU",
    "server_power_overhead": "W/GPU",
}


@st.composite
def sku_inputs(draw: st.DrawFn) -> tuple[Form, dict[str, Quantity]]:
    """A SKU's inputs in one of its forms, each a point or an array of 4 samples."""
    n = 4

    def value(low: float, high: float, unit: str) -> Quantity:
        if draw(st.booleans()):
            return Quantity(np.array([draw(st.floats(low, high))]), unit)
        return Quantity(
            np.array(draw(st.lists(st.floats(low, high), min_size=n, max_size=n))), unit
        )

    v = {
        "count": value(1, 1e5, "GPU"),
        "tdp": value(100, 1500, "W"),
        # a rate is zero or a real rate: below 1e-3 (1 + r)^-n rounds towards 1
        "useful_life": value(1, 10, "year"),
        # 1 - residual: a residual a hair below 1 leaves a difference that rounding dominates
        "residual_value": value(0, 0.95, ""),
        "utilisation": value(0.05, 1, ""),
        "decline": value(0, 0.5, ""),
        "cost_of_capital": (value(0, 0, "") if draw(st.booleans()) else value(1e-3, 0.3, "")),
        "server_overhead_capex": value(0, 1, ""),
        "tdp_share": value(0.3, 1, ""),
        "pue": value(1, 2, ""),
        "electricity_price": value(0.01, 0.3, "USD/kWh"),
        "hosting": value(50, 200, "USD/kW/month"),
        "maintenance": value(0, 0.1, ""),
        "other_opex": value(0, 3000, "USD/GPU/year"),
    }
    if draw(st.booleans()):
        v["server_cost_per_gpu"] = value(5e3, 6e4, "USD/GPU")
    else:
        v["gpu_price"] = value(5e3, 4e4, "USD/GPU")
    if draw(st.booleans()):
        v["operating_cost"] = value(1e3, 1e4, "USD/GPU/year")
    for name, unit in SHARED_OR_AMOUNT.items():
        v[name] = value(0, 0.5, "") if draw(st.booleans()) else value(0, 5000, unit)
    for peak in ("bf16_dense", "fp8_dense"):
        if draw(st.booleans()):
            v[peak] = value(100, 5000, "TFLOP/s")
    if draw(st.booleans()):
        v["acquired"] = value(2000, 2020, "year")
        v["as_of"] = value(2020, 2030, "year")
    method = draw(st.sampled_from(["depreciation", "annuity"]))
    form = Form(
        given=frozenset(v),
        shares=frozenset(k for k, q in v.items() if q.dimensionless),
        choices=(("capital_cost", method),),
    )
    return form, v


def reference(kind: Kind, form: Form, values: dict[str, Quantity]) -> dict[str, Quantity | None]:
    """Every formula by the calculator's evaluator: pint arithmetic, node by node."""
    done: dict[str, Quantity | None] = {}

    def get(key: str) -> Quantity | None:
        if key in done:
            return done[key]
        case = kind.formulas[key].case(form)
        result = None
        if case is not None:
            names: dict[str, Quantity] = {}
            ok = True
            for n in kind.reads(key, form):
                if kind.formula_reads(key, n):
                    found = get(n)
                    ok &= found is not None
                    if found is not None:
                        names[n] = found
                elif n in values:
                    names[n] = values[n]
                elif n in kind.constant:
                    names[n] = Quantity(kind.constant[n].value, kind.constant[n].unit)
                elif n in kind.inputs:
                    ok = False
            if ok:
                result = evaluate(case.parsed, names, simplify=False).to(kind.formulas[key].unit)
        done[key] = result
        return result

    return {k: get(k) for k in kind.formulas}


@settings(max_examples=60, deadline=None)
@given(sku_inputs())
def test_fused_evaluation_is_plain_unit_arithmetic(drawn):
    form, values = drawn
    engine = compiled(FLEET, form, {n: v.units for n, v in values.items()})
    got = engine({n: v.magnitude for n, v in values.items()})
    want = reference(FLEET, form, values)
    for key, expected in want.items():
        assert (got[key] is None) == (expected is None), key
        if expected is not None:
            # a value that cancels to one number may come back as one sample
            assert close(*np.broadcast_arrays(got[key], expected.magnitude)), key


def test_inputs_are_never_written():
    values = {
        n: np.linspace(1, 2, 5)
        for n in ("count", "server_cost_per_gpu", "pue", "tdp_share", "electricity_price")
    }
    points = {
        "tdp": 700.0,
        "useful_life": 4.0,
        "residual_value": 0.0,
        "utilisation": 1.0,
        "cost_of_capital": 0.1,
        "networking": 0.1,
        "storage": 0.03,
        "facility": 0.0,
        "server_power_overhead": 0.5,
        "hosting": 130.0,
        "maintenance": 0.03,
        "other_opex": 1000.0,
    }
    units = {
        "count": "GPU",
        "server_cost_per_gpu": "USD/GPU",
        "pue": "",
        "tdp_share": "",
        "electricity_price": "USD/kWh",
        "tdp": "W",
        "useful_life": "year",
        "residual_value": "",
        "utilisation": "",
        "cost_of_capital": "",
        "networking": "",
        "storage": "",
        "facility": "",
        "server_power_overhead": "",
        "hosting": "USD/kW/month",
        "maintenance": "",
        "other_opex": "USD/GPU/year",
    }
    ureg = registry()
    form = Form(
        frozenset(units),
        frozenset(n for n, u in units.items() if u == ""),
        (("capital_cost", "depreciation"),),
    )
    engine = compiled(FLEET, form, {n: ureg.Unit(u) for n, u in units.items()})
    copies = {n: v.copy() for n, v in values.items()}
    out = engine({**values, **points})
    for n, v in values.items():
        assert np.array_equal(v, copies[n]), n
    assert out["gpus"] is values["count"] or np.array_equal(out["gpus"], values["count"])
    assert out["electricity"] is not None and out["bf16_capacity"] is None  # no peak given


# ---- declarations ------------------------------------------------------------------------

SPEC = {"x": FieldSpec("x", "X", ("W",), "1 W", "a power")}


def test_a_name_that_is_nothing_is_refused():
    kind = Kind("bad", "Bad", SPEC, {}, (extensive("y", "Y", "W", "x * nothing"),))
    with pytest.raises(ValueError, match="'nothing' is not an input"):
        kind.check()


def test_formulas_that_read_each_other_are_refused():
    kind = Kind(
        "loop", "Loop", SPEC, {}, (extensive("a", "A", "W", "b + x"),), steps=(step("b", "W", "a"),)
    )
    with pytest.raises(ValueError, match="read each other"):
        compiled(kind, Form(frozenset({"x"})), {"x": registry().Unit("W")})


def test_a_ratio_of_a_step_is_refused():
    kind = Kind("r", "R", SPEC, {}, (ratio("per", "Per", "", "x", "x"),))
    with pytest.raises(ValueError, match="not an extensive output"):
        kind.check()


def test_a_wrong_unit_is_refused_when_compiled():
    kind = Kind("u", "U", SPEC, {}, (extensive("y", "Y", "USD", "x * 2"),))
    with pytest.raises(ValueError, match="not USD"):
        compiled(kind, Form(frozenset({"x"})), {"x": registry().Unit("W")})


def test_conditions_pick_the_case():
    f = FLEET.formulas["server_cost"]
    assert f.text(Form(frozenset({"gpu_price"}))) == "gpu_price * (1 + server_overhead_capex)"
    assert f.text(Form(frozenset({"server_cost_per_gpu"}))) == "server_cost_per_gpu"
    assert "if gpu_price given" in f.text()
    assert FLEET.formulas["electricity"].case(Form(frozenset({"operating_cost"}))) is None


# ---- the language ------------------------------------------------------------------------


def test_functions_are_calls_and_units_side_by_side_stay_products():
    assert float(evaluate("annuity_factor(0, 4 years)").magnitude[0]) == 0.25
    assert float(
        evaluate("1000 USD * annuity_factor(10%, 4 years)").to("USD/year").magnitude[0]
    ) == pytest.approx(315.4708, rel=1e-6)
    assert parse("2 W (3)").names() == ["W"]
    with pytest.raises(CalcError, match="takes 2 arguments"):
        parse("annuity_factor(1)")


def test_maximum_minimum_and_if_positive_choose_in_one_unit():
    assert float(evaluate("maximum(5 MW, 3000 kW)").to("MW").magnitude[0]) == 5
    assert float(evaluate("minimum(5 MW, 3000 kW)").to("MW").magnitude[0]) == 3
    assert float(evaluate("maximum(-3 USD, 0)").to("USD").magnitude[0]) == 0  # 0 in any unit
    assert float(evaluate("if_positive(0, 1 USD, 2 USD)").to("USD").magnitude[0]) == 2
    assert float(evaluate("if_positive(1 W, 1 USD, 2 USD)").to("USD").magnitude[0]) == 1
    with pytest.raises(UnitMismatchError, match="in one unit"):
        evaluate("maximum(1 USD, 1 hour)")


CHOICE = Kind(
    "choice",
    "Choice",
    {
        "x": FieldSpec("x", "X", ("MW",), "1 MW", "a power"),
        "y": FieldSpec("y", "Y", ("kW",), "1 kW", "a power"),
        "t": FieldSpec("t", "T", ("",), "1", "a test"),
    },
    {},
    (
        extensive("big", "Big", "MW", "maximum(x, y)"),
        extensive("small", "Small", "MW", "minimum(x, y)"),
        extensive("floor", "Floor", "MW", "maximum(x - y, 0)"),
        extensive("pick", "Pick", "MW", "if_positive(t, x, y)"),
    ),
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-10, 10), min_size=3, max_size=3),
    st.lists(st.floats(-1e4, 1e4), min_size=3, max_size=3),
    st.lists(st.floats(-1, 1), min_size=3, max_size=3),
)
def test_choices_over_samples_are_numpys(x, y, t):
    ureg = registry()
    units = {"x": ureg.Unit("MW"), "y": ureg.Unit("kW"), "t": ureg.Unit("")}
    xs, ys, ts = np.array(x), np.array(y), np.array(t)
    out = compiled(CHOICE, Form(frozenset(units)), units)({"x": xs, "y": ys, "t": ts})
    assert close(out["big"], np.maximum(xs, ys / 1e3))
    assert close(out["small"], np.minimum(xs, ys / 1e3))
    assert close(out["floor"], np.maximum(xs - ys / 1e3, 0))
    assert close(out["pick"], np.where(ts > 0, xs, ys / 1e3))
    refs = {n: Ref(n, u) for n, u in units.items()}
    texts = {k: excel_formula(CHOICE, k, Form(frozenset(units)), refs) for k in out}
    assert texts == {
        "big": "MAX(x,y/kW_per_MW)",
        "small": "MIN(x,y/kW_per_MW)",
        "floor": "MAX(x-y/kW_per_MW,0)",
        "pick": "IF(t>0,x,y/kW_per_MW)",
    }


def test_a_carried_input_is_the_year_befores_value():
    from flopbook.formula.series import in_order

    kind = Kind(
        "balance",
        "Balance",
        {
            "flow": FieldSpec("flow", "Flow", ("USD",), "1 USD", "money in"),
            "before": FieldSpec("before", "Before", ("USD",), "1 USD", "last year's"),
        },
        {},
        (extensive("balance", "Balance", "USD", {"before given": "before + flow", None: "flow"}),),
        carried={"before": "balance"},
    )
    items = in_order(kind, [{"flow": Quantity(np.array([v]), "USD")} for v in (1.0, 2.0, -4.0)])
    assert [float(i["balance"].magnitude[0]) for i in items] == [1.0, 3.0, -1.0]
    bad = Kind("bad", "Bad", SPEC, {}, (extensive("y", "Y", "W", "x"),), carried={"x": "nope"})
    with pytest.raises(ValueError, match="carries 'nope'"):
        bad.check()


# ---- Excel -------------------------------------------------------------------------------


def test_unit_conversions_are_named_for_the_units_they_convert():
    assert factor_formula(1e-3, ("TFLOP/s", "PFLOP/s")) == "/TFLOPS_per_PFLOPS"
    assert factor_formula(1e3, ("MW", "kW")) == "*kW_per_MW"
    assert factor_formula(8.766, ("MW", "GWh/year")) == "*hours_per_year/MWh_per_GWh"
    with pytest.raises(ValueError, match="no named unit conversion"):
        factor_formula(7.0)


def test_excel_text_of_each_case():
    ureg = registry()
    refs = {
        "count": Ref("count_A", ureg.Unit("GPU")),
        "tdp": Ref("{in_tdp}", ureg.Unit("W")),
        "tdp_share": Ref("tdp_share", ureg.Unit("")),
        "server_power_overhead": Ref("spo", ureg.Unit("W/GPU")),
    }
    form = Form(frozenset(refs), frozenset({"tdp_share"}))
    cells = {"gpus": Ref("{gpus}", ureg.Unit("GPU"))}
    assert (
        excel_formula(FLEET, "it_power", form, refs, cells)
        == "{gpus}*({in_tdp}*tdp_share+spo)/W_per_MW"
    )
    assert excel_formula(FLEET, "gpus", form, refs, cells) == "count_A"
    assert excel_formula(FLEET, "electricity", form, refs, cells) is None  # no price given


# ---- one result, one registry -------------------------------------------------------------


def test_a_result_knows_its_kind_and_each_figures_formula():
    from flopbook.models.fleet import Fleet, Sku
    from flopbook.models.registry import KINDS, kind

    result = Fleet(
        [
            Sku("H800", count="2048 GPU", gpu_price="25k USD/GPU"),
            Sku(
                "A100",
                count="1k GPU",
                server_cost_per_gpu="15k USD/GPU",
                operating_cost="4k USD/GPU/year",
            ),
        ]
    ).run()
    assert result.kind is KINDS["fleet"] is kind("fleet")
    assert result.formula("server_capex", "H800") == "gpus * server_cost"
    assert result.formula("opex", "A100") == "gpus * operating_cost"
    assert result.formula("opex", "H800") == "electricity + hosting + maintenance + other_opex"
    assert result.formula("capex_per_gpu", "Total") == "total capex / total gpus"
    assert result.get("electricity", "A100") is None
    assert result.partial["electricity"] == ["A100"]
    frame = result.to_dataframe()
    assert frame.loc["Capex", "unit"] == "USD"
    with pytest.raises(Exception, match="unknown model kind"):
        kind("fleets")


@st.composite
def training_inputs(draw: st.DrawFn) -> tuple[Form, dict[str, Quantity]]:
    unknown = draw(st.sampled_from(["flops", "gpu_hours", "peak", "mfu"]))
    arrays = st.lists(st.floats(1, 100), min_size=3, max_size=3)

    def value(unit: str, scale: float) -> Quantity:
        return Quantity(np.array(draw(arrays)) * scale, unit)

    v: dict[str, Quantity] = {}
    if unknown != "flops":
        if draw(st.booleans()):
            v["params"], v["tokens"] = value("", 1e9), value("token", 1e12)
        else:
            v["flops"] = value("FLOP", 1e23)
    if unknown != "gpu_hours":
        v["gpu_hours"] = value("GPU*hour", 1e5)
    if unknown != "peak":
        v["peak"] = value("TFLOP/s", 10)
    if unknown != "mfu":
        v["mfu"] = value("", 0.005)
    for name, unit, scale in (
        ("gpus", "GPU", 100),
        ("price", "USD/GPU/hour", 0.1),
        ("power", "W", 20),
        ("pue", "", 0.02),
    ):
        if draw(st.booleans()):
            v[name] = value(unit, scale)
    return Form(frozenset(v)), v


@settings(max_examples=40, deadline=None)
@given(training_inputs())
def test_the_training_solver_is_plain_unit_arithmetic(drawn):
    from flopbook.models.workload import TRAINING

    form, values = drawn
    engine = compiled(TRAINING, form, {n: v.units for n, v in values.items()})
    got = engine({n: v.magnitude for n, v in values.items()})
    for key, expected in reference(TRAINING, form, values).items():
        assert (got[key] is None) == (expected is None), key
        if expected is not None:
            assert close(*np.broadcast_arrays(got[key], expected.magnitude)), key
