"""sozialraum:allocation through processing.run: hand-computed budgets, the table output, bad input."""

import pytest
from layers import polygon_layer, values
from qgis.core import QgsProcessingException, QgsVectorLayer

# P = 100, 200, 100, 50, 50 (sum 500); classes 1, 2, 3, 3, not rated
ROWS = [
    {"id": "A", "kinder": 100.0, "index_class": 1, "index_value": -1.0},
    {"id": "B", "kinder": 200.0, "index_class": 2, "index_value": 0.0},
    {"id": "C", "kinder": 100.0, "index_class": 3, "index_value": 1.0},
    {"id": "D", "kinder": 50.0, "index_class": 3, "index_value": 2.0},
    {"id": "E", "kinder": 50.0, "index_class": None, "index_value": None},
]


def allocate(run, layer=None, **extra):
    parameters = {"INPUT": layer or polygon_layer(ROWS, types={"index_class": int}), "ID_FIELD": "id",
                  "POPULATION_FIELD": "kinder", "NEED_FIELD": "index_class", "METHOD": "tiers",
                  "FACTORS": "1, 2, 4", "BUDGET": 1000.0, "UNIT": 0.01, "OUTPUT": "memory:"}
    parameters.update(extra)
    return run("allocation", parameters)


def test_tiers_in_euros_by_hand(run):
    # P x f = 100, 400, 400, 200 (sum 1100): 9090.909, 36363.636, 36363.636, 18181.818 cents;
    # three cents left over go to A (.909), D (.818) and B (ties with C at .636, B first by ID)
    result = allocate(run)
    layer = result["OUTPUT"]
    assert values(layer, "zuweisung") == {"A": 90.91, "B": 363.64, "C": 363.63, "D": 181.82, "E": 0.0}
    assert values(layer, "zuweisung_giesskanne") == {"A": 200.0, "B": 400.0, "C": 200.0, "D": 100.0, "E": 100.0}
    assert values(layer, "differenz") == {"A": -109.09, "B": -36.36, "C": 163.63, "D": 81.82, "E": -100.0}
    assert values(layer, "zuweisung_je_person")["A"] == pytest.approx(0.9091)
    assert values(layer, "hinweis")["E"].startswith("nicht bewertet") and values(layer, "hinweis")["A"] is None
    assert result["TOP_SHARE"] == pytest.approx(0.54545)


def test_base_share_one_is_the_watering_can_and_the_table_output(run, tmp_path):
    table_path = str(tmp_path / "verteilung.csv")
    result = allocate(run, BASE_SHARE=1.0, OUTPUT_TABLE=table_path)
    layer = result["OUTPUT"]
    assert values(layer, "zuweisung") == values(layer, "zuweisung_giesskanne")
    table = QgsVectorLayer(result["OUTPUT_TABLE"], "t", "ogr")
    rows = {f["id"]: (float(f["kinder"]), float(f["zuweisung"])) for f in table.getFeatures()}
    assert rows == {"A": (100.0, 200.0), "B": (200.0, 400.0), "C": (100.0, 200.0), "D": (50.0, 100.0),
                    "E": (50.0, 100.0)}


def test_threshold_in_whole_positions(run):
    result = allocate(run, METHOD="threshold", THRESHOLD_CLASS=3, BUDGET=7.0, UNIT=1.0)
    # C and D (P 100, 50): 4.667, 2.333 -> 4 and 2, the one left to C (.667)
    assert values(result["OUTPUT"], "zuweisung") == {"A": 0, "B": 0, "C": 5, "D": 2, "E": 0}


def test_proportional_on_the_index_value(run):
    # f = v - min v = 0, 1, 2, 3: P x f = 0, 200, 200, 150 -> 1100 as 0, 400, 400, 300
    result = allocate(run, METHOD="proportional", NEED_FIELD="index_value", BUDGET=1100.0, UNIT=1.0)
    assert values(result["OUTPUT"], "zuweisung") == {"A": 0, "B": 400, "C": 400, "D": 300, "E": 0}


def test_factors_must_match_the_classes_of_the_index_result(run, tmp_path):
    """The index result's method record knows its five classes: three factors are refused."""
    rows = [{"id": "Q{}".format(k), "pop": 1000.0 + 10 * k, "a": float(k % 7), "b": float(k * 3 % 11)}
            for k in range(12)]
    index = run("districtindex", {"INPUT": polygon_layer(rows), "ID_FIELD": "id", "INDICATORS": ["a", "b"],
                                  "POPULATION_FIELD": "pop", "CLASSIFICATION": "quantile", "N_CLASSES": 5,
                                  "OUTPUT": str(tmp_path / "index.gpkg")})
    layer = QgsVectorLayer(index["OUTPUT"], "index", "ogr")
    with pytest.raises(QgsProcessingException, match="3 Faktoren für 5 Klassen"):
        allocate(run, layer=layer, POPULATION_FIELD="pop")
    result = allocate(run, layer=layer, POPULATION_FIELD="pop", FACTORS="1, 1.2, 1.5, 2, 3",
                      OUTPUT=str(tmp_path / "verteilung.gpkg"))
    out = QgsVectorLayer(result["OUTPUT"], "out", "ogr")
    assert sum(round(f["zuweisung"] * 100) for f in out.getFeatures()) == 100000


@pytest.mark.parametrize("extra, words", [
    ({"BUDGET": 0.0}, "größer als 0"),
    ({"UNIT": 0.0}, "kleinste Einheit"),
    ({"BUDGET": 1000.005}, "kein Vielfaches"),
    ({"FACTORS": "1, 2"}, "2 Faktoren für 3 Klassen"),
    ({"NEED_FIELD": "index_value"}, "keine Klassen"),
])
def test_bad_parameters_give_a_message(run, extra, words):
    with pytest.raises(QgsProcessingException, match=words):
        allocate(run, **extra)


def test_duplicate_ids_and_missing_population_are_named(run):
    rows = [dict(r) for r in ROWS]
    rows[1]["id"] = "A"
    with pytest.raises(QgsProcessingException, match="doppelte IDs"):
        allocate(run, layer=polygon_layer(rows, types={"index_class": int}))
    rows = [dict(r) for r in ROWS]
    rows[2]["kinder"] = None
    with pytest.raises(QgsProcessingException, match="Wert fehlt bei 'C'"):
        allocate(run, layer=polygon_layer(rows, types={"index_class": int}))
