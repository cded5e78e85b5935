"""Every pair of points within a radius: the straight-line distances of the coverage methods.

Pure numpy (no QGIS), so it is unit-tested against a brute-force distance matrix.

The targets (e.g. services) are sorted into a grid of square cells ``SUBCELLS`` times finer than
the radius. A query point (e.g. an address) can only reach targets in the cells around its own
cell that come within the radius at all: for the column ``c`` cells to the side the x gap is at
least ``(|c| - 1)`` cells, which leaves ``sqrt(r^2 - gap^2)`` for y and so fixes how many rows of
that column are needed. With 4 sub-cells the examined area is about 4.8 r^2, against 9 r^2 for
the 3 x 3 cells of a grid as wide as the radius and pi r^2 for the circle itself. The targets
of one column form one contiguous run in the sorted order, so a query's candidates are 2 k + 1
runs, found through a table of where each cell starts. Candidates are examined in vectorised
chunks of ``CHUNK_PAIRS``, in work arrays that are used again for every chunk (fresh memory for
every step cost more in page faults than the arithmetic itself); the exact distance decides,
with the radius inclusive (``d <= r``).

Why not a KD-tree: numpy has none, and QGIS' ``QgsSpatialIndexKDBush.within()`` hands every
hit back as a Python object (27 s against 3 s for this grid at 17 million pairs, measured).
"""

import math
from typing import NamedTuple

import numpy as np

#: Cells per radius in each direction (see the module text).
SUBCELLS = 4

#: Candidate pairs examined at once (their work arrays, 37 bytes a candidate, stay in the CPU cache).
CHUNK_PAIRS = 65_536

#: Pairs per block of the result (see :class:`_Output`): 2**23, so an index array is 32 MiB.
BLOCK_PAIRS = 2 ** 23

#: Largest cell table (cells of the grid) built; beyond it the cell starts are searched instead.
MAX_TABLE_CELLS = 20_000_000


def _chunks(weights, budget):
    """Consecutive ranges ``(a, b)`` of items whose ``weights`` add up to about ``budget`` each."""
    cumulative = np.cumsum(weights)
    a, n = 0, len(weights)
    while a < n:
        done = cumulative[a - 1] if a else 0
        b = int(np.searchsorted(cumulative, done + budget, side="right"))
        b = min(max(b, a + 1), n)
        yield a, b
        a = b


def fill_runs(out, start, count, step=1):
    """``out`` := ``start[k], start[k] + step, ..`` (``count[k]`` values each) for every k, in place
    (``len(out) == count.sum()``): the steps are written and summed up, so no temporaries as long
    as ``out``."""
    keep = count > 0
    start, count = start[keep], count[keep]
    begin = np.cumsum(count) - count
    out.fill(step)
    jump = start.astype(out.dtype)
    jump[1:] -= (start[:-1] + step * (count[:-1] - 1)).astype(out.dtype)
    out[begin] = jump
    np.cumsum(out, out=out)


class Grid:
    """Points sorted into square cells of side ``cell``, numbered column by column.

    ``order`` maps a sorted position back to the point's index; ``x``, ``y`` are sorted.
    """

    def __init__(self, x, y, cell):
        self.x0, self.y0 = float(x.min()), float(y.min())
        self.cell = float(cell)
        column = np.floor((x - self.x0) / self.cell).astype(np.int64)
        row = np.floor((y - self.y0) / self.cell).astype(np.int64)
        self.n_columns, self.n_rows = int(column.max()) + 1, int(row.max()) + 1
        key = column * self.n_rows + row
        position = np.int32 if x.size < 2 ** 31 else np.int64
        self.order = np.argsort(key, kind="stable").astype(position)
        self.key = key[self.order]
        self.x, self.y = x[self.order], y[self.order]
        n_cells = self.n_columns * self.n_rows
        # cell_start[k] = first sorted position of cell k or later: a gather instead of a search
        self.cell_start = (np.searchsorted(self.key, np.arange(n_cells + 1)).astype(position)
                           if n_cells <= MAX_TABLE_CELLS else None)

    def cell_of(self, qx, qy):
        """Column and row of the cells that points ``(qx, qy)`` fall in (may lie outside the grid)."""
        column = np.floor((qx - self.x0) / self.cell).astype(np.int64)
        row = np.floor((qy - self.y0) / self.cell).astype(np.int64)
        return column, row

    def run(self, column, low, high):
        """Per query: ``(start, count)`` of the sorted points in rows ``low .. high`` of ``column``
        (count 0 where the column lies outside the grid or the rows do not overlap it)."""
        ok = (column >= 0) & (column < self.n_columns) & (high >= 0) & (low < self.n_rows)
        base = np.where(ok, column, 0) * self.n_rows
        first = base + np.clip(low, 0, self.n_rows - 1)
        last = base + np.clip(high, 0, self.n_rows - 1) + 1
        if self.cell_start is not None:
            start, end = self.cell_start[first], self.cell_start[last]
        else:
            start = np.searchsorted(self.key, first, side="left")
            end = np.searchsorted(self.key, last, side="left")
        return start, np.where(ok, end - start, 0)


def _row_reach(radius, cell):
    """Rows needed above and below a query's row, per column offset ``0, 1, ..`` (see the module
    text). The gaps are taken a little smaller than they are, so rounding in the cell numbers
    can only add a row or column, never lose one."""
    reach, offset = [], 0
    while True:
        gap = max(offset - 1, 0) * cell * (1.0 - 1e-9)
        if gap > radius:
            return reach
        # the radius taken a hair larger: where r / cell is a whole number (cells set by the
        # extent), a point on a row border must not be lost to rounding in its row number
        room = radius * (1.0 + 1e-9)
        reach.append(int(math.ceil(math.sqrt(max(room * room - gap * gap, 0.0)) / cell)))
        offset += 1


class Canceled(Exception):
    """``is_canceled()`` returned True during a search."""


def _index_type(ax, bx):
    return np.int32 if max(ax.size, bx.size) < 2 ** 31 else np.int64


def _coordinates(*arrays):
    """The coordinate arrays as float64; empty or missing coordinates (NaN, inf) are a bug upstream."""
    arrays = [np.asarray(v, dtype="float64").reshape(-1) for v in arrays]
    for array in arrays:
        if not np.isfinite(array).all():
            raise ValueError("coordinates must be finite (points without a geometry must be left out first)")
    return arrays


def _pair_chunks(ax, ay, bx, by, radius, progress=None, is_canceled=None, chunk=None):
    """The pairs within ``radius``, chunk by chunk: ``(query, target, distance)`` per chunk, every
    query's pairs in one chunk, chunks in query order (see the module text). Raises
    :class:`Canceled` when ``is_canceled()`` returns True."""
    index = _index_type(ax, bx)
    extent = max(np.ptp(bx), np.ptp(by), np.ptp(ax), np.ptp(ay), 1.0)
    # cells a little wider than r / k (so r / cell stays just below k), and never so small that
    # the cell numbers overflow
    cell = max(radius * (1.0 + 1e-8) / SUBCELLS, extent * 1e-6)
    grid = Grid(bx, by, cell)
    reach = _row_reach(radius, cell)
    column, row = grid.cell_of(ax, ay)
    runs = []
    for offset in range(-len(reach) + 1, len(reach)):
        rows = reach[abs(offset)]
        runs.append(grid.run(column + offset, row - rows, row + rows))
    per_query = sum(count for _, count in runs)
    limit = radius * radius * (1.0 + 1e-12)
    budget = CHUNK_PAIRS if chunk is None else chunk
    # work arrays for one chunk, used again and again: fresh memory for every step would cost
    # more in page faults than the arithmetic (measured)
    size = int(max(min(budget, per_query.sum()), per_query.max()))
    where = np.empty(size, dtype=grid.order.dtype)  # sorted position of each candidate
    who = np.empty(size, dtype=index)  # its query point
    fx, fy, work = np.empty(size), np.empty(size), np.empty(size)
    inside = np.empty(size, dtype=bool)
    queries = np.arange(ax.size, dtype=index)
    for a, b in _chunks(per_query, budget):
        if is_canceled is not None and is_canceled():
            raise Canceled()
        if progress is not None:
            progress(a / ax.size)
        query_count = per_query[a:b]
        m = int(query_count.sum())
        if m == 0:
            continue
        # all runs of a query together, so the pairs come out ordered by query
        start = np.stack([s[a:b] for s, _ in runs], axis=1).ravel()
        count = np.stack([c[a:b] for _, c in runs], axis=1).ravel()
        position, query, x, y, t = where[:m], who[:m], fx[:m], fy[:m], work[:m]
        fill_runs(position, start, count)
        fill_runs(query, queries[a:b], query_count, step=0)
        # mode "clip" (the positions are valid anyway): with the default, take() buffers its output
        np.take(grid.x, position, out=x, mode="clip")
        np.take(ax, query, out=t, mode="clip")
        x -= t
        x *= x
        np.take(grid.y, position, out=y, mode="clip")
        np.take(ay, query, out=t, mode="clip")
        y -= t
        y *= y
        x += y
        near = np.flatnonzero(np.less_equal(x, limit, out=inside[:m]))
        distance = np.sqrt(x[near])
        keep = distance <= radius
        if not keep.all():
            near, distance = near[keep], distance[keep]
        yield query[near], grid.order[position[near]], distance


def radius_pairs(ax, ay, bx, by, radius, progress=None, is_canceled=None, chunk=None):
    """All pairs ``(i, j)`` with ``sqrt((ax_i - bx_j)^2 + (ay_i - by_j)^2) <= radius``.

    Returns ``(pair_a, pair_b, pair_d)``, each pair once and ordered by ``i``, or ``None`` when
    ``is_canceled()`` returned True. ``progress(fraction)`` is called between chunks. The
    positions are int32 while both point sets have fewer than 2**31 points (int64 beyond), the
    distances float64: 16 bytes a pair, so 1,000,000 demand points x 5,000 services within
    1000 m (85 million pairs) keep 1.4 GB. See :class:`_Output` for how the pairs are gathered.
    """
    ax, ay, bx, by = _coordinates(ax, ay, bx, by)
    index = _index_type(ax, bx)
    radius = float(radius)
    if not np.isfinite(radius) or radius < 0:
        raise ValueError("radius must be finite and not negative, got {!r}".format(radius))
    if ax.size == 0 or bx.size == 0:
        return (np.zeros(0, dtype=index), np.zeros(0, dtype=index), np.zeros(0))
    out = _Output(index)
    try:
        for pair_a, pair_b, pair_d in _pair_chunks(ax, ay, bx, by, radius, progress, is_canceled, chunk):
            out.add(pair_a, pair_b, pair_d)
    except Canceled:
        return None
    return out.result()


#: Cells per largest radius of the query grid in :func:`counts_within` (see there).
COUNT_SUBCELLS = 32

#: Candidates of the boundary cells examined at once in :func:`counts_within`.
COUNT_CHUNK = 1 << 22


def counts_within(ax, ay, bx, by, radii, progress=None, is_canceled=None, chunk=None):
    """Per query point ``i`` the number of targets within each radius, without keeping the pairs:
    ``count[i, k] = #{j: sqrt((ax_i - bx_j)^2 + (ay_i - by_j)^2) <= radii[k]}`` (inclusive, the same
    arithmetic as :func:`radius_pairs` and ``coverage.count_within`` on its pairs).

    Counted from the targets' side (few services, many addresses): the query points are sorted into
    a grid of cells ``COUNT_SUBCELLS`` times finer than the largest radius (coarser where the table
    of the cells would outgrow ``MAX_TABLE_CELLS``). Around a target, a cell
    whose every corner lies within the radius (less a billionth of it, and the cells taken a
    little larger than they are, so rounding can only move a cell to the exact check) holds only
    points in reach: each of its columns' runs of such cells adds 1 to every point of the run at
    once (a difference array over the sorted points, no work per point). The points of the cells
    the circle crosses are checked one by one with the distance itself, ``CHUNK`` candidates
    (``COUNT_CHUNK`` by default) at a time. Memory: the grid and one chunk, however many pairs
    there are (85 million for 1,000,000 addresses x 5,000 services within 1000 m, 1.4 GB as
    pairs). Returns an ``n x len(radii)`` int64 array, or ``None`` when ``is_canceled()`` returned
    True; ``progress(fraction)`` is called between chunks.
    """
    ax, ay, bx, by = _coordinates(ax, ay, bx, by)
    radii = np.asarray(radii, dtype="float64").reshape(-1)
    if not np.isfinite(radii).all() or (radii < 0).any():
        raise ValueError("radii must be finite and not negative, got {!r}".format(radii.tolist()))
    counts = np.zeros((ax.size, radii.size), dtype=np.int64)
    if ax.size == 0 or bx.size == 0 or radii.size == 0:
        return counts
    extent = max(np.ptp(ax), np.ptp(ay), np.ptp(bx), np.ptp(by), 1.0)
    # fine cells (a thin band of cells crossed by the circle), but no more cells than a table of their
    # starts can hold (a state's grid of 3 million addresses over 200 km)
    fill = math.sqrt((np.ptp(ax) + 1.0) * (np.ptp(ay) + 1.0) / MAX_TABLE_CELLS) * 1.1
    grid = Grid(ax, ay, max(float(radii.max()) / COUNT_SUBCELLS, fill, extent * 1e-6))
    # how far a point may sit outside the cell its (rounded) cell number gives
    slack = 1e-9 * (extent + max(np.abs(ax).max(), np.abs(ay).max(), np.abs(bx).max(), np.abs(by).max()))
    budget = COUNT_CHUNK if chunk is None else chunk
    done, total = 0, radii.size * bx.size
    for k, radius in enumerate(radii.tolist()):
        spans = _count_spans(grid, bx, by, radius, slack)
        inner = _runs(grid, spans.column, spans.inner_low, spans.inner_high)
        steps = np.zeros(ax.size + 1, dtype=np.int64)  # +1 from a run's start, -1 after its end
        steps += np.bincount(inner[0], minlength=ax.size + 1)
        steps -= np.bincount(inner[0] + inner[1], minlength=ax.size + 1)
        exact = np.zeros(ax.size, dtype=np.int64)
        service, start, count = _boundary_runs(grid, spans)
        for a, b in _chunks(count, budget):
            if is_canceled is not None and is_canceled():
                return None
            if progress is not None:
                progress((done + b / max(count.size, 1) * bx.size) / total)
            m = int(count[a:b].sum())
            if m == 0:
                continue
            position = np.empty(m, dtype=np.int64)
            fill_runs(position, start[a:b], count[a:b])
            target = np.repeat(service[a:b], count[a:b])
            dx = grid.x[position] - bx[target]
            dy = grid.y[position] - by[target]
            hit = np.sqrt(dx * dx + dy * dy) <= radius
            exact += np.bincount(position[hit], minlength=ax.size)
        done += bx.size
        counts[grid.order, k] = np.cumsum(steps)[:-1] + exact
    return counts


class _Spans(NamedTuple):
    """Per target and column of the grid near it (flat arrays): the rows ``inner_low .. inner_high`` whose
    cells lie wholly within the radius (``inner_low > inner_high`` where there are none) and the rows
    ``outer_low .. outer_high`` whose cells come within it at all (they hold the inner ones)."""

    column: np.ndarray
    target: np.ndarray
    inner_low: np.ndarray
    inner_high: np.ndarray
    outer_low: np.ndarray
    outer_high: np.ndarray


def _count_spans(grid, bx, by, radius, slack):
    """:class:`_Spans` of every target ``(bx, by)`` in ``grid`` for ``radius``; cells are taken ``slack``
    larger on every side."""
    cell = grid.cell
    reach = int(math.ceil(radius / cell)) + 1
    column0, _ = grid.cell_of(bx, by)
    column = column0[:, None] + np.arange(-reach, reach + 1)[None, :]
    target = np.broadcast_to(np.arange(bx.size)[:, None], column.shape)
    keep = (column >= 0) & (column < grid.n_columns)
    column, target = column[keep], target[keep]
    sx, sy = bx[target], by[target]
    left = grid.x0 + column * cell - slack
    right = grid.x0 + (column + 1) * cell + slack
    near_x = np.maximum(np.maximum(left - sx, sx - right), 0.0)
    far_x = np.maximum(sx - left, right - sx)
    wide = radius * (1.0 + 1e-9)
    reach_y = np.sqrt(np.maximum(wide * wide - near_x * near_x, 0.0))
    outer_low = np.floor((sy - reach_y - slack - grid.y0) / cell).astype(np.int64) - 1
    outer_high = np.floor((sy + reach_y + slack - grid.y0) / cell).astype(np.int64) + 1
    outer_high = np.where(near_x <= wide, outer_high, outer_low - 1)  # columns out of reach: no rows
    tight = radius * (1.0 - 1e-9)
    room = tight * tight - far_x * far_x
    inner_y = np.sqrt(np.maximum(room, 0.0))
    # whole cells between sy - inner_y and sy + inner_y, one row less on each side for rounding
    inner_low = np.ceil((sy - inner_y + slack - grid.y0) / cell).astype(np.int64) + 1
    inner_high = np.floor((sy + inner_y - slack - grid.y0) / cell).astype(np.int64) - 2
    inner_high = np.where(room > 0, inner_high, inner_low - 1)
    inner_low = np.maximum(inner_low, outer_low)
    inner_high = np.minimum(inner_high, outer_high)
    return _Spans(column, target, inner_low, inner_high, outer_low, outer_high)


def _runs(grid, column, low, high):
    """``(start, count)`` of the sorted points in rows ``low .. high`` of ``column`` (count 0 where
    the rows are empty or outside the grid)."""
    start, count = grid.run(column, low, high)
    return start.astype(np.int64), np.where(high >= low, count, 0).astype(np.int64)


def _boundary_runs(grid, spans):
    """``(target, start, count)`` of the points in the outer rows of ``spans`` (:class:`_Spans`) that are not
    inner rows: the rows below the inner ones and those above (all outer rows where there are no inner ones)."""
    empty = spans.inner_high < spans.inner_low
    below_high = np.where(empty, spans.outer_high, spans.inner_low - 1)
    above_low = np.where(empty, spans.outer_high + 1, spans.inner_high + 1)
    parts = [(spans.target, *_runs(grid, spans.column, spans.outer_low, below_high)),
             (spans.target, *_runs(grid, spans.column, above_low, spans.outer_high))]
    service = np.concatenate([p[0] for p in parts])
    start = np.concatenate([p[1] for p in parts])
    count = np.concatenate([p[2] for p in parts])
    keep = count > 0
    return service[keep], start[keep], count[keep]


class _Output:
    """The pairs found, chunk by chunk, written into blocks of ``BLOCK_PAIRS`` pairs.

    A block's arrays are reserved whole but only the pages written are ever backed by memory,
    and they are large enough (32 MiB and more) that the C library maps them apart from its heap
    and gives them back to the system when freed. One block is shrunk in place and returned as
    it is; several are joined one array at a time, each block array freed once copied, so the
    peak stays near 24 bytes a pair. (Small pieces per chunk, joined at the end, stayed resident
    in the heap after joining: 1.1 GB more at 85 million pairs, measured.)
    """

    def __init__(self, index):
        self.index = index
        self.blocks, self.filled = [], 0

    def _new_block(self):
        self.blocks.append([np.empty(BLOCK_PAIRS, dtype=self.index), np.empty(BLOCK_PAIRS, dtype=self.index),
                            np.empty(BLOCK_PAIRS)])
        self.filled = 0

    def add(self, pair_a, pair_b, pair_d):
        done, total = 0, pair_a.size
        while done < total:
            if not self.blocks or self.filled == BLOCK_PAIRS:
                self._new_block()
            take = min(BLOCK_PAIRS - self.filled, total - done)
            for array, values in zip(self.blocks[-1], (pair_a, pair_b, pair_d)):
                array[self.filled:self.filled + take] = values[done:done + take]
            self.filled += take
            done += take

    def result(self):
        if not self.blocks:
            return (np.zeros(0, dtype=self.index), np.zeros(0, dtype=self.index), np.zeros(0))
        last = self.blocks[-1]
        for array in last:
            array.resize(self.filled, refcheck=False)  # shrinks in place, no copy
        blocks, self.blocks = self.blocks, []
        if len(blocks) == 1:
            return tuple(blocks[0])
        pairs = []
        for column in range(3):
            pairs.append(np.concatenate([block[column] for block in blocks]))
            for block in blocks:
                block[column] = None
        return tuple(pairs)


def grouped_min(group, values, n, fill):
    """Per group ``0 .. n - 1`` the least of its ``values``; ``fill`` (not below any value, e.g.
    ``inf``) where a group has none. Groups that come sorted (as :func:`radius_pairs` returns
    them) are reduced in one pass; others through ``np.minimum.at``, which older numpy runs
    much more slowly."""
    group, values = np.asarray(group), np.asarray(values)
    out = np.full(int(n), fill, dtype=np.result_type(values.dtype, np.asarray(fill).dtype))
    if group.size == 0:
        return out
    if np.all(group[1:] >= group[:-1]):
        starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
        out[group[starts]] = np.minimum(np.minimum.reduceat(values, starts), fill)
    else:
        np.minimum.at(out, group, values)
    return out


def _spacing(x, y):
    """``sqrt(area / n)`` of the bounding box of the points: their mean spacing if spread evenly."""
    area = max(np.ptp(x), 1.0) * max(np.ptp(y), 1.0)
    return float(np.sqrt(area / x.size))


def nearest_points(qx, qy, tx, ty, chunk=None):
    """For every query point the nearest target: ``(index, distance)``.

    ``index[i] = argmin_j d_ij`` (the smallest ``j`` on ties), ``distance[i] = min_j d_ij``.
    A radius search within half the mean target spacing; the points that found no target search
    again within twice the radius, and so on: every target within the radius is examined, so the
    least distance found is the nearest of all. Each chunk of candidates is reduced to its
    points' nearest at once, so memory stays bounded however many targets a far point sees on
    the way. No targets: index -1 and distance ``inf`` everywhere.
    """
    qx, qy, tx, ty = _coordinates(qx, qy, tx, ty)
    n = qx.size
    index = np.full(n, -1, dtype=np.int64)
    distance = np.full(n, np.inf)
    if tx.size == 0 or n == 0:
        return index, distance
    # a radius that reaches from any query to any target ends the search
    reach_all = float(np.hypot(max(qx.max(), tx.max()) - min(qx.min(), tx.min()),
                               max(qy.max(), ty.max()) - min(qy.min(), ty.min()))) * (1.0 + 1e-9) + 1e-9
    radius = min(0.5 * _spacing(tx, ty), reach_all)
    todo = np.arange(n)
    no_target = np.iinfo(np.int64).max
    while todo.size:
        least = np.full(todo.size, np.inf)
        first = np.full(todo.size, no_target, dtype=np.int64)
        for pair_q, pair_t, pair_d in _pair_chunks(qx[todo], qy[todo], tx, ty, radius, chunk=chunk):
            if pair_q.size == 0:
                continue
            # a chunk holds every pair of its points: their nearest is final
            q0 = int(pair_q[0])
            local = pair_q - q0
            n_local = int(local[-1]) + 1
            low = grouped_min(local, pair_d, n_local, np.inf)
            best = pair_d == low[local]
            lowest = grouped_min(local[best], pair_t[best].astype(np.int64), n_local, no_target)
            has = np.flatnonzero(np.isfinite(low))
            least[q0 + has], first[q0 + has] = low[has], lowest[has]
        found = np.isfinite(least)
        index[todo[found]], distance[todo[found]] = first[found], least[found]
        todo = todo[~found]
        if radius >= reach_all:
            break
        radius = min(2.0 * radius, reach_all)
    return index, distance
