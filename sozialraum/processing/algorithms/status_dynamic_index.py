"""``sozialraum:statusdynamicindex`` — Status-/Dynamik-Index as in Berlin's MSS."""

import json

from qgis.core import (
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterMatrix,
    QgsProcessingParameterNumber,
)

from ...adapters import compat
from ...adapters.styling import apply_status_dynamic_style, attach_layer_style
from ...core.mss import status_dynamic_index
from ..base import SozialraumAlgorithm, de_en, matrix_rows


def field_pairs(flat):
    """``[(current, earlier)]`` from the flat matrix value (2 cells per row)."""
    return matrix_rows(flat, 2, "Die Tabelle der Feldpaare braucht je Zeile zwei Felder: aktuell, früher.",
                       "The field pair table needs two fields per row: current, earlier.")


class StatusDynamicIndexAlgorithm(SozialraumAlgorithm):
    NAME = "statusdynamicindex"
    GROUP_ID = "indizes"

    INPUT = "INPUT"
    ID_FIELD = "ID_FIELD"
    STATUS_INDICATORS = "STATUS_INDICATORS"
    DYNAMIC_INDICATORS = "DYNAMIC_INDICATORS"
    DYNAMIC_PAIRS = "DYNAMIC_PAIRS"
    POPULATION_FIELD = "POPULATION_FIELD"
    MIN_POPULATION = "MIN_POPULATION"
    OUTPUT = "OUTPUT"

    def displayName(self):
        return de_en("Status-/Dynamik-Index (MSS-Verfahren)", "Status/dynamic index (MSS method)")


    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, de_en("Quartiere (Polygone oder Tabelle)", "Districts (polygons or table)"),
            [compat.SOURCE_VECTOR_ANY]))
        self.addParameter(QgsProcessingParameterField(
            self.ID_FIELD, de_en("Kennung (ID-Feld)", "District ID field"), parentLayerParameterName=self.INPUT))
        self.addParameter(QgsProcessingParameterField(
            self.STATUS_INDICATORS, de_en("Status-Indikatoren (Anteile in %)", "Status indicators (shares in %)"),
            parentLayerParameterName=self.INPUT, type=compat.FIELD_ANY, allowMultiple=True))
        self.addParameter(QgsProcessingParameterField(
            self.DYNAMIC_INDICATORS, de_en("Dynamik-Indikatoren (Veränderung in Prozentpunkten)",
                                           "Dynamic indicators (change in percentage points)"),
            parentLayerParameterName=self.INPUT, type=compat.FIELD_ANY, allowMultiple=True, optional=True))
        self.addParameter(QgsProcessingParameterMatrix(
            self.DYNAMIC_PAIRS, de_en("… oder Dynamik aus Feldpaaren: aktuell, zwei Jahre früher",
                                      "… or dynamics from field pairs: current, two years earlier"),
            numberRows=1, hasFixedNumberRows=False,
            headers=[de_en("aktuell", "current"), de_en("früher", "earlier")], optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.POPULATION_FIELD, de_en("Einwohnerfeld", "Population field"), parentLayerParameterName=self.INPUT,
            type=compat.FIELD_ANY, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_POPULATION, de_en("Mindesteinwohnerzahl für eine Bewertung", "Minimum population to be rated"),
            type=compat.NUMBER_DOUBLE, minValue=0, defaultValue=300))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, de_en("Status-/Dynamik-Index", "Status/dynamic index")))
        self.addOutput(QgsProcessingOutputString("METHOD", de_en("Verfahren (JSON)", "Method record (JSON)")))

    def process(self, parameters, context, feedback):
        source = self.source_or_fail(parameters, self.INPUT, context)
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context)
        status = self.parameterAsFields(parameters, self.STATUS_INDICATORS, context)
        dynamic = self.parameterAsFields(parameters, self.DYNAMIC_INDICATORS, context)
        pairs = self.core_call(field_pairs, self.parameterAsMatrix(parameters, self.DYNAMIC_PAIRS, context))
        population = self.parameterAsString(parameters, self.POPULATION_FIELD, context) or None
        min_population = self.parameterAsDouble(parameters, self.MIN_POPULATION, context)
        needed = [id_field] + status + dynamic + [f for pair in pairs for f in pair] + (
            [population] if population else [])
        frame = self.read_source(source, needed, feedback)
        if feedback.isCanceled():
            return {}
        result = self.core_call(status_dynamic_index, frame, status, dynamic_fields=dynamic, dynamic_pairs=pairs,
                                population_field=population, min_population=min_population if population else 0,
                                id_column=id_field)
        for warning in result.warnings:
            feedback.pushWarning(warning)
        feedback.setProgress(40)
        columns = [c for c in result.table.columns if c not in frame.columns]
        dest_id = self.write_result(parameters, self.OUTPUT, context, feedback, source, result.table, columns, 40.0)
        if dest_id is None:
            return {}
        method = dict(result.parameters, algorithm="sozialraum:" + self.NAME, id_field=id_field)
        self.save_method(dest_id, method, context)
        attach_layer_style(context, dest_id, apply_status_dynamic_style,
                           de_en("Status-/Dynamik-Index", "Status/dynamic index"), method)
        return {self.OUTPUT: dest_id, "METHOD": json.dumps(method, ensure_ascii=False)}
