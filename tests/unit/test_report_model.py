"""The report model, its SVG and the HTML rendering, without QGIS: hand-computed values and escaping."""

import re

import numpy as np
import pandas as pd
import pytest

from sozialraum.core.errors import InputError
from sozialraum.report import model as M
from sozialraum.report.html import report_html
from sozialraum.report.rendering import number, render_template
from sozialraum.report.svg import MapFrame, indicator_bars, map_defs, path_data

EVIL = "<script>alert(1)</script>"
COLORS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]


def index_method(**changes):
    """A method record as sozialraum:districtindex writes it (indicators a normal, b reversed)."""
    method = {
        "algorithm": "sozialraum:districtindex", "id_field": "id", "indicators": ["a", "b"], "reverse": ["b"],
        "weights": {"a": 2.0, "b": 1.0}, "normalization": "zscore", "aggregation": "sum", "restandardize": True,
        "population": "ew", "min_population": 300.0, "missing": "exclude", "min_share": 0.5,
        "classification": "stddev", "n_classes": 5, "stddev_cuts": [-1.5, -0.5, 0.5, 1.5],
        "breaks": [-1.5, -0.5, 0.5, 1.5], "labels": ["bis -1,5", "-1,5 bis -0,5", "-0,5 bis 0,5", "0,5 bis 1,5",
                                                       "über 1,5"],
        "counts": {"areas": 5, "rated": 4},
        "indicator_statistics": {"a": {"mean": 20.0, "sd": 5.0, "direction": "normal"},
                                 "b": {"mean": 50.0, "sd": 10.0, "direction": "reverse"}},
    }
    method.update(changes)
    return method


def index_table():
    """Five quarters; E has 120 inhabitants and is not rated."""
    return pd.DataFrame({
        "id": ["Q10", "Q2", "Q1", "Q3", "Q4"],
        "name": [EVIL, "Große Straße", 'Am "Eck"', "Mitte", "Hafen"],
        "ew": [1000, 2000, 1500, 800, 120],
        "a": [30.0, 20.0, 15.0, 25.0, 10.0],
        "b": [40.0, 50.0, 70.0, 40.0, None],
        "index_value": [1.6, 0.0, -1.7, 0.7, None],
        "index_rank": [1, 3, 4, 2, None],
        "index_class": [5, 3, 1, 4, None],
        "rated": [True, True, True, True, False],
        "note": ["", "", "", "", "zu wenige Einwohner"],
    })


def build(lang="de", **changes):
    return M.build_model(index_table(), index_method(**changes), "id", lang=lang, name_field="name", colors=COLORS,
                         indicator_labels={"a": "SGB-II-Quote", "b": "Abiturquote"}, title="Bericht",
                         data_date="31.12.2024", created="01.01.2025")


# -- rendering helpers -----------------------------------------------------------------------------


def test_numbers_in_german_and_english():
    assert number(1234.5, 2, "de") == "1.234,50"
    assert number(1234.5, 2, "en") == "1,234.50"
    assert number(-0.001, 2, "de") == "0,00"
    assert number(float("nan")) == "–" and number(None) == "–"


def test_ids_sort_naturally():
    assert sorted(["Q10", "Q2", "Q1", "q3"], key=M.natural_key) == ["Q1", "Q2", "q3", "Q10"]
    assert sorted(["Park", "Ölmühle", "Nordstadt", "Straße 2", "Strasse 1"], key=M.natural_key) == \
        ["Nordstadt", "Ölmühle", "Park", "Strasse 1", "Straße 2"]


def test_indicator_names_are_parsed_and_checked():
    assert M.parse_labels("a=Arbeitslose; b = SGB II\nc=Kinder (%)") == {"a": "Arbeitslose", "b": "SGB II",
                                                                         "c": "Kinder (%)"}
    with pytest.raises(InputError):
        M.parse_labels("a")


# -- the model -------------------------------------------------------------------------------------


def test_ranking_profiles_and_not_rated():
    model = build()
    assert [q["id"] for q in model["quarters"]] == ["Q1", "Q2", "Q3", "Q4", "Q10"]   # profiles by ID
    assert [q["id"] for q in model["ranking"]] == ["Q10", "Q3", "Q2", "Q1"]           # rank 1 first
    assert model["n_rated"] == 4 and [q["id"] for q in model["not_rated"]] == ["Q4"]
    hafen = model["not_rated"][0]
    assert hafen["reason"] == "weniger als 300 Einwohner (120) – Werte nicht veröffentlicht (statistische Geheimhaltung)"
    assert hafen["klass"] is None and hafen["color"] == M.NOT_RATED_COLOR


def test_profiles_by_rank_id_or_name_with_unpublished_quarters_last_by_rank():
    """Rank order: the rated quarters 1..4, then by ID the three whose values are not published: Q4 (120
    inhabitants, not rated), Q5 (a value missing, not rated) and Q6 (rated, but no population: confidential).
    By name, Ö sorts as O (after "Mitte") and "<" before letters."""
    table = pd.concat([index_table(), pd.DataFrame({
        "id": ["Q6", "Q5"], "name": ["Zeche", "Ölmühle"], "ew": [np.nan, 900], "a": [12.0, None], "b": [60.0, 55.0],
        "index_value": [-1.9, None], "index_rank": [5, None], "index_class": [1, None], "rated": [True, False],
        "note": ["", "fehlende Werte"]})], ignore_index=True)

    def profiles(order):
        model = M.build_model(table, index_method(), "id", name_field="name", colors=COLORS, profile_order=order)
        return [q["id"] for q in model["profiles"]]

    assert profiles("rank") == ["Q10", "Q3", "Q2", "Q1", "Q4", "Q5", "Q6"]
    assert profiles("id") == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q10"]
    assert profiles("name") == ["Q10", "Q1", "Q2", "Q4", "Q3", "Q5", "Q6"]
    default = M.build_model(table, index_method(), "id", name_field="name", colors=COLORS)
    assert [q["id"] for q in default["profiles"]] == profiles("rank") and default["profile_order"] == "rank"
    with pytest.raises(InputError):
        profiles("klasse")


def test_profiles_of_equal_rank_follow_their_names_as_the_ranking_does():
    quarters = [{"id": "Q{}".format(n), "name": name, "rank": rank, "rated": True, "protected": False}
                for n, (name, rank) in enumerate([("Ufer", 2), ("Berg", 1), ("Äußere Stadt", 1), ("Au", 3)])]
    assert [q["name"] for q in M.order_profiles(quarters)] == ["Äußere Stadt", "Berg", "Ufer", "Au"]


def test_quarters_below_the_minimum_population_publish_no_value():
    """Statistical confidentiality: a quarter of 120 inhabitants (minimum 300) shows no indicator value, index
    value, deviation or chart in any output (the table's cells stay empty), only why."""
    from sozialraum.report.table import table_columns

    model = build()
    hafen, = model["not_rated"]
    assert hafen["protected"] and hafen["indicators"] == [] and hafen["value"] is None
    assert hafen["value_text"] == "–" and hafen["coverage"] == [] and hafen["dynamics"] is None
    assert not any(fact["label"] == "Indexwert" for fact in hafen["facts"])
    for heading, _, value in table_columns(model):
        if heading not in ("Kennung", "Quartier", "Einwohner", "Bewertet", "Grund (nicht bewertet)",
                           "Kurzbeschreibung", "Klassenbezeichnung"):
            assert value(hafen) is None, heading
    assert "Geheimhaltung" in hafen["sentence"]
    assert not any(q["protected"] for q in model["ranking"])  # every rated quarter keeps its values


def test_deviation_from_the_average_follows_the_direction():
    quarter = {q["id"]: q for q in build()["quarters"]}["Q10"]
    a, b = quarter["indicators"]
    # a normal: (30 - 20) / 5 = 2; b reversed: -(40 - 50) / 10 = 1 -> both less favourable than average
    assert a["deviation"] == pytest.approx(2.0) and a["worse"]
    assert b["deviation"] == pytest.approx(1.0) and b["worse"]
    assert a["text"] == "30,0" and a["mean_text"] == "20,0"
    # the sentence names the indicator furthest on the unfavourable side
    assert "„SGB-II-Quote“ mit 30,0 gegenüber 20,0" in quarter["sentence"]
    assert quarter["sentence"].startswith(EVIL + " steht auf Rang 1 von 4 bewerteten Quartieren")
    q1 = {q["id"]: q for q in build()["quarters"]}["Q1"]
    # a: (15 - 20) / 5 = -1; b reversed: -(70 - 50) / 10 = -2 -> all more favourable
    assert [row["deviation"] for row in q1["indicators"]] == pytest.approx([-1.0, -2.0])
    assert "Alle Indikatoren liegen günstiger" in q1["sentence"]


def test_key_figures_count_high_need_by_thirds_of_the_classes():
    model = build()
    figures = {f["label"]: (f["value"], f["share"]) for f in model["figures"]}
    # 5 classes -> need thirds 1, 1, 2, 3, 3: classes 4 and 5 are high need (Q10, Q3) = 2 of 4 rated
    assert figures["Quartiere mit hohem Bedarf"] == ("2", "50,0 %")
    # inhabitants: 1000 + 2000 + 1500 + 800 + 120 = 5420; high need 1000 + 800 = 1800 = 33.2 %
    assert figures["Einwohner"][0] == "5.420"
    assert figures["Einwohner in Quartieren mit hohem Bedarf"] == ("1.800", "33,2 %")
    assert [c["count"] for c in model["classes"]] == [1, 0, 1, 1, 1]


def test_default_class_labels_follow_the_report_language_and_own_labels_stay():
    assert [c["label"] for c in build("en")["classes"]] == ["up to -1.5", "-1.5 to -0.5", "-0.5 to 0.5",
                                                           "0.5 to 1.5", "above 1.5"]
    own = ["sehr gering", "gering", "mittel", "hoch", "sehr hoch"]
    assert [c["label"] for c in build("en", labels=own)["classes"]] == own
    assert build()["classes"][0]["range"] == "x ≤ -1,50" and build()["classes"][4]["range"] == "x > 1,50"


def test_method_text_states_the_parameters_used():
    text = " ".join(build(normalization="minmax", aggregation="mean", classification="quantile",
                          missing="reweight", min_share=0.6, restandardize=False)["method"]["paragraphs"])
    assert "Min-Max-Skalierung auf 0–100" in text and "100 · (x − Minimum)" in text
    assert "gewichteter Mittelwert" in text and "SGB-II-Quote 2" in text and "Abiturquote 1" in text
    assert "Quantile" in text and "mindestens 60 % des Gesamtgewichts" in text
    assert "erneut z-standardisiert" not in text
    assert "Bei Abiturquote bedeutet ein höherer Wert weniger Bedarf" in text
    assert "weniger als 300 Einwohnern (Feld „ew“)" in text and "Datenstand: 31.12.2024." in text
    english = " ".join(build("en")["method"]["paragraphs"])
    assert "z-scores" in english and "standard deviations" in english and "Data as of: 31.12.2024." in english


def test_bad_ids_are_reported():
    table = index_table()
    table.loc[1, "id"] = "Q10"
    with pytest.raises(InputError, match="nicht eindeutig"):
        M.build_model(table, index_method(), "id")
    table = index_table()
    table.loc[2, "id"] = None
    with pytest.raises(InputError, match="leer"):
        M.build_model(table, index_method(), "id")
    with pytest.raises(InputError):
        M.build_model(index_table(), index_method(), "id", name_field="gibt_es_nicht")


def test_mss_result_ranks_by_status_index_with_shared_ranks():
    method = {"algorithm": "sozialraum:statusdynamicindex", "status_fields": ["a"], "population_field": None,
              "min_population": 0, "indicators": {"a": {"mean": 10.0, "sd": 2.0}}}
    table = pd.DataFrame({"id": ["A", "B", "C", "D"], "a": [8.0, 14.0, 14.0, 9.0],
                          "status_index": [-1.2, 1.6, 1.6, 0.3], "status_class": [1, 4, 4, 2],
                          "dynamic_class": [2, 3, 1, 2], "dynamic_index": [0.0, 1.5, -1.2, 0.1],
                          "aufmerksamkeit": [False, True, True, False], "rated": [True] * 4})
    model = M.build_model(table, method, "id", lang="en")
    ranks = {q["id"]: q["rank"] for q in model["quarters"]}
    assert ranks == {"A": 4, "B": 1, "C": 1, "D": 3}
    assert [c["label"] for c in model["classes"]] == ["high", "medium", "low", "very low"]
    b = {q["id"]: q for q in model["quarters"]}["B"]
    assert b["dynamics"]["label"] == "negative" and b["dynamics"]["attention"] is True


def test_coverage_and_typology_join_by_id():
    coverage = pd.DataFrame({"id": ["Q1", "Q10"], "versorgung_klasse": [1, 3], "versorgungsquote": [0.41, 0.12],
                             "anteil_300": [0.9, 0.25], "anteil_ausser_reichweite": [0.1, 0.75], "hinweis": ["", "x"]})
    need = pd.DataFrame({"id": ["Q10"], "typ_code": ["3-3"], "prioritaet": [1]})
    result = M.build_model(index_table(), index_method(), "id", name_field="name", colors=COLORS,
                           coverages=[("Kitas", coverage, "id")], need_coverage=(need, "id"))
    q10 = {q["id"]: q for q in result["quarters"]}["Q10"]
    assert q10["coverage"][0]["label"] == "gering"
    items = {i["label"]: i["text"] for i in q10["coverage"][0]["items"]}
    assert items["Plätze im Quartier je Person der Zielbevölkerung"] == "0,12"
    assert items["Anteil mit Einrichtung in höchstens 300 m (%)"] == "25,0"
    # without a record the largest distance comes from the anteil_<m> columns
    assert items["Anteil ohne Einrichtung in höchstens 300 m Luftlinie (%)"] == "75,0"
    assert q10["typology"] == {"code": "3-3", "label": "hoher Bedarf, geringe Versorgung", "priority": 1}
    assert "Gering versorgt: Kitas." in q10["sentence"]
    assert {q["id"]: q for q in result["quarters"]}["Q2"]["coverage"] == []


# -- SVG -------------------------------------------------------------------------------------------


def test_path_data_flips_y_and_uses_relative_steps():
    frame = MapFrame((0, 0, 10, 10))                 # scale 1000 / 10 = 100
    square = [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]
    assert path_data([square], frame) == "M0 1000l1000 0 0 -1000 -1000 0z"
    assert frame.point(2.5, 10) == (250.0, 0.0)


def test_map_outlines_are_written_once_and_reused():
    frame = MapFrame((0, 0, 20, 10))
    shapes = [{"rings": [[(0, 0), (10, 0), (10, 10), (0, 0)]]}, {"rings": [[(10, 0), (20, 0), (20, 10), (10, 0)]]}]
    defs = map_defs(shapes, frame, ["#ff0000", '"><script>'])
    assert defs.count("<path ") == 2 and defs.count('<use href="#sr-q') == 2
    assert "<script>" not in defs and "&#34;&gt;&lt;script&gt;" in defs
    assert "http" not in defs and "xmlns" not in defs


def test_bars_are_proportional_and_escaped():
    row = {"label": EVIL, "value": 5.0, "mean": 2.5, "text": "5,0", "mean_text": "2,5", "worse": True,
           "low": 0.0, "high": 10.0}
    svg = indicator_bars([row], "de")
    x0, x1 = 190 + 25 + 8, 600 - 120 - 8             # bar area of a 600 px wide chart
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="\d+" width="([\d.]+)" height="18"', svg)]
    assert widths == pytest.approx([x1 - x0, (x1 - x0) / 2], abs=0.1)   # background, then value 5 of 10
    assert "&lt;script&gt;" in svg and EVIL not in svg
    assert "xmlns" not in svg and 'xmlns="http://www.w3.org/2000/svg"' in indicator_bars([row], standalone=True)


# -- HTML ------------------------------------------------------------------------------------------


def test_html_is_self_contained_escaped_and_complete():
    model = build()
    shapes = {q: {"rings": [[(n, 0), (n + 1, 0), (n + 1, 1), (n, 0)]], "bounds": (n, 0, n + 1, 1),
                  "label_point": (n + 0.5, 0.5)} for n, q in enumerate(["Q1", "Q2", "Q3", "Q4", "Q10"])}
    html = report_html(model, shapes, logo="data:image/png;base64,AAAA")
    assert "http://" not in html and "https://" not in html
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for name in ("Große Straße", "Am &#34;Eck&#34;", "Mitte"):
        assert name in html
    assert html.count('<article class="profile"') == 5 and html.count("<svg class=\"sr-locator\"") == 5
    assert "weniger als 300 Einwohner (120)" in html
    assert 'table class="sortable"' in html and "<script>" in html  # the sorting script, written by us


def test_user_template_errors_name_file_line_and_variable(tmp_path):
    (tmp_path / "bericht.html").write_text("<h1>{{ report.title }}</h1>\n{% include 'teil.html' %}",
                                           encoding="utf-8")
    (tmp_path / "teil.html").write_text("ok\n{{ gibt_es_nicht }}", encoding="utf-8")
    with pytest.raises(InputError) as error:
        render_template("bericht.html", str(tmp_path), {"report": {"title": "x"}}, lang="de")
    assert "teil.html" in error.value.de and "Zeile 2" in error.value.de and "gibt_es_nicht" in error.value.de
    assert "teil.html" in error.value.en and "line 2" in error.value.en


def test_user_templates_stay_in_their_folder_and_in_the_sandbox(tmp_path):
    folder = tmp_path / "vorlage"
    folder.mkdir()
    (tmp_path / "geheim.html").write_text("secret", encoding="utf-8")
    (folder / "bericht.html").write_text("{% include '../geheim.html' %}", encoding="utf-8")
    with pytest.raises(InputError, match="nicht im Vorlagenordner"):
        render_template("bericht.html", str(folder), {})
    (folder / "link.html").symlink_to(tmp_path / "geheim.html")
    (folder / "bericht.html").write_text("{% include 'link.html' %}", encoding="utf-8")
    with pytest.raises(InputError):
        render_template("bericht.html", str(folder), {})
    (folder / "bericht.html").write_text("{{ report.__class__.__mro__ }}", encoding="utf-8")
    with pytest.raises(InputError):
        render_template("bericht.html", str(folder), {"report": {}})
    (folder / "bericht.html").write_text("{{ t('Hallo', 'Hello') }} {{ 1234.5|num(1) }} {{ name }}",
                                         encoding="utf-8")
    assert render_template("bericht.html", str(folder), {"name": EVIL}, lang="en") == \
        "Hello 1,234.5 &lt;script&gt;alert(1)&lt;/script&gt;"


def test_empty_quarters_table_needs_rated_values():
    table = index_table().assign(index_class=np.nan, rated=False)
    model = M.build_model(table, index_method(), "id")
    assert model["n_rated"] == 0 and model["top"] == [] and model["summary"] == "Kein Quartier wurde bewertet."


def test_an_index_rated_without_population_says_so_in_the_method():
    model = build(population=None, min_population=0.0, rated_without_population=True)
    text = " ".join(model["method"]["paragraphs"])
    assert "bewusst ohne Einwohnerzahl" in text and "sehr kleine Quartiere sind bewertet" in text
    assert not any(q["protected"] for q in model["quarters"])  # nothing to judge smallness by
    with_population = " ".join(build()["method"]["paragraphs"])
    assert "bewusst ohne Einwohnerzahl" not in with_population
