"""sozialraum:checknetwork — Wegenetz prüfen: components, dead ends, crossings without a shared vertex."""

import numpy as np
from qgis.core import (
    QgsCoordinateTransform,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
)

from ...adapters import compat
from ...adapters.crs import working_crs
from ...adapters.network_check import check_network, edge_geometry
from ...adapters.network_graph import read_network, snap_to_edges
from ...adapters.styling import apply_network_problems_style, apply_network_style, attach_layer_style, attach_style
from ...core.palettes import CROSSING_COLOR, DEAD_END_COLOR, OVERLAP_COLOR
from ..base import SozialraumAlgorithm, de_en

CROSSING = ("Kreuzung ohne gemeinsamen Stützpunkt", "crossing without a shared vertex")
OVERLAP = ("Überlagerung ohne gemeinsamen Stützpunkt", "overlap without a shared vertex")
DEAD_END = ("offenes Ende", "dead end")
PROBLEM_COLORS = ((CROSSING, CROSSING_COLOR), (OVERLAP, OVERLAP_COLOR), (DEAD_END, DEAD_END_COLOR))


class CheckNetworkAlgorithm(SozialraumAlgorithm):
    NAME = "checknetwork"
    GROUP_ID = "versorgung"
    MEASURES_DISTANCES = True

    NETWORK = "NETWORK"
    OUTPUT = "OUTPUT"
    OUTPUT_PROBLEMS = "OUTPUT_PROBLEMS"

    def displayName(self):
        return de_en("Wegenetz prüfen", "Check path network")


    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.NETWORK, de_en("Wegenetz (Linien)", "Path network (lines)"), [compat.SOURCE_VECTOR_LINE]))
        self.add_topology_tolerance()
        self.add_demand_parameters(de_en("Nachfragepunkte (optional, z. B. Adressen)",
                                         "Demand points (optional, e.g. addresses)"))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, de_en("Wegenetz, an Knoten geteilt", "Path network split at its nodes"),
            compat.SOURCE_VECTOR_LINE))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_PROBLEMS, de_en("Auffällige Stellen", "Places to check"), compat.SOURCE_VECTOR_POINT,
            optional=True))
        for name, de, en in (("N_EDGES", "Kanten", "Edges"), ("N_COMPONENTS", "Getrennte Teile", "Separate parts"),
                             ("MAIN_SHARE", "Anteil der Knoten im größten Teil", "Share of nodes in the largest part"),
                             ("N_DEAD_ENDS", "Offene Enden", "Dead ends"),
                             ("N_CROSSINGS", "Kreuzungen ohne gemeinsamen Stützpunkt",
                              "Crossings without a shared vertex"),
                             ("DEMAND_OFF_MAIN", "Anteil der Nachfrage abseits des größten Teils",
                              "Share of the demand off the largest part")):
            self.addOutput(QgsProcessingOutputNumber(name, de_en(de, en)))

    def process(self, parameters, context, feedback):
        source = self.source_or_fail(parameters, self.NETWORK, context)
        crs, message = self.core_call(working_crs, source.sourceCrs(), source.sourceExtent(),
                                      context.transformContext(), ("Wege", "paths"))
        if message:
            feedback.pushWarning(message)
        tolerance = self.parameterAsDouble(parameters, self.TOPOLOGY_TOLERANCE, context)
        network = self.core_call(read_network, source, crs, context.transformContext(), feedback, (0.0, 30.0),
                                 tolerance, layer=self.whole_layer(source))
        if network is None:
            return {}
        attachments, weight = self._demand(parameters, network, crs, context, feedback)
        feedback.setProgress(40.0)
        check = check_network(network, tolerance, attachments, weight, feedback)
        if check is None:
            return {}
        feedback.setProgress(80.0)
        back = QgsCoordinateTransform(crs, source.sourceCrs(), context.transformContext()) \
            if source.sourceCrs() != crs else None
        dest_id = self._write_edges(parameters, context, network, check, source.sourceCrs(), back)
        problems_id = self._write_problems(parameters, context, network, check, source.sourceCrs(), back)
        main = int(check.order[0])
        off_main = None if check.demand_share is None else float(check.demand_share.sum() - check.demand_share[main])
        self._log(feedback, network, check, off_main)
        results = {self.OUTPUT: dest_id, "N_EDGES": len(network.lines), "N_COMPONENTS": int(check.sizes.size),
                   "MAIN_SHARE": float(check.sizes[main] / check.labels.size), "N_DEAD_ENDS": int(check.dead_ends.size),
                   "N_CROSSINGS": len(check.crossings), "DEMAND_OFF_MAIN": off_main}
        attach_layer_style(context, dest_id, apply_network_style,
                           de_en("Wegenetz, an Knoten geteilt", "Path network split at its nodes"))
        if problems_id is not None:
            results[self.OUTPUT_PROBLEMS] = problems_id
            kinds = [(de_en(*kind), color) for kind, color in PROBLEM_COLORS]
            attach_style(context, problems_id, lambda layer: apply_network_problems_style(
                layer, kinds, de_en("Auffällige Stellen", "Places to check")))
        return results

    def _demand(self, parameters, network, crs, context, feedback):
        """Where the demand points join the network, and their weights; ``(None, None)`` without demand."""
        demand = self.demand_points(parameters, crs, context, feedback, (30.0, 35.0))
        if demand is None:
            return None, None
        x, y, weight = demand
        return snap_to_edges(network, x, y, feedback, (35.0, 40.0)), weight

    def _write_edges(self, parameters, context, network, check, crs, back):
        fields = QgsFields()
        for name, kind in (("kante", compat.FIELD_INT), ("linie_nr", compat.FIELD_INT),
                           ("komponente", compat.FIELD_INT), ("im_hauptnetz", compat.FIELD_BOOL),
                           ("laenge_m", compat.FIELD_DOUBLE)):
            fields.append(QgsField(name, kind))
        sink, dest_id = self.sink_or_fail(parameters, self.OUTPUT, context, fields, compat.WKB_LINESTRING, crs)
        rank = np.empty(check.order.size, dtype=np.int64)
        rank[check.order] = np.arange(check.order.size)  # component 0 = the largest
        feature = QgsFeature(fields)
        for e in range(len(network.lines)):
            geometry = edge_geometry(network, e)
            if back is not None:
                geometry.transform(back)
            component = int(rank[check.labels[network.edge_start[e]]])
            feature.setGeometry(geometry)
            feature.setAttributes([e, int(network.edge_line[e]), component, component == 0,
                                   float(network.edge_length[e])])
            if not sink.addFeature(feature, compat.SINK_FAST_INSERT):
                raise QgsProcessingException(sink.lastError() if hasattr(sink, "lastError") else "write error")
        return dest_id

    def _write_problems(self, parameters, context, network, check, crs, back):
        if parameters.get(self.OUTPUT_PROBLEMS) in (None, ""):
            return None
        fields = QgsFields()
        for name, kind in (("art", compat.FIELD_STRING), ("komponente", compat.FIELD_INT),
                           ("abstand_m", compat.FIELD_DOUBLE)):
            fields.append(QgsField(name, kind))
        sink, dest_id = self.sink_or_fail(parameters, self.OUTPUT_PROBLEMS, context, fields, compat.WKB_POINT, crs)
        rank = np.empty(check.order.size, dtype=np.int64)
        rank[check.order] = np.arange(check.order.size)
        rows = [(x, y, de_en(*(OVERLAP if kind == "overlap" else CROSSING)),
                 int(rank[check.labels[network.edge_start[a]]]), None) for x, y, a, _, kind in check.crossings]
        rows += [(network.node_x[n], network.node_y[n], de_en(*DEAD_END), int(rank[check.labels[n]]),
                  None if not np.isfinite(gap) else float(gap))
                 for n, gap in zip(check.dead_ends.tolist(), check.dead_end_gap.tolist())]
        feature = QgsFeature(fields)
        for x, y, kind, component, gap in rows:
            geometry = QgsGeometry.fromPointXY(QgsPointXY(x, y))
            if back is not None:
                geometry.transform(back)
            feature.setGeometry(geometry)
            feature.setAttributes([kind, component, gap])
            sink.addFeature(feature, compat.SINK_FAST_INSERT)
        return dest_id

    @staticmethod
    def _log(feedback, network, check, off_main):
        feedback.pushInfo(de_en("{} Linien, {} Kanten, {} Knoten.", "{} lines, {} edges, {} nodes.").format(
            network.n_lines, len(network.lines), check.labels.size))
        parts = ", ".join("{} ({} Knoten{})".format(k, int(check.sizes[c]), "" if check.demand_share is None else
                                                     ", {:.1f} % der Nachfrage".format(100 * check.demand_share[c]))
                          for k, c in enumerate(check.order[:10].tolist()))
        feedback.pushInfo(de_en("Getrennte Teile (größte zuerst): {}.", "Separate parts (largest first): {}.")
                          .format(parts))
        near = int(np.sum(check.dead_end_gap <= 2.0))
        feedback.pushInfo(de_en("{} offene Enden, davon {} weniger als 2 m von einem anderen Weg (meist eine "
                                "Digitalisierlücke); {} Kreuzungen ohne gemeinsamen Stützpunkt (Brücke, Tunnel – "
                                "oder ein fehlender Knoten).",
                                "{} dead ends, {} of them less than 2 m from another path (usually a digitising "
                                "gap); {} crossings without a shared vertex (bridge, tunnel – or a missing node).")
                          .format(check.dead_ends.size, near, len(check.crossings)))
        if check.sizes.size > 1 and off_main is not None:
            feedback.pushWarning(de_en("{:.1f} % der Nachfrage liegen auf kleineren Teilen des Netzes.",
                                       "{:.1f} % of the demand lie on smaller parts of the network.")
                                 .format(100 * off_main))
