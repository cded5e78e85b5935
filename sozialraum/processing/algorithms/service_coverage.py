"""``sozialraum:servicecoverage`` — Versorgungsanalyse: how well do services cover the districts' demand?

One trip: the layers into arrays (:func:`..adapters.coverage_inputs.read_coverage_inputs`), the
method and both result tables on those arrays (:func:`..core.coverage_run.run_coverage`), the tables
into the output layers (:meth:`..base.SozialraumAlgorithm.write_result`, :meth:`..base.SozialraumAlgorithm.write_points`).
"""

import json

import pandas as pd

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ...adapters import compat
from ...adapters.coverage_inputs import read_coverage_inputs
from ...adapters.crs import working_crs
from ...adapters.styling import apply_demand_style, attach_class_style, attach_layer_style
from ...core.coverage import coverage_labels
from ...core.coverage_run import coverage_settings, district_table, run_coverage
from ..base import SozialraumAlgorithm, de_en


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
        self.addOutput(QgsProcessingOutputString("METHOD_RECORD", de_en("Verfahren (JSON)", "Method record (JSON)")))
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

    # -- the run ---------------------------------------------------------------------------------
    def process(self, parameters, context, feedback):
        fields = {key: self.parameterAsString(parameters, name, context) or None for key, name in (
            ("id_field", self.ID_FIELD), ("target_field", self.TARGET_POPULATION_FIELD),
            ("capacity_field", self.CAPACITY_FIELD), ("name_field", self.SERVICE_NAME_FIELD),
            ("demand_field", self.DEMAND_FIELD))}
        norm = parameters.get(self.NORM)
        settings = self.core_call(
            coverage_settings, "sozialraum:" + self.NAME, self.choice(parameters, self.METHOD, context),
            self.parameterAsString(parameters, self.DISTANCE, context),
            None if norm in (None, "") else self.parameterAsDouble(parameters, self.NORM, context),
            self.parameterAsString(parameters, self.STEP_WEIGHTS, context),
            self.parameterAsString(parameters, self.CLASS_BREAKS, context),
            self.parameterAsDouble(parameters, self.SPEED_KMH, context), fields)
        district_source = self.source_or_fail(parameters, self.DISTRICTS, context)
        sources = (district_source, self.source_or_fail(parameters, self.SERVICES, context),
                   self.optional_source(parameters, self.DEMAND, context),
                   self.optional_source(parameters, self.NETWORK, context))
        crs, crs_message = self.core_call(working_crs, district_source.sourceCrs(), district_source.sourceExtent(),
                                          context.transformContext())
        if crs_message:
            feedback.pushWarning(crs_message)
        inputs = self.core_call(
            read_coverage_inputs, sources, fields, crs, context.transformContext(), settings,
            self.parameterAsDouble(parameters, self.TOPOLOGY_TOLERANCE, context),
            context.invalidGeometryCheck() == compat.INVALID_GEOMETRY_ABORT, feedback, self.whole_layer)
        if inputs is None:
            return {}
        districts, services, demand, distances = inputs

        feedback.pushInfo(de_en("Berechne die Versorgung …", "Computing the coverage …"))
        per_point = bool(parameters.get(self.OUTPUT_DEMAND))
        result = self.core_call(run_coverage, settings, districts.ids, districts.target, demand.weight,
                                demand.district, distances, services.capacity, services.district, services.labels,
                                per_point, districts=False)
        for warning in result.warnings:
            feedback.pushWarning(warning)
        feedback.setProgress(60)
        points = None
        if per_point and demand.fids is not None:  # written in a thread of its own while the districts' go on
            result.points.index = pd.Index(demand.fids, name="fid")  # in place: a copy of 3M rows took 0.5 s
            points = self.start_result(parameters, self.OUTPUT_DEMAND, context, feedback, demand.source,
                                       result.points, list(result.points.columns), 70.0)
        try:
            return self._write_outputs(parameters, context, feedback, settings, (crs, crs_message),
                                       (district_source, districts), services, demand, distances, result, points)
        finally:
            if points is not None:
                points.abort()  # stops and waits for the per-point layer where it was not finished

    def _write_outputs(self, parameters, context, feedback, settings, crs, districts, services, demand, distances,
                       result, points):
        """The district table and layer (with its method record and style), then the per-point layer (begun
        as ``points`` where it is copied in bulk, else written here). ``crs``: the working CRS and the note
        on it; ``districts``: their source and :class:`..adapters.coverage_inputs.Districts`."""
        (crs, crs_message), (district_source, districts) = crs, districts
        per_point = bool(parameters.get(self.OUTPUT_DEMAND))
        table = self.core_call(district_table, settings, len(districts), districts.target, demand.weight,
                               demand.district, distances, result.accessibility, services.capacity,
                               services.district, services.labels)
        table.index = pd.Index(districts.fids, name="fid")  # in place, like the per-point table's
        dest_id = self.write_result(parameters, self.OUTPUT, context, feedback, district_source, table,
                                    list(table.columns), 60.0, 70.0 if per_point else 100.0)
        if dest_id is None:
            return {}
        labels = coverage_labels([1, 2, 3])
        method = dict(settings.record, crs=crs.authid(), crs_message=crs_message, labels=labels,
                      distance="euclidean" if distances.network is None else "network", demand=demand.kind,
                      n_districts=len(districts), n_services=int(services.points.fid.size),
                      total_capacity=float(services.capacity.sum()), n_demand_points=int(demand.x.size),
                      n_demand_outside_districts=int((demand.district < 0).sum()),
                      unused_services=result.unused, unreached_share=round(result.unreached_share, 6),
                      repaired_districts=[str(i) for i in districts.repaired])
        if distances.network is not None:
            method["network"] = distances.network
        self.save_method(dest_id, method, context)
        attach_class_style(context, dest_id, "versorgung_klasse", labels, de_en("Versorgung", "Coverage"), method)
        results = {self.OUTPUT: dest_id, "METHOD_RECORD": json.dumps(method, ensure_ascii=False),
                   "N_DEMAND_POINTS": int(demand.x.size), "N_UNUSED_SERVICES": len(result.unused),
                   "UNREACHED_SHARE": result.unreached_share}
        if per_point:
            if points is not None:
                demand_dest = points.finish()
            else:
                frame = result.points
                frame.insert(1, "gewicht", demand.weight)
                demand_dest = self.write_points(parameters, self.OUTPUT_DEMAND, context, feedback, frame,
                                                demand.x, demand.y, crs)
            if demand_dest is None:
                return {}
            results[self.OUTPUT_DEMAND] = demand_dest
            attach_layer_style(context, demand_dest, apply_demand_style,
                               de_en("Versorgung je Nachfragepunkt", "Coverage per demand point"))
        return results
