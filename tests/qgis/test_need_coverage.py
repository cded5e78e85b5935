"""sozialraum:needcoverage through processing.run: the 3 x 3 typology against hand-made tables."""

import importlib

import pytest
from layers import polygon_layer, values
from qgis.core import QgsFeature, QgsField, QgsProcessingException, QgsProcessingFeedback, QgsVectorLayer
from qgis.PyQt.QtCore import QVariant

# need class c of k = 5 -> level 1 + floor(3 (c - 0.5) / 5): 1 -> 1, 3 -> 2, 5 -> 3 (class centres 0.1, 0.5, 0.9)
# priority 3 (3 - need) + (3 - coverage) + 1, labels written out by hand
NINE = {
    # id: (index_class, versorgung_klasse, typ_code, label, priority)
    "A": (1, 1, "1-1", "geringer Bedarf, gute Versorgung", 9),
    "B": (1, 2, "1-2", "geringer Bedarf, mittlere Versorgung", 8),
    "C": (1, 3, "1-3", "geringer Bedarf, geringe Versorgung", 7),
    "D": (3, 1, "2-1", "mittlerer Bedarf, gute Versorgung", 6),
    "E": (3, 2, "2-2", "mittlerer Bedarf, mittlere Versorgung", 5),
    "F": (3, 3, "2-3", "mittlerer Bedarf, geringe Versorgung", 4),
    "G": (5, 1, "3-1", "hoher Bedarf, gute Versorgung", 3),
    "H": (5, 2, "3-2", "hoher Bedarf, mittlere Versorgung", 2),
    "I": (5, 3, "3-3", "hoher Bedarf, geringe Versorgung", 1),
}


class WarningFeedback(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.warnings = []

    def pushWarning(self, text):  # noqa: N802 (QGIS API)
        self.warnings.append(text)
        super().pushWarning(text)


def table_layer(rows, name="coverage"):
    """A memory layer without geometry (an attribute table)."""
    layer = QgsVectorLayer("None", name, "memory")
    kinds = {str: QVariant.String, int: QVariant.Int, float: QVariant.Double}
    keys = list(rows[0])
    layer.dataProvider().addAttributes(
        [QgsField(k, kinds[type(next(r[k] for r in rows if r[k] is not None))]) for k in keys])
    layer.updateFields()
    features = []
    for row in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes([row[k] for k in keys])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def run_typology(run, need, coverage, feedback=None, **extra):
    parameters = {"NEED": need, "NEED_ID_FIELD": "id", "NEED_FIELD": "index_class", "NEED_MODE": "classes",
                  "N_NEED_CLASSES": 5, "COVERAGE": coverage, "COVERAGE_ID_FIELD": "gebiet",
                  "COVERAGE_FIELD": "versorgung_klasse", "COVERAGE_MODE": "classes", "OUTPUT": "memory:"}
    parameters.update(extra)
    return run("needcoverage", parameters, feedback)


def test_all_nine_types_labels_and_priorities(run):
    need = polygon_layer([{"id": key, "index_class": row[0]} for key, row in NINE.items()])
    coverage = table_layer([{"gebiet": key, "versorgung_klasse": row[1]} for key, row in NINE.items()])
    result = run_typology(run, need, coverage)
    out = result["OUTPUT"]
    assert values(out, "typ_code") == {key: row[2] for key, row in NINE.items()}
    assert values(out, "typ_label") == {key: row[3] for key, row in NINE.items()}
    assert values(out, "prioritaet") == {key: row[4] for key, row in NINE.items()}
    assert values(out, "bedarf_klasse") == {key: int(row[2][0]) for key, row in NINE.items()}
    assert values(out, "versorgung_klasse_3") == {key: row[1] for key, row in NINE.items()}
    assert set(values(out, "hinweis").values()) <= {None, ""}
    assert result["N_TYPED"] == 9 and result["N_NO_TYPE"] == 0 and result["N_COVERAGE_ONLY"] == 0
    # the need layer's geometry and fields are kept
    assert out.featureCount() == 9 and all(f.hasGeometry() for f in out.getFeatures())
    assert "index_class" in out.fields().names()


def test_k_classes_map_to_three_levels(run):
    # k = 4: centres 0.125, 0.375, 0.625, 0.875 -> thirds 1, 2, 2, 3; k = 5: 1, 1, 2, 3, 3
    for k, expected in ((4, [1, 2, 2, 3]), (5, [1, 1, 2, 3, 3])):
        need = polygon_layer([{"id": "Q{}".format(c), "index_class": c} for c in range(1, k + 1)])
        coverage = table_layer([{"gebiet": "Q{}".format(c), "versorgung_klasse": 2} for c in range(1, k + 1)])
        out = run_typology(run, need, coverage, N_NEED_CLASSES=k)["OUTPUT"]
        assert values(out, "bedarf_klasse") == {"Q{}".format(c): e for c, e in zip(range(1, k + 1), expected)}


def test_values_by_terciles_need_up_coverage_inverted(run):
    # need 1..9: q1/3 = 1 + 8/3 = 3.67, q2/3 = 6.33 -> 1,2,3 low; 4,5,6 medium; 7,8,9 high
    # coverage value 9..1 (higher = better): 9,8,7 good (1), 6,5,4 medium (2), 3,2,1 poor (3)
    need = polygon_layer([{"id": "Q{}".format(v), "index_value": float(v)} for v in range(1, 10)])
    coverage = table_layer([{"gebiet": "Q{}".format(v), "idx": float(10 - v)} for v in range(1, 10)])
    out = run_typology(run, need, coverage, NEED_FIELD="index_value", NEED_MODE="values",
                       COVERAGE_FIELD="idx", COVERAGE_MODE="values")["OUTPUT"]
    need3 = values(out, "bedarf_klasse")
    cover3 = values(out, "versorgung_klasse_3")
    for v in range(1, 10):
        assert need3["Q{}".format(v)] == (v - 1) // 3 + 1
        assert cover3["Q{}".format(v)] == (v - 1) // 3 + 1  # coverage 10 - v: high v = low coverage = poor
    assert values(out, "prioritaet")["Q9"] == 1 and values(out, "prioritaet")["Q1"] == 9


def test_unmatched_and_unrated_districts_are_noted_not_dropped(run):
    need = polygon_layer([{"id": "A", "index_class": 5}, {"id": "B", "index_class": None},
                          {"id": "C", "index_class": 1}, {"id": "D", "index_class": 3}],
                         types={"index_class": int})
    coverage = table_layer([{"gebiet": "A", "versorgung_klasse": 3}, {"gebiet": "B", "versorgung_klasse": 1},
                            {"gebiet": "D", "versorgung_klasse": None}, {"gebiet": "Z", "versorgung_klasse": 2}])
    feedback = WarningFeedback()
    result = run_typology(run, need, coverage, feedback)
    out = result["OUTPUT"]
    assert out.featureCount() == 4
    codes = values(out, "typ_code")
    assert codes == {"A": "3-3", "B": None, "C": None, "D": None}
    assert values(out, "prioritaet") == {"A": 1, "B": None, "C": None, "D": None}
    notes = values(out, "hinweis")
    assert "index_class" in notes["B"]  # need not rated
    assert "'C'" in notes["C"]  # missing from the coverage result
    assert "versorgung_klasse" in notes["D"]  # coverage class empty
    assert result["N_TYPED"] == 1 and result["N_NO_TYPE"] == 3 and result["N_COVERAGE_ONLY"] == 1
    assert any("'Z'" in w for w in feedback.warnings) and any("'C'" in w for w in feedback.warnings)


def test_ids_match_across_number_and_text(run):
    need = polygon_layer([{"id": 7, "index_class": 5}, {"id": 8, "index_class": 1}])
    coverage = table_layer([{"gebiet": " 7", "versorgung_klasse": 3}, {"gebiet": "8", "versorgung_klasse": 1}])
    out = run_typology(run, need, coverage)["OUTPUT"]
    assert values(out, "typ_code") == {7: "3-3", 8: "1-1"}


def test_status_classes_of_four(run):
    # MSS status_class 1 high .. 4 very low status (= most need): centres 1/8, 3/8, 5/8, 7/8 -> 1, 2, 2, 3
    need = polygon_layer([{"id": "S{}".format(c), "status_class": c} for c in (1, 2, 3, 4)])
    coverage = table_layer([{"gebiet": "S{}".format(c), "versorgung_klasse": 3} for c in (1, 2, 3, 4)])
    out = run_typology(run, need, coverage, NEED_FIELD="status_class", N_NEED_CLASSES=4)["OUTPUT"]
    assert values(out, "typ_code") == {"S1": "1-3", "S2": "2-3", "S3": "2-3", "S4": "3-3"}


@pytest.mark.parametrize("case, fragment", [
    ("coverage class 4", "versorgung_klasse"),
    ("need class 6 of 5", "1..5"),
    ("duplicate coverage id", "doppelte"),
])
def test_bad_input_gives_clear_messages(run, case, fragment):
    need_rows = [{"id": "A", "index_class": 5}, {"id": "B", "index_class": 1}]
    cover_rows = [{"gebiet": "A", "versorgung_klasse": 1}, {"gebiet": "B", "versorgung_klasse": 2}]
    if case == "coverage class 4":
        cover_rows[0]["versorgung_klasse"] = 4
    elif case == "need class 6 of 5":
        need_rows[0]["index_class"] = 6
    else:
        cover_rows[1]["gebiet"] = "A"
    with pytest.raises(QgsProcessingException, match=fragment):
        run_typology(run, polygon_layer(need_rows), table_layer(cover_rows))


def test_english_labels(run, core):
    core.errors.set_language("en")
    try:
        need = polygon_layer([{"id": "A", "index_class": 5}])
        coverage = table_layer([{"gebiet": "A", "versorgung_klasse": 3}])
        out = run_typology(run, need, coverage)["OUTPUT"]
        assert values(out, "typ_label") == {"A": "high need, poor coverage"}
    finally:
        core.errors.set_language("de")


# --------------------------------------------------------------------------------------------
# the bivariate style
# --------------------------------------------------------------------------------------------

@pytest.fixture()
def bivariate(plugin):
    return importlib.import_module("sozialraum_plugin.sozialraum.adapters.bivariate")


def test_result_layer_styled_with_legend_by_priority(run, bivariate):
    need = polygon_layer([{"id": key, "index_class": row[0]} for key, row in NINE.items()])
    coverage = table_layer([{"gebiet": key, "versorgung_klasse": row[1]} for key, row in NINE.items()])
    out = run_typology(run, need, coverage)["OUTPUT"]
    bivariate.apply_bivariate_style(out, "Bedarf und Versorgung", {"algorithm": "sozialraum:needcoverage"})
    renderer = out.renderer()
    assert renderer.classAttribute() == "typ_code"
    categories = renderer.categories()
    # row by row as the 3 x 3 grid reads (high need first, poor coverage first), which is the priority order
    assert [c.value() for c in categories[:9]] == ["3-3", "3-2", "3-1", "2-3", "2-2", "2-1", "1-3", "1-2", "1-1"]
    assert [c.label() for c in categories[:3]] == [
        "Bedarf hoch · Versorgung gering", "Bedarf hoch · Versorgung mittel", "Bedarf hoch · Versorgung gut"]
    assert categories[8].label() == "Bedarf gering · Versorgung gut"
    palette = importlib.import_module("sozialraum_plugin.sozialraum.core.palettes").NEED_COVERAGE_COLORS
    assert [c.symbol().color().name() for c in categories[:9]] == [
        palette[(int(c.value()[0]), int(c.value()[2]))] for c in categories[:9]]
    # every quarter of the result falls in its own cell
    codes = values(out, "typ_code")
    assert sorted(codes.values()) == sorted(c.value() for c in categories[:9])
    assert categories[9].value() in (None, "") or categories[9].value().isNull()
    assert out.name() == "Bedarf und Versorgung"
