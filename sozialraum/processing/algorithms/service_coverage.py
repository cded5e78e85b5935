"""``sozialraum:servicecoverage`` — Versorgungsanalyse: how well do services cover the districts' demand?

The algorithm only moves data: layers -> numpy arrays (adapters), distances (adapters for
straight lines and the network graph, the core's Dijkstra for network paths), the methods and the
district table (core), the table -> output layers (adapters).
"""

import json
from typing import NamedTuple

import numpy as np
import pandas as pd
from qgis.core import (
    QgsFeature,
    QgsFields,
    QgsGeometry,
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
from ...adapters.crs import reprojection_note, request_in, working_crs
from ...adapters.distances import assign_districts, euclidean_pairs, nearest_points, read_points
from ...adapters.layers import column_values, features_unchecked, frame_kinds, result_fields
from ...adapters.network_graph import components_message, components_report, read_network, snap_to_edges
from ...adapters.styling import apply_demand_style, attach_class_style, attach_layer_style
from ...core.coverage import (
    count_within,
    coverage_class,
    coverage_labels,
    district_summary,
    service_capacities,
    threshold_column,
    two_step_fca,
)
from ...core.errors import InputError, names
from ...core.frames import check_unique_ids, quantities
from ...core.network import iter_network_pairs, nearest_service
from ...core.parse import parse_number_list, parse_thresholds
from ..base import SozialraumAlgorithm, de_en

#: METHOD key -> catchment weight of the core's two_step_fca (None: no floating catchment).
FCA_WEIGHT = {"ratio": None, "nearest": None, "2sfca": "uniform", "e2sfca": "step", "gaussian": "gaussian"}


class Demand(NamedTuple):
    """Demand points in the working CRS: weight ``P_i``, district code (-1 = outside), feature ids
    (None when the points are the districts' points on surface) and ``kind`` for the method record."""

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    district: np.ndarray
    fids: object
    kind: str
    source: object  # the demand layer's feature source (None for the districts' points)


class Distances(NamedTuple):
    """Pairs within d0, nearest service per demand point, snapping distances and network facts (network only)."""

    pair_i: np.ndarray
    pair_j: np.ndarray
    pair_d: np.ndarray
    nearest_d: np.ndarray
    nearest_j: np.ndarray
    snap: object
    network: object


class Coverage(NamedTuple):
    """Per demand point: services within each distance, ``A_i`` (None without FCA), reached within d0."""

    counts: np.ndarray
    accessibility: object
    reached: np.ndarray
    unused: list
    unreached_share: float


def _id_sort_key(value):
    """Districts sorted by ID (numbers by value, then text), so border points do not depend on feature order."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return 0, float(value), ""
    return 1, 0.0, str(value)


def _finite_or_nan(values):
    array = np.asarray(values, dtype="float64").copy()
    array[~np.isfinite(array)] = np.nan
    return array


class Districts:
    """The districts in the working CRS: IDs, feature ids, target population, repaired geometries."""

    def __init__(self, source, id_field, target_field, crs, transform_context, feedback, stop_on_invalid=False):
        fields = source.fields()
        for field in [id_field] + ([target_field] if target_field else []):
            if fields.lookupField(field) < 0:
                raise InputError("Feld nicht im Quartierslayer: {}.".format(field),
                                 "Field not in the district layer: {}.".format(field))
        request = request_in(source, crs, transform_context)
        self.ids, self.fids, targets, self.geometries = [], [], [], []
        empty, repaired = [], []
        # read unchecked (Processing's own check throws from inside the iterator, which can take the
        # interpreter down); the user's setting is applied below: stop, or repair for the assignment
        for feature in features_unchecked(source, request):
            if feedback.isCanceled():
                break
            value = feature[id_field]
            self.ids.append(None if compat.is_null(value) else value)
            self.fids.append(feature.id())
            if target_field:
                target = feature[target_field]
                targets.append(None if compat.is_null(target) else target)
            geometry = QgsGeometry(feature.geometry())
            if geometry.isNull() or geometry.isEmpty():
                empty.append(self.ids[-1])
            elif not geometry.isGeosValid():
                geometry = geometry.makeValid()
                repaired.append(self.ids[-1])
            self.geometries.append(geometry)
        if not self.ids:
            raise InputError("Der Quartierslayer enthält keine Objekte.", "The district layer has no features.")
        if repaired and stop_on_invalid:
            raise InputError(
                "Ungültige Geometrien (z. B. sich selbst schneidende Flächen) in den Quartieren {}. Bitte reparieren "
                "Sie sie (Werkzeug „Geometrien reparieren“) oder stellen Sie unter Einstellungen › Optionen › "
                "Verarbeitung › Allgemein „Ungültige Geometrien filtern“ auf „Nicht filtern“ (dann werden sie für "
                "die Zuordnung repariert).".format(names(repaired)),
                "Invalid geometries (e.g. self-intersecting areas) in districts {}. Please repair them (tool "
                "'Fix geometries') or set Settings › Options › Processing › General 'Invalid features filtering' "
                "to 'Do not filter' (they are then repaired for the assignment).".format(names(repaired)))
        check_unique_ids(pd.DataFrame({id_field: self.ids}, index=pd.Index(self.fids, name="fid")), id_field)
        if empty:
            raise InputError(
                "Quartiere ohne Geometrie: {}. Bitte ergänzen Sie die Flächen oder filtern Sie diese Quartiere heraus."
                .format(names(empty)),
                "Districts without a geometry: {}. Please add the areas or filter these districts out."
                .format(names(empty)))
        self.repaired = repaired
        self.labels = [str(i) for i in self.ids]
        self.target = quantities(targets, self.labels, target_field) if target_field else None
        self.order = sorted(range(len(self.ids)), key=lambda k: _id_sort_key(self.ids[k]))

    def __len__(self):
        return len(self.ids)


class ServiceCoverageAlgorithm(SozialraumAlgorithm):
    NAME = "servicecoverage"
    GROUP_ID = "versorgung"
    MEASURES_DISTANCES = True

    DISTRICTS = "DISTRICTS"
    ID_FIELD = "ID_FIELD"
    TARGET_POPULATION_FIELD = "TARGET_POPULATION_FIELD"
    SERVICES = "SERVICES"
    CAPACITY_FIELD = "CAPACITY_FIELD"
    SERVICE_NAME_FIELD = "SERVICE_NAME_FIELD"
    DEMAND = "DEMAND"
    DEMAND_FIELD = "DEMAND_FIELD"
    DISTANCE = "DISTANCE"
    NETWORK = "NETWORK"
    METHOD = "METHOD"
    NORM = "NORM"
    SPEED_KMH = "SPEED_KMH"
    STEP_WEIGHTS = "STEP_WEIGHTS"
    CLASS_BREAKS = "CLASS_BREAKS"
    OUTPUT = "OUTPUT"
    OUTPUT_DEMAND = "OUTPUT_DEMAND"

    CHOICES = {METHOD: ("ratio", "nearest", "2sfca", "e2sfca", "gaussian")}

    def displayName(self):
        return de_en("Versorgungsanalyse", "Service coverage")


    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.DISTRICTS, de_en("Quartiere (Polygone)", "Districts (polygons)"), [compat.SOURCE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterField(
            self.ID_FIELD, de_en("Kennung (ID-Feld)", "District ID field"), parentLayerParameterName=self.DISTRICTS))
        self.addParameter(QgsProcessingParameterField(
            self.TARGET_POPULATION_FIELD,
            de_en("Zielbevölkerung je Quartier (z. B. Kinder unter 6; nötig ohne Nachfragepunkte)",
                  "Target population per district (e.g. children under 6; needed without demand points)"),
            parentLayerParameterName=self.DISTRICTS, type=compat.FIELD_ANY, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SERVICES, de_en("Einrichtungen (Punkte)", "Services (points)"), [compat.SOURCE_VECTOR_POINT]))
        self.addParameter(QgsProcessingParameterField(
            self.CAPACITY_FIELD, de_en("Kapazität (z. B. Plätze; leer = jede Einrichtung zählt 1)",
                                       "Capacity (e.g. places; empty = each service counts 1)"),
            parentLayerParameterName=self.SERVICES, type=compat.FIELD_ANY, optional=True))
        self.addParameter(self._advanced(QgsProcessingParameterField(
            self.SERVICE_NAME_FIELD, de_en("Name der Einrichtung (für Meldungen und Ausgabe)",
                                           "Service name (for messages and output)"),
            parentLayerParameterName=self.SERVICES, optional=True)))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.DEMAND, de_en("Nachfragepunkte (z. B. Adressen; leer = ein Punkt je Quartier)",
                               "Demand points (e.g. addresses; empty = one point per district)"),
            [compat.SOURCE_VECTOR_POINT, compat.SOURCE_VECTOR_POLYGON], optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.DEMAND_FIELD, de_en("Zielbevölkerung je Nachfragepunkt", "Target population per demand point"),
            parentLayerParameterName=self.DEMAND, type=compat.FIELD_ANY, optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.DISTANCE, de_en("Entfernungen in Metern (die größte = Einzugsradius d0)",
                                 "Distances in metres (the largest = catchment radius d0)"),
            defaultValue="300, 500, 1000"))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.NETWORK, de_en("Wegenetz (Linien; leer = Luftlinie)", "Path network (lines; empty = straight line)"),
            [compat.SOURCE_VECTOR_LINE], optional=True))
        self.add_topology_tolerance()
        self.add_choice(self.METHOD, de_en("Verfahren", "Method"), [
            ("ratio", de_en("Versorgungsquote im Quartier", "supply ratio inside the district")),
            ("nearest", de_en("Entfernung zur nächsten Einrichtung", "distance to the nearest service")),
            ("2sfca", de_en("2SFCA (Luo & Wang 2003)", "2SFCA (Luo & Wang 2003)")),
            ("e2sfca", de_en("E2SFCA mit Entfernungsstufen (Luo & Qi 2009)",
                             "E2SFCA with distance steps (Luo & Qi 2009)")),
            ("gaussian", de_en("2SFCA mit Gauß-Gewichtung", "2SFCA with Gaussian weights")),
        ], "2sfca")
        self.addParameter(QgsProcessingParameterNumber(
            self.NORM, de_en("Richtwert: Plätze je Person der Zielgruppe (z. B. 0,35; leer = Stadtmittel)",
                             "Norm: places per person of the target group (e.g. 0.35; empty = city mean)"),
            type=compat.NUMBER_DOUBLE, minValue=0, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.SPEED_KMH, de_en("Gehgeschwindigkeit in km/h (für Minuten)", "Walking speed in km/h (for minutes)"),
            type=compat.NUMBER_DOUBLE, minValue=0.1, defaultValue=4.5))
        self.addParameter(self._advanced(QgsProcessingParameterString(
            self.STEP_WEIGHTS, de_en("E2SFCA: Gewicht je Entfernung (leer = Drittel von d0 mit 1 / 0,68 / 0,22)",
                                     "E2SFCA: weight per distance (empty = thirds of d0 with 1 / 0.68 / 0.22)"),
            optional=True)))
        self.addParameter(self._advanced(QgsProcessingParameterString(
            self.CLASS_BREAKS, de_en("Klassengrenzen des Versorgungsgrads (gut, mittel)",
                                     "Class breaks of the coverage level (good, medium)"), defaultValue="0.9, 0.6")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, de_en("Versorgung je Quartier", "Coverage per district")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_DEMAND, de_en("Versorgung je Nachfragepunkt", "Coverage per demand point"),
            optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputString("METHOD", de_en("Verfahren (JSON)", "Method record (JSON)")))
        self.addOutput(QgsProcessingOutputNumber("N_DEMAND_POINTS", de_en("Nachfragepunkte", "Demand points")))
        self.addOutput(QgsProcessingOutputNumber("N_UNUSED_SERVICES", de_en(
            "Einrichtungen ohne Nachfrage in Reichweite", "Services with no demand in reach")))
        self.addOutput(QgsProcessingOutputNumber("UNREACHED_SHARE", de_en(
            "Anteil der Zielbevölkerung ohne Einrichtung in Reichweite", "Share of the target population with no "
            "service in reach")))

    @staticmethod
    def _advanced(parameter):
        parameter.setFlags(parameter.flags() | compat.FLAG_ADVANCED)
        return parameter

    # -- parameters ------------------------------------------------------------------------------
    def _settings(self, parameters, context):
        """The parsed parameters (plain values, for the run and for the method record)."""
        thresholds = self.core_call(parse_thresholds, self.parameterAsString(parameters, self.DISTANCE, context))
        method = self.choice(parameters, self.METHOD, context)
        raw_norm = parameters.get(self.NORM)
        norm = self.parameterAsDouble(parameters, self.NORM, context) if raw_norm not in (None, "") else None
        if norm is not None and norm <= 0:
            norm = None
        steps = None
        step_text = self.parameterAsString(parameters, self.STEP_WEIGHTS, context)
        if method == "e2sfca" and step_text.strip():
            weights = self.core_call(parse_number_list, step_text, self.STEP_WEIGHTS)
            if len(weights) != len(thresholds):
                raise QgsProcessingException(de_en(
                    "E2SFCA: {} Gewichte für {} Entfernungen ({}). Geben Sie je Entfernung ein Gewicht an.",
                    "E2SFCA: {} weights for {} distances ({}). Give one weight per distance.",
                ).format(len(weights), len(thresholds), names(thresholds)))
            steps = list(zip(thresholds, weights))
        breaks = tuple(self.core_call(parse_number_list,
                                      self.parameterAsString(parameters, self.CLASS_BREAKS, context) or "0.9, 0.6",
                                      self.CLASS_BREAKS))
        speed = self.parameterAsDouble(parameters, self.SPEED_KMH, context)
        fields = {key: self.parameterAsString(parameters, name, context) or None for key, name in (
            ("id_field", self.ID_FIELD), ("target_field", self.TARGET_POPULATION_FIELD),
            ("capacity_field", self.CAPACITY_FIELD), ("name_field", self.SERVICE_NAME_FIELD),
            ("demand_field", self.DEMAND_FIELD))}
        if norm is not None:
            level = "erreichbarkeit / norm" if FCA_WEIGHT[method] else "versorgungsquote / norm"
        else:
            level = "erreichbarkeit_index" if FCA_WEIGHT[method] else "versorgungsquote / city quota"
        if method == "nearest":
            level = threshold_column(thresholds[-1])
        record = {
            "algorithm": "sozialraum:" + self.NAME, "method": method, "fca_weight": FCA_WEIGHT[method],
            "thresholds_m": thresholds, "catchment_d0_m": thresholds[-1], "cutoff_inclusive": True, "norm": norm,
            "steps": (steps or "thirds of d0, weights 1 / 0.68 / 0.22") if method == "e2sfca" else None,
            "gaussian_sigma_m": thresholds[-1] if method == "gaussian" else None,
            "class_breaks": list(breaks), "class_field": "versorgung_klasse", "level": level, "speed_kmh": speed,
            "id_field": fields["id_field"], "target_population_field": fields["target_field"],
            "capacity_field": fields["capacity_field"], "demand_field": fields["demand_field"],
        }
        return dict(fields, method=method, thresholds=thresholds, d0=thresholds[-1], norm=norm, steps=steps,
                    class_breaks=breaks, minutes_per_metre=60.0 / (speed * 1000.0), record=record)

    # -- reading -------------------------------------------------------------------------------
    def _read_services(self, source, settings, crs, context, feedback):
        fields = [settings["capacity_field"], settings["name_field"]]
        points = self.core_call(read_points, source, fields, crs, context.transformContext(), feedback, (5.0, 10.0),
                                layer=self.whole_layer(source))
        if points.no_geometry:
            feedback.pushWarning(de_en("{} Einrichtung(en) ohne Geometrie werden nicht berücksichtigt (fid {}).",
                                       "{} service(s) without a geometry are left out (fid {}).")
                                 .format(len(points.no_geometry), names(points.no_geometry)))
        if settings["name_field"]:
            labels = ["{} (fid {})".format(name, fid) if name is not None else "fid {}".format(fid)
                      for name, fid in zip(points.values[settings["name_field"]], points.fid.tolist())]
        else:
            labels = ["fid {}".format(fid) for fid in points.fid.tolist()]
        capacity = None
        if settings["capacity_field"]:
            capacity = self.core_call(quantities, points.values[settings["capacity_field"]], labels,
                                      settings["capacity_field"], allow_missing=True)
        capacity = self.core_call(service_capacities, capacity, points.fid.size, labels)
        return points, capacity, labels

    def _read_demand(self, parameters, settings, districts, crs, context, feedback):
        """The :class:`Demand`: points of the DEMAND layer, else each district's point on surface."""
        source = self.optional_source(parameters, self.DEMAND, context)
        if source is None:
            if districts.target is None:
                raise QgsProcessingException(de_en(
                    "Ohne Nachfragepunkte braucht es das Feld der Zielbevölkerung je Quartier.",
                    "Without demand points the target population field of the districts is needed."))
            points = [g.pointOnSurface().asPoint() for g in districts.geometries]
            x = np.asarray([p.x() for p in points])
            y = np.asarray([p.y() for p in points])
            return Demand(x, y, districts.target, np.arange(len(districts), dtype=np.int64), None, "point_on_surface",
                          None)
        if not settings["demand_field"]:
            raise QgsProcessingException(de_en(
                "Bitte wählen Sie das Feld der Zielbevölkerung der Nachfragepunkte (DEMAND_FIELD).",
                "Please choose the target population field of the demand points (DEMAND_FIELD)."))
        note = reprojection_note(de_en("Nachfragepunkte", "Demand points"), source.sourceCrs(), crs)
        if note:
            feedback.pushInfo(note)
        points = self.core_call(read_points, source, [settings["demand_field"]], crs, context.transformContext(),
                                feedback, (10.0, 20.0), layer=self.whole_layer(source))
        if points.no_geometry:
            feedback.pushWarning(de_en("{} Nachfragepunkt(e) ohne Geometrie werden nicht berücksichtigt (fid {}).",
                                       "{} demand point(s) without a geometry are left out (fid {}).")
                                 .format(len(points.no_geometry), names(points.no_geometry)))
        weight = self.core_call(quantities, points.values[settings["demand_field"]],
                                ["fid {}".format(f) for f in points.fid.tolist()], settings["demand_field"])
        codes = assign_districts(points.x, points.y, districts.geometries, districts.order, feedback)
        if codes is None:
            return None
        return Demand(points.x, points.y, weight, codes, points.fid, "points", source)

    # -- distances ------------------------------------------------------------------------------
    def _euclidean(self, demand, services, d0, feedback):
        feedback.pushInfo(de_en("Luftlinien-Entfernungen bis {:g} m …", "Straight-line distances up to {:g} m …")
                          .format(d0))
        pairs = euclidean_pairs(demand.x, demand.y, services.x, services.y, d0, feedback, (25.0, 55.0))
        if pairs is None:
            return None
        nearest_j, nearest_d = nearest_points(demand.x, demand.y, services.x, services.y)
        return Distances(*pairs, nearest_d, nearest_j, None, None)

    def _network(self, source, crs, context, demand, services, d0, feedback, tolerance):
        note = reprojection_note(de_en("Wegenetz", "Path network"), source.sourceCrs(), crs)
        if note:
            feedback.pushInfo(note)
        feedback.pushInfo(de_en("Baue das Wegenetz …", "Building the path network …"))
        network = self.core_call(read_network, source, crs, context.transformContext(), feedback, (20.0, 25.0),
                                 tolerance, layer=self.whole_layer(source))
        if network is None:
            return None
        graph = network.graph
        demand_at = snap_to_edges(network, demand.x, demand.y, feedback, (25.0, 30.0))
        service_at = snap_to_edges(network, services.x, services.y)
        if demand_at is None:
            return None
        demand_snap, service_snap = demand_at.snap, service_at.snap
        feedback.pushInfo(de_en(
            "Wegenetz: {} Knoten, {} Kanten. Fangabstand zum nächsten Punkt des Netzes: Nachfragepunkte max. "
            "{:.1f} m, Mittel {:.1f} m; Einrichtungen max. {:.1f} m, Mittel {:.1f} m.",
            "Path network: {} nodes, {} edges. Snapping distance to the nearest point of the network: demand points "
            "max {:.1f} m, mean {:.1f} m; services max {:.1f} m, mean {:.1f} m.",
        ).format(graph.n_nodes, graph.n_edges, demand_snap.max(), demand_snap.mean(), service_snap.max(),
                 service_snap.mean()))
        far = int((demand_snap > d0).sum())
        if far:
            feedback.pushWarning(de_en(
                "{} Nachfragepunkt(e) liegen weiter als {:g} m vom Wegenetz entfernt: sie erreichen über das Netz "
                "keine Einrichtung im Einzugsbereich.",
                "{} demand point(s) lie farther than {:g} m from the path network: they reach no service within the "
                "catchment along the network.",
            ).format(far, d0))
        report = components_report(graph, demand_at.node[:, 0], demand.weight, service_at.node[:, 0])
        message = components_message(report)
        if message:
            feedback.pushWarning(message)

        feedback.pushInfo(de_en("Kürzeste Wege bis {:g} m …", "Shortest paths up to {:g} m …").format(d0))
        parts = [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))]
        for done, total, pair_i, pair_j, pair_d in iter_network_pairs(graph, demand_at, service_at, d0):
            if feedback.isCanceled():
                return None
            feedback.setProgress(30.0 + 25.0 * done / max(total, 1))
            parts.append((pair_i, pair_j, pair_d))
        pairs = [np.concatenate([part[k] for part in parts]) for k in range(3)]
        nearest_d, nearest_j = nearest_service(graph, demand_at, service_at)
        facts = {"snapping": "nearest point of the nearest edge", "nodes": graph.n_nodes, "edges": graph.n_edges,
                 "lines_without_geometry": len(network.no_geometry),
                 "components": report.n_components, "main_component_node_share": round(report.main_share, 6),
                 "demand_off_main_component": round(report.demand_off_main, 6),
                 "demand_without_service_in_component": round(report.demand_without_service, 6),
                 "services_off_main_component": report.services_off_main,
                 "snap_demand_max_m": round(float(demand_snap.max()), 2),
                 "snap_demand_mean_m": round(float(demand_snap.mean()), 2),
                 "snap_services_max_m": round(float(service_snap.max()), 2),
                 "snap_services_mean_m": round(float(service_snap.mean()), 2)}
        return Distances(*pairs, nearest_d, nearest_j, demand_snap, facts)

    # -- the run ---------------------------------------------------------------------------------
    def process(self, parameters, context, feedback):
        settings = self._settings(parameters, context)
        district_source = self.source_or_fail(parameters, self.DISTRICTS, context)
        service_source = self.source_or_fail(parameters, self.SERVICES, context)
        crs, crs_message = self.core_call(working_crs, district_source.sourceCrs(), district_source.sourceExtent(),
                                          context.transformContext())
        if crs_message:
            feedback.pushWarning(crs_message)
        note = reprojection_note(de_en("Einrichtungen", "Services"), service_source.sourceCrs(), crs)
        if note:
            feedback.pushInfo(note)

        districts = self.core_call(Districts, district_source, settings["id_field"], settings["target_field"], crs,
                                   context.transformContext(), feedback,
                                   context.invalidGeometryCheck() == compat.INVALID_GEOMETRY_ABORT)
        if districts.repaired:
            feedback.pushWarning(de_en(
                "Ungültige Geometrien wurden für die Zuordnung repariert (makeValid): Quartiere {}. Die Ausgabe "
                "behält die Eingabegeometrie.",
                "Invalid geometries were repaired for the assignment (makeValid): districts {}. The output keeps the "
                "input geometry.").format(names(districts.repaired)))
        services, capacity, service_labels = self._read_services(service_source, settings, crs, context, feedback)
        service_district = assign_districts(services.x, services.y, districts.geometries, districts.order, feedback)
        demand = self._read_demand(parameters, settings, districts, crs, context, feedback)
        if demand is None or service_district is None or feedback.isCanceled():
            return {}
        self._report_outside(demand, service_district, feedback)

        network_source = self.optional_source(parameters, self.NETWORK, context)
        if network_source is None:
            distances = self._euclidean(demand, services, settings["d0"], feedback)
        else:
            distances = self._network(network_source, crs, context, demand, services, settings["d0"], feedback,
                                      self.parameterAsDouble(parameters, self.TOPOLOGY_TOLERANCE, context))
        if distances is None or feedback.isCanceled():
            return {}

        feedback.pushInfo(de_en("Berechne die Versorgung …", "Computing the coverage …"))
        coverage = self._coverage(settings, demand, distances, capacity, service_labels, feedback)
        table = self._district_table(settings, districts, demand, distances, coverage, service_district, capacity,
                                     service_labels)
        feedback.setProgress(60)

        result_columns = list(table.columns)
        table.index = pd.Index(districts.fids, name="fid")
        dest_id = self.write_result(parameters, self.OUTPUT, context, feedback, district_source, table,
                                    result_columns, 60.0)
        if dest_id is None:
            return {}
        labels = coverage_labels([1, 2, 3])
        method = dict(settings["record"], crs=crs.authid(), crs_message=crs_message, labels=labels,
                      distance="euclidean" if network_source is None else "network", demand=demand.kind,
                      n_districts=len(districts), n_services=int(services.fid.size),
                      total_capacity=float(capacity.sum()), n_demand_points=int(demand.x.size),
                      n_demand_outside_districts=int((demand.district < 0).sum()),
                      unused_services=coverage.unused, unreached_share=round(coverage.unreached_share, 6),
                      repaired_districts=[str(i) for i in districts.repaired])
        if distances.network is not None:
            method["network"] = distances.network
        self.save_method(dest_id, method, context)
        attach_class_style(context, dest_id, "versorgung_klasse", labels, de_en("Versorgung", "Coverage"), method)
        results = {self.OUTPUT: dest_id, "METHOD": json.dumps(method, ensure_ascii=False),
                   "N_DEMAND_POINTS": int(demand.x.size), "N_UNUSED_SERVICES": len(coverage.unused),
                   "UNREACHED_SHARE": coverage.unreached_share}

        if parameters.get(self.OUTPUT_DEMAND):
            frame = self._demand_frame(settings, districts, demand, distances, coverage, service_labels)
            if demand.fids is not None:
                frame.index = pd.Index(demand.fids, name="fid")
                demand_dest = self.write_result(parameters, self.OUTPUT_DEMAND, context, feedback, demand.source,
                                                frame, list(frame.columns), 90.0)
            else:
                frame.insert(1, "gewicht", demand.weight)
                demand_dest = self._write_points(parameters, context, feedback, frame, demand, crs)
            if demand_dest is None:
                return {}
            results[self.OUTPUT_DEMAND] = demand_dest
            attach_layer_style(context, demand_dest, apply_demand_style,
                               de_en("Versorgung je Nachfragepunkt", "Coverage per demand point"))
        return results

    def _coverage(self, settings, demand, distances, capacity, service_labels, feedback):
        """Services within each distance per demand point and, for the FCA methods, the accessibility A_i."""
        d0 = settings["d0"]
        counts = self.core_call(count_within, distances.pair_i, distances.pair_d, settings["thresholds"],
                                demand.x.size)
        reached = counts[:, -1] > 0
        accessibility, unused = None, []
        weight_kind = FCA_WEIGHT[settings["method"]]
        if weight_kind is not None:
            fca = self.core_call(two_step_fca, demand.weight, capacity, distances.pair_i, distances.pair_j,
                                 distances.pair_d, d0, weight=weight_kind, steps=settings["steps"],
                                 service_names=service_labels)
            accessibility, reached = fca.accessibility, fca.reached
            unused = [service_labels[j] for j in fca.unused_services.tolist()]
            if unused:
                feedback.pushWarning(de_en(
                    "{} Einrichtung(en) haben keine Nachfrage im Einzugsbereich ({:g} m) und verteilen nichts: {}.",
                    "{} service(s) have no demand within the catchment ({:g} m) and hand out nothing: {}.")
                    .format(len(unused), d0, names(unused)))
        total = demand.weight.sum()
        unreached_share = float(demand.weight[~reached].sum() / total) if total > 0 else 0.0
        if unreached_share > 0:
            feedback.pushWarning(de_en(
                "{:.1f} % der Zielbevölkerung ({} Nachfragepunkt(e)) erreichen keine Einrichtung innerhalb von {:g} m "
                "(Erreichbarkeit 0, Feld 'erreicht' = falsch).",
                "{:.1f} % of the target population ({} demand point(s)) reach no service within {:g} m "
                "(accessibility 0, field 'erreicht' = false).",
            ).format(100 * unreached_share, int((~reached).sum()), d0))
        return Coverage(counts, accessibility, reached, unused, unreached_share)

    def _district_table(self, settings, districts, demand, distances, coverage, service_district, capacity,
                        service_labels):
        """The core's district summary; for METHOD nearest classed by the share within d0; walking minutes."""
        table = self.core_call(
            district_summary, demand.district, demand.weight, distances.nearest_d, coverage.accessibility,
            settings["thresholds"], service_district, capacity, len(districts), norm=settings["norm"],
            target_population=districts.target, class_breaks=settings["class_breaks"],
            service_names=service_labels, network=distances.network is not None)
        if settings["method"] == "nearest":
            level = table[threshold_column(settings["d0"])].to_numpy(dtype="float64")
            table["versorgungsgrad"] = level
            table["versorgung_klasse"] = self.core_call(coverage_class, level, settings["class_breaks"])
            table["versorgung_label"] = coverage_labels(table["versorgung_klasse"])
        for column in ("dist_mittel", "dist_median"):
            table[column] = _finite_or_nan(table[column])
        position = table.columns.get_loc("dist_median") + 1
        table.insert(position, "zeit_mittel_min", table["dist_mittel"] * settings["minutes_per_metre"])
        table.insert(position + 1, "zeit_median_min", table["dist_median"] * settings["minutes_per_metre"])
        return table

    @staticmethod
    def _report_outside(demand, service_district, feedback):
        outside = demand.district < 0
        if outside.any():
            feedback.pushWarning(de_en(
                "{} Nachfragepunkt(e) (Zielbevölkerung {:g}) liegen außerhalb aller Quartiere (Gebiet -1): sie zählen "
                "in keinem Quartier, nutzen aber die Einrichtungen in Reichweite.",
                "{} demand point(s) (target population {:g}) lie outside all districts (district -1): they count in "
                "no district but use the services in reach.",
            ).format(int(outside.sum()), float(demand.weight[outside].sum())))
        if (service_district < 0).any():
            feedback.pushInfo(de_en(
                "{} Einrichtung(en) liegen außerhalb aller Quartiere: sie versorgen die Nachfrage in Reichweite, "
                "zählen aber in keinem Quartier als Bestand.",
                "{} service(s) lie outside all districts: they serve the demand in reach but count as supply in no "
                "district.",
            ).format(int((service_district < 0).sum())))

    @staticmethod
    def _demand_frame(settings, districts, demand, distances, coverage, service_labels):
        """Per demand point: district, nearest service and distance, services within each distance, A_i."""
        ids = np.asarray([str(i) for i in districts.ids] + [None], dtype=object)
        frame = pd.DataFrame({"gebiet_id": ids[demand.district]})  # code -1 picks the trailing None
        distance = _finite_or_nan(distances.nearest_d)
        frame["dist_naechste"] = distance
        frame["zeit_naechste_min"] = distance * settings["minutes_per_metre"]
        labels = np.asarray(list(service_labels) + [None], dtype=object)
        frame["naechste_einrichtung"] = labels[distances.nearest_j]  # -1 (none reachable) picks the trailing None
        for k, threshold in enumerate(settings["thresholds"]):
            frame["einrichtungen_" + threshold_column(threshold)[len("anteil_"):]] = coverage.counts[:, k]
        frame["erreichbarkeit"] = coverage.accessibility if coverage.accessibility is not None else np.nan
        frame["erreicht"] = np.asarray(coverage.reached, dtype=bool)
        if distances.snap is not None:
            frame["fangabstand"] = distances.snap
        return frame

    def _write_points(self, parameters, context, feedback, frame, demand, crs):
        """The district points (pointOnSurface) as a new point layer with the demand columns."""
        columns = frame_kinds(frame, list(frame.columns))
        fields, _, _ = result_fields(QgsFields(), columns)
        sink, dest_id = self.sink_or_fail(parameters, self.OUTPUT_DEMAND, context, fields, compat.WKB_POINT, crs)
        feature = QgsFeature(fields)
        for row, x, y in zip(column_values(frame, columns), demand.x.tolist(), demand.y.tolist()):
            if feedback.isCanceled():
                return None
            feature.setAttributes(row)
            feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
            sink.addFeature(feature, compat.SINK_FAST_INSERT)
        return dest_id
