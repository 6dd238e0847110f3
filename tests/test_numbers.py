from flopbook.numbers import compact_usd, summary, value
from flopbook.quantity import Summary


def test_money_is_shown_in_the_row_scale():
    assert value(1.6e9, "USD") == "$1.60B"
    assert value(731.8e6, "USD") == "$732M"
    assert value(26_667, "USD/GPU") == "$26.7k"
    assert value(1.234, "USD/GPU/hour") == "$1.23"
    assert value(-5e6, "USD/year") == "-$5.00M/year"
    assert value(0.105, "MW") == "0.105 MW"
    assert value(28_096, "GPU") == "28,096"
    assert value(2.03, "PFLOP/s") == "2.03 PFLOP/s"
    assert value(27_800, "PFLOP/s") == "27.8 EFLOP/s"


def test_a_sampled_value_shows_its_interval():
    s = Summary("USD", 1.6e9, 1.4e9, 1.6e9, 1.8e9, 1000)
    assert summary(s, "USD") == "$1.60B (1.40–1.80)"
    assert summary(None, "USD") == "—"


def test_compact_usd():
    assert compact_usd(1.3e9) == "$1.30B"
    assert compact_usd(944e6) == "$944.00M"
    assert compact_usd(12.5) == "$12.50"
    assert compact_usd(-1.15e9) == "-$1.15B"


def test_any_unit_reads_the_same_way():
    from flopbook.numbers import value

    # DeepSeek-V3 report: 2.788M GPU-hours, $5.576M; four significant digits keep both
    assert value(2.788e6, "GPU·h", sig=4) == "2.788M GPU·h"
    assert value(5.576e6, "USD", sig=4) == "$5.576M"
    assert value(3.2856e24, "FLOP", sig=4) == "3.286e24 FLOP"
    assert value(3806.4, "MWh", sig=4) == "3,806 MWh"
    assert value(37e9, "") == "37B" and value(32, "") == "32"
    assert value(545, "%", sig=3) == "545%" and value(545.6, "%", sig=4) == "545.6%"
    assert value(-1, "USD/GPU/h") == "-$1.00/GPU/h"


def test_a_value_that_rounds_to_zero_has_no_sign():
    from flopbook.numbers import number, value

    assert number(-0.0001, 1) == "0.0"
    assert value(-0.001, "USD/GPU/hour") == "$0.00"


def test_significant_digits_of_a_published_figure():
    from flopbook.numbers import significant

    assert [significant(x) for x in (5.576e6, 545, 87_072, 0.97, 2.788e6, 1.6e9)] == [
        4,
        3,
        5,
        2,
        4,
        2,
    ]


def test_interval_ends_on_another_scale_say_theirs():
    from flopbook.numbers import summary
    from flopbook.quantity import Summary

    def s(unit, mean, p5, p95):
        return summary(Summary(unit, mean, p5, mean, p95, 100), unit)

    # the ends in the mean's scale would read as dollars: (-1,554–2,339)
    assert s("USD/year", 301e3, -1.554e6, 2.339e6) == "$301k/year (-1.55M–2.34M)"
    assert s("USD", 590e6, 304e6, 1.012e9) == "$590M (304M–1.01B)"
    # one scale for all three: the ends need no letter
    assert s("USD", 1.6e9, 1.4e9, 1.8e9) == "$1.60B (1.40–1.80)"
