"""Mittelverteilung nach Bedarf: hand-computed budgets, the exact sum, the Hare-Niemeyer bound, the watering can."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sozialraum.core.allocation import allocate, concentration_curve, largest_remainder, units_of
from sozialraum.core.errors import InputError

# Five quarters: target population P, index class (E not rated), index value for 'proportional'.
IDS = ["A", "B", "C", "D", "E"]
P = [100.0, 200.0, 100.0, 50.0, 50.0]  # sum 500
CLASS = [1.0, 2.0, 3.0, 3.0, np.nan]
VALUE = [-1.0, 0.0, 1.0, 2.0, np.nan]


def by_id(result, column="zuweisung"):
    return dict(zip(IDS, result.table[column].tolist()))


def test_tiers_whole_positions_by_hand():
    # factors 1, 2, 4: P x f = 100, 400, 400, 200, 0 (sum 1100); 1000 positions:
    # q = 90.909, 363.636, 363.636, 181.818, 0 -> floors 90, 363, 363, 181 (997), 3 left:
    # A (.909), D (.818), then B and C tie (.636): B by ID order.
    result = allocate(IDS, P, CLASS, "tiers", 1000, unit=1, factors=[1, 2, 4])
    assert by_id(result) == {"A": 91, "B": 364, "C": 363, "D": 182, "E": 0}
    assert by_id(result, "zuweisung_giesskanne") == {"A": 200, "B": 400, "C": 200, "D": 100, "E": 100}
    assert by_id(result, "differenz") == {"A": -109, "B": -36, "C": 163, "D": 82, "E": -100}
    assert result.table["zuweisung_je_person"].tolist() == pytest.approx([0.91, 1.82, 3.63, 3.64, 0.0])
    assert result.table["hinweis"].tolist()[:4] == [None] * 4 and "nicht bewertet" in result.table["hinweis"][4]
    # highest class 3 = C and D: 545 of 1000 against 300 of the watering can
    assert result.summary["top_share"] == pytest.approx(0.545)
    assert result.summary["top_share_watering_can"] == pytest.approx(0.3)


def test_tiers_in_euros_and_cents_by_hand():
    # 1000.00 EUR = 100000 cents: q = 9090.909, 36363.636, 36363.636, 18181.818, 0 -> 3 cents left: A, D, B
    result = allocate(IDS, P, CLASS, "tiers", 1000.0, unit=0.01, factors=[1, 2, 4])
    assert by_id(result) == {"A": 90.91, "B": 363.64, "C": 363.63, "D": 181.82, "E": 0.0}
    assert result.units.sum() == 100000


def test_base_share_half_by_hand():
    # q = 0.5 x (200, 400, 200, 100, 100) + 0.5 x (90.909, 363.636, 363.636, 181.818, 0)
    #   = 145.455, 381.818, 281.818, 140.909, 50 -> floors 997, 3 left: D (.909), B and C (.818)
    result = allocate(IDS, P, CLASS, "tiers", 1000, base_share=0.5, unit=1, factors=[1, 2, 4])
    assert by_id(result) == {"A": 145, "B": 382, "C": 282, "D": 141, "E": 50}


def test_threshold_by_hand():
    # class >= 3: C and D with P 100 and 50: q = 666.667, 333.333 -> C gets the one left over
    result = allocate(IDS, P, CLASS, "threshold", 1000, unit=1, threshold_class=3)
    assert by_id(result) == {"A": 0, "B": 0, "C": 667, "D": 333, "E": 0}
    assert result.summary["top_share"] == 1.0


def test_proportional_by_hand():
    # f = v - min v = 0, 1, 2, 3: P x f = 0, 200, 200, 150 (sum 550); 1100 -> 0, 400, 400, 300
    result = allocate(IDS, P, VALUE, "proportional", 1100, unit=1)
    assert by_id(result) == {"A": 0, "B": 400, "C": 400, "D": 300, "E": 0}
    # the top fifth of the four rated quarters (one quarter): D
    assert result.summary["n_top"] == 1 and result.summary["top_share"] == pytest.approx(300 / 1100)


def test_base_share_one_is_the_watering_can():
    result = allocate(IDS, P, CLASS, "tiers", 1000.0, base_share=1.0, unit=0.01, factors=[1, 2, 4])
    assert by_id(result) == by_id(result, "zuweisung_giesskanne") == {
        "A": 200.0, "B": 400.0, "C": 200.0, "D": 100.0, "E": 100.0}
    assert set(result.table["differenz"]) == {0.0}
    assert result.summary["concentration_index"] == pytest.approx(0.0, abs=1e-12)


def test_concentration_curve_by_hand():
    # two quarters, most need first: P 1, 3; money 3, 1 -> points (0, 0), (0.25, 0.75), (1, 1)
    x, y, index = concentration_curve(np.array([0, 1]), [1.0, 3.0], [3.0, 1.0], points=5)
    assert x.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert y.tolist() == pytest.approx([0.0, 0.75, 0.8333333333, 0.9166666667, 1.0])
    # area under the curve: 0.25 x 0.75 / 2 + 0.75 x (0.75 + 1) / 2 = 0.75; index 2 x 0.75 - 1 = 0.5
    assert index == pytest.approx(0.5)


@pytest.mark.parametrize("kwargs, words", [
    (dict(budget=0), "größer als 0"),
    (dict(budget=-5), "größer als 0"),
    (dict(unit=0), "kleinste Einheit"),
    (dict(budget=1000.005, unit=0.01), "kein Vielfaches"),
    (dict(factors=[1, 2]), "2 Faktoren für 3 Klassen"),
    (dict(factors=[1, 2, 4], n_classes=5), "3 Faktoren für 5 Klassen"),
    (dict(factors=[1, -2, 4]), "0 oder größer"),
    (dict(base_share=1.5), "Grundanteil"),
    (dict(method="threshold", threshold_class=4), "Kein Quartier erhält"),
    (dict(need=[1.5, 2.0, 3.0, 3.0, np.nan]), "keine Klassen"),
    (dict(need=[np.nan] * 5), "alle leer"),
    (dict(population=[100.0, None, 100.0, 50.0, 50.0]), "Wert fehlt"),
    (dict(population=[0.0] * 5), "in allen Quartieren 0"),
])
def test_bad_input_is_named(kwargs, words):
    arguments = dict(ids=IDS, population=P, need=CLASS, method="tiers", budget=1000.0, unit=0.01,
                     factors=[1, 2, 4])
    arguments.update(kwargs)
    with pytest.raises(InputError) as error:
        allocate(**arguments)
    assert words in error.value.de and error.value.en


def test_units_of_budget():
    assert units_of(1_000_000.0, 0.01) == 100_000_000
    assert units_of(12.0, 1.0) == 12


def test_largest_remainder_ties_follow_the_key():
    assert largest_remainder([0.5, 0.5, 1.0], 2, np.array([1, 0, 2])).tolist() == [0, 1, 1]


# -- properties ---------------------------------------------------------------------------------------------
quarters = st.lists(st.tuples(st.integers(0, 5000), st.one_of(st.none(), st.integers(1, 5))), min_size=1,
                    max_size=25)
factors = st.lists(st.floats(0, 5, allow_nan=False), min_size=5, max_size=5)


def _run(rows, factor_list, total_units, unit, base_share, method="tiers"):
    ids = ["q{:02d}".format(k) for k in range(len(rows))]
    population = [float(p) for p, _ in rows]
    need = [np.nan if c is None else float(c) for _, c in rows]
    return ids, allocate(ids, population, need, method, total_units * unit, base_share=base_share, unit=unit,
                         factors=factor_list, threshold_class=3)


def _usable(rows, factor_list, base_share):
    weight = sum(p * factor_list[c - 1] for p, c in rows if c is not None)
    if all(c is None for _, c in rows) or not any(f > 0 for f in factor_list):
        return False  # refused with a message (test_bad_input_is_named)
    return sum(p for p, _ in rows) > 0 and (weight > 0 or base_share == 1.0)


@settings(max_examples=150)
@given(quarters, factors, st.integers(1, 10 ** 7), st.sampled_from([0.01, 0.5, 1.0]),
       st.sampled_from([0.0, 0.3, 1.0]))
def test_exact_sum_and_hare_niemeyer_bound(rows, factor_list, total_units, unit, base_share):
    assume(_usable(rows, factor_list, base_share))
    _, result = _run(rows, factor_list, total_units, unit, base_share)
    assert int(result.units.sum()) == total_units
    # every quarter within one unit of its exact share, at floor or ceiling of it
    assert np.all(np.abs(result.units - result.quota) < 1.0 + 1e-9 * total_units)
    assert np.all((result.units == np.floor(result.quota)) | (result.units == np.floor(result.quota) + 1))
    assert math.fsum(result.table["zuweisung"]) == pytest.approx(total_units * unit, rel=1e-12)


@settings(max_examples=100)
@given(quarters, factors, st.integers(1, 10 ** 6), st.sampled_from([0.01, 1.0]))
def test_base_share_one_gives_the_watering_can(rows, factor_list, total_units, unit):
    assume(_usable(rows, factor_list, 1.0))
    _, result = _run(rows, factor_list, total_units, unit, 1.0)
    assert result.table["zuweisung"].tolist() == result.table["zuweisung_giesskanne"].tolist()


@settings(max_examples=100)
@given(quarters, factors, st.integers(1, 10 ** 6), st.sampled_from([0.0, 0.3]), st.randoms(use_true_random=False),
       st.sampled_from(["tiers", "threshold"]))
def test_row_order_does_not_matter(rows, factor_list, total_units, base_share, random, method):
    assume(_usable(rows, factor_list, base_share))
    assume(method != "threshold" or sum(p for p, c in rows if c is not None and c >= 3) > 0)
    ids, result = _run(rows, factor_list, total_units, 1.0, base_share, method)
    order = list(range(len(rows)))
    random.shuffle(order)
    shuffled = allocate([ids[k] for k in order], [float(rows[k][0]) for k in order],
                        [np.nan if rows[k][1] is None else float(rows[k][1]) for k in order], method,
                        float(total_units), base_share=base_share, unit=1.0, factors=factor_list, threshold_class=3)
    assert dict(zip(ids, result.units.tolist())) == {ids[k]: int(u) for k, u in zip(order, shuffled.units)}
