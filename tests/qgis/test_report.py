"""sozialraum:report end to end: HTML, PDF (checked with poppler's pdfinfo/pdftotext) and XLSX on a small town.

The quarters carry names that must stay text in every output: a script tag, quotes, umlauts and ß.
"""

import json
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from layers import polygon_layer
from qgis.core import (
    NULL,
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelParameter,
    QgsProcessingParameterVectorLayer,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

EVIL = "<script>alert(1)</script>"
BERLIN = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "berlin"
QUARTERS = [  # id, name, inhabitants, a (higher = more need), b
    ("Q1", EVIL, 1000, 30.0, 4.0),
    ("Q2", 'Am "Eck" – O\'Neills Hof', 900, 10.0, 1.0),
    ("Q3", "Große Straße", 800, 22.0, 3.0),
    ("Q4", "Mühlenviertel", 1200, 14.0, 2.5),
    ("Q5", "Hafen", 700, 25.0, 2.0),
    ("Q6", "Kleingärten", 50, 12.0, 1.5),   # below the minimum population: not rated
]
RATED = [q for q in QUARTERS if q[2] >= 300]
# By hand: min-max over the rated quarters, then 2·a + b: Q1 2·1 + 1 = 3, Q3 2·0.6 + 2/3 = 1.87,
# Q5 2·0.75 + 1/3 = 1.83, Q4 2·0.2 + 0.5 = 0.9, Q2 0; Q6 is not rated and comes last.
BY_RANK = ["Q1", "Q3", "Q5", "Q4", "Q2", "Q6"]
LABELS = "a=Arbeitslosenquote (%); b=Kinderarmut (%)"
# poppler-utils is one of the Makefile's packages (make setup installs it)
assert shutil.which("pdftotext") and shutil.which("pdfinfo"), "poppler-utils missing: run make setup"


def _processing(name, parameters, context=None):
    return _processing_native(name, parameters, context, provider="sozialraum")


def _processing_native(name, parameters, context=None, provider="native"):
    import processing

    return processing.run(provider + ":" + name, parameters, context=context or QgsProcessingContext(),
                          feedback=QgsProcessingFeedback())


@pytest.fixture(scope="module")
def index_result(plugin, tmp_path_factory):
    """A districtindex result saved to a GeoPackage (min-max, quantiles, weight 2 on 'a')."""
    folder = tmp_path_factory.mktemp("report")
    layer = polygon_layer([{"id": q, "name": n, "ew": ew, "a": a, "b": b} for q, n, ew, a, b in QUARTERS])
    source = str(folder / "quartiere.gpkg")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    QgsVectorFileWriter.writeAsVectorFormatV3(layer, source, QgsCoordinateTransformContext(), options)
    output = str(folder / "index.gpkg")
    _processing("districtindex", {
        "INPUT": source, "ID_FIELD": "id", "INDICATORS": ["a", "b"], "WEIGHTS": "a=2", "NORMALIZATION": "minmax",
        "AGGREGATION": "sum", "CLASSIFICATION": "quantile", "N_CLASSES": 3, "POPULATION_FIELD": "ew",
        "MIN_POPULATION": 300, "OUTPUT": output})
    return folder, output


def _report(index_result, lang, **extra):
    folder, output = index_result
    stem = folder / "bericht_{}".format(lang)
    parameters = {"INPUT": output, "NAME_FIELD": "name", "INDICATOR_LABELS": LABELS, "TITLE": "Testbericht",
                  "ORGANISATION": "Stadt Test", "DATA_DATE": "31.12.2024", "LANGUAGE": lang,
                  "OUTPUT_HTML": str(stem) + ".html", "OUTPUT_PDF": str(stem) + ".pdf",
                  "OUTPUT_TABLE": str(stem) + ".xlsx"}
    parameters.update(extra)
    return _processing("report", parameters)


LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20">'
        '<rect width="40" height="20" fill="#8c2d04"/><image xlink:href="https://example.org/x.png" width="4" '
        'height="4"/></svg>')


@pytest.fixture(scope="module")
def german(index_result):
    """German report with an SVG logo (it points to the web) and one coverage result (Kitas)."""
    folder = index_result[0]
    (folder / "logo.svg").write_text(LOGO, encoding="utf-8")
    coverage = polygon_layer([{"id": q, "versorgung_klasse": c, "versorgungsquote": r, "anteil_300": share}
                              for q, c, r, share in [("Q1", 3, 0.12, 0.25), ("Q2", 1, 0.45, 1.0), ("Q3", 2, 0.3, 0.5),
                                                     ("Q4", 1, 0.5, 0.9), ("Q5", 3, 0.1, 0.2), ("Q6", 2, 0.3, 0.6)]],
                              name="versorgung")
    return _report(index_result, "de", LOGO=str(folder / "logo.svg"), COVERAGE=[coverage], COVERAGE_TITLES="Kitas")


@pytest.fixture(scope="module")
def english(index_result):
    return _report(index_result, "en", OUTPUT_TABLE=None)


def _pdf_pages(path):
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _pdf_text(path, page):
    """The text of one PDF page as a reader would search it: typographic ligatures (the font may set "fi"
    as the one glyph "\ufb01", depending on the fonts installed) folded back into their letters (NFKC)."""
    text = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), path, "-"],
                          capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", text)


def test_html_is_self_contained_and_names_every_rated_quarter(german):
    html = Path(german["OUTPUT_HTML"]).read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for _, name, *_ in RATED:
        escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") \
            .replace("'", "&#39;")
        assert escaped in html, name
    assert german["N_QUARTERS"] == 6
    assert 'class="logo" src="data:image/png;base64,' in html   # the SVG logo is drawn to pixels


def test_coverage_results_join_by_id(german):
    html = Path(german["OUTPUT_HTML"]).read_text(encoding="utf-8")
    assert "Gering versorgt: Kitas." in html                       # Q1 and Q5 have class 3
    assert "Anteil mit Einrichtung in höchstens 300 m (%)" in html and "25,0" in html
    layer = QgsVectorLayer(german["OUTPUT_TABLE"], "table", "ogr")
    coverage = {f["Kennung"]: f["Versorgung: Kitas"] for f in layer.getFeatures()}
    # Q6 (50 inhabitants, below the minimum) publishes no value, its coverage class neither (confidentiality)
    assert coverage == {"Q1": "gering", "Q2": "gut", "Q3": "mittel", "Q4": "gut", "Q5": "gering", "Q6": NULL}


def test_html_method_states_the_parameters_actually_used(german):
    html = Path(german["OUTPUT_HTML"]).read_text(encoding="utf-8")
    assert "Min-Max-Skalierung auf 0–100" in html
    assert "Quantile (gleich viele Quartiere je Klasse), 3 Klassen" in html
    assert "Gewichte: Arbeitslosenquote (%) 2, Kinderarmut (%) 1" in html
    assert "weniger als 300 Einwohnern (Feld „ew“)" in html and "Datenstand: 31.12.2024." in html
    # the quarter below the minimum population is listed in the annex with its reason
    assert "weniger als 300 Einwohner (50)" in html


def test_pdf_has_the_overview_and_one_page_per_quarter(german):
    path = german["OUTPUT_PDF"]
    pages = _pdf_pages(path)
    assert pages == german["N_PAGES"]
    overview = pages - len(QUARTERS)
    assert overview >= 2
    first = _pdf_text(path, 1)
    assert "Testbericht" in first and "Zusammenfassung" in first and "Quartiere mit dem größten Bedarf" in first
    assert "Methode" in _pdf_text(path, 2)
    # the coverage section (Kitas) prints on a page of its own before the profiles, with its class meanings
    coverage = _pdf_text(path, overview)
    assert "Versorgung: Kitas" in coverage and "Gering versorgte Quartiere" in coverage
    by_id = {key: name for key, name, *_ in QUARTERS}
    for n, key in enumerate(BY_RANK):   # profiles by rank (the default), names as text
        name = by_id[key]
        text = _pdf_text(path, overview + n + 1)
        assert "Quartierssteckbrief" in text and name in text and key in text, (n, name)
        assert "Seite {} von {}".format(overview + n + 1, pages) in text
        assert "Datenstand 31.12.2024" in text  # the footer gives the data date, not the day of printing


def _profile_ids(result):
    """IDs of the profiles in the order of the PDF's last pages and of the HTML's profile articles."""
    import re

    pages = result["N_PAGES"]
    ids = {key for key, *_ in QUARTERS}
    in_pdf = []
    for page in range(pages - len(QUARTERS) + 1, pages + 1):
        title = [line.split() for line in _pdf_text(result["OUTPUT_PDF"], page).splitlines() if line.strip()]
        in_pdf.append(next(word for words in title for word in words if word in ids))
    html = Path(result["OUTPUT_HTML"]).read_text(encoding="utf-8")
    in_html = re.findall(r'<article class="profile"[^>]*>\s*<h3>.*?<span class="id">(.*?)</span>', html)
    return in_pdf, in_html


@pytest.mark.parametrize("order, expected", [
    ("rank", BY_RANK),
    ("id", ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]),
    # "<script>…", "Am „Eck“ …", "Große Straße", "Hafen", "Kleingärten", "Mühlenviertel"
    ("name", ["Q1", "Q2", "Q3", "Q5", "Q6", "Q4"]),
])
def test_profiles_in_the_order_chosen_in_pdf_and_html(index_result, german, tmp_path, order, expected):
    if order == "rank":  # the default: the German report was made without PROFILE_ORDER
        result = german
    else:
        result = _report(index_result, "de", PROFILE_ORDER=order, OUTPUT_TABLE=None,
                         OUTPUT_HTML=str(tmp_path / "b.html"), OUTPUT_PDF=str(tmp_path / "b.pdf"))
    in_pdf, in_html = _profile_ids(result)
    assert in_pdf == expected and in_html == expected


def test_pdf_document_properties(german):
    info = subprocess.run(["pdfinfo", german["OUTPUT_PDF"]], capture_output=True, text=True, check=True).stdout
    properties = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert properties["Title"].strip() == "Testbericht" and properties["Author"].strip() == "Stadt Test"
    assert "Indikatoren" in properties["Subject"] and "31.12.2024" in properties["Keywords"]
    assert "; de" in properties["Keywords"]  # the document's language


def test_xlsx_keeps_names_as_text_and_numbers_as_numbers(german):
    layer = QgsVectorLayer(german["OUTPUT_TABLE"], "table", "ogr")
    assert layer.isValid()
    rows = [feature.attributes() for feature in layer.getFeatures()]
    names = layer.fields().names()
    assert names[:4] == ["Rang", "Kennung", "Quartier", "Indexwert"]
    assert {row[2] for row in rows} == {name for _, name, *_ in QUARTERS}
    assert [row[0] for row in rows[:len(RATED)]] == sorted(row[0] for row in rows[:len(RATED)])
    assert isinstance(rows[0][0], int) and isinstance(rows[0][3], float)


XLSX_HEADER = ["Rang", "Kennung", "Quartier", "Indexwert", "Klasse", "Klassenbezeichnung", "Einwohner",
               "Arbeitslosenquote (%)", "Kinderarmut (%)", "Abweichung (SD): Arbeitslosenquote (%)",
               "Abweichung (SD): Kinderarmut (%)", "Versorgung: Kitas", "Bewertet", "Grund (nicht bewertet)",
               "Kurzbeschreibung"]


def _hand_index():
    """The index of the rated quarters by hand: min-max to 0-100 over the rated quarters, 2 a + b, z-scored
    with the population SD (Q1: a and b at their maximum, 2 * 100 + 100 = 300; mean 152, SD 101.03: 1.4649)."""
    import numpy as np

    a = np.array([q[3] for q in RATED])
    b = np.array([q[4] for q in RATED])
    total = 2 * 100 * (a - a.min()) / (a.max() - a.min()) + 100 * (b - b.min()) / (b.max() - b.min())
    return {q[0]: z for q, z in zip(RATED, (total - total.mean()) / total.std())}


def test_xlsx_table_is_ready_for_the_council(german):
    """Readable headings, rounded numbers that stay numbers, a frozen header with rank, ID and name, a filter."""
    import openpyxl

    sheet = openpyxl.load_workbook(german["OUTPUT_TABLE"]).active
    assert sheet.title == "Quartiere"
    assert [cell.value for cell in sheet[1]] == XLSX_HEADER and all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "D2" and sheet.auto_filter.ref == "A1:O7"
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    hand = _hand_index()
    assert hand["Q1"] == pytest.approx(1.4649, abs=1e-4)
    for key, z in hand.items():
        cell = rows[key][3]
        assert cell.value == round(z, 2) and cell.data_type == "n" and cell.number_format == "#,##0.00", key
    ranks = sorted(hand, key=hand.get, reverse=True)
    assert [rows[key][0].value for key in ranks] == [1, 2, 3, 4, 5]
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == ranks + ["Q6"]   # ranked first, then the rest
    for key, name, inhabitants, a, b in RATED:  # indicators have 1 decimal (largest value 30 and 4)
        assert [rows[key][n].value for n in (6, 7, 8)] == [inhabitants, a, b] and isinstance(rows[key][6].value, int)
        assert rows[key][7].number_format == "#,##0.0" and rows[key][2].value == name
    assert rows["Q1"][2].data_type == "s"
    assert sheet.column_dimensions["C"].width == len(EVIL) + 2   # the longest name


def test_german_csv_for_excel(index_result, german, tmp_path):
    """CSV_FORMAT=excel_de: semicolons, decimal commas, UTF-8 with BOM; the same numbers as the XLSX."""
    import csv

    import openpyxl

    result = _report(index_result, "de", OUTPUT_HTML=None, OUTPUT_PDF=None, CSV_FORMAT="excel_de",
                     OUTPUT_TABLE=str(tmp_path / "tabelle.csv"))
    assert os.listdir(tmp_path) == ["tabelle.csv"]   # nothing left of the staging
    data = Path(result["OUTPUT_TABLE"]).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == XLSX_HEADER[:11] + XLSX_HEADER[12:]   # no coverage in this run
    sheet = openpyxl.load_workbook(german["OUTPUT_TABLE"]).active
    xlsx = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    for row in rows[1:]:
        expected = xlsx[row[1]]
        assert row[2] == expected[2]
        for n, digits in ((3, 2), (6, 0), (7, 1), (8, 1), (9, 2), (10, 2)):
            if expected[n] is None:
                assert row[n] == "", (row[1], n)
            else:
                assert row[n] == "{:.{}f}".format(expected[n], digits).replace(".", ","), (row[1], n)
    assert rows[1][3] == "1,46"   # Q1 by hand: 1.4649


def test_plain_csv_stays_the_default(index_result, tmp_path):
    """Without CSV_FORMAT (old models and scripts) a German report's CSV has commas and decimal points."""
    import csv

    result = _report(index_result, "de", OUTPUT_HTML=None, OUTPUT_PDF=None,
                     OUTPUT_TABLE=str(tmp_path / "tabelle.csv"))
    rows = list(csv.reader(Path(result["OUTPUT_TABLE"]).read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:4] == ["Rang", "Kennung", "Quartier", "Indexwert"] and rows[1][3] == "1.46"
    assert rows[1][2] == EVIL


def test_xlsx_without_openpyxl_says_what_to_do(index_result, tmp_path, monkeypatch):
    """Where openpyxl is missing an XLSX table stops the run before anything is written, naming the package
    and the way out (CSV); a CSV table still works."""
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)   # import openpyxl now raises ImportError
    with pytest.raises(QgsProcessingException) as error:
        _report(index_result, "de", OUTPUT_PDF=None, OUTPUT_HTML=str(tmp_path / "b.html"),
                OUTPUT_TABLE=str(tmp_path / "b.xlsx"))
    assert "openpyxl" in str(error.value) and "apt install python3-openpyxl" in str(error.value)
    assert ".csv" in str(error.value)
    assert os.listdir(tmp_path) == []
    result = _report(index_result, "de", OUTPUT_PDF=None, OUTPUT_HTML=None, OUTPUT_TABLE=str(tmp_path / "b.csv"))
    assert EVIL in Path(result["OUTPUT_TABLE"]).read_text(encoding="utf-8-sig")


def test_english_report(english):
    html = Path(english["OUTPUT_HTML"]).read_text(encoding="utf-8")
    assert "Summary" in html and "Quarter profiles" in html and "min-max scaling to 0–100" in html
    assert "fewer than 300 inhabitants (50)" in html
    text = _pdf_text(english["OUTPUT_PDF"], english["N_PAGES"])
    assert "Quarter profile" in text and "Page {} of {}".format(english["N_PAGES"], english["N_PAGES"]) in text


def test_user_template_with_a_missing_variable_fails_clearly(index_result, tmp_path):
    (tmp_path / "bericht.html").write_text("<p>{{ report.title }}</p>\n<p>{{ unbekannt }}</p>", encoding="utf-8")
    with pytest.raises(QgsProcessingException) as error:
        _report(index_result, "de", TEMPLATE=str(tmp_path), OUTPUT_PDF=None, OUTPUT_TABLE=None)
    message = str(error.value)
    assert "bericht.html" in message and "unbekannt" in message and "2" in message


def test_user_template_folder_is_used(index_result, tmp_path):
    (tmp_path / "bericht.html").write_text("<h1>{{ report.title }}</h1>{% for q in report.ranking %}"
                                           "<p>{{ q.rank }} {{ q.name }}</p>{% endfor %}", encoding="utf-8")
    result = _report(index_result, "de", TEMPLATE=str(tmp_path), OUTPUT_PDF=None, OUTPUT_TABLE=None)
    html = Path(result["OUTPUT_HTML"]).read_text(encoding="utf-8")
    assert html.startswith("<h1>Testbericht</h1><p>1 ") and "&lt;script&gt;" in html


def test_bad_input_and_no_output_are_reported(index_result, tmp_path):
    plain = polygon_layer([{"id": "A", "x": 1.0}])
    with pytest.raises(QgsProcessingException, match="Verfahrensbeschreibung|method record"):
        _processing("report", {"INPUT": plain, "OUTPUT_HTML": str(tmp_path / "x.html")})
    with pytest.raises(QgsProcessingException, match="mindestens eine Ausgabe|at least one output"):
        _report(index_result, "de", OUTPUT_HTML=None, OUTPUT_PDF=None, OUTPUT_TABLE=None)


def test_report_runs_inside_a_model(plugin, tmp_path):
    """districtindex -> report in a Processing model: the method record travels with the temporary layer."""
    model = QgsProcessingModelAlgorithm("bericht", "test")
    model.addModelParameter(QgsProcessingParameterVectorLayer("quartiere", "Quartiere"),
                            QgsProcessingModelParameter("quartiere"))
    static = QgsProcessingModelChildParameterSource.fromStaticValue
    index = QgsProcessingModelChildAlgorithm("sozialraum:districtindex")
    index.setChildId("index")
    index.addParameterSources("INPUT", [QgsProcessingModelChildParameterSource.fromModelParameter("quartiere")])
    for name, value in (("ID_FIELD", "id"), ("INDICATORS", ["a", "b"]), ("POPULATION_FIELD", "ew"),
                        ("MIN_POPULATION", 300), ("CLASSIFICATION", "quantile"), ("N_CLASSES", 3)):
        index.addParameterSources(name, [static(value)])
    model.addChildAlgorithm(index)
    report = QgsProcessingModelChildAlgorithm("sozialraum:report")
    report.setChildId("report")
    report.addParameterSources("INPUT", [QgsProcessingModelChildParameterSource.fromChildOutput("index", "OUTPUT")])
    for name, value in (("NAME_FIELD", "name"), ("OUTPUT_HTML", str(tmp_path / "model.html"))):
        report.addParameterSources(name, [static(value)])
    report.addParameterSources("OUTPUT_PDF", [static(None)])
    report.setDependencies([])
    model.addChildAlgorithm(report)
    layer = polygon_layer([{"id": q, "name": n, "ew": ew, "a": a, "b": b} for q, n, ew, a, b in QUARTERS])
    import processing

    processing.run(model, {"quartiere": layer}, context=QgsProcessingContext(), feedback=QgsProcessingFeedback())
    html = (tmp_path / "model.html").read_text(encoding="utf-8")
    assert "Große Straße" in html and "http://" not in html


def _qgis_process():
    for name in ("qgis_process.bin", "qgis_process"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def test_report_from_qgis_process(index_result, tmp_path):
    assert _qgis_process(), "qgis_process comes with Debian's qgis package (make setup)"
    root = Path(__file__).resolve().parents[2]
    plugins = tmp_path / "config" / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    (plugins / "sozialraum").symlink_to(root, target_is_directory=True)
    ini = tmp_path / "config" / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nsozialraum=true\n", encoding="utf-8")
    html, table = tmp_path / "cli.html", tmp_path / "cli.csv"
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "config"), QT_QPA_PLATFORM="offscreen")
    completed = subprocess.run(
        [_qgis_process(), "run", "sozialraum:report", "--INPUT=" + index_result[1], "--NAME_FIELD=name",
         "--LANGUAGE=en", "--OUTPUT_HTML=" + str(html), "--OUTPUT_TABLE=" + str(table)],
        env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Quarter profiles" in html.read_text(encoding="utf-8")
    text = table.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Rank,ID,Quarter,Index value")
    assert EVIL in text and "Große Straße" in text


def test_a_quarter_below_the_minimum_population_publishes_no_value_in_any_format(index_result, english, tmp_path):
    """Kleingärten has 50 inhabitants (minimum 300), a = 12 and b = 1.5: neither value, nor a deviation, a bar chart
    or a coverage figure of it appears in the HTML, the PDF, the XLSX or the CSV; its profile says why."""
    import csv
    import re

    import openpyxl

    coverage = polygon_layer([{"id": q, "versorgung_klasse": 2, "versorgungsquote": 0.3, "anteil_300": 0.6}
                              for q, *_ in QUARTERS], name="versorgung")
    german = _report(index_result, "de", COVERAGE=[coverage], COVERAGE_TITLES="Kitas",
                     OUTPUT_HTML=str(tmp_path / "b.html"), OUTPUT_PDF=str(tmp_path / "b.pdf"),
                     OUTPUT_TABLE=str(tmp_path / "b.xlsx"))
    html = Path(german["OUTPUT_HTML"]).read_text(encoding="utf-8")
    profile = re.search(r'<article class="profile"[^>]*>\s*<h3>Kleingärten.*?</article>', html, re.S).group(0)
    assert "<svg" not in profile.replace(profile[profile.find("<div>"):profile.find("</div>") + 6], "")  # no chart
    assert "12,0" not in profile and "1,5" not in profile and "Kitas" not in profile
    assert "Geheimhaltung" in profile and "weniger als 300 Einwohner (50)" in profile
    pages = german["N_PAGES"]
    texts = [_pdf_text(german["OUTPUT_PDF"], page) for page in range(1, pages + 1)]
    small = [text for text in texts if "Quartierssteckbrief" in text and "· Kleingärten ·" in text]  # its footer
    assert len(small) == 1 and "Geheimhaltung" in small[0]
    assert not re.search(r"\b12,0\b|\b1,5\b", small[0]), small[0]
    sheet = openpyxl.load_workbook(german["OUTPUT_TABLE"]).active
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[header.index("Kennung")] == "Q6")
    for heading, value in zip(header, row):
        if heading.startswith(("Arbeitslosenquote", "Kinderarmut", "Abweichung", "Indexwert", "Versorgung")):
            assert value in (None, ""), (heading, value)
    german_csv = _report(index_result, "de", COVERAGE=[coverage], COVERAGE_TITLES="Kitas", CSV_FORMAT="excel_de",
                         OUTPUT_HTML=None, OUTPUT_PDF=None, OUTPUT_TABLE=str(tmp_path / "b.csv"))
    rows = list(csv.DictReader(Path(german_csv["OUTPUT_TABLE"]).read_text(encoding="utf-8-sig").splitlines(),
                               delimiter=";"))
    small = next(r for r in rows if r["Kennung"] == "Q6")
    assert small["Quartier"] == "Kleingärten" and small["Einwohner"] == "50"
    for heading, value in small.items():
        if heading.startswith(("Arbeitslosenquote", "Kinderarmut", "Abweichung", "Indexwert", "Versorgung")):
            assert value == "", (heading, value)
    english_text = _pdf_text(english["OUTPUT_PDF"], english["N_PAGES"])
    assert "Kleingärten" in english_text and "confidentiality" in english_text and "1.5" not in english_text


def test_a_version_1_method_record_still_reads(index_result, tmp_path):
    """Results written before the typed record (no "version" key) report as before."""
    import contextlib
    import json
    import shutil
    import sqlite3

    folder, output = index_result
    old = tmp_path / "alt.gpkg"
    shutil.copyfile(output, old)
    with contextlib.closing(sqlite3.connect(str(old))) as connection, connection:
        layer, text = connection.execute("SELECT layer, method FROM sozialraum_method").fetchone()
        record = json.loads(text)
        assert record.pop("version") == 2
        connection.execute("UPDATE sozialraum_method SET method = ? WHERE layer = ?", (json.dumps(record), layer))
    result = _processing("report", {"INPUT": str(old), "NAME_FIELD": "name", "OUTPUT_HTML": str(tmp_path / "a.html")})
    html = Path(result["OUTPUT_HTML"]).read_text(encoding="utf-8")
    assert "Mühlenviertel" in html and "min-max" in html.lower()


@pytest.fixture(scope="module")
def musterstadt_index(plugin, tmp_path_factory):
    """The social index of the demo town Musterstadt (64 quarters, about 8 km wide)."""
    demo = Path(__file__).resolve().parents[2] / "resources" / "demo" / "musterstadt.gpkg"
    return _processing("districtindex", {
        "INPUT": "{}|layername=quartiere".format(demo), "ID_FIELD": "quartier_id",
        "INDICATORS": ["q_sgb2_2024", "q_alo_2024"], "POPULATION_FIELD": "ew_gesamt",
        "OUTPUT": str(tmp_path_factory.mktemp("musterstadt") / "index.gpkg")})["OUTPUT"]


@pytest.fixture(scope="module")
def musterstadt_pdf(musterstadt_index, tmp_path_factory):
    return _processing("report", {"INPUT": musterstadt_index, "NAME_FIELD": "name",
                                  "OUTPUT_PDF": str(tmp_path_factory.mktemp("musterstadt_pdf") / "b.pdf")})


def test_overview_scale_bar_in_kilometres_counts_up(musterstadt_pdf):
    """Musterstadt is about 8 km wide: the overview's scale bar is in km and its labels rise (they read
    "0 0 0 km" when the kilometres were divided by 1000 a second time)."""
    import re

    pdf = musterstadt_pdf
    lines = [line for line in _pdf_text(pdf["OUTPUT_PDF"], 1).splitlines() if line.strip().endswith(" km")]
    assert len(lines) == 1, lines
    labels = [float(value.replace(",", ".")) for value in re.findall(r"\d+(?:,\d+)?", lines[0])]
    assert len(labels) >= 2 and labels[0] == 0 and all(b > a for a, b in zip(labels, labels[1:])), lines[0]


def test_pdf_pages_stay_within_the_budget_that_keeps_berlin_under_20_mb(musterstadt_pdf):
    """Berlin's report (448 quarters, 460 pages) must stay under 20 MB: 43 kB a page on average. Musterstadt's
    pages carry the same maps, labels and charts; with haloed labels and JPEG charts they took 115 kB a page
    (the demo's 7.8 MB for 68 pages)."""
    size = os.path.getsize(musterstadt_pdf["OUTPUT_PDF"])
    assert size / musterstadt_pdf["N_PAGES"] <= 20e6 / 460


def test_pdf_legend_goes_from_most_to_least_need_with_meaning_and_counts(german):
    """Three quantile classes of five rated quarters (2, 2, 1 by the ranking) and one not rated."""
    import re

    text = _pdf_text(german["OUTPUT_PDF"], 1)
    lines = {int(m.group(1)): (n, m.group(0)) for n, line in enumerate(text.splitlines())
             for m in [re.search(r"\b([123]) – .*?· (hoch|mittel|gering) \((\d+)\)", line)] if m}
    assert sorted(lines) == [1, 2, 3]
    assert lines[3][0] < lines[2][0] < lines[1][0]  # the class of most need on top
    assert "· hoch (" in lines[3][1] and "· gering (" in lines[1][1]
    assert sum(int(re.search(r"\((\d+)\)", line).group(1)) for _, line in lines.values()) == len(RATED)
    assert "nicht bewertet (1)" in text and "Klassen · Bedarf (Anzahl)" in text


@pytest.fixture(scope="module")
def coverage_report(index_result, plugin):
    """Six 100 m squares in a row, centroids 100 m apart; Kita A (1,000 places) in Q2, Kita B (100) in Q5; 2SFCA
    within 150 m, norm 0.3; the need x coverage typology of it; a German HTML report with both."""
    folder, output = index_result
    services = QgsVectorLayer("Point?crs=EPSG:25832&field=name:string&field=plaetze:double", "kitas", "memory")
    for name, x, places in (("A", 400150, 1000.0), ("B", 400450, 100.0)):
        feature = QgsFeature(services.fields())
        feature.setAttributes([name, places])
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, 5700050)))
        services.dataProvider().addFeature(feature)
    coverage = _processing("servicecoverage", {
        "DISTRICTS": str(folder / "quartiere.gpkg"), "ID_FIELD": "id", "TARGET_POPULATION_FIELD": "ew",
        "SERVICES": services, "CAPACITY_FIELD": "plaetze", "DISTANCE": "150", "METHOD": "2sfca", "NORM": 0.3,
        "OUTPUT": str(folder / "versorgung_abschnitt.gpkg")})
    typology = _processing("needcoverage", {
        "NEED": output, "NEED_ID_FIELD": "id", "NEED_FIELD": "index_class", "NEED_MODE": "classes",
        "N_NEED_CLASSES": 3, "COVERAGE": coverage["OUTPUT"], "COVERAGE_ID_FIELD": "id",
        "COVERAGE_FIELD": "versorgung_klasse", "COVERAGE_MODE": "classes",
        "OUTPUT": str(folder / "bedarf_versorgung_abschnitt.gpkg")})
    report = _report(index_result, "de", COVERAGE=[coverage["OUTPUT"]], COVERAGE_TITLES="Kitas", OUTPUT_PDF=None,
                     OUTPUT_TABLE=None, OUTPUT_HTML=str(folder / "abschnitt.html"), NEED_COVERAGE=typology["OUTPUT"])
    return report, coverage, output


def test_the_coverage_section_explains_every_class_from_the_recorded_method(coverage_report):
    """A reaches Q1-Q3 (2,700 inhabitants): 1000/2700 = 0.370 places per person; B reaches Q4-Q6 (1,950):
    100/1950 = 0.0513. Q1 has no Kita inside but 123 % of the norm in reach: "gut"."""
    report, coverage, output = coverage_report
    html = Path(report["OUTPUT_HTML"]).read_text(encoding="utf-8")
    section = html[html.index('<section id="versorgung">'):html.index('<section id="steckbriefe"')]
    assert 'href="#sr-cov0"' in section and "Versorgung Kitas nach Klassen" in section
    assert "gut (3): mindestens 90 % des Richtwerts" in section        # Q1, Q2 and Q3 at 0.370 / 0.3 = 123 %
    assert "gering (2): unter 60 % des Richtwerts" in section          # Q4, Q5 at 17 %
    assert "nicht veröffentlicht (1)" in section                        # Q6: 50 inhabitants
    assert "2SFCA, Luo &amp; Wang 2003" in section and "Entfernungen sind Luftlinien." in section
    assert "Richtwert: 0,30 Plätze je Person der Zielgruppe." in section
    q1 = ("Im Quartier liegt keine Einrichtung. In höchstens 150 m Luftlinie sind 0,37 Plätze je Person der "
          "Zielgruppe erreichbar, 123 % des Richtwerts von 0,30. Das ergibt „gut“ (mindestens 90 % des Richtwerts).")
    profiles = html[html.index('<section id="steckbriefe"'):]
    assert q1 in profiles
    # Q4: (0.3 - 100/1950) * 1200 = 298.5 places missing in reach, on the basis of the class
    assert "17 % des Richtwerts von 0,30. Das ergibt „gering“ (unter 60 % des Richtwerts). Bis zum Richtwert " \
           "fehlen in Reichweite 298 Plätze." in html
    # need x coverage: with 3 index classes the need level is the class; the cell of each rated quarter is
    # "<index class>-<coverage class>", counted independently here from the two result layers
    classes = {f["id"]: f["index_class"] for f in QgsVectorLayer(output, "i", "ogr").getFeatures() if f["rated"]}
    cover = {f["id"]: f["versorgung_klasse"] for f in QgsVectorLayer(coverage["OUTPUT"], "c", "ogr").getFeatures()}
    expected = {}
    for key, klass in classes.items():
        code = "{}-{}".format(klass, cover[key])
        expected[code] = expected.get(code, 0) + 1
    block = section[section.index('id="bedarf-versorgung"'):]
    assert 'class="sr-bivariate-legend"' in block and 'href="#sr-nc"' in block
    table = block[block.index("<tbody>"):block.index("</tbody>")]
    cells = [int(c) for c in re.findall(r'<span class="swatch"[^>]*></span> (\d+)</td>', table)]
    grid = [["{}-{}".format(need, cov) for cov in (3, 2, 1)] for need in (3, 2, 1)]
    assert cells == [expected.get(code, 0) for row in grid for code in row] and sum(cells) == 5
    assert "nicht veröffentlicht (1)" in block  # Q6
    # the 50-inhabitant quarter publishes no coverage value or sentence
    kleingaerten = profiles[profiles.index("Kleingärten"):]
    kleingaerten = kleingaerten[:kleingaerten.index("</article>")]
    assert "Richtwert" not in kleingaerten and "Versorgung" not in kleingaerten


def test_allocation_and_funding_area_sections(index_result, plugin):
    """The two decision sections from real results: amounts as in the allocation layer (the 50-inhabitant quarter
    not listed, but part of the budget), the summary's shares as recorded, funding areas with their quarters."""
    folder, output = index_result
    allocation = _processing("allocation", {
        "INPUT": output, "ID_FIELD": "id", "POPULATION_FIELD": "ew", "NEED_FIELD": "index_class", "METHOD": "tiers",
        "FACTORS": "1, 2, 3", "BUDGET": 600.0, "BASE_SHARE": 0.5, "UNIT": 1.0,
        "OUTPUT": str(folder / "mittel.gpkg")})
    hotspots = _processing("hotspots", {
        "INPUT": output, "ID_FIELD": "id", "FIELD": "index_value", "PERMUTATIONS": 99, "ALPHA": 0.5,
        "OUTPUT": str(folder / "haeufungen.gpkg")})
    report = _report(index_result, "de", OUTPUT_PDF=None, OUTPUT_TABLE=None,
                     OUTPUT_HTML=str(folder / "entscheidung.html"), ALLOCATION=allocation["OUTPUT"],
                     HOTSPOTS=hotspots["OUTPUT"])
    html = Path(report["OUTPUT_HTML"]).read_text(encoding="utf-8")
    section = html[html.index('<section id="entscheidung">'):html.index('<section id="steckbriefe"')]
    amounts = {f["id"]: f["zuweisung"] for f in QgsVectorLayer(allocation["OUTPUT"], "a", "ogr").getFeatures()}
    assert sum(amounts.values()) == 600.0                       # the budget exactly, Q6 included
    table = section[section.index("Zuweisung je Quartier"):section.index("</table>", section.index("Zuweisung je"))]
    listed = [int(v.replace(".", "")) for v in re.findall(r'<td class="num">([\d.]+)</td><td class="num">', table)]
    assert sorted(listed, reverse=True) == listed and sum(listed) == 600 - amounts["Q6"]
    assert "Kleingärten" not in table and "Nicht aufgeführt: 1 Quartiere" in section
    record = json.loads(allocation["METHOD_RECORD"])
    share = "{:.1f}".format(100 * record["top_share"]).replace(".", ",") + " %"
    assert "erhalten die {} Quartiere der höchsten Bedarfsklasse {}".format(record["n_top"], share) in section
    assert 'role="img" aria-label="Mittelverteilung nach Bedarf"' in section   # the concentration curve
    # the map: every published quarter in one of the four ranges around the watering can, Q6 not published
    counts = [int(c) for c in re.findall(r'Gießkanne[^<]*\((\d+)\)</li>|(?:weniger oder gleich|mehr)[^<]*\((\d+)\)</li>',
                                         section) for c in c if c]
    assert 'href="#sr-alloc"' in section and sum(counts) == len(listed)
    assert "nicht veröffentlicht (1)" in section
    assert "Hare-Niemeyer" in section and "Klasse 3: 3,00" in section
    assert 'href="#sr-hot"' in section and "Moran&#39;s I für die ganze Stadt" in section
    types = {f["id"]: f["lisa_typ"] for f in QgsVectorLayer(hotspots["OUTPUT"], "h", "ogr").getFeatures()}
    assert "HH – hoch, Nachbarn hoch ({})".format(sum(1 for v in types.values() if v == "HH")) in section


def _placed_labels(map_item, dpi=150.0):
    """The labels QGIS places in ``map_item`` (rendered with the map's own settings, as the PDF export does):
    ``[(text, QgsRectangle in map units)]``."""
    from qgis.core import QgsMapRendererSequentialJob
    from qgis.PyQt.QtCore import QSizeF

    size = map_item.sizeWithUnits()
    settings = map_item.mapSettings(map_item.extent(), QSizeF(size.width() / 25.4 * dpi,
                                                              size.height() / 25.4 * dpi), dpi, True)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return [(label.labelText, label.labelRect) for label in job.takeLabelingResults().allLabels()
            if not label.isUnplaced]  # the engine also reports the labels it found no place for


def _furniture_in_map_units(map_item):
    """Scale bars, legends and pictures (the north arrow) lying on ``map_item``, as rectangles in map units."""
    from qgis.core import QgsLayoutItemLegend, QgsLayoutItemPicture, QgsLayoutItemScaleBar, QgsRectangle

    frame, extent = map_item.sceneBoundingRect(), map_item.extent()
    per_mm = extent.width() / frame.width()
    rectangles = []
    for item in map_item.layout().items():
        if isinstance(item, (QgsLayoutItemScaleBar, QgsLayoutItemLegend, QgsLayoutItemPicture)):
            box = item.sceneBoundingRect().intersected(frame)
            if not box.isEmpty():
                rectangles.append(QgsRectangle(extent.xMinimum() + (box.left() - frame.left()) * per_mm,
                                               extent.yMaximum() - (box.bottom() - frame.top()) * per_mm,
                                               extent.xMinimum() + (box.right() - frame.left()) * per_mm,
                                               extent.yMaximum() - (box.top() - frame.top()) * per_mm))
    return rectangles, per_mm


def _assert_labels_clear(map_item, margin_mm):
    """Every label inside the frame's margin; its text (the label's rectangle less the light box around it,
    print_layout.label_box: 0.6 x 0.3 mm) on no scale bar, legend or north arrow. The box may touch them:
    QGIS 3.40 lets the box reach 0.1 mm over a scale bar that the text keeps clear of."""
    from qgis.core import QgsRectangle

    labels = _placed_labels(map_item)
    furniture, per_mm = _furniture_in_map_units(map_item)
    inside = map_item.extent().buffered(-margin_mm * per_mm * 0.99)
    for text, box in labels:
        assert inside.contains(box), (map_item.id(), text, "too close to the map's edge")
        text_box = QgsRectangle(box.xMinimum() + 0.6 * per_mm, box.yMinimum() + 0.3 * per_mm,
                                box.xMaximum() - 0.6 * per_mm, box.yMaximum() - 0.3 * per_mm)
        for obstacle in furniture:
            assert not obstacle.intersects(text_box), (map_item.id(), text, "under the map furniture")
    return labels, furniture


def _report_layouts(index, folder):
    """``(model, PdfReport, print_layout module)``: the print layouts of the report of ``index``, ready to export."""
    import importlib

    from qgis.core import QgsProcessingContext

    report = importlib.import_module("sozialraum_plugin.sozialraum.processing.algorithms.report")
    print_layout = importlib.import_module("sozialraum_plugin.sozialraum.adapters.print_layout")
    algorithm = report.ReportAlgorithm()
    algorithm.initAlgorithm()
    context = QgsProcessingContext()
    model, layer, id_field = algorithm.build_report_model({"INPUT": index, "NAME_FIELD": "name"},
                                                          context, QgsProcessingFeedback(), "de")
    pdf = report.prepare_pdf(model, layer, id_field, print_layout.DEFAULT_TEMPLATE, None, str(folder))
    pdf.charts.wait()
    return model, pdf, print_layout


def _overview_labels_clear_with_the_top_ten(pdf, print_layout):
    from qgis.core import QgsLayoutItemMap

    overview, = [item for item in pdf.overview.items() if isinstance(item, QgsLayoutItemMap)]
    labels, furniture = _assert_labels_clear(overview, print_layout.LABEL_MARGIN_MM)
    assert sorted(int(text) for text, _ in labels) == list(range(1, 11))  # the top ten all find a place
    assert len(furniture) == 2  # scale bar and north arrow lie on the overview map


def test_map_labels_stay_inside_the_map_and_off_scale_bar_legend_and_north_arrow(plugin, musterstadt_index,
                                                                                  tmp_path):
    """Rendered as the PDF renders them: every label of the overview map and of each profile map keeps the
    label margin from the frame and touches no scale bar, legend or north arrow drawn over the map."""
    from qgis.core import QgsLayoutItemMap

    model, pdf, print_layout = _report_layouts(musterstadt_index, tmp_path)
    _overview_labels_clear_with_the_top_ten(pdf, print_layout)
    atlas = pdf.profile.atlas()
    profile_map, = [item for item in pdf.profile.items() if isinstance(item, QgsLayoutItemMap)]
    atlas.beginRender()
    placed = 0
    while atlas.next():
        labels, furniture = _assert_labels_clear(profile_map, print_layout.LABEL_MARGIN_MM)
        assert len(furniture) >= 2  # scale bar and north arrow
        placed += len(labels)
    atlas.endRender()
    assert placed >= 3 * len(model["quarters"])  # the quarter and its neighbours are named


@pytest.mark.skipif(not (BERLIN / "lor_planungsraeume_bis2020.geojson").exists(),
                    reason="../shared/data/berlin not available")
def test_berlin_overview_names_the_top_ten_clear_of_the_furniture(plugin, tmp_path):
    """Berlin's 448 planning areas on one 118 mm map: the ten with the greatest need are small and close
    together (rank 9, Wassertorplatz, lies next to 6, Moritzplatz) and still all get their number."""
    from test_berlin import STATUS, planning_areas_with_mss

    projected = _processing_native("reprojectlayer", {"INPUT": planning_areas_with_mss(), "TARGET_CRS": "EPSG:25833",
                                                      "OUTPUT": "memory:"})["OUTPUT"]
    index = _processing("districtindex", {
        "INPUT": projected, "ID_FIELD": "id", "INDICATORS": STATUS, "POPULATION_FIELD": "inhabitants",
        "MIN_POPULATION": 300, "OUTPUT": str(tmp_path / "berlin.gpkg")})["OUTPUT"]
    model, pdf, print_layout = _report_layouts(index, tmp_path)
    assert model["n_rated"] > 400
    _overview_labels_clear_with_the_top_ten(pdf, print_layout)
