"""Tests of sozialraum.core.mss (Status-/Dynamik-Index as in Berlin's MSS) on hand-computed cases."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sozialraum.core import errors
from sozialraum.core.errors import InputError
from sozialraum.core.mss import dynamic_class, status_class, status_dynamic_index


def small_city():
    # Rated areas a..e (population >= 300):
    #   s1 = 1..5            -> z1 = [-2, -1, 0, 1, 2] / sqrt(2)
    #   s2 = 5, 1, 4, 2, 3   -> z2 = [2, -2, 1, -1, 0] / sqrt(2)
    #   z1 + z2 = [0, -3, 1, 0, 2] / sqrt(2), population SD sqrt(14/5) / sqrt(2)
    #   status_index = [0, -3, 1, 0, 2] / sqrt(2.8) = [0, -1.793, 0.598, 0, 1.195]
    #   -> classes 2, 1, 2, 2, 3
    #   d = cur - earlier = [2, -1, 0, -2, 1], SD sqrt(2) -> z = [1.414, -0.707, 0, -1.414, 0.707]
    #   -> dynamic classes 3, 2, 2, 1, 2
    # f: too few inhabitants, extreme values that must not change the statistics; g: s2 missing.
    return pd.DataFrame({
        "id": ["a", "b", "c", "d", "e", "f", "g"],
        "ew": [1000, 2000, 500, 300, 800, 299, 900],
        "s1": [1, 2, 3, 4, 5, 90, 3],
        "s2": [5, 1, 4, 2, 3, 90, np.nan],
        "cur": [10, 10, 10, 10, 10, 50, 10],
        "earlier": [8, 11, 10, 12, 9, 0, 10],
    })


def run(frame=None, **kwargs):
    arguments = dict(status_fields=["s1", "s2"], dynamic_pairs=[("cur", "earlier")], population_field="ew",
                     id_column="id")
    arguments.update(kwargs)
    return status_dynamic_index(small_city() if frame is None else frame, **arguments)


def test_hand_computed_status_and_dynamic_index():
    table = run().table.set_index("id")
    rated = table.loc[list("abcde")]
    expected_status = [v / math.sqrt(2.8) for v in (0, -3, 1, 0, 2)]
    assert rated["status_index"].tolist() == pytest.approx(expected_status)
    assert rated["z_s1"].tolist() == pytest.approx([v / math.sqrt(2) for v in (-2, -1, 0, 1, 2)])
    assert rated["d_cur"].tolist() == pytest.approx([2, -1, 0, -2, 1])
    assert rated["z_d_cur"].tolist() == pytest.approx([v / math.sqrt(2) for v in (2, -1, 0, -2, 1)])
    assert rated["dynamic_index"].tolist() == pytest.approx([v / math.sqrt(2) for v in (2, -1, 0, -2, 1)])
    assert rated["status_class"].tolist() == [2, 1, 2, 2, 3]
    assert rated["status_label"].tolist() == ["mittel", "hoch", "mittel", "mittel", "niedrig"]
    assert rated["dynamic_class"].tolist() == [3, 2, 2, 1, 2]
    assert rated["dynamic_label"].tolist() == ["negativ", "stabil", "stabil", "positiv", "stabil"]
    assert rated["gesamt_code"].tolist() == ["2-", "1+/-", "2+/-", "2+", "3+/-"]
    assert rated.loc["e", "gesamt_label"] == "Status niedrig, Dynamik stabil"
    # status niedrig (e) and status mittel with negative dynamics (a)
    assert rated["aufmerksamkeit"].tolist() == [True, False, False, False, True]


def test_unrated_areas_are_null_and_explained():
    result = run()
    table = result.table.set_index("id")
    assert table["rated"].tolist() == [True] * 5 + [False, False]
    for area in "fg":
        assert pd.isna(table.loc[area, "status_index"]) and pd.isna(table.loc[area, "status_class"])
        assert pd.isna(table.loc[area, "z_s1"]) and pd.isna(table.loc[area, "gesamt_code"])
        assert pd.isna(table.loc[area, "aufmerksamkeit"])
    assert "300" in table.loc["f", "note"]
    assert "s2" in table.loc["g", "note"]
    assert result.parameters["n_rated"] == 5
    assert result.parameters["class_counts"]["status"] == {1: 1, 2: 3, 3: 1, 4: 0}
    assert result.parameters["indicators"]["s1"] == pytest.approx({"mean": 3.0, "sd": math.sqrt(2)})
    assert result.warnings


def test_class_boundaries_are_exactly_as_published():
    z = [-1.0000001, -1.0, 1.0, 1.0000001, 1.5, 1.5000001, np.nan]
    assert status_class(z).tolist() == [1, 2, 2, 3, 3, 4, pd.NA]
    assert dynamic_class(z).tolist() == [1, 2, 2, 3, 3, 3, pd.NA]


def test_boundary_values_inside_the_index():
    # x = [1.5, -1.5, 0, 0.5, -0.5, 1, -1]: mean 0, population SD exactly 1 -> z = x exactly
    x = [1.5, -1.5, 0.0, 0.5, -0.5, 1.0, -1.0]
    frame = pd.DataFrame({"s": x, "d": x})
    table = status_dynamic_index(frame, ["s"], dynamic_fields=["d"]).table
    assert table["status_index"].tolist() == x
    assert table["status_class"].tolist() == [3, 1, 2, 2, 2, 2, 2]
    assert table["dynamic_class"].tolist() == [3, 1, 2, 2, 2, 2, 2]
    assert table["gesamt_code"].tolist()[:2] == ["3-", "1+"]


def test_without_dynamic_indicators_the_dynamic_columns_are_null():
    result = run(dynamic_pairs=())
    table = result.table.set_index("id")
    assert table["dynamic_index"].isna().all() and table["dynamic_class"].isna().all()
    assert table["gesamt_code"].isna().all() and table["dynamic_label"].isna().all()
    assert table.loc[list("abcde"), "aufmerksamkeit"].tolist() == [False, False, False, False, True]
    assert "d_cur" not in table.columns
    assert any("Dynamik" in w for w in result.warnings)


def test_exclude_removes_an_outlier_from_the_statistics():
    table = run(exclude=["e"]).table.set_index("id")
    assert not table.loc["e", "rated"] and "ausgeschlossen" in table.loc["e", "note"]
    # a..d: z1 + z2 of s1 = 1..4, s2 = 5, 1, 4, 2 -> sums (x1 - 2.5) / sd1 + (x2 - 3) / sd2
    s1, s2 = np.array([1, 2, 3, 4.0]), np.array([5, 1, 4, 2.0])
    total = (s1 - s1.mean()) / s1.std() + (s2 - s2.mean()) / s2.std()
    assert table.loc[list("abcd"), "status_index"].tolist() == pytest.approx(list((total - total.mean()) / total.std()))


def test_english_labels():
    errors.set_language("en")
    try:
        table = run().table.set_index("id")
    finally:
        errors.set_language("de")
    assert table.loc["e", "status_label"] == "low"
    assert table.loc["a", "gesamt_label"] == "status medium, dynamics negative"


# shares in % as statistics offices publish them (at most 6 decimals); spreads of 1e-320 are tested apart
PERCENT = st.floats(0, 100).map(lambda v: round(v, 6))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(PERCENT, PERCENT), min_size=3, max_size=30, unique=True),
       st.randoms(use_true_random=False))
def test_index_is_standardised_and_permutation_invariant(rows, random):
    frame = pd.DataFrame(rows, columns=["s1", "s2"])
    frame["id"] = [str(i) for i in range(len(frame))]
    assume(frame["s1"].nunique() >= 2 and frame["s2"].nunique() >= 2)
    total = ((frame.s1 - frame.s1.mean()) / frame.s1.std(ddof=0) + (frame.s2 - frame.s2.mean()) / frame.s2.std(ddof=0))
    # the two indicators cancel out (constant sum) in the discarded examples: checked in test_errors
    assume(total.std(ddof=0) >= 1e-6 * total.abs().max())
    table = status_dynamic_index(frame, ["s1", "s2"], id_column="id").table
    assert table["status_index"].mean() == pytest.approx(0, abs=1e-9)
    assert table["status_index"].std(ddof=0) == pytest.approx(1)
    order = list(range(len(frame)))
    random.shuffle(order)
    shuffled = status_dynamic_index(frame.iloc[order], ["s1", "s2"], id_column="id").table
    assert shuffled.set_index("id")["status_index"].sort_index().to_numpy() == pytest.approx(
        table.set_index("id")["status_index"].sort_index().to_numpy())


@pytest.mark.parametrize(
    "change, kwargs, word",
    [
        (lambda f: f.assign(s1=7), {}, "gleich"),
        (lambda f: f.assign(ew=[300, 300, 10, 10, 10, 10, 10]), {}, "Nur 2"),
        (lambda f: f.assign(id=["a", "a", "c", "d", "e", "f", "g"]), {}, "doppelte"),
        (lambda f: f.assign(s1=["x", 2, 3, 4, 5, 90, 3]), {}, "Text"),
        (lambda f: f, {"status_fields": []}, "mindestens einen"),
        (lambda f: f, {"status_fields": ["s1", "nope"]}, "nope"),
        (lambda f: f, {"dynamic_pairs": [("cur",)]}, "zwei Felder"),
    ],
)
def test_errors(change, kwargs, word):
    with pytest.raises(InputError) as caught:
        run(change(small_city()), **kwargs)
    assert word in caught.value.de
    assert caught.value.en


def test_tiny_and_huge_indicators_are_standardised_like_ordinary_ones():
    """z-scores do not depend on the scale: values of 1e-323 (subnormal) or 1e300 (whose squares overflow)
    give the index of the same values at scale 1, exactly, instead of an error or a silent drop."""
    ordinary = pd.DataFrame({"id": ["a", "b", "c"], "s1": [0.0, 1.0, 2.0], "s2": [1.0, 2.0, 4.0]})
    expected = status_dynamic_index(ordinary, ["s1", "s2"], id_column="id").table["status_index"]
    for scale in (5e-324, 2.0 ** 990):
        frame = ordinary.assign(s1=ordinary["s1"] * scale)
        got = status_dynamic_index(frame, ["s1", "s2"], id_column="id").table["status_index"]
        assert got.tolist() == expected.tolist()
