"""What is wrong with a path network, for ``sozialraum:checknetwork`` ("Wegenetz prüfen").

On the network as the coverage tools build it (:func:`.network_graph.read_network`: lines joined at shared
vertices and within the topology tolerance):

* **components**: the parts that do not connect to each other (core ``connected_components``), with the share of
  the demand points that snap to each: people on a small part reach only what lies on that part;
* **dead ends** (nodes where one edge ends) with the distance to the nearest edge they do not touch: a dead end
  a few centimetres or metres short of another path is usually a digitising gap, not a cul-de-sac;
* **crossings without a shared vertex**: two edges that cross or touch where neither has a vertex. Bridges and
  tunnels look like this and are right; at ground level the paths should share a vertex there.

Crossings are found with QGIS's own spatial index and GEOS intersections.
"""

import math
from typing import NamedTuple

import numpy as np
from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsRectangle, QgsSpatialIndex

from ..core.network import component_shares, connected_components, node_degrees
from . import compat


class NetworkCheck(NamedTuple):
    """``labels[node]`` component; ``sizes[c]`` nodes per component (largest first in ``order``); ``dead_ends``
    node ids with ``dead_end_gap`` (metres to the nearest other edge, inf if none); ``crossings`` as
    ``[(x, y, edge_a, edge_b, kind)]``, kind "crossing" or "overlap"; ``demand_share[c]`` (None without demand)."""

    labels: np.ndarray
    sizes: np.ndarray
    order: np.ndarray
    dead_ends: np.ndarray
    dead_end_gap: np.ndarray
    crossings: list
    demand_share: object


def _index(network):
    index = QgsSpatialIndex(compat.INDEX_STORE_GEOMETRIES)
    features = []
    for e in range(len(network.lines)):
        feature = QgsFeature(e)
        feature.setGeometry(network.lines[e])
        features.append(feature)
    index.addFeatures(features)
    return index


def _gap(network, index, node, point):
    """Metres from ``point`` (node ``node``) to the nearest edge that does not end there."""
    own = (network.edge_start == node) | (network.edge_end == node)
    best, reach = math.inf, 1.0
    while True:  # widen the window until an edge that is not the node's own lies inside it, then take the nearest
        window = QgsRectangle(point.x() - reach, point.y() - reach, point.x() + reach, point.y() + reach)
        others = [e for e in index.intersects(window) if not own[e]]
        for e in others:
            best = min(best, math.sqrt(max(network.lines[e].closestSegmentWithContext(point)[0], 0.0)))
        if best <= reach or reach > 1e7:
            return best
        reach *= 4.0


def _crossings(network, index, tolerance, feedback):
    """Points where two edges meet away from a node they share."""
    found = []
    node_xy = np.column_stack([network.node_x, network.node_y])
    for a in range(len(network.lines)):
        if feedback is not None and a % 2000 == 0 and feedback.isCanceled():
            return None
        line = network.lines[a]
        for b in index.intersects(line.boundingBox()):
            if b <= a or not line.intersects(network.lines[b]):
                continue
            shared = {int(network.edge_start[a]), int(network.edge_end[a])} & {int(network.edge_start[b]),
                                                                             int(network.edge_end[b])}
            meeting = line.intersection(network.lines[b])
            kind = "overlap" if meeting.type() == compat.GEOMETRY_LINE else "crossing"
            for vertex in meeting.vertices():
                x, y = vertex.x(), vertex.y()
                near_shared = any(math.hypot(x - node_xy[n, 0], y - node_xy[n, 1]) <= max(tolerance, 1e-9)
                                  for n in shared)
                if not near_shared:
                    found.append((x, y, a, b, kind))
                    break
    return found


def check_network(network, tolerance, demand_attachments=None, demand_weight=None, feedback=None):
    """:class:`NetworkCheck` of ``network``; None when the user cancels."""
    labels = connected_components(network.graph)
    sizes = np.bincount(labels)
    order = np.argsort(-sizes, kind="stable")
    dead_ends = np.flatnonzero(node_degrees(network.graph) == 1)
    index = _index(network)
    gaps = np.array([_gap(network, index, int(n), QgsPointXY(network.node_x[n], network.node_y[n]))
                     for n in dead_ends.tolist()])
    crossings = _crossings(network, index, tolerance, feedback)
    if crossings is None:
        return None
    share = None
    if demand_attachments is not None:
        node = np.where(demand_attachments.edge >= 0,
                        network.edge_start[np.maximum(demand_attachments.edge, 0)], -1)
        share = component_shares(labels, node, demand_weight)
    return NetworkCheck(labels, sizes, order, dead_ends, gaps, crossings, share)


def edge_geometry(network, e):
    """Edge ``e`` as a new QgsGeometry (to transform or write)."""
    return QgsGeometry(network.lines[e])
