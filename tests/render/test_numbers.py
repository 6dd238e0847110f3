from flopbook.quantity import Summary
from flopbook.render.numbers import compact_usd, summary, value


def test_money_is_shown_in_the_row_scale():
    assert value(1.6e9, "USD") == "$1.60B"
    assert value(731.8e6, "USD") == "$732M"
    assert value(26_667, "USD/GPU") == "$26.7k"
    assert value(1.234, "USD/GPU/hour") == "$1.23"
    assert value(-5e6, "USD/year") == "-$5.00M/yr"
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
