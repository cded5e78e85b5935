"""``sozialraum:catchments`` — Einzugsbereiche: the area each service reaches within each distance, as polygons.

The distances and the population inside follow the same rules as ``sozialraum:servicecoverage``
(straight line, or snapping distance + network path + snapping distance, inclusive limits), using
the same adapters (metric CRS, points, network graph) and the core's Dijkstra.
"""

import json
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
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ...adapters import compat
from ...adapters.crs import reprojection_note, working_crs
from ...adapters.distances import euclidean_pairs, read_points
from ...adapters.network_graph import components_message, components_report, read_network, snap_to_edges
from ...adapters.styling import apply_catchment_style, attach_layer_style
from ...core.errors import names
from ...core.network import bounded_dijkstra, iter_network_pairs
from ...core.parse import parse_thresholds
from ..base import SozialraumAlgorithm, de_en

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


def population_within(pair_service, pair_demand, pair_d, weight, thresholds, n_services):
    """Per threshold ``t`` and service ``j``: ``sum_i P_i`` over the pairs with ``d_ij <= t`` (inclusive)."""
    result = np.zeros((len(thresholds), n_services))
    for k, limit in enumerate(thresholds):
        keep = pair_d <= limit
        result[k] = np.bincount(pair_service[keep], weights=weight[pair_demand[keep]], minlength=n_services)
    return result


class CatchmentsAlgorithm(SozialraumAlgorithm):
    NAME = "catchments"
    GROUP_ID = "versorgung"
    MEASURES_DISTANCES = True

    SERVICES = "SERVICES"
    ID_FIELD = "ID_FIELD"
    NAME_FIELD = "NAME_FIELD"
    DISTANCE = "DISTANCE"
    NETWORK = "NETWORK"
    BUFFER = "BUFFER"
    OUTPUT = "OUTPUT"

    def displayName(self):
        return de_en("Einzugsbereiche", "Catchments")


    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SERVICES, de_en("Einrichtungen (Punkte)", "Services (points)"), [compat.SOURCE_VECTOR_POINT]))
        self.addParameter(QgsProcessingParameterField(
            self.ID_FIELD, de_en("Kennung der Einrichtung (leer = Objekt-ID)", "Service ID field (empty = feature id)"),
            parentLayerParameterName=self.SERVICES, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.NAME_FIELD, de_en("Name der Einrichtung", "Service name field"),
            parentLayerParameterName=self.SERVICES, optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.DISTANCE, de_en("Entfernungen in Metern", "Distances in metres"), defaultValue="300, 500, 1000"))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.NETWORK, de_en("Wegenetz (Linien; leer = Kreise in Luftlinie)",
                                "Path network (lines; empty = straight-line circles)"),
            [compat.SOURCE_VECTOR_LINE], optional=True))
        self.add_topology_tolerance()
        self.addParameter(QgsProcessingParameterNumber(
            self.BUFFER, de_en("Pufferbreite um die erreichbaren Wege in Metern",
                               "Buffer width around the reachable paths in metres"),
            type=compat.NUMBER_DOUBLE, minValue=0.1, defaultValue=50.0))
        self.add_demand_parameters(de_en("Nachfragepunkte für die Bevölkerung im Bereich (z. B. Adressen)",
                                         "Demand points for the population inside (e.g. addresses)"))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, de_en("Einzugsbereiche", "Catchments"), compat.SOURCE_VECTOR_POLYGON))
        self.addOutput(QgsProcessingOutputString("METHOD", de_en("Verfahren (JSON)", "Method record (JSON)")))
        self.addOutput(QgsProcessingOutputNumber("N_EMPTY", de_en("Leere Einzugsbereiche", "Empty catchments")))

    # -- reading ---------------------------------------------------------------------------------
    def _working_crs(self, source, context, feedback):
        """The metric CRS to measure in (the services' own when it is metric), via the crs adapter."""
        crs, message = self.core_call(working_crs, source.sourceCrs(), source.sourceExtent(),
                                      context.transformContext(), ("Einrichtungen", "services"))
        if message:
            feedback.pushWarning(message)
        return crs

    def _services(self, source, id_field, name_field, crs, context, feedback):
        points = self.core_call(read_points, source, [id_field, name_field], crs, context.transformContext(),
                                feedback, (0.0, 5.0), layer=self.whole_layer(source))
        if points.fid.size == 0:
            raise QgsProcessingException(de_en(
                "Der Einrichtungslayer enthält keine Punkte mit Geometrie. Bitte wählen Sie einen Layer mit "
                "Einrichtungen (oder prüfen Sie den Filter).",
                "The service layer holds no points with a geometry. Please choose a layer with services (or check "
                "the filter)."))
        if points.no_geometry:
            feedback.pushWarning(de_en("{} Einrichtung(en) ohne Geometrie werden übergangen (fid {}).",
                                       "{} service(s) without a geometry are skipped (fid {}).")
                                 .format(len(points.no_geometry), names(points.no_geometry)))
        return points

    # -- the run ---------------------------------------------------------------------------------
    def process(self, parameters, context, feedback):
        source = self.source_or_fail(parameters, self.SERVICES, context)
        thresholds = self.core_call(parse_thresholds, self.parameterAsString(parameters, self.DISTANCE, context))
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context) or None
        name_field = self.parameterAsString(parameters, self.NAME_FIELD, context) or None
        width = self.parameterAsDouble(parameters, self.BUFFER, context)
        crs = self._working_crs(source, context, feedback)
        services = self._services(source, id_field, name_field, crs, context, feedback)
        demand = self.demand_points(parameters, crs, context, feedback, (5.0, 15.0))
        network_source = self.optional_source(parameters, self.NETWORK, context)
        if feedback.isCanceled():
            return {}

        if network_source is None:
            shapes = self._circles(services, demand, thresholds, feedback)
        else:
            shapes = self._network(network_source, services, demand, thresholds, width, crs, context, feedback,
                                   self.parameterAsDouble(parameters, self.TOPOLOGY_TOLERANCE, context))
        if shapes is None:
            return {}
        geometries, population, notes, snap = shapes

        fields = self._fields(source, id_field)
        sink, dest_id = self.sink_or_fail(parameters, self.OUTPUT, context, fields, compat.WKB_MULTIPOLYGON,
                                          source.sourceCrs())
        back = None
        if source.sourceCrs() != crs:
            back = QgsCoordinateTransform(crs, source.sourceCrs(), context.transformContext())
        ids = services.values[id_field] if id_field else services.fid.tolist()
        labels = services.values[name_field] if name_field else [None] * services.fid.size
        method_name = "luftlinie" if network_source is None else "netz"
        feature = QgsFeature(fields)
        n_empty = 0
        # larger distances first: in the map the smaller catchments lie on top
        for k in reversed(range(len(thresholds))):
            if feedback.isCanceled():
                return {}
            for j in range(services.fid.size):
                geometry = polygon_parts(geometries[k][j])
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
                    None if population is None else float(population[k, j]), area,
                    None if snap is None else float(snap[j]), notes[k][j] or None])
                if not sink.addFeature(feature, compat.SINK_FAST_INSERT):
                    raise QgsProcessingException(sink.lastError() if hasattr(sink, "lastError") else "write error")
        method = {"algorithm": "sozialraum:" + self.NAME, "distance": "euclidean" if network_source is None
                  else "network", "thresholds_m": thresholds, "buffer_m": width if network_source else None,
                  "cutoff_inclusive": True, "crs": crs.authid(), "n_services": int(services.fid.size),
                  "demand_field": self.parameterAsString(parameters, self.DEMAND_FIELD, context) or None,
                  "n_empty": n_empty}
        self.save_method(dest_id, method, context)
        attach_layer_style(context, dest_id, apply_catchment_style, de_en("Einzugsbereiche", "Catchments"), method)
        return {self.OUTPUT: dest_id, "METHOD": json.dumps(method, ensure_ascii=False), "N_EMPTY": n_empty}

    @staticmethod
    def _fields(source, id_field):
        fields = QgsFields()
        if id_field:
            id_def = QgsField(source.fields().field(id_field))
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

    def _circles(self, services, demand, thresholds, feedback):
        """Circles of each radius; population of the demand points within the radius (straight line)."""
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
        return geometries, population, notes, None

    def _network(self, source, services, demand, thresholds, width, crs, context, feedback, tolerance):
        """Buffered reachable network per service and threshold; population by network distance."""
        note = reprojection_note(de_en("Wegenetz", "Path network"), source.sourceCrs(), crs)
        if note:
            feedback.pushInfo(note)
        network = self.core_call(read_network, source, crs, context.transformContext(), feedback, (15.0, 20.0),
                                 tolerance, layer=self.whole_layer(source))
        if network is None:
            return None
        edges = edge_lines(network)
        graph = network.graph
        service_at = snap_to_edges(network, services.x, services.y)
        service_snap = service_at.snap
        d_max = thresholds[-1]
        n = services.fid.size
        population = None
        if demand is not None:
            demand_at = snap_to_edges(network, demand[0], demand[1], feedback, (20.0, 25.0))
            if demand_at is None:
                return None
            message = components_message(components_report(graph, demand_at.node[:, 0], demand[2],
                                                            service_at.node[:, 0]))
            if message:
                feedback.pushWarning(message)
            parts = [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))]
            for done, total, pair_i, pair_j, pair_d in iter_network_pairs(graph, demand_at, service_at, d_max):
                if feedback.isCanceled():
                    return None
                feedback.setProgress(25.0 + 15.0 * done / max(total, 1))
                parts.append((pair_i, pair_j, pair_d))
            pair_i, pair_j, pair_d = (np.concatenate([p[k] for p in parts]) for k in range(3))
            population = population_within(pair_j, pair_i, pair_d, demand[2], thresholds, n)

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
        return geometries, population, notes, service_snap
