"""Bad and awkward input across all nine algorithms, as town halls have it (issue: "Nothing lost").

Every case runs an algorithm on GeoPackage files made here and asserts three things:

* the run fails with a clear message (its key words, German or English; never a traceback);
* every input file is byte-identical afterwards (md5 before and after);
* no result, half-written file or staging folder is left in the folder.
"""

import contextlib
import hashlib
import os
import pathlib
import re
import sqlite3

import pytest
from layers import polygon_layer
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransformContext,
    QgsFeature,
    QgsField,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QVariant

X0, Y0 = 400000.0, 5700000.0
QUARTERS = [
    {"id": "A", "name": "Altstadt", "a": 1.0, "b": 2.0, "pop": 1000, "kinder": 40.0, "count": 10.0, "den": 1000.0},
    {"id": "B", "name": "Bahnhof", "a": 2.0, "b": 2.0, "pop": 1000, "kinder": 20.0, "count": 20.0, "den": 900.0},
    {"id": "C", "name": "Chaussee", "a": 3.0, "b": 4.0, "pop": 1000, "kinder": 30.0, "count": 30.0, "den": 800.0},
    {"id": "D", "name": "Dom", "a": 4.0, "b": 4.0, "pop": 1000, "kinder": 10.0, "count": 40.0, "den": 1200.0},
]


def _save(layer, path, name):
    """Add ``layer`` to the GeoPackage ``path`` as table ``name``."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = name
    if os.path.exists(path):
        options.actionOnExistingFile = QgsVectorFileWriter.CreateOrOverwriteLayer
    error = QgsVectorFileWriter.writeAsVectorFormatV3(layer, str(path), QgsCoordinateTransformContext(), options)
    assert error[0] == QgsVectorFileWriter.NoError, error
    return "{}|layername={}".format(path, name)


def _memory(geometry, rows, make, crs="EPSG:25832", types=None):
    layer = QgsVectorLayer("{}?crs={}".format(geometry, crs) if crs else geometry, "m", "memory")
    names = [k for k in (rows[0] if rows else {})]
    kinds = {float: QVariant.Double, int: QVariant.Int, str: QVariant.String}
    layer.dataProvider().addAttributes([QgsField(k, kinds[(types or {}).get(k, type(rows[0][k]))]) for k in names])
    layer.updateFields()
    features = []
    for row in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes([row[k] for k in names])
        geometry_ = make(row)
        if geometry_ is not None:
            feature.setGeometry(geometry_)
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def points(rows, crs="EPSG:25832", types=None):
    return _memory("Point", rows, lambda r: QgsGeometry.fromPointXY(QgsPointXY(X0 + r["x"], Y0 + r["y"])), crs, types)


def lines(coordinate_lists, crs="EPSG:25832"):
    rows = [{"n": k, "coords": c} for k, c in enumerate(coordinate_lists)]
    layer = _memory("LineString", [{"n": r["n"]} for r in rows], lambda r: QgsGeometry.fromPolylineXY(
        [QgsPointXY(X0 + x, Y0 + y) for x, y in rows[r["n"]]["coords"]]), crs)
    return layer


SERVICES = [{"x": 150.0, "y": 50.0, "name": "Kita 1", "plaetze": 30.0}, {"x": 350.0, "y": 50.0, "name": "Kita 2",
                                                                           "plaetze": 20.0}]
DEMAND = [{"x": 50.0 + 100 * k, "y": 50.0, "kinder": 10.0 * (k + 1)} for k in range(4)]
NETWORK = [[(0.0, 50.0), (400.0, 50.0)], [(150.0, 0.0), (150.0, 100.0)]]


@pytest.fixture()
def town(plugin, tmp_path):
    """A small town in ``tmp_path/in/stadt.gpkg`` (layers quartiere, kitas, adressen, wege) and helpers."""
    folder = tmp_path / "in"
    folder.mkdir()
    gpkg = folder / "stadt.gpkg"
    town = {"folder": folder, "gpkg": gpkg, "out": tmp_path / "out"}
    town["out"].mkdir()
    town["quartiere"] = _save(polygon_layer(QUARTERS), gpkg, "quartiere")
    town["kitas"] = _save(points(SERVICES), gpkg, "kitas")
    town["adressen"] = _save(points(DEMAND), gpkg, "adressen")
    town["wege"] = _save(lines(NETWORK), gpkg, "wege")
    return town


def _add(town, name, layer):
    """Another input layer of the town, as its own GeoPackage file (so the town file keeps its checksum)."""
    path = town["folder"] / (name + ".gpkg")
    return _save(layer, path, name)


def _checksums(folder):
    return {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _run_bad(name, parameters, expected, feedback=None, context=None):
    import processing

    with pytest.raises(QgsProcessingException) as raised:
        processing.run("sozialraum:" + name, parameters, context=context or QgsProcessingContext(),
                       feedback=feedback or QgsProcessingFeedback())
    message = str(raised.value)
    assert "Traceback" not in message and not re.search(r"\b(AttributeError|KeyError|TypeError)\b", message), message
    assert re.search(expected, message, re.IGNORECASE), message
    return message


def index_parameters(town, **extra):
    parameters = {"INPUT": town["quartiere"], "ID_FIELD": "id", "INDICATORS": ["a", "b"], "POPULATION_FIELD": "pop",
                  "MIN_POPULATION": 300, "OUTPUT": str(town["out"] / "index.gpkg")}
    parameters.update(extra)
    return parameters


def coverage_parameters(town, **extra):
    parameters = {"DISTRICTS": town["quartiere"], "ID_FIELD": "id", "SERVICES": town["kitas"],
                  "CAPACITY_FIELD": "plaetze", "DEMAND": town["adressen"], "DEMAND_FIELD": "kinder",
                  "DISTANCE": "300", "METHOD": "2sfca", "OUTPUT": str(town["out"] / "versorgung.gpkg")}
    parameters.update(extra)
    return parameters


def catchment_parameters(town, **extra):
    parameters = {"SERVICES": town["kitas"], "DISTANCE": "100, 200", "OUTPUT": str(town["out"] / "einzug.gpkg")}
    parameters.update(extra)
    return parameters


def allocation_parameters(town, **extra):
    parameters = {"INPUT": town["index"], "ID_FIELD": "id", "POPULATION_FIELD": "kinder", "NEED_FIELD": "index_class",
                  "FACTORS": "1, 1.2, 1.5, 2, 3", "BUDGET": 100000.0, "UNIT": 0.01,
                  "OUTPUT": str(town["out"] / "verteilung.gpkg")}
    parameters.update(extra)
    return parameters


def hotspot_parameters(town, **extra):
    parameters = {"INPUT": town["quartiere"], "ID_FIELD": "id", "FIELD": "a", "PERMUTATIONS": 99,
                  "OUTPUT": str(town["out"] / "haeufungen.gpkg"), "OUTPUT_AREAS": str(town["out"] / "gebiete.gpkg")}
    parameters.update(extra)
    return parameters


def _with_rows(town, name, change, types=None):
    """The quarters with ``change(row)`` applied to a copy of each row, as another GeoPackage."""
    rows = [change(dict(row)) for row in QUARTERS]
    return _add(town, name, polygon_layer(rows, types=types))


def _indicator_text(row):
    row["a"] = {"A": "1,5", "B": "2", "C": "drei", "D": "4"}[row["id"]]
    return row


def _negative_population(row):
    row["pop"] = -1200 if row["id"] == "B" else row["pop"]
    return row


def _constant(row):
    row["b"] = 3.0
    return row


def _all_missing(row):
    row["b"] = None
    return row


def _duplicate_id(row):
    row["id"] = "A" if row["id"] == "B" else row["id"]
    return row


def _missing_id(row):
    row["id"] = None if row["id"] == "C" else row["id"]
    return row


def _nan(row):
    row["a"] = float("nan") if row["id"] == "B" else row["a"]
    return row


def _infinite(row):
    row["a"] = float("inf") if row["id"] == "B" else row["a"]
    return row


def _zero_population(row):
    row["pop"] = 0
    return row


def _count_as_text(row):
    row["count"] = {"A": "1.234", "B": "20", "C": "30", "D": "40"}[row["id"]]
    return row


def _negative_denominator(row):
    row["den"] = -5.0 if row["id"] == "A" else row["den"]
    return row


def _bowtie_layer():
    """Quarters whose first polygon crosses itself (a bow tie), as municipal layers sometimes have."""
    layer = polygon_layer(QUARTERS)
    layer.dataProvider().changeGeometryValues({1: QgsGeometry.fromWkt(
        "MultiPolygon(((400000 5700000, 400100 5700100, 400100 5700000, 400000 5700100, 400000 5700000)))")})
    return layer


def _without_crs(layer_maker):
    """A layer of ``layer_maker()`` saved without a CRS (a GeoPackage with srs_id 0, 'Undefined geographic SRS')."""
    layer = layer_maker()
    layer.setCrs(QgsCoordinateReferenceSystem())
    return layer


CASES = [
    # -- outputs that are inputs, outputs that collide, folders -----------------------------------------
    ("index output = input file", "districtindex",
     lambda t: index_parameters(t, OUTPUT=str(t["gpkg"])), "zugleich die Eingabe|also the input"),
    ("index output = input table", "districtindex",
     lambda t: index_parameters(t, OUTPUT="ogr:dbname='{}' table=\"quartiere\" (geom)".format(t["gpkg"])),
     "zugleich die Eingabe|also the input"),
    ("index output in a missing folder", "districtindex",
     lambda t: index_parameters(t, OUTPUT=str(t["out"] / "fehlt" / "index.gpkg")), "existiert nicht|does not exist"),
    ("index output in a folder nobody may write to", "districtindex",
     lambda t: index_parameters(t, OUTPUT="/proc/sozialraum_index.gpkg"), "nicht geschrieben|cannot write"),
    ("rates output = input file", "indicatorrates",
     lambda t: {"INPUT": t["quartiere"], "ID_FIELD": "id", "RATES": ["count", "den", "quote"],
                "OUTPUT": str(t["gpkg"])}, "zugleich die Eingabe|also the input"),
    ("MSS output = input file", "statusdynamicindex",
     lambda t: {"INPUT": t["quartiere"], "ID_FIELD": "id", "STATUS_INDICATORS": ["a", "b"],
                "OUTPUT": str(t["gpkg"])}, "zugleich die Eingabe|also the input"),
    ("index check HTML = input file", "indexdiagnostics",
     lambda t: index_parameters(t, OUTPUT=str(t["out"] / "r.gpkg"), OUTPUT_HTML=str(t["gpkg"])),
     "zugleich die Eingabe|also the input"),
    ("index check table and HTML in one file", "indexdiagnostics",
     lambda t: index_parameters(t, OUTPUT=str(t["out"] / "r.html"), OUTPUT_HTML=str(t["out"] / "r.html")),
     "dieselbe Datei|same file"),
    ("index check HTML in a missing folder", "indexdiagnostics",
     lambda t: index_parameters(t, OUTPUT=str(t["out"] / "r.gpkg"), OUTPUT_HTML=str(t["out"] / "x" / "r.html")),
     "existiert nicht|does not exist"),
    ("coverage output = services file", "servicecoverage",
     lambda t: coverage_parameters(t, OUTPUT="ogr:dbname='{}' table=\"kitas\" (geom)".format(t["gpkg"])),
     "zugleich die Eingabe|also the input"),
    ("coverage: both outputs in one file", "servicecoverage",
     lambda t: coverage_parameters(t, OUTPUT_DEMAND=str(t["out"] / "versorgung.gpkg")), "dieselbe Datei|same file"),
    ("coverage per-point output = input file", "servicecoverage",
     lambda t: coverage_parameters(t, OUTPUT_DEMAND=str(t["gpkg"])), "zugleich die Eingabe|also the input"),
    ("catchments output = input file", "catchments",
     lambda t: catchment_parameters(t, OUTPUT=str(t["gpkg"])), "zugleich die Eingabe|also the input"),
    ("report HTML = input file", "report",
     lambda t: {"INPUT": t["index"], "OUTPUT_HTML": t["index"].split("|")[0]}, "zugleich die Eingabe|also the input"),
    ("report table with an unknown extension", "report",
     lambda t: {"INPUT": t["index"], "OUTPUT_HTML": str(t["out"] / "b.html"), "OUTPUT_TABLE": str(t["out"] / "b.docx")},
     r"\.xlsx|\.csv"),
    ("report PDF in a missing folder", "report",
     lambda t: {"INPUT": t["index"], "OUTPUT_HTML": str(t["out"] / "b.html"),
                "OUTPUT_PDF": str(t["out"] / "fehlt" / "b.pdf")}, "existiert nicht|does not exist"),
    ("need x coverage output = need file", "needcoverage",
     lambda t: {"NEED": t["index"], "NEED_ID_FIELD": "id", "COVERAGE": t["coverage"], "COVERAGE_ID_FIELD": "id",
                "OUTPUT": str(t["index"].split("|")[0])}, "zugleich die Eingabe|also the input"),
    ("allocation output = input file", "allocation",
     lambda t: allocation_parameters(t, OUTPUT=t["index"].split("|")[0]), "zugleich die Eingabe|also the input"),
    ("funding areas output = input file", "hotspots",
     lambda t: hotspot_parameters(t, OUTPUT_AREAS=str(t["gpkg"])), "zugleich die Eingabe|also the input"),
    # -- values ----------------------------------------------------------------------------------------------
    ("allocation budget 0", "allocation", lambda t: allocation_parameters(t, BUDGET=0.0),
     "größer als 0|greater than 0"),
    ("allocation budget not a multiple of the unit", "allocation",
     lambda t: allocation_parameters(t, BUDGET=1000.005), "Vielfaches|multiple"),
    ("allocation unit 0", "allocation", lambda t: allocation_parameters(t, UNIT=0.0), "Einheit|unit"),
    ("allocation factors for fewer classes than the index has", "allocation",
     lambda t: allocation_parameters(t, FACTORS="1, 2, 3"), "3 (Faktoren|factors) (für|for) 5"),
    ("allocation duplicate IDs", "allocation",
     lambda t: allocation_parameters(t, INPUT=_with_rows(t, "doppelt", _duplicate_id), NEED_FIELD="a",
                                     FACTORS="1, 2, 3, 4"), "doppelt|duplicate"),
    ("allocation empty layer", "allocation",
     lambda t: allocation_parameters(t, INPUT=_empty(t), NEED_FIELD="a"), "keine|no (features|quarter)"),
    ("hotspots on a constant field", "hotspots",
     lambda t: hotspot_parameters(t, INPUT=_with_rows(t, "konstant", _constant), FIELD="b"),
     "denselben Wert|same value"),
    ("hotspots duplicate IDs", "hotspots",
     lambda t: hotspot_parameters(t, INPUT=_with_rows(t, "doppelt", _duplicate_id)), "doppelt|duplicate"),
    ("hotspots empty layer", "hotspots", lambda t: hotspot_parameters(t, INPUT=_empty(t)),
     "keine|no (features|quarter)"),
    ("hotspots: distance weights on a layer in degrees", "hotspots",
     lambda t: hotspot_parameters(t, INPUT=_add(t, "grad", polygon_layer(QUARTERS, crs="EPSG:4326")),
                                  WEIGHTS="distance"), "geographischen Koordinaten|geographic coordinates"),
    ("text in an indicator field", "districtindex",
     lambda t: index_parameters(t, INPUT=_with_rows(t, "text", _indicator_text, types={"a": str})),
     "'a'.*(Zahl|number)|(Zahl|number).*'a'"),
    ("constant indicator", "districtindex",
     lambda t: index_parameters(t, INPUT=_with_rows(t, "konstant", _constant)), "'b'.*(gleich|same)"),
    ("indicator missing everywhere", "districtindex",
     lambda t: index_parameters(t, INPUT=_with_rows(t, "leer", _all_missing, types={"b": float})), "'b'"),
    ("NaN in an indicator", "districtindex",
     lambda t: index_parameters(t, INPUT=_with_rows(t, "nan", _nan), MISSING="fail"), "'a'|fehlend|missing"),
    ("infinite value in an indicator", "districtindex",
     lambda t: index_parameters(t, INPUT=_with_rows(t, "inf", _infinite)), "unendlich|infinite"),
    ("negative population", "districtindex",
     lambda t: index_parameters(t, INPUT=_with_rows(t, "negativ", _negative_population)), "negativ|negative"),
    ("zero population everywhere", "districtindex",
     lambda t: index_parameters(t, INPUT=_with_rows(t, "null_ew", _zero_population)),
     "'pop'.*(leer oder 0|empty or 0)"),
    ("duplicate IDs", "districtindex",
     lambda t: index_parameters(t, INPUT=_with_rows(t, "doppelt", _duplicate_id)), "doppelt|duplicate"),
    ("missing ID", "districtindex",
     lambda t: index_parameters(t, INPUT=_with_rows(t, "ohne_id", _missing_id)), "ID|Kennung"),
    ("index without a population field, not chosen on purpose", "districtindex",
     lambda t: {k: v for k, v in index_parameters(t).items() if k not in ("POPULATION_FIELD", "MIN_POPULATION")},
     "Einwohnerfeld|population field"),
    ("reversed field that is no indicator", "districtindex",
     lambda t: index_parameters(t, INDICATORS=["a"], REVERSE=["b"]), "keine Indikatoren|not indicators"),
    ("empty layer", "districtindex",
     lambda t: index_parameters(t, INPUT=_empty(t)), "keine|no (features|district|quarter)|leer|empty"),
    ("count as text '1.234'", "indicatorrates",
     lambda t: {"INPUT": _with_rows(t, "text_zahl", _count_as_text, types={"count": str}), "ID_FIELD": "id",
                "RATES": ["count", "den", "quote"], "OUTPUT": str(t["out"] / "q.gpkg")}, "'count'.*(Text|text)"),
    ("negative denominator", "indicatorrates",
     lambda t: {"INPUT": _with_rows(t, "neg_nenner", _negative_denominator), "ID_FIELD": "id",
                "RATES": ["count", "den", "quote"], "OUTPUT": str(t["out"] / "q.gpkg")}, "negativ|negative"),
    ("MSS with a constant indicator", "statusdynamicindex",
     lambda t: {"INPUT": _with_rows(t, "konstant", _constant), "ID_FIELD": "id", "STATUS_INDICATORS": ["a", "b"],
                "OUTPUT": str(t["out"] / "mss.gpkg")}, "'b'.*(gleich|same)"),
    # -- geometry and coordinate systems ---------------------------------------------------------------
    ("point layer as path network (coverage)", "servicecoverage",
     lambda t: coverage_parameters(t, NETWORK=t["adressen"]), "Linien|line"),
    ("point layer as path network (catchments)", "catchments",
     lambda t: catchment_parameters(t, NETWORK=t["kitas"]), "Linien|line"),
    ("polygon layer as services", "servicecoverage",
     lambda t: coverage_parameters(t, SERVICES=t["quartiere"]), "Punkt|point"),
    ("services without a CRS (coverage)", "servicecoverage",
     lambda t: coverage_parameters(t, SERVICES=_add(t, "ohne_kbs", _without_crs(lambda: points(SERVICES)))),
     "Koordinatenbezugssystem|coordinate reference system"),
    ("districts without a CRS (coverage)", "servicecoverage",
     lambda t: coverage_parameters(t, DISTRICTS=_add(t, "ohne_kbs", _without_crs(lambda: polygon_layer(QUARTERS)))),
     "Koordinatenbezugssystem|coordinate reference system"),
    ("services without a CRS (catchments)", "catchments",
     lambda t: catchment_parameters(t, SERVICES=_add(t, "ohne_kbs", _without_crs(lambda: points(SERVICES)))),
     "Koordinatenbezugssystem|coordinate reference system"),
    ("network check: point layer as network", "checknetwork",
     lambda t: {"NETWORK": t["kitas"], "OUTPUT": str(t["out"] / "netz.gpkg")}, "Linien|line"),
    ("network check: output = input file", "checknetwork",
     lambda t: {"NETWORK": t["wege"], "OUTPUT": str(t["gpkg"])}, "zugleich die Eingabe|also the input"),
    ("network check: network without a CRS", "checknetwork",
     lambda t: {"NETWORK": _add(t, "ohne_kbs", _without_crs(lambda: lines(NETWORK))),
                "OUTPUT": str(t["out"] / "netz.gpkg")}, "Koordinatenbezugssystem|coordinate reference system"),
    ("no services at all", "servicecoverage",
     lambda t: coverage_parameters(t, SERVICES=_add(t, "keine", _empty_points())), "keine|no (service|point)"),
    ("no services at all (catchments)", "catchments",
     lambda t: catchment_parameters(t, SERVICES=_add(t, "keine", _empty_points())), "keine|no (service|point)"),
    ("negative capacity", "servicecoverage",
     lambda t: coverage_parameters(t, SERVICES=_add(t, "neg", points([dict(SERVICES[0], plaetze=-3.0),
                                                                       SERVICES[1]]))), "negativ|negative"),
    ("need and coverage share no ID", "needcoverage",
     lambda t: {"NEED": t["index"], "NEED_ID_FIELD": "id", "COVERAGE": t["other_ids"], "COVERAGE_ID_FIELD": "id",
                "OUTPUT": str(t["out"] / "typ.gpkg")}, "gemeinsam|common|keine|no "),
    ("report of a layer without method record", "report",
     lambda t: {"INPUT": t["quartiere"], "OUTPUT_HTML": str(t["out"] / "b.html")},
     "Verfahrensbeschreibung|method record"),
]


def _empty(town):
    layer = polygon_layer([dict(QUARTERS[0])])
    layer.dataProvider().truncate()
    return _add(town, "leer", layer)


def _empty_points():
    layer = points(SERVICES)
    layer.dataProvider().truncate()
    return layer


@pytest.fixture()
def results(town, run):
    """Index and coverage results the report and typology cases read, in their own folder (not checked)."""
    done = town["folder"].parent / "done"
    done.mkdir()
    town["index"] = run("districtindex", index_parameters(town, OUTPUT=str(done / "index.gpkg")))["OUTPUT"]
    town["coverage"] = run("servicecoverage", coverage_parameters(town, OUTPUT=str(done / "versorgung.gpkg")))["OUTPUT"]
    other = polygon_layer([{"id": "X" + row["id"], "versorgung_klasse": 1 + k % 3} for k, row in enumerate(QUARTERS)])
    town["other_ids"] = _save(other, done / "andere.gpkg", "andere")
    return town


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_bad_input_is_refused_clearly_and_nothing_is_lost(results, case):
    _, algorithm, make_parameters, expected = case
    town = results
    parameters = make_parameters(town)
    inputs_before = _checksums(town["folder"])
    done_before = _checksums(town["folder"].parent / "done")
    _run_bad(algorithm, parameters, expected)
    assert _checksums(town["folder"]) == inputs_before
    assert _checksums(town["folder"].parent / "done") == done_before
    assert sorted(os.listdir(town["out"])) == []  # no result, no half-written file, no staging folder


class CancelAt(QgsProcessingFeedback):
    """Cancels the run when its progress first reaches ``at`` percent."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def setProgress(self, value):  # noqa: N802 (QGIS API)
        super().setProgress(value)
        if value >= self.at:
            self.cancel()


CANCELS = [
    ("districtindex", index_parameters, 1.0), ("districtindex", index_parameters, 45.0),
    ("districtindex", index_parameters, 95.0),
    ("servicecoverage", lambda t: coverage_parameters(t, OUTPUT_DEMAND=str(t["out"] / "punkte.gpkg")), 10.0),
    ("servicecoverage", lambda t: coverage_parameters(t, OUTPUT_DEMAND=str(t["out"] / "punkte.gpkg")), 61.0),
    ("servicecoverage", lambda t: coverage_parameters(t, NETWORK=t["wege"],
                                                      OUTPUT_DEMAND=str(t["out"] / "punkte.shp")), 97.0),
    ("catchments", lambda t: catchment_parameters(t, NETWORK=t["wege"]), 50.0),
    ("checknetwork", lambda t: {"NETWORK": t["wege"], "OUTPUT": str(t["out"] / "netz.gpkg"),
                                "OUTPUT_PROBLEMS": str(t["out"] / "stellen.gpkg")}, 50.0),
    ("indexdiagnostics", lambda t: index_parameters(t, OUTPUT=str(t["out"] / "r.gpkg"),
                                                    OUTPUT_HTML=str(t["out"] / "r.html"), N_RANDOM=20), 50.0),
    ("indicatorrates", lambda t: {"INPUT": t["quartiere"], "ID_FIELD": "id", "RATES": ["count", "den", "quote"],
                                  "OUTPUT": str(t["out"] / "q.shp")}, 30.0),
    ("statusdynamicindex", lambda t: {"INPUT": t["quartiere"], "ID_FIELD": "id", "STATUS_INDICATORS": ["a", "b"],
                                      "OUTPUT": str(t["out"] / "mss.gpkg")}, 50.0),
    ("allocation", lambda t: allocation_parameters(t, OUTPUT_TABLE=str(t["out"] / "verteilung.xlsx")), 50.0),
    ("hotspots", hotspot_parameters, 45.0), ("hotspots", hotspot_parameters, 90.0),
    ("report", lambda t: {"INPUT": t["index"], "OUTPUT_HTML": str(t["out"] / "b.html"),
                          "OUTPUT_TABLE": str(t["out"] / "b.xlsx"), "OUTPUT_PDF": str(t["out"] / "b.pdf")}, 30.0),
]


@pytest.mark.parametrize("case", CANCELS, ids=["{} at {:.0f} %".format(c[0], c[2]) for c in CANCELS])
def test_cancel_leaves_nothing_and_is_an_error(results, case):
    algorithm, make_parameters, at = case
    town = results
    inputs_before = _checksums(town["folder"])
    _run_bad(algorithm, make_parameters(town), "Abgebrochen|Cancelled", CancelAt(at))
    assert _checksums(town["folder"]) == inputs_before
    assert sorted(os.listdir(town["out"])) == []


def test_cancel_keeps_the_previous_result(results, run):
    """A destination that held an earlier result still holds it, unchanged, after a cancelled run."""
    town = results
    output = town["out"] / "index.gpkg"
    run("districtindex", index_parameters(town, OUTPUT=str(output)))
    before = hashlib.md5(output.read_bytes()).hexdigest()
    _run_bad("districtindex", index_parameters(town, OUTPUT=str(output), CLASSIFICATION="equal"),
             "Abgebrochen|Cancelled", CancelAt(60.0))
    assert hashlib.md5(output.read_bytes()).hexdigest() == before
    assert sorted(os.listdir(town["out"])) == ["index.gpkg"]


def test_a_table_beside_the_input_in_its_geopackage_keeps_the_other_layers(results, run):
    """Writing a result as a new table of the input's own GeoPackage is allowed and touches no other layer."""
    town = results
    gpkg = str(town["gpkg"])

    def tables():
        with contextlib.closing(sqlite3.connect(gpkg)) as connection:
            return {name: connection.execute('SELECT count(*) FROM "{}"'.format(name)).fetchone()[0]
                    for name, in connection.execute("SELECT table_name FROM gpkg_contents")}

    before = tables()
    result = run("districtindex", index_parameters(
        town, OUTPUT="ogr:dbname='{}' table=\"sozialindex\" (geom)".format(gpkg)))
    after = tables()
    assert after == dict(before, sozialindex=4)
    layer = QgsVectorLayer(result["OUTPUT"], "r", "ogr")
    assert layer.isValid() and layer.featureCount() == 4
    # and again: the table is replaced, not doubled
    run("districtindex", index_parameters(town, OUTPUT="ogr:dbname='{}' table=\"sozialindex\" (geom)".format(gpkg)))
    assert tables() == after


def test_invalid_quarters_stop_the_coverage_when_the_setting_says_stop(results):
    """QGIS's default invalid-geometry setting ("stop"): a clear message naming the quarter, no crash."""
    town = results
    context = QgsProcessingContext()
    context.setInvalidGeometryCheck(compat().INVALID_GEOMETRY_ABORT)
    parameters = coverage_parameters(town, DISTRICTS=_add(town, "schleife", _bowtie_layer()))
    inputs_before = _checksums(town["folder"])
    message = _run_bad("servicecoverage", parameters, "Ungültige Geometrien|Invalid geometries", context=context)
    assert "'A'" in message
    assert _checksums(town["folder"]) == inputs_before and os.listdir(town["out"]) == []


def test_invalid_quarters_are_repaired_for_the_assignment_without_the_check(results, run):
    town = results
    result = run("servicecoverage", coverage_parameters(town, DISTRICTS=_add(town, "schleife", _bowtie_layer())))
    assert QgsVectorLayer(result["OUTPUT"], "r", "ogr").featureCount() == 4


def compat():
    import importlib

    return importlib.import_module("sozialraum_plugin.sozialraum.adapters.compat")


def test_a_shapefile_result_warns_about_cut_names_and_reports_all_the_same(results, run):
    """Shapefiles keep 10 characters of a field name (index_value -> index_valu): the run says so, and the
    report reads the cut names back."""
    town = results
    warnings = []

    class Feedback(QgsProcessingFeedback):
        def pushWarning(self, warning):  # noqa: N802 (QGIS API)
            warnings.append(warning)
            super().pushWarning(warning)

    result = run("districtindex", index_parameters(town, OUTPUT=str(town["out"] / "index.shp")), Feedback())
    assert any("index_value → index_valu" in w for w in warnings), warnings
    layer = QgsVectorLayer(result["OUTPUT"], "shp", "ogr")
    assert "index_valu" in layer.fields().names() and "index_value" not in layer.fields().names()
    report = run("report", {"INPUT": result["OUTPUT"], "NAME_FIELD": "name",
                            "OUTPUT_HTML": str(town["out"] / "bericht.html")})
    html = pathlib.Path(report["OUTPUT_HTML"]).read_text(encoding="utf-8")
    assert "Dom" in html and "Altstadt" in html


def test_catchments_into_a_new_geopackage_keep_their_method_record(results, run):
    """Once 'database is locked': the method record was written while the output was still open."""
    import importlib

    town = results
    method_record = importlib.import_module("sozialraum_plugin.sozialraum.adapters.method_record")
    result = run("catchments", catchment_parameters(town, NETWORK=town["wege"]))
    layer = QgsVectorLayer(result["OUTPUT"], "einzug", "ogr")
    assert layer.featureCount() == 4  # 2 services x 2 distances
    assert method_record.load_method(layer)["distance"] == "network"
    assert sorted(os.listdir(town["out"])) == ["einzug.gpkg"]


def test_two_outputs_as_tables_of_one_new_geopackage(results, run):
    """As the demo writes its results: tables of a GeoPackage the run creates, both kept."""
    town = results
    path = town["out"] / "ergebnisse.gpkg"
    table = "ogr:dbname='{}' table=\"{}\" (geom)".format
    result = run("servicecoverage", coverage_parameters(town, OUTPUT=table(path, "versorgung"),
                                                        OUTPUT_DEMAND=table(path, "punkte")))
    with contextlib.closing(sqlite3.connect(str(path))) as connection:
        tables = sorted(name for name, in connection.execute("SELECT table_name FROM gpkg_contents"))
    assert tables == ["punkte", "versorgung"]
    assert QgsVectorLayer(result["OUTPUT"], "v", "ogr").featureCount() == 4
    assert QgsVectorLayer(result["OUTPUT_DEMAND"], "p", "ogr").featureCount() == 4
    assert sorted(os.listdir(town["out"])) == ["ergebnisse.gpkg"]
