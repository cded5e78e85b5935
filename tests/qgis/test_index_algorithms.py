"""indicatorrates, statusdynamicindex and indexdiagnostics through processing.run, plus use in a model."""

import math

import pytest
from layers import polygon_layer, values
from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterVectorLayer,
    QgsVectorLayer,
)


def test_rates_with_threshold_and_smoothing(run):
    layer = polygon_layer([
        {"id": "A", "cases": 50, "pop": 1000},
        {"id": "B", "cases": 300, "pop": 2000},
        {"id": "C", "cases": 10, "pop": 100},
    ])
    out = run("indicatorrates", {"INPUT": layer, "ID_FIELD": "id", "RATES": ["cases", "pop", "quote"],
                                 "MIN_DENOMINATOR": 300, "SMOOTHING": True, "OUTPUT": "memory:"})["OUTPUT"]
    rate = values(out, "quote")
    assert rate["A"] == pytest.approx(5.0) and rate["B"] == pytest.approx(15.0)
    assert rate["C"] is None                      # denominator 100 < 300: not rated
    assert values(out, "quote_roh")["C"] == pytest.approx(10.0)
    # global EB by hand: m = 360/3100; s2 = sum n (r-m)^2 / sum n - m / nbar
    m = 360 / 3100
    r = {"A": 0.05, "B": 0.15, "C": 0.10}
    n = {"A": 1000, "B": 2000, "C": 100}
    s2 = sum(n[k] * (r[k] - m) ** 2 for k in r) / 3100 - m / (3100 / 3)
    for key in r:
        c = s2 / (s2 + m / n[key])
        assert values(out, "quote_eb")[key] == pytest.approx(100 * (m + c * (r[key] - m)), rel=1e-9)


def test_status_dynamic_index_classes(run):
    # one status indicator s = 1, 2, 3, 4, 10: z = (s - 4) / sqrt(10) -> only E above 1.5 ("sehr niedrig")
    # dynamics d = s - e = 0, 0, 0, 0, 5: z = (d - 1) / 2 -> only E above 1 ("negativ")
    rows = [{"id": k, "s": s, "e": s - d, "pop": 1000} for k, s, d in
            [("A", 1.0, 0.0), ("B", 2.0, 0.0), ("C", 3.0, 0.0), ("D", 4.0, 0.0), ("E", 10.0, 5.0)]]
    out = run("statusdynamicindex", {"INPUT": polygon_layer(rows), "ID_FIELD": "id", "STATUS_INDICATORS": ["s"],
                                     "DYNAMIC_PAIRS": ["s", "e"], "POPULATION_FIELD": "pop",
                                     "OUTPUT": "memory:"})["OUTPUT"]
    status = values(out, "status_index")
    assert status["A"] == pytest.approx(-3 / math.sqrt(10), abs=1e-9)
    assert values(out, "status_class") == {"A": 2, "B": 2, "C": 2, "D": 2, "E": 4}
    assert values(out, "dynamic_class") == {"A": 2, "B": 2, "C": 2, "D": 2, "E": 3}
    attention = values(out, "aufmerksamkeit")
    assert attention["E"] and not any(attention[k] for k in "ABCD")
    assert "sehr niedrig" in values(out, "gesamt_label")["E"] or "very low" in values(out, "gesamt_label")["E"]


def test_index_diagnostics_table_and_html(run, tmp_path):
    # b = 2a exactly: perfectly correlated -> Cronbach's alpha 1 and a redundancy warning
    rows = [{"id": "Q{}".format(i), "a": float(v), "b": 2.0 * v, "pop": 1000} for i, v in enumerate([1, 3, 4, 8, 9])]
    html = tmp_path / "pruefung.html"
    result = run("indexdiagnostics", {"INPUT": polygon_layer(rows), "ID_FIELD": "id", "INDICATORS": ["a", "b"],
                                      "POPULATION_FIELD": "pop", "N_RANDOM": 20, "OUTPUT": "memory:",
                                      "OUTPUT_HTML": str(html)})
    assert result["CRONBACH_ALPHA"] == pytest.approx(1.0)
    ranks = values(result["OUTPUT"], "rang_median")
    assert ranks["Q4"] == 1  # the highest values in every variant
    text = html.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text
    for i in range(5):
        assert "Q{}".format(i) in text


def test_index_diagnostics_page_with_labels_and_names(run, tmp_path):
    # a and b nearly equal, c loosely related; Q5 has 100 inhabitants (below 300) and is not rated
    rows = [{"id": "Q{}".format(i), "name": name, "a": a, "b": a + d, "c": c, "pop": pop}
            for i, (name, a, d, c, pop) in enumerate([
                ("Altstadt", 1.0, 0.1, 4.0, 1000), ("Nordstadt", 3.0, -0.1, 1.0, 1000), (None, 4.0, 0.2, 6.0, 1000),
                ("Hafen", 8.0, -0.2, 5.0, 1000), ("Heide", 9.0, 0.1, 9.0, 1000), ("Klein", 5.0, 0.0, 2.0, 100)])]
    html = tmp_path / "pruefung.html"
    result = run("indexdiagnostics", {"INPUT": polygon_layer(rows), "ID_FIELD": "id", "INDICATORS": ["a", "b", "c"],
                                      "POPULATION_FIELD": "pop", "N_RANDOM": 5, "OUTPUT": "memory:",
                                      "NAME_FIELD": "name", "INDICATOR_LABELS": "a=Arbeitslosenquote; b=SGB-II-Quote",
                                      "OUTPUT_HTML": str(html)})
    text = html.read_text(encoding="utf-8")
    assert "<th scope=\"row\" class=\"text\">Q0</th><td class=\"text\">Altstadt</td>" in text
    assert "<th scope=\"row\" class=\"text\">Q2</th><td class=\"text\"></td>" in text  # no name: empty cell
    assert "&#39;Arbeitslosenquote&#39; und &#39;SGB-II-Quote&#39; messen fast dasselbe" in text
    assert "Arbeitslosenquote: 1; SGB-II-Quote: 1; c: 1" in text
    assert values(result["OUTPUT"], "note")["Q5"].startswith("Einwohnerzahl 100 unter Mindestwert")


def test_index_diagnostics_rejects_malformed_labels(run):
    from qgis.core import QgsProcessingException

    rows = [{"id": "Q{}".format(i), "a": float(i), "b": float(i * i), "pop": 1000} for i in range(5)]
    with pytest.raises(QgsProcessingException, match="feld=Name|field=name"):
        run("indexdiagnostics", {"INPUT": polygon_layer(rows), "ID_FIELD": "id", "INDICATORS": ["a", "b"],
                                 "POPULATION_FIELD": "pop", "INDICATOR_LABELS": "a Arbeitslosenquote", "N_RANDOM": 2,
                                 "OUTPUT": "memory:"})


def test_districtindex_runs_inside_a_model(plugin):
    model = QgsProcessingModelAlgorithm("index_model", "tests")
    model.addModelParameter(QgsProcessingParameterVectorLayer("districts", "districts"),
                            QgsProcessingModelParameter("districts"))
    child = QgsProcessingModelChildAlgorithm("sozialraum:districtindex")
    child.setChildId("index")
    child.addParameterSources("INPUT", [QgsProcessingModelChildParameterSource.fromModelParameter("districts")])
    for name, value in {"ID_FIELD": "id", "INDICATORS": ["a", "b"], "CLASSIFICATION": "jenks",
                        "WITHOUT_POPULATION": True, "N_CLASSES": 2}.items():
        child.addParameterSources(name, [QgsProcessingModelChildParameterSource.fromStaticValue(value)])
    output = QgsProcessingModelOutput("result", "result")
    output.setChildOutputName("OUTPUT")
    child.setModelOutputs({"result": output})
    model.addChildAlgorithm(child)
    layer = polygon_layer([{"id": k, "a": a, "b": b} for k, a, b in
                           [("A", 1.0, 1.0), ("B", 1.2, 1.1), ("C", 5.0, 5.0), ("D", 5.5, 5.2)]])
    # the model's own name for the output: "index:result" on QGIS 3.22, "result" from 3.40 on
    output_name, = [p.name() for p in model.destinationParameterDefinitions()]
    assert output_name in ("index:result", "result")
    context = QgsProcessingContext()
    results, ok = model.run({"districts": layer, output_name: "memory:"}, context, QgsProcessingFeedback())
    assert ok
    out = context.getMapLayer(results[output_name])
    # two clear groups: the exact natural breaks put A, B in class 1 and C, D in class 2
    assert values(out, "index_class") == {"A": 1, "B": 1, "C": 2, "D": 2}


def test_indicatorrates_withholds_rates_of_one_or_two_cases(run):
    """Default minimum case number 3: 2 of 500 is not published (rate, raw and smoothed), 0 and 4 are."""
    layer = polygon_layer([{"id": k, "x": x, "n": 500} for k, x in (("A", 0), ("B", 2), ("C", 4))])
    out = run("indicatorrates", {"INPUT": layer, "ID_FIELD": "id", "RATES": ["x", "n", "q"], "SMOOTHING": True,
                                 "OUTPUT": "memory:"})["OUTPUT"]
    assert values(out, "q") == {"A": 0.0, "B": None, "C": pytest.approx(0.8)}
    assert values(out, "q_roh")["B"] is None and values(out, "q_eb")["B"] is None
    assert "Geheimhaltung" in values(out, "q_hinweis")["B"]


def test_index_diagnostics_takes_the_settings_of_an_index_result(run, tmp_path):
    """An index result as input and no indicators chosen: the check uses the index's own settings (here a reversed
    indicator, a weight, min-max, quantiles), so its base ranks are the index's ranks."""
    rows = [{"id": "Q{}".format(i), "a": float(a), "b": float(b), "pop": p}
            for i, (a, b, p) in enumerate([(1, 9, 1000), (3, 2, 900), (4, 5, 800), (8, 1, 1200), (9, 7, 700),
                                           (6, 3, 150)])]
    index = run("districtindex", {"INPUT": polygon_layer(rows), "ID_FIELD": "id", "INDICATORS": ["a", "b"],
                                  "REVERSE": ["b"], "WEIGHTS": "a=2", "NORMALIZATION": "minmax",
                                  "CLASSIFICATION": "quantile", "N_CLASSES": 3, "POPULATION_FIELD": "pop",
                                  "OUTPUT": str(tmp_path / "index.gpkg")})["OUTPUT"]
    result = run("indexdiagnostics", {"INPUT": index, "ID_FIELD": "id", "N_RANDOM": 10, "OUTPUT": "memory:"})
    base = values(result["OUTPUT"], "rang_basis")
    expected = values(QgsVectorLayer(index, "i", "ogr"), "index_rank")
    assert base == expected and base["Q5"] is None  # Q5: 150 inhabitants, not rated in either
    with pytest.raises(QgsProcessingException, match="Indikatoren wählen|choose indicators"):
        run("indexdiagnostics", {"INPUT": polygon_layer(rows), "ID_FIELD": "id", "POPULATION_FIELD": "pop",
                                 "OUTPUT": "memory:"})
