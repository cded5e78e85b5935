"""The fast reading and writing paths (GDAL columns in, ``native:savefeatures`` + SQL out) give
exactly what the feature-by-feature paths give, and step aside where they cannot apply."""

import contextlib
import importlib
import math
import sqlite3

import pandas as pd
import pytest
from layers import polygon_layer, values
from qgis.core import (
    QgsCoordinateTransformContext,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingFeedback,
    QgsProcessingOutputLayerDefinition,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

PACKAGE = "sozialraum_plugin.sozialraum"

# ids as typed (leading zeros), NULLs in a float, an int and a text field; E is too small to be rated,
# F has no value for "a". Index by hand for a = 1, 2, 3, 4 and b = 2, 2, 4, 4 (A-D, population SD):
# see test_district_index.py: -1.20300, -0.74350, 0.74350, 1.20300
ROWS = [
    {"id": "01011101", "a": 1.0, "b": 2.0, "pop": 1000, "name": "Altstadt"},
    {"id": "01011102", "a": 2.0, "b": 2.0, "pop": 1000, "name": None},
    {"id": "01011103", "a": 3.0, "b": 4.0, "pop": 1000, "name": "Süd"},
    {"id": "01011104", "a": 4.0, "b": 4.0, "pop": 1000, "name": "Nord"},
    {"id": "01011105", "a": 9.0, "b": 9.0, "pop": 100, "name": "Hafen"},
    {"id": "01011106", "a": None, "b": 3.0, "pop": None, "name": "Wald"},
]
EXPECTED = {"01011101": -1.20300, "01011102": -0.74350, "01011103": 0.74350, "01011104": 1.20300}
TYPES = {"id": str, "a": float, "b": float, "pop": int, "name": str}


@pytest.fixture()
def modules(plugin):
    return (importlib.import_module(PACKAGE + ".adapters.layers"),
            importlib.import_module(PACKAGE + ".adapters.geopackage"),
            importlib.import_module(PACKAGE + ".processing.base"))


def geopackage(layer, path):
    """``layer`` saved as a GeoPackage (feature ids become its ``fid``); the GeoPackage layer."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    error = QgsVectorFileWriter.writeAsVectorFormatV3(layer, str(path), QgsCoordinateTransformContext(), options)
    assert error[0] == QgsVectorFileWriter.NoError, error
    saved = QgsVectorLayer(str(path), "districts", "ogr")
    assert saved.isValid()
    return saved


def index_parameters(source, output, **extra):
    parameters = {"INPUT": source, "ID_FIELD": "id", "INDICATORS": ["a", "b"], "POPULATION_FIELD": "pop",
                  "MIN_POPULATION": 300, "OUTPUT": output}
    parameters.update(extra)
    return parameters


def forbid(monkeypatch, module, name):
    """Make ``module.name`` fail, to prove that a run took the other path."""
    def fail(*args, **kwargs):
        raise AssertionError(name + " should not run here")
    monkeypatch.setattr(module, name, fail)


def feature_by_feature(monkeypatch, modules):
    """From here on no layer counts as a plain GeoPackage: reading and writing go feature by feature."""
    _, gpkg, base = modules
    monkeypatch.setattr(gpkg, "keyed_geopackage", lambda layer: False)
    monkeypatch.setattr(base, "keyed_geopackage", lambda layer: False)


def run_index(parameters, check=None):
    """processing.run of districtindex with a context that knows the project (for selections)."""
    import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    if check is not None:
        context.setInvalidGeometryCheck(check)
    return processing.run("sozialraum:districtindex", parameters, context=context,
                          feedback=QgsProcessingFeedback())["OUTPUT"]


def table(path):
    """``(field definitions, {id: attributes})`` of the single layer in a GeoPackage, read by QGIS."""
    layer = QgsVectorLayer(str(path), "out", "ogr")
    assert layer.isValid()
    fields = [(f.name(), f.type(), f.typeName(), f.length(), f.precision()) for f in layer.fields()
              if f.name() != "fid"]
    rows = {}
    for feature in layer.getFeatures():
        attributes = {f: feature[f] for f, *_ in fields}
        rows[feature["id"]] = ({k: None if v is None or (hasattr(v, "isNull") and v.isNull()) else v
                                for k, v in attributes.items()}, feature.geometry().asWkb())
    return fields, rows


def test_geopackage_fast_path_equals_feature_path(run, modules, monkeypatch, tmp_path):
    layers, _, base = modules
    memory = polygon_layer(ROWS, types=TYPES)
    source = geopackage(memory, tmp_path / "districts.gpkg")
    with monkeypatch.context() as patch:
        forbid(patch, layers, "_read_features")
        forbid(patch, base, "write_with_results")
        fast = run("districtindex", index_parameters(source, str(tmp_path / "fast.gpkg")))["OUTPUT"]
    from_memory = run("districtindex", index_parameters(memory, str(tmp_path / "memory.gpkg")))["OUTPUT"]
    with monkeypatch.context() as patch:
        feature_by_feature(patch, modules)
        slow = run("districtindex", index_parameters(source, str(tmp_path / "slow.gpkg")))["OUTPUT"]
    fast_fields, fast_rows = table(fast)
    assert table(slow) == (fast_fields, fast_rows)
    assert table(from_memory) == (fast_fields, fast_rows)
    temporary = run("districtindex", index_parameters(source, "memory:"))["OUTPUT"]  # read fast, write one by one
    for name, *_ in fast_fields:
        assert values(temporary, name) == {key: row[name] for key, (row, _) in fast_rows.items()}
    assert [name for name, *_ in fast_fields][:5] == ["id", "a", "b", "pop", "name"]
    index = {key: row["index_value"] for key, (row, _) in fast_rows.items()}
    for key, expected in EXPECTED.items():
        assert index[key] == pytest.approx(expected, abs=1e-4)
    assert index["01011105"] is None and index["01011106"] is None  # too small / missing value
    assert fast_rows["01011106"][0]["rated"] is False and fast_rows["01011102"][0]["name"] is None
    assert fast_rows["01011104"][0]["index_rank"] == 1 and fast_rows["01011101"][0]["index_class"] == 2


def ogr_geopackage(path):
    """A GeoPackage made by GDAL with int32, int64, yes/no, float and text fields, NULLs in each."""
    from osgeo import ogr, osr

    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    crs = osr.SpatialReference()
    crs.ImportFromEPSG(25832)
    layer = dataset.CreateLayer("districts", crs, ogr.wkbPolygon)
    kinds = {"id": (ogr.OFTString, 0), "a": (ogr.OFTReal, 0), "pop": (ogr.OFTInteger, 0),
             "big": (ogr.OFTInteger64, 0), "flag": (ogr.OFTInteger, ogr.OFSTBoolean), "name": (ogr.OFTString, 0)}
    for name, (kind, subtype) in kinds.items():
        definition = ogr.FieldDefn(name, kind)
        definition.SetSubType(subtype)
        layer.CreateField(definition)
    for k, row in enumerate(ROWS):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetFID(10 * k + 3)  # ids with gaps
        values_ = dict(row, big=None if k == 2 else 2 ** 40 + k, flag=None if k == 3 else k % 2)
        for name in kinds:
            if values_[name] is not None:
                feature.SetField(name, values_[name])
        feature.SetGeometry(ogr.CreateGeometryFromWkt("POLYGON((0 0,{0} 0,{0} 1,0 0))".format(k + 1)))
        layer.CreateFeature(feature)
    dataset = None
    return QgsVectorLayer(str(path), "districts", "ogr")


def test_read_through_gdal_equals_feature_by_feature(modules, tmp_path):
    layers, gpkg, _ = modules
    source = ogr_geopackage(tmp_path / "d.gpkg")
    for fields in (["id", "a", "pop", "name", "fid", "big"], ["big"], ["pop", "id"]):
        fast = gpkg.read_with_gdal(source, fields)
        slow = layers.read_table(source, fields)  # no layer given: feature by feature
        pd.testing.assert_frame_equal(fast, slow)
    fast = gpkg.read_with_gdal(source, ["id", "name", "pop", "fid", "big"])
    assert fast["id"].tolist()[0] == "01011101" and fast["name"].tolist()[:3] == ["Altstadt", None, "Süd"]
    assert math.isnan(fast["pop"].tolist()[5]) and fast.index.tolist() == [3, 13, 23, 33, 43, 53]
    assert fast["fid"].tolist() == fast.index.tolist() and fast["big"].tolist()[:2] == [2 ** 40, 2 ** 40 + 1]
    assert math.isnan(fast["big"].tolist()[2])  # an integer column with NULLs becomes float, as before
    # yes/no fields are left to QGIS (GDAL 3.6 garbles them), with the same result through read_table
    assert gpkg.read_with_gdal(source, ["id", "flag"]) is None
    assert layers.read_table(source, ["flag"], layer=source)["flag"].tolist() == [False, True, False, None, False,
                                                                                 True]


def test_gdal_read_steps_aside(modules, tmp_path):
    layers, gpkg, _ = modules
    source = geopackage(polygon_layer(ROWS, types=TYPES), tmp_path / "d.gpkg")
    assert gpkg.read_with_gdal(polygon_layer(ROWS, types=TYPES), ["id"]) is None  # memory layer
    filtered = QgsVectorLayer(source.source(), "f", "ogr")
    filtered.setSubsetString("pop > 500")
    assert gpkg.read_with_gdal(filtered, ["id"]) is None
    assert len(layers.read_table(filtered, ["id"], layer=filtered)) == 4
    editing = QgsVectorLayer(source.source(), "e", "ogr")
    editing.startEditing()
    editing.changeAttributeValue(1, 1, "changed")
    assert gpkg.read_with_gdal(editing, ["id"]) is None
    assert layers.read_table(editing, ["id"], layer=editing)["id"][1] == "changed"
    editing.rollBack()


def test_selected_features_only(modules, monkeypatch, tmp_path):
    _, _, base = modules
    source = geopackage(polygon_layer(ROWS, types=TYPES), tmp_path / "d.gpkg")
    QgsProject.instance().addMapLayer(source)
    try:
        source.selectByIds([f.id() for f in source.getFeatures() if f["id"] != "01011103"])
        selection = QgsProcessingFeatureSourceDefinition(source.id(), True)
        with monkeypatch.context() as patch:
            forbid(patch, base, "write_with_results")  # the copy honours the selection
            fast = run_index(index_parameters(selection, str(tmp_path / "fast.gpkg")))
        with monkeypatch.context() as patch:
            feature_by_feature(patch, modules)
            slow = run_index(index_parameters(selection, str(tmp_path / "slow.gpkg")))
    finally:
        QgsProject.instance().removeMapLayer(source.id())
    part = run_index(index_parameters(polygon_layer([r for r in ROWS if r["id"] != "01011103"], types=TYPES),
                                      str(tmp_path / "part.gpkg")))
    fast_fields, fast_rows = table(fast)
    assert table(slow) == (fast_fields, fast_rows)
    part_fields, part_rows = table(part)  # the same districts on their own (placed elsewhere)
    assert part_fields == fast_fields and {k: row for k, (row, _) in part_rows.items()} == {
        k: row for k, (row, _) in fast_rows.items()}
    assert len(fast_rows) == 5 and "01011103" not in fast_rows


@pytest.mark.parametrize("check", [QgsFeatureRequest.GeometrySkipInvalid, QgsFeatureRequest.GeometryAbortOnInvalid])
def test_invalid_geometries_are_kept_by_both_paths(modules, monkeypatch, tmp_path, check):
    # the index needs no geometry: like QGIS' attribute tools, neither path drops or stops at invalid ones
    memory = polygon_layer(ROWS, types=TYPES)
    bow_tie = QgsGeometry.fromWkt("MultiPolygon(((0 0, 10 10, 10 0, 0 10, 0 0)))")
    memory.dataProvider().changeGeometryValues({next(memory.getFeatures()).id(): bow_tie})
    source = geopackage(memory, tmp_path / "d.gpkg")
    fast = run_index(index_parameters(source, str(tmp_path / "fast.gpkg")), check)
    with monkeypatch.context() as patch:
        feature_by_feature(patch, modules)
        slow = run_index(index_parameters(source, str(tmp_path / "slow.gpkg")), check)
    from_memory = run_index(index_parameters(memory, str(tmp_path / "memory.gpkg")), check)
    fields, rows = table(fast)
    assert table(slow) == (fields, rows) == table(from_memory)
    assert len(rows) == 6 and rows["01011101"][0]["index_value"] == pytest.approx(EXPECTED["01011101"], abs=1e-4)


def test_result_fields_of_an_earlier_run_are_replaced(run, tmp_path):
    source = geopackage(polygon_layer(ROWS, types=TYPES), tmp_path / "d.gpkg")
    first = run("districtindex", index_parameters(source, str(tmp_path / "first.gpkg")))["OUTPUT"]
    again = run("districtindex", index_parameters(QgsVectorLayer(first, "first", "ogr"),
                                                  str(tmp_path / "again.gpkg")))["OUTPUT"]
    first_fields, first_rows = table(first)
    again_fields, again_rows = table(again)
    assert again_fields == first_fields and again_rows == first_rows


def test_other_algorithms_write_alike(run, modules, monkeypatch, tmp_path):
    _, _, base = modules
    memory = polygon_layer(ROWS, types=TYPES)
    source = geopackage(memory, tmp_path / "d.gpkg")
    # MIN_CASES 0: this test is about the two write paths, not confidentiality (a = 1 case would be withheld)
    parameters = {"ID_FIELD": "id", "RATES": ["a", "pop", "quote"], "MIN_DENOMINATOR": 300, "MIN_CASES": 0}
    with monkeypatch.context() as patch:
        forbid(patch, base, "write_with_results")
        fast = run("indicatorrates", dict(parameters, INPUT=source, OUTPUT=str(tmp_path / "f.gpkg")))["OUTPUT"]
    slow = run("indicatorrates", dict(parameters, INPUT=memory, OUTPUT=str(tmp_path / "s.gpkg")))["OUTPUT"]
    assert table(fast) == table(slow)
    assert values(QgsVectorLayer(fast, "f", "ogr"), "quote")["01011101"] == pytest.approx(0.1)


def test_copied_output_is_loaded_styled_and_keeps_its_method(plugin, tmp_path):
    import processing

    method_record = importlib.import_module(PACKAGE + ".adapters.method_record")
    source = geopackage(polygon_layer(ROWS, types=TYPES), tmp_path / "d.gpkg")
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    output = QgsProcessingOutputLayerDefinition(str(tmp_path / "loaded.gpkg"), QgsProject.instance())
    result = processing.run("sozialraum:districtindex", index_parameters(source, output), context=context,
                            feedback=QgsProcessingFeedback())
    dest_id = result["OUTPUT"]
    details = context.layerToLoadOnCompletionDetails(dest_id)
    assert details.name in ("Sozialindex", "Social index") and details.outputName == "OUTPUT"
    assert details.postProcessor() is not None  # the class style
    method = method_record.load_method(QgsVectorLayer(dest_id, "out", "ogr"))
    assert method["algorithm"] == "sozialraum:districtindex" and method["indicators"] == ["a", "b"]
    with contextlib.closing(sqlite3.connect(str(tmp_path / "loaded.gpkg"))) as connection:  # no leftovers
        tables = {name for name, in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"loaded", "sozialraum_method"} <= tables and not any(t.startswith("r_") for t in tables)


def test_child_feedback_maps_progress_and_passes_cancel(modules):
    _, _, base = modules
    parent = QgsProcessingFeedback()
    child = base._ChildFeedback(parent, 40.0, 94.0)
    child.setProgress(50.0)
    assert parent.progress() == pytest.approx(67.0)
    parent.cancel()
    assert child.isCanceled()
    child.detach()


class _CancelAt(QgsProcessingFeedback):
    """Cancels the run as soon as the progress reaches ``at`` percent."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def setProgress(self, value):  # noqa: N802 (QGIS API): the plugin reports progress through this object
        super().setProgress(value)
        if value >= self.at:
            self.cancel()


@pytest.mark.parametrize("at", [40.0, 60.0])
def test_cancel_during_the_copy_leaves_no_output_and_says_so(plugin, tmp_path, at):
    """Cancelled while the result is copied (fast path) or its columns are added: an error that says
    so, and neither the output nor a staging folder is left behind."""
    import processing

    source = geopackage(polygon_layer(ROWS, types=TYPES), tmp_path / "d.gpkg")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(QgsProcessingException, match="Abgebrochen|Cancelled"):
        processing.run("sozialraum:districtindex", index_parameters(source, str(tmp_path / "c.gpkg")),
                       context=QgsProcessingContext(), feedback=_CancelAt(at))
    assert sorted(p.name for p in tmp_path.iterdir()) == before
