"""Points from layers into numpy arrays, straight-line distances between them, points into districts.

Straight-line (Euclidean) distances in a metric CRS (see :mod:`.crs`): :func:`euclidean_pairs`, every
pair within a radius, as the sparse pair list the core's :func:`~..core.coverage.two_step_fca` takes: the
core's numpy cell grid (:mod:`..core.radius`, which says why not ``QgsSpatialIndexKDBush``, and has the
nearest-target search), with QGIS' feedback added.

Points into districts: :func:`assign_districts` (crossings counted by :mod:`..core.inpolygon`, GEOS at the
borders).
"""

import struct
from typing import NamedTuple

import numpy as np
from qgis.core import QgsFeatureRequest, QgsGeometry, QgsPoint, QgsWkbTypes

from ..core.errors import InputError
from ..core.inpolygon import INSIDE, OUTSIDE, UNDECIDED, PolygonEdges
from ..core.radius import Grid, fill_runs, radius_pairs
from . import compat
from .crs import request_in
from .geopackage import read_point_columns
from .layers import features_unchecked, span_progress


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


def read_points(source, fields, target_crs, transform_context, feedback=None, progress_span=(0.0, 10.0),
                layer=None):
    """Coordinates in ``target_crs`` and the attributes ``fields`` of every feature of ``source``.

    Points give their coordinates; other geometries (e.g. grid cells) their ``pointOnSurface``.
    Reprojection happens in the feature request, so the layer itself is never touched.
    ``layer``: the layer that ``source`` reads in full, if known; a GeoPackage point layer in
    ``target_crs`` is then read in bulk through GDAL (:func:`.geopackage.read_point_columns`), with
    the same result.
    """
    fields = [f for f in dict.fromkeys(fields) if f]
    source_fields = source.fields()
    missing = [f for f in fields if source_fields.lookupField(f) < 0]
    if missing:
        raise InputError("Feld(er) nicht in der Eingabe: {}.".format(", ".join(missing)),
                         "Field(s) not in the input: {}.".format(", ".join(missing)))
    if layer is not None and layer.crs() == target_crs:
        columns = read_point_columns(layer, fields)
        if columns is not None:
            fid, x, y, values = columns
            return PointSet(fid, x, y, values, [])
    indices = [source_fields.lookupField(f) for f in fields]
    request = request_in(source, target_crs, transform_context, QgsFeatureRequest().setSubsetOfAttributes(indices))
    total = source.featureCount()
    step = (progress_span[1] - progress_span[0]) / total if total and total > 0 else 0.0
    fids, xs, ys, no_geometry = [], [], [], []
    columns = [[] for _ in indices]
    # unchecked: Processing's invalid-geometry check throws from inside the iterator (points are never
    # invalid; an invalid polygon of a grid-cell layer gives no point on its surface and is reported)
    for n, feature in enumerate(features_unchecked(source, request)):
        if feedback is not None and n % 10000 == 0:
            if feedback.isCanceled():
                break
            feedback.setProgress(progress_span[0] + n * step)
        geometry = feature.geometry()
        point = geometry.constGet()
        if point is not None and type(point) is not QgsPoint:  # multi-points, polygons: a point on the surface
            # keep the new geometry referenced: constGet() of a temporary would point into freed memory
            geometry = None if geometry.isEmpty() else geometry.pointOnSurface()
            point = None if geometry is None else geometry.constGet()
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


def _feedback_hooks(feedback, progress_span):
    """``(progress, is_canceled)`` for the core's searches: ``progress(fraction)`` reports into
    ``progress_span=(start, end)`` of ``feedback``; both None without a feedback."""
    if feedback is None:
        return None, None
    return (None if progress_span is None else span_progress(feedback, progress_span)), feedback.isCanceled


def euclidean_pairs(ax, ay, bx, by, radius, feedback=None, progress_span=None):
    """All pairs ``(i, j)`` with ``d_ij <= radius`` (inclusive): :func:`..core.radius.radius_pairs`.

    Returns ``(pair_a, pair_b, pair_d)`` or ``None`` when the user cancelled through
    ``feedback``; ``progress_span=(start, end)`` reports progress to it.
    """
    progress, is_canceled = _feedback_hooks(feedback, progress_span)
    return radius_pairs(ax, ay, bx, by, radius, progress=progress, is_canceled=is_canceled)


def _candidates(x, y, boxes):
    """``(grid, position, box)``: every point inside every bounding box (``[xmin, ymin, xmax, ymax]`` rows,
    edges included), ordered by box, as its ``position`` in the ``grid`` (:class:`..core.radius.Grid`: the
    points sorted into cells half the median box wide; ``grid.order[position]`` is the point's index). A
    box's candidates are the runs of its cells, one run per column, so they lie close together in
    ``grid.x`` and ``grid.y``: read from there, not from ``x`` and ``y`` at random (3M points: their
    coordinates no longer fit the processor's caches)."""
    sides = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    extent = max(float(np.ptp(x)), float(np.ptp(y)), float(np.ptp(boxes[:, [0, 2]])),
                 float(np.ptp(boxes[:, [1, 3]])), 1.0)
    grid = Grid(x, y, max(0.5 * float(np.median(sides)), extent * 1e-6))
    first_column, first_row = grid.cell_of(boxes[:, 0], boxes[:, 1])
    last_column, last_row = grid.cell_of(boxes[:, 2], boxes[:, 3])
    first_column = np.maximum(first_column, 0)
    n_columns = np.maximum(np.minimum(last_column, grid.n_columns - 1) - first_column + 1, 0)
    box_of_run = np.repeat(np.arange(len(boxes)), n_columns)
    column = np.arange(box_of_run.size) - np.repeat(np.cumsum(n_columns) - n_columns, n_columns) \
        + first_column[box_of_run]
    start, count = grid.run(column, first_row[box_of_run], last_row[box_of_run])
    positions = np.empty(int(count.sum()), dtype=np.int64)
    fill_runs(positions, start, count)
    box = np.repeat(box_of_run, count)
    px, py, limits = grid.x[positions], grid.y[positions], boxes[box]
    inside = (px >= limits[:, 0]) & (px <= limits[:, 2]) & (py >= limits[:, 1]) & (py <= limits[:, 3])
    return grid, positions[inside], box[inside]


def _wkb_rings(wkb):
    """``[(offset, points, coordinates per point)]``: where the rings of a (multi-)polygon in little-endian
    well-known binary ``wkb`` (bytes) start (their first coordinate), or None for any other kind of
    geometry (curves, collections, points, lines), big endian or bytes it does not expect."""
    rings = []

    def polygon(at):
        if wkb[at] != 1:
            return None
        flat, dims = _WKB_POLYGON.get(_UINT32.unpack_from(wkb, at + 1)[0], (None, 0))
        if flat != 3:
            return None
        n_rings, at = _UINT32.unpack_from(wkb, at + 5)[0], at + 9
        for _ in range(n_rings):
            n_points, at = _UINT32.unpack_from(wkb, at)[0], at + 4
            rings.append((at, n_points, dims))
            at += 8 * n_points * dims
        return at

    try:
        if wkb[0] != 1:
            return None
        flat = _WKB_POLYGON.get(_UINT32.unpack_from(wkb, 1)[0], (None, 0))[0]
        if flat == 6:
            parts, at = _UINT32.unpack_from(wkb, 5)[0], 9
            for _ in range(parts):
                at = polygon(at)
                if at is None:
                    return None
        else:
            at = polygon(0)
    except (struct.error, IndexError):
        return None
    return rings if at == len(wkb) else None


_UINT32 = struct.Struct("<I")

#: Well-known binary (multi-)polygon types (ISO, and QGIS' 2.5-D with the flag of EWKB): type ->
#: (flat type, coordinates per vertex).
_WKB_POLYGON = dict([(base + thousands, (base, dims)) for base in (3, 6)
                     for thousands, dims in ((0, 2), (1000, 3), (2000, 3), (3000, 4))] +
                    [(base | 0x80000000, (base, 3)) for base in (3, 6)])


class Shapes(NamedTuple):
    """Districts prepared for :func:`assign_districts` (:func:`shapes_of`): ``geometries`` (QgsGeometry)
    in order, their positions ``district`` in the caller's list, bounding ``boxes``, their ``edges``
    (:class:`..core.inpolygon.PolygonEdges`) and per shape whether its edges are there (``known``; not for
    curved shapes or other kinds of geometry: GEOS decides all their points)."""

    geometries: list
    district: np.ndarray
    boxes: np.ndarray
    edges: PolygonEdges
    known: np.ndarray


def shapes_of(geometries, order=None):
    """:class:`Shapes` of ``geometries`` (QgsGeometry) in ``order`` (default 0, 1, ...), those without a
    geometry left out. Their rings are read from well-known binary all at once."""
    order = list(range(len(geometries)) if order is None else order)
    kept = [k for k in order if geometries[k] is not None and not geometries[k].isEmpty()]
    shapes = [geometries[k] for k in kept]
    boxes = np.array([[b.xMinimum(), b.yMinimum(), b.xMaximum(), b.yMaximum()]
                      for b in (geometry.boundingBox() for geometry in shapes)]).reshape(-1, 4)
    blobs = [None if QgsWkbTypes.isCurvedType(g.wkbType()) else bytes(g.asWkb()) for g in shapes]
    at, points, dims, owner, base = [], [], [], [], 0
    for b, wkb in enumerate(blobs):
        rings = None if wkb is None else _wkb_rings(wkb)
        for offset, n, d in rings or ():
            at.append(base + offset), points.append(n), dims.append(d), owner.append(b)
        base += 0 if wkb is None else len(wkb)
    raw = np.frombuffer(b"".join(w for w in blobs if w is not None), dtype=np.uint8)
    points, dims, owner = (np.asarray(a, dtype=np.int64) for a in (points, dims, owner))
    first = np.cumsum(points) - points
    ring = np.repeat(np.arange(points.size), points)
    offset = np.asarray(at, dtype=np.int64)[ring] + 8 * dims[ring] * (np.arange(ring.size) - first[ring])
    x = raw[offset[:, None] + np.arange(8)].copy().view("<f8").ravel() if ring.size else np.zeros(0)
    y = raw[offset[:, None] + 8 + np.arange(8)].copy().view("<f8").ravel() if ring.size else np.zeros(0)
    last = first + points - 1
    known = np.zeros(len(shapes), dtype=bool)
    known[owner] = True
    # not a closed ring of at least four points (GEOS would not take it): GEOS decides
    known[owner[(points < 4) | (x[np.minimum(first, x.size - 1)] != x[np.maximum(last, 0)])
                | (y[np.minimum(first, y.size - 1)] != y[np.maximum(last, 0)])]] = False
    starts = np.flatnonzero(known[owner[ring]] & (np.arange(ring.size) != last[ring]))
    edges = PolygonEdges(x[starts], y[starts], x[starts + 1], y[starts + 1], owner[ring[starts]], len(shapes))
    return Shapes(shapes, np.asarray(kept, dtype=np.int64), boxes, edges, known)


def _engine(geometry):
    """A prepared GEOS engine of ``geometry``."""
    engine = QgsGeometry.createGeometryEngine(geometry.constGet())
    engine.prepareGeometry()
    return engine


#: Slices of the candidate pairs counted at once (progress and cancel are checked between them).
ASSIGN_SLICES = 16


def assign_districts(x, y, geometries, order=None, feedback=None, progress_span=None):
    """District position ``k`` of every point (``-1`` = outside all districts).

    A point belongs to the first district in ``order`` (default 0, 1, ...) whose polygon
    ``geometries[k]`` (QgsGeometry, same CRS as the points; or :func:`shapes_of` them, prepared once
    for several calls, ``order`` then taken from them) intersects it, so a point on a
    shared border goes to the district that comes first in ``order`` (pass the districts
    sorted by ID for a result that does not depend on the feature order).

    The candidates of a district are the points in its bounding box (:func:`_candidates`). The
    core counts for every candidate the crossings with its district's edges
    (:mod:`..core.inpolygon`): inside, outside, or undecided where floating point cannot tell
    (every point on a border or vertex, and points within rounding of one). A point goes to its
    first candidate district (in order) that holds it, unless a district before that one is
    undecided: GEOS (prepared) decides those, and every candidate of curved districts or of
    geometries that are not polygons. So every point is assigned as GEOS alone would assign it
    (tests/qgis/test_coverage_adapters.py), with GEOS asked only at the borders. (For valid polygons, as
    :class:`.coverage_inputs.Districts` hands them over, repaired where needed: GEOS has no answer
    for some invalid ones, such as overlapping parts, where it stops with an exception.)
    ``progress_span=(start, end)`` reports to ``feedback`` on the way.
    """
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    codes = np.full(x.size, -1, dtype=np.int64)
    if x.size == 0:
        return codes
    shapes = geometries if isinstance(geometries, Shapes) else shapes_of(geometries, order)
    if not shapes.geometries:
        return codes
    district, edges, known = shapes.district, shapes.edges, shapes.known
    progress, _ = _feedback_hooks(feedback, progress_span)
    grid, point, box = _candidates(x, y, shapes.boxes)  # point: position in the grid's order
    state = np.full(point.size, UNDECIDED, dtype=np.int8)
    counted = np.flatnonzero(known[box])
    for k, part in enumerate(np.array_split(counted, ASSIGN_SLICES)):
        if feedback is not None and feedback.isCanceled():
            return None
        state[part] = edges.locate(grid.x[point[part]], grid.y[point[part]], box[part])
        if progress is not None:
            progress(0.8 * (k + 1) / ASSIGN_SLICES)
    # per point its candidates in order, those outside dropped; from here on points by their index
    by_point = np.argsort(point, kind="stable")
    by_point = by_point[state[by_point] != OUTSIDE]
    point, box, state = grid.order[point[by_point]].astype(np.int64), box[by_point], state[by_point]
    engines = {}
    while point.size:
        first = np.concatenate(([True], point[1:] != point[:-1]))
        inside = first & (state == INSIDE)
        codes[point[inside]] = district[box[inside]]
        ask = np.flatnonzero(first & (state == UNDECIDED))
        ask = ask[np.argsort(box[ask], kind="stable")]
        for here in np.split(ask, np.flatnonzero(np.diff(box[ask])) + 1) if ask.size else []:
            if feedback is not None and feedback.isCanceled():
                return None
            b = int(box[here[0]])  # GEOS, district by district
            if b not in engines:
                engines[b] = _engine(shapes.geometries[b])
            engine = engines[b]
            state[here] = [INSIDE if engine.intersects(QgsPoint(px, py)) else OUTSIDE
                           for px, py in zip(x[point[here]].tolist(), y[point[here]].tolist())]
        given = first & (state == INSIDE)
        codes[point[given]] = district[box[given]]
        keep = (codes[point] == -1) & ~(first & (state == OUTSIDE))
        point, box, state = point[keep], box[keep], state[keep]
    return codes
