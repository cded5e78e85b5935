"""The report table (XLSX or CSV): one row per quarter, numbers as numbers, headings in the report language.

Written with QGIS's own OGR writer (``QgsVectorFileWriter``, drivers ``XLSX`` and ``CSV``), so
no spreadsheet library is needed. Text is stored as text: a quarter called ``<script>`` or
``=1+1`` stays exactly that in the XLSX file. In CSV, text that a spreadsheet would run as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return, OWASP's rule) gets a
leading apostrophe.
"""

import math
import os

from qgis.core import (
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

from ..adapters import compat
from ..core.errors import InputError
from .rendering import translator

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text):
    """``text`` with a leading apostrophe where a spreadsheet would read it as a formula."""
    if isinstance(text, str) and text.startswith(_FORMULA_START):
        try:
            float(text.replace(",", "."))
            return text  # a plain negative number
        except ValueError:
            return "'" + text
    return text


def table_columns(model):
    """``[(heading, kind, getter)]`` of the report table; kind is ``str``, ``int`` or ``float``."""
    t = translator(model["lang"])
    columns = [
        (t("Rang", "Rank"), int, lambda q: q["rank"]),
        (t("Kennung", "ID"), str, lambda q: q["id"]),
        (t("Quartier", "Quarter"), str, lambda q: q["name"]),
        (t("Indexwert", "Index value"), float, lambda q: q["value"]),
        (t("Klasse", "Class"), int, lambda q: q["klass"]),
        (t("Klassenbezeichnung", "Class label"), str, lambda q: q["klass_label"]),
    ]
    if model["has_population"]:
        columns.append((t("Einwohner", "Inhabitants"), float, lambda q: q["population"]))
    # a quarter under statistical confidentiality has no indicator rows: its cells stay empty
    for j, indicator in enumerate(model["indicators"]):
        columns.append((indicator["label"], float,
                        lambda q, j=j: q["indicators"][j]["value"] if q["indicators"] else None))
    for j, indicator in enumerate(model["indicators"]):
        columns.append((t("Abweichung (SD): {}", "Deviation (SD): {}").format(indicator["label"]), float,
                        lambda q, j=j: q["indicators"][j]["deviation"] if q["indicators"] else None))
    if model["has_dynamics"]:
        columns.append((t("Dynamik", "Dynamics"), str, lambda q: (q["dynamics"] or {}).get("label")))
        columns.append((t("Besonderer Aufmerksamkeitsbedarf", "Needs particular attention"), str,
                        lambda q: None if not q["dynamics"] or q["dynamics"].get("attention") is None
                        else (t("ja", "yes") if q["dynamics"]["attention"] else t("nein", "no"))))
    for title in model["coverage_titles"]:
        columns.append((t("Versorgung: {}", "Coverage: {}").format(title), str,
                        lambda q, title=title: next((c["label"] for c in q["coverage"] if c["title"] == title), None)))
    if model["has_typology"]:
        columns.append((t("Bedarf und Versorgung", "Need and coverage"), str,
                        lambda q: (q["typology"] or {}).get("label")))
        columns.append((t("Priorität", "Priority"), int, lambda q: (q["typology"] or {}).get("priority")))
    columns += [
        (t("Bewertet", "Rated"), str, lambda q: t("ja", "yes") if q["rated"] else t("nein", "no")),
        (t("Grund (nicht bewertet)", "Reason (not rated)"), str, lambda q: q["reason"] or None),
        (t("Kurzbeschreibung", "Summary"), str, lambda q: q["sentence"]),
    ]
    return columns


def _plain(value, kind):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return kind(value)


def check_table_path(path):
    """Raise InputError unless ``path`` ends in .xlsx or .csv (checked before anything is written)."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in (".xlsx", ".csv"):
        raise InputError("Die Tabelle muss auf .xlsx oder .csv enden: {}".format(path),
                         "The table must end in .xlsx or .csv: {}".format(path))


def write_table(model, path):
    """Write the report table to ``path`` (``.xlsx`` or ``.csv``), ranked quarters first, then the rest."""
    check_table_path(path)
    columns = table_columns(model)
    types = {str: compat.FIELD_STRING, int: compat.FIELD_INT, float: compat.FIELD_DOUBLE}
    fields = QgsFields()
    for heading, kind, _ in columns:
        fields.append(QgsField(heading, types[kind]))
    layer = QgsVectorLayer("None", "quarters", "memory")
    layer.dataProvider().addAttributes(fields.toList())
    layer.updateFields()
    csv = os.path.splitext(path)[1].lower() == ".csv"
    features = []
    for quarter in model["ranking"] + model["not_rated"]:
        feature = QgsFeature(layer.fields())
        values = [_plain(getter(quarter), kind) for _, kind, getter in columns]
        feature.setAttributes([csv_safe(v) if csv else v for v in values])
        features.append(feature)
    if not layer.dataProvider().addFeatures(features)[0]:
        raise RuntimeError("report table rows could not be added: " + layer.dataProvider().lastError())
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "CSV" if csv else "XLSX"
    options.fileEncoding = "UTF-8"
    options.layerName = translator(model["lang"])("Quartiere", "Quarters")
    if csv:
        options.layerOptions = ["SEPARATOR={}".format("SEMICOLON" if model["lang"] == "de" else "COMMA"),
                                "WRITE_BOM=YES", "STRING_QUOTING=IF_NEEDED"]
    if os.path.exists(path):
        os.remove(path)
    result = QgsVectorFileWriter.writeAsVectorFormatV2(layer, path, QgsCoordinateTransformContext(), options)
    error, message = result[0], result[1]
    if error != QgsVectorFileWriter.WriterError.NoError:
        raise InputError("Die Tabelle {} konnte nicht geschrieben werden: {}".format(path, message),
                         "The table {} could not be written: {}".format(path, message))
    return path
