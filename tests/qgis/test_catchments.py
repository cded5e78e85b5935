"""sozialraum:catchments through processing.run: circles and network catchments against hand-made cases."""

import importlib
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsField,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QVariant

X0, Y0 = 400000.0, 5700000.0  # EPSG:25832, metres
DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "musterstadt.gpkg"


class Messages(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.warnings = []

    def pushWarning(self, text):  # noqa: N802 (QGIS API)
        self.warnings.append(text)
        super().pushWarning(text)


def point_layer(points, crs="EPSG:25832", fields=(("w", QVariant.Double),), name="points"):
    """Memory point layer; ``points`` = ``[(x, y, value, ...)]`` with one value per field."""
    layer = QgsVectorLayer("Point?crs={}".format(crs), name, "memory")
    layer.dataProvider().addAttributes([QgsField(n, t) for n, t in fields])
    layer.updateFields()
    features = []
    for x, y, *attributes in points:
        feature = QgsFeature(layer.fields())
        feature.setAttributes(list(attributes))
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def line_layer(lines, crs="EPSG:25832"):
    """Memory line layer of ``[[(x, y), (x, y), ...], ...]`` (offsets from X0, Y0)."""
    layer = QgsVectorLayer("LineString?crs={}".format(crs), "wege", "memory")
    features = []
    for vertices in lines:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromPolylineXY([QgsPointXY(X0 + x, Y0 + y) for x, y in vertices]))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def run_catchments(run, services, distance, feedback=None, **extra):
    parameters = {"SERVICES": services, "DISTANCE": distance, "OUTPUT": "memory:"}
    parameters.update(extra)
    return run("catchments", parameters, feedback)


def rows(layer):
    """``{(einrichtung_id, schwelle_m): feature}``."""
    return {(f["einrichtung_id"], f["schwelle_m"]): f for f in layer.getFeatures()}


def is_null(value):
    return value is None or (hasattr(value, "isNull") and value.isNull())


def regular_polygon_area(radius, corners):
    """Area of the regular polygon with ``corners`` corners inscribed in a circle: n/2 r^2 sin(2 pi / n)."""
    return corners / 2.0 * radius ** 2 * math.sin(2.0 * math.pi / corners)


# --------------------------------------------------------------------------------------------
# circles
# --------------------------------------------------------------------------------------------

def test_circle_area_and_population_inclusive_at_the_radius(run):
    services = point_layer([(X0, Y0, "K1")], fields=(("code", QVariant.String),))
    # weights 1, 2, 4 ... so every sum tells which points were counted
    demand = point_layer([
        (X0 + 50, Y0, 1.0),             # 50 m
        (X0 + 60, Y0 + 80, 2.0),         # 100 m exactly (3-4-5 triangle)
        (X0 + 100.001, Y0, 4.0),         # just beyond 100 m
        (X0, Y0 - 200, 8.0),             # 200 m
        (X0 - 150, Y0 + 200, 16.0),      # 250 m exactly
        (X0 + 300, Y0, 32.0),            # 300 m
    ])
    result = run_catchments(run, services, "250, 100", ID_FIELD="code", DEMAND=demand, DEMAND_FIELD="w")
    out = rows(result["OUTPUT"])
    assert set(out) == {("K1", 100.0), ("K1", 250.0)}
    assert out[("K1", 100.0)]["bevoelkerung"] == 1 + 2
    assert out[("K1", 250.0)]["bevoelkerung"] == 1 + 2 + 4 + 8 + 16
    for radius in (100.0, 250.0):
        feature = out[("K1", radius)]
        area_m2 = feature["flaeche_ha"] * 10000.0
        assert area_m2 == pytest.approx(math.pi * radius ** 2, rel=5e-4)  # help text: < 0.05 % below
        assert area_m2 == pytest.approx(regular_polygon_area(radius, 128), rel=1e-9)
        assert feature.geometry().area() == pytest.approx(area_m2, rel=1e-9)
        assert feature["methode"] == "luftlinie"
    # larger distances first (smaller catchments drawn on top)
    assert [f["schwelle_m"] for f in result["OUTPUT"].getFeatures()] == [250.0, 100.0]


def test_circle_without_demand_has_no_population_and_each_point_counts_one_without_field(run):
    services = point_layer([(X0, Y0, 1.0), (X0 + 1000, Y0, 1.0)])
    out = rows(run_catchments(run, services, "100")["OUTPUT"])
    assert all(is_null(f["bevoelkerung"]) for f in out.values())
    demand = point_layer([(X0 + 10, Y0, 5.0), (X0 + 20, Y0, 5.0), (X0 + 1000, Y0 + 99, 5.0)])
    out = rows(run_catchments(run, services, "100", DEMAND=demand)["OUTPUT"])
    fids = sorted(key[0] for key in out)
    assert out[(fids[0], 100.0)]["bevoelkerung"] == 2 and out[(fids[1], 100.0)]["bevoelkerung"] == 1


# --------------------------------------------------------------------------------------------
# network catchments
# --------------------------------------------------------------------------------------------

@pytest.fixture()
def catchments_module(plugin):
    return importlib.import_module("sozialraum_plugin.sozialraum.adapters.catchment_shapes")


@pytest.fixture()
def network_tools(plugin):
    graph = importlib.import_module("sozialraum_plugin.sozialraum.adapters.network_graph")
    core = importlib.import_module("sozialraum_plugin.sozialraum.core.network")
    return graph, core


def reach(catchments_module, network_tools, layer, start, budget):
    """Whole edges (as vertex lists) and cut pieces of ``layer`` within ``budget`` of the point ``start``, searched
    from its two attachments (at a line's end point: that node at 0 and the line's other end at its length)."""
    graph_adapter, core = network_tools
    crs = layer.crs()
    from qgis.core import QgsCoordinateTransformContext

    network = graph_adapter.read_network(layer, crs, QgsCoordinateTransformContext())
    edges = catchments_module.edge_lines(network)
    point = graph_adapter.snap_to_edges(network, [X0 + start[0]], [Y0 + start[1]])
    _, touched, dist = next(core.bounded_dijkstra(network.graph, point.node, budget, point.cost))
    whole, pieces = catchments_module.network_catchment(edges, dict(zip(touched.tolist(), dist.tolist())), budget)
    shift = [(-X0, -Y0)]

    def local(geometry):
        g = QgsGeometry(geometry)
        g.translate(*shift[0])
        return [(round(p.x(), 6), round(p.y(), 6)) for p in g.vertices()]

    return (sorted(local(edges.lines[e]) for e in whole.tolist()),
            sorted(local(p) for p in pieces))


def test_straight_line_reachable_part_is_exactly_the_cut_segment(catchments_module, network_tools):
    layer = line_layer([[(0, 0), (400, 0)], [(400, 0), (1000, 0)]])
    whole, pieces = reach(catchments_module, network_tools, layer, (0, 0), 300)
    assert whole == [] and pieces == [[(0.0, 0.0), (300.0, 0.0)]]
    whole, pieces = reach(catchments_module, network_tools, layer, (0, 0), 500)
    assert whole == [[(0.0, 0.0), (400.0, 0.0)]] and pieces == [[(400.0, 0.0), (500.0, 0.0)]]
    # a bent line is cut along its length, not along the chord
    bent = line_layer([[(0, 0), (100, 0), (100, 100), (200, 100)]])
    whole, pieces = reach(catchments_module, network_tools, bent, (0, 0), 150)
    assert whole == [] and pieces == [[(0.0, 0.0), (100.0, 0.0), (100.0, 50.0)]]


def test_edge_reached_from_both_ends(catchments_module, network_tools):
    # rectangle A(0,0) B(400,0) C(400,300) D(0,300) with the diagonal AC (500 m): from A, B is 400 away,
    # D 300, C 500
    layer = line_layer([[(0, 0), (400, 0)], [(400, 0), (400, 300)], [(400, 300), (0, 300)], [(0, 300), (0, 0)],
                        [(0, 0), (400, 300)]])
    whole, pieces = reach(catchments_module, network_tools, layer, (0, 0), 580)
    assert whole == [[(0.0, 0.0), (400.0, 0.0)], [(0.0, 0.0), (400.0, 300.0)], [(0.0, 300.0), (0.0, 0.0)]]
    # BC (300 m): 180 from B, 80 from C; CD (400 m): 80 from C, 280 from D
    assert pieces == sorted([[(400.0, 0.0), (400.0, 180.0)], [(400.0, 220.0), (400.0, 300.0)],
                             [(400.0, 300.0), (320.0, 300.0)], [(280.0, 300.0), (0.0, 300.0)]])
    # with 600 m the two ends meet on BC (200 + 100 = 300) and CD (100 + 300 = 400): all five edges whole
    whole, pieces = reach(catchments_module, network_tools, layer, (0, 0), 600)
    assert len(whole) == 5 and pieces == []


def test_network_catchment_polygon_and_population_along_a_line(run):
    wege = line_layer([[(0, 0), (400, 0)], [(400, 0), (1000, 0)]])
    services = point_layer([(X0, Y0 - 20, 1.0)])  # 20 m from node A(0, 0)
    # the service's and the demand points' nearest points of the network: d = snap_i + along the line + snap_j (20)
    demand = point_layer([
        (X0, Y0 + 50, 1.0),         # A + 50: 70
        (X0 + 150, Y0, 2.0),        # A + 150: 170
        (X0, Y0 + 280, 4.0),        # A + 280: 300 exactly (inclusive)
        (X0, Y0 + 280.01, 8.0),     # just beyond 300
        (X0 + 400, Y0 + 30, 16.0),  # B: 30 + 400 + 20 = 450
        (X0 + 1000, Y0, 32.0),      # C: 1020
    ])
    result = run_catchments(run, services, "300, 500", NETWORK=wege, BUFFER=10, DEMAND=demand, DEMAND_FIELD="w")
    out = {f["schwelle_m"]: f for f in result["OUTPUT"].getFeatures()}
    assert out[300.0]["bevoelkerung"] == 1 + 2 + 4
    assert out[500.0]["bevoelkerung"] == 1 + 2 + 4 + 8 + 16
    assert out[300.0]["fangabstand_m"] == pytest.approx(20.0)
    assert out[300.0]["methode"] == "netz"
    # 300 m: access line (0,-20)-(0,0) + 280 m of the line, buffered by 10 m
    polygon = out[300.0].geometry()
    inside = [(0, -20), (0, -29), (279, 0), (284, 5), (-9, 0), (150, 9)]
    outside = [(291, 0), (150, 11), (0, -31), (-11, 0), (0, 30)]
    for x, y in inside:
        assert polygon.contains(QgsGeometry.fromPointXY(QgsPointXY(X0 + x, Y0 + y))), (x, y)
    for x, y in outside:
        assert not polygon.contains(QgsGeometry.fromPointXY(QgsPointXY(X0 + x, Y0 + y))), (x, y)
    # area: the stadium around the 280 m piece (280 x 20 + a 10 m disc) plus the part of the access stub's
    # stadium (20 x 20 + a 10 m disc) outside it: at least the part below y = -10 (20 x 10 + half a disc),
    # at most all but the upper half disc; 1 % for the polygon approximation of the round ends
    area = out[300.0]["flaeche_ha"] * 10000.0
    line_area = 280 * 20 + math.pi * 10 ** 2
    assert 0.99 * (line_area + 20 * 10 + math.pi * 50) < area < line_area + 20 * 20 + math.pi * 50
    # 500 m: the reach ends 480 m along the line (the circle of 500 m does not cut it: sqrt(480^2 + 20^2) < 500)
    polygon = out[500.0].geometry()
    assert polygon.contains(QgsGeometry.fromPointXY(QgsPointXY(X0 + 479, Y0)))
    assert not polygon.contains(QgsGeometry.fromPointXY(QgsPointXY(X0 + 491, Y0)))


def test_network_catchment_of_a_service_beside_the_middle_of_a_long_path(run):
    wege = line_layer([[(0, 0), (1000, 0)]])
    services = point_layer([(X0 + 400, Y0 + 30, 1.0)])  # 30 m off the path, foot (400, 0), 400 m along it
    demand = point_layer([
        (X0 + 200, Y0, 1.0),        # along the path: 30 + 200 = 230
        (X0 + 660, Y0 + 5, 2.0),    # 30 + 260 + 5 = 295
        (X0 + 700, Y0, 4.0),        # 30 + 300 = 330: beyond 300
    ])
    result = run_catchments(run, services, "300", NETWORK=wege, BUFFER=10, DEMAND=demand, DEMAND_FIELD="w")
    feature = next(result["OUTPUT"].getFeatures())
    assert feature["fangabstand_m"] == pytest.approx(30.0)
    assert feature["bevoelkerung"] == 1 + 2
    # 300 - 30 = 270 m each way from the foot: the path from 130 to 670, buffered by 10 m, plus the access line
    # (the nearest NODE (0, 0) is 401 m away: snapped to it, the service had no catchment at all)
    polygon = feature.geometry()
    inside = [(125, 0), (400, 9), (675, 0), (400, 25), (395, 35)]
    outside = [(115, 0), (685, 0), (300, 11), (400, 41)]
    for x, y in inside:
        assert polygon.contains(QgsGeometry.fromPointXY(QgsPointXY(X0 + x, Y0 + y))), (x, y)
    for x, y in outside:
        assert not polygon.contains(QgsGeometry.fromPointXY(QgsPointXY(X0 + x, Y0 + y))), (x, y)
    # area: the stadium around the 540 m piece (540 x 20 + a 10 m disc) and the access stub above it (20 x 20
    # from y = 10 to 30, plus half a disc); the circle of 300 m around the service cuts nothing
    # (the farthest corner, (120, 0), is sqrt(280^2 + 30^2) = 281.6 m away); 1 % for the polygonal round ends
    area = feature["flaeche_ha"] * 10000.0
    assert area == pytest.approx(540 * 20 + math.pi * 100 + 20 * 20 + math.pi * 50, rel=0.01)


def test_service_farther_from_network_than_the_distance_gets_an_empty_catchment_and_a_note(run):
    wege = line_layer([[(0, 0), (400, 0)]])
    services = point_layer([(X0, Y0 + 350, 1.0), (X0 + 400, Y0 + 10, 2.0)])
    result = run_catchments(run, services, "300", NETWORK=wege)
    out = {f["einrichtung_id"]: f for f in result["OUTPUT"].getFeatures()}
    far, near = sorted(out)
    assert not out[far].hasGeometry() or out[far].geometry().isEmpty()
    assert "350" in out[far]["hinweis"] and out[far]["flaeche_ha"] == 0
    assert out[near].geometry().area() > 0
    assert result["N_EMPTY"] == 1


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    jitter=st.lists(st.tuples(st.floats(-40, 40), st.floats(-40, 40)), min_size=25, max_size=25),
    demand=st.lists(st.tuples(st.floats(0, 800), st.floats(0, 800)), min_size=1, max_size=40),
    service=st.tuples(st.floats(100, 700), st.floats(100, 700)),
    limit=st.sampled_from([150.0, 320.0, 600.0]),
    width=st.sampled_from([5.0, 50.0, 120.0]),
)
def test_property_network_catchment_holds_nothing_beyond_the_distance_by_straight_line(
        run, jitter, demand, service, limit, width):
    # a 5 x 5 grid of jittered nodes, 200 m apart, joined to their right and upper neighbours
    nodes = [(200 * (k % 5) + jitter[k][0], 200 * (k // 5) + jitter[k][1]) for k in range(25)]
    lines = [[nodes[k], nodes[k + 1]] for k in range(25) if k % 5 < 4] + \
            [[nodes[k], nodes[k + 5]] for k in range(20)]
    wege = line_layer(lines)
    services = point_layer([(X0 + service[0], Y0 + service[1], 1.0)])
    people = point_layer([(X0 + x, Y0 + y, 1.0) for x, y in demand])
    parameters = dict(DEMAND=people, DEMAND_FIELD="w", BUFFER=width)
    network = next(run_catchments(run, services, str(limit), NETWORK=wege, **parameters)["OUTPUT"].getFeatures())
    circle = next(run_catchments(run, services, str(limit), **parameters)["OUTPUT"].getFeatures())
    within = sum(1 for x, y in demand if math.hypot(x - service[0], y - service[1]) <= limit)
    assert circle["bevoelkerung"] == within
    # the network distance is never shorter than the straight line: counted points are a subset
    assert network["bevoelkerung"] <= within
    polygon = network.geometry()
    for x, y in demand:
        if polygon.contains(QgsGeometry.fromPointXY(QgsPointXY(X0 + x, Y0 + y))):
            assert math.hypot(x - service[0], y - service[1]) <= limit + 1e-6
    assert network["flaeche_ha"] <= circle["flaeche_ha"] + 1e-9


# --------------------------------------------------------------------------------------------
# bad input and coordinate systems
# --------------------------------------------------------------------------------------------

def test_empty_service_layer(run):
    with pytest.raises(QgsProcessingException, match="keine Punkte"):
        run_catchments(run, point_layer([]), "300")


@pytest.mark.parametrize("distance", ["0, 300", "-100", "300, abc", ""])
def test_non_positive_or_unreadable_distances(run, distance):
    with pytest.raises(QgsProcessingException):
        run_catchments(run, point_layer([(X0, Y0, 1.0)]), distance)


def test_geographic_crs_is_reprojected_with_a_message(run):
    # a service near 9.0 E / 51.5 N: measured in ETRS89 / UTM 32N, returned in EPSG:4326
    lon, lat = 9.0, 51.5
    wgs84 = QgsCoordinateReferenceSystem("EPSG:4326")
    utm = QgsCoordinateReferenceSystem("EPSG:25832")
    to_utm = QgsCoordinateTransform(wgs84, utm, QgsProject.instance())
    centre = to_utm.transform(QgsPointXY(lon, lat))
    back = QgsCoordinateTransform(utm, wgs84, QgsProject.instance())
    inside = back.transform(QgsPointXY(centre.x() + 499, centre.y()))
    outside = back.transform(QgsPointXY(centre.x(), centre.y() + 501))
    services = point_layer([(lon, lat, 1.0)], crs="EPSG:4326")
    demand = point_layer([(inside.x(), inside.y(), 3.0), (outside.x(), outside.y(), 5.0)], crs="EPSG:4326")
    feedback = Messages()
    result = run_catchments(run, services, "500", feedback, DEMAND=demand, DEMAND_FIELD="w")
    out = result["OUTPUT"]
    assert any("EPSG:25832" in w for w in feedback.warnings)
    assert out.crs().authid() == "EPSG:4326"
    feature = next(out.getFeatures())
    assert feature["bevoelkerung"] == 3
    assert feature["flaeche_ha"] * 10000.0 == pytest.approx(math.pi * 500.0 ** 2, rel=5e-4)
    assert feature.geometry().boundingBox().contains(QgsPointXY(lon, lat))


def test_musterstadt_kitas_along_the_paths(run):
    assert DEMO.exists(), "the demo GeoPackage is part of the repository"
    kitas = "{}|layername=kitas".format(DEMO)
    common = dict(NAME_FIELD="name", DEMAND="{}|layername=adressen".format(DEMO), DEMAND_FIELD="ew_u6")
    network = rows(run_catchments(run, kitas, "300, 500", NETWORK="{}|layername=wege".format(DEMO),
                                  **common)["OUTPUT"])
    circles = rows(run_catchments(run, kitas, "300, 500", **common)["OUTPUT"])
    assert len(network) == 2 * 78 and set(network) == set(circles)
    for (kita, limit), feature in network.items():
        assert feature.geometry().area() > 0
        assert feature["bevoelkerung"] <= circles[(kita, limit)]["bevoelkerung"]
        assert feature["flaeche_ha"] <= circles[(kita, limit)]["flaeche_ha"] + 1e-9
        if limit == 300.0:
            assert feature["bevoelkerung"] <= network[(kita, 500.0)]["bevoelkerung"]
            assert feature["flaeche_ha"] <= network[(kita, 500.0)]["flaeche_ha"] + 1e-9


def test_only_polygons_are_kept_from_an_intersection(catchments_module):
    # where shapes only touch, an intersection also yields lines and points
    mixed = QgsGeometry.fromWkt("GEOMETRYCOLLECTION(POLYGON((0 0, 10 0, 10 10, 0 0)), "
                                "LINESTRING(20 0, 20 10), POINT(30 30))")
    kept = catchments_module.polygon_parts(mixed)
    assert kept.asWkt() == "MultiPolygon (((0 0, 10 0, 10 10, 0 0)))"
    assert kept.area() == pytest.approx(50.0)
    assert catchments_module.polygon_parts(QgsGeometry.fromWkt("LINESTRING(0 0, 1 1)")).isNull()
