"""Tests of sozialraum.core.rates: threshold, raw rates and global empirical Bayes (Marshall 1991)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialraum.core.errors import InputError
from sozialraum.core.rates import empirical_bayes, indicator_rates


def four_areas():
    # Hand-computed example (fractions):
    #   x = 30, 5, 10, 5;  n = 100, 50, 100, 50;  r = 0.3, 0.1, 0.1, 0.1
    #   m = 50 / 300 = 1/6;  nbar = 75
    #   sum n (r - m)^2 / sum n = (16/9 + 2/9 + 4/9 + 2/9) / 300 = 2/225
    #   s2 = 2/225 - (1/6)/75 = 2/225 - 1/450 = 1/150
    #   C(n=100) = (1/150) / (1/150 + 1/600) = 4/5;  C(n=50) = (1/150) / (1/150 + 1/300) = 2/3
    #   EB_A = 1/6 + 4/5 * 2/15 = 41/150;  EB_B = EB_D = 1/6 - 2/3 * 1/15 = 11/90
    #   EB_C = 1/6 - 4/5 * 1/15 = 17/150
    return pd.DataFrame(
        {"id": ["A", "B", "C", "D"], "alo": [30, 5, 10, 5], "ew": [100, 50, 100, 50]}
    )


def test_hand_computed_empirical_bayes():
    result = indicator_rates(four_areas(), [("alo", "ew", "q_alo")], min_denominator=60, smoothing=True,
                             id_column="id")
    table = result.table
    assert table["q_alo_eb"].tolist() == pytest.approx([100 * 41 / 150, 100 * 11 / 90, 100 * 17 / 150, 100 * 11 / 90])
    assert table["q_alo_roh"].tolist() == pytest.approx([30.0, 10.0, 10.0, 10.0])
    info = result.parameters["q_alo"]
    assert info["city_rate"] == pytest.approx(100 / 6)
    assert info["between_variance"] == pytest.approx(1 / 150)
    assert info["mean_denominator"] == pytest.approx(75)
    # n-weighted mean of the EB rates: m + sum n_i C_i (r_i - m) / sum n_i
    #   = 1/6 + (100*4/5*2/15 - 50*2/3/15 - 100*4/5/15 - 50*2/3/15) / 300 = 1/6 + (8/9)/300
    weighted = (table["q_alo_eb"] * four_areas()["ew"]).sum() / 300
    assert weighted == pytest.approx(100 * (1 / 6 + 8 / 2700))


def test_threshold_keeps_raw_rate_and_smoothed_rate_for_small_areas():
    table = indicator_rates(four_areas(), [("alo", "ew", "q")], min_denominator=60, smoothing=True).table
    assert table["q_ok"].tolist() == [True, False, True, False]
    assert np.isnan(table.loc[1, "q"]) and np.isnan(table.loc[3, "q"])
    assert table.loc[0, "q"] == pytest.approx(30.0)
    assert table.loc[1, "q_roh"] == pytest.approx(10.0)
    assert not np.isnan(table.loc[1, "q_eb"])
    assert table.loc[0, "q_hinweis"] == ""
    assert "60" in table.loc[1, "q_hinweis"]


def test_threshold_is_inclusive_and_zero_or_null_denominators_have_no_rate():
    frame = pd.DataFrame({"x": [3, 3, 0, 1, np.nan], "n": [300, 299, 0, np.nan, 400]})
    result = indicator_rates(frame, [("x", "n", "q")], min_denominator=300, smoothing=True)
    table = result.table
    assert table["q_ok"].tolist() == [True, False, False, False, False]
    assert table.loc[0, "q"] == pytest.approx(1.0)
    assert table.loc[1, "q_roh"] == pytest.approx(100 * 3 / 299)
    assert np.isnan(table.loc[2, "q_roh"]) and np.isnan(table.loc[2, "q_eb"])
    assert np.isnan(table.loc[3, "q_eb"])
    assert np.isnan(table.loc[4, "q_eb"])  # count missing: not part of the smoothing
    assert table.loc[2, "q_hinweis"] != "" and table.loc[4, "q_hinweis"] != ""
    assert result.warnings  # 4 areas without a rate


def test_no_smoothing_gives_no_eb_column():
    table = indicator_rates(four_areas(), [("alo", "ew", "q")], min_denominator=0).table
    assert "q_eb" not in table.columns
    assert table["q"].tolist() == pytest.approx([30.0, 10.0, 10.0, 10.0])


def test_equal_rates_clip_variance_to_zero_and_give_city_rate():
    frame = pd.DataFrame({"x": [10, 20, 5], "n": [100, 200, 50]})
    result = indicator_rates(frame, [("x", "n", "q")], min_denominator=0, smoothing=True)
    assert result.parameters["q"]["between_variance"] == 0.0
    assert result.table["q_eb"].tolist() == pytest.approx([10.0, 10.0, 10.0])
    assert any("Stadtquote" in w for w in result.warnings)


def test_all_counts_zero_smooth_to_zero():
    eb, m, s2, _ = empirical_bayes([0.0, 0.0], [100.0, 50.0])
    assert m == 0 and s2 == 0 and eb.tolist() == [0.0, 0.0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(1, 2000)), min_size=2, max_size=12))
def test_eb_lies_between_raw_and_city_rate(pairs):
    count = np.array([min(x, n) for x, n in pairs], dtype=float)
    denominator = np.array([n for _, n in pairs], dtype=float)
    eb, m, _, _ = empirical_bayes(count, denominator)
    raw = count / denominator
    low, high = np.minimum(raw, m), np.maximum(raw, m)
    assert np.all(eb >= low - 1e-12) and np.all(eb <= high + 1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 500), min_size=2, max_size=12), st.integers(500, 5000))
def test_equal_denominators_keep_the_city_rate_as_mean(counts, n):
    # With equal n_i every C_i is the same, so mean(EB_i) = m + C * mean(r_i - m) = m exactly.
    eb, m, _, _ = empirical_bayes(np.array(counts, dtype=float), np.full(len(counts), float(n)))
    assert eb.mean() == pytest.approx(m, abs=1e-12)


def test_several_specs_and_id_column_first():
    frame = four_areas().assign(kinder=[10, 10, 20, 10])
    table = indicator_rates(frame, [("alo", "ew", "q_alo"), ("kinder", "ew", "q_k")], min_denominator=0,
                            id_column="id").table
    assert list(table.columns[:1]) == ["id"]
    assert table["q_k"].tolist() == pytest.approx([10.0, 20.0, 20.0, 20.0])


@pytest.mark.parametrize(
    "frame, spec, word",
    [
        (pd.DataFrame({"x": [5, 60], "n": [100, 50]}), ("x", "n", "q"), "größer"),
        (pd.DataFrame({"x": [-1, 6], "n": [100, 50]}), ("x", "n", "q"), "negativ"),
        (pd.DataFrame({"x": [1, 6], "n": [-100, 50]}), ("x", "n", "q"), "negativ"),
        (pd.DataFrame({"x": ["viele", 6], "n": [100, 50]}), ("x", "n", "q"), "Text"),
        (pd.DataFrame({"x": [0, 0], "n": [0, np.nan]}), ("x", "n", "q"), "0 oder leer"),
        (pd.DataFrame({"x": [1, 6], "n": [100, 50]}), ("x", "n", "x"), "gibt es in der Eingabe"),
        (pd.DataFrame({"x": [1, 6], "n": [100, 50], "q_roh": [0, 0]}), ("x", "n", "q"), "q_roh"),
        (pd.DataFrame({"x": [1, 6], "n": [100, 50]}), ("x", "fehlt", "q"), "fehlt"),
        (pd.DataFrame({"x": [1, 6], "n": [100, 50]}), ("x", "n"), "drei Angaben"),
    ],
)
def test_bad_input_raises_input_error(frame, spec, word):
    with pytest.raises(InputError) as caught:
        indicator_rates(frame, [spec], min_denominator=0)
    assert word in caught.value.de
    assert caught.value.en


def test_count_above_denominator_names_the_area():
    frame = pd.DataFrame({"id": ["01011101", "01011102"], "x": [5, 60], "n": [100, 50]})
    with pytest.raises(InputError) as caught:
        indicator_rates(frame, [("x", "n", "q")], id_column="id")
    assert "01011102" in caught.value.de and "01011101" not in caught.value.de


def test_counts_below_the_minimum_case_number_are_not_published():
    """Statistical confidentiality: 1 or 2 cases (minimum 3) give no rate at all, raw or smoothed; 0 cases and 3
    or more are published; the city rate still counts every case (hand-computed: 16 / 1600 = 1 %)."""
    frame = pd.DataFrame({"id": ["A", "B", "C", "D"], "x": [0, 1, 2, 13], "n": [400, 400, 400, 400]})
    result = indicator_rates(frame, [("x", "n", "q")], min_denominator=300, smoothing=True, id_column="id")
    table = result.table
    assert table["q_ok"].tolist() == [True, False, False, True]
    assert table.loc[0, "q"] == 0.0 and table.loc[3, "q"] == pytest.approx(100 * 13 / 400)
    for column in ("q", "q_roh", "q_eb"):
        assert np.isnan(table.loc[1, column]) and np.isnan(table.loc[2, column]), column
    assert "Geheimhaltung" in table.loc[1, "q_hinweis"] or "confidentiality" in table.loc[1, "q_hinweis"]
    assert result.parameters["q"]["suppressed"] == 2 and result.parameters["q"]["city_rate"] == pytest.approx(1.0)
    off = indicator_rates(frame, [("x", "n", "q")], min_denominator=300, min_cases=0).table
    assert off["q"].tolist() == pytest.approx([0.0, 0.25, 0.5, 3.25])
