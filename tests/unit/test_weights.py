"""Candidate pairs and neighbour lists from coordinates against brute force and hand-made cases."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialraum.core.errors import InputError
from sozialraum.core.weights import box_pairs, distance_band, k_nearest, shared_point_pairs, shared_segment_pairs


def pairs_set(a, b):
    return set(zip(np.asarray(a).tolist(), np.asarray(b).tolist()))


boxes = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 15), st.integers(0, 15)),
                 min_size=0, max_size=40)


@settings(max_examples=150)
@given(boxes)
def test_box_pairs_equal_brute_force(rows):
    xmin = np.array([r[0] for r in rows], dtype=float)
    ymin = np.array([r[1] for r in rows], dtype=float)
    xmax = xmin + [r[2] for r in rows]
    ymax = ymin + [r[3] for r in rows]
    expected = {(i, j) for i, j in itertools.combinations(range(len(rows)), 2)
                if xmin[i] <= xmax[j] and xmin[j] <= xmax[i] and ymin[i] <= ymax[j] and ymin[j] <= ymax[i]}
    assert pairs_set(*box_pairs(xmin, ymin, xmax, ymax)) == expected


def test_shared_points_and_segments_by_hand():
    # three unit squares in a row (0, 1, 2) and one (3) touching square 2 at a corner only:
    #   0: (0,0)-(1,1), 1: (1,0)-(2,1), 2: (2,0)-(3,1), 3: (3,1)-(4,2)
    squares = [(0, 0), (1, 0), (2, 0), (3, 1)]
    owner, x0, y0, x1, y1 = [], [], [], [], []
    for k, (x, y) in enumerate(squares):
        ring = [(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1), (x, y)]
        for (ax, ay), (bx, by) in zip(ring[:-1], ring[1:]):
            owner.append(k)
            x0.append(ax), y0.append(ay), x1.append(bx), y1.append(by)
    x0, y0, x1, y1 = (np.array(v, dtype=float) for v in (x0, y0, x1, y1))
    assert pairs_set(*shared_point_pairs(np.array(owner), x0, y0, 4)) == {(0, 1), (1, 2), (2, 3)}
    assert pairs_set(*shared_segment_pairs(np.array(owner), x0, y0, x1, y1, 4)) == {(0, 1), (1, 2)}


points = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=2, max_size=40)


@settings(max_examples=100)
@given(points, st.sampled_from([1.0, 3.0, 7.5]))
def test_distance_band_equals_brute_force(rows, distance):
    x = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows], dtype=float)
    expected = {(i, j) for i, j in itertools.combinations(range(len(rows)), 2)
                if np.hypot(x[i] - x[j], y[i] - y[j]) <= distance}
    assert pairs_set(*distance_band(x, y, distance)) == expected


@settings(max_examples=100)
@given(points, st.integers(1, 6))
def test_k_nearest_equals_brute_force(rows, k):
    x = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows], dtype=float)
    n = len(rows)
    if k >= n:
        with pytest.raises(InputError):
            k_nearest(x, y, k)
        return
    expected = set()
    for i in range(n):
        others = sorted((np.hypot(x[i] - x[j], y[i] - y[j]), j) for j in range(n) if j != i)
        expected |= {(i, j) for _, j in others[:k]}
    assert pairs_set(*k_nearest(x, y, k)) == expected


def test_distance_must_be_positive():
    with pytest.raises(InputError, match="größer als 0 m"):
        distance_band(np.zeros(2), np.zeros(2), 0.0)
