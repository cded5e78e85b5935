"""Points in polygons by counted crossings (core/inpolygon.py) against an exact reference in rational
arithmetic: every decided point is where exact geometry puts it, every point on the boundary is left
undecided, and few points off the boundary are."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sozialraum.core import inpolygon as P


def edges_of(polygons):
    """``polygons``: per polygon a list of closed rings (lists of (x, y)) -> the PolygonEdges arguments."""
    x1, y1, x2, y2, owner = [], [], [], [], []
    for k, rings in enumerate(polygons):
        for ring in rings:
            for (ax, ay), (bx, by) in zip(ring[:-1], ring[1:]):
                x1.append(ax), y1.append(ay), x2.append(bx), y2.append(by), owner.append(k)
    return P.PolygonEdges(x1, y1, x2, y2, owner, len(polygons))


def exact(point, rings):
    """'boundary', 'inside' or 'outside' of ``point`` for the polygon ``rings``, in exact rationals."""
    px, py = (Fraction(v) for v in point)
    crossings = 0
    for (ax, ay), (bx, by) in zip(ring_pairs(rings), ring_pairs(rings, 1)):
        if not min(ay, by) <= point[1] <= max(ay, by):
            continue  # neither crossed nor touched (compared exactly, as floats)
        ax, ay, bx, by = (Fraction(v) for v in (ax, ay, bx, by))
        det = (bx - ax) * (py - ay) - (px - ax) * (by - ay)
        if det == 0 and min(ax, bx) <= px <= max(ax, bx) and min(ay, by) <= py <= max(ay, by):
            return "boundary"
        if (ay > py) != (by > py) and px < ax + (py - ay) * (bx - ax) / (by - ay):
            crossings += 1
    return "inside" if crossings % 2 else "outside"


def ring_pairs(rings, shift=0):
    return [p for ring in rings for p in (ring[shift:len(ring) - 1 + shift])]


NAMES = {P.INSIDE: "inside", P.OUTSIDE: "outside"}


def check(polygons, points, owners):
    """Decided points agree with :func:`exact`; boundary points are undecided. Returns the states."""
    state = edges_of(polygons).locate([p[0] for p in points], [p[1] for p in points], owners)
    for point, owner, found in zip(points, owners, state.tolist()):
        truth = exact(point, polygons[owner])
        if truth == "boundary":
            assert found == P.UNDECIDED, (point, owner)
        elif found != P.UNDECIDED:
            assert NAMES[found] == truth, (point, owner)
    return state


SQUARE = [[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]]
HOLED = SQUARE + [[(4.0, 4.0), (4.0, 6.0), (6.0, 6.0), (6.0, 4.0), (4.0, 4.0)]]
# two parts: a triangle and a square that touch it at one vertex
TWO_PARTS = [[(0.0, 0.0), (4.0, 0.0), (2.0, 3.0), (0.0, 0.0)], [(2.0, 3.0), (5.0, 3.0), (5.0, 6.0), (2.0, 6.0),
                                                                  (2.0, 3.0)]]


def test_hand_made_cases():
    points = [(5.0, 5.0), (-1.0, 5.0), (10.0, 5.0), (0.0, 0.0), (5.0, 10.0), (10.0, 10.0), (11.0, 10.0),
              (5.0, 5.0), (4.0, 5.0), (3.0, 5.0), (7.0, 5.0), (5.0, 4.0),
              (2.0, 1.0), (2.0, 3.0), (3.0, 4.0), (4.0, 1.5), (1.0, 3.0)]
    owners = [0] * 7 + [1] * 5 + [2] * 5
    state = check([SQUARE, HOLED, TWO_PARTS], points, owners).tolist()
    I, O, U = P.INSIDE, P.OUTSIDE, P.UNDECIDED
    assert state == [I, O, U, U, U, U, O,   # square: centre, left, east edge, corner, top edge, corner, beyond
                     O, U, I, I, U,         # the hole's centre, its west edge, ring, ring, its south edge
                     I, U, I, O, O]         # triangle, the shared vertex, square, beside both


def test_a_point_a_hair_beside_an_edge_is_decided_or_left_to_geos():
    # 1e-9 m beside the edge of a UTM-sized square: floating point cannot always tell, never wrongly
    x0, y0 = 385000.0, 5820000.0
    rings = [[(x0, y0), (x0 + 100.0, y0 + 37.0), (x0 + 60.0, y0 + 130.0), (x0 - 15.0, y0 + 80.0), (x0, y0)]]
    t = np.linspace(0.01, 0.99, 50)
    points = [(x0 + 100.0 * s + d, y0 + 37.0 * s) for s in t.tolist() for d in (-1e-9, 0.0, 1e-9)]
    check([rings], points, [0] * len(points))


def test_bands_file_every_edge_a_point_can_meet():
    # a circle of 1,000 vertices and a comb whose long teeth cross every band
    angle = np.linspace(0, 2 * np.pi, 1001)[:-1]
    circle = [[(100 * np.cos(a), 100 * np.sin(a)) for a in angle.tolist()]]
    circle[0].append(circle[0][0])
    comb = [(0.0, 0.0)]
    for k in range(60):
        comb += [(2.0 * k, 100.0), (2.0 * k + 1, 100.0), (2.0 * k + 1, 1.0), (2.0 * k + 2, 1.0)]
    comb += [(120.0, 0.0), (0.0, 0.0)]
    edges = edges_of([circle, [comb]])
    assert edges.bands[0] == 1000 // P.EDGES_PER_BAND  # the circle: as many bands as its edges ask
    assert edges.bands[1] < 242 // P.EDGES_PER_BAND  # the comb (242 edges) got fewer
    rng = np.random.default_rng(8)
    points = [tuple(p) for p in rng.uniform(-110, 110, (1500, 2)).tolist()]
    points += [tuple(p) for p in (rng.uniform(0, 1, (1000, 2)) * [120, 101]).tolist()]
    owners = [0] * 1500 + [1] * 1000
    state = check([circle, [comb]], points, owners)
    assert (state == P.INSIDE).sum() > 1000 and (state == P.UNDECIDED).sum() == 0


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(-6, 6), st.integers(-6, 6)), min_size=3, max_size=9),
       st.lists(st.tuples(st.integers(-14, 14), st.integers(-14, 14)), min_size=1, max_size=40),
       st.sampled_from([1.0, 0.5, 0.1, 1e-3]), st.one_of(st.integers(-10 ** 6, 10 ** 6),
                                                          st.floats(-1e6, 1e6, allow_nan=False)))
def test_any_ring_against_exact_arithmetic(vertices, points, scale, shift):
    """Rings of any shape (self-touching, collinear, crossing: the counted rule is the same for all) on a
    half-unit lattice, so many points fall exactly on edges and vertices, moved far from the origin."""
    assume(len(set(vertices)) >= 3)
    ring = [(x * scale + shift, y * scale - shift) for x, y in vertices + [vertices[0]]]
    queries = [(x * scale / 2 + shift, y * scale / 2 - shift) for x, y in points]
    state = check([[ring]], queries, [0] * len(queries))
    if scale in (1.0, 0.5) and float(shift).is_integer():
        # coordinates in quarter units: every difference and product is exact, so only the boundary is undecided
        on_boundary = [exact(q, [ring]) == "boundary" for q in queries]
        assert (state == P.UNDECIDED).tolist() == on_boundary


def test_empty_inputs():
    edges = edges_of([SQUARE, []])
    assert edges.locate([], [], []).tolist() == []
    assert edges.locate([1.0], [1.0], [1]).tolist() == [P.OUTSIDE]  # a polygon without edges holds nothing
    with pytest.raises(ValueError):
        P.PolygonEdges([0, 0], [0, 0], [1, 1], [1, 1], [1, 0], 2)
