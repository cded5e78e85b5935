"""``sozialraum:indicatorrates`` — rates in % from counts, with a small-area threshold and EB smoothing."""

from qgis.core import (
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterMatrix,
    QgsProcessingParameterNumber,
)

from ...adapters import compat
from ...adapters.styling import apply_rate_style, attach_style
from ...core.rates import indicator_rates
from ..base import SozialraumAlgorithm, de_en, matrix_rows


def rate_specs(flat):
    """``[(count, denominator, name)]`` from the flat matrix value (3 cells per row; name may be empty)."""
    rows = matrix_rows(flat, 3, "Die Tabelle der Quoten braucht je Zeile drei Einträge: Fallzahl, Bezugsgröße, Name.",
                       "The rates table needs three entries per row: count, denominator, name.")
    return [(count, denominator, name or "q_" + count) for count, denominator, name in rows]


class IndicatorRatesAlgorithm(SozialraumAlgorithm):
    NAME = "indicatorrates"
    GROUP_ID = "indizes"

    INPUT = "INPUT"
    ID_FIELD = "ID_FIELD"
    RATES = "RATES"
    MIN_DENOMINATOR = "MIN_DENOMINATOR"
    MIN_CASES = "MIN_CASES"
    SMOOTHING = "SMOOTHING"
    OUTPUT = "OUTPUT"

    def displayName(self):
        return de_en("Quoten aus Fallzahlen", "Rates from counts")


    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, de_en("Quartiere (Polygone oder Tabelle)", "Districts (polygons or table)"),
            [compat.SOURCE_VECTOR_ANY]))
        self.addParameter(QgsProcessingParameterField(
            self.ID_FIELD, de_en("Kennung (ID-Feld, für Meldungen)", "District ID field (for messages)"),
            parentLayerParameterName=self.INPUT, optional=True))
        self.addParameter(QgsProcessingParameterMatrix(
            self.RATES, de_en("Quoten: Fallzahl-Feld, Bezugsgrößen-Feld, Name der Quote (leer = q_<Fallzahl>)",
                              "Rates: count field, denominator field, rate name (empty = q_<count>)"),
            numberRows=1, hasFixedNumberRows=False,
            headers=[de_en("Fallzahl", "Count"), de_en("Bezugsgröße", "Denominator"), de_en("Name", "Name")]))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_DENOMINATOR, de_en("Mindest-Bezugsgröße (darunter nicht bewertet)",
                                        "Minimum denominator (below: not rated)"),
            type=compat.NUMBER_DOUBLE, minValue=0, defaultValue=300))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_CASES, de_en("Mindestfallzahl (1 bis darunter: nicht veröffentlicht, Geheimhaltung; 0 = aus)",
                                  "Minimum case number (1 up to below it: not published, confidentiality; 0 = off)"),
            type=compat.NUMBER_INTEGER, minValue=0, defaultValue=3))
        self.addParameter(QgsProcessingParameterBoolean(
            self.SMOOTHING, de_en("Empirische Bayes-Glättung zur Stadtquote",
                                  "Empirical Bayes smoothing towards the city rate"), defaultValue=False))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, de_en("Quoten", "Rates")))

    def process(self, parameters, context, feedback):
        source = self.source_or_fail(parameters, self.INPUT, context)
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context) or None
        specs = self.core_call(rate_specs, self.parameterAsMatrix(parameters, self.RATES, context))
        needed = ([id_field] if id_field else []) + [f for spec in specs for f in spec[:2]]
        frame = self.read_source(source, needed, feedback)
        if feedback.isCanceled():
            return {}
        result = self.core_call(indicator_rates, frame, specs,
                                min_denominator=self.parameterAsDouble(parameters, self.MIN_DENOMINATOR, context),
                                smoothing=self.parameterAsBoolean(parameters, self.SMOOTHING, context),
                                id_column=id_field,
                                min_cases=self.parameterAsInt(parameters, self.MIN_CASES, context))
        for warning in result.warnings:
            feedback.pushWarning(warning)
        columns = [c for c in result.table.columns if c not in frame.columns]
        dest_id = self.write_result(parameters, self.OUTPUT, context, feedback, source, result.table, columns, 40.0)
        if not dest_id:
            return {}
        first_rate = specs[0][2]
        attach_style(context, dest_id, lambda layer: apply_rate_style(layer, first_rate, de_en("Quoten", "Rates")))
        return {self.OUTPUT: dest_id}
