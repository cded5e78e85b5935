"""Invariants of the generated demo town resources/demo/musterstadt.gpkg.

Reads the GeoPackage with sqlite3 only (no QGIS); geometries are decoded from the standard GeoPackage binary
header ('GP', version, flags, srs_id, optional envelope) followed by little/big-endian ISO WKB.
"""
import sqlite3
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

GPKG = Path(__file__).resolve().parents[2] / "resources" / "demo" / "musterstadt.gpkg"


def test_the_demo_geopackage_is_in_the_repository():
    assert GPKG.exists()

AGE_BANDS = ["ew_u3", "ew_3_5", "ew_6_14", "ew_15_17", "ew_18_24", "ew_25_64", "ew_65_79", "ew_80plus"]
DENOMINATORS = {"sgb2": "ew_u65", "alo": "ew_15_64", "kinder_sgb2": "ew_u15", "alleinerz": "hh_kinder",
                "grusi": "ew_65plus"}
QUARTER_FIELDS = (["quartier_id", "name", "stadtbezirk", "ew_gesamt"] + AGE_BANDS
                  + ["ew_u6", "ew_u15", "ew_15_64", "ew_u65", "ew_65plus", "hh_kinder", "ew_gesamt_2022",
                     "ew_u15_2022", "ew_15_64_2022", "ew_u65_2022", "ew_65plus_2022", "hh_kinder_2022",
                     "flaeche_ha"]
                  + ["%s_%d" % (k, y) for k in DENOMINATORS for y in (2024, 2022)]
                  + ["q_%s_%d" % (k, y) for k in DENOMINATORS for y in (2024, 2022)])
LAYERS = {
    "quartiere": ("MULTIPOLYGON", QUARTER_FIELDS),
    "kitas": ("POINT", ["name", "traeger", "plaetze"]),
    "familienzentren": ("POINT", ["name", "traeger"]),
    "jugendzentren": ("POINT", ["name", "traeger"]),
    "pflegeheime": ("POINT", ["name", "traeger", "plaetze"]),
    "wege": ("LINESTRING", ["art", "name"]),
    "adressen": ("POINT", ["adresse_id", "quartier_id", "einwohner", "ew_u6", "ew_65plus"]),
}


# --- GeoPackage geometry decoding --------------------------------------------------------------------------------
def _wkb(blob):
    """Strip the GeoPackage header: flags bits 1-3 give the envelope size (0, 4, 6, 6 or 8 doubles)."""
    assert blob[:2] == b"GP"
    flags = blob[3]
    n_env = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}[(flags >> 1) & 7]
    return blob[8 + 8 * n_env:]


class _Reader:
    """Sequential WKB reader (XY geometries only)."""

    def __init__(self, data):
        self.data, self.pos, self.fmt = data, 0, "<"

    def header(self):
        self.fmt = "<" if self.data[self.pos] == 1 else ">"
        self.pos += 1
        return self.uint()

    def uint(self):
        (v,) = struct.unpack_from(self.fmt + "I", self.data, self.pos)
        self.pos += 4
        return v

    def points(self, n):
        arr = np.frombuffer(self.data, dtype=self.fmt + "f8", count=2 * n, offset=self.pos).reshape(n, 2)
        self.pos += 16 * n
        return arr


def decode(blob):
    """Point -> (2,) array, LineString -> (n, 2) array, MultiPolygon -> list of polygons (lists of rings)."""
    r = _Reader(_wkb(blob))
    typ = r.header()
    if typ == 1:
        return r.points(1)[0]
    if typ == 2:
        return r.points(r.uint()).copy()
    assert typ == 6, typ
    polys = []
    for _ in range(r.uint()):
        assert r.header() == 3
        polys.append([r.points(r.uint()).copy() for _ in range(r.uint())])
    return polys


def ring_area(ring):
    """Shoelace formula: A = 1/2 * sum(x_i * y_{i+1} - x_{i+1} * y_i) (signed)."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * np.sum(x[:-1] * y[1:] - x[1:] * y[:-1])


def multipolygon_area(polys):
    return sum(abs(ring_area(p[0])) - sum(abs(ring_area(h)) for h in p[1:]) for p in polys)


def multipolygon_centroid(polys):
    """Area-weighted centroid of the outer rings: C = 1/(6A) * sum((p_i + p_{i+1}) * cross_i)."""
    total, cx, cy = 0.0, 0.0, 0.0
    for p in polys:
        x, y = p[0][:, 0], p[0][:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        a = 0.5 * cross.sum()
        cx += np.sum((x[:-1] + x[1:]) * cross) / 6.0
        cy += np.sum((y[:-1] + y[1:]) * cross) / 6.0
        total += a
    return cx / total, cy / total


def inside(polys, pts):
    """Even-odd ray casting of many points against all rings of a multipolygon."""
    pts = np.atleast_2d(pts)
    result = np.zeros(len(pts), bool)
    for p in polys:
        for ring in p:
            x0, y0, x1, y1 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
            px, py = pts[:, 0:1], pts[:, 1:2]
            crosses = (y0 > py) != (y1 > py)
            with np.errstate(divide="ignore", invalid="ignore"):
                xcross = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
            result ^= (np.sum(crosses & (px < xcross), axis=1) % 2).astype(bool)
    return result


# --- fixtures ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def con():
    c = sqlite3.connect("file:%s?mode=ro" % GPKG, uri=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def layers(con):
    out = {}
    for name in LAYERS:
        df = pd.read_sql("SELECT * FROM %s ORDER BY fid" % name, con)
        df["geometry"] = [decode(b) for b in df.pop("geom")]
        out[name] = df
    return out


@pytest.fixture(scope="module")
def quarters(layers):
    q = layers["quartiere"].copy()
    q["area_m2"] = [multipolygon_area(g) for g in q.geometry]
    cents = np.array([multipolygon_centroid(g) for g in q.geometry])
    q["cx"], q["cy"] = cents[:, 0], cents[:, 1]
    return q


def quarter_of(quarters, pts):
    """quartier_id of the quarter containing each point ('' if none)."""
    out = np.full(len(pts), "", dtype=object)
    for qid, geom in zip(quarters.quartier_id, quarters.geometry):
        out[inside(geom, pts)] = qid
    return out


def mean_pairwise_distance(xy):
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    n = len(xy)
    return d.sum() / (n * (n - 1))


# --- schema ------------------------------------------------------------------------------------------------------
def test_layers_geometry_types_and_crs(con):
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT table_name, geometry_type_name, srs_id FROM gpkg_geometry_columns")}
    for name, (gtype, _) in LAYERS.items():
        assert name in rows, name
        assert rows[name] == (gtype, 25832), name


def test_fields_and_types(con):
    for name, (_, fields) in LAYERS.items():
        cols = {r[1]: r[2].upper() for r in con.execute("PRAGMA table_info(%s)" % name)}
        for f in fields:
            assert f in cols, (name, f)
            if f.startswith("q_") or f == "flaeche_ha":
                assert cols[f] == "REAL", (name, f)
            elif f in ("name", "traeger", "art", "quartier_id", "stadtbezirk"):
                assert cols[f] == "TEXT", (name, f)
            else:
                assert cols[f] in ("INTEGER", "MEDIUMINT", "SMALLINT", "BIGINT"), (name, f, cols[f])


# --- quarters ----------------------------------------------------------------------------------------------------
def test_quarter_ids_names_boroughs(quarters):
    assert 40 <= len(quarters) <= 80
    assert quarters.quartier_id.is_unique
    assert quarters.quartier_id.str.fullmatch(r"Q\d{2}").all()
    assert quarters.name.is_unique
    assert quarters.name.str.contains("ß").any() and quarters.name.str.contains("[äöüÄÖÜ]").any()
    assert 4 <= quarters.stadtbezirk.nunique() <= 6


def test_town_size_and_area_field(quarters):
    xs = np.concatenate([p[0][:, 0] for g in quarters.geometry for p in g])
    ys = np.concatenate([p[0][:, 1] for g in quarters.geometry for p in g])
    assert 7000 < xs.max() - xs.min() < 10500 and 5000 < ys.max() - ys.min() < 8500
    assert 399000 < xs.min() and xs.max() < 411000 and 5699000 < ys.min() and ys.max() < 5709000
    np.testing.assert_allclose(quarters.flaeche_ha, quarters.area_m2 / 1e4, atol=0.006)


def test_few_special_quarters(quarters):
    assert 3 <= (quarters.ew_gesamt < 300).sum() <= 5
    small = quarters[quarters.ew_gesamt < 300]
    assert (small.ew_gesamt > 0).all()  # special quarters still have (small) counts


def test_age_bands_and_denominators(quarters):
    q = quarters
    assert (q[AGE_BANDS] >= 0).all().all()
    assert (q[AGE_BANDS].sum(axis=1) == q.ew_gesamt).all()
    assert (q.ew_u6 == q.ew_u3 + q.ew_3_5).all()
    assert (q.ew_u15 == q.ew_u6 + q.ew_6_14).all()
    assert (q.ew_15_64 == q.ew_15_17 + q.ew_18_24 + q.ew_25_64).all()
    assert (q.ew_65plus == q.ew_65_79 + q.ew_80plus).all()
    assert (q.ew_u65 + q.ew_65plus == q.ew_gesamt).all()
    assert (q.ew_u65_2022 == q.ew_u15_2022 + q.ew_15_64_2022).all()
    assert (q.ew_u65_2022 + q.ew_65plus_2022 == q.ew_gesamt_2022).all()
    assert (q.hh_kinder <= q.ew_u15 + q.ew_15_17).all()


@pytest.mark.parametrize("year", [2024, 2022])
def test_counts_within_denominators(quarters, year):
    ys = "" if year == 2024 else "_2022"
    for key, den in DENOMINATORS.items():
        count = quarters["%s_%d" % (key, year)]
        assert (count >= 0).all() and (count <= quarters[den + ys]).all(), key
    # children under 15 in SGB II households are part of the SGB II persons
    assert (quarters["kinder_sgb2_%d" % year] <= quarters["sgb2_%d" % year]).all()


@pytest.mark.parametrize("year", [2024, 2022])
def test_rates_follow_counts(quarters, year):
    ys = "" if year == 2024 else "_2022"
    for key, den in DENOMINATORS.items():
        d = quarters[den + ys].astype(float)
        rate = quarters["q_%s_%d" % (key, year)]
        assert (rate.isna() == (d == 0)).all(), key
        ok = d > 0
        expected = 100.0 * quarters.loc[ok, "%s_%d" % (key, year)] / d[ok]
        np.testing.assert_allclose(rate[ok], expected, atol=0.005 + 1e-9, err_msg=key)


def test_realistic_levels(quarters):
    q = quarters[quarters.ew_gesamt >= 300]
    city = 100 * quarters.sgb2_2024.sum() / quarters.ew_u65.sum()
    assert 9 <= city <= 15
    assert q.q_sgb2_2024.between(1, 40).all()
    assert q.q_alo_2024.between(0.5, 20).all()
    assert q.q_kinder_sgb2_2024.between(0, 60).all()
    assert q.q_grusi_2024.between(0, 20).all()
    # spread between quarters is large enough to be worth mapping
    assert q.q_sgb2_2024.max() > 25 and q.q_sgb2_2024.min() < 5


def test_changes_2022_2024(quarters):
    q = quarters[quarters.ew_gesamt >= 1000]
    change = q.q_sgb2_2024 - q.q_sgb2_2022
    assert change.abs().median() < 3  # mostly a few percentage points
    assert change.max() >= 4  # some quarters worsen clearly (the housing estate)
    assert change.min() <= -3  # some improve (gentrifying inner-city quarter)
    estate = quarters[quarters.name.str.contains("Großwohnsiedlung")]
    assert len(estate) == 1 and (estate.q_sgb2_2024 - estate.q_sgb2_2022).iloc[0] >= 4


def test_deprived_quarters_are_clustered(quarters):
    q = quarters[quarters.ew_gesamt >= 300]
    top = q.nlargest(10, "q_sgb2_2024")
    assert mean_pairwise_distance(top[["cx", "cy"]].to_numpy()) < 0.75 * mean_pairwise_distance(
        q[["cx", "cy"]].to_numpy())


def test_neighbours_resemble_each_other(quarters):
    """Spatial autocorrelation: a quarter's SGB II rate is closer to its 3 nearest quarters' than to random."""
    q = quarters[quarters.ew_gesamt >= 300].reset_index(drop=True)
    xy, rate = q[["cx", "cy"]].to_numpy(), q.q_sgb2_2024.to_numpy()
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    np.fill_diagonal(d, np.inf)
    nearest = np.argsort(d, axis=1)[:, :3]
    near_diff = np.abs(rate[:, None] - rate[nearest]).mean()
    all_diff = np.abs(rate[:, None] - rate[None, :]).sum() / (len(rate) * (len(rate) - 1))
    assert near_diff < 0.6 * all_diff


# --- addresses ---------------------------------------------------------------------------------------------------
def test_address_sums_equal_quarter_totals(layers, quarters):
    a = layers["adressen"]
    assert 4000 <= len(a) <= 10000
    assert a.adresse_id.is_unique
    assert (a.einwohner >= 1).all() and (a.ew_u6 >= 0).all() and (a.ew_65plus >= 0).all()
    assert (a.ew_u6 + a.ew_65plus <= a.einwohner).all()
    sums = a.groupby("quartier_id")[["einwohner", "ew_u6", "ew_65plus"]].sum()
    q = quarters.set_index("quartier_id")
    populated = q[q.ew_gesamt > 0]
    assert set(sums.index) == set(populated.index)
    assert (sums.einwohner == populated.ew_gesamt.loc[sums.index]).all()
    assert (sums.ew_u6 == populated.ew_u6.loc[sums.index]).all()
    assert (sums.ew_65plus == populated.ew_65plus.loc[sums.index]).all()


def test_addresses_lie_in_their_quarter(layers, quarters):
    a = layers["adressen"]
    pts = np.vstack(a.geometry.to_numpy())
    assert (quarter_of(quarters, pts) == a.quartier_id.to_numpy()).all()


# --- services ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer, lo, hi, places", [
    ("kitas", 60, 90, (20, 150)), ("familienzentren", 8, 12, None), ("jugendzentren", 8, 12, None),
    ("pflegeheime", 10, 16, (40, 160))])
def test_services(layers, quarters, layer, lo, hi, places):
    s = layers[layer]
    assert lo <= len(s) <= hi
    assert s.name.str.len().gt(0).all() and s.traeger.str.len().gt(0).all()
    if places:
        assert s.plaetze.between(*places).all()
    assert (quarter_of(quarters, np.vstack(s.geometry.to_numpy())) != "").all()


def test_kita_gap_in_housing_estate(layers, quarters):
    k = layers["kitas"].copy()
    k["quartier_id"] = quarter_of(quarters, np.vstack(k.geometry.to_numpy()))
    places = k.groupby("quartier_id").plaetze.sum()
    q = quarters.set_index("quartier_id")
    city_ratio = places.sum() / q.ew_u6.sum()
    estate = q[q.name.str.contains("Großwohnsiedlung")].index[0]
    assert places.get(estate, 0) / q.ew_u6[estate] < 0.5 * city_ratio


# --- walking network ---------------------------------------------------------------------------------------------
def test_network_is_noded_with_one_island(layers):
    w = layers["wege"]
    assert 2000 <= len(w) <= 8000
    assert set(w.art) == {"Hauptstraße", "Wohnstraße", "Fußweg"}
    assert w.loc[w.art == "Hauptstraße", "name"].notna().all()
    ends = [(tuple(g[0]), tuple(g[-1])) for g in w.geometry]
    parent = {}

    def find(n):
        parent.setdefault(n, n)
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in ends:
        parent[find(a)] = find(b)
    sizes = pd.Series([find(a) for a, _ in ends]).value_counts()
    assert len(sizes) == 2, "expected the main network plus one island"
    assert sizes.iloc[1] < 15
    # endpoints are shared exactly: most nodes are junctions of three or more segments
    degree = pd.Series([p for e in ends for p in e]).value_counts()
    assert (degree >= 3).mean() > 0.5
