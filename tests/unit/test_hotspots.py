"""Gebietskulisse: local Moran's I, permutation p-values, Gi*, FDR and clusters against hand-computed values,
PySAL's esda (reference numbers from tests/reference/hotspots_reference.py) and a brute-force implementation."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sozialraum.core.errors import InputError
from sozialraum.core.hotspots import (
    area_profile,
    benjamini_hochberg,
    connected_clusters,
    getis_ord_star,
    hotspots,
    local_moran,
    neighbours_from_pairs,
    permutation_draws,
    permutation_p,
    standardise,
)

# esda 2.9 / libpysal 4.14 (lat2W, Moran_Local transformation="r", G_Local star=True transform="B"), printed by
# tests/reference/hotspots_reference.py; cells row by row.
LATTICE_3X3 = [8.0, 9.0, 7.0, 6.0, 5.0, 1.0, 4.0, 2.0, 3.0]
LATTICE_4X5 = [float((7 * i) % 11) + 0.5 * i for i in range(20)]
ESDA = {
    ("3x3", "rook"): {
        "lisa_i": [0.9999999999999998, 0.8888888888888887, 0.0, 0.08888888888888889, -0.0, -0.0, 0.13333333333333333,
                   0.39999999999999986, 0.9333333333333332],
        "gi_z": [2.065591117977289, 2.204540768504861, 0.5163977794943223, 0.7348469228349532, -0.4898979485566363,
                 -0.9797958971132709, -0.7745966692414832, -1.4696938456699065, -2.3237900077244498]},
    ("3x3", "queen"): {
        "lisa_i": [0.6666666666666664, 0.21333333333333326, 0.0, 0.07999999999999999, 0.0, -0.1066666666666667,
                   0.08888888888888889, 0.48000000000000004, 0.622222222222222],
        "gi_z": [1.9595917942265428, 1.5491933384829677, 0.4898979485566357, 1.0327955589886446, math.nan,
                 -0.7745966692414832, -0.7348469228349532, -2.3237900077244498, -2.20454076850486]},
    ("4x5", "rook"): {
        "lisa_i": [1.7702089670678487, 0.4664352158003792, 0.13724595512057497, -0.3703588590574438,
                   -0.19487501653220474, 0.6858947229202487, -0.37203412247057266, 0.06646607591588416,
                   -0.19864435921174442, 0.05013225763787852, 0.05934620641008689, -0.28156989816161876,
                   0.10101838381166509, -0.019600581933606708, 0.43711810607062535, -0.029023938632456094,
                   0.04426883569192782, 1.0586408323414007, 0.6230723449279194, 0.24990741965348487],
        "gi_z": [-2.379588117475078, -1.8923616465960562, -0.8897859397901988, -1.2657518298423953,
                 0.42818547246601735, -1.6417177198945918, -1.1866165761250491, -0.6656629573384422,
                 -0.14470933855183518, 0.48875565706785534, -0.7644639764394668, 0.1447093385518358,
                 0.6656629573384422, 1.1866165761250498, 1.366009400522981, 0.4983798122145442, 0.9900435104707839,
                 1.9926192172766415, 1.616653327224445, 1.761877927688037]},
    ("4x5", "queen"): {
        "lisa_i": [0.8002314508662878, 0.4160097870652031, 0.2129678613939956, -0.1906030948287264,
                   -0.0013820923158312185, 0.737660362385928, -0.37203412247057266, 0.06646607591588417,
                   -0.19864435921174442, 0.0787792620023806, 0.01796720010580613, -0.28156989816161876,
                   0.10101838381166506, -0.01960058193360671, 0.24010712868668152, -0.28701450425428743,
                   0.036060044967596835, 0.2958934003438697, 0.8416942203412245, 0.16446898558391737],
        "gi_z": [-1.8297006649206902, -2.3409455242890536, -1.028265791042855, -0.9188758132723381,
                 -0.20051514136117207, -2.122165568748021, -2.302426547930273, -1.0428934254301234,
                 0.21663969707002492, 0.6125838755148929, -0.3719259244197559, 0.6700716211700792,
                 0.8212155958700965, 2.0807487183702458, 1.1595337643674752, -0.07519317801043944,
                 1.1595337643674752, 1.268923742137992, 2.5816034753841905, 1.5539923455490787]},
}
LATTICES = {"3x3": (3, 3, LATTICE_3X3), "4x5": (4, 5, LATTICE_4X5)}


def lattice(rows, columns, kind):
    """Neighbours of a rows x columns grid (cells row by row): rook = shared side, queen = also corners."""
    steps = [(0, 1), (1, 0)] + ([(1, 1), (1, -1)] if kind == "queen" else [])
    a, b = [], []
    for r, c in itertools.product(range(rows), range(columns)):
        for dr, dc in steps:
            if 0 <= r + dr < rows and 0 <= c + dc < columns:
                a.append(r * columns + c)
                b.append((r + dr) * columns + c + dc)
    return neighbours_from_pairs(rows * columns, a, b)


def brute_force(y, neighbour_lists):
    """Local Moran's I and Gi* written out from the definitions, one quarter at a time."""
    y = [float(v) for v in y]
    n = len(y)
    mean = sum(y) / n
    deviations = [v - mean for v in y]
    squares = sum(d * d for d in deviations)
    s = math.sqrt(squares / n)
    local, gi = [], []
    for i, near in enumerate(neighbour_lists):
        lag = sum(deviations[j] for j in near) / len(near)
        local.append((n - 1) * deviations[i] * lag / squares)
        weight = len(near) + 1
        total = y[i] + sum(y[j] for j in near)
        variance = (n * weight - weight * weight) / (n - 1)
        gi.append((total - weight * mean) / (s * math.sqrt(variance)) if variance > 0 else math.nan)
    return local, gi


def lists(neighbours):
    return [neighbours.indices[neighbours.indptr[i]:neighbours.indptr[i + 1]].tolist() for i in range(neighbours.n)]


def test_local_moran_and_gi_by_hand_on_1_to_9():
    # y = 1..9 on a 3 x 3 grid: mean 5, deviations -4..4, sum of squares 60, n - 1 = 8
    y = np.arange(1.0, 10.0)
    z, s = standardise(y)
    rook = lattice(3, 3, "rook")
    local, lag = local_moran(z, rook)
    # corner 0: neighbours 1, 3 (deviations -3, -1), lag -2: I = 8 (-4)(-2) / 60
    assert local[0] == pytest.approx(64 / 60, abs=1e-12)
    # cell 1: neighbours 0, 2, 4 (-4, -2, 0), lag -2: I = 8 (-3)(-2) / 60; cell 2: 1, 5 (-3, 1): 8 (-2)(-1) / 60
    assert local[1] == pytest.approx(48 / 60, abs=1e-12) and local[2] == pytest.approx(16 / 60, abs=1e-12)
    assert local[4] == 0.0
    queen_local, _ = local_moran(z, lattice(3, 3, "queen"))
    # queen corner 0: neighbours 1, 3, 4 (-3, -1, 0), lag -4/3: I = 8 (-4)(-4/3) / 60
    assert queen_local[0] == pytest.approx(128 / 3 / 60, abs=1e-12)
    # Gi* corner 0 (rook): W* = 3, sum 1 + 2 + 4 = 7; s = sqrt(60 / 9): (7 - 15) / (s sqrt((27 - 9) / 8))
    gi, p = getis_ord_star(y, rook)
    assert gi[0] == pytest.approx(-8 / (math.sqrt(60 / 9) * 1.5), abs=1e-12)
    assert p[0] == pytest.approx(math.erfc(8 / (math.sqrt(60 / 9) * 1.5) / math.sqrt(2)), abs=1e-15)


@pytest.mark.parametrize("name, kind", list(ESDA))
def test_equal_to_esda_on_lattices(name, kind):
    rows, columns, values = LATTICES[name]
    neighbours = lattice(rows, columns, kind)
    z, _ = standardise(values)
    local, _ = local_moran(z, neighbours)
    gi, _ = getis_ord_star(values, neighbours)
    np.testing.assert_allclose(local, ESDA[(name, kind)]["lisa_i"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(gi, ESDA[(name, kind)]["gi_z"], rtol=0, atol=1e-9)


@settings(max_examples=60)
@given(st.integers(2, 6), st.integers(2, 6), st.sampled_from(["rook", "queen"]), st.data())
def test_equal_to_brute_force_and_row_order_free(rows, columns, kind, data):
    n = rows * columns
    y = np.array(data.draw(st.lists(st.integers(-50, 50), min_size=n, max_size=n)), dtype=float)
    assume(np.ptp(y) > 0)  # a constant field is refused (test_constant_field_and_too_few_quarters_are_refused)
    neighbours = lattice(rows, columns, kind)
    z, _ = standardise(y)
    local, _ = local_moran(z, neighbours)
    gi, _ = getis_ord_star(y, neighbours)
    expected_local, expected_gi = brute_force(y, lists(neighbours))
    np.testing.assert_allclose(local, expected_local, rtol=0, atol=1e-9)
    np.testing.assert_allclose(gi, expected_gi, rtol=0, atol=1e-9)
    # renumbering the quarters renumbers the results
    order = np.array(data.draw(st.permutations(list(range(n)))))
    where = np.argsort(order)  # old position -> new position
    a, b = neighbours.pairs()
    moved = neighbours_from_pairs(n, where[a], where[b])
    z_moved, _ = standardise(y[order])
    local_moved, _ = local_moran(z_moved, moved)
    gi_moved, _ = getis_ord_star(y[order], moved)
    np.testing.assert_allclose(local_moved, local[order], rtol=0, atol=1e-12)
    np.testing.assert_allclose(gi_moved, gi[order], rtol=0, atol=1e-12, equal_nan=True)


def brute_force_p(y, neighbour_lists, draws):
    """p_sim from its definition: for each quarter and each row of draws, the drawn others replace the
    neighbours; p = (min(#sim >= obs, #sim < obs) + 1) / (R + 1)."""
    y = np.asarray(y, dtype=float)
    n = y.size
    deviations = y - y.mean()
    squares = float((deviations ** 2).sum())
    out = []
    for i, near in enumerate(neighbour_lists):
        k = len(near)
        others = [j for j in range(n) if j != i]
        observed = (n - 1) * deviations[i] * np.mean(deviations[near]) / squares
        at_least = 0
        for row in draws:
            chosen = [others[d] for d in row[:k]]
            simulated = (n - 1) * deviations[i] * np.mean(deviations[chosen]) / squares
            at_least += simulated >= observed - 1e-12
        out.append((min(at_least, len(draws) - at_least) + 1) / (len(draws) + 1))
    return np.array(out)


def test_permutation_p_enumerated_by_hand_on_three_in_a_row():
    # y = 1, 2, 6 in a row (0 - 1 - 2): deviations -2, -1, 3, sum of squares 14, n - 1 = 2.
    # Quarter 0 keeps z and draws 1 of the 2 others: quarter 1 gives lag -1, I = 2 (-2)(-1) / 14 = obs (>=);
    # quarter 2 gives lag 3, I = -12/14 < obs. Both draws enumerated: p = (min(1, 1) + 1) / 3.
    neighbours = neighbours_from_pairs(3, [0, 1], [1, 2])
    z, _ = standardise([1.0, 2.0, 6.0])
    p = permutation_p(z, neighbours, np.array([[0], [1]]))
    assert p[0] == pytest.approx(2 / 3)


def test_permutation_p_enumerating_every_draw_of_the_centre():
    """3 x 3 rook grid: the centre's 4 neighbours replaced by each of the C(8, 4) = 70 sets of 4 others."""
    values = [8.0, 9.0, 7.0, 6.0, 4.0, 1.0, 5.0, 2.0, 3.0]  # centre 4, mean 5
    neighbours = lattice(3, 3, "rook")
    z, _ = standardise(values)
    draws = np.array(list(itertools.combinations(range(8), 4)))
    p = permutation_p(z, neighbours, draws)
    # the centre (deviation -1) has neighbours 9, 6, 1, 2 (deviations 4, 1, -4, -3; sum -2). A draw is at least
    # as extreme (I >= obs, i.e. deviation sum <= -2, as z < 0) for 23 of the 70 sets of 4 of the others'
    # deviations 3, 4, 2, 1, -4, 0, -3, -2 (counted below), so p = (min(23, 47) + 1) / 71
    others = [3.0, 4.0, 2.0, 1.0, -4.0, 0.0, -3.0, -2.0]
    extreme = sum(1 for chosen in itertools.combinations(others, 4) if sum(chosen) <= -2)
    assert extreme == 23
    assert p[4] == pytest.approx(24 / 71, abs=1e-15)
    # the other cells use the first columns of the same rows; cell 6 (value 5) sits at the mean: p = 1 here
    expected = brute_force_p(values, lists(neighbours), draws)
    assert p[6] == 1.0
    np.testing.assert_allclose(np.delete(p, 6), np.delete(expected, 6), atol=1e-15)


@settings(max_examples=40)
@given(st.integers(2, 5), st.integers(2, 5), st.sampled_from(["rook", "queen"]), st.integers(0, 2 ** 32 - 1),
       st.data())
def test_permutation_p_equals_its_definition(rows, columns, kind, seed, data):
    n = rows * columns
    y = np.array(data.draw(st.lists(st.integers(-9, 9), min_size=n, max_size=n)), dtype=float)
    assume(np.ptp(y) > 0)  # a constant field is refused (test_constant_field_and_too_few_quarters_are_refused)
    neighbours = lattice(rows, columns, kind)
    draws = permutation_draws(seed, 29, n - 1, int(neighbours.cardinality.max()))
    z, _ = standardise(y)
    p = permutation_p(z, neighbours, draws)
    expected = brute_force_p(y, lists(neighbours), draws)
    at_mean = z == 0
    np.testing.assert_allclose(p[~at_mean], expected[~at_mean], atol=1e-15)
    assert (p[at_mean] == 1.0).all()


def test_seed_reproduces_the_draws_and_p_values():
    neighbours = lattice(4, 5, "queen")
    first = hotspots(LATTICE_4X5, neighbours, np.arange(20), permutations=99, seed=7)
    again = hotspots(LATTICE_4X5, neighbours, np.arange(20), permutations=99, seed=7)
    other = permutation_draws(8, 99, 19, 8)
    assert first.table["lisa_p"].tolist() == again.table["lisa_p"].tolist()
    assert not np.array_equal(permutation_draws(7, 99, 19, 8), other)
    # every row: distinct positions among the 19 others
    draws = permutation_draws(7, 99, 19, 8)
    assert draws.min() >= 0 and draws.max() <= 18 and all(len(set(row)) == 8 for row in draws.tolist())


def test_benjamini_hochberg_by_hand():
    # sorted .01 .03 .04 .2 against m x .05 / 4 = .0125 .025 .0375 .05: only the first passes
    assert benjamini_hochberg(np.array([0.04, 0.01, 0.2, 0.03]), 0.05) == 0.01
    # .01 .02 .03 .04 all pass: the threshold is the largest
    assert benjamini_hochberg(np.array([0.03, 0.01, 0.04, 0.02, np.nan]), 0.05) == 0.04
    assert benjamini_hochberg(np.array([0.5, 0.9]), 0.05) == 0.0


def test_types_clusters_and_islands():
    # 2 x 4 rook grid, plus an island (quarter 8): the high corner 0, 1, 4, 5 and the low corner 2, 3, 6, 7
    y = np.array([10.0, 9.0, 1.0, 2.0, 9.5, 8.5, 1.5, 1.0, 5.0])
    grid = lattice(2, 4, "rook")
    neighbours = neighbours_from_pairs(9, *grid.pairs())
    draws = np.array(list(itertools.combinations(range(8), 2)))  # 28 draws: p can reach 1/29
    result = hotspots(y, neighbours, np.arange(9), draws=draws, alpha=0.1)
    table = result.table
    assert result.islands.tolist() == [8]
    assert table["lisa_typ"][8] == "ns" and math.isnan(table["lisa_i"][8]) and math.isnan(table["lisa_p"][8])
    assert math.isnan(table["gi_z"][8])
    significant = table["lisa_p"] <= 0.1
    assert set(table["lisa_typ"][significant]) <= {"HH", "LL"}
    hh = table.index[table["lisa_typ"] == "HH"].tolist()
    assert hh and set(hh) <= {0, 1, 4, 5}
    assert table["cluster_id"][hh].tolist() == [1] * len(hh)
    assert table["cluster_id"].isna().sum() == 9 - len(hh)


def test_connected_clusters_are_numbered_by_size_then_id():
    # a row of 7: members 0, 2, 3, 5, 6 -> components {0}, {2, 3}, {5, 6}; sizes 2, 2, 1; ids reversed
    row = neighbours_from_pairs(7, range(6), range(1, 7))
    members = np.array([True, False, True, True, False, True, True])
    key = np.array([6, 5, 4, 3, 2, 1, 0])
    assert connected_clusters(members, row, key).tolist() == [3, 0, 2, 2, 0, 1, 1]


def test_area_profile_weighs_by_population():
    cluster = np.array([1, 1, 0, 2])
    population = np.array([100.0, 300.0, 600.0, 0.0])
    indicators = __import__("pandas").DataFrame({"a": [10.0, 20.0, 5.0, 1.0]})
    profile = area_profile(cluster, population, indicators)
    # city: (1000 + 6000 + 3000) / 1000 = 10; area 1: (1000 + 6000) / 400 = 17.5; area 2 has no population
    assert profile.loc[1, "a_gebiet"] == 17.5 and profile.loc[1, "a_stadt"] == 10.0 and profile.loc[1, "a_abw"] == 7.5
    assert profile.loc[1, "bevoelkerung"] == 400.0 and profile.loc[1, "anzahl_quartiere"] == 2
    assert math.isnan(profile.loc[2, "a_gebiet"])


def test_constant_field_and_too_few_quarters_are_refused():
    with pytest.raises(InputError, match="denselben Wert"):
        hotspots([3.0, 3.0, 3.0, 3.0], lattice(2, 2, "rook"), np.arange(4))
    with pytest.raises(InputError, match="mindestens 3"):
        hotspots([1.0, 2.0], lattice(1, 2, "rook"), np.arange(2))
