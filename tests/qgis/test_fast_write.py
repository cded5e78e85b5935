"""The bulk write of result layers (GDAL + SQLite, adapters/geopackage.copy_with_results) gives the very
layers the feature-by-feature path gives: same feature ids, fields (name, type, length, precision),
values and geometries, for the district layer and the per-point layer of servicecoverage; the input
stays byte-identical; where the bulk write cannot be used, the log says so."""

import hashlib
import importlib

import numpy as np
import pytest
from qgis.core import (
    QgsCoordinateTransformContext,
    QgsProcessingFeedback,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from test_service_coverage import DISTRICTS, SERVICES, point_layer, run_coverage, square_layer

PACKAGE = "sozialraum_plugin.sozialraum"


@pytest.fixture()
def modules(plugin):
    return (importlib.import_module(PACKAGE + ".adapters.geopackage"),
            importlib.import_module(PACKAGE + ".processing.base"))


class Log(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.lines = []

    def pushInfo(self, info):  # noqa: N802 (QGIS API)
        self.lines.append(info)
        super().pushInfo(info)


def save(layer, path, name):
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = name
    error = QgsVectorFileWriter.writeAsVectorFormatV3(layer, str(path), QgsCoordinateTransformContext(), options)
    assert error[0] == QgsVectorFileWriter.NoError, error
    saved = QgsVectorLayer("{}|layername={}".format(path, name), name, "ogr")
    assert saved.isValid()
    return saved


def demand_points(tmp_path):
    """200 demand points over the three districts of test_service_coverage (some outside all of them),
    one on the border of A and B, and one without a geometry, as a GeoPackage."""
    rng = np.random.default_rng(7)
    rows = [{"x": float(x), "y": float(y), "pid": "p{}".format(k), "kinder": float(w)} for k, (x, y, w) in enumerate(
        zip(rng.uniform(-200, 2200, 200).round(1), rng.uniform(-200, 1200, 200).round(1), rng.integers(1, 5, 200)))]
    rows += [{"x": 1000.0, "y": 500.0, "pid": "border", "kinder": 2.0},
             {"x": None, "y": None, "pid": "empty", "kinder": 999.0}]
    return save(point_layer(rows, name="demand"), tmp_path / "demand.gpkg", "demand")


def layer_content(path):
    """Everything a user sees of a result layer: fields with their definitions, and per feature id the
    attributes and the geometry (WKB)."""
    layer = QgsVectorLayer(str(path), "out", "ogr")
    assert layer.isValid()
    fields = [(f.name(), f.type(), f.typeName(), f.length(), f.precision()) for f in layer.fields()]
    rows = {feature.id(): ([None if value is None or (hasattr(value, "isNull") and value.isNull()) else value
                            for value in feature.attributes()], feature.geometry().asWkb().data())
            for feature in layer.getFeatures()}
    return fields, rows, layer.wkbType(), layer.crs().authid(), layer.featureCount()


def md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("method", ["2sfca", "nearest"])  # nearest: 'erreichbarkeit' has no value at all
def test_bulk_write_equals_feature_by_feature(run, modules, monkeypatch, tmp_path, method):
    gpkg, base = modules
    demand = demand_points(tmp_path)
    services = save(point_layer(SERVICES, name="services"), tmp_path / "services.gpkg", "services")
    districts = save(square_layer(DISTRICTS), tmp_path / "districts.gpkg", "districts")
    inputs = {path: md5(path) for path in tmp_path.glob("*.gpkg")}
    fast_log, slow_log = Log(), Log()
    with monkeypatch.context() as patch:
        def fail(*args, **kwargs):
            raise AssertionError("the bulk write should be used")
        patch.setattr(base, "write_with_results", fail)
        fast = run_coverage(run, method, demand=demand, services=services, districts=districts, feedback=fast_log,
                            OUTPUT=str(tmp_path / "fast.gpkg"), OUTPUT_DEMAND=str(tmp_path / "fast_points.gpkg"))
    with monkeypatch.context() as patch:
        for module in modules:  # no layer counts as a plain GeoPackage: read and written feature by feature
            patch.setattr(module, "keyed_geopackage", lambda layer: False)
        slow = run_coverage(run, method, demand=demand, services=services, districts=districts, feedback=slow_log,
                            OUTPUT=str(tmp_path / "slow.gpkg"), OUTPUT_DEMAND=str(tmp_path / "slow_points.gpkg"))
    assert {path: md5(path) for path in inputs} == inputs  # the inputs are never touched
    for key, n_features in (("OUTPUT", 3), ("OUTPUT_DEMAND", 202)):
        fast_content, slow_content = layer_content(fast[key]), layer_content(slow[key])
        assert fast_content == slow_content
        assert fast_content[4] == n_features
        assert QgsVectorLayer(fast[key], "f", "ogr").hasSpatialIndex() == 2  # QgsFeatureSource.SpatialIndexPresent
    # the point without a geometry keeps its row, without results, in both
    fields, rows = layer_content(fast["OUTPUT_DEMAND"])[:2]
    names = [f[0] for f in fields]
    empty = [row for row, geometry in rows.values() if row[names.index("pid")] == "empty"]
    assert len(empty) == 1 and empty[0][names.index("erreichbarkeit")] is None
    # the log says when and why the slow way is taken
    assert not any("Objekt für Objekt" in line or "feature by feature" in line for line in fast_log.lines)
    slow_lines = [line for line in slow_log.lines if "Objekt für Objekt" in line or "feature by feature" in line]
    assert len(slow_lines) == 2 and all("GeoPackage" in line for line in slow_lines)


def test_bulk_write_output_into_memory_is_logged(run, tmp_path):
    log = Log()
    districts = save(square_layer(DISTRICTS), tmp_path / "districts.gpkg", "districts")
    run_coverage(run, districts=districts, feedback=log, OUTPUT="memory:", OUTPUT_DEMAND="memory:")
    assert any(("Objekt für Objekt" in line or "feature by feature" in line) and "GeoPackage" in line
               for line in log.lines)


class CancelAt(QgsProcessingFeedback):
    """Cancels the run once its progress reaches ``at`` (the per-point layer is written from 70 %)."""

    def __init__(self, at):
        super().__init__()
        self.at = at
        self.progressChanged.connect(lambda progress: self.cancel() if progress >= self.at else None)


def test_cancel_during_the_bulk_write_leaves_no_output(run, tmp_path):
    from qgis.core import QgsProcessingException

    demand = demand_points(tmp_path)
    districts = save(square_layer(DISTRICTS), tmp_path / "districts.gpkg", "districts")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(QgsProcessingException):
        run_coverage(run, demand=demand, districts=districts, feedback=CancelAt(90.0),
                     OUTPUT=str(out / "d.gpkg"), OUTPUT_DEMAND=str(out / "p.gpkg"))
    assert list(out.iterdir()) == []  # nothing written, nothing staged left behind


def spatial_index(path, table):
    """SQLite's own check of the GeoPackage R-tree of ``table`` and its entries ``{fid: (minx, maxx, miny, maxy)}``."""
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(str(path))) as connection:
        check = connection.execute("SELECT rtreecheck('rtree_{}_geom')".format(table)).fetchone()[0]
        entries = {row[0]: row[1:] for row in connection.execute("SELECT * FROM rtree_{}_geom".format(table))}
        counted = connection.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = ?",
                                     (table,)).fetchone()[0]
        count = connection.execute('SELECT count(*) FROM "{}"'.format(table)).fetchone()[0]
    return check, entries, counted, count


def nodes(path, table):
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(str(path))) as connection:
        return connection.execute("SELECT nodeno, data FROM rtree_{}_geom_node ORDER BY nodeno".format(table)).fetchall()


@pytest.mark.parametrize("input_index", [True, False, None],
                         ids=["input-indexed", "input-index-dropped", "input-written-without-index"])
def test_bulk_copy_has_a_valid_spatial_index_kept_in_step(run, tmp_path, input_index):
    """The per-point layer's R-tree is copied from the input's (or built by GDAL where the input has none):
    SQLite's rtreecheck finds it sound, it holds one box per feature with a geometry, around that point
    (the R-tree keeps 32-bit floats, rounded outwards), and GDAL's triggers keep it in step afterwards."""
    from osgeo import gdal, ogr

    demand = demand_points(tmp_path)
    path = tmp_path / "demand.gpkg"
    if input_index is False:
        gdal.OpenEx(str(path), gdal.OF_VECTOR | gdal.OF_UPDATE).ExecuteSQL("SELECT DisableSpatialIndex('demand', 'geom')")
    elif input_index is None:  # as ogr2ogr -lco SPATIAL_INDEX=NO writes it (no extension table at all)
        path = tmp_path / "bare.gpkg"
        gdal.VectorTranslate(str(path), str(tmp_path / "demand.gpkg"), layerCreationOptions=["SPATIAL_INDEX=NO"])
    if not input_index:
        demand = QgsVectorLayer("{}|layername=demand".format(path), "demand", "ogr")
        assert demand.isValid() and demand.hasSpatialIndex() != 2
    districts = save(square_layer(DISTRICTS), tmp_path / "districts.gpkg", "districts")
    result = run_coverage(run, demand=demand, districts=districts, OUTPUT=str(tmp_path / "d.gpkg"),
                          OUTPUT_DEMAND=str(tmp_path / "p.gpkg"))
    for output, table in ((tmp_path / "d.gpkg", "d"), (tmp_path / "p.gpkg", "p")):
        check, entries, counted, count = spatial_index(output, table)
        assert check == "ok"
        assert counted == count
    if input_index:  # copied as it is, not built again
        assert nodes(tmp_path / "p.gpkg", "p") == nodes(path, "demand")
    layer = QgsVectorLayer(result["OUTPUT_DEMAND"], "p", "ogr")
    assert layer.hasSpatialIndex() == 2
    _, entries, _, _ = spatial_index(tmp_path / "p.gpkg", "p")
    points = {f.id(): f.geometry().asPoint() for f in layer.getFeatures() if not f.geometry().isEmpty()}
    assert len(points) == 201 and set(entries) == set(points)
    for fid, (minx, maxx, miny, maxy) in entries.items():
        x, y = points[fid].x(), points[fid].y()
        assert minx <= x <= maxx and miny <= y <= maxy
        # at most one float32 step to each side (0.5 m at 5,700,000: the R-tree keeps 32-bit floats)
        assert maxx - minx <= 2 * np.spacing(np.float32(x)) and maxy - miny <= 2 * np.spacing(np.float32(y))
    # GDAL's triggers are back: a new point and a moved one are found in the index
    target = gdal.OpenEx(str(tmp_path / "p.gpkg"), gdal.OF_VECTOR | gdal.OF_UPDATE)
    out_layer = target.GetLayerByName("p")
    feature = ogr.Feature(out_layer.GetLayerDefn())
    feature.SetGeometry(ogr.CreateGeometryFromWkt("POINT (5000 6000)"))
    assert out_layer.CreateFeature(feature) == 0
    new_fid = feature.GetFID()
    moved = out_layer.GetFeature(1)
    moved.SetGeometry(ogr.CreateGeometryFromWkt("POINT (-7000 -8000)"))
    assert out_layer.SetFeature(moved) == 0
    target = out_layer = None
    check, entries, counted, count = spatial_index(tmp_path / "p.gpkg", "p")
    assert check == "ok" and counted == count == 203
    assert entries[new_fid][0] <= 5000 <= entries[new_fid][1] and entries[new_fid][2] <= 6000 <= entries[new_fid][3]
    assert entries[1][0] <= -7000 <= entries[1][1] and entries[1][2] <= -8000 <= entries[1][3]


class Progress(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.values = []
        self.progressChanged.connect(self.values.append)


def test_progress_climbs_to_100_only_when_the_per_point_layer_is_written(run, tmp_path):
    """The district layer ends at 70 %, the per-point layer reports its steps (results handed over, rows
    copied, spatial index) up to 100 %: a long per-point write no longer shows 100 % all the time."""
    demand = demand_points(tmp_path)
    districts = save(square_layer(DISTRICTS), tmp_path / "districts.gpkg", "districts")
    progress = Progress()
    run_coverage(run, demand=demand, districts=districts, feedback=progress,
                 OUTPUT=str(tmp_path / "d.gpkg"), OUTPUT_DEMAND=str(tmp_path / "p.gpkg"))
    values = progress.values
    assert values == sorted(values) and values[-1] == 100.0
    assert values.index(100.0) == len(values) - 1 or set(values[values.index(100.0):]) == {100.0}
    assert 70.0 in values and any(70.0 < value < 100.0 for value in values)


def test_a_failure_beside_the_per_point_copy_stops_it_and_leaves_nothing(run, modules, monkeypatch, tmp_path):
    """The per-point layer is copied in a thread of its own while the district layer is made: when making
    the district layer fails, the copy is told to stop and waited for, the error is the user's message,
    and no output or staged file is left."""
    import time

    from qgis.core import QgsProcessingException

    _, base = modules
    coverage = importlib.import_module(PACKAGE + ".processing.algorithms.service_coverage")
    errors = importlib.import_module(PACKAGE + ".core.errors")
    copy, told = base.copy_with_results, []

    def slow_copy(layer, path, keys, columns, values, is_canceled=None, progress=None):
        waited = time.monotonic()
        while not is_canceled() and time.monotonic() - waited < 20:
            time.sleep(0.01)
        told.append(is_canceled())
        return copy(layer, path, keys, columns, values, is_canceled, progress)

    def failing(*args, **kwargs):
        raise errors.InputError("Absichtlicher Fehler.", "Deliberate failure.")

    monkeypatch.setattr(base, "copy_with_results", slow_copy)
    monkeypatch.setattr(coverage, "district_table", failing)
    demand = demand_points(tmp_path)
    districts = save(square_layer(DISTRICTS), tmp_path / "districts.gpkg", "districts")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(QgsProcessingException, match="Deliberate failure|Absichtlicher Fehler"):
        run_coverage(run, demand=demand, districts=districts, OUTPUT=str(out / "d.gpkg"),
                     OUTPUT_DEMAND=str(out / "p.gpkg"))
    assert told == [True]  # the copy was running, was told to stop, and was over before the error came
    assert list(out.iterdir()) == []


def test_spatial_index_built_for_a_large_input_without_one(modules, tmp_path):
    """100,000 points without a spatial index (as ogr2ogr -lco SPATIAL_INDEX=NO writes them): GDAL 3.6 takes
    an empty index of a full table for a corrupt one and neither drops nor fills it, so the copy must not
    leave GDAL's empty index behind: its index holds every point."""
    import contextlib
    import sqlite3

    from osgeo import gdal, ogr, osr

    gpkg, _ = modules
    path = tmp_path / "many.gpkg"
    source = gdal.GetDriverByName("GPKG").Create(str(path), 0, 0, 0, gdal.GDT_Unknown)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(25832)
    layer = source.CreateLayer("many", srs, ogr.wkbPoint, ["SPATIAL_INDEX=NO", "FID=fid"])
    layer.CreateField(ogr.FieldDefn("v", ogr.OFTInteger))
    source.StartTransaction()
    definition = layer.GetLayerDefn()
    for k in range(100_000):
        feature = ogr.Feature(definition)
        feature.SetField("v", k)
        feature.SetGeometry(ogr.CreateGeometryFromWkt("POINT ({} {})".format(400000 + k % 1000, 5700000 + k // 1000)))
        layer.CreateFeature(feature)
    source.CommitTransaction()
    source = layer = None
    many = QgsVectorLayer("{}|layername=many".format(path), "many", "ogr")
    keys = list(range(1, 100_001))
    dest = gpkg.copy_with_results(many, str(tmp_path / "copy.gpkg"), keys, [("r", "float")], [[0.5] * len(keys)])
    assert dest is not None
    with contextlib.closing(sqlite3.connect(str(tmp_path / "copy.gpkg"))) as connection:
        assert connection.execute("SELECT count(*) FROM rtree_copy_geom").fetchone()[0] == 100_000
        assert connection.execute("SELECT rtreecheck('rtree_copy_geom')").fetchone()[0] == "ok"
    assert QgsVectorLayer(dest, "copy", "ogr").hasSpatialIndex() == 2


def test_result_values_stop_between_columns_on_cancel(plugin):
    import pandas as pd

    layers = importlib.import_module(PACKAGE + ".adapters.layers")
    frame = pd.DataFrame({"a": [1.0, None], "b": ["x", None], "c": [1, 2]})
    columns = [("a", "float"), ("b", "str"), ("c", "int")]
    assert layers.column_lists(frame, columns) == [[1.0, None], ["x", None], [1, 2]]
    asked = []
    assert layers.column_lists(frame, columns, lambda: asked.append(1) or len(asked) > 1) is None
    assert len(asked) == 2  # the first column was done, the cancel came before the second


def test_geometries_counted_for_the_index_check_are_those_not_empty(modules):
    """The index copy counts the input's geometries that are there and not empty (flag 0x10 of the blob's
    fourth byte, GeoPackage 1.2, 2.1.3): for every value of that byte, against the bit itself."""
    import contextlib
    import sqlite3

    gpkg, _ = modules
    blobs = [b"GP\x00" + bytes([flags]) + b"\x00" * 25 for flags in range(256)] + [None]
    with contextlib.closing(sqlite3.connect(":memory:")) as connection:
        connection.execute('CREATE TABLE t ("g eo" BLOB, flags INTEGER)')
        connection.executemany("INSERT INTO t VALUES (?, ?)", [(b, None if b is None else b[3]) for b in blobs])
        found = [row[0] for row in connection.execute(
            'SELECT flags FROM t WHERE {} ORDER BY flags'.format(gpkg._not_empty('"g eo"')))]
    assert found == [flags for flags in range(256) if not flags & 0x10]


def test_values_handed_over_a_slice_at_a_time_are_those_of_the_lists(modules, monkeypatch, tmp_path):
    """Result columns as numpy arrays masked where a value is missing, turned into Python values a few rows
    at a time (here 6 rows, 3 per INSERT; the last slice of 4 rows leaves one for an INSERT of its own): the
    copy holds the same values as one given the plain lists, and each as given (NULL where missing; a
    column missing throughout as NULL)."""
    import contextlib
    import sqlite3

    gpkg, _ = modules
    layers = importlib.import_module(PACKAGE + ".adapters.layers")
    import pandas as pd

    rows = [{"x": float(k), "y": float(k % 7), "pid": "p{}".format(k), "kinder": 1.0} for k in range(40)]
    demand = save(point_layer(rows, name="demand"), tmp_path / "demand.gpkg", "demand")
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"a": np.where(rng.random(40) < 0.3, np.nan, rng.random(40)),
                          "b": pd.array(np.where(rng.random(40) < 0.3, None, rng.integers(0, 9, 40)), dtype="Int64"),
                          "c": [None if k % 5 == 0 else "t{}".format(k) for k in range(40)],
                          "d": rng.random(40) < 0.5, "e": np.full(40, np.nan)},
                         index=pd.Index(range(1, 41), name="fid"))
    columns = [("a", "float"), ("b", "int"), ("c", "str"), ("d", "bool"), ("e", "float")]
    lists = layers.column_lists(frame, columns)
    assert lists[0][:3] == [None if np.isnan(v) else float(v) for v in frame["a"][:3]]
    whole = gpkg.copy_with_results(demand, str(tmp_path / "lists.gpkg"), frame.index.tolist(), columns, lists)
    monkeypatch.setattr(gpkg, "_ROWS_AT_ONCE", 7)
    monkeypatch.setattr(gpkg, "_MOST_VALUES", 15)  # 5 values a row (fid and four columns): 3 rows per INSERT
    sliced = gpkg.copy_with_results(demand, str(tmp_path / "arrays.gpkg"), frame.index.to_numpy(), columns,
                                    layers.column_arrays(frame, columns))
    assert whole is not None and sliced is not None
    assert layer_content(whole) == layer_content(sliced)
    with contextlib.closing(sqlite3.connect(str(tmp_path / "arrays.gpkg"))) as connection:
        written = connection.execute("SELECT fid, a, b, c, d, e FROM arrays ORDER BY fid").fetchall()
    assert [list(row[1:]) for row in written] == [list(values) for values in zip(*lists)]
    assert [row[0] for row in written] == list(range(1, 41)) and all(row[5] is None for row in written)
