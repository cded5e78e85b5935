"""Catchments as polygons: circles in a straight line, or the buffered part of the path network a
service reaches within each distance (``sozialraum:catchments``).

A network catchment for distance ``t`` of a service ``s`` metres from the network is the network
within ``t - s`` of its foot point (whole edges, and edges cut where the remaining distance runs
out), buffered by the given width, joined with the access line from the service to its foot point
and clipped to the circle of radius ``t`` (no place farther than ``t`` in a straight line).
"""

from typing import NamedTuple

import numpy as np
from qgis.core import (
    QgsCoordinateTransform,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsLineString,
    QgsPoint,
    QgsPointXY,
    QgsProcessingException,
)

from ..core.coverage import population_within
from ..core.errors import de_en
from ..core.network import bounded_dijkstra
from . import compat
from .coverage_inputs import network_pairs
from .distances import euclidean_pairs
from .network_graph import snap_to_edges

#: Segments per quarter circle of a circular catchment: a 128-gon, area 0.04 % below pi r^2.
CIRCLE_SEGMENTS = 32
#: Segments per quarter circle of the buffer around the reachable network.
BUFFER_SEGMENTS = 8


class EdgeLines(NamedTuple):
    """The network's lines as graph edges: end nodes, length and the line itself (working CRS).

    Edge ``e`` runs from node ``start[e]`` (the line's first point) to ``end[e]`` (its last point);
    ``lines[e]`` is the line (a QgsGeometry), ``length[e]`` its length, the same length the graph
    uses. ``first_edge``/``edge_at`` list the edges at each node:
    ``edge_at[first_edge[u]:first_edge[u + 1]]``; ``buffers`` caches the buffer of whole edges
    (see :func:`network_areas`).
    """

    start: np.ndarray
    end: np.ndarray
    length: np.ndarray
    lines: list
    first_edge: np.ndarray
    edge_at: np.ndarray
    buffers: dict


def edge_lines(network):
    """The edges of the graph adapter's ``network`` with the edges at each node (see :class:`EdgeLines`)."""
    n_lines = network.edge_start.size
    ends = np.concatenate([network.edge_start, network.edge_end])
    edges = np.concatenate([np.arange(n_lines), np.arange(n_lines)])
    order = np.argsort(ends, kind="stable")
    first_edge = np.zeros(network.graph.n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends, minlength=network.graph.n_nodes), out=first_edge[1:])
    return EdgeLines(network.edge_start, network.edge_end, network.edge_length, network.lines, first_edge,
                     edges[order], {})


def reachable_intervals(dist_start, dist_end, length, budget):
    """Which part of each edge lies within ``budget`` along the network.

    A point at distance ``s`` from the start of an edge of length ``L`` is ``min(d_start + s,
    d_end + L - s)`` away, so the reachable part is ``[0, budget - d_start]`` from the start and
    ``[L - (budget - d_end), L]`` from the end (``d = inf`` for nodes not reached). Returns
    ``(whole, head, tail)``: ``whole`` true where the two parts cover the edge; otherwise
    ``head`` and ``tail`` are the reachable lengths at each end (0 = nothing).
    """
    head = np.clip(budget - dist_start, 0.0, None)
    tail = np.clip(budget - dist_end, 0.0, None)
    whole = head + tail >= length
    return whole, np.where(whole, length, head), np.where(whole, 0.0, tail)


def network_catchment(edges, node_dist, budget):
    """The network within ``budget`` of a start node: ``(whole, pieces)``.

    ``node_dist``: distance of each node the Dijkstra reached (a dict). ``whole``: ids of the
    edges reachable end to end; ``pieces``: line geometries of the edges cut where the remaining
    distance runs out (one or two pieces per edge, see :func:`reachable_intervals`).
    """
    inside = [u for u, d in node_dist.items() if d <= budget]
    if not inside:
        return np.zeros(0, dtype=np.int64), []
    candidates = np.unique(np.concatenate([edges.edge_at[edges.first_edge[u]:edges.first_edge[u + 1]]
                                           for u in inside]))
    d_start = np.asarray([node_dist.get(u, np.inf) for u in edges.start[candidates].tolist()])
    d_end = np.asarray([node_dist.get(v, np.inf) for v in edges.end[candidates].tolist()])
    length = edges.length[candidates]
    whole, head, tail = reachable_intervals(d_start, d_end, length, budget)
    pieces = []
    for e, h, t, total in zip(candidates[~whole].tolist(), head[~whole].tolist(), tail[~whole].tolist(),
                              length[~whole].tolist()):
        if h > 0:
            pieces.append(QgsGeometry(edges.lines[e].constGet().curveSubstring(0.0, h)))
        if t > 0:
            pieces.append(QgsGeometry(edges.lines[e].constGet().curveSubstring(total - t, total)))
    return candidates[whole], pieces


def network_areas(edges, node_dist, budgets, width, access=None, foot=None):
    """Buffered reachable network for each of the ``budgets`` (None where a budget is < 0).

    The area for a budget ``b`` is the union of buffers of ``width`` around the whole edges, the
    cut pieces, the ``access`` line (service to its foot point on the network) and, for
    ``foot = (e, t)``, the part ``[t - b, t + b]`` of the service's own edge ``e`` (the nodes'
    distances ``node_dist`` already count the walk from the foot point). Buffers of whole edges
    are kept in ``edges.buffers`` for all services and budgets.
    """
    access_buffer = access.buffer(width, BUFFER_SEGMENTS) if access is not None else None
    areas = []
    for budget in budgets:
        if budget < 0:
            areas.append(None)
            continue
        whole, pieces = network_catchment(edges, node_dist, budget)
        if foot is not None:
            edge, position = foot
            low, high = max(0.0, position - budget), min(float(edges.length[edge]), position + budget)
            if high > low:
                pieces.append(QgsGeometry(edges.lines[edge].constGet().curveSubstring(low, high)))
        buffers = []
        for e in whole.tolist():
            if e not in edges.buffers:
                edges.buffers[e] = edges.lines[e].buffer(width, BUFFER_SEGMENTS)
            buffers.append(edges.buffers[e])
        buffers.extend(piece.buffer(width, BUFFER_SEGMENTS) for piece in pieces)
        if access_buffer is not None:
            buffers.append(access_buffer)
        # One cascaded union of many small buffers: ten times faster than buffering the multi-line at
        # once, and faster than growing the area of the previous budget (measured on Musterstadt).
        areas.append(QgsGeometry.unaryUnion(buffers) if buffers else QgsGeometry())
    return areas


def polygon_parts(geometry):
    """Only the polygons of ``geometry``: an intersection may add points or lines where shapes just touch."""
    if geometry.isNull() or geometry.isEmpty() or geometry.type() == compat.GEOMETRY_POLYGON:
        return geometry
    parts = [QgsGeometry(part.clone()) for part in geometry.constParts()]
    polygons = [part for part in parts if part.type() == compat.GEOMETRY_POLYGON]
    return QgsGeometry.collectGeometry(polygons) if polygons else QgsGeometry()


def circle(centre, radius):
    """The circle of ``radius`` around ``centre`` as a polygon with 4 * CIRCLE_SEGMENTS corners."""
    return QgsGeometry.fromPointXY(centre).buffer(radius, CIRCLE_SEGMENTS)


class Catchments(NamedTuple):
    """Per distance ``k`` and service ``j``: ``geometries[k][j]`` (working CRS), ``notes[k][j]`` (why it
    is empty, or ""); ``population[k, j]`` of the demand points within (None without demand);
    ``snap[j]`` the service's distance to the network (None in a straight line)."""

    geometries: list
    population: object
    notes: list
    snap: object


def circle_catchments(services, demand, thresholds, feedback):
    """Circles of each radius; population of the demand points ``(x, y, weight)`` within the radius
    (straight line). None when cancelled."""
    n = services.fid.size
    geometries = [[None] * n for _ in thresholds]
    for j, (x, y) in enumerate(zip(services.x.tolist(), services.y.tolist())):
        if feedback.isCanceled():
            return None
        for k, radius in enumerate(thresholds):
            geometries[k][j] = circle(QgsPointXY(x, y), radius)
        feedback.setProgress(15.0 + 60.0 * (j + 1) / n)
    population = None
    if demand is not None:
        pairs = euclidean_pairs(demand[0], demand[1], services.x, services.y, thresholds[-1], feedback,
                                (75.0, 90.0))
        if pairs is None:
            return None
        pair_i, pair_j, pair_d = pairs
        population = population_within(pair_j, pair_i, pair_d, demand[2], thresholds, n)
    notes = [[""] * n for _ in thresholds]
    return Catchments(geometries, population, notes, None)


def network_catchments(network, services, demand, thresholds, width, feedback):
    """Buffered reachable network per service and distance (see the module); population of the
    demand points ``(x, y, weight)`` by network distance. None when cancelled."""
    edges = edge_lines(network)
    graph = network.graph
    service_at = snap_to_edges(network, services.x, services.y)
    service_snap = service_at.snap
    d_max = thresholds[-1]
    n = services.fid.size
    population = None
    if demand is not None:
        found = network_pairs(network, demand[0], demand[1], demand[2], service_at, d_max, feedback, (20.0, 25.0),
                              (25.0, 40.0))
        if found is None:
            return None
        population = population_within(found.pair_j, found.pair_i, found.pair_d, demand[2], thresholds, n)

    geometries = [[None] * n for _ in thresholds]
    notes = [[""] * n for _ in thresholds]
    for j in range(n):
        if feedback.isCanceled():
            return None
        centre = QgsPointXY(services.x[j], services.y[j])
        snap = float(service_snap[j])
        edge, position = int(service_at.edge[j]), float(service_at.along[j])
        budget_max = d_max - snap
        node_dist = {}
        if budget_max >= 0:
            # from the foot point: t to the edge's first node, L - t to its last
            _, touched, dist = next(bounded_dijkstra(graph, service_at.node[j:j + 1], max(budget_max, 1e-9),
                                                     service_at.cost[j:j + 1] - snap))
            node_dist = dict(zip(touched.tolist(), dist.tolist()))
        access = None
        if snap > 0:
            foot = edges.lines[edge].interpolate(position).asPoint()
            access = QgsGeometry(QgsLineString([QgsPoint(centre.x(), centre.y()), QgsPoint(foot.x(), foot.y())]))
        areas = network_areas(edges, node_dist, [limit - snap for limit in thresholds], width, access,
                              (edge, position))
        for k, (limit, area) in enumerate(zip(thresholds, areas)):
            if area is None:
                geometries[k][j] = QgsGeometry()
                notes[k][j] = de_en(
                    "Die Einrichtung liegt {:.0f} m vom Wegenetz entfernt, weiter als {:g} m.",
                    "The service lies {:.0f} m from the path network, farther than {:g} m.",
                ).format(snap, limit)
            else:
                geometries[k][j] = area.intersection(circle(centre, limit))
        feedback.setProgress(40.0 + 55.0 * (j + 1) / n)
    far = int((service_snap > d_max).sum())
    if far:
        feedback.pushWarning(de_en(
            "{} Einrichtung(en) liegen weiter als {:g} m vom Wegenetz entfernt und haben keinen Einzugsbereich.",
            "{} service(s) lie farther than {:g} m from the path network and have no catchment.",
        ).format(far, d_max))
    return Catchments(geometries, population, notes, service_snap)


def catchment_fields(source_fields, id_field):
    """The output fields: the service's ID (its own field type; the feature id without ``id_field``),
    name, distance, method, population, area, snapping distance and a note."""
    fields = QgsFields()
    if id_field:
        id_def = QgsField(source_fields.field(id_field))
        id_def.setName("einrichtung_id")
        fields.append(id_def)
    else:
        fields.append(QgsField("einrichtung_id", compat.FIELD_INT))
    fields.append(QgsField("einrichtung_name", compat.FIELD_STRING))
    for name, kind in (("schwelle_m", compat.FIELD_DOUBLE), ("methode", compat.FIELD_STRING),
                       ("bevoelkerung", compat.FIELD_DOUBLE), ("flaeche_ha", compat.FIELD_DOUBLE),
                       ("fangabstand_m", compat.FIELD_DOUBLE), ("hinweis", compat.FIELD_STRING)):
        fields.append(QgsField(name, kind))
    return fields


def write_catchments(sink, fields, catchments, thresholds, ids, labels, method_name, crs, output_crs,
                     transform_context, feedback):
    """One multi-polygon per distance and service (larger distances first: in the map the smaller
    catchments lie on top), transformed from ``crs`` to ``output_crs``, with its area in hectares.
    Returns the number of empty catchments, or None when the user cancelled."""
    back = QgsCoordinateTransform(crs, output_crs, transform_context) if output_crs != crs else None
    feature = QgsFeature(fields)
    n_empty = 0
    for k in reversed(range(len(thresholds))):
        if feedback.isCanceled():
            return None
        for j in range(len(ids)):
            geometry = polygon_parts(catchments.geometries[k][j])
            empty = geometry.isNull() or geometry.isEmpty()
            n_empty += int(empty)
            area = 0.0 if empty else geometry.area() / 10000.0
            if not empty:
                geometry.convertToMultiType()
                if back is not None:
                    geometry.transform(back)
            feature.setGeometry(QgsGeometry() if empty else geometry)
            feature.setAttributes([
                ids[j], labels[j], float(thresholds[k]), method_name,
                None if catchments.population is None else float(catchments.population[k, j]), area,
                None if catchments.snap is None else float(catchments.snap[j]), catchments.notes[k][j] or None])
            if not sink.addFeature(feature, compat.SINK_FAST_INSERT):
                raise QgsProcessingException(sink.lastError() if hasattr(sink, "lastError") else "write error")
    return n_empty
