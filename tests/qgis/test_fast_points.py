"""Points read in bulk through GDAL (GeoPackage point layers) give exactly what the feature-by-feature
reader gives, step aside where they cannot apply, and a coverage run on GeoPackages equals the run on
the same features in memory (the hand case of test_service_coverage)."""

import importlib

import numpy as np
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsGeometry,
    QgsProcessingException,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from test_service_coverage import DEMAND, DISTRICTS, SERVICES, point_layer, run_coverage, square_layer

PACKAGE = "sozialraum_plugin.sozialraum"
UTM = QgsCoordinateReferenceSystem("EPSG:25832")


@pytest.fixture()
def adapters(plugin):
    return (importlib.import_module(PACKAGE + ".adapters.distances"),
            importlib.import_module(PACKAGE + ".adapters.layers"),
            importlib.import_module(PACKAGE + ".processing.base"))


def geopackage(layer, path, name="points"):
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = name
    error = QgsVectorFileWriter.writeAsVectorFormatV3(layer, str(path), QgsCoordinateTransformContext(), options)
    assert error[0] == QgsVectorFileWriter.NoError, error
    saved = QgsVectorLayer("{}|layername={}".format(path, name), name, "ogr")
    assert saved.isValid()
    return saved


ROWS = [{"x": 10.5, "y": 20.25, "pid": "0042", "kinder": 3.0, "n": 7},
        {"x": -5.0, "y": 1e-3, "pid": "b", "kinder": None, "n": None},
        {"x": 123456.789, "y": 0.0, "pid": None, "kinder": 2.5, "n": 1}]


def read_both(distances, layer, fields, crs=UTM):
    context = QgsCoordinateTransformContext()
    fast = distances.read_points(layer, fields, crs, context, layer=layer)
    slow = distances.read_points(layer, fields, crs, context)  # no layer: feature by feature
    return fast, slow


def assert_same(fast, slow, fields):
    assert fast.fid.tolist() == slow.fid.tolist()
    assert np.array_equal(fast.x, slow.x) and np.array_equal(fast.y, slow.y)
    for field in fields:
        assert list(fast.values[field]) == list(slow.values[field])
    assert fast.no_geometry == slow.no_geometry


def test_bulk_read_equals_feature_by_feature(adapters, tmp_path):
    distances, layers, _ = adapters
    layer = geopackage(point_layer(ROWS), tmp_path / "p.gpkg")
    assert layers.read_point_columns(layer, ["pid", "kinder", "n"]) is not None  # the bulk path applies
    fast, slow = read_both(distances, layer, ["pid", "kinder", "n"])
    assert_same(fast, slow, ["pid", "kinder", "n"])
    assert list(fast.values["pid"]) == ["0042", "b", None] and fast.values["kinder"][1] is None
    assert fast.x[0] == 400000.0 + 10.5 and fast.y[1] == 5700000.0 + 1e-3


def test_bulk_read_steps_aside(adapters, tmp_path):
    distances, layers, _ = adapters
    # a point without geometry: the feature-by-feature reader lists it
    rows = ROWS + [{"x": None, "y": None, "pid": "nowhere", "kinder": 1.0, "n": 2}]
    layer = geopackage(point_layer(rows), tmp_path / "p.gpkg")
    assert layers.read_point_columns(layer, ["kinder"]) is None
    fast, slow = read_both(distances, layer, ["kinder"])
    assert_same(fast, slow, ["kinder"])
    assert len(fast.no_geometry) == 1
    # another CRS than the one measured in: reprojected by QGIS, as before
    layer = geopackage(point_layer(ROWS), tmp_path / "q.gpkg")
    wgs84 = QgsCoordinateReferenceSystem("EPSG:3035")
    fast, slow = read_both(distances, layer, ["kinder"], crs=wgs84)
    assert_same(fast, slow, ["kinder"])
    assert abs(fast.x[0] - 400010.5) > 1000  # really reprojected
    # multi-points: their point on surface, from QGIS
    multi = QgsVectorLayer("MultiPoint?crs=EPSG:25832&field=kinder:double", "m", "memory")
    feature = QgsFeature(multi.fields())
    feature.setAttributes([4.0])
    feature.setGeometry(QgsGeometry.fromWkt("MultiPoint((400000 5700000), (400010 5700000))"))
    multi.dataProvider().addFeatures([feature])
    layer = geopackage(multi, tmp_path / "m.gpkg")
    assert layers.read_point_columns(layer, ["kinder"]) is None
    assert_same(*read_both(distances, layer, ["kinder"]), ["kinder"])


def test_coverage_on_geopackages_equals_memory(run, adapters, monkeypatch, tmp_path):
    _, _, base = adapters
    demand = geopackage(point_layer(DEMAND, name="demand"), tmp_path / "demand.gpkg", "demand")
    services = geopackage(point_layer(SERVICES, name="services"), tmp_path / "services.gpkg", "services")
    districts = geopackage(square_layer(DISTRICTS), tmp_path / "districts.gpkg", "districts")
    with monkeypatch.context() as patch:
        def fail(*args, **kwargs):
            raise AssertionError("both outputs should be copies of the GeoPackages")
        patch.setattr(base, "write_with_results", fail)
        fast = run_coverage(run, demand=demand, services=services, districts=districts, OUTPUT=str(tmp_path / "out.gpkg"),
                            OUTPUT_DEMAND=str(tmp_path / "points.gpkg"))
    slow = run_coverage(run)
    for key in ("OUTPUT", "OUTPUT_DEMAND"):
        fast_layer = QgsVectorLayer(fast[key], "f", "ogr") if isinstance(fast[key], str) else fast[key]
        slow_layer = slow[key] if not isinstance(slow[key], str) else QgsProject.instance().mapLayer(slow[key])
        slow_layer = slow_layer or QgsVectorLayer(slow[key], "s", "memory")
        names = [f.name() for f in slow_layer.fields()]
        assert [f.name() for f in fast_layer.fields() if f.name() != "fid"] == names
        key_field = "id" if key == "OUTPUT" else "pid"
        got = {f[key_field]: [f[n] for n in names] for f in fast_layer.getFeatures()}
        want = {f[key_field]: [f[n] for n in names] for f in slow_layer.getFeatures()}
        assert got == want and len(got) == (3 if key == "OUTPUT" else 4)


def test_a_demand_layer_that_cannot_be_read_is_an_error(run, tmp_path):
    # not silently the districts' points instead
    with pytest.raises(QgsProcessingException):
        run_coverage(run, demand=str(tmp_path / "missing.gpkg"))
