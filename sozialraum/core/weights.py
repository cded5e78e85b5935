"""Who neighbours whom: candidate pairs and neighbour lists from coordinates (pure numpy, no QGIS).

The contiguity adapter (adapters/contiguity.py) decides queen and rook neighbours with GEOS; these helpers
keep the number of GEOS calls small and build the distance-based weights:

* :func:`box_pairs`: pairs of bounding boxes that meet (edges and corners count), from a grid of cells as wide
  as the typical box: only quarters whose boxes meet can share a point.
* :func:`shared_point_pairs`: pairs of quarters with an identical vertex (exact coordinates, no tolerance):
  they share a point, so they are queen neighbours without asking GEOS.
* :func:`shared_segment_pairs`: pairs with an identical boundary segment (either direction): they share a
  boundary of positive length, so they are rook neighbours.
* :func:`distance_band`: pairs of centroids within a distance ``d`` (inclusive), from core/radius.py's grid.
* :func:`k_nearest`: each centroid's ``k`` nearest other centroids (equal distances: the lower position first).
"""

import math

import numpy as np

from .errors import InputError
from .radius import radius_pairs


def _runs_pairs(order, same_as_next):
    """Pairs ``(order[p], order[q])`` for every two positions ``p < q`` of one run of equal keys: ``order`` lists
    items sorted by key, ``same_as_next[p]`` says whether position ``p + 1`` has the key of ``p``."""
    firsts, seconds = [], []
    together = same_as_next.copy()
    step = 1
    while together.any():
        positions = np.flatnonzero(together)
        firsts.append(order[positions])
        seconds.append(order[positions + step])
        # still in one run after one more step: both neighbours in the run
        together = together[:-1] & same_as_next[step:] if together.size > 1 else np.zeros(0, dtype=bool)
        step += 1
    if not firsts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(firsts), np.concatenate(seconds)


def _unique_pairs(a, b, n):
    """Pairs with ``a < b`` once each (self-pairs dropped), sorted."""
    a, b = np.minimum(a, b), np.maximum(a, b)
    keep = a != b
    key = np.unique(a[keep].astype(np.int64) * n + b[keep])
    return key // n, key % n


def box_pairs(xmin, ymin, xmax, ymax):
    """Every pair ``(i, j)``, ``i < j``, of boxes that meet: ``xmin_i <= xmax_j``, ``xmin_j <= xmax_i`` and the
    same in y."""
    xmin, ymin, xmax, ymax = (np.asarray(v, dtype=float) for v in (xmin, ymin, xmax, ymax))
    n = xmin.size
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    cell = float(np.median(np.maximum(xmax - xmin, ymax - ymin)))
    if not cell > 0:
        cell = 1.0
    x0, y0 = xmin.min(), ymin.min()
    cx0, cx1 = np.floor((xmin - x0) / cell).astype(np.int64), np.floor((xmax - x0) / cell).astype(np.int64)
    cy0, cy1 = np.floor((ymin - y0) / cell).astype(np.int64), np.floor((ymax - y0) / cell).astype(np.int64)
    width, height = cx1 - cx0 + 1, cy1 - cy0 + 1
    count = width * height
    box = np.repeat(np.arange(n), count)
    offset = np.arange(box.size) - np.repeat(np.cumsum(count) - count, count)
    cx = cx0[box] + offset % width[box]
    cy = cy0[box] + offset // width[box]
    key = cx * (int(cy1.max()) + 1) + cy
    order = np.argsort(key, kind="stable")
    key = key[order]
    a, b = _runs_pairs(box[order], key[1:] == key[:-1])
    meet = (xmin[a] <= xmax[b]) & (xmin[b] <= xmax[a]) & (ymin[a] <= ymax[b]) & (ymin[b] <= ymax[a])
    return _unique_pairs(a[meet], b[meet], n)


def shared_point_pairs(owner, x, y, n):
    """Pairs ``(i, j)``, ``i < j``, of the ``n`` quarters ``owner`` of vertices ``(x, y)`` that have a vertex
    with exactly the same coordinates."""
    owner = np.asarray(owner, dtype=np.int64)
    order = np.lexsort((owner, y, x))
    same = (x[order][1:] == x[order][:-1]) & (y[order][1:] == y[order][:-1])
    a, b = _runs_pairs(owner[order], same)
    return _unique_pairs(a, b, n)


def shared_segment_pairs(owner, x0, y0, x1, y1, n):
    """Pairs ``(i, j)``, ``i < j``, of quarters with an identical boundary segment (in either direction; segments
    of zero length do not count)."""
    owner = np.asarray(owner, dtype=np.int64)
    swap = (x1 < x0) | ((x1 == x0) & (y1 < y0))
    ax, ay = np.where(swap, x1, x0), np.where(swap, y1, y0)
    bx, by = np.where(swap, x0, x1), np.where(swap, y0, y1)
    real = (ax != bx) | (ay != by)
    owner, ax, ay, bx, by = owner[real], ax[real], ay[real], bx[real], by[real]
    order = np.lexsort((owner, by, bx, ay, ax))
    same = np.ones(order.size - 1 if order.size else 0, dtype=bool)
    for values in (ax, ay, bx, by):
        sorted_values = values[order]
        same &= sorted_values[1:] == sorted_values[:-1]
    a, b = _runs_pairs(owner[order], same)
    return _unique_pairs(a, b, n)


def distance_band(x, y, distance):
    """Pairs ``(i, j)``, ``i < j``, of points at most ``distance`` apart (inclusive)."""
    if not (math.isfinite(distance) and distance > 0):
        raise InputError("Die Entfernung für die Nachbarschaft muss größer als 0 m sein (erhalten: {}).".format(
            distance), "The neighbourhood distance must be greater than 0 m (got: {}).".format(distance))
    a, b, _ = radius_pairs(x, y, x, y, distance)
    a, b = a.astype(np.int64), b.astype(np.int64)
    keep = a < b
    return a[keep], b[keep]


def k_nearest(x, y, k):
    """``(i, j)``: for every point ``i`` its ``k`` nearest other points ``j`` (equal distances: the lower ``j``
    first). A radius search, doubled for the points that found fewer than ``k`` others."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = x.size
    if not 1 <= k < n:
        raise InputError("k muss zwischen 1 und der Zahl der Quartiere minus 1 ({}) liegen (erhalten: {}).".format(
            n - 1, k), "k must lie between 1 and the number of quarters minus 1 ({}) (got: {}).".format(n - 1, k))
    area = max(float(np.ptp(x)), 1.0) * max(float(np.ptp(y)), 1.0)
    radius = math.sqrt(area / n * (k + 1))
    todo = np.arange(n)
    found_i, found_j = [], []
    while todo.size:
        a, b, d = radius_pairs(x[todo], y[todo], x, y, radius)
        a, b = todo[a.astype(np.int64)], b.astype(np.int64)
        keep = a != b
        a, b, d = a[keep], b[keep], d[keep]
        counts = np.bincount(a, minlength=n)
        done = counts[todo] >= k
        take = done[np.searchsorted(todo, a)]
        a, b, d = a[take], b[take], d[take]
        order = np.lexsort((b, d, a))
        a, b = a[order], b[order]
        rank = np.arange(a.size) - np.searchsorted(a, a, side="left")
        found_i.append(a[rank < k])
        found_j.append(b[rank < k])
        todo = todo[~done]
        radius *= 2.0
    return np.concatenate(found_i), np.concatenate(found_j)
