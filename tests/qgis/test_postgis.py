"""PostGIS end to end against a real server (tests/qgis/pgserver.py): inputs and results in PostGIS, a
schema-qualified table with an umlaut and mixed case, text IDs with leading zeros; the same values as
GeoPackage, the method record beside the result, results staged and renamed in one transaction."""

import importlib

import pytest
from layers import polygon_layer, values
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsVectorLayer,
    QgsVectorLayerExporter,
)

SCHEMA = "sozialplanung"
ROWS = [  # "b_Öä": a field name with umlauts and capitals
    {"id": "01", "name": "Altstadt", "a": 1.0, "b_Öä": 2.0, "ew": 1000},
    {"id": "02", "name": "Bahnhof", "a": 2.0, "b_Öä": 2.0, "ew": 900},
    {"id": "03", "name": "Chaussee", "a": 3.0, "b_Öä": 4.0, "ew": 800},
    {"id": "04", "name": "Dom", "a": 4.0, "b_Öä": 4.0, "ew": 1200},
    {"id": "05", "name": "Kleingärten", "a": 9.0, "b_Öä": 9.0, "ew": 40},  # below the minimum: not rated
]


@pytest.fixture(scope="module")
def database(postgis, plugin):
    postgis.sql('CREATE SCHEMA IF NOT EXISTS "{}"'.format(SCHEMA))
    layer = polygon_layer(ROWS, types={"id": str})
    error, message = QgsVectorLayerExporter.exportLayer(
        layer, postgis.uri(SCHEMA, "Quartiere_Süd"), "postgres", QgsCoordinateReferenceSystem("EPSG:25832"))
    assert error == 0, message
    return postgis


def pg_layer(database, table):
    layer = QgsVectorLayer(database.uri(SCHEMA, table), table, "postgres")
    assert layer.isValid(), table
    return layer


def index_parameters(source, output):
    return {"INPUT": source, "ID_FIELD": "id", "INDICATORS": ["a", "b_Öä"], "POPULATION_FIELD": "ew",
            "MIN_POPULATION": 300, "OUTPUT": output}


def staging_tables(database):
    return database.sql("SELECT tablename FROM pg_tables WHERE tablename LIKE '%sozialraum_%' "
                        "AND tablename <> 'sozialraum_method'")


def test_index_from_and_into_postgis_equals_geopackage(database, run, tmp_path):
    source = pg_layer(database, "Quartiere_Süd")
    into_db = run("districtindex", index_parameters(source, "postgis:" + database.uri(SCHEMA, "Sozialindex_ä")))
    into_file = run("districtindex", index_parameters(source, str(tmp_path / "index.gpkg")))
    table = pg_layer(database, "Sozialindex_ä")
    gpkg = QgsVectorLayer(into_file["OUTPUT"], "gpkg", "ogr")
    assert table.featureCount() == 5
    assert values(table, "index_value") == pytest.approx(values(gpkg, "index_value"))
    assert values(table, "index_class") == values(gpkg, "index_class")
    assert sorted(values(table, "index_value")) == ["01", "02", "03", "04", "05"]  # text IDs keep their zeros
    assert values(table, "rated")["05"] in (False, 0)
    method_record = importlib.import_module("sozialraum_plugin.sozialraum.adapters.method_record")
    assert method_record.load_record(table).indicators == ["a", "b_Öä"]
    assert values(table, "z_b_Öä") == pytest.approx(values(gpkg, "z_b_Öä"))
    assert staging_tables(database) == []
    assert into_db["N_RATED"] == 4


def test_report_from_postgis_results_has_the_content_of_the_geopackage_report(database, run, tmp_path):
    source = pg_layer(database, "Quartiere_Süd")
    run("districtindex", index_parameters(source, "postgis:" + database.uri(SCHEMA, "bericht_index")))
    gpkg = run("districtindex", index_parameters(source, str(tmp_path / "bericht.gpkg")))["OUTPUT"]
    tables = {}
    for name, layer in (("db", pg_layer(database, "bericht_index")), ("file", gpkg)):
        path = tmp_path / (name + ".csv")
        run("report", {"INPUT": layer, "NAME_FIELD": "name", "OUTPUT_TABLE": str(path)})
        tables[name] = path.read_text(encoding="utf-8-sig")
    assert tables["db"] == tables["file"] and "Kleingärten" in tables["db"]


def test_a_cancelled_run_leaves_the_postgis_table_as_it_was(database, run):
    source = pg_layer(database, "Quartiere_Süd")
    output = "postgis:" + database.uri(SCHEMA, "behalten")
    run("districtindex", index_parameters(source, output))
    before = database.sql('SELECT id, index_value FROM "{}"."behalten" ORDER BY id'.format(SCHEMA))

    class CancelAt(QgsProcessingFeedback):
        def setProgress(self, value):  # noqa: N802 (QGIS API)
            super().setProgress(value)
            if value >= 40:  # the index is computed, writing begins
                self.cancel()

    parameters = dict(index_parameters(source, output), INDICATORS=["a"])
    with pytest.raises(QgsProcessingException, match="Abgebrochen|Cancelled"):
        run("districtindex", parameters, CancelAt())
    assert database.sql('SELECT id, index_value FROM "{}"."behalten" ORDER BY id'.format(SCHEMA)) == before
    assert staging_tables(database) == []


def test_an_output_that_is_the_input_table_is_refused(database, run):
    source = pg_layer(database, "Quartiere_Süd")
    with pytest.raises(QgsProcessingException, match="zugleich die Eingabe|also the input"):
        run("districtindex", index_parameters(source, "postgis:" + database.uri(SCHEMA, "Quartiere_Süd")))
    assert len(database.sql('SELECT 1 FROM "{}"."Quartiere_Süd"'.format(SCHEMA))) == 5


def _points(rows, fields):
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsPointXY
    from qgis.PyQt.QtCore import QVariant

    layer = QgsVectorLayer("Point?crs=EPSG:25832", "p", "memory")
    layer.dataProvider().addAttributes([QgsField(name, QVariant.Double) for name in fields])
    layer.updateFields()
    features = []
    for x, y, *attributes in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes(attributes)
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(400000 + x, 5700000 + y)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def _table(layer):
    """Every attribute of every feature, NULL as None, by ID (what a reader of the result sees)."""
    names = layer.fields().names()
    rows = {}
    for feature in layer.getFeatures():
        row = dict(zip(names, [None if v is None or (hasattr(v, "isNull") and v.isNull()) else v
                               for v in feature.attributes()]))
        for key in ("fid", "id_0"):  # the table's own key
            row.pop(key, None)
        rows[row["id"]] = row
    return rows


def test_coverage_from_and_into_postgis_equals_geopackage_nulls_included(database, run, tmp_path):
    """Quarters 04 (no demand point) and 05 get NULL shares ('cannot be determined'), the others 0. QGIS's
    PostgreSQL writing turns such a column into 0 everywhere when it writes the features in one batch (seen on
    3.22 and 3.40, with QGIS's own algorithms too); the PostGIS result must read back exactly as the GeoPackage one."""
    services = _points([(150.0, 50.0, 30.0)], ["plaetze"])
    demand = _points([(50.0, 50.0, 10.0), (150.0, 50.0, 20.0), (250.0, 50.0, 5.0)], ["kinder"])
    for layer, name in ((services, "Kitas"), (demand, "Adressen")):
        error, message = QgsVectorLayerExporter.exportLayer(
            layer, database.uri(SCHEMA, name), "postgres", QgsCoordinateReferenceSystem("EPSG:25832"))
        assert error == 0, message
    common = {"DISTRICTS": pg_layer(database, "Quartiere_Süd"), "ID_FIELD": "id",
              "SERVICES": pg_layer(database, "Kitas"), "CAPACITY_FIELD": "plaetze",
              "DEMAND": pg_layer(database, "Adressen"), "DEMAND_FIELD": "kinder", "DISTANCE": "100, 150",
              "METHOD": "2sfca"}
    run("servicecoverage", dict(common, OUTPUT="postgis:" + database.uri(SCHEMA, "Versorgung_Kitas")))
    into_file = run("servicecoverage", dict(common, OUTPUT=str(tmp_path / "versorgung.gpkg")))
    db, gpkg = _table(pg_layer(database, "Versorgung_Kitas")), _table(QgsVectorLayer(into_file["OUTPUT"], "v", "ogr"))
    assert db.keys() == gpkg.keys() == {"01", "02", "03", "04", "05"}
    assert gpkg["04"]["anteil_ausser_reichweite"] is None and gpkg["01"]["anteil_ausser_reichweite"] == 0.0  # the case
    for key in gpkg:
        assert db[key].keys() == gpkg[key].keys()
        for field, value in gpkg[key].items():
            if isinstance(value, float):
                assert db[key][field] == pytest.approx(value, rel=1e-12), (key, field)
            else:
                assert db[key][field] == value, (key, field)
    assert staging_tables(database) == []


def test_catchments_and_typology_into_postgis(database, run, tmp_path):
    """The rest of the chain: catchments (several rows per service) and need x coverage into PostGIS tables,
    read back with their method records, as from GeoPackage."""
    method_record = importlib.import_module("sozialraum_plugin.sozialraum.adapters.method_record")
    services = _points([(150.0, 50.0, 30.0), (450.0, 50.0, 10.0)], ["plaetze"])
    catchments = {}
    for name, output in (("db", "postgis:" + database.uri(SCHEMA, "Einzugsbereiche")), ("file", str(tmp_path / "e.gpkg"))):
        result = run("catchments", {"SERVICES": services, "DISTANCE": "100, 200", "OUTPUT": output})
        catchments[name] = result["OUTPUT"]
    db = pg_layer(database, "Einzugsbereiche")
    file_layer = QgsVectorLayer(catchments["file"], "e", "ogr")
    key = lambda f: (f["einrichtung_id"], f["schwelle_m"])  # noqa: E731
    assert {key(f): round(f["flaeche_ha"], 9) for f in db.getFeatures()} == \
        {key(f): round(f["flaeche_ha"], 9) for f in file_layer.getFeatures()}
    assert db.featureCount() == 4 and method_record.load_method(db)["thresholds_m"] == [100.0, 200.0]

    source = pg_layer(database, "Quartiere_Süd")
    run("districtindex", index_parameters(source, "postgis:" + database.uri(SCHEMA, "typ_index")))
    run("servicecoverage", {"DISTRICTS": source, "ID_FIELD": "id", "TARGET_POPULATION_FIELD": "ew",
                            "SERVICES": services, "CAPACITY_FIELD": "plaetze", "DISTANCE": "300", "METHOD": "ratio",
                            "OUTPUT": "postgis:" + database.uri(SCHEMA, "typ_versorgung")})
    run("needcoverage", {"NEED": pg_layer(database, "typ_index"), "NEED_ID_FIELD": "id",
                         "COVERAGE": pg_layer(database, "typ_versorgung"), "COVERAGE_ID_FIELD": "id",
                         "OUTPUT": "postgis:" + database.uri(SCHEMA, "Bedarf_und_Versorgung")})
    typology = pg_layer(database, "Bedarf_und_Versorgung")
    assert typology.featureCount() == 5 and method_record.load_method(typology)["algorithm"] == "sozialraum:needcoverage"
    assert values(typology, "typ_code")["05"] is None  # not rated: no type, a note says why
    assert staging_tables(database) == []


def test_a_postgis_result_keeps_its_class_style_in_the_database(database, run):
    """As QGIS saves a style in PostGIS: the result opens with its class colours wherever it is loaded."""
    from qgis.core import QgsCategorizedSymbolRenderer

    run("districtindex", index_parameters(pg_layer(database, "Quartiere_Süd"),
                                          "postgis:" + database.uri(SCHEMA, "mit_stil")))
    rows = database.sql("SELECT f_table_schema, f_table_name, useasdefault FROM public.layer_styles "
                        "WHERE f_table_name = 'mit_stil'")
    assert rows == [[SCHEMA, "mit_stil", "t"]]
    layer = pg_layer(database, "mit_stil")  # a fresh layer loads the default style of its table
    assert isinstance(layer.renderer(), QgsCategorizedSymbolRenderer)
    assert layer.renderer().classAttribute() == "index_class"
