"""Synthetic inputs for the state benchmark: a 100 m population grid of a state, services, municipalities.

    .venv/bin/python bench/make_state_data.py [--cells 1000000 3000000] [--out bench/data]

A square state in EPSG:25832 (south-west corner at ``make_districts.ORIGIN``) three times as large as
its inhabited cells: ``n`` inhabited 100 m cells lie in ``3 n`` cells of land, so 3,000,000 cells
take a state of 300 x 300 km and 1,000,000 cells one of 173.2 x 173.2 km (a third of the area)
drawn by the same process at the same density. Written with OGR, one GeoPackage per layer:

  state_grid_N.gpkg           ``zensus_100m``: the N inhabited cells as points at the cell centre
                              (``id``, ``einwohner`` >= 1). As in the Zensus grids, cells with nobody
                              living there are not in the layer. Settlements: one municipality seat
                              per 36 km^2 (a jittered 6 km lattice) of log-normal size (sigma 1.5,
                              so a few large cities), made of 1 + Poisson(2 sqrt(size)) quarters;
                              Poisson(10) villages per municipality (log-normal sizes, median 0.08 of
                              a median seat); 0.4 % of the draws scattered evenly (single farms). Draws
                              fall around each settlement (normal, sigma growing with size^0.4, so big
                              cities have denser cores) until N distinct cells are hit; a cell's
                              ``einwohner`` grows with its hits (1.1 hits^1.1, log-normal noise sigma
                              0.5, at least 1): dense cores of hundreds to a few thousand, village
                              and fringe cells of a few, mean about 26.
  state_services_N.gpkg       ``einrichtungen``: N / 150 services (20,000 for 3,000,000 cells; ``id``,
                              ``name``, ``plaetze`` 15..120), each in a cell drawn with probability
                              proportional to its ``einwohner``, anywhere inside that cell.
  state_municipalities_N.gpkg ``gemeinden``: the municipalities (districts), the Voronoi cells of the
                              seats clipped to the state (2,500 for 3,000,000 cells, 841 for
                              1,000,000); every border between two municipalities bends (a smooth
                              wiggle of three harmonics, each up to 4 % of its length; one vertex
                              every 250 m, shared by both neighbours), about 90 vertices a polygon
                              (36 km^2 on average). ``id`` "G0001" ...

Deterministic: the same N and ``--seed`` give the same files (every N has its own random streams).
3,000,000 cells take about 100 s to draw and write, 1,000,000 about 35 s.
"""

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from make_coverage_data import _layer, _write, point_wkbs  # noqa: E402  (the bench folder is no package)
from make_districts import ORIGIN  # noqa: E402

CELL = 100.0                # grid cell, metres
LAND_PER_CELL = 3           # cells of land per inhabited cell
SEAT_SPACING = 6000.0       # municipality lattice, metres (one seat per 36 km^2)
SEAT_JITTER = 0.35          # seat shift, share of the lattice spacing
SEAT_SIGMA = 1.5            # log-normal sigma of the seats' sizes
SEAT_SPREAD = 350.0         # metres: sigma of a seat of size 1 (grows with size^SPREAD_POWER)
VILLAGES = 10               # villages per municipality (Poisson mean)
VILLAGE_SIZE = 0.08         # median village size against a median seat
VILLAGE_SPREAD = 180.0      # metres: sigma of a median village
SPREAD_POWER = 0.4
SCATTERED = 0.004           # share of the draws spread evenly over the land
POINTS_PER_SERVICE = 150
BORDER_STEP = 250.0         # metres between the vertices of a municipality border
BORDER_WIGGLE = 0.08        # each of a border's three harmonics bends it by up to half this share of its length


def state_side(n):
    """Cells per side of the square state holding ``n`` inhabited cells."""
    return int(round(math.sqrt(n * LAND_PER_CELL)))


def seats(n, rng):
    """Municipality seats ``(k * k, 2)`` in metres from the state's corner: a jittered lattice."""
    side = state_side(n) * CELL
    k = max(int(round(side / SEAT_SPACING)), 1)
    spacing = side / k
    lattice = (np.stack(np.meshgrid(np.arange(k), np.arange(k), indexing="ij"), axis=-1).reshape(-1, 2) + 0.5)
    return lattice * spacing + rng.uniform(-SEAT_JITTER * spacing, SEAT_JITTER * spacing, (k * k, 2)), k


def settlements(n, seed):
    """``(seats, lattice k, centres, weights, sigmas)``: the municipality seats and every settlement
    (quarters of the seats, villages) with its share of the draws and its spread."""
    rng = np.random.default_rng([seed, 10, n])
    seat, k = seats(n, rng)
    spacing = state_side(n) * CELL / k
    size = rng.lognormal(0.0, SEAT_SIGMA, seat.shape[0])
    spread = SEAT_SPREAD * size ** SPREAD_POWER
    quarters = 1 + rng.poisson(2.0 * np.sqrt(size))
    owner = np.repeat(np.arange(seat.shape[0]), quarters)
    quarter_centre = seat[owner] + rng.normal(0.0, 1.0, (owner.size, 2)) * 0.8 * spread[owner, None]
    villages = rng.poisson(VILLAGES, seat.shape[0])
    village_centre = np.repeat(seat, villages, axis=0) + rng.uniform(-0.5, 0.5, (villages.sum(), 2)) * spacing
    village_size = rng.lognormal(math.log(VILLAGE_SIZE), 0.8, villages.sum())
    centres = np.concatenate([quarter_centre, village_centre])
    weights = np.concatenate([size[owner] / quarters[owner], village_size])
    sigmas = np.concatenate([0.6 * spread[owner], VILLAGE_SPREAD * (village_size / VILLAGE_SIZE) ** SPREAD_POWER])
    return seat, k, centres, weights / weights.sum(), sigmas


def grid_cells(n, seed):
    """``(x, y, einwohner)`` of the ``n`` inhabited cells (centres, EPSG:25832), ordered by row then column.

    Draws fall around the settlements (see the module text) in batches until ``n`` distinct cells
    are hit; the draws up to the one that hit the ``n``-th new cell count as the cells' hits.
    """
    side = state_side(n)
    length = side * CELL
    _, _, centres, weights, sigmas = settlements(n, seed)
    rng = np.random.default_rng([seed, 11, n])
    hits = np.zeros(side * side, dtype=np.int32)
    found = 0
    while found < n:
        batch = max(n, 1_000_000)
        pick = rng.choice(weights.size, size=batch, p=weights)
        xy = centres[pick] + rng.normal(0.0, 1.0, (batch, 2)) * sigmas[pick, None]
        even = rng.random(batch) < SCATTERED
        xy[even] = rng.uniform(0.0, length, (int(even.sum()), 2))
        cell = np.floor(xy / CELL).astype(np.int64)
        cell = cell[np.all((cell >= 0) & (cell < side), axis=1)]
        code = cell[:, 1] * side + cell[:, 0]
        new, first = np.unique(code, return_index=True)
        first = np.sort(first[hits[new] == 0])
        if found + first.size >= n:  # the batch holds the n-th new cell: keep the draws up to it
            code = code[:first[n - found - 1] + 1]
        found += min(first.size, n - found)
        hits += np.bincount(code, minlength=side * side).astype(np.int32)
    cells = np.flatnonzero(hits)
    people = np.maximum(1, np.round(1.1 * hits[cells] ** 1.1 * rng.lognormal(0.0, 0.5, cells.size))).astype(np.int64)
    row, column = np.divmod(cells, side)
    return (column + 0.5) * CELL + ORIGIN[0], (row + 0.5) * CELL + ORIGIN[1], people


def services(n, x, y, people, seed):
    """``(xy, plaetze)`` of ``n / POINTS_PER_SERVICE`` services, each in a cell drawn by its inhabitants."""
    rng = np.random.default_rng([seed, 12, n])
    s = int(round(n / POINTS_PER_SERVICE))
    cell = rng.choice(people.size, size=s, p=people / people.sum())
    xy = np.column_stack([x[cell], y[cell]]) + rng.uniform(-CELL / 2, CELL / 2, (s, 2))
    return xy, rng.integers(15, 121, s)


def _clip(polygon, labels, point, normal, label):
    """The part of the convex ``polygon`` (list of vertices) where ``(p - point) . normal <= 0``.

    ``labels[k]`` names what made the edge from vertex k to k + 1; the cut edge gets ``label``."""
    out, out_labels = [], []
    m = len(polygon)
    side = [(v[0] - point[0]) * normal[0] + (v[1] - point[1]) * normal[1] for v in polygon]
    for k in range(m):
        a, b = polygon[k], polygon[(k + 1) % m]
        sa, sb = side[k], side[(k + 1) % m]
        if sa <= 0:
            out.append(a)
            out_labels.append(labels[k])
        if (sa <= 0) != (sb <= 0):
            t = sa / (sa - sb)
            out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
            out_labels.append(labels[k] if sa > 0 else label)
    return out, out_labels


def voronoi_cells(seat, k, length):
    """Voronoi cells of the seats (a jittered ``k`` x ``k`` lattice) inside the square ``[0, length]^2``:
    per seat ``(vertices, labels)``, a label being the neighbour whose bisector made the edge (-1: the
    state's border). Sites more than 3 lattice steps away cannot share an edge with a jittered cell."""
    cells = []
    for i in range(seat.shape[0]):
        a, b = divmod(i, k)
        polygon = [(0.0, 0.0), (length, 0.0), (length, length), (0.0, length)]
        labels = [-1] * 4
        for da in range(-3, 4):
            for db in range(-3, 4):
                if (da or db) and 0 <= a + da < k and 0 <= b + db < k:
                    j = (a + da) * k + b + db
                    middle = (seat[i] + seat[j]) / 2
                    polygon, labels = _clip(polygon, labels, middle, seat[j] - seat[i], j)
        cells.append((polygon, labels))
    return cells


def _border(p, q, i, j, seat, seed):
    """Inner vertices of the border between seats ``i`` and ``j`` from ``p`` to ``q``: every
    ``BORDER_STEP`` metres, bent sideways by a smooth wiggle that vanishes at both ends. Computed in
    the order of the lower seat number, so both neighbours get the same vertices."""
    if i > j:
        return _border(q, p, j, i, seat, seed)[::-1]
    p, q = np.asarray(p), np.asarray(q)
    length = float(np.hypot(*(q - p)))
    steps = int(length // BORDER_STEP)
    if steps < 2:
        return []
    rng = np.random.default_rng([seed, 13, i, j])
    u = np.arange(1, steps) / steps
    normal = np.array([p[1] - q[1], q[0] - p[0]]) / length
    amplitude = rng.uniform(-1.0, 1.0, 3) * BORDER_WIGGLE * length / 2
    phase = rng.uniform(0.0, 2 * np.pi, 3)
    bend = np.sin(np.pi * u) * sum(a * np.sin(np.pi * (f + 1) * u + ph) for f, (a, ph) in enumerate(zip(amplitude,
                                                                                                         phase)))
    return [tuple(v) for v in p + u[:, None] * (q - p) + bend[:, None] * normal]


def municipalities(n, seed):
    """Rings (lists of ``(x, y)``, closed) of the municipalities in EPSG:25832, one per seat."""
    rng = np.random.default_rng([seed, 10, n])
    seat, k = seats(n, rng)
    length = state_side(n) * CELL
    rings = []
    # vertices rounded to the millimetre: both neighbours compute a shared corner in another order
    for polygon, labels in voronoi_cells(seat, k, length):
        polygon = [(round(x, 3), round(y, 3)) for x, y in polygon]
        ring = []
        for m, (vertex, label) in enumerate(zip(polygon, labels)):
            ring.append(vertex)
            if label >= 0:
                ring += _border(vertex, polygon[(m + 1) % len(polygon)], len(rings), label, seat, seed)
        ring.append(ring[0])
        rings.append([(x + ORIGIN[0], y + ORIGIN[1]) for x, y in ring])
    return rings


def polygon_wkbs(rings):
    """ISO WKB (little endian) of single-ring polygons of any vertex count."""
    wkbs = []
    for ring in rings:
        header = np.zeros(1, dtype=[("order", "u1"), ("type", "<u4"), ("rings", "<u4"), ("points", "<u4")])
        header["order"], header["type"], header["rings"], header["points"] = 1, 3, 1, len(ring)
        wkbs.append(header.tobytes() + np.asarray(ring, dtype="<f8").tobytes())
    return wkbs


def paths(out):
    """File names of the state benchmark's inputs in folder ``out``, by number of inhabited cells."""
    out = Path(out)
    return {"grid": lambda n: out / "state_grid_{}.gpkg".format(n),
            "services": lambda n: out / "state_services_{}.gpkg".format(n),
            "municipalities": lambda n: out / "state_municipalities_{}.gpkg".format(n)}


def write_state(n, out, seed=25832, force=False, log=print):
    """Write the grid, services and municipalities of ``n`` inhabited cells that do not exist yet (all with
    ``force``) into ``out``; returns ``{"grid": path, "services": path, "municipalities": path}``."""
    from osgeo import ogr

    files = {key: make(n) for key, make in paths(out).items()}
    if not force and all(path.exists() for path in files.values()):
        return files
    started = time.perf_counter()
    x, y, people = grid_cells(n, seed)
    data, layer = _layer(files["grid"], "zensus_100m", ogr.wkbPoint, [("id", ogr.OFTInteger),
                                                                       ("einwohner", ogr.OFTInteger)])
    _write(layer, zip(range(1, n + 1), people.tolist()), point_wkbs(np.column_stack([x, y])))
    data = None
    xy, places = services(n, x, y, people, seed)
    data, layer = _layer(files["services"], "einrichtungen", ogr.wkbPoint,
                         [("id", ogr.OFTInteger), ("name", ogr.OFTString), ("plaetze", ogr.OFTInteger)])
    _write(layer, ((j, "Kita {:05d}".format(j), p) for j, p in zip(range(1, len(places) + 1), places.tolist())),
           point_wkbs(xy))
    data = None
    rings = municipalities(n, seed)
    data, layer = _layer(files["municipalities"], "gemeinden", ogr.wkbPolygon, [("id", ogr.OFTString)])
    _write(layer, (("G{:04d}".format(k + 1),) for k in range(len(rings))), polygon_wkbs(rings))
    data = None
    log("generated state data for {:,} cells: {:,} inhabitants, {:,} services, {:,} municipalities ({:.1f} s)"
        .format(n, int(people.sum()), len(places), len(rings), time.perf_counter() - started))
    return files


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, nargs="+", default=[1000000, 3000000])
    parser.add_argument("--out", type=Path, default=BENCH / "data")
    parser.add_argument("--seed", type=int, default=25832)
    parser.add_argument("--force", action="store_true", help="write the files again even if they exist")
    args = parser.parse_args(argv)
    for n in args.cells:
        write_state(n, args.out, args.seed, args.force)


if __name__ == "__main__":
    sys.exit(main())
