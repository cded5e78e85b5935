"""``sozialraum:allocation`` — Mittelverteilung nach Bedarf: a budget over the quarters by need (core.allocation)."""

import json

from qgis.core import (
    QgsField,
    QgsFields,
    QgsFeature,
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
from ...adapters.layers import column_values, frame_kinds
from ...adapters.method_record import load_record
from ...adapters.styling import apply_allocation_style, attach_layer_style
from ...core.allocation import RESULT_COLUMNS, allocate
from ...core import field_guess
from ...core.errors import format_number, names
from ...core.frames import check_unique_ids, numeric_columns, quantities
from ...core.parse import parse_number_list
from ..base import SozialraumAlgorithm, de_en



def known_classes(layer, need_field):
    """The number of classes of the index or MSS result ``layer`` when its method record says it and
    ``need_field`` is its class field, else None."""
    record = load_record(layer) if layer is not None else None
    if record is None:
        return None
    if record.kind == "index" and need_field == "index_class":
        return len(record.labels) or record.n_classes or None
    if record.kind == "mss" and need_field == "status_class":
        return 4
    return None


class AllocationAlgorithm(SozialraumAlgorithm):
    NAME = "allocation"
    GROUP_ID = "entscheidung"

    INPUT = "INPUT"
    ID_FIELD = "ID_FIELD"
    POPULATION_FIELD = "POPULATION_FIELD"
    NEED_FIELD = "NEED_FIELD"
    METHOD = "METHOD"
    FACTORS = "FACTORS"
    THRESHOLD_CLASS = "THRESHOLD_CLASS"
    BUDGET = "BUDGET"
    BASE_SHARE = "BASE_SHARE"
    UNIT = "UNIT"
    OUTPUT = "OUTPUT"
    OUTPUT_TABLE = "OUTPUT_TABLE"

    CHOICES = {METHOD: ("tiers", "proportional", "threshold")}
    # a target group (children under 15 ...) before all residents, as the assistant suggests it
    FIELD_GUESSES = dict(SozialraumAlgorithm.FIELD_GUESSES, POPULATION_FIELD=field_guess.TARGET_POPULATION)

    def displayName(self):
        return de_en("Mittelverteilung nach Bedarf", "Need-based allocation")


    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, de_en("Quartiere mit Index- oder MSS-Ergebnis", "Quarters with an index or MSS result"),
            [compat.SOURCE_VECTOR_ANY]))
        self.addParameter(QgsProcessingParameterField(
            self.ID_FIELD, de_en("Kennung (ID-Feld)", "Quarter ID field"), parentLayerParameterName=self.INPUT))
        self.addParameter(QgsProcessingParameterField(
            self.POPULATION_FIELD, de_en("Zielbevölkerung (z. B. Kinder unter 6)",
                                         "Target population (e.g. children under 6)"),
            parentLayerParameterName=self.INPUT, type=compat.FIELD_ANY))
        self.addParameter(QgsProcessingParameterField(
            self.NEED_FIELD, de_en("Bedarfsfeld (Klasse oder Indexwert)", "Need field (class or index value)"),
            defaultValue="index_class", parentLayerParameterName=self.INPUT, type=compat.FIELD_ANY))
        self.add_choice(self.METHOD, de_en("Verfahren", "Method"), [
            ("tiers", de_en("Stufen: ein Faktor je Klasse", "tiers: one factor per class")),
            ("proportional", de_en("proportional zum Indexwert über dem kleinsten",
                                   "proportional to the index value above the smallest")),
            ("threshold", de_en("Schwelle: nur ab einer Klasse", "threshold: only from a class on")),
        ], "tiers")
        self.addParameter(QgsProcessingParameterString(
            self.FACTORS, de_en("Faktoren je Klasse, niedrigster Bedarf zuerst (für 'tiers')",
                                "Factors per class, lowest need first (for 'tiers')"),
            defaultValue="1, 1.2, 1.5, 2, 3", optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.THRESHOLD_CLASS, de_en("Schwellenklasse: gefördert ab dieser Klasse (für 'threshold')",
                                        "Threshold class: funded from this class on (for 'threshold')"),
            type=compat.NUMBER_INTEGER, minValue=1, defaultValue=4))
        self.addParameter(QgsProcessingParameterNumber(
            self.BUDGET, de_en("Budget (Euro oder Einheiten)", "Budget (euros or units)"),
            type=compat.NUMBER_DOUBLE, defaultValue=1000000.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.BASE_SHARE, de_en("Grundanteil je Kopf (0–1; 1 = Gießkanne)", "Base share per head (0–1; 1 = "
                                   "watering can)"), type=compat.NUMBER_DOUBLE, minValue=0.0, maxValue=1.0,
            defaultValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.UNIT, de_en("Kleinste Einheit (0,01 = Cent, 1 = ganze Stellen)",
                             "Smallest unit (0.01 = cents, 1 = whole positions)"),
            type=compat.NUMBER_DOUBLE, defaultValue=0.01))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, de_en("Mittelverteilung", "Allocation")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_TABLE, de_en("Mittelverteilung als Tabelle", "Allocation as a table"),
            compat.SOURCE_VECTOR_ANY, optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputString("METHOD_RECORD", de_en("Verfahren (JSON)", "Method record (JSON)")))
        self.addOutput(QgsProcessingOutputNumber("TOP_SHARE", de_en("Anteil an Quartiere höchsten Bedarfs",
                                                                    "Share reaching the quarters of highest need")))

    def process(self, parameters, context, feedback):
        source = self.source_or_fail(parameters, self.INPUT, context)
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context)
        population_field = self.parameterAsString(parameters, self.POPULATION_FIELD, context)
        need_field = self.parameterAsString(parameters, self.NEED_FIELD, context)
        method_key = self.choice(parameters, self.METHOD, context)
        factors = self.core_call(parse_number_list, self.parameterAsString(parameters, self.FACTORS, context),
                                 self.FACTORS) if method_key == "tiers" else []
        threshold = self.parameterAsInt(parameters, self.THRESHOLD_CLASS, context)
        budget = self.parameterAsDouble(parameters, self.BUDGET, context)
        base_share = self.parameterAsDouble(parameters, self.BASE_SHARE, context)
        unit = self.parameterAsDouble(parameters, self.UNIT, context)

        frame = self.read_source(source, [id_field, population_field, need_field], feedback)
        self.core_call(check_unique_ids, frame, id_field)
        need = self.core_call(numeric_columns, frame, [need_field], id_field)[need_field].to_numpy()
        population = self.core_call(quantities, frame[population_field].to_numpy(),
                                    [str(v) for v in frame[id_field].tolist()], population_field)
        n_classes = known_classes(self.whole_layer(source), need_field) if method_key == "tiers" else None
        result = self.core_call(allocate, frame[id_field].tolist(), population, need,
                                method_key, budget, base_share=base_share, unit=unit, factors=factors,
                                threshold_class=threshold, n_classes=n_classes, population_field=population_field,
                                index=frame.index)
        summary = result.summary
        if summary["n_not_rated"]:
            feedback.pushWarning(de_en(
                "{} Quartier(e) ohne Bedarfswert (nicht bewertet) erhalten nur den Grundanteil je Kopf: {}.",
                "{} quarter(s) without a need value (not rated) get the base share per head only: {}.").format(
                summary["n_not_rated"], names(summary["not_rated"])))
        feedback.setProgress(40)

        dest_id = self.write_result(parameters, self.OUTPUT, context, feedback, source, result.table,
                                    RESULT_COLUMNS, 40.0)
        if dest_id is None:
            return {}
        results = {self.OUTPUT: dest_id}
        if parameters.get(self.OUTPUT_TABLE) not in (None, ""):
            results[self.OUTPUT_TABLE] = self._write_table(parameters, context, source, frame[id_field],
                                                           population_field, population, need_field, need,
                                                           result.table)
        method = dict(summary, algorithm="sozialraum:" + self.NAME, id_field=id_field, method=method_key,
                      need_field=need_field, population_field=population_field, budget=budget, unit=unit,
                      base_share=base_share, factors=factors, n_classes=n_classes,
                      threshold_class=threshold if method_key == "threshold" else None,
                      counts={"areas": summary["n_quarters"], "rated": summary["n_rated"],
                              "not_rated": summary["n_not_rated"]})
        for key in ("n_quarters", "n_rated", "n_not_rated"):
            method.pop(key)
        self.save_method(dest_id, method, context)
        attach_layer_style(context, dest_id, apply_allocation_style, de_en("Mittelverteilung", "Allocation"), method)
        feedback.pushInfo(de_en(
            "{}: {} % des Budgets (Gießkanne: {} %).", "{}: {} % of the budget (watering can: {} %).").format(
            summary["top_definition"], format_number(100 * summary["top_share"], 1),
            format_number(100 * summary["top_share_watering_can"], 1)))
        results.update({"METHOD_RECORD": json.dumps(method, ensure_ascii=False), "TOP_SHARE": summary["top_share"]})
        return results

    def _write_table(self, parameters, context, source, ids, population_field, population, need_field, need,
                     table):
        """The allocation as a table without geometry: ID, target population, need and the result columns."""
        fields = QgsFields()
        fields.append(QgsField(source.fields().field(ids.name)))
        fields.append(QgsField(population_field, compat.FIELD_DOUBLE))
        fields.append(QgsField(need_field, compat.FIELD_DOUBLE))
        columns = frame_kinds(table, RESULT_COLUMNS)
        for name, kind in columns:
            fields.append(QgsField(name, compat.FIELD_STRING if kind == "str" else compat.FIELD_DOUBLE))
        sink, dest_id = self.sink_or_fail(parameters, self.OUTPUT_TABLE, context, fields, compat.WKB_NO_GEOMETRY,
                                          source.sourceCrs())
        feature = QgsFeature(fields)
        for key, people, value, extra in zip(ids.tolist(), population.tolist(), need.tolist(),
                                             column_values(table, columns)):
            feature.setAttributes([key, people, None if value != value else value] + extra)
            if not sink.addFeature(feature, compat.SINK_FAST_INSERT):
                raise QgsProcessingException(sink.lastError() if hasattr(sink, "lastError") else "write error")
        return dest_id
