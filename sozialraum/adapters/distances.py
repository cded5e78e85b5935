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
from qgis.core import QgsFeatureRequest, QgsGeometry, QgsPoint

from ..core.errors import InputError
from ..core.radius import nearest_points, radius_pairs  # noqa: F401 (nearest_points: for the algorithms)
from . import compat
from .crs import request_in
from .geopackage import read_point_columns
from .layers import features_unchecked


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


def euclidean_pairs(ax, ay, bx, by, radius, feedback=None, progress_span=None):
    """All pairs ``(i, j)`` with ``d_ij <= radius`` (inclusive): :func:`..core.radius.radius_pairs`.

    Returns ``(pair_a, pair_b, pair_d)`` or ``None`` when the user cancelled through
    ``feedback``; ``progress_span=(start, end)`` reports progress to it.
    """
    progress = is_canceled = None
    if feedback is not None:
        is_canceled = feedback.isCanceled
        if progress_span is not None:
            def progress(fraction):
                feedback.setProgress(progress_span[0] + (progress_span[1] - progress_span[0]) * fraction)
    return radius_pairs(ax, ay, bx, by, radius, progress=progress, is_canceled=is_canceled)


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
