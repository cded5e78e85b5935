"""Shortest paths along a walking network, without QGIS and without scipy.

The adapter builds the graph from line layers (nodes = line end points merged by coordinates,
edges with their lengths) and snaps demand points and services to their nearest node, keeping
the snapping distance. This module then answers three questions:

* which services lie within a catchment of each demand point, and how far along the network
  (:func:`network_pairs`, for :func:`~.coverage.two_step_fca`);
* how far is the nearest service from every demand point (:func:`nearest_service`);
* which parts of the network are not connected to each other (:func:`connected_components`).

Distances are Dijkstra's (1959) shortest paths on an undirected graph with non-negative edge
lengths, computed with a binary heap and stopped at the cut-off. A demand point ``i`` snapped
to node ``u_i`` at distance ``a_i`` and a service ``j`` snapped to node ``v_j`` at distance
``b_j`` are ``d_ij = a_i + net(u_i, v_j) + b_j`` apart: the snapping distances are ADDED, so the
walk to and from the network counts (as a straight line).
"""

import heapq
import math

import numpy as np

from .errors import InputError

_INF = math.inf


def _int_array(values, what):
    array = np.asarray(values)
    if array.ndim != 1:
        array = array.reshape(-1)
    if array.size == 0:
        return array.astype(np.int64)
    if array.dtype.kind not in "iu":
        as_float = np.asarray(array, dtype="float64")
        if not np.all(np.isfinite(as_float) & (as_float == np.round(as_float))):
            raise ValueError("{} must be whole numbers".format(what))
        array = as_float
    return array.astype(np.int64)


def _check_nodes(nodes, n_nodes, what, allow_missing=False):
    """Node ids ``0..n_nodes-1`` (``-1`` = not snapped, where allowed)."""
    array = _int_array(nodes, what)
    low = -1 if allow_missing else 0
    if array.size and (array.min() < low or array.max() >= n_nodes):
        raise ValueError("{} must lie in {}..{}".format(what, low, n_nodes - 1))
    return array


def _check_lengths(values, size, what_de, what_en):
    """Non-negative finite lengths (edges, snapping distances); ``None`` = all 0."""
    if values is None:
        return np.zeros(size)
    try:
        array = np.asarray(values, dtype="float64").reshape(-1)
    except (TypeError, ValueError):
        raise InputError(
            "{} enthalten Werte, die keine Zahlen sind.".format(what_de),
            "{} hold values that are not numbers.".format(what_en),
        ) from None
    if array.size != size:
        raise ValueError("{}: expected {} values, got {}".format(what_en, size, array.size))
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise InputError(
            "{} müssen Zahlen >= 0 sein; einige sind leer, unendlich oder negativ. Bitte prüfen "
            "Sie die Geometrien des Wegenetzes.".format(what_de),
            "{} must be numbers >= 0; some are empty, infinite or negative. Please check the "
            "geometries of the path network.".format(what_en),
        )
    return array


def _check_cutoff(cutoff, allow_inf=False):
    try:
        value = float(cutoff)
    except (TypeError, ValueError):
        value = float("nan")
    if not (value > 0 and (allow_inf or np.isfinite(value))):
        raise InputError(
            "Die maximale Entfernung muss eine positive Zahl sein (erhalten: {}).".format(cutoff),
            "The maximum distance must be a positive number (got: {}).".format(cutoff),
        )
    return value


class Graph:
    """Undirected graph with non-negative edge lengths in CSR form.

    ``indptr[u]:indptr[u+1]`` are the positions in ``neighbor`` / ``length`` of the edges at
    node ``u``; every undirected edge is stored in both directions, self-loops are dropped
    (they never shorten a path). Build it with :meth:`from_edges`.
    """

    def __init__(self, n_nodes, indptr, neighbor, length):
        self.n_nodes = int(n_nodes)
        self.indptr = indptr
        self.neighbor = neighbor
        self.length = length
        self._adjacency = None

    @classmethod
    def from_edges(cls, n_nodes, from_node, to_node, length):
        """Graph of ``n_nodes`` nodes and the undirected edges ``from_node[e] -- to_node[e]``.

        Parallel edges are kept (the shorter one wins in every search).
        """
        n_nodes = int(n_nodes)
        if n_nodes < 1:
            raise InputError(
                "Das Wegenetz hat keine Knoten. Bitte wählen Sie einen Linienlayer mit Wegen.",
                "The path network has no nodes. Please choose a line layer with paths.",
            )
        start = _check_nodes(from_node, n_nodes, "from_node")
        end = _check_nodes(to_node, n_nodes, "to_node")
        if start.size != end.size:
            raise ValueError("from_node and to_node must have the same length")
        lengths = _check_lengths(length, start.size, "Die Kantenlängen", "The edge lengths")
        proper = start != end
        start, end, lengths = start[proper], end[proper], lengths[proper]
        tail = np.concatenate([start, end])
        head = np.concatenate([end, start])
        both = np.concatenate([lengths, lengths])
        order = np.argsort(tail, kind="stable")
        indptr = np.zeros(n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(tail, minlength=n_nodes), out=indptr[1:])
        return cls(n_nodes, indptr, head[order], both[order])

    @property
    def n_edges(self):
        """Number of undirected edges (without self-loops)."""
        return int(self.neighbor.size // 2)

    def adjacency(self):
        """Per node, a list of ``(neighbour, length)`` tuples (built once; fast in pure Python)."""
        if self._adjacency is None:
            neighbors = self.neighbor.tolist()
            lengths = self.length.tolist()
            bounds = self.indptr.tolist()
            self._adjacency = [
                list(zip(neighbors[a:b], lengths[a:b])) for a, b in zip(bounds[:-1], bounds[1:])
            ]
        return self._adjacency


def _search(adjacency, best, touched, heap, cutoff, origin=None):
    """Dijkstra from the entries ``(distance, node)`` already in ``heap`` and ``best``.

    Settles every node with distance ``<= cutoff``; ``touched`` collects the nodes whose
    ``best`` entry was set (so the caller can reset them); ``origin`` (optional list) carries
    the label of the source each node was reached from.
    """
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        d, u = pop(heap)
        if d > best[u]:
            continue
        for v, w in adjacency[u]:
            nd = d + w
            if nd <= cutoff and nd < best[v]:
                if best[v] == _INF:
                    touched.append(v)
                best[v] = nd
                if origin is not None:
                    origin[v] = origin[u]
                push(heap, (nd, v))


def bounded_dijkstra(graph, sources, cutoff):
    """Per source, all nodes within ``cutoff`` along the network (inclusive) and their distances.

    A generator: for each position ``k`` of ``sources`` it yields ``(k, node_idx, dist)``,
    ``dist[t] = net(sources[k], node_idx[t]) <= cutoff`` (the source itself at 0 first). The
    caller may stop early, e.g. when the user cancels. Cost: one heap-based Dijkstra per source
    that never leaves the cut-off ball.
    """
    cutoff = _check_cutoff(cutoff)
    starts = _check_nodes(sources, graph.n_nodes, "sources")
    adjacency = graph.adjacency()
    best = [_INF] * graph.n_nodes
    for k, source in enumerate(starts.tolist()):
        best[source] = 0.0
        touched = [source]
        _search(adjacency, best, touched, [(0.0, source)], cutoff)
        dist = [best[v] for v in touched]
        for v in touched:
            best[v] = _INF
        yield k, np.asarray(touched, dtype=np.int64), np.asarray(dist, dtype="float64")


def nearest_source(graph, sources, cutoff=_INF, source_offset=None):
    """Distance from every node to its nearest source, and which source that is.

    One Dijkstra from a virtual super-source joined to source ``k`` by an edge of length
    ``source_offset[k]`` (default 0; e.g. the snapping distance of a service):
    ``dist[u] = min_k (source_offset[k] + net(sources[k], u))`` and ``nearest[u] = k``.
    Nodes farther than ``cutoff`` (or unconnected) get ``inf`` and ``-1``. On equal distances
    the source with the smaller offset, then the smaller position ``k``, wins at a shared node.
    """
    cutoff = _check_cutoff(cutoff, allow_inf=True)
    starts = _check_nodes(sources, graph.n_nodes, "sources")
    offsets = _check_lengths(source_offset, starts.size, "Die Fangabstände", "The snapping distances")
    best = [_INF] * graph.n_nodes
    origin = [-1] * graph.n_nodes
    touched = []
    heap = []
    for k in np.lexsort((np.arange(starts.size), offsets)).tolist():
        node, offset = int(starts[k]), float(offsets[k])
        if offset <= cutoff and offset < best[node]:
            if best[node] == _INF:
                touched.append(node)
            best[node] = offset
            origin[node] = k
            heap.append((offset, node))
    heapq.heapify(heap)
    _search(graph.adjacency(), best, touched, heap, cutoff, origin)
    return np.asarray(best, dtype="float64"), np.asarray(origin, dtype=np.int64)


def connected_components(graph):
    """Component label per node, ``0..c-1`` numbered by the smallest node in each component.

    Iterative breadth-first search (no recursion, so long paths cannot overflow the stack).
    ``np.bincount(labels)`` gives the component sizes; isolated nodes form components of one.
    """
    labels = [-1] * graph.n_nodes
    neighbors = graph.neighbor.tolist()
    bounds = graph.indptr.tolist()
    current = 0
    for root in range(graph.n_nodes):
        if labels[root] != -1:
            continue
        labels[root] = current
        queue = [root]
        for u in queue:  # the list grows while we walk it: a FIFO queue without pops
            for v in neighbors[bounds[u]:bounds[u + 1]]:
                if labels[v] == -1:
                    labels[v] = current
                    queue.append(v)
        current += 1
    return np.asarray(labels, dtype=np.int64)


def _snapped(graph, demand_node, demand_snap, service_node, service_snap):
    demand = _check_nodes(demand_node, graph.n_nodes, "demand_node", allow_missing=True)
    service = _check_nodes(service_node, graph.n_nodes, "service_node", allow_missing=True)
    a = _check_lengths(
        demand_snap, demand.size, "Die Fangabstände der Nachfragepunkte", "The snapping distances of the demand points"
    )
    b = _check_lengths(
        service_snap, service.size, "Die Fangabstände der Einrichtungen", "The snapping distances of the services"
    )
    return demand, a, service, b


def iter_network_pairs(graph, demand_node, demand_snap, service_node, service_snap, cutoff):
    """Demand-service pairs within ``cutoff`` along the network, one service node at a time.

    ``d_ij = demand_snap[i] + net(demand_node[i], service_node[j]) + service_snap[j]``, kept
    when ``d_ij <= cutoff`` (inclusive). Node ``-1`` = not snapped (no pairs). Snap distances
    ``None`` = 0. Services sharing a node share one Dijkstra, bounded by
    ``cutoff - min snap of those services - min snap of all demand points``.

    A generator of ``(done, total, pair_i, pair_j, pair_d)`` with ``done`` of ``total`` service
    nodes searched, so the caller can report progress and stop on cancel.
    """
    cutoff = _check_cutoff(cutoff)
    demand, a, service, b = _snapped(graph, demand_node, demand_snap, service_node, service_snap)
    snapped_demand = np.flatnonzero(demand >= 0)
    by_node = snapped_demand[np.argsort(demand[snapped_demand], kind="stable")]
    first = np.searchsorted(demand[by_node], np.arange(graph.n_nodes + 1), side="left")
    min_a = float(a[snapped_demand].min()) if snapped_demand.size else 0.0

    snapped_service = np.flatnonzero(service >= 0)
    service_order = snapped_service[np.argsort(service[snapped_service], kind="stable")]
    nodes, group_start = np.unique(service[service_order], return_index=True)
    group_end = np.append(group_start[1:], service_order.size)
    adjacency = graph.adjacency()
    best = [_INF] * graph.n_nodes
    empty_i, empty_d = np.zeros(0, dtype=np.int64), np.zeros(0)
    for done, (node, g0, g1) in enumerate(zip(nodes.tolist(), group_start.tolist(), group_end.tolist()), 1):
        services = service_order[g0:g1]
        budget = cutoff - float(b[services].min()) - min_a
        if budget < 0 or snapped_demand.size == 0:
            yield done, nodes.size, empty_i, empty_i, empty_d
            continue
        best[node] = 0.0
        touched = [node]
        _search(adjacency, best, touched, [(0.0, node)], budget)
        reached = np.asarray(touched, dtype=np.int64)
        net = np.asarray([best[v] for v in touched], dtype="float64")
        for v in touched:
            best[v] = _INF
        counts = first[reached + 1] - first[reached]
        total = int(counts.sum())
        # positions in by_node: first[node] .. first[node] + count - 1 for every reached node
        offsets = np.repeat(first[reached] - (np.cumsum(counts) - counts), counts) + np.arange(total)
        points = by_node[offsets]
        base = a[points] + np.repeat(net, counts)
        pair_i, pair_j, pair_d = [], [], []
        for j in services.tolist():
            d = base + b[j]
            keep = d <= cutoff
            pair_i.append(points[keep])
            pair_j.append(np.full(int(keep.sum()), j, dtype=np.int64))
            pair_d.append(d[keep])
        yield done, nodes.size, np.concatenate(pair_i), np.concatenate(pair_j), np.concatenate(pair_d)


def network_pairs(graph, demand_node, demand_snap, service_node, service_snap, cutoff):
    """All pairs of :func:`iter_network_pairs` as three arrays ``(pair_i, pair_j, pair_d)``."""
    parts_i, parts_j, parts_d = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [np.zeros(0)]
    chunks = iter_network_pairs(graph, demand_node, demand_snap, service_node, service_snap, cutoff)
    for _, _, pair_i, pair_j, pair_d in chunks:
        parts_i.append(pair_i)
        parts_j.append(pair_j)
        parts_d.append(pair_d)
    return np.concatenate(parts_i), np.concatenate(parts_j), np.concatenate(parts_d)


def nearest_service(graph, demand_node, demand_snap, service_node, service_snap, cutoff=_INF):
    """Network distance from every demand point to its nearest service, and that service.

    ``d_i = demand_snap[i] + min_j (net(demand_node[i], service_node[j]) + service_snap[j])``
    by one multi-source Dijkstra (:func:`nearest_source`). Unsnapped (-1) or unconnected demand
    points, and those beyond ``cutoff``, get ``inf`` and service ``-1``.
    """
    demand, a, service, b = _snapped(graph, demand_node, demand_snap, service_node, service_snap)
    snapped_service = np.flatnonzero(service >= 0)
    distance = np.full(demand.size, np.inf)
    nearest = np.full(demand.size, -1, dtype=np.int64)
    if snapped_service.size == 0:
        return distance, nearest
    node_dist, node_source = nearest_source(graph, service[snapped_service], cutoff, b[snapped_service])
    snapped = demand >= 0
    d = a[snapped] + node_dist[demand[snapped]]
    source = node_source[demand[snapped]]
    within = (source >= 0) & (d <= cutoff)
    distance[np.flatnonzero(snapped)[within]] = d[within]
    nearest[np.flatnonzero(snapped)[within]] = snapped_service[source[within]]
    return distance, nearest
