"""``sozialraum:needcoverage`` — need x coverage per district as a 3 x 3 typology with priorities."""

import json
import math

import numpy as np
import pandas as pd
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
from ...adapters.layers import read_table
from ...adapters.method_record import save_method
from ...core.coverage import need_class_from_k, need_class_from_values, need_coverage_typology
from ...core.errors import InputError, names
from ...core.frames import check_unique_ids, numeric_columns
from ..base import SozialraumAlgorithm, de_en
from ..help_catchments import need_coverage_help

RESULT_COLUMNS = ["bedarf_klasse", "versorgung_klasse_3", "typ_code", "typ_label", "prioritaet", "hinweis"]


def district_key(value):
    """A district ID as comparable text: ``7``, ``7.0`` and ``" 7"`` are the same district."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def coverage_class_from_values(values):
    """Coverage classes 1 good / 2 medium / 3 poor from values where higher = better, by terciles.

    With ``q1, q2`` the 1/3 and 2/3 quantiles of the non-missing values: class 1 (good) for
    ``v >= q2``, 2 for ``q1 <= v < q2``, 3 (poor) for ``v < q1`` – the need terciles of
    :func:`need_class_from_values` with the direction turned round. NaN stays NaN.
    """
    try:
        return need_class_from_values(values, higher_is_more_need=False)
    except InputError:
        raise InputError(
            "Für Versorgungsklassen nach Dritteln braucht es mindestens drei verschiedene Versorgungswerte.",
            "Coverage classes by terciles need at least three different coverage values.",
        ) from None


def coverage_classes_given(values, field):
    """Coverage classes already coded 1 good / 2 medium / 3 poor (NaN = no class); others are an error."""
    array = np.asarray(values, dtype="float64")
    bad = ~np.isnan(array) & ~np.isin(array, (1.0, 2.0, 3.0))
    if bad.any():
        shown = names(sorted(set(array[bad].tolist())))
        raise InputError(
            "Feld '{}' enthält Werte außer 1, 2, 3: {}. Versorgungsklassen sind 1 gut, 2 mittel, 3 gering; "
            "für Messwerte wie 'erreichbarkeit_index' wählen Sie die Art 'values'.".format(field, shown),
            "Field '{}' holds values other than 1, 2, 3: {}. Coverage classes are 1 good, 2 medium, 3 poor; "
            "for measured values such as 'erreichbarkeit_index' choose the mode 'values'.".format(field, shown),
        )
    return array


def join_typology(need_keys, need3, coverage_keys, coverage3, need_field, coverage_field):
    """The typology per need district, and the coverage IDs that have no need district.

    ``need_keys``/``need3``: district key and need class 1..3 (NaN = not rated) per need
    feature; ``coverage_keys``/``coverage3`` the same for the coverage rows. Returns
    ``(table, coverage_only)``: ``table`` in the order of the need features with
    ``bedarf_klasse``, ``versorgung_klasse_3``, ``typ_code``, ``typ_label``, ``prioritaet``
    (1 = act first) and ``hinweis`` (why a district has no type); ``coverage_only`` lists the
    coverage keys no need district carries.
    """
    lookup = dict(zip(coverage_keys, coverage3))
    matched = np.array([key in lookup for key in need_keys], dtype=bool)
    cover = np.array([lookup.get(key, np.nan) for key in need_keys], dtype="float64")
    need = np.asarray(need3, dtype="float64")
    codes, labels, priority = need_coverage_typology(need, cover)
    notes = []
    for n, key in enumerate(need_keys):
        parts = []
        if np.isnan(need[n]):
            parts.append(de_en("Bedarf nicht bewertet (kein Wert in '{}')".format(need_field),
                               "need not rated (no value in '{}')".format(need_field)))
        if not matched[n]:
            parts.append(de_en("ID '{}' fehlt im Versorgungsergebnis".format(key),
                               "ID '{}' is missing from the coverage result".format(key)))
        elif np.isnan(cover[n]):
            parts.append(de_en("keine Versorgungsklasse (kein Wert in '{}')".format(coverage_field),
                               "no coverage class (no value in '{}')".format(coverage_field)))
        notes.append("; ".join(parts))
    present = set(need_keys)
    coverage_only = [key for key in coverage_keys if key not in present]
    table = pd.DataFrame({
        "bedarf_klasse": pd.array(np.where(np.isnan(need), pd.NA, need), dtype="Int64"),
        "versorgung_klasse_3": pd.array(np.where(np.isnan(cover), pd.NA, cover), dtype="Int64"),
        "typ_code": pd.Series(list(codes), dtype="object"),
        "typ_label": pd.Series(list(labels), dtype="object"),
        "prioritaet": pd.array(np.where(np.isnan(priority), pd.NA, priority), dtype="Int64"),
        "hinweis": pd.Series(notes, dtype="object"),
    })
    return table, coverage_only


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

    def shortHelpString(self):
        return need_coverage_help()

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
        frame = self.core_call(read_table, source, [id_field, value_field], feedback, span)
        self.core_call(check_unique_ids, frame, id_field)
        values = self.core_call(numeric_columns, frame, [value_field], id_field)[value_field].to_numpy()
        keys = [district_key(v) for v in frame[id_field].tolist()]
        return frame, keys, values

    def processAlgorithm(self, parameters, context, feedback):
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
        save_method(dest_id, method, context)
        attach_bivariate_style(context, dest_id, de_en("Bedarf und Versorgung", "Need and coverage"), method)
        feedback.pushInfo(de_en("{} Quartiere mit Typ, {} ohne Typ.", "{} districts with a type, {} without.")
                          .format(n_typed, len(table) - n_typed))
        return {self.OUTPUT: dest_id, "METHOD": json.dumps(method, ensure_ascii=False), "N_TYPED": n_typed,
                "N_NO_TYPE": len(table) - n_typed, "N_COVERAGE_ONLY": len(coverage_only)}
