"""Tests of sozialraum.core.normalize: hand-computed values and invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialraum.core.errors import InputError
from sozialraum.core.normalize import METHODS, normalize

# x = 2, 4, 4, 6, 9 (all rated): mean 5, deviations -3 -1 -1 1 4, squares 9 1 1 1 16 = 28
#   population SD = sqrt(28/5), sample SD = sqrt(28/4) = sqrt(7)
X = np.array([2.0, 4.0, 4.0, 6.0, 9.0])


def test_methods_listed():
    assert METHODS == ("zscore", "zscore_sample", "minmax", "percentile", "reference")


def test_zscore_population_sd():
    expected = np.array([-3, -1, -1, 1, 4]) / np.sqrt(28 / 5)
    assert normalize(X, "zscore") == pytest.approx(expected)


def test_zscore_sample_sd():
    expected = np.array([-3, -1, -1, 1, 4]) / np.sqrt(7)
    assert normalize(X, "zscore_sample") == pytest.approx(expected)


def test_minmax():
    # 100 * (x - 2) / 7
    assert normalize(X, "minmax") == pytest.approx([0, 200 / 7, 200 / 7, 400 / 7, 100])


def test_percentile_with_ties():
    # below / (below + above): 2 -> 0/4, 4 -> 1/(1+2), 6 -> 3/(3+1), 9 -> 4/4
    assert normalize(X, "percentile") == pytest.approx([0, 100 / 3, 100 / 3, 75, 100])


def test_percentile_without_ties_is_percent_rank():
    x = np.array([30.0, 10.0, 20.0, 50.0, 40.0])
    ranks = np.array([3, 1, 2, 5, 4])
    assert normalize(x, "percentile") == pytest.approx(100 * (ranks - 1) / 4)


def test_percentile_places_unrated_values_among_rated():
    # rated 10, 20, 30, 40; unrated 25 has 2 below and 2 above -> 50; 5 -> 0; 99 -> 100
    x = np.array([10.0, 20.0, 30.0, 40.0, 25.0, 5.0, 99.0])
    rated = np.array([True] * 4 + [False] * 3)
    assert normalize(x, "percentile", rated=rated) == pytest.approx([0, 100 / 3, 200 / 3, 100, 50, 0, 100])


def test_reference_default_is_mean_of_rated():
    # mean 5: 100 * (x - 5) / 5
    assert normalize(X, "reference") == pytest.approx([-60, -20, -20, 20, 80])


def test_reference_given_negative_uses_absolute_value():
    # r = -4: 100 * (x + 4) / 4
    assert normalize(X, "reference", reference=-4) == pytest.approx([150, 200, 200, 250, 325])


def test_statistics_only_over_rated_areas_but_applied_to_all():
    x = np.array([1.0, 3.0, 100.0, np.nan])
    rated = np.array([True, True, False, True])
    # mean 2, population SD 1 over the rated 1 and 3
    result = normalize(x, "zscore", rated=rated)
    assert result[:3] == pytest.approx([-1, 1, 98])
    assert np.isnan(result[3])
    # min 1, max 3 -> unrated 100 lies far above 100
    assert normalize(x, "minmax", rated=rated)[:3] == pytest.approx([0, 100, 4950])


@pytest.mark.parametrize("method", METHODS)
def test_missing_values_stay_missing(method):
    result = normalize(np.array([1.0, np.nan, 2.0, 4.0]), method)
    assert np.isnan(result[1]) and not np.isnan(result[[0, 2, 3]]).any()


@pytest.mark.parametrize("method", METHODS)
def test_constant_indicator_raises_with_name(method):
    # constant over the rated areas, although the unrated one differs
    x = np.array([3.0, 3.0, 3.0, 7.0])
    with pytest.raises(InputError, match="'q_alo'"):
        normalize(x, method, rated=np.array([True, True, True, False]), name="q_alo")


def test_reference_zero_raises():
    with pytest.raises(InputError, match="0"):
        normalize(X, "reference", reference=0.0, name="q")
    with pytest.raises(InputError):
        normalize(np.array([-1.0, 1.0, -2.0, 2.0]), "reference")  # mean 0


def test_unknown_method_raises():
    with pytest.raises(InputError, match="rank"):
        normalize(X, "rank")


def test_no_rated_value_raises():
    with pytest.raises(InputError, match="'q'"):
        normalize(np.array([1.0, 2.0]), "zscore", rated=np.array([False, False]), name="q")


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
samples = st.lists(finite, min_size=3, max_size=40).filter(lambda v: max(v) - min(v) > 1e-3 * (1 + max(map(abs, v))))


@settings(max_examples=50, deadline=None)
@given(samples)
def test_zscore_has_mean_0_and_sd_1(values):
    z = normalize(np.array(values), "zscore")
    assert z.mean() == pytest.approx(0, abs=1e-9)
    assert z.std() == pytest.approx(1, rel=1e-9)
    assert normalize(np.array(values), "zscore_sample").std(ddof=1) == pytest.approx(1, rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(samples)
def test_reversing_mirrors(values):
    x = np.array(values)
    assert normalize(-x, "zscore") == pytest.approx(-normalize(x, "zscore"), abs=1e-9)
    assert normalize(-x, "percentile") == pytest.approx(100 - normalize(x, "percentile"), abs=1e-9)
    assert normalize(-x, "minmax") == pytest.approx(100 - normalize(x, "minmax"), abs=1e-6)


@settings(max_examples=50, deadline=None)
@given(samples, st.floats(min_value=-1e3, max_value=1e3), st.floats(min_value=0.01, max_value=100))
def test_shift_and_scale_invariance(values, shift, factor):
    x = np.array(values)
    moved = x * factor + shift
    for method in ("zscore", "zscore_sample", "minmax"):
        assert normalize(moved, method) == pytest.approx(normalize(x, method), abs=1e-6)
    # percent ranks stay the same under any strictly increasing map, e.g. y -> y^3 + shift on whole numbers
    y = np.round(x)
    if y.max() > y.min():
        assert normalize(y ** 3 + shift, "percentile") == pytest.approx(normalize(y, "percentile"))


@settings(max_examples=50, deadline=None)
@given(samples)
def test_minmax_and_percentile_span_0_to_100(values):
    x = np.array(values)
    for method in ("minmax", "percentile"):
        v = normalize(x, method)
        assert v.min() == pytest.approx(0, abs=1e-9) and v.max() == pytest.approx(100)
        # order preserved, ties equal
        order = np.argsort(x, kind="stable")
        assert (np.diff(v[order]) >= -1e-9).all()


@pytest.mark.parametrize("method", ["zscore", "zscore_sample", "minmax"])
@pytest.mark.parametrize("scale", [1e300, -1e300, 1e-310, 3.0])
def test_values_of_any_magnitude_normalise_as_at_scale_one(method, scale):
    """Normalisation is scale-invariant; values near 1e300 (squares overflow) or 1e-310 (subnormal) give the
    same result as the plain values, within rounding, instead of inf or a dropped indicator."""
    x = np.array([1.0, 2.5, 4.0, 8.0, np.nan])
    expected = normalize(x, method)
    got = normalize(x * scale, method)
    if scale < 0:  # the order flips: z changes sign, min-max mirrors
        expected = -expected if method != "minmax" else 100.0 - expected
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9 if scale > 1e-300 else 1e-6)
    assert np.isnan(got[-1])


def test_opposite_extremes_min_max():
    x = np.array([-1.5e308, 0.0, 1.5e308])  # max - min overflows without scaling
    np.testing.assert_allclose(normalize(x, "minmax"), [0.0, 50.0, 100.0])
