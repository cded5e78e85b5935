"""Neighbours of polygons for the hotspot analysis: queen and rook contiguity with GEOS, distance and k nearest.

* **queen**: two quarters are neighbours when they share at least one point (GEOS ``intersects``: touching, and
  also overlapping, as digitised boundaries sometimes do); no snapping tolerance.
* **rook**: when they share a boundary of positive length (the GEOS intersection has a length or an area).

Asking GEOS about every pair of quarters whose bounding boxes meet would cost a Python call each (about 10 µs,
seconds on 100,000 quarters), so the exact vertices decide first (core/weights.py): a vertex with the same
coordinates in both is a shared point (queen), the same boundary segment in both a shared boundary of positive
length (rook). Only the pairs whose boxes meet but that share no vertex (resp. segment) go to GEOS, with the
first quarter's geometry prepared. A clean tessellation needs no GEOS call for queen.

* **distance** and **knn**: between centroids, in the layer's CRS, which must be projected (metres).
"""

import struct

import numpy as np
from qgis.core import QgsFeatureRequest, QgsGeometry

from ..core.errors import InputError
from ..core.hotspots import neighbours_from_pairs
from ..core.weights import box_pairs, distance_band, k_nearest, shared_point_pairs, shared_segment_pairs
from .crs import require_defined
from .layers import features_unchecked

WEIGHT_KINDS = ("queen", "rook", "distance", "knn")

# ISO WKB types: polygon 3 / multipolygon 6, + 1000 Z, + 2000 M, + 3000 ZM -> coordinates per vertex
_DIMENSIONS = {0: 2, 1000: 3, 2000: 3, 3000: 4}


def read_polygons(source, feedback=None, progress_span=(0.0, 20.0)):
    """``{feature id: QgsGeometry}`` of every feature of ``source`` with a geometry (no attributes read)."""
    request = QgsFeatureRequest().setNoAttributes()
    total = source.featureCount()
    step = (progress_span[1] - progress_span[0]) / total if total and total > 0 else 0
    geometries = {}
    for n, feature in enumerate(features_unchecked(source, request)):
        if feedback is not None and n % 1000 == 0:
            if feedback.isCanceled():
                return None
            feedback.setProgress(progress_span[0] + n * step)
        geometry = feature.geometry()
        if not geometry.isNull() and not geometry.isEmpty():
            geometries[feature.id()] = geometry
    return geometries


def _rings(wkb, at=0):
    """The rings of a little- or big-endian ISO WKB (multi)polygon from byte ``at``: a list of (m, 2) arrays and
    the offset after it; None for other types (curves: see :func:`polygon_vertices`)."""
    order = "<" if wkb[at] == 1 else ">"
    kind = struct.unpack_from(order + "I", wkb, at + 1)[0]
    base, flags = kind % 1000, kind - kind % 1000
    if flags not in _DIMENSIONS or base not in (3, 6):
        return None
    if base == 6:
        rings, at = [], at + 9
        for _ in range(struct.unpack_from(order + "I", wkb, at - 4)[0]):
            part = _rings(wkb, at)
            if part is None:
                return None
            rings.extend(part[0])
            at = part[1]
        return rings, at
    dims = _DIMENSIONS[flags]
    count, at = struct.unpack_from(order + "I", wkb, at + 5)[0], at + 9
    rings = []
    for _ in range(count):
        points = struct.unpack_from(order + "I", wkb, at)[0]
        values = np.frombuffer(wkb, dtype=order + "f8", count=points * dims, offset=at + 4)
        rings.append(values.reshape(points, dims)[:, :2])
        at += 4 + 8 * points * dims
    return rings, at


def polygon_vertices(geometries):
    """``(owner, x, y, ring_end)`` of every vertex of the ``geometries`` (a list), ``owner`` their position,
    ``ring_end`` true for each ring's last (closing) vertex. Curved polygons are segmentised first."""
    owners, parts = [], []
    for k, geometry in enumerate(geometries):
        read = _rings(bytes(geometry.asWkb()))
        if read is None:
            read = _rings(bytes(QgsGeometry(geometry.constGet().segmentize()).asWkb()))
        for ring in read[0] if read is not None else []:
            if len(ring):
                parts.append(ring)
                owners.append(np.full(len(ring), k, dtype=np.int64))
    if not parts:
        return (np.zeros(0, dtype=np.int64),) + (np.zeros(0),) * 2 + (np.zeros(0, dtype=bool),)
    xy = np.concatenate(parts)
    ring_end = np.zeros(xy.shape[0], dtype=bool)
    ring_end[np.cumsum([len(part) for part in parts]) - 1] = True
    return np.concatenate(owners), np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1]), ring_end


def _boxes(owner, x, y, n):
    """Bounding box of each of the ``n`` owners from their vertices (owners without vertices: an empty box)."""
    xmin, ymin = np.full(n, np.inf), np.full(n, np.inf)
    xmax, ymax = np.full(n, -np.inf), np.full(n, -np.inf)
    np.minimum.at(xmin, owner, x)
    np.minimum.at(ymin, owner, y)
    np.maximum.at(xmax, owner, x)
    np.maximum.at(ymax, owner, y)
    return xmin, ymin, xmax, ymax


def _geos_pairs(geometries, a, b, rook, feedback):
    """Which of the pairs ``(a, b)`` are neighbours by GEOS: ``intersects`` (queen), or an intersection with a
    length or an area (rook)."""
    keep = np.zeros(a.size, dtype=bool)
    engine, current = None, -1
    for k, (i, j) in enumerate(zip(a.tolist(), b.tolist())):
        if feedback is not None and k % 1000 == 0 and feedback.isCanceled():
            return None
        if i != current:
            engine, current = QgsGeometry.createGeometryEngine(geometries[i].constGet()), i
            engine.prepareGeometry()
        if not engine.intersects(geometries[j].constGet()):
            continue
        if rook:
            shared = geometries[i].intersection(geometries[j])
            keep[k] = shared.length() > 0 or shared.area() > 0
        else:
            keep[k] = True
    return keep


def contiguity_pairs(geometries, rook=False, feedback=None):
    """Neighbour pairs ``(i, j)``, ``i < j``, of the ``geometries`` (a list) by queen or rook contiguity (see the
    module text), or None when cancelled. Returns also how many pairs GEOS decided."""
    n = len(geometries)
    owner, x, y, ring_end = polygon_vertices(geometries)
    candidates = box_pairs(*_boxes(owner, x, y, n))
    if rook:
        start = ~ring_end
        found = shared_segment_pairs(owner[start], x[start], y[start], x[1:][start[:-1]], y[1:][start[:-1]], n)
    else:
        found = shared_point_pairs(owner, x, y, n)
    known = found[0] * n + found[1]
    rest = ~np.isin(candidates[0] * n + candidates[1], known)
    a, b = candidates[0][rest], candidates[1][rest]
    keep = _geos_pairs(geometries, a, b, rook, feedback)
    if keep is None:
        return None
    return np.concatenate([found[0], a[keep]]), np.concatenate([found[1], b[keep]]), int(a.size)


def centroids(geometries, crs, what):
    """``(x, y)`` of the centroids of the ``geometries``; the layer ``what`` must have a projected CRS in metres
    (distances between quarters), else :class:`InputError`."""
    require_defined(crs, what)
    if crs.isGeographic():
        raise InputError(
            "Der Layer „{}“ liegt in geographischen Koordinaten (Grad, {}): Entfernungen und nächste Nachbarn "
            "brauchen Meter. Bitte speichern Sie ihn in einem projizierten KBS (z. B. ETRS89 / UTM, EPSG:25832 "
            "oder 25833) oder wählen Sie queen bzw. rook.".format(what, crs.authid()),
            "The layer '{}' is in geographic coordinates (degrees, {}): distances and nearest neighbours need "
            "metres. Please save it in a projected CRS (e.g. ETRS89 / UTM, EPSG:25832 or 25833) or choose queen or "
            "rook.".format(what, crs.authid()))
    points = [geometry.centroid().asPoint() for geometry in geometries]
    return np.array([p.x() for p in points]), np.array([p.y() for p in points])


def neighbours_of(geometries, weights, crs, what, distance=None, k=None, feedback=None):
    """``(Neighbours, GEOS checks)`` of the ``geometries`` for ``weights`` (see :data:`WEIGHT_KINDS`), or None when
    cancelled. knn neighbours are each quarter's own ``k`` nearest (not symmetric, as in PySAL's KNN)."""
    n = len(geometries)
    if weights in ("queen", "rook"):
        pairs = contiguity_pairs(geometries, weights == "rook", feedback)
        if pairs is None:
            return None
        return neighbours_from_pairs(n, pairs[0], pairs[1]), pairs[2]
    x, y = centroids(geometries, crs, what)
    if weights == "distance":
        a, b = distance_band(x, y, distance)
        return neighbours_from_pairs(n, a, b), 0
    if weights == "knn":
        a, b = k_nearest(x, y, k)
        return neighbours_from_pairs(n, a, b, symmetric=False), 0
    raise InputError("Unbekannte Nachbarschaft '{}'.".format(weights), "Unknown neighbourhood '{}'.".format(weights))
