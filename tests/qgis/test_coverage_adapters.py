"""The adapters of the coverage analysis: radius join, nearest search, districts, network graph, CRS choice.

Checked against brute force (all pairs), hand-built graphs and published EPSG codes.
"""

import importlib

import numpy as np
import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry, QgsPointXY, QgsProject, QgsRectangle, QgsWkbTypes
from test_service_coverage import X0, Y0, grid_lines, line_layer, point_layer


@pytest.fixture(scope="module")
def adapters(plugin):
    """The plugin's own adapter modules (the ones its algorithms use)."""
    def load(name):
        return importlib.import_module("sozialraum_plugin.sozialraum.adapters." + name)
    return {name: load(name) for name in ("distances", "network_graph", "crs")}


def brute_force(ax, ay, bx, by):
    return np.hypot(ax[:, None] - bx[None, :], ay[:, None] - by[None, :])


@pytest.fixture(scope="module")
def nearest_points(plugin):
    """The nearest-target search the algorithms use (the plugin's core, beside its adapters)."""
    return importlib.import_module("sozialraum_plugin.sozialraum.core.radius").nearest_points


# -- straight lines --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_radius_join_equals_brute_force(adapters, seed):
    rng = np.random.default_rng(seed)
    n, s = int(rng.integers(1, 400)), int(rng.integers(1, 60))
    # a 10 m lattice: many pairs lie exactly on the radius, which must count (d <= r)
    ax, ay = rng.integers(0, 60, n) * 10.0 + X0, rng.integers(0, 60, n) * 10.0 + Y0
    bx, by = rng.integers(-5, 65, s) * 10.0 + X0, rng.integers(-5, 65, s) * 10.0 + Y0
    radius = float(rng.choice([10.0, 50.0, 130.0, 1000.0]))
    pair_a, pair_b, pair_d = adapters["distances"].euclidean_pairs(ax, ay, bx, by, radius)
    full = brute_force(ax, ay, bx, by)
    expected = set(zip(*np.nonzero(full <= radius)))
    assert set(zip(pair_a.tolist(), pair_b.tolist())) == expected
    assert len(pair_a) == len(expected)  # each pair once
    assert np.allclose(pair_d, full[pair_a, pair_b], rtol=0, atol=1e-9)


def test_radius_join_reports_progress_and_stops_on_cancel(adapters):
    # the adapter hands QGIS' feedback to the core's radius search as progress and cancel callbacks
    from qgis.core import QgsProcessingFeedback

    rng = np.random.default_rng(1)
    ax, ay, bx, by = (rng.uniform(0, 500, 3000), rng.uniform(0, 500, 3000), rng.uniform(0, 500, 20),
                      rng.uniform(0, 500, 20))
    feedback = QgsProcessingFeedback()
    seen = []
    feedback.progressChanged.connect(seen.append)
    assert adapters["distances"].euclidean_pairs(ax, ay, bx, by, 120.0, feedback, (10.0, 50.0)) is not None
    assert seen and all(10.0 <= p <= 50.0 for p in seen)
    feedback.cancel()
    assert adapters["distances"].euclidean_pairs(ax, ay, bx, by, 120.0, feedback, (10.0, 50.0)) is None


def test_radius_join_without_points(adapters):
    pairs = adapters["distances"].euclidean_pairs([], [], [1.0], [1.0], 10.0)
    assert all(len(p) == 0 for p in pairs)


def test_nearest_equals_brute_force_also_far_away_and_on_ties(nearest_points):
    rng = np.random.default_rng(4)
    tx, ty = rng.uniform(0, 1000, 50), rng.uniform(0, 1000, 50)
    # some queries far outside (they need the spatial-index fallback), one exactly between two targets
    qx = np.concatenate([rng.uniform(-500, 1500, 300), [-20000.0, 50000.0]])
    qy = np.concatenate([rng.uniform(-500, 1500, 300), [3000.0, -7000.0]])
    tx = np.append(tx, [5000.0, 5000.0])
    ty = np.append(ty, [0.0, 100.0])
    qx, qy = np.append(qx, 5000.0), np.append(qy, 50.0)  # 50 m from both targets 50 and 51
    index, distance = nearest_points(qx, qy, tx, ty)
    full = brute_force(qx, qy, tx, ty)
    assert np.allclose(distance, full.min(axis=1))
    assert (index == full.argmin(axis=1)).all()  # argmin: the smaller index on ties
    assert index[-1] == 50


def test_nearest_without_targets(nearest_points):
    index, distance = nearest_points([1.0, 2.0], [1.0, 2.0], [], [])
    assert index.tolist() == [-1, -1] and np.isinf(distance).all()


def test_points_are_read_in_the_working_crs(adapters, plugin):
    layer = point_layer([{"x": 10.0, "y": 20.0, "v": 1.0}, {"x": None, "y": None, "v": 2.0},
                         {"x": 30.0, "y": 40.0, "v": None}], crs="EPSG:4326", types={"v": float})
    points = adapters["distances"].read_points(layer, ["v"], QgsCoordinateReferenceSystem("EPSG:25832"),
                                               QgsProject.instance().transformContext())
    assert points.fid.tolist() == [1, 3] and points.no_geometry == [2]
    assert points.x - X0 == pytest.approx([10.0, 30.0], abs=1e-3)
    assert points.y - Y0 == pytest.approx([20.0, 40.0], abs=1e-3)
    assert points.values == {"v": [1.0, None]}


def test_points_on_a_shared_border_go_to_the_first_district_in_order(adapters):
    left = QgsGeometry.fromRect(QgsRectangle(0, 0, 100, 100))
    right = QgsGeometry.fromRect(QgsRectangle(100, 0, 200, 100))
    x, y = np.array([50.0, 100.0, 150.0, 300.0, 100.0]), np.array([50.0, 50.0, 50.0, 50.0, 100.0])
    assign = adapters["distances"].assign_districts
    assert assign(x, y, [left, right]).tolist() == [0, 0, 1, -1, 0]
    assert assign(x, y, [left, right], order=[1, 0]).tolist() == [0, 1, 1, -1, 1]


def geos_assignment(x, y, geometries, order):
    """The reference: the first district in ``order`` whose polygon GEOS says the point intersects."""
    codes = []
    for px, py in zip(x.tolist(), y.tolist()):
        point = QgsGeometry.fromPointXY(QgsPointXY(px, py))
        codes.append(next((k for k in order if geometries[k].intersects(point)), -1))
    return codes


def test_assignment_equals_geos_on_borders_vertices_and_holes(adapters, monkeypatch):
    """Irregular cells that share jittered vertices, one with a hole filled by a two-part district and one
    with a curved edge, a self-crossing ring (bow tie) and two parts of one district sharing an edge; points at
    random, exactly on vertices, on edges and a hair's breadth beside them. The counted crossings decide
    most points; GEOS those on and next to borders and all of the curved district's: not a single
    assignment may differ from GEOS alone."""
    distances = adapters["distances"]
    asked = []

    class Counted:  # GEOS' engine, counting the points asked about, by kind of geometry
        def __init__(self, geometry, made=distances._engine):
            self.kind, self.engine = geometry.wkbType(), made(geometry)

        def intersects(self, point):
            asked.append(self.kind)
            return self.engine.intersects(point)

    monkeypatch.setattr(distances, "_engine", Counted)
    rng = np.random.default_rng(3)
    corners = np.stack(np.meshgrid(np.arange(4.0), np.arange(4.0), indexing="ij"), axis=-1) * 100.0
    corners += rng.uniform(-20, 20, corners.shape)
    cells, rings = [], []
    for i in range(3):
        for j in range(3):
            ring = [corners[i, j], corners[i + 1, j], corners[i + 1, j + 1], corners[i, j + 1], corners[i, j]]
            rings.append(ring)
            cells.append([[QgsPointXY(*p) for p in ring]])
    centre = corners[1:3, 1:3].reshape(-1, 2).mean(axis=0)
    hole = [centre + d for d in ((-20, -20), (20, -20), (20, 20), (-20, 20), (-20, -20))]
    cells[4].append([QgsPointXY(*p) for p in hole])
    geometries = [QgsGeometry.fromPolygonXY(cell) for cell in cells]
    half = [hole[0], (centre[0], hole[0][1]), (centre[0], hole[2][1]), hole[3], hole[0]]
    other = [(centre[0], hole[0][1]), hole[1], hole[2], (centre[0], hole[2][1]), (centre[0], hole[0][1])]
    geometries.append(QgsGeometry.fromMultiPolygonXY([[[QgsPointXY(*p) for p in half]],
                                                      [[QgsPointXY(*p) for p in other]]]))
    curved = QgsGeometry.fromWkt("CURVEPOLYGON(COMPOUNDCURVE(CIRCULARSTRING(400 0, 450 50, 400 100), (400 100, 400 0)))")
    geometries.append(curved)
    geometries.append(QgsGeometry.fromWkt("POLYGON((500 0, 600 100, 600 0, 500 100, 500 0))"))  # bow tie
    geometries.append(QgsGeometry.fromWkt("MULTIPOLYGON(((500 150, 580 150, 580 230, 500 230, 500 150)),"
                                          "((580 190, 620 190, 620 270, 580 270, 580 190)))"))  # parts touch
    points = [rng.uniform(-50, 460, (3000, 2)), rng.uniform([480, -20], [640, 280], (1500, 2))]
    vertices = np.concatenate([np.asarray(ring[:-1]) for ring in rings] + [np.asarray(hole[:-1])])
    points.append(vertices)
    starts = np.concatenate([np.asarray(ring[:-1]) for ring in rings])
    ends = np.concatenate([np.asarray(ring[1:]) for ring in rings])
    t = rng.uniform(0, 1, (starts.shape[0], 5, 1))
    on_edges = (starts[:, None] + t * (ends - starts)[:, None]).reshape(-1, 2)
    points += [on_edges, on_edges + 1e-9, on_edges - 1e-9, np.array([[400.0, 50.0], [450.0, 50.0], [425.0, 50.0]])]
    xy = np.concatenate(points)
    x, y = xy[:, 0], xy[:, 1]
    assign = adapters["distances"].assign_districts
    for order in (list(range(len(geometries))), list(reversed(range(len(geometries))))):
        codes = assign(x, y, geometries, order=order).tolist()
        assert codes == geos_assignment(x, y, geometries, order)
    assert {-1, 9, 10, 11, 12} <= set(codes)  # outside, two parts, curved, bow tie, touching parts
    # GEOS was asked about the curved district's points, and about the others' only at their borders
    assert QgsWkbTypes.CurvePolygon in asked
    assert len(asked) < 0.25 * 2 * x.size  # two orders


# -- network ----------------------------------------------------------------------------------------


def test_network_nodes_merge_line_ends_to_the_centimetre(adapters):
    # an L-shaped path (one edge of 200 m), a path whose end is 4 mm off its corner, a path from its start
    lines = [[(0, 0), (100, 0), (100, 100)], [(100.004, 100.0), (200, 100)], [(0, 0), (0, 50)]]
    layer = line_layer(lines)
    network = adapters["network_graph"].read_network(layer, layer.crs(), QgsProject.instance().transformContext())
    graph = network.graph
    assert graph.n_nodes == 4 and graph.n_edges == 3 and network.n_lines == 3
    nodes = sorted(zip((network.node_x - X0).round(2).tolist(), (network.node_y - Y0).round(2).tolist()))
    assert nodes == [(0.0, 0.0), (0.0, 50.0), (100.0, 100.0), (200.0, 100.0)]
    assert sorted(graph.length.tolist()) == pytest.approx(sorted([200.0, 200.0, 99.996, 99.996, 50.0, 50.0]))


def test_multiline_parts_are_edges(adapters):
    layer = line_layer([[(0, 0), (10, 0)]])
    multi = QgsGeometry.fromMultiPolylineXY([[QgsPointXY(X0, Y0), QgsPointXY(X0 + 10, Y0)],
                                             [QgsPointXY(X0 + 10, Y0), QgsPointXY(X0 + 10, Y0 + 30)]])
    layer.dataProvider().changeGeometryValues({1: multi})
    network = adapters["network_graph"].read_network(layer, layer.crs(), QgsProject.instance().transformContext())
    assert network.graph.n_nodes == 3 and network.graph.n_edges == 2


def test_snapping_and_components_report(adapters):
    graph_module = adapters["network_graph"]
    layer = line_layer(grid_lines(3) + grid_lines(2, x0=1000.0, y0=0.0))  # 9 + 4 nodes in two parts
    network = graph_module.read_network(layer, layer.crs(), QgsProject.instance().transformContext())
    points = graph_module.snap_to_edges(network, np.array([X0 + 103.0, X0 + 1090.0]),
                                        np.array([Y0 + 4.0, Y0 + 100.0]))
    # (103, 4) is 3 m from the path (100, 0)-(100, 100) (4 m from (100, 0)-(200, 0)): foot (100, 4), 4 m along it,
    # so node (100, 0) after 3 + 4 and node (100, 100) after 3 + 96 (its nearest NODE would be 5 m away).
    # (1090, 100) lies on the path (1000, 100)-(1100, 100), 90 m along it.
    assert points.snap == pytest.approx([3.0, 0.0])
    assert points.along == pytest.approx([4.0, 90.0])
    assert points.cost == pytest.approx(np.array([[7.0, 99.0], [90.0, 10.0]]))
    ends = [[(network.node_x[u] - X0, network.node_y[u] - Y0) for u in row] for row in points.node.tolist()]
    assert ends == [[pytest.approx((100.0, 0.0)), pytest.approx((100.0, 100.0))],
                    [pytest.approx((1000.0, 100.0)), pytest.approx((1100.0, 100.0))]]
    edge = points.edge[0]
    assert network.edge_length[edge] == pytest.approx(100.0)
    assert (network.edge_start[edge], network.edge_end[edge]) == tuple(points.node[0])
    node = points.node[:, 0]
    report = graph_module.components_report(network.graph, node, np.array([30.0, 10.0]), node[:1])
    assert report.n_components == 2
    assert report.main_share == pytest.approx(9 / 13)
    assert report.demand_off_main == pytest.approx(0.25)
    assert report.services_off_main == 0
    assert report.demand_without_service == pytest.approx(0.25)
    message = graph_module.components_message(report)
    assert "2" in message and "25.0" in message
    assert graph_module.components_message(report._replace(n_components=1)) is None


def test_snapping_along_a_bent_line_and_far_away(adapters):
    graph_module = adapters["network_graph"]
    # one path of 300 m bent twice: (0, 0) -> (100, 0) -> (100, 100) -> (200, 100)
    layer = line_layer([[(0, 0), (100, 0), (100, 100), (200, 100)]])
    network = graph_module.read_network(layer, layer.crs(), QgsProject.instance().transformContext())
    x = np.array([50.0, 103.0, 150.0, -3000.0]) + X0
    y = np.array([-3.0, 40.0, 90.0, 0.0]) + Y0
    points = graph_module.snap_to_edges(network, x, y)
    # feet: (50, 0) 50 m along; (100, 40): 100 + 40; (150, 100): 100 + 100 + 50; the point 3 km away (beyond
    # every grid radius: the exact QGIS index answers) at the start (0, 0)
    assert points.snap == pytest.approx([3.0, 3.0, 10.0, 3000.0])
    assert points.along == pytest.approx([50.0, 140.0, 250.0, 0.0])
    assert points.cost == pytest.approx(np.array([[53.0, 253.0], [143.0, 163.0], [260.0, 60.0], [3000.0, 3300.0]]))


def test_grid_search_finds_the_same_edges_as_the_exact_qgis_index(adapters, monkeypatch):
    graph_module = adapters["network_graph"]
    rng = np.random.default_rng(11)
    # a jittered 8 x 8 grid of paths with a bend in the middle of each, 150 m apart
    nodes = {(i, j): (150.0 * i + rng.uniform(-30, 30), 150.0 * j + rng.uniform(-30, 30))
             for i in range(8) for j in range(8)}
    lines = []
    for (i, j), (ax, ay) in nodes.items():
        for other in ((i + 1, j), (i, j + 1)):
            if other in nodes:
                bx, by = nodes[other]
                bend = ((ax + bx) / 2 + rng.uniform(-20, 20), (ay + by) / 2 + rng.uniform(-20, 20))
                lines.append([(ax, ay), bend, (bx, by)])
    layer = line_layer(lines)
    network = graph_module.read_network(layer, layer.crs(), QgsProject.instance().transformContext())
    x, y = rng.uniform(-400, 1500, 600) + X0, rng.uniform(-400, 1500, 600) + Y0
    x[:5], y[:5] = x[:5] + 4000.0, y[:5] - 3000.0  # far away: beyond the grid search
    grid = graph_module.snap_to_edges(network, x, y)
    monkeypatch.setattr(graph_module, "SNAP_RADII", ())  # every point through the QGIS index
    exact = graph_module.snap_to_edges(network, x, y)
    # the same foot points (where the nearest point is a node shared by two lines, on either of them)
    def feet(points):
        return np.array([[p.x(), p.y()] for p in (network.lines[e].interpolate(t).asPoint()
                                                   for e, t in zip(points.edge.tolist(), points.along.tolist()))])

    np.testing.assert_allclose(feet(grid), feet(exact), atol=1e-6)
    np.testing.assert_allclose(grid.snap, exact.snap, atol=1e-6)
    same = grid.edge == exact.edge
    assert same.mean() > 0.9
    np.testing.assert_allclose(grid.along[same], exact.along[same], atol=1e-6)
    # and no line is nearer than the snapping distance (GEOS distance to every line)
    for k in range(0, 600, 37):
        point = QgsGeometry.fromPointXY(QgsPointXY(x[k], y[k]))
        assert min(line.distance(point) for line in network.lines) == pytest.approx(grid.snap[k], abs=1e-6)


def test_empty_network_is_refused(adapters):
    layer = line_layer([[(0, 0), (10, 0)]])
    layer.dataProvider().changeGeometryValues({1: QgsGeometry()})
    with pytest.raises(ValueError, match="keine Linien|no lines"):  # InputError is a ValueError
        adapters["network_graph"].read_network(layer, layer.crs(), QgsProject.instance().transformContext())


# -- coordinate systems ---------------------------------------------------------------------------


@pytest.mark.parametrize("lon,lat,epsg", [
    (13.40, 52.52, 25833),   # Berlin: ETRS89 / UTM 33N
    (6.96, 50.94, 25832),    # Cologne: ETRS89 / UTM 32N
    (11.99, 48.14, 25832),   # just west of 12° E
    (-74.0, 40.7, 32618),    # New York: WGS 84 / UTM 18N
    (151.2, -33.9, 32756),   # Sydney: WGS 84 / UTM 56S
    (2.35, 48.86, 32631),    # Paris: outside the German box
])
def test_metric_crs_for_a_centre(adapters, lon, lat, epsg):
    assert adapters["crs"].metric_epsg(lon, lat) == epsg


def test_working_crs(adapters):
    crs = adapters["crs"]
    context = QgsProject.instance().transformContext()
    metric = QgsCoordinateReferenceSystem("EPSG:25832")
    assert crs.working_crs(metric, QgsRectangle(0, 0, 1, 1), context) == (metric, None)
    target, message = crs.working_crs(QgsCoordinateReferenceSystem("EPSG:4326"),
                                      QgsRectangle(13.3, 52.4, 13.5, 52.6), context)
    assert target.authid() == "EPSG:25833" and "EPSG:4326" in message and "EPSG:25833" in message
    # a projected CRS in US feet is not metric either (New York Long Island, EPSG:2263)
    target, message = crs.working_crs(QgsCoordinateReferenceSystem("EPSG:2263"),
                                      QgsRectangle(980000, 190000, 990000, 200000), context)
    assert target.authid() == "EPSG:32618" and message
    with pytest.raises(ValueError):
        crs.working_crs(QgsCoordinateReferenceSystem(), QgsRectangle(0, 0, 1, 1), context)


def test_reprojection_note(adapters):
    note = adapters["crs"].reprojection_note
    metric = QgsCoordinateReferenceSystem("EPSG:25832")
    assert note("Kitas", metric, metric) is None
    assert "EPSG:4326" in note("Kitas", QgsCoordinateReferenceSystem("EPSG:4326"), metric)
    assert "EPSG:25832" in note("Kitas", QgsCoordinateReferenceSystem(), metric)
