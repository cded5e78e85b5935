"""Is a point inside a polygon? Counted crossings, decided exactly or left to GEOS.

Pure numpy (no QGIS), so it is unit-tested against hand-made cases; the adapter
(:func:`..adapters.distances.assign_districts`) checks it against GEOS point by point.

The rule (crossing number): a ray from the point ``(px, py)`` to the east crosses the edge from
``(x1, y1)`` to ``(x2, y2)`` when the edge spans the point's height, half-open
(``(y1 > py) != (y2 > py)``, exact comparisons), and the point lies west of it::

    det = (x2 - x1) * (py - y1) - (px - x1) * (y2 - y1)
    crosses  <=>  det > 0 where y2 > y1, det < 0 where y2 < y1

The point is inside when the crossings over all rings of all parts (outer rings and holes) are
odd. That is exact for every point that is not on the boundary, as long as the sign of ``det``
is right. Computed in floating point it is right whenever ``|det| > ERROR_BOUND * (|a| + |b|)``
with ``a``, ``b`` the two products (Shewchuk's bound for this formula is 3.3e-16 times that sum;
``ERROR_BOUND`` is three times it). Where it is not certain, for an edge that spans the point's
height or whose box holds the point, the point is left undecided: so are all points on the
boundary (on an edge or a vertex, where ``det`` is 0), and the caller asks GEOS (whose own rule,
a robust ray-crossing count, gives the same answer for every point decided here).

Each polygon's edges are filed into horizontal bands of its height (about ``EDGES_PER_BAND``
edges per band): a point only meets the edges of its band, each of which spans the band at least
in part, so it meets every edge that spans its height.
"""

import numpy as np

from .radius import _chunks, fill_runs

#: Three times Shewchuk's error bound of a 2-D orientation, (3 + 16 eps) eps with eps = 2**-53.
ERROR_BOUND = 1e-15

#: Edges per horizontal band of a polygon (see the module text; 2 rather than 4: half the tests per point,
#: assignment of 1M state grid points 1.35 s -> 0.51 s).
EDGES_PER_BAND = 2

#: A polygon's bands hold at most this many edges per edge (an edge spanning many bands is filed in
#: each): beyond it the polygon gets fewer bands.
MOST_FILED_PER_EDGE = 16

#: Point-edge tests done at once (their work arrays stay small).
CHUNK_TESTS = 1 << 20

OUTSIDE, INSIDE, UNDECIDED = 0, 1, 2


class PolygonEdges:
    """The edges of ``n_polygons`` polygons (``x1, y1, x2, y2`` arrays, ``polygon`` the polygon of each
    edge, ``0 .. n_polygons - 1``, the edges polygon by polygon), filed into horizontal bands per polygon. A polygon without edges
    holds no point."""

    def __init__(self, x1, y1, x2, y2, polygon, n_polygons):
        x1, y1, x2, y2 = (np.asarray(a, dtype="float64") for a in (x1, y1, x2, y2))
        polygon = np.asarray(polygon, dtype=np.int64)
        self.x1, self.y1, self.x2, self.y2 = x1, y1, x2, y2
        if (np.diff(polygon) < 0).any():
            raise ValueError("edges must come polygon by polygon")
        low, high = np.minimum(y1, y2), np.maximum(y1, y2)
        edges = np.bincount(polygon, minlength=n_polygons)
        self.bottom, self.top = np.zeros(n_polygons), np.zeros(n_polygons)
        held = edges > 0
        if held.any():
            starts = (np.cumsum(edges) - edges)[held]
            self.bottom[held] = np.minimum.reduceat(low, starts)
            self.top[held] = np.maximum.reduceat(high, starts)
        bands = np.maximum(np.ceil(edges / EDGES_PER_BAND), 1.0)
        first, last = self._bands(polygon, low, high, bands)
        filed = np.bincount(polygon, weights=last - first + 1, minlength=n_polygons)
        crowded = filed > MOST_FILED_PER_EDGE * np.maximum(edges, 1)
        if crowded.any():  # long edges across many bands (a comb): fewer, higher bands
            bands[crowded] = np.maximum(np.floor(bands[crowded] * MOST_FILED_PER_EDGE * edges[crowded]
                                                 / filed[crowded]), 1.0)
            first, last = self._bands(polygon, low, high, bands)
        self.bands = bands.astype(np.int64)
        self.band_offset = np.cumsum(self.bands) - self.bands
        count = (last - first + 1).astype(np.int64)
        filed_band = np.empty(int(count.sum()), dtype=np.int64)
        fill_runs(filed_band, self.band_offset[polygon] + first.astype(np.int64), count)
        filed_edge = np.repeat(np.arange(polygon.size, dtype=np.int64), count)
        order = np.argsort(filed_band, kind="stable")
        self.band_edges = filed_edge[order]
        self.band_start = np.searchsorted(filed_band[order], np.arange(int(self.bands.sum()) + 1))

    def _bands(self, polygon, low, high, bands):
        return self._band(polygon, low, bands), self._band(polygon, high, bands)

    def _band(self, polygon, y, bands):
        """Band of height ``y`` in each ``polygon`` (0 .. bands - 1): monotone in ``y``, so an edge from
        ``low`` to ``high`` is filed in every band a point at a height between them falls into."""
        height = (self.top - self.bottom)[polygon] / bands[polygon]
        height = np.where(height > 0, height, 1.0)
        band = np.floor((y - self.bottom[polygon]) / height)
        return np.clip(np.nan_to_num(band), 0, bands[polygon] - 1)

    def locate(self, px, py, polygon):
        """Per query ``k`` (point ``(px[k], py[k])``, polygon ``polygon[k]``): :data:`INSIDE`,
        :data:`OUTSIDE` or :data:`UNDECIDED` (on or too near the boundary to tell in floating point)."""
        px, py = np.asarray(px, dtype="float64"), np.asarray(py, dtype="float64")
        polygon = np.asarray(polygon, dtype=np.int64)
        state = np.full(px.size, OUTSIDE, dtype=np.int8)
        if px.size == 0 or self.band_start[-1] == 0:
            return state
        band = self.band_offset[polygon] + self._band(polygon, py, self.bands.astype("float64")).astype(np.int64)
        start = self.band_start[band]
        count = self.band_start[band + 1] - start
        for a, b in _chunks(count, CHUNK_TESTS):
            state[a:b] = self._locate_chunk(px[a:b], py[a:b], start[a:b], count[a:b])
        return state

    def _locate_chunk(self, px, py, start, count):
        query = np.repeat(np.arange(px.size), count)
        filed = np.empty(query.size, dtype=np.int64)
        fill_runs(filed, start, count)
        edge = self.band_edges[filed]
        x1, y1, x2, y2 = self.x1[edge], self.y1[edge], self.x2[edge], self.y2[edge]
        qx, qy = px[query], py[query]
        spans = (y1 > qy) != (y2 > qy)
        a = (x2 - x1) * (qy - y1)
        b = (qx - x1) * (y2 - y1)
        det = a - b
        certain = np.abs(det) > ERROR_BOUND * (np.abs(a) + np.abs(b))
        boxed = (np.minimum(x1, x2) <= qx) & (qx <= np.maximum(x1, x2)) & (np.minimum(y1, y2) <= qy) & \
            (qy <= np.maximum(y1, y2))
        crosses = spans & ((det > 0) == (y2 > y1))
        odd = np.bincount(query, weights=crosses, minlength=px.size) % 2 == 1
        undecided = np.bincount(query, weights=~certain & (spans | boxed), minlength=px.size) > 0
        return np.where(undecided, UNDECIDED, np.where(odd, INSIDE, OUTSIDE)).astype(np.int8)
