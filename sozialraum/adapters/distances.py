"""Points from layers into numpy arrays, straight-line distances between them, points into districts.

Straight-line (Euclidean) distances in a metric CRS (see :mod:`.crs`):

* :func:`euclidean_pairs`: every pair within a radius, as the sparse pair list the core's
  :func:`~..core.coverage.two_step_fca` takes;
* :func:`nearest_points`: the nearest target of every query point (nearest service, or the
  nearest network node for snapping).

Both are the core's numpy cell grid (:mod:`..core.radius`, which says why not
``QgsSpatialIndexKDBush``); this module adds QGIS' feedback and the layers.
"""

from typing import NamedTuple

import numpy as np
from qgis.core import QgsFeatureRequest, QgsGeometry, QgsPoint, QgsWkbTypes

from ..core.errors import InputError
from ..core.radius import Grid, fill_runs, nearest_points, radius_pairs  # noqa: F401 (nearest_points: for the algorithms)
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


#: Districts with at least this many candidate points first take the points inside their inner disc
#: (:func:`_inner_disc`) without asking GEOS; below it the disc would cost more than it saves.
DISC_MIN_CANDIDATES = 16


def _inner_disc(geometry, engine):
    """``(cx, cy, r)``: an open disc that lies inside the polygon ``geometry``: around its centroid,
    up to the nearest point of its boundary (outer rings and holes, every part). ``r = 0`` where the
    centroid is not inside (a crescent, a hole) or the polygon has curves."""
    if QgsWkbTypes.isCurvedType(geometry.wkbType()):
        return 0.0, 0.0, 0.0
    centroid = geometry.centroid()
    if centroid.isNull() or centroid.isEmpty():
        return 0.0, 0.0, 0.0
    point = centroid.constGet()
    if not engine.intersects(point):
        return 0.0, 0.0, 0.0
    boundary = QgsGeometry(geometry.constGet().boundary())
    return point.x(), point.y(), max(boundary.distance(centroid), 0.0)


def _candidates(x, y, boxes):
    """``(point, box)``: every point inside every bounding box (``[xmin, ymin, xmax, ymax]`` rows, edges
    included), ordered by box. The points are sorted into a grid of cells half the median box wide
    (:class:`..core.radius.Grid`): a box's candidates are the runs of its cells, one run per column."""
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
    return grid.order[positions[inside]].astype(np.int64), box[inside]


def _first_box(point, box, n):
    """Per point ``0 .. n - 1`` the first box (in order) that holds it, a number past every box where
    none does. ``box`` comes ordered, so a stable sort by point keeps that order within a point."""
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    if point.size == 0:
        return first
    by_point = np.argsort(point, kind="stable")
    points, boxes = point[by_point], box[by_point]
    starts = np.flatnonzero(np.concatenate(([True], points[1:] != points[:-1])))
    first[points[starts]] = boxes[starts]
    return first


def _engine(geometry):
    """A prepared GEOS engine of ``geometry``."""
    engine = QgsGeometry.createGeometryEngine(geometry.constGet())
    engine.prepareGeometry()
    return engine


def assign_districts(x, y, geometries, order=None, feedback=None, progress_span=None):
    """District position ``k`` of every point (``-1`` = outside all districts).

    A point belongs to the first district in ``order`` (default 0, 1, ...) whose polygon
    ``geometries[k]`` (QgsGeometry, same CRS as the points) intersects it, so a point on a
    shared border goes to the district that comes first in ``order`` (pass the districts
    sorted by ID for a result that does not depend on the feature order).

    The candidates of a district are the points in its bounding box (:func:`_candidates`). A point
    whose first candidate district (in order) has it inside its inner disc (:func:`_inner_disc`,
    less a millionth of the radius and of a metre) belongs to that district for certain: no
    district before it can hold the point, and it is inside this one. GEOS (prepared) decides
    every other candidate, district by district in order, skipping points already given. So
    every point is assigned as GEOS alone would assign it (tests/qgis/test_coverage_adapters.py),
    with far fewer calls into GEOS. ``progress_span=(start, end)`` reports to ``feedback`` on the way.
    """
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    codes = np.full(x.size, -1, dtype=np.int64)
    order = list(range(len(geometries)) if order is None else order)
    shapes = [(k, geometries[k]) for k in order if geometries[k] is not None and not geometries[k].isEmpty()]
    if x.size == 0 or not shapes:
        return codes
    district = np.array([k for k, _ in shapes], dtype=np.int64)
    boxes = np.array([[b.xMinimum(), b.yMinimum(), b.xMaximum(), b.yMaximum()]
                      for b in (geometry.boundingBox() for _, geometry in shapes)])
    point, box = _candidates(x, y, boxes)
    bounds = np.searchsorted(box, np.arange(len(shapes) + 1))
    engines, disc = {}, np.zeros((len(shapes), 3))
    for b in np.flatnonzero(np.diff(bounds) >= DISC_MIN_CANDIDATES).tolist():
        if feedback is not None and feedback.isCanceled():
            return None
        engines[b] = _engine(shapes[b][1])
        cx, cy, radius = _inner_disc(shapes[b][1], engines[b])
        disc[b] = cx, cy, max(radius * (1.0 - 1e-6) - 1e-6, 0.0)
    sure = (_first_box(point, box, x.size)[point] == box) & (
        (x[point] - disc[box, 0]) ** 2 + (y[point] - disc[box, 1]) ** 2 < disc[box, 2] ** 2)
    codes[point[sure]] = district[box[sure]]
    point, box = point[~sure], box[~sure]
    bounds = np.searchsorted(box, np.arange(len(shapes) + 1))
    progress, _ = _feedback_hooks(feedback, progress_span)
    for b in np.flatnonzero(np.diff(bounds) > 0).tolist():
        if feedback is not None and feedback.isCanceled():
            return None
        if progress is not None and b % 1024 == 0:
            progress(b / len(shapes))
        candidates = point[bounds[b]:bounds[b + 1]]
        candidates = candidates[codes[candidates] == -1]
        if candidates.size == 0:
            continue
        engine = engines.pop(b, None) or _engine(shapes[b][1])
        inside = [i for i, px, py in zip(candidates.tolist(), x[candidates].tolist(), y[candidates].tolist())
                  if engine.intersects(QgsPoint(px, py))]
        codes[inside] = district[b]
    return codes
