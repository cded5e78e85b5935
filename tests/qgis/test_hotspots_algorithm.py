"""sozialraum:hotspots through processing.run: contiguity from GEOS, values against independently computed ones
(lattices by brute force, Berlin's planning areas against PySAL's esda), the funding areas, bad input."""

import csv
import json
import math
from pathlib import Path

import pytest
from layers import values
from qgis.core import (
    QgsFeature,
    QgsField,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QVariant

BERLIN = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "berlin"
S4 = "s4_percentage_transfer_payments_recipients_below_15_years"

# esda 2.9 / libpysal 4.14 on Berlin's planning areas with MSS 2019 s4 (>= 300 inhabitants), contiguity by
# libpysal.graph.Graph.build_contiguity(strict=True); printed by tests/reference/hotspots_reference.py
BERLIN_ESDA = {
    "queen": {"n": 438, "pairs": 1255, "lisa_sum": 200.506693863625, "lisa_sum_squares": 321.1001978801757,
              "gi_sum": -16.489720098015376, "gi_sum_squares": 1383.5964165713126,
              "some": {"01011101-0": (0.004427993319061863, -0.24513625880430523),
                       "03071537-103": (0.9459268206540753, -2.4138929347280724),
                       "08030830-307": (1.1098752858590015, 2.258448787861941),
                       "10010207-359": (-0.21470301507699405, -0.29392060265785086)}},
    "rook": {"n": 438, "pairs": 1144, "lisa_sum": 204.42808728269625, "lisa_sum_squares": 334.51045665213087,
             "gi_sum": -15.650861922735956, "gi_sum_squares": 1297.7312396219515,
             "some": {"01011101-0": (0.1531670005291645, -0.7454703851716161),
                      "03071537-103": (1.0028060404038583, -2.053763520610364),
                      "08030830-307": (1.1098752858590015, 2.258448787861941),
                      "10010207-359": (-0.08809493992145537, 0.12706420358916926)}},
}


def square(x, y, size=100.0):
    return QgsGeometry.fromPolygonXY([[QgsPointXY(x, y), QgsPointXY(x + size, y), QgsPointXY(x + size, y + size),
                                       QgsPointXY(x, y + size), QgsPointXY(x, y)]])


def layer_of(rows, crs="EPSG:25832"):
    """A memory polygon layer from ``[(id, value, population, geometry)]`` (value/population may be None)."""
    layer = QgsVectorLayer("MultiPolygon?crs={}".format(crs), "quartiere", "memory")
    layer.dataProvider().addAttributes([QgsField("id", QVariant.String), QgsField("wert", QVariant.Double),
                                        QgsField("ew", QVariant.Double)])
    layer.updateFields()
    features = []
    for key, value, population, geometry in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes([key, value, population])
        feature.setGeometry(geometry)
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def grid(rows, columns, values_, population=None):
    """A rows x columns grid of 100 m squares, cells row by row from the top, ids c00, c01, ..."""
    return layer_of([("c{:02d}".format(r * columns + c), values_[r * columns + c],
                      None if population is None else population[r * columns + c],
                      square(400000 + 100 * c, 5700000 - 100 * r)) for r in range(rows) for c in range(columns)])


def brute_force(y, neighbour_lists):
    """Local Moran's I and Gi* from their definitions (independent of the core's vectorised code)."""
    n = len(y)
    mean = sum(y) / n
    deviations = [v - mean for v in y]
    squares = sum(d * d for d in deviations)
    s = math.sqrt(squares / n)
    local, gi = [], []
    for i, near in enumerate(neighbour_lists):
        local.append((n - 1) * deviations[i] * sum(deviations[j] for j in near) / len(near) / squares)
        weight = len(near) + 1
        total = y[i] + sum(y[j] for j in near)
        variance = (n * weight - weight ** 2) / (n - 1)  # 0 where every quarter is a neighbour: no Gi*
        gi.append((total - weight * mean) / (s * math.sqrt(variance)) if variance > 0 else math.nan)
    return local, gi


def grid_neighbours(rows, columns, queen):
    out = []
    for r in range(rows):
        for c in range(columns):
            near = []
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    if (dr or dc) and (queen or not (dr and dc)) and 0 <= r + dr < rows and 0 <= c + dc < columns:
                        near.append((r + dr) * columns + c + dc)
            out.append(near)
    return out


def hotspots(run, layer, feedback=None, **extra):
    parameters = {"INPUT": layer, "ID_FIELD": "id", "FIELD": "wert", "PERMUTATIONS": 99, "OUTPUT": "memory:"}
    parameters.update(extra)
    return run("hotspots", parameters, feedback)


@pytest.mark.parametrize("weights", ["queen", "rook"])
def test_grid_values_equal_the_definitions(run, weights):
    y = [float((7 * i) % 11) + 0.5 * i for i in range(20)]
    result = hotspots(run, grid(4, 5, y), WEIGHTS=weights)
    local, gi = brute_force(y, grid_neighbours(4, 5, weights == "queen"))
    got_local, got_gi = values(result["OUTPUT"], "lisa_i"), values(result["OUTPUT"], "gi_z")
    for k in range(20):
        assert got_local["c{:02d}".format(k)] == pytest.approx(local[k], abs=1e-9)
        assert got_gi["c{:02d}".format(k)] == pytest.approx(gi[k], abs=1e-9)


def test_seed_gives_the_same_p_values(run):
    y = [float((7 * i) % 11) + 0.5 * i for i in range(20)]
    first = values(hotspots(run, grid(4, 5, y), SEED=3)["OUTPUT"], "lisa_p")
    again = values(hotspots(run, grid(4, 5, y), SEED=3)["OUTPUT"], "lisa_p")
    assert first == again
    # p values are (count + 1) / 100 with 99 permutations
    assert all(abs(p * 100 - round(p * 100)) < 1e-9 and 0.01 <= p <= 0.5 for p in first.values())


def test_contiguity_where_vertices_do_not_meet(plugin):
    """GEOS decides what vertices cannot: a boundary shared without a shared segment (rook), a T-junction without
    a shared vertex (queen and rook), a corner only (queen, not rook)."""
    import importlib

    contiguity = importlib.import_module("sozialraum_plugin.sozialraum.adapters.contiguity")
    rectangle = QgsGeometry.fromPolygonXY([[QgsPointXY(0, 0), QgsPointXY(2, 0), QgsPointXY(2, 1), QgsPointXY(0, 1),
                                            QgsPointXY(0, 0)]])
    left = square(0, 1, 1)  # shares the rectangle's corner (0, 1) and half its top edge
    offset = square(1.5, -1, 1)  # below the rectangle, from x 1.5 to 2.5: shares a piece of its bottom edge only
    corner = square(2, 1, 1)  # touches the rectangle at its corner (2, 1) only
    shapes = [rectangle, left, offset, corner]
    queen, _ = contiguity.neighbours_of(shapes, "queen", None, "test")
    rook, _ = contiguity.neighbours_of(shapes, "rook", None, "test")
    pairs = lambda n: {(i, j) for i, j in zip(*n.pairs()) if i < j}  # noqa: E731
    assert pairs(queen) == {(0, 1), (0, 2), (0, 3)}
    assert pairs(rook) == {(0, 1), (0, 2)}


def test_funding_areas_profile_by_hand(run, tmp_path):
    """6 x 6 grid, high values in the top-left 3 x 3 block: one HH area whose profile is computed by hand."""
    y, population = [], []
    for r in range(6):
        for c in range(6):
            y.append(10.0 + r + c if r < 3 and c < 3 else 1.0 + 0.1 * ((r * 6 + c) % 5))
            population.append(100.0 * (1 + (r + c) % 3))
    result = hotspots(run, grid(6, 6, y, population), PERMUTATIONS=999, POPULATION_FIELD="ew",
                      OUTPUT_AREAS=str(tmp_path / "gebiete.gpkg"), OUTPUT=str(tmp_path / "quartiere.gpkg"))
    quarters = QgsVectorLayer(result["OUTPUT"], "q", "ogr")
    cluster = values(quarters, "cluster_id")
    members = sorted(key for key, number in cluster.items() if number == 1)
    assert result["N_CLUSTERS"] == 1 and members and all(int(key[1:]) // 6 < 3 and int(key[1:]) % 6 < 3
                                                          for key in members)
    assert {values(quarters, "lisa_typ")[key] for key in members} == {"HH"}
    areas = QgsVectorLayer(result["OUTPUT_AREAS"], "a", "ogr")
    (area,) = list(areas.getFeatures())
    positions = [int(key[1:]) for key in members]
    weight = [population[k] for k in positions]
    expected = sum(y[k] * w for k, w in zip(positions, weight)) / sum(weight)
    city = sum(v * w for v, w in zip(y, population)) / sum(population)
    assert area["anzahl_quartiere"] == len(members) and area["bevoelkerung"] == sum(weight)
    assert area["wert_gebiet"] == pytest.approx(expected, abs=1e-9)
    assert area["wert_stadt"] == pytest.approx(city, abs=1e-9)
    assert area["wert_abw"] == pytest.approx(expected - city, abs=1e-9)
    assert area.geometry().area() == pytest.approx(10000.0 * len(members))
    assert area["quartiere"] == ", ".join(members)
    record = json.loads(result["METHOD"])
    assert record["clusters"] == [{"cluster_id": 1, "anzahl_quartiere": len(members), "bevoelkerung": sum(weight),
                                   "wert_gebiet": pytest.approx(expected), "wert_stadt": pytest.approx(city),
                                   "wert_abw": pytest.approx(expected - city)}]


class Warnings(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.warnings, self.infos = [], []

    def pushInfo(self, text):  # noqa: N802 (QGIS API)
        self.infos.append(text)
        super().pushInfo(text)

    def pushWarning(self, text):  # noqa: N802 (QGIS API)
        self.warnings.append(text)
        super().pushWarning(text)


def test_not_rated_and_islands_are_named(run):
    rows = [("a", 1.0, None, square(0, 0)), ("b", 2.0, None, square(100, 0)), ("c", 5.0, None, square(200, 0)),
            ("d", None, None, square(300, 0)), ("e", 4.0, None, square(5000, 0))]
    feedback = Warnings()
    result = hotspots(run, layer_of(rows), feedback)
    types = values(result["OUTPUT"], "lisa_typ")
    assert types["d"] is None and types["e"] == "ns" and values(result["OUTPUT"], "lisa_p")["e"] is None
    assert any("'d'" in text and "außen vor" in text for text in feedback.warnings)
    assert any("'e'" in text and "ohne Nachbarn" in text for text in feedback.warnings)


@pytest.mark.parametrize("rows, extra, words", [
    ([("a", 3.0, None, square(0, 0)), ("b", 3.0, None, square(100, 0)), ("c", 3.0, None, square(200, 0))], {},
     "denselben Wert"),
    ([("a", 1.0, None, square(0, 0)), ("a", 2.0, None, square(100, 0)), ("c", 3.0, None, square(200, 0))], {},
     "doppelte IDs"),
    ([("a", 1.0, None, square(0, 0)), ("b", 2.0, None, square(100, 0)), ("c", 3.0, None, square(200, 0))],
     {"WEIGHTS": "knn", "K": 5}, "k muss zwischen"),
    ([("a", 1.0, None, square(0, 0)), ("b", 2.0, None, square(100, 0)), ("c", 3.0, None, square(200, 0))],
     {"WEIGHTS": "distance", "DISTANCE": 0.0}, "größer als 0 m"),
])
def test_bad_input_gives_a_message(run, rows, extra, words):
    with pytest.raises(QgsProcessingException, match=words):
        hotspots(run, layer_of(rows), **extra)


def test_distance_weights_refuse_degrees(run):
    rows = [(k, float(k), None, square(13.0 + 0.01 * k, 52.5, 0.01)) for k in range(4)]
    with pytest.raises(QgsProcessingException, match="geographischen Koordinaten"):
        hotspots(run, layer_of([(str(k), v, p, g) for k, v, p, g in rows], crs="EPSG:4326"), WEIGHTS="distance")


def test_distance_and_knn_weights_on_a_grid(run):
    # 3 x 3 grid of 100 m squares: centroids 100 m apart; within 100 m = rook neighbours; 141.5 m = queen
    y = [8.0, 9.0, 7.0, 6.0, 4.0, 1.0, 5.0, 2.0, 3.0]
    for weights, extra, queen in (("distance", {"DISTANCE": 100.0}, False), ("distance", {"DISTANCE": 141.5}, True)):
        local, _ = brute_force(y, grid_neighbours(3, 3, queen))
        result = values(hotspots(run, grid(3, 3, y), WEIGHTS=weights, **extra)["OUTPUT"], "lisa_i")
        assert [result["c{:02d}".format(k)] for k in range(9)] == pytest.approx(local, abs=1e-9)
    # k = 1: corner 0's nearest are 1 and 3 at 100 m; the lower position (1) is taken
    result = values(hotspots(run, grid(3, 3, y), WEIGHTS="knn", K=1)["OUTPUT"], "lisa_i")
    deviations = [v - 5.0 for v in y]
    assert result["c00"] == pytest.approx(8 * deviations[0] * deviations[1] / sum(d * d for d in deviations))


@pytest.mark.skipif(not (BERLIN / "lor_planungsraeume_bis2020.geojson").exists(),
                    reason="../shared/data/berlin not available")
@pytest.mark.parametrize("weights", ["queen", "rook"])
def test_berlin_planning_areas_equal_esda(run, weights):
    source = QgsVectorLayer(str(BERLIN / "lor_planungsraeume_bis2020.geojson"), "plr", "ogr")
    with open(BERLIN / "mss2019_indikatoren_plr.csv", encoding="utf-8") as handle:
        table = {row["id"]: row for row in csv.DictReader(handle)}
    rows = []
    for n, feature in enumerate(source.getFeatures()):
        row = table.get(str(feature["id"]))
        value = float(row[S4]) if row is not None and float(row["inhabitants"]) >= 300 else None
        rows.append(("{}-{}".format(feature["id"], n), value, None, feature.geometry()))
    reference = BERLIN_ESDA[weights]
    feedback = Warnings()
    result = hotspots(run, layer_of(rows, crs="EPSG:4326"), feedback, WEIGHTS=weights)
    local = {k: v for k, v in values(result["OUTPUT"], "lisa_i").items() if v is not None}
    gi = {k: v for k, v in values(result["OUTPUT"], "gi_z").items() if v is not None}
    assert len(local) == reference["n"]
    # the same neighbour pairs as libpysal's GEOS contiguity (each relation counted both ways)
    assert any("'{}': {} Beziehungen".format(weights, 2 * reference["pairs"]) in text for text in feedback.infos)
    assert math.fsum(local.values()) == pytest.approx(reference["lisa_sum"], abs=1e-9)
    assert math.fsum(v * v for v in local.values()) == pytest.approx(reference["lisa_sum_squares"], abs=1e-9)
    assert math.fsum(gi.values()) == pytest.approx(reference["gi_sum"], abs=1e-9)
    assert math.fsum(v * v for v in gi.values()) == pytest.approx(reference["gi_sum_squares"], abs=1e-9)
    for key, (expected_local, expected_gi) in reference["some"].items():
        assert local[key] == pytest.approx(expected_local, abs=1e-9)
        assert gi[key] == pytest.approx(expected_gi, abs=1e-9)
    assert all(0 < p <= 0.5 for p in values(result["OUTPUT"], "lisa_p").values() if p is not None)
