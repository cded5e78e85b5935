"""``sozialraum:catchments`` — Einzugsbereiche: the area each service reaches within each distance, as polygons.

The distances and the population inside follow the same rules as ``sozialraum:servicecoverage``
(straight line, or snapping distance + network path + snapping distance, inclusive limits), read by
the same adapters (:mod:`..adapters.coverage_inputs`); the shapes come from
:mod:`..adapters.catchment_shapes`.
"""

import json

from qgis.core import (
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
from ...adapters.catchment_shapes import catchment_fields, circle_catchments, network_catchments, write_catchments
from ...adapters.coverage_inputs import read_path_network, read_service_points
from ...adapters.crs import working_crs
from ...adapters.styling import apply_catchment_style, attach_layer_style
from ...core.parse import parse_thresholds
from ..base import SozialraumAlgorithm, de_en


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

    # -- the run ---------------------------------------------------------------------------------
    def process(self, parameters, context, feedback):
        source = self.source_or_fail(parameters, self.SERVICES, context)
        thresholds = self.core_call(parse_thresholds, self.parameterAsString(parameters, self.DISTANCE, context))
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context) or None
        name_field = self.parameterAsString(parameters, self.NAME_FIELD, context) or None
        width = self.parameterAsDouble(parameters, self.BUFFER, context)
        crs, message = self.core_call(working_crs, source.sourceCrs(), source.sourceExtent(),
                                      context.transformContext(), ("Einrichtungen", "services"))
        if message:
            feedback.pushWarning(message)
        services = self.core_call(read_service_points, source, [id_field, name_field], crs,
                                  context.transformContext(), feedback, (0.0, 5.0), self.whole_layer(source))
        if services.fid.size == 0:
            raise QgsProcessingException(de_en(
                "Der Einrichtungslayer enthält keine Punkte mit Geometrie. Bitte wählen Sie einen Layer mit "
                "Einrichtungen (oder prüfen Sie den Filter).",
                "The service layer holds no points with a geometry. Please choose a layer with services (or check "
                "the filter)."))
        demand = self.demand_points(parameters, crs, context, feedback, (5.0, 15.0))
        network_source = self.optional_source(parameters, self.NETWORK, context)
        if feedback.isCanceled():
            return {}

        if network_source is None:
            catchments = circle_catchments(services, demand, thresholds, feedback)
        else:
            network = self.core_call(
                read_path_network, network_source, crs, context.transformContext(), feedback, (15.0, 20.0),
                self.parameterAsDouble(parameters, self.TOPOLOGY_TOLERANCE, context),
                self.whole_layer(network_source))
            catchments = None if network is None else network_catchments(network, services, demand, thresholds,
                                                                          width, feedback)
        if catchments is None:
            return {}

        fields = catchment_fields(source.fields(), id_field)
        sink, dest_id = self.sink_or_fail(parameters, self.OUTPUT, context, fields, compat.WKB_MULTIPOLYGON,
                                          source.sourceCrs())
        n_empty = write_catchments(
            sink, fields, catchments, thresholds, services.values[id_field] if id_field else services.fid.tolist(),
            services.values[name_field] if name_field else [None] * services.fid.size,
            "luftlinie" if network_source is None else "netz", crs, source.sourceCrs(), context.transformContext(),
            feedback)
        if n_empty is None:
            return {}
        method = {"algorithm": "sozialraum:" + self.NAME, "distance": "euclidean" if network_source is None
                  else "network", "thresholds_m": thresholds, "buffer_m": width if network_source else None,
                  "cutoff_inclusive": True, "crs": crs.authid(), "n_services": int(services.fid.size),
                  "demand_field": self.parameterAsString(parameters, self.DEMAND_FIELD, context) or None,
                  "n_empty": n_empty}
        self.save_method(dest_id, method, context)
        attach_layer_style(context, dest_id, apply_catchment_style, de_en("Einzugsbereiche", "Catchments"), method)
        return {self.OUTPUT: dest_id, "METHOD": json.dumps(method, ensure_ascii=False), "N_EMPTY": n_empty}
