"""Tests of sozialraum.core.classify: boundary rule, methods, exact Jenks, labels, errors."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sozialraum.core import errors
from sozialraum.core.classify import METHODS, assign_classes, classify
from sozialraum.core.errors import InputError


def within_ssq(values, classes):
    """Sum over classes of squared deviations from the class mean."""
    return sum(((values[classes == c] - values[classes == c].mean()) ** 2).sum() for c in np.unique(classes))


def brute_force_ssq(values, k):
    """Smallest within-class SSQ over every split of the sorted values into k non-empty runs
    (also splits that separate equal values)."""
    ordered = np.sort(values)
    n = ordered.size
    best = np.inf
    for cuts in itertools.combinations(range(1, n), k - 1):
        bounds = (0,) + cuts + (n,)
        best = min(best, sum(((ordered[a:b] - ordered[a:b].mean()) ** 2).sum() for a, b in zip(bounds, bounds[1:])))
    return best


def full_dp_ssq(values, k):
    """Fisher's dynamic programme without the divide-and-conquer shortcut, O(k n^2)."""
    ordered = np.sort(values)
    n = ordered.size
    s = np.r_[0, np.cumsum(ordered)]
    q = np.r_[0, np.cumsum(ordered ** 2)]
    i, j = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = np.where(j > i, (q[j] - q[i]) - (s[j] - s[i]) ** 2 / (j - i), np.inf)
    best = cost[0].copy()  # one class holding the first j values
    for _ in range(k - 1):
        best = np.min(best[:, None] + cost, axis=0)
    return best[n]


def test_methods_listed():
    assert METHODS == ("stddev", "quantile", "jenks", "equal", "manual")


def test_boundary_rule_is_right_closed():
    # breaks 1, 2: class 1 = x <= 1, class 2 = 1 < x <= 2, class 3 = x > 2; NaN -> 0
    classes = assign_classes([0.5, 1.0, 1.0000001, 2.0, 2.5, np.nan], [1.0, 2.0])
    assert classes.tolist() == [1, 1, 2, 2, 3, 0]


def test_stddev_breaks_and_classes():
    # x = -2, -1, 0, 1, 2: mean 0, population SD sqrt(2)
    # breaks -1.5 sqrt2 = -2.12, -0.71, 0.71, 2.12 -> classes 2, 2, 3, 4, 4
    result = classify([-2.0, -1.0, 0.0, 1.0, 2.0], "stddev")
    assert result.breaks == pytest.approx(np.sqrt(2) * np.array([-1.5, -0.5, 0.5, 1.5]))
    assert result.classes.tolist() == [2, 2, 3, 4, 4]
    assert result.counts == [0, 2, 1, 2, 0]


def test_stddev_on_z_values_gives_the_cuts_and_german_labels():
    # -1, 1, -1, 1: mean 0, SD 1 -> breaks are the cuts themselves
    result = classify([-1.0, 1.0, -1.0, 1.0, np.nan], "stddev")
    assert result.breaks == [-1.5, -0.5, 0.5, 1.5]
    assert result.labels == ["bis -1,5", "-1,5 bis -0,5", "-0,5 bis 0,5", "0,5 bis 1,5", "über 1,5"]
    assert result.classes.tolist() == [2, 4, 2, 4, 0]
    assert "Klasse 1" in result.rule and "unteren Klasse" in result.rule


def test_english_labels_and_rule():
    errors.set_language("en")
    try:
        result = classify([-1.0, 1.0, -1.0, 1.0], "stddev")
    finally:
        errors.set_language("de")
    assert result.labels == ["up to -1.5", "-1.5 to -0.5", "-0.5 to 0.5", "0.5 to 1.5", "above 1.5"]
    assert "lower class" in result.rule


def test_stddev_cuts_from_number_of_classes():
    # no cuts given: one SD apart around the mean, k = 4 -> -1, 0, 1
    result = classify([-1.0, 1.0, -1.0, 1.0], "stddev", n_classes=4, stddev_cuts=None)
    assert result.breaks == [-1.0, 0.0, 1.0]
    assert result.labels == ["bis -1", "-1 bis 0", "0 bis 1", "über 1"]
    assert classify([-1.0, 1.0], "stddev", n_classes=4, stddev_cuts=()).breaks == [-1.0, 0.0, 1.0]


def test_quantile_without_ties():
    # 1..10, k = 5: break positions 2, 4, 6, 8
    result = classify(np.arange(1.0, 11.0), "quantile", n_classes=5)
    assert result.breaks == [2, 4, 6, 8]
    assert result.counts == [2, 2, 2, 2, 2]
    # k = 3: ideal positions 3.33, 6.67 -> nearest 3 and 7, counts 3, 4, 3
    result = classify(np.arange(1.0, 11.0), "quantile", n_classes=3)
    assert result.breaks == [3, 7]
    assert result.counts == [3, 4, 3]


def test_quantile_keeps_ties_together():
    # 1 x5, 2..6: cumulative counts after each distinct value 5, 6, 7, 8, 9.
    # k = 2: target 5 -> break after 1 -> counts 5, 5
    values = np.array([1, 1, 1, 1, 1, 2, 3, 4, 5, 6], dtype=float)
    assert classify(values, "quantile", n_classes=2).counts == [5, 5]
    # k = 3: targets 3.33, 6.67; (5-3.33)^2 + (7-6.67)^2 = 2.89 is the smallest -> breaks 1 and 3
    result = classify(values, "quantile", n_classes=3)
    assert result.breaks == [1, 3]
    assert result.counts == [5, 2, 3]


def test_jenks_hand_case():
    values = np.array([1, 2, 3, 10, 11, 12, 20, 21, 22], dtype=float)
    result = classify(values, "jenks", n_classes=3)
    assert result.breaks == [3, 12]
    assert result.classes.tolist() == [1, 1, 1, 2, 2, 2, 3, 3, 3]


def test_jenks_breaks_are_class_maxima_and_ignore_nan():
    values = np.array([5.0, np.nan, 1.0, 1.5, 9.0, 9.5])
    result = classify(values, "jenks", n_classes=3)
    assert result.breaks == [1.5, 5.0]
    assert result.classes.tolist() == [2, 0, 1, 1, 3, 3]


def test_jenks_matches_full_dynamic_programme_on_medium_data():
    rng = np.random.default_rng(7)
    for n, k in [(150, 3), (240, 5), (300, 7)]:
        values = np.round(rng.lognormal(size=n), 1)  # skewed, with ties
        result = classify(values, "jenks", n_classes=k)
        assert within_ssq(values, result.classes) == pytest.approx(full_dp_ssq(values, k), rel=1e-9)


def test_jenks_handles_100000_values():
    # speed is measured in bench/, not here; this checks the large-n path gives a full, ordered partition
    values = np.random.default_rng(3).normal(size=100_000)
    result = classify(values, "jenks", n_classes=7)
    assert sum(result.counts) == 100_000 and min(result.counts) > 0
    assert result.breaks == sorted(result.breaks)


def test_equal_intervals():
    # 0..10, k = 5: breaks 2, 4, 6, 8; 2 belongs to class 1
    result = classify([0.0, 2.0, 3.0, 10.0], "equal", n_classes=5)
    assert result.breaks == pytest.approx([2, 4, 6, 8])
    assert result.classes.tolist() == [1, 1, 2, 5]


def test_manual_breaks_define_the_classes():
    result = classify([-1.0, 0.0, 5.0, 10.0, 11.0], "manual", breaks=[0, 10], labels=["niedrig", "mittel", "hoch"])
    assert result.classes.tolist() == [1, 1, 2, 2, 3]
    assert result.labels == ["niedrig", "mittel", "hoch"]
    assert result.breaks == [0.0, 10.0]


@pytest.mark.parametrize("breaks", [[1, 1], [2, 1], [], [0, np.nan], ["a"], None])
def test_bad_manual_breaks_raise(breaks):
    with pytest.raises(InputError):
        classify([1.0, 2.0, 3.0], "manual", breaks=breaks)


def test_bad_stddev_cuts_raise():
    with pytest.raises(InputError):
        classify([1.0, 2.0, 3.0], "stddev", stddev_cuts=(0.5, -0.5))


def test_wrong_number_of_labels_raises():
    with pytest.raises(InputError, match="3"):
        classify([1.0, 2.0, 3.0, 4.0], "quantile", n_classes=3, labels=["a", "b"])


@pytest.mark.parametrize("method", ["quantile", "jenks"])
def test_fewer_distinct_values_than_classes_raises_with_advice(method):
    with pytest.raises(InputError) as caught:
        classify([1.0, 1.0, 2.0, 2.0, 3.0], method, n_classes=4)
    assert "3" in caught.value.en and "at most 3 classes" in caught.value.en


@pytest.mark.parametrize("method", ["stddev", "equal"])
def test_all_values_equal_raise(method):
    with pytest.raises(InputError):
        classify([2.0, 2.0, 2.0], method)


@pytest.mark.parametrize("kwargs", [{"method": "natural"}, {"method": "quantile", "n_classes": 1},
                                    {"method": "jenks", "n_classes": 2.5}])
def test_bad_method_or_class_count_raises(kwargs):
    with pytest.raises(InputError):
        classify([1.0, 2.0, 3.0], **kwargs)


def test_no_values_raises():
    with pytest.raises(InputError):
        classify([np.nan, np.nan], "stddev")


def test_labels_with_non_round_breaks_keep_breaks_apart():
    # not exact with 3 decimals; 2 decimals would show 0,12 twice, 3 decimals keep them apart
    result = classify([0.0, 0.1234, 0.1238, 1.0], "manual", breaks=[0.1234, 0.1238])
    assert result.labels == ["bis 0,123", "0,123 bis 0,124", "über 0,124"]
    result = classify([0.0, 1.0], "manual", breaks=[0.1234, 0.5678])
    assert result.labels == ["bis 0,12", "0,12 bis 0,57", "über 0,57"]


small_samples = st.lists(st.integers(min_value=-20, max_value=20), min_size=2, max_size=9).map(
    lambda v: np.array(v, dtype=float))


@settings(max_examples=50, deadline=None)
@given(small_samples, st.integers(min_value=2, max_value=4))
def test_jenks_equals_brute_force(values, k):
    assume(np.unique(values).size >= k)
    result = classify(values, "jenks", n_classes=k)
    assert within_ssq(values, result.classes) == pytest.approx(brute_force_ssq(values, k), rel=1e-9, abs=1e-9)
    assert sorted(set(result.classes.tolist())) == list(range(1, k + 1))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=5, max_size=60, unique=True),
       st.integers(min_value=2, max_value=5))
def test_quantile_counts_differ_by_at_most_one_without_ties(values, k):
    assume(len(values) >= k)
    counts = classify(np.array(values), "quantile", n_classes=k).counts
    assert max(counts) - min(counts) <= 1
    assert sum(counts) == len(values)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=6), min_size=6, max_size=60).map(lambda v: np.array(v, float)),
       st.sampled_from(["stddev", "quantile", "jenks", "equal"]))
def test_classes_ordered_and_ties_never_split(values, method):
    assume(np.unique(values).size >= 3)
    result = classify(values, method, n_classes=3, stddev_cuts=None)
    order = np.argsort(values, kind="stable")
    assert (np.diff(result.classes[order]) >= 0).all()
    for value in np.unique(values):
        assert np.unique(result.classes[values == value]).size == 1
    # the classes are exactly what the breaks and the boundary rule say
    assert result.classes.tolist() == assign_classes(values, result.breaks).tolist()
    assert len(result.labels) == len(result.breaks) + 1
