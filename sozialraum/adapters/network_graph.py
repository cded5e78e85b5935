"""A walking network from a line layer, for the core's shortest paths (:mod:`..core.network`).

* Nodes are the end points of the lines, merged when their coordinates round to the same
  centimetre (``precision``); every line (every part of a multi-line) is one edge between its
  first and last point, as long as the line itself (in metres, in the working CRS; curves are
  segmentized first). The network must therefore be *noded*: paths meet only at line end points
  (QGIS: "Split with lines" or GRASS ``v.clean``), as in the demo's ``wege``.
* Demand points and services are snapped to the nearest point of the nearest edge
  (:func:`snap_to_edges`): a point ``s`` metres from the foot point ``t`` metres along an edge of
  length ``L`` joins the graph at both of its end nodes, after ``s + t`` and ``s + (L - t)``. The
  core adds these costs to every network distance and takes the direct way along an edge both
  points lie on.
* :func:`components_report` says which parts of the network do not connect to the main part,
  and how much of the demand and how many services sit on them.
"""

import math
from typing import NamedTuple

import numpy as np
from qgis.core import QgsFeature, QgsFeatureRequest, QgsGeometry, QgsPointXY, QgsSpatialIndex

from ..core.errors import InputError, de_en
from ..core.network import Graph, connected_components, edge_attachments
from . import compat
from .crs import request_in

#: Line end points closer than this (rounded to the same multiple, in metres) become one node.
NODE_PRECISION = 0.01


class Network(NamedTuple):
    """The graph with node coordinates and its edges.

    ``n_lines`` edges read, ``no_geometry`` feature ids skipped. Edge ``e`` runs from node
    ``edge_start[e]`` (its line's first point) to ``edge_end[e]`` (its last point) and is
    ``edge_length[e]`` long (the length the graph uses); ``lines[e]`` is the line (a
    single-part QgsGeometry in the working CRS) and ``index`` a QgsSpatialIndex of the lines
    with their geometries stored (ids = edge numbers), so its nearest neighbour is exact.
    """

    graph: Graph
    node_x: np.ndarray
    node_y: np.ndarray
    n_lines: int
    no_geometry: list
    edge_start: np.ndarray
    edge_end: np.ndarray
    edge_length: np.ndarray
    lines: list
    index: QgsSpatialIndex


def read_network(source, target_crs, transform_context, feedback=None, progress_span=(0.0, 10.0),
                 precision=NODE_PRECISION):
    """The network of the line layer ``source`` in ``target_crs`` (see the module docstring)."""
    request = request_in(source, target_crs, transform_context, QgsFeatureRequest().setNoAttributes())
    total = source.featureCount()
    step = (progress_span[1] - progress_span[0]) / total if total and total > 0 else 0.0
    start_x, start_y, end_x, end_y, lengths, lines, no_geometry = [], [], [], [], [], [], []
    index = QgsSpatialIndex(compat.INDEX_STORE_GEOMETRIES)
    edge = QgsFeature()
    for n, feature in enumerate(source.getFeatures(request)):
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
            line = QgsGeometry(part.segmentize() if part.hasCurvedSegments() else part.clone())
            first, last = part.startPoint(), part.endPoint()
            start_x.append(first.x())
            start_y.append(first.y())
            end_x.append(last.x())
            end_y.append(last.y())
            lengths.append(line.length())
            edge.setId(len(lines))
            edge.setGeometry(line)
            index.addFeature(edge)
            lines.append(line)
    if not lengths:
        raise InputError(
            "Das Wegenetz enthält keine Linien mit Geometrie. Bitte wählen Sie einen Linienlayer mit Wegen.",
            "The path network holds no lines with a geometry. Please choose a line layer with paths.",
        )
    keys = np.round(np.column_stack([
        np.concatenate([start_x, end_x]), np.concatenate([start_y, end_y])]) / precision).astype(np.int64)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    n_lines = len(lengths)
    lengths = np.asarray(lengths)
    graph = Graph.from_edges(unique.shape[0], inverse[:n_lines], inverse[n_lines:], lengths)
    return Network(graph, unique[:, 0] * precision, unique[:, 1] * precision, n_lines, no_geometry,
                   inverse[:n_lines], inverse[n_lines:], lengths, lines, index)


def _foot(network, point):
    """``(edge, t, foot)`` of the nearest point of the nearest line to the QgsPointXY ``point``.

    On ties (a point nearest to a node shared by several lines) the smallest edge number wins;
    ``t`` = length of the line up to the start of the nearest segment + distance from there to
    the foot point.
    """
    best = None
    for e in sorted(network.index.nearestNeighbor(point, 1)):
        squared, foot, after, _ = network.lines[e].closestSegmentWithContext(point)
        if squared < 0:  # no segment (a line of one repeated vertex): its first vertex
            foot, after = QgsPointXY(network.lines[e].vertexAt(0)), 0
            squared = foot.sqrDist(point)
        if best is None or squared < best[0]:
            best = (squared, e, foot, after)
    _, e, foot, after = best
    if after < 1:
        return e, 0.0, foot
    line = network.lines[e]
    previous = line.vertexAt(after - 1)
    return e, line.distanceToVertex(after - 1) + math.hypot(foot.x() - previous.x(), foot.y() - previous.y()), foot


def snap_to_edges(network, x, y, feedback=None, progress_span=None, precision=NODE_PRECISION):
    """Every point attached to the nearest point of the nearest edge: the core's ``Attachments``.

    The nearest edge comes from the exact nearest-neighbour search of ``network.index``, the
    foot point from ``closestSegmentWithContext`` (see :func:`_foot`). Points whose coordinates
    round to the same ``precision`` share one search (addresses often share a building's
    coordinates); the snapping distance ``s`` is measured from each point itself. Returns None
    when the user cancels.
    """
    x, y = np.asarray(x, dtype="float64").reshape(-1), np.asarray(y, dtype="float64").reshape(-1)
    keys = np.round(np.column_stack([x, y]) / precision).astype(np.int64)
    if x.size:
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    else:
        first, inverse = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    edge = np.empty(first.size, dtype=np.int64)
    along, foot_x, foot_y = np.empty(first.size), np.empty(first.size), np.empty(first.size)
    for k, (px, py) in enumerate(zip(x[first].tolist(), y[first].tolist())):
        if feedback is not None and k % 2000 == 0:
            if feedback.isCanceled():
                return None
            if progress_span is not None:
                feedback.setProgress(progress_span[0] + (progress_span[1] - progress_span[0]) * k / first.size)
        e, t, foot = _foot(network, QgsPointXY(px, py))
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
        "das Netz gar keine Einrichtung. Bitte prüfen Sie, ob Wege an ihren Enden verbunden sind (Knoten auf "
        "1 cm genau).",
        "The path network falls into {} separate parts (the largest holds {:.1f} % of the nodes). {:.1f} % of "
        "the target population and {} service(s) lie on smaller parts; {:.1f} % of the target population reach "
        "no service along the network at all. Please check that paths are joined at their ends (nodes to 1 cm).",
    ).format(report.n_components, 100.0 * report.main_share, 100.0 * report.demand_off_main,
             report.services_off_main, 100.0 * report.demand_without_service)
