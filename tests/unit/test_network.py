"""Shortest paths along a network: hand-drawn graphs, a brute-force reference, geometry bounds."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sozialraum.core.errors import InputError
from sozialraum.core.network import (
    Graph,
    bounded_dijkstra,
    connected_components,
    edge_attachments,
    iter_network_pairs,
    nearest_service,
    nearest_source,
    network_pairs,
    node_attachments,
)

INF = math.inf

# Hand-drawn graph (lengths on the edges), node 5 isolated:
#
#   0 --1-- 1 --2-- 2
#   |               |
#   5 (long way)    1
#   |               |
#   +------------- 3 --5-- 4          5
#
# from 0: d(1) = 1, d(2) = 3, d(3) = min(5, 3 + 1) = 4, d(4) = 9, d(5) = inf
HAND = dict(n_nodes=6, from_node=[0, 1, 0, 2, 3], to_node=[1, 2, 3, 3, 4], length=[1.0, 2.0, 5.0, 1.0, 5.0])
HAND_FROM_0 = {0: 0.0, 1: 1.0, 2: 3.0, 3: 4.0, 4: 9.0}


def hand_graph():
    return Graph.from_edges(**HAND)


def floyd_warshall(n, frm, to, length):
    """Independent all-pairs reference (numpy Floyd-Warshall on a dense matrix)."""
    dist = np.full((n, n), np.inf)
    np.fill_diagonal(dist, 0.0)
    for a, b, w in zip(frm, to, length):
        dist[a, b] = min(dist[a, b], w)
        dist[b, a] = min(dist[b, a], w)
    for k in range(n):
        dist = np.minimum(dist, dist[:, k, None] + dist[None, k, :])
    return dist


def jittered_grid(seed, side=6, keep=0.8):
    """Random planar graph: jittered grid nodes, grid edges kept with prob. ``keep``, one diagonal
    in some cells (never both, so no edges cross); lengths are the Euclidean lengths."""
    rng = np.random.default_rng(seed)
    ids = np.arange(side * side).reshape(side, side)
    gx, gy = np.meshgrid(np.arange(side, dtype=float), np.arange(side, dtype=float))
    xy = np.column_stack([gx.ravel(), gy.ravel()]) * 100.0 + rng.uniform(-30, 30, (side * side, 2))
    frm = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    to = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    cells = ids[:-1, :-1].ravel()
    diag = rng.random(cells.size) < 0.3
    frm = np.concatenate([frm, cells[diag]])
    to = np.concatenate([to, cells[diag] + side + 1])
    kept = rng.random(frm.size) < keep
    frm, to = frm[kept], to[kept]
    length = np.hypot(*(xy[frm] - xy[to]).T)
    return xy, frm, to, length


# --- hand-drawn cases ---------------------------------------------------------------------------


def test_bounded_dijkstra_hand_graph_all_nodes():
    (k, nodes, dist), = list(bounded_dijkstra(hand_graph(), [0], 100.0))
    assert k == 0
    assert dict(zip(nodes.tolist(), dist.tolist())) == HAND_FROM_0
    assert nodes[0] == 0 and dist[0] == 0.0


def test_bounded_dijkstra_cutoff_is_inclusive():
    (_, nodes, dist), = list(bounded_dijkstra(hand_graph(), [0], 4.0))
    assert dict(zip(nodes.tolist(), dist.tolist())) == {0: 0.0, 1: 1.0, 2: 3.0, 3: 4.0}
    (_, nodes, _), = list(bounded_dijkstra(hand_graph(), [0], 3.999))
    assert sorted(nodes.tolist()) == [0, 1, 2]


def test_bounded_dijkstra_several_sources_are_independent():
    results = {k: dict(zip(n.tolist(), d.tolist())) for k, n, d in bounded_dijkstra(hand_graph(), [4, 0, 5], 5.0)}
    assert results[0] == {4: 0.0, 3: 5.0}
    assert results[1] == {0: 0.0, 1: 1.0, 2: 3.0, 3: 4.0}
    assert results[2] == {5: 0.0}


def test_parallel_edges_take_the_shorter_and_self_loops_are_ignored():
    graph = Graph.from_edges(3, [0, 0, 1, 2], [1, 1, 1, 1], [4.0, 1.5, 0.0, 2.0])
    assert graph.n_edges == 3
    (_, nodes, dist), = list(bounded_dijkstra(graph, [0], 10.0))
    assert dict(zip(nodes.tolist(), dist.tolist())) == {0: 0.0, 1: 1.5, 2: 3.5}


def test_nearest_source_with_offsets():
    dist, nearest = nearest_source(hand_graph(), [0, 4])
    assert dist.tolist() == [0.0, 1.0, 3.0, 4.0, 0.0, INF]
    assert nearest.tolist() == [0, 0, 0, 0, 1, -1]
    # a service 10 m off the network at node 4: node 4 is nearer to source 0 (9 < 10)
    dist, nearest = nearest_source(hand_graph(), [0, 4], source_offset=[0.0, 10.0])
    assert dist.tolist() == [0.0, 1.0, 3.0, 4.0, 9.0, INF]
    assert nearest.tolist() == [0, 0, 0, 0, 0, -1]


def test_nearest_source_cutoff_and_shared_node():
    dist, nearest = nearest_source(hand_graph(), [2, 2], cutoff=2.0, source_offset=[1.0, 0.5])
    # both sources sit at node 2; the one with the smaller offset wins
    assert dist.tolist() == [INF, INF, 0.5, 1.5, INF, INF]
    assert nearest.tolist() == [-1, -1, 1, 1, -1, -1]


def test_connected_components_hand_graph():
    graph = Graph.from_edges(7, [0, 2, 4, 5], [1, 3, 6, 6], [1.0, 1.0, 1.0, 1.0])
    labels = connected_components(graph)
    assert labels.tolist() == [0, 0, 1, 1, 2, 2, 2]
    assert np.bincount(labels).tolist() == [2, 2, 3]
    assert connected_components(hand_graph()).tolist() == [0, 0, 0, 0, 0, 1]


def test_connected_components_long_path_needs_no_recursion():
    n = 50_000
    graph = Graph.from_edges(n, np.arange(n - 1), np.arange(1, n), np.ones(n - 1))
    assert set(connected_components(graph).tolist()) == {0}


def test_network_pairs_add_snapping_distances():
    graph = hand_graph()
    # demand points at nodes 0, 3, 5 (isolated) and one not snapped; services at nodes 2 and 4
    demand_node, demand_snap = [0, 3, 5, -1], [10.0, 2.0, 1.0, 0.0]
    service_node, service_snap = [2, 4], [0.5, 3.0]
    demand, service = node_attachments(demand_node, demand_snap), node_attachments(service_node, service_snap)
    pair_i, pair_j, pair_d = network_pairs(graph, demand, service, 13.5)
    found = {(i, j): d for i, j, d in zip(pair_i.tolist(), pair_j.tolist(), pair_d.tolist())}
    assert found == {
        (0, 0): 10.0 + 3.0 + 0.5,  # exactly the cut-off: counts
        (1, 0): 2.0 + 1.0 + 0.5,
        (1, 1): 2.0 + 5.0 + 3.0,
    }  # (0, 1) = 10 + 9 + 3 = 22 is too far
    pair_i, _, _ = network_pairs(graph, demand, service, 13.49)
    assert sorted(pair_i.tolist()) == [1, 1]


def test_nearest_service_hand_graph():
    graph = hand_graph()
    service = node_attachments([2, 4], [0.5, 3.0])
    dist, nearest = nearest_service(graph, node_attachments([0, 3, 5, -1], [10.0, 2.0, 1.0, 0.0]), service)
    assert dist.tolist() == [13.5, 3.5, INF, INF]
    assert nearest.tolist() == [0, 0, -1, -1]
    dist, nearest = nearest_service(graph, node_attachments([4], [1.0]), service)
    assert dist.tolist() == [4.0] and nearest.tolist() == [1]  # 1 + 0 + 3 < 1 + 5 + 0.5


def test_services_not_snapped_give_no_pairs():
    pair_i, pair_j, pair_d = network_pairs(hand_graph(), node_attachments([0]), node_attachments([-1]), 10.0)
    assert pair_i.size == pair_j.size == pair_d.size == 0
    dist, nearest = nearest_service(hand_graph(), node_attachments([0]), node_attachments([-1]))
    assert dist.tolist() == [INF] and nearest.tolist() == [-1]


# --- points on edges -----------------------------------------------------------------------------

# A long street and a side street (coordinates in metres):
#
#   node 0 (0, 0) ---- edge 0, 1000 m ---- node 1 (1000, 0)
#                                            |  edge 1, 500 m
#                                          node 2 (1000, 500)
#
# demand point p (400, 30): foot (400, 0) on edge 0, t = 400, s = 30
# service A (1000, 300): on edge 1, t = 300, s = 0;  service B (700, -20): foot (700, 0) on edge 0, t = 700, s = 20
STREET = dict(edge_start=[0, 1], edge_end=[1, 2], edge_length=[1000.0, 500.0])


def street():
    return Graph.from_edges(3, STREET["edge_start"], STREET["edge_end"], STREET["edge_length"])


def test_edge_attachments_by_hand():
    points = edge_attachments([0, 1, 0, -1], [400.0, 300.0, 1200.0, 0.0], [30.0, 0.0, 5.0, 0.0], **STREET)
    # p: node 0 after 30 + 400, node 1 after 30 + (1000 - 400); A: node 1 after 300, node 2 after 200;
    # a foot beyond the end of the edge is clipped to it (t = 1000); edge -1: not snapped
    assert points.node.tolist() == [[0, 1], [1, 2], [0, 1], [-1, -1]]
    assert points.cost[:3].tolist() == [[430.0, 630.0], [300.0, 200.0], [1005.0, 5.0]]
    assert points.along.tolist() == [400.0, 300.0, 1000.0, 0.0]
    assert points.snap.tolist() == [30.0, 0.0, 5.0, 0.0]
    assert points.edge.tolist() == [0, 1, 0, -1]


def test_point_in_the_middle_of_a_long_edge_walks_s_plus_t():
    demand = edge_attachments([0], [400.0], [30.0], **STREET)
    service_a = edge_attachments([1], [300.0], [0.0], **STREET)
    # to node 1: 30 + 600, then 300 along edge 1: 930 (the way round by node 0 is 430 + 1000 + 300 = 1730;
    # snapped to its nearest NODE, p would have walked sqrt(400^2 + 30^2) = 401.1 to node 0 and 1701.1 in all)
    dist, nearest = nearest_service(street(), demand, service_a)
    assert dist.tolist() == [930.0] and nearest.tolist() == [0]
    pair_i, pair_j, pair_d = network_pairs(street(), demand, service_a, 930.0)  # inclusive
    assert (pair_i.tolist(), pair_j.tolist(), pair_d.tolist()) == ([0], [0], [930.0])
    assert network_pairs(street(), demand, service_a, 929.99)[0].size == 0
    (_, nodes, dist), = list(bounded_dijkstra(street(), demand.node, 700.0, demand.cost))
    assert dict(zip(nodes.tolist(), dist.tolist())) == {0: 430.0, 1: 630.0}


def test_two_points_on_the_same_edge_use_the_direct_distance():
    demand = edge_attachments([0], [400.0], [30.0], **STREET)
    services = edge_attachments([1, 0], [300.0, 700.0], [0.0, 20.0], **STREET)
    # p to B along edge 0: 30 + |400 - 700| + 20 = 350; by node 1: 630 + 320 = 950, by node 0: 430 + 720 = 1150
    dist, nearest = nearest_service(street(), demand, services)
    assert dist.tolist() == [350.0] and nearest.tolist() == [1]
    found = network_pairs(street(), demand, services, 1000.0)
    assert sorted(zip(found[1].tolist(), found[2].tolist())) == [(0, 930.0), (1, 350.0)]
    found = network_pairs(street(), demand, services, 350.0)
    assert (found[1].tolist(), found[2].tolist()) == ([1], [350.0])
    # a cut-off below every attachment cost still finds the direct way (no Dijkstra is needed for it)
    close = edge_attachments([0], [690.0], [0.0], **STREET)
    found = network_pairs(street(), close, services, 40.0)
    assert (found[1].tolist(), found[2].tolist()) == ([1], [30.0])  # 0 + 10 + 20


def test_same_edge_round_by_the_nodes_when_that_is_shorter():
    # a winding path of 100 m between nodes 0 and 1 and a bridge of 1 m: points 2 m from either end of the
    # path are 96 m apart along it, but 2 + 1 + 2 = 5 m apart over the bridge
    graph = Graph.from_edges(2, [0, 0], [1, 1], [100.0, 1.0])
    ends = dict(edge_start=[0, 0], edge_end=[1, 1], edge_length=[100.0, 1.0])
    demand, service = edge_attachments([0], [2.0], [0.0], **ends), edge_attachments([0], [98.0], [0.0], **ends)
    assert nearest_service(graph, demand, service)[0].tolist() == [5.0]
    assert network_pairs(graph, demand, service, 10.0)[2].tolist() == [5.0]
    # a loop path of 100 m (its start is its end, node 0): t = 5 and t = 95 are 5 + 5 apart by the node
    loop = dict(edge_start=[0, 0], edge_end=[0, 1], edge_length=[100.0, 10.0])
    graph = Graph.from_edges(2, [0, 0], [0, 1], [100.0, 10.0])  # the self-loop is dropped from the graph
    demand, service = edge_attachments([0], [5.0], [1.0], **loop), edge_attachments([0], [95.0], [2.0], **loop)
    assert demand.node.tolist() == [[0, -1]] and demand.cost[0, 0] == 6.0
    assert nearest_service(graph, demand, service)[0].tolist() == [1.0 + 10.0 + 2.0]
    assert network_pairs(graph, demand, service, 13.0)[2].tolist() == [13.0]


def test_several_services_at_one_spot_share_a_search_and_keep_their_own_distance():
    services = edge_attachments([1, 1, 0], [300.0, 300.0, 700.0], [0.0, 8.0, 20.0], **STREET)
    demand = edge_attachments([0, 1], [400.0, 0.0], [30.0, 3.0], **STREET)
    searches = list(iter_network_pairs(street(), demand, services, 2000.0))
    assert [total for _, total, _, _, _ in searches] == [2, 2]  # A and A' (8 m off) share one search
    found = {(i, j): d for _, _, pi, pj, pd in searches for i, j, d in zip(pi.tolist(), pj.tolist(), pd.tolist())}
    # point 1 sits on node 1 (3 m off): to A 3 + 300, to A' 3 + 300 + 8, to B 3 + 300 + 20 along edge 0
    assert found == {(0, 0): 930.0, (0, 1): 938.0, (0, 2): 350.0, (1, 0): 303.0, (1, 1): 311.0, (1, 2): 323.0}


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [[1.0, -2.0], [1.0, float("nan")], [1.0, float("inf")], ["1", "x"]])
def test_bad_edge_lengths_raise_input_error(length):
    with pytest.raises(InputError) as err:
        Graph.from_edges(3, [0, 1], [1, 2], length)
    assert err.value.de and err.value.en


def test_empty_network_and_bad_cutoff_raise_input_error():
    with pytest.raises(InputError):
        Graph.from_edges(0, [], [], [])
    for cutoff in (0, -5, float("nan"), "x", float("inf")):
        with pytest.raises(InputError):
            list(bounded_dijkstra(hand_graph(), [0], cutoff))
    with pytest.raises(InputError):
        node_attachments([0], [-1.0])


def test_node_ids_out_of_range_are_refused():
    with pytest.raises(ValueError):
        Graph.from_edges(3, [0, 3], [1, 2], [1.0, 1.0])
    with pytest.raises(ValueError):
        list(bounded_dijkstra(hand_graph(), [6], 1.0))


# --- properties on random planar graphs ---------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cutoff=st.floats(50.0, 800.0))
def test_matches_floyd_warshall_and_never_beats_the_straight_line(seed, cutoff):
    xy, frm, to, length = jittered_grid(seed)
    n = len(xy)
    graph = Graph.from_edges(n, frm, to, length)
    reference = floyd_warshall(n, frm, to, length)
    sources = np.random.default_rng(seed).integers(0, n, 5)
    for k, nodes, dist in bounded_dijkstra(graph, sources, cutoff):
        expected = np.flatnonzero(reference[sources[k]] <= cutoff)
        assert sorted(nodes.tolist()) == expected.tolist()
        np.testing.assert_allclose(dist, reference[sources[k], nodes], rtol=1e-12)
        straight = np.hypot(*(xy[nodes] - xy[sources[k]]).T)
        assert np.all(dist >= straight - 1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_nearest_source_and_components_match_reference(seed):
    xy, frm, to, length = jittered_grid(seed, keep=0.55)
    n = len(xy)
    graph = Graph.from_edges(n, frm, to, length)
    reference = floyd_warshall(n, frm, to, length)
    rng = np.random.default_rng(seed)
    sources = rng.integers(0, n, 4)
    offsets = rng.uniform(0, 50, 4)
    dist, nearest = nearest_source(graph, sources, source_offset=offsets)
    via = offsets[:, None] + reference[sources]
    np.testing.assert_allclose(dist, via.min(axis=0), rtol=1e-12)
    found = nearest >= 0
    assert np.array_equal(found, np.isfinite(via.min(axis=0)))
    np.testing.assert_allclose(via[nearest[found], np.flatnonzero(found)], dist[found], rtol=1e-12)
    # components: same label exactly when connected
    labels = connected_components(graph)
    assert np.array_equal(labels[:, None] == labels[None, :], np.isfinite(reference))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cutoff=st.floats(100.0, 600.0))
def test_network_pairs_match_brute_force(seed, cutoff):
    xy, frm, to, length = jittered_grid(seed, keep=0.7)
    n = len(xy)
    graph = Graph.from_edges(n, frm, to, length)
    reference = floyd_warshall(n, frm, to, length)
    rng = np.random.default_rng(seed)
    demand_node = rng.integers(-1, n, 15)
    demand_snap = rng.uniform(0, 40, 15)
    service_node = rng.integers(0, n, 4)
    service_node[-1] = service_node[0]  # two services at one node share a search
    service_snap = rng.uniform(0, 40, 4)
    demand, service = node_attachments(demand_node, demand_snap), node_attachments(service_node, service_snap)
    pair_i, pair_j, pair_d = network_pairs(graph, demand, service, cutoff)
    found = {(i, j): d for i, j, d in zip(pair_i.tolist(), pair_j.tolist(), pair_d.tolist())}
    assert len(found) == pair_i.size  # no duplicate pairs
    expected = {}
    for i, u in enumerate(demand_node):
        for j, v in enumerate(service_node):
            d = demand_snap[i] + reference[u, v] + service_snap[j]
            if u >= 0 and d <= cutoff:
                expected[(i, j)] = d
    assert found.keys() == expected.keys()
    for key, d in expected.items():
        assert found[key] == pytest.approx(d, rel=1e-12)
    # the nearest service found by the multi-source search is the nearest of all pairs
    dist, _ = nearest_service(graph, demand, service, cutoff)
    for i in range(len(demand_node)):
        within = [d for (a, _), d in expected.items() if a == i]
        assert dist[i] == pytest.approx(min(within), rel=1e-12) if within else dist[i] == INF


def snap_by_brute_force(points, xy, frm, to):
    """Nearest point of the nearest straight edge for every point: ``(edge, t, s)`` (first edge on ties)."""
    a, b = xy[frm], xy[to]
    ab = b - a
    rel = points[:, None, :] - a[None, :, :]
    tau = np.clip((rel * ab).sum(axis=2) / (ab * ab).sum(axis=1), 0.0, 1.0)
    foot = a[None, :, :] + tau[:, :, None] * ab[None, :, :]
    dist = np.hypot(*(points[:, None, :] - foot).transpose(2, 0, 1))
    edge = np.argmin(dist, axis=1)
    rows = np.arange(len(points))
    return edge, tau[rows, edge] * np.hypot(*ab[edge].T), dist[rows, edge]


def split_graph_reference(n, frm, to, length, edge, along, snap):
    """All-pairs distances of the graph with every point inserted: its foot splits its edge, and the
    point hangs on the foot by a link of length ``snap``. Point ``q`` is node ``n + len(edge) + q``."""
    q_count = len(edge)
    nodes_frm, nodes_to, lengths = [], [], []
    for e, (u, v, total) in enumerate(zip(frm, to, length)):
        on = sorted((along[q], n + q) for q in np.flatnonzero(edge == e))
        chain = [(0.0, u)] + on + [(total, v)]
        for (t0, a), (t1, b) in zip(chain[:-1], chain[1:]):
            nodes_frm.append(a)
            nodes_to.append(b)
            lengths.append(t1 - t0)
    for q in range(q_count):
        nodes_frm.append(n + q)
        nodes_to.append(n + q_count + q)
        lengths.append(snap[q])
    full = floyd_warshall(n + 2 * q_count, nodes_frm, nodes_to, lengths)
    return full[n + q_count:, n + q_count:]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cutoff=st.floats(60.0, 600.0))
def test_edge_snapping_matches_the_split_graph_and_never_beats_the_straight_line(seed, cutoff):
    xy, frm, to, length = jittered_grid(seed, keep=0.7)
    n = len(xy)
    graph = Graph.from_edges(n, frm, to, length)
    rng = np.random.default_rng(seed)
    demand_xy = rng.uniform(-50, 550, (14, 2))
    service_xy = rng.uniform(-50, 550, (4, 2))
    service_xy[-1] = service_xy[0] + [3.0, 0.0]  # two services close together, often on one edge
    # a demand point on the same edge as a service, half-way between it and the edge's end
    edge, along, snap = snap_by_brute_force(np.vstack([demand_xy, service_xy]), xy, frm, to)
    e = edge[14]
    along[0], snap[0], edge[0] = 0.5 * (along[14] + length[e]), 0.0, e
    demand_xy[0] = xy[frm[e]] + (xy[to[e]] - xy[frm[e]]) * along[0] / length[e]
    ends = dict(edge_start=frm, edge_end=to, edge_length=length)
    demand = edge_attachments(edge[:14], along[:14], snap[:14], **ends)
    service = edge_attachments(edge[14:], along[14:], snap[14:], **ends)
    reference = split_graph_reference(n, frm, to, length, edge, along, snap)[:14, 14:]

    pair_i, pair_j, pair_d = network_pairs(graph, demand, service, cutoff)
    found = {(i, j): d for i, j, d in zip(pair_i.tolist(), pair_j.tolist(), pair_d.tolist())}
    assert len(found) == pair_i.size  # no duplicate pairs
    near_limit = np.abs(reference - cutoff) < 1e-6  # rounding may put these on either side
    expected = {(i, j) for i, j in zip(*np.nonzero(reference <= cutoff))}
    assert {k for k in found if not near_limit[k]} == {k for k in expected if not near_limit[k]}
    for (i, j), d in found.items():
        assert d == pytest.approx(reference[i, j], rel=1e-9)
        assert d >= math.hypot(*(demand_xy[i] - service_xy[j])) - 1e-9  # never shorter than the straight line
    dist, nearest = nearest_service(graph, demand, service)
    np.testing.assert_allclose(dist, reference.min(axis=1), rtol=1e-9)
    reachable = np.isfinite(dist)
    np.testing.assert_allclose(reference[np.flatnonzero(reachable), nearest[reachable]], dist[reachable], rtol=1e-9)
    assert np.all(nearest[~reachable] == -1)
    straight = np.hypot(*(demand_xy[:, None, :] - service_xy[None, :, :]).transpose(2, 0, 1)).min(axis=1)
    assert np.all(dist >= straight - 1e-9)


def test_lines_crossing_at_a_shared_middle_vertex_are_joined_there():
    from sozialraum.core.network import node_lines

    # A runs west-east and B south-north through the shared vertex (0, 0); C crosses A at (50, 0)
    # without a vertex there (a bridge): it stays apart.
    x = np.array([-100.0, 0.0, 100.0, 0.0, 0.0, 0.0, 50.0, 50.0])
    y = np.array([0.0, 0.0, 0.0, -100.0, 0.0, 100.0, -50.0, 50.0])
    noded = node_lines(x, y, np.array([0, 3, 6, 8]))
    assert noded.edge_line.tolist() == [0, 0, 1, 1, 2]
    centre = noded.edge_end[0]
    assert (noded.node_x[centre], noded.node_y[centre]) == (0.0, 0.0)
    assert noded.edge_start[1] == noded.edge_end[2] == noded.edge_start[3] == centre  # four edges meet there
    assert noded.first_vertex.tolist() == [0, 2, 4, 6, 8, 10]
    assert {noded.edge_start[4], noded.edge_end[4]}.isdisjoint({noded.edge_start[0], centre, noded.edge_end[1]})


@pytest.mark.parametrize("tolerance, joined", [(0.0, False), (0.1, True), (0.04, False)])
def test_end_points_within_the_topology_tolerance_are_one_node(tolerance, joined):
    from sozialraum.core.network import node_lines

    x, y = np.array([0.0, 100.0, 100.05, 200.0]), np.zeros(4)
    noded = node_lines(x, y, np.array([0, 2, 4]), tolerance)
    assert (noded.edge_end[0] == noded.edge_start[1]) == joined
    assert noded.node_x.size == (3 if joined else 4)


def test_noding_keeps_every_vertex_and_the_length_of_every_line():
    from sozialraum.core.network import node_lines

    rng = np.random.default_rng(5)
    # a 6 x 6 lattice of long lines (rows and columns) with a vertex at every crossing and some in between
    xs = np.arange(6) * 100.0
    lines = [[(x, yy) for x in np.sort(np.concatenate([xs, rng.uniform(0, 500, 3)]))] for yy in xs]
    lines += [[(xx, y) for y in np.sort(np.concatenate([xs, rng.uniform(0, 500, 3)]))] for xx in xs]
    x = np.array([p[0] for line in lines for p in line])
    y = np.array([p[1] for line in lines for p in line])
    first = np.concatenate([[0], np.cumsum([len(line) for line in lines])])
    noded = node_lines(x, y, first, 0.1)
    seg = np.hypot(np.diff(noded.vertex_x), np.diff(noded.vertex_y))
    seg[noded.first_vertex[1:-1] - 1] = 0.0  # no segment from one edge into the next
    original = np.hypot(np.diff(x), np.diff(y))
    original[first[1:-1] - 1] = 0.0
    assert seg.sum() == pytest.approx(original.sum(), rel=1e-12)
    assert noded.node_x.size == 36  # the crossings (the lines end at crossings too)
    assert noded.edge_line.size == 12 * 5  # each line cut at its 6 crossings into 5 edges
