"""The radius search and the nearest-target search of the core against brute force."""

import numpy as np
import pytest

from sozialraum.core import radius as R


def brute_force(ax, ay, bx, by):
    return np.sqrt((ax[:, None] - bx[None, :]) ** 2 + (ay[:, None] - by[None, :]) ** 2)


def as_set(pair_a, pair_b):
    return set(zip(pair_a.tolist(), pair_b.tolist()))


@pytest.mark.parametrize("seed", range(20))
def test_pairs_equal_brute_force_on_a_lattice(seed):
    # a 10 m lattice: many pairs lie exactly on the radius, which must count (d <= r)
    rng = np.random.default_rng(seed)
    n, s = int(rng.integers(1, 400)), int(rng.integers(1, 60))
    x0, y0 = 385000.0, 5820000.0  # UTM-sized coordinates, where rounding in the cell numbers bites
    ax, ay = rng.integers(0, 60, n) * 10.0 + x0, rng.integers(0, 60, n) * 10.0 + y0
    bx, by = rng.integers(-5, 65, s) * 10.0 + x0, rng.integers(-5, 65, s) * 10.0 + y0
    radius = float(rng.choice([0.0, 10.0, 50.0, 130.0, 250.0, 1000.0]))
    pair_a, pair_b, pair_d = R.radius_pairs(ax, ay, bx, by, radius)
    full = brute_force(ax, ay, bx, by)
    assert as_set(pair_a, pair_b) == set(zip(*np.nonzero(full <= radius)))
    assert len(pair_a) == len(as_set(pair_a, pair_b))  # each pair once
    assert np.allclose(pair_d, full[pair_a, pair_b], rtol=0, atol=1e-9)
    assert np.all(np.diff(pair_a) >= 0)  # ordered by query point, as grouped_min expects


@pytest.mark.parametrize("subcells", [1, 2, 3, 4, 7])
def test_pairs_do_not_depend_on_the_cell_size(monkeypatch, subcells):
    rng = np.random.default_rng(subcells)
    ax, ay, bx, by = (rng.normal(0, 300, 500), rng.normal(0, 300, 500), rng.normal(0, 300, 80),
                      rng.normal(0, 300, 80))
    monkeypatch.setattr(R, "SUBCELLS", subcells)
    pair_a, pair_b, _ = R.radius_pairs(ax, ay, bx, by, 150.0)
    assert as_set(pair_a, pair_b) == set(zip(*np.nonzero(brute_force(ax, ay, bx, by) <= 150.0)))


def test_pairs_in_small_chunks_and_without_a_cell_table(monkeypatch):
    rng = np.random.default_rng(1)
    ax, ay, bx, by = (rng.uniform(0, 500, 300), rng.uniform(0, 500, 300), rng.uniform(0, 500, 20),
                      rng.uniform(0, 500, 20))
    whole = R.radius_pairs(ax, ay, bx, by, 120.0)
    chunked = R.radius_pairs(ax, ay, bx, by, 120.0, chunk=7)
    monkeypatch.setattr(R, "MAX_TABLE_CELLS", 0)  # the cell starts searched instead of looked up
    searched = R.radius_pairs(ax, ay, bx, by, 120.0)
    for other in (chunked, searched):
        assert all(np.array_equal(p, q) for p, q in zip(whole, other))


def test_tiny_radius_on_a_wide_extent():
    # cells are never narrower than a millionth of the extent: the search still finds the close pairs
    ax = np.array([0.0, 1e7, 5e6])
    ay = np.array([0.0, 0.0, 3.0])
    bx = np.array([1e-4, 1e7 + 2e-4, 5e6 + 1.0])
    by = np.array([0.0, 0.0, 3.0])
    pair_a, pair_b, pair_d = R.radius_pairs(ax, ay, bx, by, 1e-3)
    assert as_set(pair_a, pair_b) == {(0, 0), (1, 1)}


def test_progress_and_cancel():
    rng = np.random.default_rng(2)
    ax, ay, bx, by = (rng.uniform(0, 100, 200) for _ in range(4))
    seen = []
    R.radius_pairs(ax, ay, bx, by, 30.0, progress=seen.append, chunk=50)
    assert len(seen) > 1 and seen == sorted(seen) and 0 <= seen[0] and seen[-1] < 1
    assert R.radius_pairs(ax, ay, bx, by, 30.0, is_canceled=lambda: True) is None


def test_bad_radius_and_empty_inputs():
    with pytest.raises(ValueError):
        R.radius_pairs([0.0], [0.0], [1.0], [1.0], float("nan"))
    assert all(len(p) == 0 for p in R.radius_pairs([], [], [1.0], [1.0], 10.0))
    assert all(len(p) == 0 for p in R.radius_pairs([1.0], [1.0], [], [], 10.0))


@pytest.mark.parametrize("seed", range(10))
def test_nearest_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, s = int(rng.integers(1, 300)), int(rng.integers(1, 40))
    # clustered targets and a few queries far away: the search has to widen several times
    qx = np.concatenate([rng.integers(0, 50, n) * 10.0, [1e5, -3e4]])
    qy = np.concatenate([rng.integers(0, 50, n) * 10.0, [2e5, 0.0]])
    tx, ty = rng.integers(0, 10, s) * 10.0, rng.integers(0, 10, s) * 10.0
    index, distance = R.nearest_points(qx, qy, tx, ty)
    full = brute_force(qx, qy, tx, ty)
    assert np.array_equal(index, np.argmin(full, axis=1))  # argmin: the smallest j on ties
    assert np.allclose(distance, full.min(axis=1), rtol=1e-15, atol=0)


def test_nearest_without_targets_or_queries():
    index, distance = R.nearest_points([1.0, 2.0], [1.0, 2.0], [], [])
    assert index.tolist() == [-1, -1] and np.isinf(distance).all()
    assert R.nearest_points([], [], [1.0], [1.0])[0].size == 0


def test_nearest_with_every_point_in_one_place():
    index, distance = R.nearest_points([5.0, 5.0], [5.0, 5.0], [5.0, 5.0], [5.0, 5.0])
    assert index.tolist() == [0, 0] and distance.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("shuffle", [False, True])
def test_grouped_min_sorted_or_not(shuffle):
    group = np.array([0, 0, 2, 2, 2, 4])
    values = np.array([3.0, 1.0, 5.0, -2.0, 7.0, 0.5])
    if shuffle:
        order = np.array([5, 2, 0, 4, 1, 3])
        group, values = group[order], values[order]
    out = R.grouped_min(group, values, 6, np.inf)
    assert out.tolist() == [1.0, np.inf, -2.0, np.inf, 0.5, np.inf]
    assert R.grouped_min(np.array([], dtype=int), np.array([]), 2, np.inf).tolist() == [np.inf, np.inf]


def test_pairs_over_several_result_blocks(monkeypatch):
    # pairs spread over many small blocks (and chunks cut across block ends): the same pairs
    rng = np.random.default_rng(3)
    ax, ay, bx, by = (rng.uniform(0, 400, 500), rng.uniform(0, 400, 500), rng.uniform(0, 400, 30),
                      rng.uniform(0, 400, 30))
    reserved = R.radius_pairs(ax, ay, bx, by, 90.0, chunk=100)
    monkeypatch.setattr(R, "BLOCK_PAIRS", 37)
    joined = R.radius_pairs(ax, ay, bx, by, 90.0, chunk=100)
    assert all(np.array_equal(p, q) and p.dtype == q.dtype for p, q in zip(reserved, joined))
    assert reserved[0].size > 37 * 3


def test_pair_on_a_row_border_with_cells_set_by_the_extent():
    # radius = 3 cells exactly (the extent sets the cell size): a target exactly r away across a row
    # border was lost to rounding in its row number once (found in review)
    extent = 731358.9517983857
    radius = 3 * (extent * 1e-6)
    yq, yt = 0.7313589517983856, 2.925435807193543
    pair_a, pair_b, _ = R.radius_pairs([0.0], [yq], [0.0, extent, 0.0], [0.0, 0.0, yt], radius)
    full = brute_force(np.array([0.0]), np.array([yq]), np.array([0.0, extent, 0.0]), np.array([0.0, 0.0, yt]))
    assert as_set(pair_a, pair_b) == set(zip(*np.nonzero(full <= radius)))
    assert (0, 2) in as_set(pair_a, pair_b)


def test_missing_coordinates_are_refused():
    with pytest.raises(ValueError, match="finite"):
        R.radius_pairs([0.0, np.nan], [0.0, 1.0], [1.0], [1.0], 10.0)
    with pytest.raises(ValueError, match="finite"):
        R.nearest_points([0.0], [0.0], [np.inf], [1.0])


def test_nearest_in_small_chunks_with_far_points():
    # far points see many targets on the way out; chunk by chunk the answer is the same
    rng = np.random.default_rng(7)
    tx, ty = rng.normal(0, 50, 300), rng.normal(0, 50, 300)
    qx = np.concatenate([rng.normal(0, 50, 100), rng.uniform(5e3, 1e4, 50)])
    qy = np.concatenate([rng.normal(0, 50, 100), rng.uniform(-1e4, 1e4, 50)])
    whole = R.nearest_points(qx, qy, tx, ty)
    chunked = R.nearest_points(qx, qy, tx, ty, chunk=17)
    full = brute_force(qx, qy, tx, ty)
    for index, distance in (whole, chunked):
        assert np.array_equal(index, np.argmin(full, axis=1))
        assert np.allclose(distance, full.min(axis=1), rtol=1e-15, atol=0)


def test_grouped_min_keeps_integer_indices():
    out = R.grouped_min(np.array([0, 0, 1]), np.array([5, 3, 2], dtype=np.int64), 3, np.iinfo(np.int64).max)
    assert out.dtype == np.int64 and out.tolist() == [3, 2, np.iinfo(np.int64).max]


@pytest.mark.parametrize("seed", range(20))
def test_counts_within_equal_brute_force(seed):
    # a 10 m lattice (many distances exactly on a radius: inclusive) and unordered radii, some equal
    rng = np.random.default_rng(100 + seed)
    n, s = int(rng.integers(1, 400)), int(rng.integers(1, 60))
    x0, y0 = 385000.0, 5820000.0
    ax, ay = rng.integers(0, 60, n) * 10.0 + x0, rng.integers(0, 60, n) * 10.0 + y0
    bx, by = rng.integers(-5, 65, s) * 10.0 + x0, rng.integers(-5, 65, s) * 10.0 + y0
    radii = rng.choice([0.0, 10.0, 50.0, 130.0, 250.0, 1000.0], size=int(rng.integers(1, 4)))
    chunk = [None, 5, 64][seed % 3]
    counts = R.counts_within(ax, ay, bx, by, radii, chunk=chunk)
    full = brute_force(ax, ay, bx, by)
    expected = np.stack([(full <= r).sum(axis=1) for r in radii], axis=1)
    assert counts.dtype == np.int64 and np.array_equal(counts, expected)


def test_counts_within_progress_cancel_and_empty_inputs():
    rng = np.random.default_rng(3)
    ax, ay, bx, by = (rng.uniform(0, 100, 200), rng.uniform(0, 100, 200), rng.uniform(0, 100, 50),
                      rng.uniform(0, 100, 50))
    seen = []
    R.counts_within(ax, ay, bx, by, [10.0, 30.0], progress=seen.append, chunk=50)
    assert len(seen) > 1 and seen == sorted(seen) and 0.0 <= seen[0] and seen[-1] <= 1.0
    assert R.counts_within(ax, ay, bx, by, [30.0], is_canceled=lambda: True) is None
    assert R.counts_within(ax, ay, [], [], [10.0, 20.0]).shape == (200, 2)
    assert not R.counts_within(ax, ay, [], [], [10.0, 20.0]).any()
    assert R.counts_within([], [], bx, by, [10.0]).shape == (0, 1)
    with pytest.raises(ValueError):
        R.counts_within(ax, ay, bx, by, [10.0, float("nan")])


@pytest.mark.parametrize("seed", range(6))
def test_counts_within_many_points_whole_cells_and_borders(monkeypatch, seed):
    # dense points: most are counted through whole cells (no distance computed); those in the cells the
    # circles cross are checked one by one. Points on the cell borders and exactly on the radius too.
    rng = np.random.default_rng(200 + seed)
    ax = np.concatenate([rng.uniform(0, 2000, 6000), rng.integers(0, 80, 2000) * 25.0]) + 385000.0
    ay = np.concatenate([rng.uniform(0, 2000, 6000), rng.integers(0, 80, 2000) * 25.0]) + 5820000.0
    bx = np.concatenate([rng.uniform(-100, 2100, 40), [400.0, 1000.0]]) + 385000.0
    by = np.concatenate([rng.uniform(-100, 2100, 40), [400.0, 1000.0]]) + 5820000.0
    radii = [100.0, 250.0, 400.0]
    whole = []
    runs = R._runs

    def recorded(grid, column, low, high):
        found = runs(grid, column, low, high)
        whole.append(int(found[1].sum()))
        return found

    monkeypatch.setattr(R, "_runs", recorded)
    counts = R.counts_within(ax, ay, bx, by, radii, chunk=[None, 1000][seed % 2])
    full = brute_force(ax, ay, bx, by)
    assert np.array_equal(counts, np.stack([(full <= r).sum(axis=1) for r in radii], axis=1))
    assert sum(whole[::3]) > 0.5 * counts.sum()  # most pairs came through whole cells
