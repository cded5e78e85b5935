"""``sozialraum:needcoverage`` — need x coverage per district as a 3 x 3 typology with priorities."""

import json

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
)

from ...adapters import compat
from ...adapters.bivariate import attach_bivariate_style
from ...core.errors import names
from ...core.frames import check_unique_ids, numeric_columns
from ...core.typology import (
    coverage_class_from_values,
    coverage_classes_given,
    district_key,
    join_typology,
    need_class_from_k,
    need_class_from_values,
)
from ..base import SozialraumAlgorithm, de_en

RESULT_COLUMNS = ["bedarf_klasse", "versorgung_klasse_3", "typ_code", "typ_label", "prioritaet", "hinweis"]


class NeedCoverageAlgorithm(SozialraumAlgorithm):
    NAME = "needcoverage"
    GROUP_ID = "versorgung"

    NEED = "NEED"
    NEED_ID_FIELD = "NEED_ID_FIELD"
    NEED_FIELD = "NEED_FIELD"
    NEED_MODE = "NEED_MODE"
    N_NEED_CLASSES = "N_NEED_CLASSES"
    HIGHER_IS_MORE_NEED = "HIGHER_IS_MORE_NEED"
    COVERAGE = "COVERAGE"
    COVERAGE_ID_FIELD = "COVERAGE_ID_FIELD"
    COVERAGE_FIELD = "COVERAGE_FIELD"
    COVERAGE_MODE = "COVERAGE_MODE"
    OUTPUT = "OUTPUT"

    CHOICES = {NEED_MODE: ("classes", "values"), COVERAGE_MODE: ("classes", "values")}

    def displayName(self):
        return de_en("Bedarf und Versorgung", "Need and coverage")


    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.NEED, de_en("Bedarf: Quartiere mit Index-Ergebnis", "Need: districts with an index result"),
            [compat.SOURCE_VECTOR_ANY]))
        self.addParameter(QgsProcessingParameterField(
            self.NEED_ID_FIELD, de_en("Kennung der Quartiere (ID-Feld)", "District ID field"),
            parentLayerParameterName=self.NEED))
        self.addParameter(QgsProcessingParameterField(
            self.NEED_FIELD, de_en("Bedarfsfeld (z. B. index_class, status_class, index_value)",
                                   "Need field (e.g. index_class, status_class, index_value)"),
            defaultValue="index_class", parentLayerParameterName=self.NEED, type=compat.FIELD_ANY))
        self.add_choice(self.NEED_MODE, de_en("Art des Bedarfsfelds", "Kind of need field"), [
            ("classes", de_en("Klassen 1..k (höher = mehr Bedarf)", "classes 1..k (higher = more need)")),
            ("values", de_en("Werte (Drittel)", "values (terciles)")),
        ], "classes")
        self.addParameter(QgsProcessingParameterNumber(
            self.N_NEED_CLASSES, de_en("Anzahl der Bedarfsklassen k (für 'classes')",
                                       "Number of need classes k (for 'classes')"),
            type=compat.NUMBER_INTEGER, minValue=2, maxValue=20, defaultValue=5))
        higher = QgsProcessingParameterBoolean(
            self.HIGHER_IS_MORE_NEED, de_en("Höherer Wert = mehr Bedarf", "Higher value = more need"),
            defaultValue=True)
        higher.setFlags(higher.flags() | compat.FLAG_ADVANCED)
        self.addParameter(higher)
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.COVERAGE, de_en("Versorgung: Ergebnis je Quartier (Layer oder Tabelle)",
                                 "Coverage: result per district (layer or table)"),
            [compat.SOURCE_VECTOR_ANY]))
        self.addParameter(QgsProcessingParameterField(
            self.COVERAGE_ID_FIELD, de_en("Kennung im Versorgungsergebnis (ID-Feld)",
                                          "District ID field of the coverage"),
            parentLayerParameterName=self.COVERAGE))
        self.addParameter(QgsProcessingParameterField(
            self.COVERAGE_FIELD, de_en("Versorgungsfeld (z. B. versorgung_klasse, erreichbarkeit_index)",
                                       "Coverage field (e.g. versorgung_klasse, erreichbarkeit_index)"),
            defaultValue="versorgung_klasse", parentLayerParameterName=self.COVERAGE, type=compat.FIELD_ANY))
        self.add_choice(self.COVERAGE_MODE, de_en("Art des Versorgungsfelds", "Kind of coverage field"), [
            ("classes", de_en("Klassen 1 gut, 2 mittel, 3 gering", "classes 1 good, 2 medium, 3 poor")),
            ("values", de_en("Werte, höher = besser (Drittel)", "values, higher = better (terciles)")),
        ], "classes")
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, de_en("Bedarf und Versorgung", "Need and coverage")))
        self.addOutput(QgsProcessingOutputString("METHOD", de_en("Verfahren (JSON)", "Method record (JSON)")))
        for name, de, en in (("N_TYPED", "Quartiere mit Typ", "Districts with a type"),
                             ("N_NO_TYPE", "Quartiere ohne Typ", "Districts without a type"),
                             ("N_COVERAGE_ONLY", "IDs nur im Versorgungsergebnis", "IDs only in the coverage")):
            self.addOutput(QgsProcessingOutputNumber(name, de_en(de, en)))

    def _read(self, source, id_field, value_field, feedback, span):
        frame = self.read_source(source, [id_field, value_field], feedback, span)
        self.core_call(check_unique_ids, frame, id_field)
        values = self.core_call(numeric_columns, frame, [value_field], id_field)[value_field].to_numpy()
        keys = [district_key(v) for v in frame[id_field].tolist()]
        return frame, keys, values

    def process(self, parameters, context, feedback):
        need_source = self.source_or_fail(parameters, self.NEED, context)
        coverage_source = self.source_or_fail(parameters, self.COVERAGE, context)
        need_id = self.parameterAsString(parameters, self.NEED_ID_FIELD, context)
        need_field = self.parameterAsString(parameters, self.NEED_FIELD, context)
        coverage_id = self.parameterAsString(parameters, self.COVERAGE_ID_FIELD, context)
        coverage_field = self.parameterAsString(parameters, self.COVERAGE_FIELD, context)
        need_mode = self.choice(parameters, self.NEED_MODE, context)
        coverage_mode = self.choice(parameters, self.COVERAGE_MODE, context)
        k = self.parameterAsInt(parameters, self.N_NEED_CLASSES, context)
        higher_is_more = self.parameterAsBoolean(parameters, self.HIGHER_IS_MORE_NEED, context)

        need_frame, need_keys, need_values = self._read(need_source, need_id, need_field, feedback, (0.0, 20.0))
        _, coverage_keys, coverage_values = self._read(coverage_source, coverage_id, coverage_field, feedback,
                                                       (20.0, 40.0))
        if feedback.isCanceled():
            return {}
        if need_mode == "classes":
            need3 = self.core_call(need_class_from_k, need_values, k, higher_is_more)
        else:
            need3 = self.core_call(need_class_from_values, need_values, higher_is_more)
        if coverage_mode == "classes":
            coverage3 = self.core_call(coverage_classes_given, coverage_values, coverage_field)
        else:
            coverage3 = self.core_call(coverage_class_from_values, coverage_values)

        table, coverage_only = self.core_call(join_typology, need_keys, need3, coverage_keys, coverage3,
                                              need_field, coverage_field)
        table.index = need_frame.index
        n_typed = int(table["prioritaet"].notna().sum())
        known = set(coverage_keys)
        need_only = [key for key in need_keys if key not in known]
        if need_only:
            feedback.pushWarning(de_en(
                "{} Quartier(e) fehlen im Versorgungsergebnis und erhalten keinen Typ: {}.",
                "{} district(s) are missing from the coverage result and get no type: {}.",
            ).format(len(need_only), names(need_only)))
        if coverage_only:
            feedback.pushWarning(de_en(
                "{} ID(s) des Versorgungsergebnisses haben kein Quartier im Bedarfslayer: {}. Bitte prüfen Sie, "
                "ob beide Layer dieselbe Gebietsgliederung und dasselbe ID-Feld verwenden.",
                "{} ID(s) of the coverage result have no district in the need layer: {}. Please check that both "
                "layers use the same districts and the same ID field.",
            ).format(len(coverage_only), names(coverage_only)))
        feedback.setProgress(50)

        dest_id = self.write_result(parameters, self.OUTPUT, context, feedback, need_source, table,
                                    RESULT_COLUMNS, 50.0)
        if dest_id is None:
            return {}
        counts = table["typ_code"].value_counts().to_dict()
        method = {
            "algorithm": "sozialraum:" + self.NAME, "need_field": need_field, "need_mode": need_mode,
            "n_need_classes": k if need_mode == "classes" else None, "higher_is_more_need": higher_is_more,
            "coverage_field": coverage_field, "coverage_mode": coverage_mode,
            "types": {code: int(n) for code, n in sorted(counts.items())},
            "n_no_type": len(table) - n_typed, "coverage_only": coverage_only,
        }
        self.save_method(dest_id, method, context)
        attach_bivariate_style(context, dest_id, de_en("Bedarf und Versorgung", "Need and coverage"), method)
        feedback.pushInfo(de_en("{} Quartiere mit Typ, {} ohne Typ.", "{} districts with a type, {} without.")
                          .format(n_typed, len(table) - n_typed))
        return {self.OUTPUT: dest_id, "METHOD": json.dumps(method, ensure_ascii=False), "N_TYPED": n_typed,
                "N_NO_TYPE": len(table) - n_typed, "N_COVERAGE_ONLY": len(coverage_only)}
