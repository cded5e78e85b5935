"""Service coverage: hand-computed 2SFCA / E2SFCA / Gaussian cases, district tables."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialraum.core.coverage import (
    catchment_weights,
    count_within,
    coverage_class,
    district_summary,
    nearest_distance,
    supply_ratio_only,
    two_step_fca,
    weighted_median,
)
from sozialraum.core.errors import InputError

# A small town, catchment d0 = 600 m.
#   demand i: P = 10, 20 (district 0), 30, 40 (district 1)
#   services j: S = 6 (district 0), 10 (district 1), 5 (district 0), 3 (outside all districts)
#   pairs: i0-j0 100, i1-j0 300, i1-j1 200, i2-j1 400, i2-j3 250, i3-j2 700 (beyond d0)
# j1 in district 1 also serves i1 in district 0; j3 lies outside every district and serves i2;
# j2 has no demand in reach; i3 has no service in reach.
P = np.array([10.0, 20.0, 30.0, 40.0])
S = np.array([6.0, 10.0, 5.0, 3.0])
PAIR_I = np.array([0, 1, 1, 2, 2, 3])
PAIR_J = np.array([0, 0, 1, 1, 3, 2])
PAIR_D = np.array([100.0, 300.0, 200.0, 400.0, 250.0, 700.0])
D0 = 600.0
DEMAND_DISTRICT = np.array([0, 0, 1, 1])
SERVICE_DISTRICT = np.array([0, 1, 0, -1])


def fca(weight="uniform", d0=D0, **kw):
    return two_step_fca(P, S, PAIR_I, PAIR_J, PAIR_D, d0, weight=weight, **kw)


# --- 2SFCA / E2SFCA / Gaussian ------------------------------------------------------------------


def test_2sfca_hand_computed():
    result = fca()
    # R0 = 6 / (10 + 20), R1 = 10 / (20 + 30), R3 = 3 / 30, R2 undefined
    np.testing.assert_allclose(result.ratio[[0, 1, 3]], [0.2, 0.2, 0.1])
    assert np.isnan(result.ratio[2])
    assert result.unused_services.tolist() == [2]
    # A0 = R0, A1 = R0 + R1, A2 = R1 + R3, A3 = 0 (nothing in reach)
    np.testing.assert_allclose(result.accessibility, [0.2, 0.4, 0.3, 0.0])
    assert result.reached.tolist() == [True, True, True, False]
    # conservation: 10*0.2 + 20*0.4 + 30*0.3 = 19 = 6 + 10 + 3 (j2 has no demand in reach)
    assert np.dot(P, result.accessibility) == pytest.approx(19.0)


def test_cutoff_is_inclusive():
    # d0 = 300: i1-j0 at exactly 300 counts; i2-j1 at 400 does not
    result = fca(d0=300.0)
    np.testing.assert_allclose(result.ratio[[0, 1, 3]], [6 / 30, 10 / 20, 3 / 30])
    np.testing.assert_allclose(result.accessibility, [0.2, 0.2 + 0.5, 0.1, 0.0])


def test_e2sfca_default_steps_hand_computed():
    # zones [0, 200] -> 1.0, (200, 400] -> 0.68, (400, 600] -> 0.22; 200 and 400 are zone ends
    result = fca("step")
    r0 = 6 / (10 * 1.0 + 20 * 0.68)
    r1 = 10 / (20 * 1.0 + 30 * 0.68)
    r3 = 3 / (30 * 0.68)
    np.testing.assert_allclose(result.ratio[[0, 1, 3]], [r0, r1, r3])
    np.testing.assert_allclose(
        result.accessibility, [r0, 0.68 * r0 + r1, 0.68 * r1 + 0.68 * r3, 0.0]
    )
    assert np.dot(P, result.accessibility) == pytest.approx(19.0)


def test_e2sfca_custom_steps_and_weight_zero_beyond_last_zone():
    steps = [(150.0, 1.0), (250.0, 0.5)]  # nothing beyond 250 although d0 = 600
    result = fca("step", steps=steps)
    r0 = 6 / 10  # i1-j0 at 300 is beyond the zones
    r1 = 10 / (20 * 0.5)  # i1-j1 at 200 is in the second zone, i2-j1 at 400 beyond
    r3 = 3 / (30 * 0.5)
    np.testing.assert_allclose(result.ratio[[0, 1, 3]], [r0, r1, r3])
    np.testing.assert_allclose(result.accessibility, [r0, 0.5 * r1, 0.5 * r3, 0.0])


def test_gaussian_weights_hand_computed():
    np.testing.assert_allclose(catchment_weights([0.0, 600.0, 700.0], 600.0, "gaussian"), [1.0, 0.0, 0.0])
    # (exp(-0.125) - exp(-0.5)) / (1 - exp(-0.5)) = (0.8824969 - 0.6065307) / 0.3934693 = 0.2759662 / 0.3934693
    assert catchment_weights([300.0], 600.0, "gaussian")[0] == pytest.approx(0.7013666, abs=1e-6)


def test_gaussian_2sfca_hand_computed():
    def w(d):
        return (math.exp(-0.5 * (d / D0) ** 2) - math.exp(-0.5)) / (1 - math.exp(-0.5))

    result = fca("gaussian")
    r0 = 6 / (10 * w(100) + 20 * w(300))
    r1 = 10 / (20 * w(200) + 30 * w(400))
    r3 = 3 / (30 * w(250))
    np.testing.assert_allclose(result.ratio[[0, 1, 3]], [r0, r1, r3])
    np.testing.assert_allclose(
        result.accessibility, [w(100) * r0, w(300) * r0 + w(200) * r1, w(400) * r1 + w(250) * r3, 0.0]
    )


def test_gaussian_with_sigma():
    # sigma = 300: W(d) = (exp(-d^2 / 180000) - exp(-2)) / (1 - exp(-2))
    expected = (math.exp(-300.0**2 / 180000.0) - math.exp(-2.0)) / (1 - math.exp(-2.0))
    assert catchment_weights([300.0], 600.0, "gaussian", sigma=300.0)[0] == pytest.approx(expected)


def test_service_reaching_only_zero_demand_is_unused():
    result = two_step_fca([0.0, 5.0], [4.0, 2.0], [0, 1], [0, 1], [10.0, 10.0], 50.0)
    assert np.isnan(result.ratio[0]) and result.ratio[1] == pytest.approx(0.4)
    assert result.unused_services.tolist() == [0]
    assert result.reached.tolist() == [True, True]
    np.testing.assert_allclose(result.accessibility, [0.0, 0.4])


def test_default_capacity_is_one_per_service():
    result = two_step_fca([1.0, 3.0], None, [0, 1, 1], [0, 0, 1], [1.0, 2.0, 3.0], 5.0, n_services=2)
    np.testing.assert_allclose(result.ratio, [0.25, 1 / 3])
    np.testing.assert_allclose(result.accessibility, [0.25, 0.25 + 1 / 3])


def test_no_pairs_at_all():
    result = two_step_fca([1.0, 2.0], [3.0], [], [], [], 100.0)
    assert result.accessibility.tolist() == [0.0, 0.0]
    assert not result.reached.any()
    assert result.unused_services.tolist() == [0]


def test_nearest_distance_and_count_within():
    np.testing.assert_array_equal(nearest_distance(PAIR_I, PAIR_D, 5), [100.0, 200.0, 250.0, 700.0, np.inf])
    counts = count_within(PAIR_I, PAIR_D, [200, 400], 5)
    assert counts.tolist() == [[1, 1], [1, 2], [0, 2], [0, 0], [0, 0]]


# --- properties ---------------------------------------------------------------------------------


@st.composite
def towns(draw):
    n = draw(st.integers(1, 8))
    s = draw(st.integers(1, 5))
    demand = draw(st.lists(st.floats(0.5, 1000.0), min_size=n, max_size=n))
    capacity = draw(st.lists(st.floats(0.0, 100.0), min_size=s, max_size=s))
    cells = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, s - 1)), unique=True, max_size=n * s))
    dist = draw(st.lists(st.floats(0.0, 1200.0), min_size=len(cells), max_size=len(cells)))
    pair_i = np.array([c[0] for c in cells], dtype=np.int64)
    pair_j = np.array([c[1] for c in cells], dtype=np.int64)
    return np.array(demand), np.array(capacity), pair_i, pair_j, np.array(dist, dtype=float)


WEIGHTINGS = st.sampled_from(["uniform", "step", "gaussian"])


@settings(max_examples=80, deadline=None)
@given(town=towns(), weight=WEIGHTINGS, d0=st.floats(100.0, 1000.0))
def test_conservation_law(town, weight, d0):
    demand, capacity, pair_i, pair_j, pair_d = town
    result = two_step_fca(demand, capacity, pair_i, pair_j, pair_d, d0, weight=weight)
    used = ~np.isnan(result.ratio)
    assert np.dot(demand, result.accessibility) == pytest.approx(capacity[used].sum(), rel=1e-9, abs=1e-9)
    # a used service has weighted demand in reach; unreached demand gets nothing
    assert np.all(result.accessibility[~result.reached] == 0)


@settings(max_examples=60, deadline=None)
@given(town=towns(), weight=WEIGHTINGS, seed=st.integers(0, 2**32 - 1))
def test_permutation_invariance(town, weight, seed):
    demand, capacity, pair_i, pair_j, pair_d = town
    rng = np.random.default_rng(seed)
    base = two_step_fca(demand, capacity, pair_i, pair_j, pair_d, 600.0, weight=weight)
    pd_ = rng.permutation(len(demand))  # new position k holds old demand point pd_[k]
    ps = rng.permutation(len(capacity))
    pp = rng.permutation(len(pair_i))
    new_i, new_j = np.argsort(pd_)[pair_i], np.argsort(ps)[pair_j]
    moved = two_step_fca(demand[pd_], capacity[ps], new_i[pp], new_j[pp], pair_d[pp], 600.0, weight=weight)
    np.testing.assert_allclose(moved.accessibility, base.accessibility[pd_], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(moved.ratio, base.ratio[ps], rtol=1e-12)
    assert np.array_equal(moved.reached, base.reached[pd_])


@settings(max_examples=40, deadline=None)
@given(town=towns(), factor=st.floats(0.1, 10.0))
def test_capacity_scales_accessibility(town, factor):
    demand, capacity, pair_i, pair_j, pair_d = town
    base = two_step_fca(demand, capacity, pair_i, pair_j, pair_d, 600.0)
    scaled = two_step_fca(demand, capacity * factor, pair_i, pair_j, pair_d, 600.0)
    np.testing.assert_allclose(scaled.accessibility, factor * base.accessibility, rtol=1e-12, atol=1e-15)


# --- weighted median ----------------------------------------------------------------------------


def test_weighted_median_hand_cases():
    assert weighted_median([1, 2, 3, 4], [1, 1, 1, 1]) == 2  # lower of the two middle values
    assert weighted_median([1, 2], [1, 1]) == 1  # cumulative weight reaches exactly half at 1
    assert weighted_median([4, 1, 2, 3], [3, 1, 1, 1]) == 3  # total 6: 1, 2, 3 reach 3
    assert weighted_median([1, 2, 3, 4], [1, 1, 1, 10]) == 4
    assert weighted_median([5, 1, 9], [0, 2, 1]) == 1  # zero weight ignored
    assert math.isnan(weighted_median([1, 2], [0, 0]))
    assert weighted_median([100, np.inf, np.inf], [1, 1, 1]) == np.inf


@pytest.mark.parametrize("seed", range(10))
def test_grouped_weighted_median_is_the_median_of_each_group(seed):
    # ties, zero weights, unreached points (inf), float weights, empty groups, groups in any order
    from sozialraum.core.coverage import _grouped_weighted_median

    rng = np.random.default_rng(seed)
    n, groups = int(rng.integers(1, 400)), int(rng.integers(1, 30))
    group = rng.integers(0, groups, n)
    values = rng.choice([50.0, 100.0, 120.5, np.inf], n) if seed % 2 else rng.uniform(0, 1000, n).round(0)
    weights = rng.choice([0.0, 1.0, 2.5, 0.1, 7.0], n)
    got = _grouped_weighted_median(group, values, weights, groups + 2)
    expected = [weighted_median(values[group == k], weights[group == k]) for k in range(groups + 2)]
    assert np.array_equal(got, np.asarray(expected), equal_nan=True)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(-50, 50), st.integers(1, 6)), min_size=1, max_size=12))
def test_weighted_median_equals_lower_median_of_repeated_values(items):
    values = [v for v, _ in items]
    weights = [w for _, w in items]
    expanded = sorted(v for v, w in items for _ in range(w))
    lower = expanded[math.ceil(len(expanded) / 2) - 1]
    assert weighted_median(values, weights) == lower


# --- district tables ----------------------------------------------------------------------------


def summary(norm=None, **kw):
    result = fca()
    nearest = nearest_distance(PAIR_I, PAIR_D, 4)
    return district_summary(
        DEMAND_DISTRICT, P, nearest, result.accessibility, [150, 250], SERVICE_DISTRICT, S, 3, norm=norm, **kw
    )


def test_district_summary_hand_computed():
    table = summary()
    assert list(table.index) == [0, 1, 2]
    assert table["anzahl_einrichtungen"].tolist() == [2, 1, 0]  # j3 outside counts nowhere
    assert table["kapazitaet"].tolist() == [11.0, 10.0, 0.0]
    assert table["zielbevoelkerung"].tolist() == [30.0, 70.0, 0.0]
    np.testing.assert_allclose(table["versorgungsquote"].iloc[:2], [11 / 30, 10 / 70])
    assert np.isnan(table.at[2, "versorgungsquote"])
    # nearest distances 100 (P 10), 200 (P 20) | 250 (P 30), 700 (P 40)
    np.testing.assert_allclose(table["dist_mittel"].iloc[:2], [(1000 + 4000) / 30, (7500 + 28000) / 70])
    assert table["dist_median"].iloc[:2].tolist() == [200.0, 700.0]
    np.testing.assert_allclose(table["anteil_150"].iloc[:2], [10 / 30, 0.0])
    np.testing.assert_allclose(table["anteil_250"].iloc[:2], [1.0, 30 / 70])  # 250 <= 250 counts
    # accessibility: (10*0.2 + 20*0.4)/30 and (30*0.3 + 40*0)/70; city mean 19/100
    np.testing.assert_allclose(table["erreichbarkeit"].iloc[:2], [1 / 3, 9 / 70])
    np.testing.assert_allclose(table["erreichbarkeit_index"].iloc[:2], [(1 / 3) / 0.19, (9 / 70) / 0.19])
    assert table["versorgung_klasse"].tolist()[:2] == [1, 2]  # 1.75 >= 0.9; 0.6 <= 0.68 < 0.9
    assert table["versorgung_label"].tolist() == ["gut", "mittel", "keine Angabe"]
    assert table["fehlplaetze"].isna().all()
    assert "Zielbevölkerung" in table.at[2, "hinweis"] and table.at[0, "hinweis"] == ""


def test_district_summary_with_norm():
    table = summary(norm=0.35)
    # max(0, 0.35*30 - 11) = 0; 0.35*70 - 10 = 14.5
    np.testing.assert_allclose(table["fehlplaetze"], [0.0, 14.5, 0.0])
    # max(0, 0.35 - 1/3)*30 = 0.5; (0.35 - 9/70)*70 = 15.5
    np.testing.assert_allclose(table["fehlplaetze_erreichbarkeit"].iloc[:2], [0.5, 15.5])
    # level = accessibility / norm: 0.952 -> good, 0.367 -> poor
    assert table["versorgung_klasse"].tolist()[:2] == [1, 3]


def test_district_summary_unreachable_demand_and_english(english):
    nearest = np.array([100.0, np.inf, 250.0, 700.0])
    table = district_summary(DEMAND_DISTRICT, P, nearest, None, [500], SERVICE_DISTRICT, S, 2, network=True)
    assert table.at[0, "dist_mittel"] == 100.0  # the unreachable 2/3 are left out of the mean
    assert table.at[0, "dist_median"] == np.inf
    # no path at all: point 1 (20 of 30); beyond 500 m: point 1 and point 3 (40 of 70, at 700 m)
    assert table["anteil_ohne_netz"].tolist() == pytest.approx([2 / 3, 0.0])
    assert table["anteil_ausser_reichweite"].tolist() == pytest.approx([2 / 3, 40 / 70])
    np.testing.assert_allclose(table["anteil_ausser_reichweite"], 1.0 - table["anteil_500"])
    assert "67 %" in table.at[0, "hinweis"] and "no path" in table.at[0, "hinweis"]
    assert table["erreichbarkeit"].isna().all()
    # without accessibility: supply ratio / city quota (21/100): 11/30 -> 1.75, 10/70 -> 0.68
    assert table["versorgung_label"].tolist() == ["good", "medium"]


def test_straight_line_distances_have_no_network_share():
    # without a network nobody is "not connected": the column is not written, no note is made
    table = district_summary(DEMAND_DISTRICT, P, np.array([100.0, 900.0, 250.0, 700.0]), None, [300, 500],
                             SERVICE_DISTRICT, S, 2)
    assert "anteil_ohne_netz" not in table.columns and (table["hinweis"] == "").all()
    # beyond the LARGEST distance (500 m): 20 of 30 and 40 of 70
    assert table["anteil_ausser_reichweite"].tolist() == pytest.approx([2 / 3, 4 / 7])


def test_district_summary_target_population_for_centroids():
    # one centroid per district; planners' target numbers replace the weights
    table = district_summary([0, 1], [1.0, 1.0], [120.0, 480.0], None, [300], [0, 1, 0, -1], S, 2,
                             norm=0.5, target_population=[40.0, 10.0])
    assert table["zielbevoelkerung"].tolist() == [40.0, 10.0]
    np.testing.assert_allclose(table["versorgungsquote"], [11 / 40, 10 / 10])
    np.testing.assert_allclose(table["fehlplaetze"], [20 - 11, 0.0])
    assert table["anteil_300"].tolist() == [1.0, 0.0]
    assert table["versorgung_klasse"].tolist() == [3, 1]  # 0.275/0.5 = 0.55 poor; 2.0 good


def test_class_breaks_are_parameters():
    table = summary(class_breaks=(2.0, 0.5))
    assert table["versorgung_klasse"].tolist()[:2] == [2, 2]
    assert coverage_class([1.0, 0.9, 0.89, 0.6, 0.59, np.nan]).tolist() == [1, 1, 2, 2, 3, pd.NA]


def test_supply_ratio_only():
    table = supply_ratio_only(SERVICE_DISTRICT, S, 3, demand_district=DEMAND_DISTRICT, demand_weight=P, norm=0.35)
    assert table["kapazitaet"].tolist() == [11.0, 10.0, 0.0]
    np.testing.assert_allclose(table["versorgungsquote"].iloc[:2], [11 / 30, 1 / 7])
    np.testing.assert_allclose(table["fehlplaetze"], [0.0, 14.5, 0.0])
    # level = ratio / norm: 1.048 good, 0.408 poor
    assert table["versorgung_klasse"].tolist() == [1, 3, pd.NA]
    no_norm = supply_ratio_only(SERVICE_DISTRICT, None, 2, target_population=[30.0, 70.0])
    # one place per service: 2/30 and 1/70 against the city quota 3/100
    np.testing.assert_allclose(no_norm["versorgungsgrad"], [(2 / 30) / 0.03, (1 / 70) / 0.03])
    assert no_norm["versorgung_klasse"].tolist() == [1, 3]


# --- bad input ----------------------------------------------------------------------------------


def test_negative_or_missing_capacity_names_the_service():
    with pytest.raises(InputError) as err:
        two_step_fca(P, [6, -1, 5, 3], PAIR_I, PAIR_J, PAIR_D, D0, service_names=["Kita A", "Kita B", "C", "D"])
    assert "Kita B" in err.value.de and "Kita B" in err.value.en
    with pytest.raises(InputError) as err:
        two_step_fca(P, [6, 10, np.nan, 3], PAIR_I, PAIR_J, PAIR_D, D0, service_names=["A", "B", "Kita C", "D"])
    assert "Kita C" in str(err.value)
    with pytest.raises(InputError):
        two_step_fca(P, ["6", "viele", "5", "3"], PAIR_I, PAIR_J, PAIR_D, D0)


@pytest.mark.parametrize(
    "demand", [[10, -1, 30, 40], [10, np.nan, 30, 40], [0, 0, 0, 0], []]
)
def test_bad_demand(demand):
    with pytest.raises(InputError):
        two_step_fca(demand, S, PAIR_I, PAIR_J, PAIR_D, D0)


def test_empty_service_set():
    with pytest.raises(InputError):
        two_step_fca(P, [], [], [], [], D0)
    with pytest.raises(InputError):
        supply_ratio_only([], [], 2, target_population=[1.0, 2.0])


@pytest.mark.parametrize("d0", [0, -100, np.nan, np.inf, "weit"])
def test_bad_catchment(d0):
    with pytest.raises(InputError):
        two_step_fca(P, S, PAIR_I, PAIR_J, PAIR_D, d0)


@pytest.mark.parametrize(
    "steps",
    [[(400, 1.0), (200, 0.5)], [(200, 1.0), (200, 0.5)], [(0, 1.0)], [(200, -1.0)], [], [(200, "x")]],
)
def test_bad_steps(steps):
    with pytest.raises(InputError):
        fca("step", steps=steps)


def test_bad_thresholds_weight_and_pairs():
    with pytest.raises(InputError):
        count_within(PAIR_I, PAIR_D, [300, 0], 4)
    with pytest.raises(InputError):
        district_summary(DEMAND_DISTRICT, P, [1.0, 2, 3, 4], None, [-5], SERVICE_DISTRICT, S, 2)
    with pytest.raises(InputError):
        fca("cosine")
    with pytest.raises(InputError):
        two_step_fca(P, S, PAIR_I, PAIR_J, [100.0, -1, 1, 1, 1, 1], D0)
    with pytest.raises(InputError):
        two_step_fca(P, S, [0, 9], [0, 0], [1.0, 1.0], D0)
    with pytest.raises(InputError):
        district_summary([0, 0, 1, 5], P, [1.0, 2, 3, 4], None, [1], SERVICE_DISTRICT, S, 2)
    with pytest.raises(InputError):
        summary(norm=-0.3)
    with pytest.raises(InputError):
        coverage_class([1.0], breaks=(0.5, 0.9))
