"""The report table (XLSX and CSV) without QGIS: rounding by column, types, layout and text that stays text.

Five quarters with hand-picked values; the method record gives the indicators' mean and SD (a: 20 and 5,
b reversed: 50 and 10), so every deviation is known by hand.
"""

import csv
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from sozialraum.core.errors import InputError
from sozialraum.report import model as M
from sozialraum.report.table import (
    MAX_WIDTH,
    column_width,
    csv_bytes,
    heading_lines,
    table_bytes,
    xlsx_bytes,
)
from test_report_model import COLORS, EVIL, index_method

FORMULA = "=1+1"
HEADER = ["Rang", "Kennung", "Quartier", "Indexwert", "Klasse", "Klassenbezeichnung", "Einwohner", "SGB-II-Quote",
          "Abiturquote", "Abweichung (SD): SGB-II-Quote", "Abweichung (SD): Abiturquote", "Bewertet",
          "Grund (nicht bewertet)", "Kurzbeschreibung"]
# ranked quarters by rank, then the one not rated (Q4, 120 inhabitants: below the minimum of 300)
IDS = ["Q10", "Q3", "Q2", "Q1", "Q4"]
INDEX = [1.23, 0.7, 0.0, -1.7, None]           # 1.23456, 0.7, 0.0049, -1.7049 to 2 decimals
SGB2 = [30.0, 25.0, 20.0, 15.3, None]          # largest 30.04: 1 decimal (15.26 -> 15.3)
ABITUR = [141, 40, 50, 70, None]               # largest 140.6: whole numbers
DEV_SGB2 = [2.01, 1.0, 0.0, -0.95, None]       # (30.04 - 20) / 5 = 2.008, (15.26 - 20) / 5 = -0.948
DEV_ABITUR = [-9.06, 1.0, 0.0, -2.0, None]     # reversed: -(140.6 - 50) / 10 = -9.06, -(70 - 50) / 10 = -2


def table_model(lang="de"):
    table = pd.DataFrame({
        "id": ["Q10", "Q2", "Q1", "Q3", "Q4"],
        "name": [EVIL, "Große Straße", FORMULA, "-Mitte", "Hafen"],
        "ew": [1000, 12345, 1500, 800, 120],
        "a": [30.04, 20.0, 15.26, 25.0, 10.0],
        "b": [140.6, 50.0, 70.0, 40.0, None],
        "index_value": [1.23456, 0.0049, -1.7049, 0.7, None],
        "index_rank": [1, 3, 4, 2, None],
        "index_class": [5, 3, 1, 4, None],
        "rated": [True, True, True, True, False],
        "note": ["", "", "", "", "zu wenige Einwohner"],
    })
    return M.build_model(table, index_method(), "id", lang=lang, name_field="name", colors=COLORS,
                         indicator_labels={"a": "SGB-II-Quote", "b": "Abiturquote"}, title="Bericht")


def sheet_of(data):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def column(sheet, heading):
    header = [cell.value for cell in sheet[1]]
    return [row[header.index(heading)] for row in sheet.iter_rows(min_row=2)]


def test_xlsx_rounds_each_column_as_the_report_shows_it_and_keeps_numbers_numbers():
    sheet = sheet_of(xlsx_bytes(table_model()))
    assert [cell.value for cell in sheet[1]] == HEADER and all(cell.font.b for cell in sheet[1])
    assert [c.value for c in column(sheet, "Kennung")] == IDS
    expected = {"Rang": ([1, 2, 3, 4, None], "#,##0"), "Indexwert": (INDEX, "#,##0.00"),
                "Klasse": ([5, 4, 3, 1, None], "#,##0"), "Einwohner": ([1000, 800, 12345, 1500, 120], "#,##0"),
                "SGB-II-Quote": (SGB2, "#,##0.0"), "Abiturquote": (ABITUR, "#,##0"),
                "Abweichung (SD): SGB-II-Quote": (DEV_SGB2, "#,##0.00"),
                "Abweichung (SD): Abiturquote": (DEV_ABITUR, "#,##0.00")}
    for heading, (values, number_format) in expected.items():
        cells = column(sheet, heading)
        assert [c.value for c in cells] == pytest.approx(values, abs=1e-12), heading
        for cell in cells:
            if cell.value is not None:
                assert cell.data_type == "n" and cell.number_format == number_format, heading
    assert all(isinstance(c.value, int) for c in column(sheet, "Einwohner") + column(sheet, "Abiturquote")
               if c.value is not None)


def test_xlsx_has_a_frozen_header_a_filter_fitted_columns_and_prints_its_header_on_every_page():
    sheet = sheet_of(xlsx_bytes(table_model()))
    assert sheet.freeze_panes == "D2"                       # header row, rank, ID and name stay in view
    assert sheet.auto_filter.ref == "A1:N6"                 # 14 columns, 5 quarters
    # printed: the headings on every page (openpyxl 3.1 may read the range back as "$1:$1")
    assert sheet.print_title_rows.replace("$", "") == "1:1" and sheet.page_setup.orientation == "landscape"
    widths = {heading: sheet.column_dimensions[letter].width for heading, letter in zip(HEADER, "ABCDEFGHIJKLMN")}
    assert widths["Rang"] == len("Rang") + 4                # the heading with its filter button
    assert widths["Quartier"] == len(EVIL) + 2              # the longest name
    assert widths["Einwohner"] == len("Einwohner") + 4      # "12.345" is shorter than the heading
    assert widths["Kurzbeschreibung"] == MAX_WIDTH          # sentences are longer: capped
    # a long heading wraps instead of widening its column: 29 characters in 24 -> 2 lines, the row 30 pt
    assert widths["Abweichung (SD): SGB-II-Quote"] == 24 and sheet.row_dimensions[1].height == 30


def test_xlsx_keeps_text_text():
    data = xlsx_bytes(table_model())
    names = column(sheet_of(data), "Quartier")
    assert [c.value for c in names] == [EVIL, "-Mitte", "Große Straße", FORMULA, "Hafen"]
    assert all(c.data_type == "s" for c in names)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode("utf-8")  # no formula anywhere


def test_a_quarter_under_confidentiality_has_empty_value_cells_in_every_format():
    sheet = sheet_of(xlsx_bytes(table_model()))
    hafen = {c.value: row[n].value for row in sheet.iter_rows(min_row=2) if row[1].value == "Q4"
             for n, c in enumerate(sheet[1])}
    for heading in ("Rang", "Indexwert", "Klasse", "SGB-II-Quote", "Abiturquote", "Abweichung (SD): SGB-II-Quote",
                    "Abweichung (SD): Abiturquote"):
        assert hafen[heading] is None, heading
    for csv_format, separator in (("plain", ","), ("excel_de", ";")):
        rows = list(csv.DictReader(io.StringIO(csv_bytes(table_model(), csv_format).decode("utf-8-sig")),
                                   delimiter=separator))
        row = next(r for r in rows if r["Kennung"] == "Q4")
        assert [row[h] for h in HEADER[3:5] + HEADER[7:11]] == [""] * 6, csv_format


def _csv_column(rows, heading):
    return [row[HEADER.index(heading)] for row in rows[1:]]


def test_german_csv_has_semicolons_decimal_commas_and_a_byte_order_mark():
    data = csv_bytes(table_model(), "excel_de")
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == HEADER and len(rows) == 6
    assert _csv_column(rows, "Indexwert") == ["1,23", "0,70", "0,00", "-1,70", ""]
    assert _csv_column(rows, "SGB-II-Quote") == ["30,0", "25,0", "20,0", "15,3", ""]
    assert _csv_column(rows, "Abiturquote") == ["141", "40", "50", "70", ""]
    assert _csv_column(rows, "Abweichung (SD): Abiturquote") == ["-9,06", "1,00", "0,00", "-2,00", ""]
    assert _csv_column(rows, "Einwohner") == ["1000", "800", "12345", "1500", "120"]   # no thousands separator
    # text a spreadsheet would run as a formula starts with an apostrophe; the rest stays as it is
    assert _csv_column(rows, "Quartier") == [EVIL, "'-Mitte", "Große Straße", "'" + FORMULA, "Hafen"]


def test_plain_csv_has_commas_and_decimal_points():
    data = table_bytes(table_model("en"), "table.CSV")   # the default variant; the extension in any case
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=","))
    assert rows[0][:4] == ["Rank", "ID", "Quarter", "Index value"]
    assert [row[3] for row in rows[1:]] == ["1.23", "0.70", "0.00", "-1.70", ""]
    assert [row[10] for row in rows[1:]] == ["-9.06", "1.00", "0.00", "-2.00", ""]


def test_english_xlsx_has_english_headings():
    sheet = sheet_of(xlsx_bytes(table_model("en")))
    assert sheet.title == "Quarters"
    assert [c.value for c in sheet[1]][:7] == ["Rank", "ID", "Quarter", "Index value", "Class", "Class label",
                                               "Inhabitants"]


def test_column_width_and_heading_lines():
    assert column_width("Rang", ["1", "12"]) == 8
    assert column_width("Quartier", ["x" * 100]) == MAX_WIDTH
    # a heading's longest word always fits, even beyond the heading width
    assert column_width("Klassenbezeichnung", []) == len("Klassenbezeichnung") + 4
    assert heading_lines("Abweichung (SD): Arbeitslosenquote", 24) == 2
    assert heading_lines("Rang", 8) == 1


def test_a_control_character_xlsx_cannot_store_gives_a_clear_message():
    """XML has no place for control characters such as \\x01: the XLSX says which text, the CSV keeps it."""
    model = table_model()
    model["ranking"][0]["name"] = "Hof\x01"
    with pytest.raises(InputError, match=r"Hof\\x01.*\.csv"):
        xlsx_bytes(model)
    assert "Hof\x01" in csv_bytes(model).decode("utf-8-sig")
