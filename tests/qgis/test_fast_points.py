"""Points read in bulk through GDAL (GeoPackage point layers) give exactly what the feature-by-feature
reader gives, step aside where they cannot apply, and a coverage run on GeoPackages equals the run on
the same features in memory (the hand case of test_service_coverage)."""

import importlib
import json

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
            importlib.import_module(PACKAGE + ".adapters.geopackage"),
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
        # plain Python values (numpy scalars would not become attribute values)
        assert [type(v) for v in fast.values[field]] == [type(v) for v in slow.values[field]]
    assert fast.no_geometry == slow.no_geometry


def test_bulk_read_equals_feature_by_feature(adapters, tmp_path):
    distances, gpkg, _ = adapters
    layer = geopackage(point_layer(ROWS), tmp_path / "p.gpkg")
    assert gpkg.read_point_columns(layer, ["pid", "kinder", "n"]) is not None  # the bulk path applies
    fast, slow = read_both(distances, layer, ["pid", "kinder", "n"])
    assert_same(fast, slow, ["pid", "kinder", "n"])
    assert list(fast.values["pid"]) == ["0042", "b", None] and fast.values["kinder"][1] is None
    assert fast.x[0] == 400000.0 + 10.5 and fast.y[1] == 5700000.0 + 1e-3


def test_bulk_read_steps_aside(adapters, tmp_path):
    distances, gpkg, _ = adapters
    # a point without geometry: the feature-by-feature reader lists it
    rows = ROWS + [{"x": None, "y": None, "pid": "nowhere", "kinder": 1.0, "n": 2}]
    layer = geopackage(point_layer(rows), tmp_path / "p.gpkg")
    assert gpkg.read_point_columns(layer, ["kinder"]) is None
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
    assert gpkg.read_point_columns(layer, ["kinder"]) is None
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


# -- lines: the walking network -------------------------------------------------------------------


def network_module(plugin):
    return importlib.import_module(PACKAGE + ".adapters.network_graph")


def read_networks(module, layer, crs=UTM):
    context = QgsCoordinateTransformContext()
    return (module.read_network(layer, crs, context, layer=layer),  # bulk where it applies
            module.read_network(layer, crs, context))  # feature by feature


def assert_same_network(fast, slow):
    for name in ("node_x", "node_y", "edge_start", "edge_end", "edge_length", "vertex_x", "vertex_y",
                 "first_vertex"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
    assert fast.n_lines == slow.n_lines and fast.no_geometry == slow.no_geometry
    assert [g.asWkt(3) for g in fast.lines] == [g.asWkt(3) for g in slow.lines]


def line_geopackage(wkts, path, kind="MultiLineString"):
    layer = QgsVectorLayer("{}?crs=EPSG:25832&field=n:integer".format(kind), "wege", "memory")
    features = []
    for n, wkt in enumerate(wkts):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([n])
        if wkt is not None:
            feature.setGeometry(QgsGeometry.fromWkt(wkt))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return geopackage(layer, path, "wege")


LINES = ["LineString(400000 5700000, 400100 5700000, 400100 5700050.5)",
         "MultiLineString((400100 5700050.5, 400200 5700050.5), (400200 5700050.5, 400200 5700300, 400250 5700300))",
         "LineString(400000 5700000, 399900 5700000)",
         "MultiLineString((400250 5700300, 400400 5700300))"]


def test_bulk_network_equals_feature_by_feature(plugin, adapters, tmp_path):
    module = network_module(plugin)
    _, gpkg, _ = adapters
    layer = line_geopackage(LINES, tmp_path / "wege.gpkg")
    parts = gpkg.read_line_parts(layer)
    assert parts is not None  # the bulk path applies
    fids, part_feature, count, x, y = parts
    assert part_feature.tolist() == [0, 1, 1, 2, 3] and count.tolist() == [3, 2, 3, 2, 2]
    assert x[:3].tolist() == [400000.0, 400100.0, 400100.0] and y[2] == 5700050.5
    fast, slow = read_networks(module, layer)
    assert_same_network(fast, slow)
    # lengths as QGIS measures the lines
    assert fast.edge_length.tolist() == pytest.approx([150.5, 100.0, 299.5, 100.0, 150.0], abs=1e-9)
    assert fast.edge_length.tolist() == [line.length() for line in fast.lines]
    assert fast.graph.n_nodes == 6  # A-B, B-C, C-D, A-E, D-F
    # with heights (ignored: distances on the map)
    layer = line_geopackage(["LineString Z(400000 5700000 10, 400100 5700000 12, 400100 5700100 20)",
                             "LineString Z(400100 5700100 20, 400200 5700100 0)"], tmp_path / "z.gpkg",
                            "LineStringZ")
    assert gpkg.read_line_parts(layer) is not None
    fast, slow = read_networks(module, layer)
    assert_same_network(fast, slow)
    assert fast.edge_length.tolist() == [200.0, 100.0]


def test_bulk_network_steps_aside(plugin, adapters, tmp_path):
    module = network_module(plugin)
    _, gpkg, _ = adapters
    # a feature without geometry: read and reported feature by feature
    layer = line_geopackage(LINES + [None], tmp_path / "a.gpkg")
    assert gpkg.read_line_parts(layer) is None
    fast, slow = read_networks(module, layer)
    assert_same_network(fast, slow)
    assert len(fast.no_geometry) == 1
    # a curve: segmentized by QGIS
    layer = line_geopackage(LINES + ["CircularString(400400 5700300, 400450 5700350, 400500 5700300)"],
                            tmp_path / "b.gpkg")
    assert gpkg.read_line_parts(layer) is None
    assert_same_network(*read_networks(module, layer))
    # another CRS than the one measured in: reprojected by QGIS
    layer = line_geopackage(LINES, tmp_path / "c.gpkg")
    fast, slow = read_networks(module, layer, QgsCoordinateReferenceSystem("EPSG:3035"))
    assert_same_network(fast, slow)
    assert abs(fast.vertex_x[0] - 400000.0) > 1000


def test_catchments_with_a_geopackage_and_a_number_id(run, tmp_path):
    # an integer ID field read in bulk must come back as attribute values (found in review)
    layer = QgsVectorLayer("Point?crs=EPSG:25832&field=sid:integer&field=name:string", "services", "memory")
    features = []
    for k, (x, y) in enumerate([(400000.0, 5700000.0), (400500.0, 5700200.0)]):
        feature = QgsFeature(layer.fields())
        feature.setAttributes([10 + k, "S{}".format(k)])
        feature.setGeometry(QgsGeometry.fromWkt("Point({} {})".format(x, y)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    results = []
    for services in (layer, geopackage(layer, tmp_path / "services.gpkg", "services")):
        out = run("catchments", {"SERVICES": services, "ID_FIELD": "sid", "NAME_FIELD": "name", "DISTANCE": "300",
                                 "OUTPUT": "memory:"})["OUTPUT"]
        out = out if not isinstance(out, str) else QgsProject.instance().mapLayer(out)
        results.append(sorted((f["einrichtung_id"], round(f.geometry().area(), 6)) for f in out.getFeatures()))
    assert results[0] == results[1] and [r[0] for r in results[0]] == [10, 11]


def test_degenerate_network_line_is_read_alike_whatever_the_geometry_setting(plugin, adapters, tmp_path):
    # a line with all vertices in one place is invalid to GEOS; both readers keep it as an edge of
    # length 0, so Processing's invalid-geometry setting changes nothing (found in review)
    import processing
    from qgis.core import QgsFeatureRequest, QgsProcessingContext, QgsProcessingFeedback

    wkts = ["LineString(400000 5700000, 400100 5700000)", "LineString(400100 5700000, 400100 5700000)",
            "LineString(400100 5700000, 400200 5700000)"]
    gpkg = line_geopackage(wkts, tmp_path / "wege.gpkg")
    memory = QgsVectorLayer("MultiLineString?crs=EPSG:25832", "wege", "memory")
    memory.dataProvider().addFeatures(list(gpkg.getFeatures()))
    demand = point_layer(DEMAND, name="demand")
    outputs = []
    for network in (gpkg, memory):
        for check in (QgsFeatureRequest.GeometryAbortOnInvalid, QgsFeatureRequest.GeometrySkipInvalid):
            context = QgsProcessingContext()
            context.setInvalidGeometryCheck(check)
            result = processing.run("sozialraum:servicecoverage", {
                "DISTRICTS": square_layer(DISTRICTS), "ID_FIELD": "id", "SERVICES": point_layer(SERVICES),
                "CAPACITY_FIELD": "plaetze", "DEMAND": demand, "DEMAND_FIELD": "kinder", "NETWORK": network,
                "DISTANCE": "300, 1000", "METHOD": "2sfca", "OUTPUT": "memory:"},
                context=context, feedback=QgsProcessingFeedback())
            method = json.loads(result["METHOD_RECORD"])
            outputs.append((method["network"]["edges"], method["network"]["nodes"], result["UNREACHED_SHARE"]))
    # 3 lines read; the one of length 0 joins a node to itself, which the graph leaves out
    assert all(o == outputs[0] for o in outputs) and outputs[0][0] == 2
