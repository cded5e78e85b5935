"""Points from layers into numpy arrays, straight-line distances between them, points into districts.

Straight-line (Euclidean) distances in a metric CRS (see :mod:`.crs`):

* :func:`euclidean_pairs`: every pair within a radius, as the sparse pair list the core's
  :func:`~..core.coverage.two_step_fca` takes;
* :func:`nearest_points`: the nearest target of every query point (nearest service, or the
  nearest network node for snapping).

Why a numpy grid and not ``QgsSpatialIndexKDBush.within()`` for the radius search: the KDBush
search itself is C++, but every hit comes back as a Python object. Measured on this machine
(QGIS 3.22, 1,000,000 demand points x 5,000 services, 1000 m, 17 million pairs): one
``within()`` per demand point took 27 s, one per service longer still; the cell grid below took 3 s.
The grid is a bucket index with cells as wide as the radius: every point within the radius of a
query lies in the 3 x 3 cells around it, and the exact distance decides. Candidate pairs are
handled in vectorised chunks, so memory stays bounded. The nearest-neighbour search falls back
to a ``QgsSpatialIndex`` (R-tree, exact for points) for the few points with no target nearby.
"""

from typing import NamedTuple

import numpy as np
from qgis.core import QgsFeatureRequest, QgsGeometry, QgsPoint, QgsPointXY, QgsRectangle, QgsSpatialIndex

from ..core.coverage import nearest_distance
from ..core.errors import InputError
from . import compat
from .crs import request_in

#: Candidate pairs examined at once (bounds the memory of a radius search, about 40 bytes each).
CHUNK_PAIRS = 2_000_000


class PointSet(NamedTuple):
    """Points of a layer in the working CRS.

    ``fid``, ``x``, ``y``: numpy arrays, one entry per feature with a geometry (in the order the
    provider returned them); ``values``: field name -> list of attribute values (NULL = None);
    ``no_geometry``: feature ids left out because they have no geometry.
    """

    fid: np.ndarray
    x: np.ndarray
    y: np.ndarray
    values: dict
    no_geometry: list


def read_points(source, fields, target_crs, transform_context, feedback=None, progress_span=(0.0, 10.0)):
    """Coordinates in ``target_crs`` and the attributes ``fields`` of every feature of ``source``.

    Points give their coordinates; other geometries (e.g. grid cells) their ``pointOnSurface``.
    Reprojection happens in the feature request, so the layer itself is never touched.
    """
    fields = [f for f in dict.fromkeys(fields) if f]
    source_fields = source.fields()
    missing = [f for f in fields if source_fields.lookupField(f) < 0]
    if missing:
        raise InputError("Feld(er) nicht in der Eingabe: {}.".format(", ".join(missing)),
                         "Field(s) not in the input: {}.".format(", ".join(missing)))
    indices = [source_fields.lookupField(f) for f in fields]
    request = request_in(source, target_crs, transform_context, QgsFeatureRequest().setSubsetOfAttributes(indices))
    total = source.featureCount()
    step = (progress_span[1] - progress_span[0]) / total if total and total > 0 else 0.0
    fids, xs, ys, no_geometry = [], [], [], []
    columns = [[] for _ in indices]
    for n, feature in enumerate(source.getFeatures(request)):
        if feedback is not None and n % 10000 == 0:
            if feedback.isCanceled():
                break
            feedback.setProgress(progress_span[0] + n * step)
        geometry = feature.geometry()
        point = geometry.constGet()
        if point is not None and type(point) is not QgsPoint:  # multi-points, polygons: a point on the surface
            point = None if geometry.isEmpty() else geometry.pointOnSurface().constGet()
        if point is None or point.isEmpty():
            no_geometry.append(feature.id())
            continue
        fids.append(feature.id())
        xs.append(point.x())
        ys.append(point.y())
        attributes = feature.attributes()
        for column, index in zip(columns, indices):
            value = attributes[index]
            column.append(None if compat.is_null(value) else value)
    return PointSet(np.asarray(fids, dtype=np.int64), np.asarray(xs, dtype="float64"),
                    np.asarray(ys, dtype="float64"), dict(zip(fields, columns)), no_geometry)


class _Grid:
    """Points sorted into square cells of side ``cell``, numbered column by column."""

    def __init__(self, x, y, cell):
        self.x0, self.y0 = float(x.min()), float(y.min())
        self.cell = float(cell)
        column = np.floor((x - self.x0) / self.cell).astype(np.int64)
        row = np.floor((y - self.y0) / self.cell).astype(np.int64)
        self.n_columns, self.n_rows = int(column.max()) + 1, int(row.max()) + 1
        key = column * self.n_rows + row
        self.order = np.argsort(key, kind="stable")
        self.key = key[self.order]
        self.x, self.y = x[self.order], y[self.order]

    def blocks(self, qx, qy):
        """Per query point and per neighbouring column ``c`` = -1, 0, 1: ``(start, count)`` of the
        sorted points in rows ``r-1 .. r+1`` of column ``col+c`` (count 0 outside the grid)."""
        column = np.floor((qx - self.x0) / self.cell).astype(np.int64)
        row = np.floor((qy - self.y0) / self.cell).astype(np.int64)
        low = np.clip(row - 1, 0, self.n_rows - 1)
        high = np.clip(row + 1, 0, self.n_rows - 1)
        rows_ok = (row + 1 >= 0) & (row - 1 <= self.n_rows - 1)
        starts, counts = [], []
        for offset in (-1, 0, 1):
            col = column + offset
            ok = rows_ok & (col >= 0) & (col < self.n_columns)
            base = np.where(ok, col, 0) * self.n_rows
            start = np.searchsorted(self.key, base + low, side="left")
            end = np.searchsorted(self.key, base + high, side="right")
            starts.append(start)
            counts.append(np.where(ok, end - start, 0))
        return starts, counts


def _chunks(weights, budget):
    """Consecutive ranges ``(a, b)`` of items whose ``weights`` add up to about ``budget`` each."""
    cumulative = np.cumsum(weights)
    a, n = 0, len(weights)
    while a < n:
        done = cumulative[a - 1] if a else 0
        b = int(np.searchsorted(cumulative, done + budget, side="right"))
        b = min(max(b, a + 1), n)
        yield a, b
        a = b


def _expand(start, count):
    """Positions ``start[q] .. start[q] + count[q] - 1`` for every q, concatenated."""
    total = int(count.sum())
    first = np.cumsum(count) - count
    return np.repeat(start - first, count) + np.arange(total)


def euclidean_pairs(ax, ay, bx, by, radius, feedback=None, progress_span=None):
    """All pairs ``(i, j)`` with ``d_ij = sqrt((ax_i - bx_j)^2 + (ay_i - by_j)^2) <= radius`` (inclusive).

    Returns ``(pair_a, pair_b, pair_d)``, each pair once, or ``None`` when the user cancelled.
    ``progress_span=(start, end)`` reports progress to ``feedback``. The positions are int32
    while both point sets have fewer than 2**31 points (int64 beyond), the distances float64:
    16 bytes a pair, so 1,000,000 demand points x 5,000 services within 1000 m (85 million
    pairs) keep 1.4 GB. Each result array is joined from its chunks, and the chunks freed,
    before the next, so the peak stays near 24 bytes a pair.
    """
    ax, ay, bx, by = (np.asarray(v, dtype="float64") for v in (ax, ay, bx, by))
    index = np.int32 if max(ax.size, bx.size) < 2 ** 31 else np.int64
    empty = (np.zeros(0, dtype=index), np.zeros(0, dtype=index), np.zeros(0))
    radius = float(radius)
    if ax.size == 0 or bx.size == 0:
        return empty
    extent = max(np.ptp(bx), np.ptp(by), np.ptp(ax), np.ptp(ay), 1.0)
    # cells a little wider than the radius (rounding in the cell number must not lose a point),
    # and never so small that the cell numbers overflow
    grid = _Grid(bx, by, max(radius * (1.0 + 1e-9) + 1e-9, extent * 1e-6))
    starts, counts = grid.blocks(ax, ay)
    per_query = counts[0] + counts[1] + counts[2]
    limit = radius * radius * (1.0 + 1e-12)
    parts_a, parts_b, parts_d = [empty[0]], [empty[1]], [empty[2]]
    for a, b in _chunks(per_query, CHUNK_PAIRS):
        if feedback is not None:
            if feedback.isCanceled():
                return None
            if progress_span is not None:
                feedback.setProgress(progress_span[0] + (progress_span[1] - progress_span[0]) * a / ax.size)
        queries = np.arange(a, b)
        for start, count in zip(starts, counts):
            count = count[a:b]
            if not count.any():
                continue
            position = _expand(start[a:b], count)
            query = np.repeat(queries, count)
            dx = grid.x[position] - ax[query]
            dy = grid.y[position] - ay[query]
            squared = dx * dx + dy * dy
            near = np.flatnonzero(squared <= limit)
            distance = np.sqrt(squared[near])
            keep = distance <= radius
            parts_a.append(query[near[keep]].astype(index))
            parts_b.append(grid.order[position[near[keep]]].astype(index))
            parts_d.append(distance[keep])
    pairs = []
    for parts in (parts_a, parts_b, parts_d):
        pairs.append(np.concatenate(parts))
        parts.clear()
    return tuple(pairs)


def _typical_spacing(x, y):
    """``sqrt(area / n)`` of the bounding box of the points: their mean spacing if spread evenly."""
    area = max(np.ptp(x), 1.0) * max(np.ptp(y), 1.0)
    return float(np.sqrt(area / x.size))


def nearest_points(qx, qy, tx, ty):
    """For every query point the nearest target: ``(index, distance)``.

    ``index[i] = argmin_j d_ij`` (the smallest ``j`` on ties), ``distance[i] = min_j d_ij``.
    First a grid search within 1.5 typical target spacings (:func:`euclidean_pairs`), then for
    the query points with no target that near a ``QgsSpatialIndex`` nearest-neighbour search.
    No targets: index -1 and distance ``inf`` everywhere.
    """
    qx, qy, tx, ty = (np.asarray(v, dtype="float64") for v in (qx, qy, tx, ty))
    n = qx.size
    index = np.full(n, -1, dtype=np.int64)
    if tx.size == 0 or n == 0:
        return index, np.full(n, np.inf)
    pair_q, pair_t, pair_d = euclidean_pairs(qx, qy, tx, ty, 1.5 * _typical_spacing(tx, ty))
    distance = nearest_distance(pair_q, pair_d, n)
    best = pair_d == distance[pair_q]
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, pair_q[best], pair_t[best])
    found = np.isfinite(distance)
    index[found] = first[found]
    rest = np.flatnonzero(~found)
    if rest.size:
        tree = QgsSpatialIndex()
        for j, (x, y) in enumerate(zip(tx.tolist(), ty.tolist())):
            tree.addFeature(j, QgsRectangle(x, y, x, y))
        for i in rest.tolist():
            candidates = np.asarray(sorted(tree.nearestNeighbor(QgsPointXY(qx[i], qy[i]), 1)), dtype=np.int64)
            d = np.hypot(tx[candidates] - qx[i], ty[candidates] - qy[i])
            k = int(np.argmin(d))  # argmin takes the first minimum: the smallest j on ties
            index[i], distance[i] = candidates[k], d[k]
    return index, distance


def assign_districts(x, y, geometries, order=None, feedback=None):
    """District position ``k`` of every point (``-1`` = outside all districts).

    A point belongs to the first district in ``order`` (default 0, 1, ...) whose polygon
    ``geometries[k]`` (QgsGeometry, same CRS as the points) intersects it, so a point on a
    shared border goes to the district that comes first in ``order`` (pass the districts
    sorted by ID for a result that does not depend on the feature order). Candidates come from
    each polygon's bounding box over the points sorted by x; GEOS (prepared) decides.
    """
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    codes = np.full(x.size, -1, dtype=np.int64)
    by_x = np.argsort(x, kind="stable")
    sorted_x = x[by_x]
    order = range(len(geometries)) if order is None else order
    for done, k in enumerate(order):
        if feedback is not None and feedback.isCanceled():
            return None
        geometry = geometries[k]
        if geometry is None or geometry.isEmpty():
            continue
        box = geometry.boundingBox()
        lo = np.searchsorted(sorted_x, box.xMinimum(), side="left")
        hi = np.searchsorted(sorted_x, box.xMaximum(), side="right")
        candidates = by_x[lo:hi]
        candidates = candidates[(y[candidates] >= box.yMinimum()) & (y[candidates] <= box.yMaximum())
                                & (codes[candidates] == -1)]
        if candidates.size == 0:
            continue
        engine = QgsGeometry.createGeometryEngine(geometry.constGet())
        engine.prepareGeometry()
        inside = [i for i, px, py in zip(candidates.tolist(), x[candidates].tolist(), y[candidates].tolist())
                  if engine.intersects(QgsPoint(px, py))]
        codes[inside] = k
    return codes
