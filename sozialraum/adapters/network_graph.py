"""A walking network from a line layer, for the core's shortest paths (:mod:`..core.network`).

* Lines are joined where city data joins them (:func:`..core.network.node_lines`): at their end
  points and at every vertex they share, also in their middle (OpenStreetMap ways and ATKIS paths
  are not split at crossings), with vertices closer than the topology tolerance (default 0.1 m)
  taken as one place. Lines that cross without a shared vertex (bridges, tunnels) stay apart. Each
  line is cut at its nodes into edges, as long as that piece of the line (in metres, in the working
  CRS; curves are segmentized first).
* Demand points and services are snapped to the nearest point of the nearest edge
  (:func:`snap_to_edges`): a point ``s`` metres from the foot point ``t`` metres along an edge of
  length ``L`` joins the graph at both of its end nodes, after ``s + t`` and ``s + (L - t)``. The
  core adds these costs to every network distance and takes the direct way along an edge both
  points lie on.
* :func:`components_report` says which parts of the network do not connect to the main part,
  and how much of the demand and how many services sit on them.

Why the nearest edge is found with numpy first: a ``QgsSpatialIndex`` that stores the lines finds
it exactly, but one query costs 50 to 150 µs in Python and loading 100,000 lines into it about
2.5 s (QGIS 3.22, this machine). Cut into pieces of at most :data:`SNAP_PIECE` metres, the lines'
segments go into the same cell grid as the straight-line radius join
(:func:`.distances.euclidean_pairs`): every piece within ``r - SNAP_PIECE / 2`` of a point has its
midpoint within ``r``, so the nearest piece among those midpoints is exact once it is that close.
Only the points farther than the largest radius from every line ask the QGIS index.
"""

import math
from typing import NamedTuple

import numpy as np
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsGeometry,
    QgsLineString,
    QgsPointXY,
    QgsRectangle,
    QgsSpatialIndex,
)

from ..core.errors import InputError, de_en
from ..core.network import Graph, connected_components, edge_attachments, node_lines
from ..core.radius import grouped_min
from . import compat
from .crs import request_in
from .distances import euclidean_pairs
from .geopackage import read_line_parts
from .layers import features_unchecked

#: Points whose coordinates round to the same multiple of this (metres) share one snapping search.
NODE_PRECISION = 0.01
#: Vertices of the path network closer than this (metres) are one place (QGIS's topology tolerance).
TOPOLOGY_TOLERANCE = 0.1
#: Longest piece of a segment (metres) in the grid search for the nearest edge.
SNAP_PIECE = 25.0
#: Search radii (metres) of the grid search, tried in turn for the points not placed yet.
SNAP_RADII = (100.0, 400.0, 1600.0)
#: Points searched at once (bounds the memory of the grid search).
SNAP_BLOCK = 50_000


class Network(NamedTuple):
    """The graph with node coordinates and its edges.

    ``n_lines`` edges read, ``no_geometry`` feature ids skipped. Edge ``e`` runs from node
    ``edge_start[e]`` (its line's first point) to ``edge_end[e]`` (its last point) and is
    ``edge_length[e]`` long (the length the graph uses); ``lines[e]`` is the line (a
    single-part QgsGeometry in the working CRS, made when first used), its vertices are
    ``vertex_x/vertex_y[first_vertex[e]:first_vertex[e + 1]]``.
    """

    graph: Graph
    node_x: np.ndarray
    node_y: np.ndarray
    n_lines: int
    no_geometry: list
    edge_start: np.ndarray
    edge_end: np.ndarray
    edge_length: np.ndarray
    lines: object
    vertex_x: np.ndarray
    vertex_y: np.ndarray
    first_vertex: np.ndarray
    edge_line: np.ndarray  # the line (part) of the layer each edge comes from, in reading order


def read_network(source, target_crs, transform_context, feedback=None, progress_span=(0.0, 10.0),
                 tolerance=TOPOLOGY_TOLERANCE, layer=None):
    """The network of the line layer ``source`` in ``target_crs`` (see the module docstring).

    Lines are joined at every vertex they share and at places closer than ``tolerance`` metres
    (:func:`..core.network.node_lines`). ``layer``: the layer that ``source`` reads in full, if known;
    a GeoPackage line layer in ``target_crs`` is then read in bulk through GDAL
    (:func:`.geopackage.read_line_parts`), with the same result.
    """
    bulk = read_line_parts(layer) if layer is not None and layer.crs() == target_crs else None
    if bulk is not None:
        _, _, counts, vertex_x, vertex_y = bulk
        no_geometry = []
    else:
        parts = _read_line_parts(source, target_crs, transform_context, feedback, progress_span)
        if parts is None:
            return None
        counts, vertex_x, vertex_y, no_geometry = parts
    if len(counts) == 0:
        raise InputError(
            "Das Wegenetz enthält keine Linien mit Geometrie. Bitte wählen Sie einen Linienlayer mit Wegen.",
            "The path network holds no lines with a geometry. Please choose a line layer with paths.",
        )
    first_vertex = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=first_vertex[1:])
    noded = node_lines(vertex_x, vertex_y, first_vertex, tolerance)
    lengths = _line_lengths(noded.vertex_x, noded.vertex_y, noded.first_vertex)
    graph = Graph.from_edges(noded.node_x.size, noded.edge_start, noded.edge_end, lengths)
    return Network(graph, noded.node_x, noded.node_y, len(counts), no_geometry, noded.edge_start, noded.edge_end,
                   lengths, _Lines(noded.vertex_x, noded.vertex_y, noded.first_vertex), noded.vertex_x,
                   noded.vertex_y, noded.first_vertex, noded.edge_line)


def _read_line_parts(source, target_crs, transform_context, feedback, progress_span):
    """``(vertex counts per part, x, y, feature ids without geometry)``, feature by feature through
    QGIS (reprojected in the request, curves segmentized, empty parts left out); ``None`` when
    cancelled."""
    request = request_in(source, target_crs, transform_context, QgsFeatureRequest().setNoAttributes())
    total = source.featureCount()
    step = (progress_span[1] - progress_span[0]) / total if total and total > 0 else 0.0
    vertex_x, vertex_y, counts, no_geometry = [], [], [], []
    # whatever Processing's invalid-geometry setting says, as the bulk reader: the graph needs only
    # the vertices, and the one invalid kind of line (all vertices in one place) is a harmless
    # edge of length 0
    for n, feature in enumerate(features_unchecked(source, request)):
        if feedback is not None and n % 10000 == 0:
            if feedback.isCanceled():
                return None
            feedback.setProgress(progress_span[0] + n * step)
        geometry = feature.geometry()
        if geometry.isNull() or geometry.isEmpty():
            no_geometry.append(feature.id())
            continue
        for part in geometry.constParts():
            if part.isEmpty():
                continue
            line = part.curveToLine()  # a segmentized copy, kept referenced while read
            count = line.numPoints()
            vertex_x.extend([line.xAt(k) for k in range(count)])
            vertex_y.extend([line.yAt(k) for k in range(count)])
            counts.append(count)
    return (np.asarray(counts, dtype=np.int64), np.asarray(vertex_x, dtype="float64"),
            np.asarray(vertex_y, dtype="float64"), no_geometry)


def _segments(first_vertex):
    """``(start, line)`` of every segment of every line: the segment runs from vertex ``start`` to
    ``start + 1`` and belongs to line ``line`` (lines in order, vertices as in ``first_vertex``)."""
    count = np.diff(first_vertex)
    is_start = np.ones(int(first_vertex[-1]), dtype=bool)
    is_start[first_vertex[1:] - 1] = False  # the last vertex of a line starts no segment
    return np.flatnonzero(is_start), np.repeat(np.arange(count.size), np.maximum(count - 1, 0))


def _line_lengths(vertex_x, vertex_y, first_vertex):
    """Length of every line: its segments' ``sqrt(dx^2 + dy^2)`` added up in order, as QGIS does."""
    start, line = _segments(first_vertex)
    dx, dy = vertex_x[start + 1] - vertex_x[start], vertex_y[start + 1] - vertex_y[start]
    return np.bincount(line, weights=np.sqrt(dx * dx + dy * dy), minlength=first_vertex.size - 1)


class _Lines:
    """``lines[e]``: edge ``e`` as a single-part QgsGeometry in the working CRS, made from its
    vertices when first asked for (most runs need none or a few of them)."""

    def __init__(self, vertex_x, vertex_y, first_vertex):
        self._x, self._y, self._first = vertex_x, vertex_y, first_vertex
        self._made = {}

    def __len__(self):
        return self._first.size - 1

    def __getitem__(self, e):
        e = int(e)
        if not 0 <= e < len(self):
            raise IndexError(e)
        line = self._made.get(e)
        if line is None:
            a, b = self._first[e], self._first[e + 1]
            line = self._made[e] = QgsGeometry(QgsLineString(self._x[a:b].tolist(), self._y[a:b].tolist()))
        return line

    def __iter__(self):
        return (self[e] for e in range(len(self)))


class _Pieces(NamedTuple):
    """The network's segments cut into pieces of at most :data:`SNAP_PIECE` metres: start ``(x0, y0)``,
    direction ``(dx, dy)`` (start to end), midpoint, edge and the distance along the edge at the start."""

    x0: np.ndarray
    y0: np.ndarray
    dx: np.ndarray
    dy: np.ndarray
    mid_x: np.ndarray
    mid_y: np.ndarray
    edge: np.ndarray
    along: np.ndarray
    half: float


def _pieces(network):
    """:class:`_Pieces` of every segment of every line (``t`` along a line = sum of its segment lengths)."""
    start, segment_edge = _segments(network.first_vertex)
    sx, sy = network.vertex_x[start], network.vertex_y[start]
    ex, ey = network.vertex_x[start + 1], network.vertex_y[start + 1]
    length = np.hypot(ex - sx, ey - sy)
    before = np.cumsum(length) - length  # length of all earlier segments (of all lines)
    first_of_edge = np.searchsorted(segment_edge, segment_edge, side="left")
    offset = before - before[first_of_edge]  # length of the earlier segments of the same line
    cuts = np.maximum(np.ceil(length / SNAP_PIECE), 1).astype(np.int64)
    segment = np.repeat(np.arange(length.size), cuts)
    fraction = (np.arange(segment.size) - np.repeat(np.cumsum(cuts) - cuts, cuts)) / cuts[segment]
    step = 1.0 / cuts[segment]
    x0 = sx[segment] + fraction * (ex - sx)[segment]
    y0 = sy[segment] + fraction * (ey - sy)[segment]
    dx, dy = step * (ex - sx)[segment], step * (ey - sy)[segment]
    half = float(np.max(np.hypot(dx, dy))) / 2.0 if segment.size else 0.0
    return _Pieces(x0, y0, dx, dy, x0 + dx / 2, y0 + dy / 2, segment_edge[segment],
                   offset[segment] + fraction * length[segment], half)


def _nearest_pieces(pieces, px, py, radius):
    """For each point the nearest piece whose midpoint lies within ``radius``, kept where it is at most
    ``radius - pieces.half`` away (then it is the nearest of all): ``(point, edge, t, foot_x, foot_y)`` for
    those points (ties: the lower edge, then the lower ``t``)."""
    point, piece, _ = euclidean_pairs(px, py, pieces.mid_x, pieces.mid_y, radius)
    point, piece = point.astype(np.int64), piece.astype(np.int64)
    x0, y0, dx, dy = pieces.x0[piece], pieces.y0[piece], pieces.dx[piece], pieces.dy[piece]
    squared_length = dx * dx + dy * dy
    safe = np.where(squared_length > 0, squared_length, 1.0)
    tau = np.clip(((px[point] - x0) * dx + (py[point] - y0) * dy) / safe, 0.0, 1.0)
    tau[squared_length == 0] = 0.0
    foot_x, foot_y = x0 + tau * dx, y0 + tau * dy
    squared = (px[point] - foot_x) ** 2 + (py[point] - foot_y) ** 2
    # per point the least distance, then the lowest piece (pieces run by edge, then along it); two
    # grouped minima instead of a lexsort, which took ten times as long on 1.6 million pairs
    least = grouped_min(point, squared, px.size, np.inf)
    tie = np.flatnonzero(squared == least[point])
    lowest = grouped_min(point[tie], piece[tie], px.size, np.iinfo(np.int64).max)
    first = tie[piece[tie] == lowest[point[tie]]]
    first = first[squared[first] <= (radius - pieces.half) ** 2]
    along = pieces.along[piece[first]] + tau[first] * np.sqrt(squared_length[first])
    return point[first], pieces.edge[piece[first]], along, foot_x[first], foot_y[first]


def _exact_index(network):
    """A QgsSpatialIndex of the lines with their geometries stored (ids = edge numbers): exact nearest lines."""
    index = QgsSpatialIndex(compat.INDEX_STORE_GEOMETRIES)
    features = []
    for e, line in enumerate(network.lines):
        feature = QgsFeature(e)
        feature.setGeometry(line)
        features.append(feature)
    index.addFeatures(features)
    return index


def _closest_on_line(network, e, point):
    """``(squared distance, foot, after)`` of the nearest point of line ``e`` to ``point``."""
    squared, foot, after, _ = network.lines[e].closestSegmentWithContext(point)
    if squared < 0:  # no segment (a line of one repeated vertex): its first vertex
        foot, after = QgsPointXY(network.lines[e].vertexAt(0)), 0
        squared = foot.sqrDist(point)
    return squared, foot, after


def _foot(network, index, point):
    """``(edge, t, foot)`` of the nearest point of the nearest line to the QgsPointXY ``point``, from the
    exact ``index``. On ties the lower edge number wins; ``t`` = length of the line up to the start of the
    nearest segment + distance from there to the foot point.

    The index's ``nearestNeighbor`` answer is only a first bound ``d``: QGIS 3.40.6 returned a line up to
    34 m farther than the nearest for some points. Every line nearer than ``d`` has its bounding box
    within ``d`` of the point, so all lines whose boxes meet the square of half-width ``d`` around the
    point are measured exactly and the nearest of them wins.
    """
    best = None
    for e in index.nearestNeighbor(point, 1):
        squared, foot, after = _closest_on_line(network, e, point)
        if best is None or (squared, e) < best[:2]:
            best = (squared, e, foot, after)
    reach = math.sqrt(best[0]) * (1.0 + 1e-9) + 1e-9
    window = QgsRectangle(point.x() - reach, point.y() - reach, point.x() + reach, point.y() + reach)
    for e in index.intersects(window):
        squared, foot, after = _closest_on_line(network, e, point)
        if (squared, e) < best[:2]:
            best = (squared, e, foot, after)
    _, e, foot, after = best
    if after < 1:
        return e, 0.0, foot
    line = network.lines[e]
    previous = line.vertexAt(after - 1)
    return e, line.distanceToVertex(after - 1) + math.hypot(foot.x() - previous.x(), foot.y() - previous.y()), foot


def snap_to_edges(network, x, y, feedback=None, progress_span=None, precision=NODE_PRECISION):
    """Every point attached to the nearest point of the nearest edge: the core's ``Attachments``.

    The grid search over pieces of the segments (module docstring) with the radii
    :data:`SNAP_RADII` in turn, then the exact QgsSpatialIndex search for the points left.
    Points whose coordinates round to the same ``precision`` share one search (addresses often
    share a building's coordinates); the snapping distance ``s`` is measured from each point
    itself. Returns None when the user cancels.
    """
    x, y = np.asarray(x, dtype="float64").reshape(-1), np.asarray(y, dtype="float64").reshape(-1)
    if x.size:
        keys = np.round(np.column_stack([x, y]) / precision).astype(np.int64)
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    else:
        first, inverse = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    px, py = x[first], y[first]
    edge = np.full(first.size, -1, dtype=np.int64)
    along, foot_x, foot_y = np.zeros(first.size), np.zeros(first.size), np.zeros(first.size)
    pieces = _pieces(network)
    left = np.arange(first.size)
    span = progress_span or (0.0, 0.0)
    for radius in SNAP_RADII:
        for a in range(0, left.size, SNAP_BLOCK):
            if feedback is not None:
                if feedback.isCanceled():
                    return None
                feedback.setProgress(span[0] + (span[1] - span[0]) * a / max(left.size, 1))
            block = left[a:a + SNAP_BLOCK]
            point, *found = _nearest_pieces(pieces, px[block], py[block], radius)
            edge[block[point]], along[block[point]], foot_x[block[point]], foot_y[block[point]] = found
        left = left[edge[left] < 0]
    if left.size:
        index = _exact_index(network)
        for k in left.tolist():
            if feedback is not None and feedback.isCanceled():
                return None
            e, t, foot = _foot(network, index, QgsPointXY(px[k], py[k]))
            edge[k], along[k], foot_x[k], foot_y[k] = e, t, foot.x(), foot.y()
    inverse = inverse.reshape(-1)
    snap = np.hypot(x - foot_x[inverse], y - foot_y[inverse])
    return edge_attachments(edge[inverse], along[inverse], snap, network.edge_start, network.edge_end,
                            network.edge_length)


class ComponentsReport(NamedTuple):
    """How the network falls apart.

    ``n_components``: connected parts (isolated nodes count); ``main_share``: share of the nodes
    in the largest part; ``demand_off_main``: share of the demand weight snapped to the other parts;
    ``services_off_main``: services snapped to the other parts; ``demand_without_service``:
    share of the demand weight whose part holds no service at all (it can reach none).
    """

    n_components: int
    main_share: float
    demand_off_main: float
    services_off_main: int
    demand_without_service: float


def components_report(graph, demand_node, demand_weight, service_node):
    """:class:`ComponentsReport` from the core's :func:`~..core.network.connected_components`."""
    labels = connected_components(graph)
    sizes = np.bincount(labels)
    main = int(np.argmax(sizes))
    weights = np.asarray(demand_weight, dtype="float64")
    total = weights.sum()
    demand_part = labels[np.asarray(demand_node, dtype=np.int64)]
    service_part = labels[np.asarray(service_node, dtype=np.int64)]
    served = np.zeros(sizes.size, dtype=bool)
    served[service_part] = True

    def share(mask):
        return float(weights[mask].sum() / total) if total > 0 else 0.0

    return ComponentsReport(int(sizes.size), float(sizes[main] / labels.size), share(demand_part != main),
                            int((service_part != main).sum()), share(~served[demand_part]))


def components_message(report):
    """A warning about a network that does not connect, or None when it is one piece."""
    if report.n_components <= 1:
        return None
    return de_en(
        "Das Wegenetz zerfällt in {} getrennte Teile (das größte hat {:.1f} % der Knoten). Auf kleineren Teilen "
        "liegen {:.1f} % der Zielbevölkerung und {} Einrichtung(en); {:.1f} % der Zielbevölkerung erreichen über "
        "das Netz gar keine Einrichtung. Bitte prüfen Sie, ob die Wege verbunden sind (gemeinsamer Stützpunkt "
        "oder näher als die Knoten-Toleranz) – das Werkzeug „Wegenetz prüfen“ zeigt die Stellen.",
        "The path network falls into {} separate parts (the largest holds {:.1f} % of the nodes). {:.1f} % of "
        "the target population and {} service(s) lie on smaller parts; {:.1f} % of the target population reach "
        "no service along the network at all. Please check that the paths are joined (a shared vertex, or closer "
        "than the topology tolerance): the tool 'Check path network' shows where.",
    ).format(report.n_components, 100.0 * report.main_share, 100.0 * report.demand_off_main,
             report.services_off_main, 100.0 * report.demand_without_service)
