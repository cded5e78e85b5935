"""sozialraum:districtindex through processing.run, against values computed by hand."""

import math

import pytest
from layers import polygon_layer, values
from qgis.core import QgsProcessingException, QgsVectorLayer

# Hand computation for a = 1,2,3,4 and b = 2,2,4,4 (population SD):
#   z(a) = (a - 2.5) / sqrt(1.25) = -1.3416, -0.4472, 0.4472, 1.3416;  z(b) = -1, -1, 1, 1
#   sum = -2.3416, -1.4472, 1.4472, 2.3416; SD of the sum = sqrt((2.3416² + 1.4472²) / 2) = 1.94650
#   index = -1.20300, -0.74350, 0.74350, 1.20300
EXPECTED = {"A": -1.20300, "B": -0.74350, "C": 0.74350, "D": 1.20300}
ROWS = [
    {"id": "A", "a": 1.0, "b": 2.0, "pop": 1000},
    {"id": "B", "a": 2.0, "b": 2.0, "pop": 1000},
    {"id": "C", "a": 3.0, "b": 4.0, "pop": 1000},
    {"id": "D", "a": 4.0, "b": 4.0, "pop": 1000},
]


def run_index(run, layer, **extra):
    # the hand-computed cases have no population: rated without one on purpose
    parameters = {"INPUT": layer, "ID_FIELD": "id", "INDICATORS": ["a", "b"], "WITHOUT_POPULATION": True,
                  "OUTPUT": "memory:"}
    parameters.update(extra)
    return run("districtindex", parameters)


def test_hand_computed_index_ranks_and_classes(run):
    layer = polygon_layer(ROWS)
    result = run_index(run, layer)
    out = result["OUTPUT"]
    index = values(out, "index_value")
    for key, expected in EXPECTED.items():
        assert index[key] == pytest.approx(expected, abs=1e-4)
    assert values(out, "index_rank") == {"D": 1, "C": 2, "B": 3, "A": 4}
    # default cut-offs -1.5, -0.5, 0.5, 1.5: A and B in class 2, C and D in class 4
    assert values(out, "index_class") == {"A": 2, "B": 2, "C": 4, "D": 4}
    assert values(out, "z_b") == {"A": -1.0, "B": -1.0, "C": 1.0, "D": 1.0}
    assert out.featureCount() == 4 and all(f.hasGeometry() for f in out.getFeatures())
    assert result["N_RATED"] == 4 and result["N_NOT_RATED"] == 0


def test_small_district_not_rated_and_left_out_of_statistics(run):
    layer = polygon_layer(ROWS + [{"id": "E", "a": 100.0, "b": 100.0, "pop": 120}])
    out = run_index(run, layer, POPULATION_FIELD="pop", MIN_POPULATION=300)["OUTPUT"]
    index = values(out, "index_value")
    assert index["E"] is None
    for key, expected in EXPECTED.items():  # E's extreme values change nothing
        assert index[key] == pytest.approx(expected, abs=1e-4)
    rated = values(out, "rated")
    assert rated["E"] is False or rated["E"] == 0
    assert "300" in values(out, "note")["E"]


def test_input_layer_is_not_modified(run):
    layer = polygon_layer(ROWS)
    before = [f.attributes() for f in layer.getFeatures()], layer.fields().names()
    run_index(run, layer)
    assert ([f.attributes() for f in layer.getFeatures()], layer.fields().names()) == before


def test_choices_accept_their_keys(run):
    layer = polygon_layer(ROWS)
    by_key = run_index(run, layer, NORMALIZATION="minmax", AGGREGATION="mean", CLASSIFICATION="quantile",
                       N_CLASSES=2)["OUTPUT"]
    by_index = run_index(run, layer, NORMALIZATION=2, AGGREGATION=1, CLASSIFICATION=1, N_CLASSES=2)["OUTPUT"]
    assert values(by_key, "index_value") == values(by_index, "index_value")
    # min-max: a -> 0, 33.3, 66.7, 100; b -> 0, 0, 100, 100; mean -> 0, 16.7, 83.3, 100; then z again
    raw = [0.0, 50 / 3, 250 / 3, 100.0]
    mean = sum(raw) / 4
    sd = math.sqrt(sum((v - mean) ** 2 for v in raw) / 4)
    got = values(by_key, "index_value")
    for key, value in zip("ABCD", raw):
        assert got[key] == pytest.approx((value - mean) / sd, abs=1e-9)
    assert values(by_key, "index_class") == {"A": 1, "B": 1, "C": 2, "D": 2}


def test_unknown_choice_key_is_named(run):
    with pytest.raises(QgsProcessingException) as info:
        run_index(run, polygon_layer(ROWS), NORMALIZATION="zscores")
    assert "zscores" in str(info.value) and "minmax" in str(info.value)


@pytest.mark.parametrize("rows, types, fragment", [
    ([dict(r, b=5.0) for r in ROWS], None, "b"),                                    # constant indicator
    ([dict(r, a="viel" if r["id"] == "C" else str(r["a"])) for r in ROWS], {"a": str}, "viel"),  # text
    ([dict(r, id="A") if r["id"] == "B" else r for r in ROWS], None, "A"),          # duplicate id
    ([dict(r, a=None) for r in ROWS], None, "a"),                                   # all null
])
def test_bad_input_gets_a_clear_message(run, rows, types, fragment):
    layer = polygon_layer(rows, types=types)
    with pytest.raises(QgsProcessingException) as info:
        run_index(run, layer)
    message = str(info.value)
    assert fragment in message
    assert "Traceback" not in message


def test_empty_layer_message(run):
    layer = QgsVectorLayer("Polygon?crs=EPSG:25832&field=id:string&field=a:double&field=b:double", "e", "memory")
    with pytest.raises(QgsProcessingException) as info:
        run_index(run, layer)
    assert "keine Objekte" in str(info.value) or "no features" in str(info.value)


def test_too_few_rated_districts(run):
    layer = polygon_layer([dict(r, pop=100 if r["id"] in "ABC" else 1000) for r in ROWS])
    with pytest.raises(QgsProcessingException) as info:
        run_index(run, layer, POPULATION_FIELD="pop")
    assert "3" in str(info.value)


def test_weights_that_do_not_fit(run):
    with pytest.raises(QgsProcessingException) as info:
        run_index(run, polygon_layer(ROWS), WEIGHTS="1,2,3")
    assert "3" in str(info.value)


def test_reverse_mirrors_indicator(run):
    layer = polygon_layer(ROWS)
    normal = values(run_index(run, layer, INDICATORS=["a"])["OUTPUT"], "index_value")
    reversed_ = values(run_index(run, layer, INDICATORS=["a"], REVERSE=["a"])["OUTPUT"], "index_value")
    for key in "ABCD":
        assert reversed_[key] == pytest.approx(-normal[key], abs=1e-12)


def test_geopackage_output_and_rerun_on_result(run, tmp_path):
    path = tmp_path / "out.gpkg"
    result = run_index(run, polygon_layer(ROWS), OUTPUT=str(path))
    out = QgsVectorLayer(result["OUTPUT"], "out", "ogr")
    assert out.isValid() and out.featureCount() == 4
    # indexing the result again replaces the old result fields instead of failing
    again = run_index(run, out)["OUTPUT"]
    assert again.fields().names().count("index_value") == 1


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", None])
def test_method_record_travels_with_the_result(run, plugin, tmp_path, suffix):
    import importlib

    method_record = importlib.import_module("sozialraum_plugin.sozialraum.adapters.method_record")
    output = str(tmp_path / ("out" + suffix)) if suffix else "memory:"
    result = run_index(run, polygon_layer(ROWS), OUTPUT=output, POPULATION_FIELD="pop", MIN_POPULATION=250,
                       WEIGHTS="1,2")
    layer = result["OUTPUT"] if suffix is None else QgsVectorLayer(result["OUTPUT"], "out", "ogr")
    method = method_record.load_method(layer)
    assert method["indicators"] == ["a", "b"]
    assert method["weights"] == {"a": 1.0, "b": 2.0}
    assert method["min_population"] == 250 and method["population"] == "pop"
    assert method["algorithm"] == "sozialraum:districtindex"
