"""The report table (XLSX or CSV): one row per quarter, ranked quarters first, headings in the report language.

Every number is rounded as the HTML report shows it, from the same place: an indicator's values to its
``digits`` (report model: 0 from 100 up, 1 from 1 up, else 2), index values and deviations to
:data:`~.model.INDEX_DIGITS`, rank, class, priority and inhabitants to whole numbers. Quarters under
statistical confidentiality have empty cells (the model holds no value of them).

* **XLSX** (openpyxl): numbers are numbers, shown with their decimals and a thousands separator in the
  user's own spreadsheet language; a bold header row that stays in view together with rank, ID and name
  (frozen panes), an autofilter over the table, columns as wide as their values (at most :data:`MAX_WIDTH`
  characters); long headings wrap onto more lines instead of widening their column beyond
  :data:`HEADING_WIDTH`; printed in landscape with the header row on every page. Text is stored as
  text: a quarter called ``=1+1`` or ``<script>`` stays exactly that and is never a formula. Without
  openpyxl the report says which package to install (or to choose CSV) before anything is written.
* **CSV**, ``plain``: comma, decimal point, what any program reads; ``excel_de``: semicolon and decimal
  comma, for Excel and LibreOffice in German. Both UTF-8 with a byte order mark (Excel then reads umlauts),
  no thousands separator. Text a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, tab or carriage return, OWASP's rule) gets a leading apostrophe.

The functions return the file's bytes; the algorithm writes them into the staged destination.
"""

import csv
import io
import math
import os
import textwrap
from collections import namedtuple

from ..core.errors import InputError, format_number, install_texts
from .model import INDEX_DIGITS
from .rendering import number, translator

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: CSV variant -> (separator, number language: "en" decimal point, "de" decimal comma)
CSV_FORMATS = {"plain": (",", "en"), "excel_de": (";", "de")}
#: the first columns (rank, ID, name) stay in view when scrolling right
KEY_COLUMNS = 3
#: widest column in characters (a longer text runs into the next empty cell)
MAX_WIDTH = 50
#: a heading makes its column at most this wide (but as wide as its longest word); longer headings wrap
HEADING_WIDTH = 20
#: height of one line of text in points (Calibri 11, the default font)
LINE_HEIGHT = 15

Column = namedtuple("Column", "heading digits value")
Column.__doc__ = """A column of the table: its ``heading``, its decimals (``digits``: None for text, 0 for whole
numbers) and ``value(quarter)``."""


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
    """The :class:`Column` s of the report table of ``model``."""
    t = translator(model["lang"])
    columns = [
        Column(t("Rang", "Rank"), 0, lambda q: q["rank"]),
        Column(t("Kennung", "ID"), None, lambda q: q["id"]),
        Column(t("Quartier", "Quarter"), None, lambda q: q["name"]),
        Column(t("Indexwert", "Index value"), INDEX_DIGITS, lambda q: q["value"]),
        Column(t("Klasse", "Class"), 0, lambda q: q["klass"]),
        Column(t("Klassenbezeichnung", "Class label"), None, lambda q: q["klass_label"]),
    ]
    if model["has_population"]:
        columns.append(Column(t("Einwohner", "Inhabitants"), 0, lambda q: q["population"]))
    # a quarter under statistical confidentiality has no indicator rows: its cells stay empty
    for j, indicator in enumerate(model["indicators"]):
        columns.append(Column(indicator["label"], indicator["digits"],
                              lambda q, j=j: q["indicators"][j]["value"] if q["indicators"] else None))
    for j, indicator in enumerate(model["indicators"]):
        columns.append(Column(t("Abweichung (SD): {}", "Deviation (SD): {}").format(indicator["label"]), INDEX_DIGITS,
                              lambda q, j=j: q["indicators"][j]["deviation"] if q["indicators"] else None))
    if model["has_dynamics"]:
        columns.append(Column(t("Dynamik", "Dynamics"), None, lambda q: (q["dynamics"] or {}).get("label")))
        columns.append(Column(t("Besonderer Aufmerksamkeitsbedarf", "Needs particular attention"), None,
                              lambda q: None if not q["dynamics"] or q["dynamics"].get("attention") is None
                              else (t("ja", "yes") if q["dynamics"]["attention"] else t("nein", "no"))))
    for title in model["coverage_titles"]:
        columns.append(Column(t("Versorgung: {}", "Coverage: {}").format(title), None,
                              lambda q, title=title: next((c["label"] for c in q["coverage"] if c["title"] == title),
                                                          None)))
    if model["has_typology"]:
        columns.append(Column(t("Bedarf und Versorgung", "Need and coverage"), None,
                              lambda q: (q["typology"] or {}).get("label")))
        columns.append(Column(t("Priorität", "Priority"), 0, lambda q: (q["typology"] or {}).get("priority")))
    columns += [
        Column(t("Bewertet", "Rated"), None, lambda q: t("ja", "yes") if q["rated"] else t("nein", "no")),
        Column(t("Grund (nicht bewertet)", "Reason (not rated)"), None, lambda q: q["reason"] or None),
        Column(t("Kurzbeschreibung", "Summary"), None, lambda q: q["sentence"]),
    ]
    return columns


def cell_value(value, digits):
    """What a cell holds: None for no value, text as text, a number rounded to ``digits`` (0: an int)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if digits is None:
        return str(value)
    if digits == 0:
        return int(round(value))
    return round(float(value), digits) + 0.0  # + 0.0: no "-0.00"


def table_rows(model, columns):
    """The cell values of every quarter, ranked quarters first (by rank), then the others by ID."""
    return [[cell_value(column.value(quarter), column.digits) for column in columns]
            for quarter in model["ranking"] + model["not_rated"]]


def _openpyxl():
    """The openpyxl module, or an InputError that says how to install it (or to write CSV)."""
    try:
        import openpyxl
    except ImportError:
        de, en = install_texts(["openpyxl"])
        raise InputError("Für eine XLSX-Tabelle: " + de + " Oder die Tabelle als .csv speichern.",
                         "For an XLSX table: " + en + " Or save the table as .csv.") from None
    return openpyxl


def check_table_path(path):
    """Raise InputError unless ``path`` ends in .xlsx or .csv and can be written (checked before anything is)."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in (".xlsx", ".csv"):
        raise InputError("Die Tabelle muss auf .xlsx oder .csv enden: {}".format(path),
                         "The table must end in .xlsx or .csv: {}".format(path))
    if extension == ".xlsx":
        _openpyxl()


def number_format(digits):
    """The spreadsheet number format for ``digits`` decimals: ``#,##0`` or ``#,##0.00`` (shown in the
    separators of the reader's own language)."""
    return "#,##0" + ("." + "0" * digits if digits else "")


def column_width(heading, texts):
    """Width of a column (characters): its longest value plus a margin; the heading with room for the filter
    button up to :data:`HEADING_WIDTH` (its longest word always fits); at most :data:`MAX_WIDTH`."""
    heading_width = max([min(len(heading), HEADING_WIDTH)] + [len(word) for word in heading.split()]) + 4
    return min(max([heading_width] + [len(text) + 2 for text in texts]), MAX_WIDTH)


def heading_lines(heading, width):
    """Lines the ``heading`` wraps onto in a column ``width`` characters wide (with its filter button)."""
    return len(textwrap.wrap(heading, max(width - 4, 1))) or 1


def xlsx_bytes(model):
    """The report table of ``model`` as an XLSX file (bytes)."""
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import IllegalCharacterError

    t = translator(model["lang"])
    columns = table_columns(model)
    rows = table_rows(model, columns)
    book = openpyxl.Workbook()
    book.properties.title = model["title"]
    book.properties.creator = "QGIS Sozialraum"
    sheet = book.active
    sheet.title = t("Quartiere", "Quarters")
    header = Font(bold=True)
    for n, row in enumerate([[c.heading for c in columns]] + rows, start=1):
        for m, (column, value) in enumerate(zip(columns, row), start=1):
            try:
                cell = sheet.cell(row=n, column=m, value=value)
            except IllegalCharacterError:
                raise InputError("Der Text {!r} enthält Steuerzeichen, die eine XLSX-Datei nicht speichern kann. "
                                 "Bitte die Tabelle als .csv speichern.".format(value),
                                 "The text {!r} holds control characters an XLSX file cannot store. Please save the "
                                 "table as .csv.".format(value)) from None
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl takes text starting with "=" for a formula
            if n == 1:
                cell.font = header
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif column.digits is not None:
                cell.number_format = number_format(column.digits)
    lines = 1
    for m, column in enumerate(columns, start=1):
        texts = [str(row[m - 1]) if column.digits is None else number(row[m - 1], column.digits, model["lang"])
                 for row in rows if row[m - 1] is not None]
        width = column_width(column.heading, texts)
        sheet.column_dimensions[get_column_letter(m)].width = width
        lines = max(lines, heading_lines(column.heading, width))
    sheet.row_dimensions[1].height = LINE_HEIGHT * lines  # spreadsheets do not grow a row for wrapped text
    sheet.freeze_panes = sheet.cell(row=2, column=KEY_COLUMNS + 1).coordinate
    sheet.auto_filter.ref = "A1:{}{}".format(get_column_letter(len(columns)), len(rows) + 1)
    sheet.print_title_rows = "1:1"  # printed, every page starts with the headings
    sheet.page_setup.orientation = "landscape"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(model, csv_format="plain"):
    """The report table of ``model`` as CSV (bytes, UTF-8 with BOM) in the variant ``csv_format``
    (:data:`CSV_FORMATS`)."""
    separator, number_language = CSV_FORMATS[csv_format]
    columns = table_columns(model)
    text = io.StringIO()
    writer = csv.writer(text, delimiter=separator, lineterminator="\r\n")
    writer.writerow([csv_safe(column.heading) for column in columns])
    for row in table_rows(model, columns):
        writer.writerow(["" if value is None else csv_safe(value) if column.digits is None
                         else format_number(value, column.digits, number_language)
                         for column, value in zip(columns, row)])
    return text.getvalue().encode("utf-8-sig")


def table_bytes(model, path, csv_format="plain"):
    """The report table of ``model`` as the file ``path`` asks for (``.xlsx`` or ``.csv``), as bytes."""
    check_table_path(path)
    if os.path.splitext(path)[1].lower() == ".csv":
        return csv_bytes(model, csv_format)
    return xlsx_bytes(model)
