"""Shortest paths along a walking network, without QGIS and without scipy.

The adapter builds the graph from line layers (nodes = line end points merged by coordinates,
edges with their lengths) and snaps demand points and services to the nearest point of the
nearest edge (:func:`edge_attachments`). This module then answers three questions:

* which services lie within a catchment of each demand point, and how far along the network
  (:func:`network_pairs`, for :func:`~.coverage.two_step_fca`);
* how far is the nearest service from every demand point (:func:`nearest_service`);
* which parts of the network are not connected to each other (:func:`connected_components`).

Distances are Dijkstra's (1959) shortest paths on an undirected graph with non-negative edge
lengths, computed with a binary heap and stopped at the cut-off. A point ``i`` at the straight
distance ``s_i`` from its foot point, ``t_i`` metres along the edge ``e_i`` from node ``u`` to
node ``v`` (length ``L``), joins the graph at two *attachments*: ``u`` after ``s_i + t_i`` and
``v`` after ``s_i + (L - t_i)``. With ``(x_ik, a_ik)`` the attachments of a demand point and
``(y_jl, b_jl)`` those of a service,

    d_ij = min( min_{k,l} (a_ik + net(x_ik, y_jl) + b_jl),  s_i + |t_i - t_j| + s_j  if e_i = e_j ),

over the network through either end of each edge, or directly along an edge both lie on (which
can be shorter than going round by its end nodes). The walk to and from the network counts as a
straight line, so ``d_ij`` is never shorter than the straight line between the two points.
Points snapped to a node are the special case of one attachment (:func:`node_attachments`).
"""

import heapq
import math
from typing import NamedTuple

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


def _search_from(adjacency, best, starts, cutoff):
    """Dijkstra from several start nodes at once: ``starts`` = ``[(cost, node), ...]``.

    ``best[u] = min_k (cost_k + net(node_k, u))`` for every node within ``cutoff`` (start nodes
    whose cost exceeds ``cutoff`` are left out); returns the touched nodes, start nodes first
    (the caller resets their ``best`` entries to ``inf``).
    """
    touched, heap = [], []
    for cost, node in starts:
        if cost <= cutoff and cost < best[node]:
            if best[node] == _INF:
                touched.append(node)
            best[node] = cost
            heap.append((cost, node))
    heapq.heapify(heap)
    _search(adjacency, best, touched, heap, cutoff)
    return touched


def bounded_dijkstra(graph, sources, cutoff, source_cost=None):
    """Per search, all nodes within ``cutoff`` along the network (inclusive) and their distances.

    ``sources``: one start node per search, or one row of start nodes per search (``-1`` = none),
    e.g. the two attachments of a point on an edge; ``source_cost`` (same shape, default 0): the
    distance already walked to each start node. A generator: for each search ``k`` it yields
    ``(k, node_idx, dist)`` with ``dist[t] = min_m (source_cost[k, m] + net(sources[k, m],
    node_idx[t])) <= cutoff`` (the start nodes first). The caller may stop early, e.g. when the user
    cancels. Cost: one heap-based Dijkstra per search that never leaves the cut-off ball.
    """
    cutoff = _check_cutoff(cutoff)
    shape = np.shape(sources)
    rows = (shape[0], shape[1]) if len(shape) == 2 else (int(np.size(sources)), 1)
    starts = _check_nodes(sources, graph.n_nodes, "sources", allow_missing=True).reshape(rows)
    costs = np.zeros(rows)
    if source_cost is not None:
        costs = np.where(starts >= 0, np.asarray(source_cost, dtype="float64").reshape(rows), 0.0)
    costs = _check_lengths(costs, starts.size, "Die Startentfernungen", "The start distances").reshape(rows)
    adjacency = graph.adjacency()
    best = [_INF] * graph.n_nodes
    for k, (nodes, offsets) in enumerate(zip(starts.tolist(), costs.tolist())):
        touched = _search_from(adjacency, best, [(c, u) for u, c in zip(nodes, offsets) if u >= 0], cutoff)
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


class Attachments(NamedTuple):
    """Where points join the network (from :func:`edge_attachments` or :func:`node_attachments`).

    ``node[i, k]`` (shape ``(n, 2)``, ``-1`` = none) is reached from point ``i`` after
    ``cost[i, k]`` metres; ``edge[i]`` (``-1`` = none) is the edge the point was snapped to,
    ``along[i]`` the distance along it from its first node to the foot point and ``snap[i]`` the
    straight distance from the point to its foot point. A point without a node reaches nothing.
    """

    node: np.ndarray
    cost: np.ndarray
    edge: np.ndarray
    along: np.ndarray
    snap: np.ndarray


def node_attachments(node, snap=None):
    """Points snapped to a node: one attachment ``(node[i], snap[i])`` each (``-1`` = not snapped), no edge.

    ``snap`` (default 0) is the straight distance from each point to its node.
    """
    nodes = _int_array(node, "node")
    s = _check_lengths(snap, nodes.size, "Die Fangabstände", "The snapping distances")
    none = np.full(nodes.size, -1, dtype=np.int64)
    return Attachments(np.column_stack([nodes, none]), np.column_stack([s, np.full(nodes.size, _INF)]), none,
                       np.zeros(nodes.size), s)


def edge_attachments(edge, along, snap, edge_start, edge_end, edge_length):
    """Points snapped to the nearest point of an edge, with their two attachments.

    For point ``i`` on edge ``e = edge[i]`` (``-1`` = not snapped) of length ``L = edge_length[e]``
    at ``t = along[i]`` (clipped to ``0..L``) and straight distance ``s = snap[i]``: node
    ``edge_start[e]`` after ``s + t`` and node ``edge_end[e]`` after ``s + (L - t)``. A loop
    (``edge_start[e] = edge_end[e]``) gives one attachment after ``s + min(t, L - t)``.
    """
    edges = _int_array(edge, "edge")
    start, end = _int_array(edge_start, "edge_start"), _int_array(edge_end, "edge_end")
    if start.size != end.size:
        raise ValueError("edge_start and edge_end must have the same length")
    if edges.size and (edges.min() < -1 or edges.max() >= start.size):
        raise ValueError("edge must lie in -1..{}".format(start.size - 1))
    length = _check_lengths(edge_length, start.size, "Die Kantenlängen", "The edge lengths")
    s = _check_lengths(snap, edges.size, "Die Fangabstände", "The snapping distances")
    position = _check_lengths(along, edges.size, "Die Lagen auf den Kanten", "The positions along the edges")
    snapped = edges >= 0
    e = np.where(snapped, edges, 0)
    total = length[e] if start.size else np.zeros(edges.size)
    t = np.minimum(position, total)
    first = np.where(snapped, start[e] if start.size else -1, -1)
    second = np.where(snapped, end[e] if start.size else -1, -1)
    loop = snapped & (first == second)
    cost_first = np.where(loop, s + np.minimum(t, total - t), s + t)
    second = np.where(loop, -1, second)
    cost_second = np.where(second >= 0, s + (total - t), _INF)
    return Attachments(np.column_stack([first, second]), np.column_stack([cost_first, cost_second]),
                       np.where(snapped, edges, -1), np.where(snapped, t, 0.0), s)


def _attached(graph, points, what):
    """Checked arrays of :class:`Attachments` ``points``: node ids within the graph, cost ``inf``
    where there is no node, edge ``-1`` for points without any node."""
    if np.ndim(points.node) != 2 or np.shape(points.node)[1] != 2:
        raise ValueError("{}: node must have the shape (n, 2)".format(what))
    node = _check_nodes(points.node, graph.n_nodes, what, allow_missing=True).reshape(-1, 2)
    n = node.shape[0]
    cost = np.where(node >= 0, np.asarray(points.cost, dtype="float64").reshape(n, 2), 0.0)
    cost = _check_lengths(cost, 2 * n, "Die Anbindungskosten", "The attachment costs").reshape(n, 2)
    cost[node < 0] = _INF
    edge = _int_array(points.edge, what)
    along = _check_lengths(points.along, n, "Die Lagen auf den Kanten", "The positions along the edges")
    snap = _check_lengths(points.snap, n, "Die Fangabstände", "The snapping distances")
    if edge.size != n:
        raise ValueError("{}: expected {} edges, got {}".format(what, n, edge.size))
    return node, cost, np.where((node >= 0).any(axis=1), edge, -1), along, snap


def _expand(start, count):
    """Positions ``start[q] .. start[q] + count[q] - 1`` for every q, concatenated."""
    first = np.cumsum(count) - count
    return np.repeat(start - first, count) + np.arange(int(count.sum()))


def _via(node_dist, node, cost, points):
    """``min_k (node_dist[node[i, k]] + cost[i, k])`` for the ``points`` (``node_dist[-1]`` = inf: no node)."""
    return np.minimum(node_dist[node[points, 0]] + cost[points, 0], node_dist[node[points, 1]] + cost[points, 1])


def iter_network_pairs(graph, demand, service, cutoff):
    """Demand-service pairs within ``cutoff`` along the network, one search at a time.

    ``demand`` and ``service``: :class:`Attachments`; ``d_ij`` as in the module docstring, kept
    when ``d_ij <= cutoff`` (inclusive). Each service's search starts at its attachments with
    their costs less the smallest one, ``beta_j``, and stops at ``cutoff - beta_j - min_ik a_ik``;
    services whose attachments differ only in ``beta_j`` (e.g. several at one address) share it.
    Points on the service's own edge also get the direct distance along the edge.

    A generator of ``(done, total, pair_i, pair_j, pair_d)`` with ``done`` of ``total`` searches
    made, so the caller can report progress and stop on cancel.
    """
    cutoff = _check_cutoff(cutoff)
    demand_node, demand_cost, demand_edge, demand_along, demand_snap = _attached(graph, demand, "demand")
    service_node, service_cost, service_edge, service_along, service_snap = _attached(graph, service, "service")
    # the demand attachments (slot 2 i + k) sorted by node, and the demand points sorted by edge
    flat = demand_node.reshape(-1)
    slots = np.flatnonzero(flat >= 0)
    slots = slots[np.argsort(flat[slots], kind="stable")]
    first = np.searchsorted(flat[slots], np.arange(graph.n_nodes + 1), side="left")
    min_a = float(demand_cost.min()) if slots.size else 0.0
    on_edge = np.flatnonzero(demand_edge >= 0)
    on_edge = on_edge[np.argsort(demand_edge[on_edge], kind="stable")]
    sorted_edges = demand_edge[on_edge]
    # distances of the current search; entry -1 (no node) stays inf
    node_dist = np.full(graph.n_nodes + 1, np.inf)

    attached = np.flatnonzero((service_node >= 0).any(axis=1))
    beta = service_cost[attached].min(axis=1)
    relative = np.where(service_node[attached] >= 0, service_cost[attached] - beta[:, None], 0.0)
    keys = np.column_stack([service_node[attached], relative])
    _, group = np.unique(keys, axis=0, return_inverse=True) if attached.size else (None, np.zeros(0, np.int64))
    group = group.reshape(-1)
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    adjacency = graph.adjacency()
    best = [_INF] * graph.n_nodes
    empty_i, empty_d = np.zeros(0, dtype=np.int64), np.zeros(0)
    groups = np.split(order, bounds) if order.size else []
    for done, members in enumerate(groups, 1):
        budget = cutoff - float(beta[members].min()) - min_a
        reached, points, via = empty_i, empty_i, empty_d
        if budget >= 0 and slots.size:
            row = members[0]
            starts = [(c, u) for u, c in zip(service_node[attached[row]].tolist(), relative[row].tolist()) if u >= 0]
            touched = _search_from(adjacency, best, starts, budget)
            reached = np.asarray(touched, dtype=np.int64)
            node_dist[reached] = [best[v] for v in touched]
            for v in touched:
                best[v] = _INF
            hit = slots[_expand(first[reached], first[reached + 1] - first[reached])]
            points = hit // 2
            # a point reached at both attachments is listed once: at its second only if its first is unreached
            points = points[(hit % 2 == 0) | np.isinf(node_dist[demand_node[points, 0]])]
            via = _via(node_dist, demand_node, demand_cost, points)
        pair_i, pair_j, pair_d = [empty_i], [empty_i], [empty_d]
        for k in members.tolist():
            j = int(attached[k])
            found, d = points, via + beta[k]
            e = int(service_edge[j])
            lo, hi = np.searchsorted(sorted_edges, [e, e + 1], side="left") if e >= 0 else (0, 0)
            if hi > lo:
                same = on_edge[lo:hi]
                direct = demand_snap[same] + np.abs(demand_along[same] - service_along[j]) + service_snap[j]
                other = demand_edge[found] != e
                found = np.concatenate([found[other], same])
                d = np.concatenate([d[other], np.minimum(direct, _via(node_dist, demand_node, demand_cost, same)
                                                         + beta[k])])
            keep = d <= cutoff
            pair_i.append(found[keep])
            pair_j.append(np.full(int(keep.sum()), j, dtype=np.int64))
            pair_d.append(d[keep])
        node_dist[reached] = np.inf
        yield done, len(groups), np.concatenate(pair_i), np.concatenate(pair_j), np.concatenate(pair_d)


def network_pairs(graph, demand, service, cutoff):
    """All pairs of :func:`iter_network_pairs` as three arrays ``(pair_i, pair_j, pair_d)``."""
    parts_i, parts_j, parts_d = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [np.zeros(0)]
    for _, _, pair_i, pair_j, pair_d in iter_network_pairs(graph, demand, service, cutoff):
        parts_i.append(pair_i)
        parts_j.append(pair_j)
        parts_d.append(pair_d)
    return np.concatenate(parts_i), np.concatenate(parts_j), np.concatenate(parts_d)


def nearest_service(graph, demand, service, cutoff=_INF):
    """Network distance from every demand point to its nearest service, and that service.

    ``d_i = min_j d_ij`` (module docstring) by one multi-source Dijkstra (:func:`nearest_source`)
    from all attachments of all services, read at both attachments of each demand point; a
    service on the same edge wins where the direct way along the edge is shorter. Demand points
    without attachments, unconnected or beyond ``cutoff`` get ``inf`` and service ``-1``.
    """
    demand_node, demand_cost, demand_edge, demand_along, demand_snap = _attached(graph, demand, "demand")
    service_node, service_cost, service_edge, service_along, service_snap = _attached(graph, service, "service")
    n = demand_node.shape[0]
    distance = np.full(n, np.inf)
    nearest = np.full(n, -1, dtype=np.int64)
    owner, column = np.nonzero(service_node >= 0)
    if owner.size:
        node_dist, source = nearest_source(graph, service_node[owner, column], cutoff,
                                           service_cost[owner, column])
        node_dist, source = np.append(node_dist, np.inf), np.append(source, -1)
        via = node_dist[demand_node] + demand_cost
        k = np.argmin(via, axis=1)
        distance = via[np.arange(n), k]
        source = source[demand_node[np.arange(n), k]]
        nearest = np.where(source >= 0, owner[np.maximum(source, 0)], -1)
    # services on the demand point's own edge: the direct way along it
    on_edge = np.flatnonzero(service_edge >= 0)
    on_edge = on_edge[np.argsort(service_edge[on_edge], kind="stable")]
    points = np.flatnonzero(demand_edge >= 0)
    lo = np.searchsorted(service_edge[on_edge], demand_edge[points], side="left")
    count = np.searchsorted(service_edge[on_edge], demand_edge[points], side="right") - lo
    if count.sum():
        pair_i, pair_j = np.repeat(points, count), on_edge[_expand(lo, count)]
        direct = demand_snap[pair_i] + np.abs(demand_along[pair_i] - service_along[pair_j]) + service_snap[pair_j]
        order = np.lexsort((pair_j, direct, pair_i))
        first = order[np.r_[True, pair_i[order][1:] != pair_i[order][:-1]]]  # per point the shortest, then smallest j
        better = direct[first] < distance[pair_i[first]]
        distance[pair_i[first][better]] = direct[first][better]
        nearest[pair_i[first][better]] = pair_j[first][better]
    beyond = ~(distance <= cutoff)
    distance[beyond] = np.inf
    nearest[beyond] = -1
    return distance, nearest


class NodedLines(NamedTuple):
    """A path network's edges after :func:`node_lines`: edge ``e`` has the vertices
    ``vertex_x/vertex_y[first_vertex[e]:first_vertex[e + 1]]``, comes from line ``edge_line[e]`` and runs
    from node ``edge_start[e]`` to node ``edge_end[e]``; node ``k`` lies at ``(node_x[k], node_y[k])``."""

    vertex_x: np.ndarray
    vertex_y: np.ndarray
    first_vertex: np.ndarray
    edge_line: np.ndarray
    edge_start: np.ndarray
    edge_end: np.ndarray
    node_x: np.ndarray
    node_y: np.ndarray


def _places(x, y, tolerance):
    """Per vertex the index of the first vertex of its place: vertices within ``tolerance`` of each other
    are one place, joined in chains (a within tolerance of b, b of c: one place); ``tolerance`` 0 means
    equal coordinates."""
    n = x.size
    if tolerance <= 0:
        _, first, inverse = np.unique(np.column_stack([x, y]), axis=0, return_index=True, return_inverse=True)
        return first[inverse.reshape(-1)]
    from .radius import radius_pairs

    a, b, _ = radius_pairs(x, y, x, y, tolerance)
    keep = a < b
    a, b = a[keep].astype(np.int64), b[keep].astype(np.int64)
    label = np.arange(n, dtype=np.int64)
    while a.size:  # each round gives both ends of every pair the lower label; chains need a few rounds
        low = np.minimum(label[a], label[b])
        before = label.copy()
        np.minimum.at(label, a, low)
        np.minimum.at(label, b, low)
        label = label[label]  # follow the labels to their own label (path halving)
        if np.array_equal(label, before):
            break
    return label


def node_lines(vertex_x, vertex_y, first_vertex, tolerance=0.0):
    """Edges and nodes of a path network as cities have it, not split at its crossings.

    Lines ``l`` have the vertices ``vertex_x/vertex_y[first_vertex[l]:first_vertex[l + 1]]``. Vertices
    closer than ``tolerance`` (metres; 0 = the same coordinates) are one *place*, as in QGIS's own
    network analysis (``QgsGraphBuilder``'s topology tolerance). A vertex is a node when it is a line's
    first or last vertex or when its place holds another vertex too (of another line, or of the same line
    further on): lines are connected at every vertex they share, also in their middle (OpenStreetMap
    ways, ATKIS). Lines that cross without a shared vertex (bridges, tunnels) stay apart. Every line is
    cut at its nodes into edges; an edge keeps its own vertices (its length is the length of that piece
    of the line), and its ends are the nodes of their places, at the place's first vertex.
    """
    x = np.asarray(vertex_x, dtype="float64")
    y = np.asarray(vertex_y, dtype="float64")
    first_vertex = np.asarray(first_vertex, dtype=np.int64)
    n = x.size
    place = _places(x, y, float(tolerance)) if n else np.zeros(0, dtype=np.int64)
    is_last = np.zeros(n, dtype=bool)
    is_last[first_vertex[1:] - 1] = True
    is_end = is_last.copy()
    is_end[first_vertex[:-1]] = True
    shared = np.bincount(place, minlength=n)[place] > 1
    node_vertex = np.flatnonzero(is_end | shared)
    starts = node_vertex[~is_last[node_vertex]]
    ends = node_vertex[np.searchsorted(node_vertex, starts, side="right")]
    counts = ends - starts + 1
    first_new = np.zeros(starts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=first_new[1:])
    gather = np.repeat(starts - first_new[:-1], counts) + np.arange(int(first_new[-1]), dtype=np.int64)
    used, node = np.unique(np.concatenate([place[starts], place[ends]]), return_inverse=True)
    node = node.reshape(-1)
    return NodedLines(x[gather], y[gather], first_new, np.searchsorted(first_vertex, starts, side="right") - 1,
                      node[:starts.size], node[starts.size:], x[used], y[used])


def node_degrees(graph):
    """Number of edge ends at every node (a loop counts twice); degree 1 = a dead end."""
    return np.diff(graph.indptr)


def component_shares(labels, point_node, weights=None):
    """Per component (0..c-1 of ``labels``) the share of the points (or of their ``weights``) attached to it.

    ``point_node``: the node each point reaches the network by (``-1`` = none: counted nowhere). The shares of
    all components add up to the share of points attached at all."""
    labels = np.asarray(labels, dtype=np.int64)
    point_node = np.asarray(point_node, dtype=np.int64)
    weights = np.ones(point_node.size) if weights is None else np.asarray(weights, dtype="float64")
    total = weights.sum()
    attached = point_node >= 0
    sums = np.bincount(labels[point_node[attached]], weights=weights[attached], minlength=int(labels.max()) + 1)
    return sums / total if total > 0 else np.zeros_like(sums)
