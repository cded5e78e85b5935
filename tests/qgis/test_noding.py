"""Path networks as cities have them: long lines not split at their crossings (OpenStreetMap ways, ATKIS).

The plugin's distances along such a network are checked against QGIS's own network analysis (the graph
builder of ``native:shortestpathpointtopoint``, which joins lines at every vertex) and against the same network
split at its crossings by ``native:splitwithlines``.
"""

import math

import pytest
from qgis.core import (
    QgsFeature,
    QgsField,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.analysis import QgsGraphAnalyzer, QgsGraphBuilder, QgsNetworkDistanceStrategy, QgsVectorLayerDirector
from qgis.PyQt.QtCore import QVariant

X0, Y0 = 400000.0, 5700000.0
CRS = "EPSG:25832"


def _layer(kind, rows, geometry, fields=()):
    layer = QgsVectorLayer("{}?crs={}".format(kind, CRS), kind, "memory")
    layer.dataProvider().addAttributes([QgsField(name, kind_) for name, kind_ in fields])
    layer.updateFields()
    features = []
    for row in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes([row[name] for name, _ in fields])
        feature.setGeometry(geometry(row))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def unsplit_network(bridge=True):
    """Rows and columns 0..600 m as long lines with a vertex at every crossing (not split there), a bridge
    from (50, 50) to (550, 550) that crosses them without a vertex, and a bent path with a vertex in its middle
    shared with a column."""
    lines = []
    for k in range(7):
        lines.append([(100.0 * i, 100.0 * k) for i in range(7)])  # row k
        lines.append([(100.0 * k, 100.0 * i) for i in range(7)])  # column k
    if bridge:
        lines.append([(50.0, 50.0), (550.0, 550.0)])  # the bridge: crosses rows and columns, no shared vertex
    lines.append([(250.0, 620.0), (300.0, 650.0), (350.0, 620.0)])  # joins nothing at its ends ...
    lines.append([(300.0, 600.0), (300.0, 650.0), (300.0, 700.0)])  # ... but shares (300, 650) with this one
    return _layer("LineString", [{"c": c} for c in lines],
                  lambda row: QgsGeometry.fromPolylineXY([QgsPointXY(X0 + x, Y0 + y) for x, y in row["c"]]))


DEMAND = [(0.0, 0.0), (600.0, 600.0), (250.0, 300.0), (300.0, 650.0), (350.0, 620.0), (500.0, 50.0),
          (100.0, 430.0), (0.0, 600.0)]
SERVICE = (400.0, 200.0)


def points(coordinates, fields):
    rows = [dict(zip([name for name, _ in fields], values)) for values in coordinates]
    return _layer("Point", rows, lambda row: QgsGeometry.fromPointXY(QgsPointXY(X0 + row["x"], Y0 + row["y"])),
                  fields)


def nearest_along(run, network):
    demand = points([(x, y, 1.0, "d{}".format(k)) for k, (x, y) in enumerate(DEMAND)],
                    [("x", QVariant.Double), ("y", QVariant.Double), ("kinder", QVariant.Double),
                     ("pid", QVariant.String)])
    services = points([(SERVICE[0], SERVICE[1], 10.0)], [("x", QVariant.Double), ("y", QVariant.Double),
                                                        ("plaetze", QVariant.Double)])
    square = _layer("MultiPolygon", [{"id": "Q"}], lambda row: QgsGeometry.fromRect(
        QgsRectangle(X0 - 100, Y0 - 100, X0 + 800, Y0 + 800)), [("id", QVariant.String)])
    result = run("servicecoverage", {
        "DISTRICTS": square, "ID_FIELD": "id", "SERVICES": services, "CAPACITY_FIELD": "plaetze", "DEMAND": demand,
        "DEMAND_FIELD": "kinder", "DISTANCE": "5000", "METHOD": "nearest", "NETWORK": network,
        "OUTPUT": "memory:", "OUTPUT_DEMAND": "memory:"})
    return {f["pid"]: f["dist_naechste"] for f in result["OUTPUT_DEMAND"].getFeatures()}


def qgis_shortest_path(network, start, end):
    """QGIS's own network analysis (the C++ graph builder behind native:shortestpathpointtopoint: lines split at
    every vertex, points within the topology tolerance merged, both points tied to the network) with planar
    lengths. native:shortestpathpointtopoint itself measures on the WGS84 ellipsoid (QGIS 3.22: 600.17 m for 600 m
    here), the plugin in the projected CRS."""
    director = QgsVectorLayerDirector(network, -1, "", "", "", QgsVectorLayerDirector.DirectionBoth)
    director.addStrategy(QgsNetworkDistanceStrategy())
    builder = QgsGraphBuilder(network.crs(), True, 0.1, "NONE")
    tied = director.makeGraph(builder, [QgsPointXY(X0 + start[0], Y0 + start[1]), QgsPointXY(X0 + end[0], Y0 + end[1])])
    graph = builder.graph()
    _, cost = QgsGraphAnalyzer.dijkstra(graph, graph.findVertex(tied[0]), 0)
    return cost[graph.findVertex(tied[1])]


def test_distances_on_an_unsplit_network_equal_qgis_shortest_paths(run):
    network = unsplit_network()
    ours = nearest_along(run, network)
    for k, start in enumerate(DEMAND):
        expected = qgis_shortest_path(network, start, SERVICE)
        assert ours["d{}".format(k)] == pytest.approx(expected, abs=1e-6), (start, ours["d{}".format(k)], expected)
    # hand-checked: (0, 0) to (400, 200) is 600 m along rows and columns; the bridge gives no short cut
    assert ours["d0"] == pytest.approx(600.0, abs=1e-9)
    # (350, 620) reaches the grid only through the vertex (300, 650) it shares in the middle of a line
    assert ours["d4"] == pytest.approx(math.hypot(50, 30) + 50 + 400 + 100, abs=1e-9)


def test_unsplit_and_split_networks_give_the_same_distances(run):
    """Split at its crossings by QGIS (no bridge here: splitting would join a bridge to what it crosses)."""
    import processing

    network = unsplit_network(bridge=False)
    split = processing.run("native:splitwithlines", {"INPUT": network, "LINES": network, "OUTPUT": "memory:"},
                           context=QgsProcessingContext(), feedback=QgsProcessingFeedback())["OUTPUT"]
    assert split.featureCount() > network.featureCount()
    a, b = nearest_along(run, network), nearest_along(run, split)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == pytest.approx(b[key], abs=1e-6), key


def test_catchments_on_unsplit_and_split_networks_are_the_same(run):
    import processing

    network = unsplit_network(bridge=False)
    split = processing.run("native:splitwithlines", {"INPUT": network, "LINES": network, "OUTPUT": "memory:"},
                           context=QgsProcessingContext(), feedback=QgsProcessingFeedback())["OUTPUT"]
    services = points([(SERVICE[0], SERVICE[1], "k1"), (0.0, 0.0, "k2")], [("x", QVariant.Double),
                                                                         ("y", QVariant.Double),
                                                                         ("name", QVariant.String)])
    demand = points([(x, y, 1.0) for x, y in DEMAND], [("x", QVariant.Double), ("y", QVariant.Double),
                                                     ("kinder", QVariant.Double)])

    def areas(net):
        result = run("catchments", {"SERVICES": services, "NAME_FIELD": "name", "DISTANCE": "250, 450",
                                    "NETWORK": net, "DEMAND": demand, "DEMAND_FIELD": "kinder", "OUTPUT": "memory:"})
        return {(f["einrichtung_name"], f["schwelle_m"]): (f.geometry().area(), f["bevoelkerung"])
                for f in result["OUTPUT"].getFeatures()}

    a, b = areas(network), areas(split)
    assert a.keys() == b.keys() and len(a) == 4
    for key in a:
        assert a[key][0] == pytest.approx(b[key][0], rel=1e-9), key
        assert a[key][1] == b[key][1], key
    assert a[("k2", 250.0)][0] > 0
