"""Synthetic inputs for the service-coverage benchmark: demand points, services, districts, a path network.

    .venv/bin/python bench/make_coverage_data.py [--demand 50000 1000000] [--services 2000 5000] [--city] \
        [--out bench/data]

Everything lies in one square city of 22 km in EPSG:25832 (UTM 32N), south-west corner at
``make_districts.ORIGIN``, and is written with OGR into one GeoPackage per layer:

  coverage_network.gpkg       ``wege``: a noded grid of walking paths, 224 x 224 nodes about 100 m
                              apart (each shifted by up to +-25 m), 99,904 edges; every edge is a line
                              from node to node with a middle vertex shifted sideways by up to +-10 m,
                              so neighbouring edges share their end points exactly.
  coverage_districts.gpkg     ``districts``: 44 x 44 = 1,936 irregular 500 m cells with id / pop / i01..i10,
                              made by ``make_districts.make_districts`` (same generator as the index bench).
  coverage_demand_N.gpkg      ``nachfrage``: N demand points (addresses) with ``id`` and ``kinder`` (children,
                              1 + Poisson(0.8), never 0). 85 % lie around 15 town centres (normal
                              distributions, sigma 0.6 to 2.5 km, centres weighted log-normally), 15 % are
                              spread evenly; all inside [200 m, 21.8 km] on both axes.
  coverage_services_S.gpkg    ``einrichtungen``: S services (``id``, ``name``, ``plaetze`` 15..120 places),
                              each near a random demand location of the same town pattern (offset normal,
                              sigma 200 m): services are where the people are.

The city network scenario (``make_city_data``, ``--city``) has inputs of its own over the same square:

  coverage_city_network.gpkg  ``wege``: streets as mapped (OpenStreetMap ways, ATKIS paths): long lines
                              that pass through the crossings as shared vertices without being split
                              there. A lattice of 252 x 252 nodes, warped so that the spacing is 60 %
                              of the mean in the centre and grows outwards (the corners fall outside the
                              city and are left out), nodes shifted by up to 20 % of their spacing, 12 %
                              of the links left out (irregular blocks, dead ends, a few detached bits);
                              each link bent sideways at its middle by up to 10 m; the links along a
                              lattice row or column joined into streets of 1 to 12 links. Split at its
                              shared vertices it has about 100,000 edges (the count is logged).
  coverage_city_addresses_500000.gpkg  ``nachfrage``: 500,000 addresses (``id``, ``kinder`` = 1 +
                              Poisson(0.8)) beside the streets (8-25 m off a link), more where the town
                              pattern above is dense (links drawn by length x density).
  coverage_city_services_1000.gpkg  ``einrichtungen``: 1,000 services (``id``, ``name``, ``plaetze``
                              15..120), each 30 m (sigma) from an address drawn by its ``kinder``.

Deterministic: the same sizes and ``--seed`` give the same files (each size has its own random
stream, so adding a size changes no other file). The town centres come from the seed alone, so
all sizes share one city. 1,000,000 points take about half a minute to write.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from make_districts import ORIGIN, make_districts  # noqa: E402  (the bench folder is no package)

EPSG = 25832
SIDE = 22000.0              # city square in metres (the districts' extent)
MARGIN = 200.0              # demand points and services keep this far from the city's edge
GRID_NODES = 224            # network nodes per row and column
GRID_SPACING = 100.0        # metres between neighbouring network nodes
NODE_JITTER = 25.0          # node shift, metres
BEND_JITTER = 10.0          # sideways shift of an edge's middle vertex, metres
DISTRICT_GRID = 44          # districts per row and column (500 m cells)
TOWNS = 15
TOWN_SHARE = 0.85           # share of the demand points around town centres
SERVICE_OFFSET = 200.0      # sigma of a service's offset from its demand location, metres
CITY_NODES = 252            # city network: lattice nodes per row and column before the warp
CITY_CORE = 0.6             # node spacing in the centre, share of the mean spacing
CITY_NODE_JITTER = 0.2      # node shift, share of the local spacing
CITY_DROP = 0.12            # share of the lattice links left out
CITY_STREET_LINKS = 12      # a street joins 1 .. this many links
CITY_ADDRESSES = 500000
CITY_SERVICES = 1000
ADDRESS_OFFSET = (8.0, 25.0)  # metres from the street


def towns(seed):
    """``(centres (TOWNS, 2), weights, sigmas)`` of the town pattern, from the seed alone."""
    rng = np.random.default_rng([seed, 0])
    centres = rng.uniform(2000.0, SIDE - 2000.0, (TOWNS, 2))
    weights = rng.lognormal(0.0, 0.7, TOWNS)
    sigmas = rng.uniform(600.0, 2500.0, TOWNS)
    return centres, weights / weights.sum(), sigmas


def town_points(n, pattern, rng):
    """``n`` locations (metres from the corner): ``TOWN_SHARE`` around the town centres, the rest even.

    Points that fall outside the margin are drawn again, so the pattern keeps its shape near edges.
    """
    centres, weights, sigmas = pattern
    out = np.empty((0, 2))
    while out.shape[0] < n:
        m = n - out.shape[0]
        town = rng.choice(TOWNS, size=m, p=weights)
        clustered = centres[town] + rng.normal(0.0, 1.0, (m, 2)) * sigmas[town][:, None]
        even = rng.uniform(MARGIN, SIDE - MARGIN, (m, 2))
        points = np.where((rng.random(m) < TOWN_SHARE)[:, None], clustered, even)
        inside = np.all((points >= MARGIN) & (points <= SIDE - MARGIN), axis=1)
        out = np.concatenate([out, points[inside]])
    return out[:n]


def demand_points(n, seed):
    """``(xy, kinder)`` of ``n`` demand points in EPSG:25832."""
    rng = np.random.default_rng([seed, 1, n])
    xy = town_points(n, towns(seed), rng) + np.asarray(ORIGIN)
    children = 1 + rng.poisson(0.8, n)
    return xy, children


def services(s, seed):
    """``(xy, plaetze)`` of ``s`` services near the demand pattern, in EPSG:25832."""
    rng = np.random.default_rng([seed, 2, s])
    anchors = town_points(s, towns(seed), rng)
    xy = np.clip(anchors + rng.normal(0.0, SERVICE_OFFSET, (s, 2)), MARGIN, SIDE - MARGIN) + np.asarray(ORIGIN)
    places = rng.integers(15, 121, s)
    return xy, places


def network(seed):
    """Edges of the path grid as an array (E, 3, 2): start node, bent middle, end node."""
    rng = np.random.default_rng([seed, 3])
    k = np.arange(GRID_NODES) * GRID_SPACING
    nodes = np.stack(np.meshgrid(k, k, indexing="ij"), axis=-1)
    nodes += rng.uniform(-NODE_JITTER, NODE_JITTER, nodes.shape)
    nodes += np.asarray(ORIGIN) + (SIDE - (GRID_NODES - 1) * GRID_SPACING) / 2  # centred on the city
    starts = np.concatenate([nodes[:-1, :].reshape(-1, 2), nodes[:, :-1].reshape(-1, 2)])
    ends = np.concatenate([nodes[1:, :].reshape(-1, 2), nodes[:, 1:].reshape(-1, 2)])
    direction = ends - starts
    normal = np.stack([-direction[:, 1], direction[:, 0]], axis=1) / np.linalg.norm(direction, axis=1)[:, None]
    middle = (starts + ends) / 2 + normal * rng.uniform(-BEND_JITTER, BEND_JITTER, (starts.shape[0], 1))
    return np.stack([starts, middle, ends], axis=1)


def city_nodes(seed):
    """Nodes of the city lattice, (CITY_NODES, CITY_NODES, 2) in EPSG:25832; NaN where outside the city.

    A node at ``u`` (lattice position, -1..1 from the centre, rho = |u|) goes to distance
    ``SIDE / 2 (a rho + (1 - a) rho^2)`` from the centre (a = ``CITY_CORE``): the spacing is a times the
    mean in the centre and grows outwards."""
    rng = np.random.default_rng([seed, 4])
    half = SIDE / 2
    u = np.linspace(-1.0, 1.0, CITY_NODES)
    lattice = np.stack(np.meshgrid(u, u, indexing="ij"), axis=-1)
    stretch = CITY_CORE + (1 - CITY_CORE) * np.hypot(lattice[..., 0], lattice[..., 1])
    spacing = half * 2 / (CITY_NODES - 1) * stretch  # along the rings; across them it is larger
    nodes = half + lattice * (half * stretch)[..., None]
    nodes += rng.uniform(-1.0, 1.0, nodes.shape) * CITY_NODE_JITTER * spacing[..., None]
    nodes[~np.all((nodes >= MARGIN) & (nodes <= SIDE - MARGIN), axis=-1)] = np.nan
    return nodes + np.asarray(ORIGIN)


def city_streets(seed):
    """``(streets, links)``: the street lines (list of (m, 2) arrays) and every link (L, 3, 2): start node,
    bent middle, end node. Links along a lattice row or column are joined into streets of 1 to
    ``CITY_STREET_LINKS`` links; a street ends where a link is left out."""
    nodes = city_nodes(seed)
    rng = np.random.default_rng([seed, 5])
    streets, links = [], []
    for along in (nodes, nodes.transpose(1, 0, 2)):  # rows, then columns
        for line in along:
            start, end = line[:-1], line[1:]
            kept = ~(np.isnan(start).any(axis=1) | np.isnan(end).any(axis=1)) & (rng.random(len(start)) >= CITY_DROP)
            direction = end - start
            length = np.hypot(direction[:, 0], direction[:, 1])
            with np.errstate(invalid="ignore", divide="ignore"):
                normal = np.stack([-direction[:, 1], direction[:, 0]], axis=1) / length[:, None]
            middle = (start + end) / 2 + normal * rng.uniform(-BEND_JITTER, BEND_JITTER, (len(start), 1))
            breaks = set(np.cumsum(rng.integers(1, CITY_STREET_LINKS + 1, len(start))).tolist())
            street = []
            for k in range(len(start)):
                if street and (not kept[k] or k in breaks):
                    streets.append(np.asarray(street + [start[k]]))
                    street = []
                if kept[k]:
                    street += [start[k], middle[k]]
                    links.append((start[k], middle[k], end[k]))
            if street:
                streets.append(np.asarray(street + [end[len(start) - 1]]))
    return streets, np.asarray(links)


def city_addresses(links, n, seed):
    """``(xy, kinder)`` of ``n`` addresses beside the ``links``, drawn by link length x the town pattern's
    density at the link (the pattern's share around the towns, the rest even)."""
    rng = np.random.default_rng([seed, 6, n])
    centres, weights, sigmas = towns(seed)
    middle = links[:, 1] - np.asarray(ORIGIN)
    squared = ((middle[:, None, :] - centres[None]) ** 2).sum(axis=2)
    density = TOWN_SHARE * (weights * np.exp(-squared / (2 * sigmas ** 2)) / (2 * np.pi * sigmas ** 2)).sum(axis=1) \
        + (1 - TOWN_SHARE) / SIDE ** 2
    length = np.hypot(*(links[:, 1] - links[:, 0]).T) + np.hypot(*(links[:, 2] - links[:, 1]).T)
    link = rng.choice(len(links), size=n, p=length * density / (length * density).sum())
    second = rng.random(n) < 0.5  # on the link's second half
    a = np.where(second[:, None], links[link, 1], links[link, 0])
    b = np.where(second[:, None], links[link, 2], links[link, 1])
    along = b - a
    normal = np.stack([-along[:, 1], along[:, 0]], axis=1) / np.hypot(along[:, 0], along[:, 1])[:, None]
    offset = rng.uniform(*ADDRESS_OFFSET, n) * rng.choice([-1.0, 1.0], n)
    xy = a + rng.random(n)[:, None] * along + offset[:, None] * normal
    return xy, 1 + rng.poisson(0.8, n)


def city_services(address_xy, children, s, seed):
    """``(xy, plaetze)`` of ``s`` services, each 30 m (sigma) from an address drawn by its children."""
    rng = np.random.default_rng([seed, 7, s])
    at = rng.choice(len(children), size=s, p=children / children.sum())
    return address_xy[at] + rng.normal(0.0, 30.0, (s, 2)), rng.integers(15, 121, s)


def _layer(path, name, geometry_type, fields):
    """A new GeoPackage ``path`` (replaced) with one layer; returns ``(data source, layer)``."""
    from osgeo import ogr, osr

    ogr.UseExceptions()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    data = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    crs = osr.SpatialReference()
    crs.ImportFromEPSG(EPSG)
    layer = data.CreateLayer(name, crs, geometry_type, ["FID=fid", "GEOMETRY_NAME=geom"])
    for field, kind in fields:
        layer.CreateField(ogr.FieldDefn(field, kind))
    return data, layer


def _write(layer, rows, wkbs):
    """Features with attributes ``rows`` (tuples in field order) and geometries ``wkbs`` in one transaction."""
    from osgeo import ogr

    definition = layer.GetLayerDefn()
    layer.StartTransaction()
    for row, wkb in zip(rows, wkbs):
        feature = ogr.Feature(definition)
        for k, value in enumerate(row):
            feature.SetField(k, value)
        feature.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb))
        layer.CreateFeature(feature)
    layer.CommitTransaction()


def point_wkbs(xy):
    """ISO WKB (little endian) of points: (n, 2) -> list of bytes."""
    record = np.zeros(xy.shape[0], dtype=[("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])
    record["order"], record["type"], record["x"], record["y"] = 1, 1, xy[:, 0], xy[:, 1]
    return [row.tobytes() for row in record.view("u1").reshape(xy.shape[0], -1)]


def line_wkbs(lines):
    """ISO WKB of line strings: (n, m, 2) -> list of bytes."""
    n, m, _ = lines.shape
    header = np.zeros(n, dtype=[("order", "u1"), ("type", "<u4"), ("points", "<u4")])
    header["order"], header["type"], header["points"] = 1, 2, m
    body = np.ascontiguousarray(lines, dtype="<f8").reshape(n, -1)
    blob = np.concatenate([header.view("u1").reshape(n, -1), body.view("u1").reshape(n, -1)], axis=1)
    return [row.tobytes() for row in blob]


def linestring_wkbs(lines):
    """ISO WKB of line strings of any vertex count: list of (m, 2) arrays -> list of bytes."""
    header = np.zeros(1, dtype=[("order", "u1"), ("type", "<u4"), ("points", "<u4")])
    header["order"], header["type"] = 1, 2
    wkbs = []
    for line in lines:
        header["points"] = len(line)
        wkbs.append(header.tobytes() + np.ascontiguousarray(line, dtype="<f8").tobytes())
    return wkbs


def write_demand(n, path, seed):
    from osgeo import ogr

    xy, children = demand_points(n, seed)
    data, layer = _layer(path, "nachfrage", ogr.wkbPoint, [("id", ogr.OFTInteger), ("kinder", ogr.OFTInteger)])
    _write(layer, zip(range(1, n + 1), children.tolist()), point_wkbs(xy))
    data = None
    return path


def write_services(s, path, seed):
    from osgeo import ogr

    xy, places = services(s, seed)
    data, layer = _layer(path, "einrichtungen", ogr.wkbPoint,
                         [("id", ogr.OFTInteger), ("name", ogr.OFTString), ("plaetze", ogr.OFTInteger)])
    rows = ((j, "Kita {:04d}".format(j), p) for j, p in zip(range(1, s + 1), places.tolist()))
    _write(layer, rows, point_wkbs(xy))
    data = None
    return path


def write_network(path, seed):
    from osgeo import ogr

    lines = network(seed)
    data, layer = _layer(path, "wege", ogr.wkbLineString, [("id", ogr.OFTInteger)])
    _write(layer, ((e,) for e in range(1, lines.shape[0] + 1)), line_wkbs(lines))
    data = None
    return path


def write_city(files, seed, log):
    """The city network scenario's street lines, addresses and services (see the module text)."""
    from osgeo import ogr

    streets, links = city_streets(seed)
    data, layer = _layer(files["city_network"], "wege", ogr.wkbLineString, [("id", ogr.OFTInteger)])
    _write(layer, ((e,) for e in range(1, len(streets) + 1)), linestring_wkbs(streets))
    data = None
    xy, children = city_addresses(links, CITY_ADDRESSES, seed)
    data, layer = _layer(files["city_addresses"], "nachfrage", ogr.wkbPoint,
                         [("id", ogr.OFTInteger), ("kinder", ogr.OFTInteger)])
    _write(layer, zip(range(1, len(children) + 1), children.tolist()), point_wkbs(xy))
    data = None
    service_xy, places = city_services(xy, children, CITY_SERVICES, seed)
    data, layer = _layer(files["city_services"], "einrichtungen", ogr.wkbPoint,
                         [("id", ogr.OFTInteger), ("name", ogr.OFTString), ("plaetze", ogr.OFTInteger)])
    _write(layer, ((j, "Kita {:04d}".format(j), p) for j, p in zip(range(1, len(places) + 1), places.tolist())),
           point_wkbs(service_xy))
    data = None
    log("city network: {:,} street lines, {:,} links between crossings; {:,} addresses, {:,} services".format(
        len(streets), len(links), len(children), len(places)))


def paths(out):
    """File names of the benchmark inputs in folder ``out``."""
    out = Path(out)
    return {"network": out / "coverage_network.gpkg", "districts": out / "coverage_districts.gpkg",
            "demand": lambda n: out / "coverage_demand_{}.gpkg".format(n),
            "services": lambda s: out / "coverage_services_{}.gpkg".format(s),
            "city_network": out / "coverage_city_network.gpkg",
            "city_addresses": out / "coverage_city_addresses_{}.gpkg".format(CITY_ADDRESSES),
            "city_services": out / "coverage_city_services_{}.gpkg".format(CITY_SERVICES)}


def make_coverage_data(demand_sizes, service_sizes, out, seed=25832, force=False, log=print, city=False):
    """Write the files that do not exist yet (all with ``force``), with ``city`` the city network scenario's
    too; returns :func:`paths` of ``out``."""
    files = paths(out)
    if city and (force or not all(files[key].exists() for key in ("city_network", "city_addresses",
                                                                  "city_services"))):
        started = time.perf_counter()
        write_city(files, seed, log)
        log("generated the city network scenario's inputs ({:.1f} s)".format(time.perf_counter() - started))
    jobs = [(files["network"], lambda p: write_network(p, seed)),
            (files["districts"], lambda p: make_districts(DISTRICT_GRID * DISTRICT_GRID, p, seed))]
    jobs += [(files["demand"](n), lambda p, n=n: write_demand(n, p, seed)) for n in demand_sizes]
    jobs += [(files["services"](s), lambda p, s=s: write_services(s, p, seed)) for s in service_sizes]
    for path, job in jobs:
        if path.exists() and not force:
            continue
        started = time.perf_counter()
        job(path)
        log("generated {} ({:.1f} s)".format(path, time.perf_counter() - started))
    return files


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demand", type=int, nargs="+", default=[50000, 1000000])
    parser.add_argument("--services", type=int, nargs="+", default=[2000, 5000])
    parser.add_argument("--out", type=Path, default=BENCH / "data")
    parser.add_argument("--seed", type=int, default=25832)
    parser.add_argument("--force", action="store_true", help="write the files again even if they exist")
    parser.add_argument("--city", action="store_true", help="also the city network scenario's inputs")
    args = parser.parse_args(argv)
    make_coverage_data(args.demand, args.services, args.out, args.seed, args.force, city=args.city)


if __name__ == "__main__":
    sys.exit(main())
