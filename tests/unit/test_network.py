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
    nearest_service,
    nearest_source,
    network_pairs,
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
    pair_i, pair_j, pair_d = network_pairs(graph, demand_node, demand_snap, service_node, service_snap, 13.5)
    found = {(i, j): d for i, j, d in zip(pair_i.tolist(), pair_j.tolist(), pair_d.tolist())}
    assert found == {
        (0, 0): 10.0 + 3.0 + 0.5,  # exactly the cut-off: counts
        (1, 0): 2.0 + 1.0 + 0.5,
        (1, 1): 2.0 + 5.0 + 3.0,
    }  # (0, 1) = 10 + 9 + 3 = 22 is too far
    pair_i, _, _ = network_pairs(graph, demand_node, demand_snap, service_node, service_snap, 13.49)
    assert sorted(pair_i.tolist()) == [1, 1]


def test_nearest_service_hand_graph():
    graph = hand_graph()
    dist, nearest = nearest_service(graph, [0, 3, 5, -1], [10.0, 2.0, 1.0, 0.0], [2, 4], [0.5, 3.0])
    assert dist.tolist() == [13.5, 3.5, INF, INF]
    assert nearest.tolist() == [0, 0, -1, -1]
    dist, nearest = nearest_service(graph, [4], [1.0], [2, 4], [0.5, 3.0])
    assert dist.tolist() == [4.0] and nearest.tolist() == [1]  # 1 + 0 + 3 < 1 + 5 + 0.5


def test_services_not_snapped_give_no_pairs():
    pair_i, pair_j, pair_d = network_pairs(hand_graph(), [0], None, [-1], None, 10.0)
    assert pair_i.size == pair_j.size == pair_d.size == 0
    dist, nearest = nearest_service(hand_graph(), [0], None, [-1], None)
    assert dist.tolist() == [INF] and nearest.tolist() == [-1]


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
        network_pairs(hand_graph(), [0], [-1.0], [1], None, 10.0)


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
    pair_i, pair_j, pair_d = network_pairs(graph, demand_node, demand_snap, service_node, service_snap, cutoff)
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
    dist, _ = nearest_service(graph, demand_node, demand_snap, service_node, service_snap, cutoff)
    for i in range(len(demand_node)):
        within = [d for (a, _), d in expected.items() if a == i]
        assert dist[i] == pytest.approx(min(within), rel=1e-12) if within else dist[i] == INF
