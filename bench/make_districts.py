"""Synthetic districts for the benchmarks: a tessellation of N irregular polygons with indicators.

    .venv/bin/python bench/make_districts.py 100000 [--out bench/data/districts_100000.gpkg]

The districts tile a near-square grid in EPSG:25832 (UTM 32N, 500 m cells). Cell corners are
shifted at random and every edge carries ``--edge-points`` extra vertices, shared by both
neighbours, so the cells are irregular, valid and gap-free polygons of 4 * (edge_points + 1) + 1
vertices (default 33), nearer real district outlines than plain squares.

Fields (layer ``districts``):
  id        text, "Q000001" ...
  pop       int, log-normal around 2,500 inhabitants; about 3 % of the districts lie below 300
  i01..i10  rates in %, two decimals, correlated through a latent social-status factor s that
            varies smoothly over the city plus local noise:  x = base * exp(loading * s + 0.25 e),
            e ~ N(0, 1), clipped to 0..100. The log-normal form makes the rates right-skewed,
            as poverty rates are.

Deterministic: the same N and ``--seed`` give the same file. Written with OGR in one
transaction; 100,000 districts take a few seconds.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

CELL = 500.0                   # cell size in metres
ORIGIN = (350000.0, 5600000.0)  # south-west corner, inside UTM zone 32N
CORNER_JITTER = 0.15           # corner shift, share of the cell size
EDGE_JITTER = 0.06             # sideways shift of the extra edge vertices, share of the cell size
BELOW_MINIMUM_SHARE = 0.03     # share of districts with fewer than 300 inhabitants
# (base rate in %, loading on the latent factor) of the ten indicators
INDICATORS = [
    (9.0, 0.55), (6.0, 0.45), (14.0, 0.60), (18.0, 0.30), (4.0, 0.50),
    (25.0, 0.35), (11.0, 0.40), (7.5, 0.50), (3.0, 0.65), (30.0, 0.20),
]


def grid_shape(n):
    """(columns, rows) of the smallest near-square grid with at least ``n`` cells."""
    columns = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / columns))
    return columns, rows


def rings(n, edge_points, rng, cell=CELL):
    """Exterior rings of the ``n`` cells (``cell`` metres wide) as an array (n, 4 * (edge_points + 1) + 1, 2)
    in metres.

    Neighbouring cells share their corner and edge vertices, so the cells tile without gaps.
    """
    nx, ny = grid_shape(n)
    k = edge_points
    corners = np.stack(np.meshgrid(np.arange(nx + 1, dtype=float), np.arange(ny + 1, dtype=float),
                                   indexing="ij"), axis=-1)
    corners += rng.uniform(-CORNER_JITTER, CORNER_JITTER, corners.shape)
    t = np.arange(1, k + 1) / (k + 1)

    def edge(start, end):
        """k points between ``start`` and ``end`` (arrays (..., 2)), shifted sideways at random."""
        direction = end - start
        normal = np.stack([-direction[..., 1], direction[..., 0]], axis=-1)
        normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
        offset = rng.uniform(-EDGE_JITTER, EDGE_JITTER, start.shape[:-1] + (k, 1))
        return start[..., None, :] + t[:, None] * direction[..., None, :] + offset * normal[..., None, :]

    horizontal = edge(corners[:-1, :, :], corners[1:, :, :])  # (nx, ny + 1, k, 2): (i, j) -> (i + 1, j)
    vertical = edge(corners[:, :-1, :], corners[:, 1:, :])    # (nx + 1, ny, k, 2): (i, j) -> (i, j + 1)
    i, j = np.divmod(np.arange(n), ny)
    parts = [
        corners[i, j][:, None], horizontal[i, j],              # bottom, west to east
        corners[i + 1, j][:, None], vertical[i + 1, j],        # right, south to north
        corners[i + 1, j + 1][:, None], horizontal[i, j + 1][:, ::-1],  # top, east to west
        corners[i, j + 1][:, None], vertical[i, j][:, ::-1],   # left, north to south
        corners[i, j][:, None],                                # closed
    ]
    ring = np.concatenate(parts, axis=1)
    return ring * cell + np.array(ORIGIN), (i, j), (nx, ny)


def polygon_wkb(ring):
    """ISO WKB (little endian) of single-ring polygons: (n, m, 2) coordinates -> list of bytes."""
    n, m, _ = ring.shape
    header = np.zeros(n, dtype=[("order", "u1"), ("type", "<u4"), ("rings", "<u4"), ("points", "<u4")])
    header["order"], header["type"], header["rings"], header["points"] = 1, 3, 1, m
    body = np.ascontiguousarray(ring, dtype="<f8").reshape(n, -1)
    blob = np.concatenate([header.view("u1").reshape(n, -1), body.view("u1").reshape(n, -1)], axis=1)
    return [row.tobytes() for row in blob]


def attributes(n, cells, shape, rng):
    """Population and the ten indicator rates (see the module docstring)."""
    i, j = cells
    nx, ny = shape
    u, v = i / max(nx, 1), j / max(ny, 1)
    # a few "problem quarters" and a gradient from the centre: smooth over the city
    smooth = (np.sin(2 * np.pi * (2.3 * u + 0.4)) * np.cos(2 * np.pi * (1.7 * v + 0.1))
              + 0.8 * np.sin(2 * np.pi * (5.1 * u * v + 0.2)) - 0.6 * np.hypot(u - 0.5, v - 0.5))
    status = (smooth - smooth.mean()) / (smooth.std() or 1.0) * 0.8 + rng.normal(0.0, 0.6, n)
    population = np.round(rng.lognormal(np.log(2500.0), 0.55, n)).astype(np.int64)
    small = rng.random(n) < BELOW_MINIMUM_SHARE
    population[small] = rng.integers(20, 300, int(small.sum()))
    population = np.maximum(population, 300 * ~small)
    rates = []
    for base, loading in INDICATORS:
        value = base * np.exp(loading * status + 0.25 * rng.normal(0.0, 1.0, n))
        rates.append(np.round(np.clip(value, 0.0, 100.0), 2))
    return population, np.column_stack(rates)


def write(path, ids, population, rates, wkbs):
    """Write the layer ``districts`` to the GeoPackage ``path`` (replaced if it exists)."""
    from osgeo import ogr, osr

    ogr.UseExceptions()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    data = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    crs = osr.SpatialReference()
    crs.ImportFromEPSG(25832)
    layer = data.CreateLayer("districts", crs, ogr.wkbPolygon, ["FID=fid", "GEOMETRY_NAME=geom"])
    layer.CreateField(ogr.FieldDefn("id", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("pop", ogr.OFTInteger))
    names = ["i{:02d}".format(k + 1) for k in range(rates.shape[1])]
    for name in names:
        layer.CreateField(ogr.FieldDefn(name, ogr.OFTReal))
    definition = layer.GetLayerDefn()
    layer.StartTransaction()
    for n in range(len(ids)):
        feature = ogr.Feature(definition)
        feature.SetField(0, ids[n])
        feature.SetField(1, int(population[n]))
        for k in range(rates.shape[1]):
            feature.SetField(2 + k, float(rates[n, k]))
        feature.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkbs[n]))
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    data = None


def make_districts(n, out, seed=25832, edge_points=7, cell=CELL):
    """Generate ``n`` districts (cells about ``cell`` metres wide) into the GeoPackage ``out``; returns the path."""
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = np.random.default_rng(seed)
    ring, cells, shape = rings(n, edge_points, rng, cell)
    population, rates = attributes(n, cells, shape, rng)
    ids = ["Q{:06d}".format(k + 1) for k in range(n)]
    write(out, ids, population, rates, polygon_wkb(ring))
    return Path(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of districts")
    parser.add_argument("--out", help="GeoPackage to write (default bench/data/districts_N.gpkg)")
    parser.add_argument("--seed", type=int, default=25832)
    parser.add_argument("--edge-points", type=int, default=7, help="extra vertices per cell edge")
    args = parser.parse_args(argv)
    out = args.out or Path(__file__).resolve().parent / "data" / "districts_{}.gpkg".format(args.n)
    start = time.perf_counter()
    path = make_districts(args.n, out, args.seed, args.edge_points)
    print("{} districts -> {} ({:.1f} s)".format(args.n, path, time.perf_counter() - start))


if __name__ == "__main__":
    sys.exit(main())
