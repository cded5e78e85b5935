#!/usr/bin/env python3
"""Generate the fictitious demo town "Musterstadt" as one GeoPackage.

Run:  QT_QPA_PLATFORM=offscreen /work/main/.venv/bin/python resources/demo/make_musterstadt.py [output.gpkg]

Everything is drawn from ``numpy.random.default_rng(SEED)`` in a fixed order, so the same seed gives the same
content (the GeoPackage's own timestamps differ between runs, the feature tables do not).

The town (EPSG:25832, about 9 x 7 km around x=405000, y=5704000) has
- a historic centre ("Altstadt") of small dense quarters, an inner ring and a periphery of larger quarters,
- a smooth deprivation surface (harbour/Nordstadt in the north, the 1970s housing estate "Großwohnsiedlung
  Am Wiesenhang" in the east, villa quarters in the south-west) plus small quarter-level noise,
- four special quarters with fewer than 300 residents (harbour, industrial park, city park, allotment gardens),
- a noded street network (quadtree blocks, finer in the centre, smoothly warped), a few footpaths and one
  deliberately disconnected footpath island in the allotment gardens,
- address points whose residents add up exactly to the quarter totals, and social services (Kitas, family
  centres, youth centres, care homes), with deliberately few Kitas in the housing estate.
"""
import math
import os
import sys

import numpy as np

SEED = 20240531
CRS_AUTHID = "EPSG:25832"
CX, CY = 405000.0, 5704000.0          # town centre (market square)
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUTPUT = os.path.join(HERE, "musterstadt.gpkg")

# Town outline before Voronoi: an ellipse (semi-axes in metres) with a wavy radius.
SEMI_X, SEMI_Y = 4350.0, 3350.0

# Named quarters placed on purpose: name -> (dx, dy) from the centre in metres, kind.
ANCHORS = [
    ("Altstadt", (0, 0), "altstadt"),
    ("Schloßberg", (-480, -380), "gehoben"),
    ("Am Mühlenteich", (-560, 470), "gentrifizierung"),
    ("Marktviertel", (420, 260), "altstadt"),
    ("Nordstadt", (-150, 1400), "benachteiligt"),
    ("Bahnhofsviertel", (850, 1050), "benachteiligt"),
    ("Südliche Vorstadt", (-250, -1550), "innen"),
    ("Stadtpark", (950, -800), "park"),
    ("Östliche Vorstadt", (1600, 150), "innen"),
    ("Westliche Vorstadt", (-1550, 50), "innen"),
    ("Hafenviertel", (-750, 2250), "benachteiligt"),
    ("Binnenhafen", (550, 2500), "hafen"),
    ("Großwohnsiedlung Am Wiesenhang", (2850, 450), "grosswohnsiedlung"),
    ("Industriegebiet Ost", (3050, 1700), "industrie"),
    ("Kleingartenanlage Hasenwinkel", (-3050, 1250), "kleingarten"),
    ("Villenviertel Sonnenhang", (-2650, -1500), "villen"),
    ("Rosenhöhe", (-1750, -2150), "villen"),
    ("Lindenhof", (-3250, -350), "gehoben"),
]
SPECIAL_KINDS = {"park": (15, 45), "hafen": (120, 220), "industrie": (40, 120), "kleingarten": (150, 280)}

NAME_POOLS = {
    "altstadt": ["Domviertel", "Rathausviertel", "Fischerviertel", "Burgfreiheit", "Kirchplatz", "Alter Markt",
                 "Klosterviertel", "Neumarkt", "Gerberviertel", "Hospitalviertel", "Zeughausviertel",
                 "Münzgasse", "Salzmarkt", "Judengasse"],
    "innen": ["Gründerzeitviertel", "Kaiserviertel", "Luisenviertel", "Am Stadtgarten", "Bismarckviertel",
              "Friedrichsvorstadt", "Kreuzviertel", "Ziegelhof", "Am Wasserturm", "Johannisviertel",
              "Am Güterbahnhof", "Uhlandviertel", "Schillerviertel", "Goetheviertel", "Martinsviertel",
              "Pauluskirche", "Lutherviertel", "Am Exerzierplatz", "Herzogsgarten", "Töpferviertel",
              "Königsviertel", "Brückenkopf", "Mühlenviertel", "Pfarrgarten", "Am Schlachthof",
              "Neustadt", "Weberviertel", "Annenviertel", "Grüner Winkel", "Am Lohtor"],
    "aussen": ["Eichenau", "Birkenfeld", "Buchholz", "Am Weinberg", "Grünau", "Wiesengrund", "Brückenfeld",
               "Oberdorf", "Niederhofen", "Gartenstadt", "Lerchenhöhe", "Kämpen", "Großer Anger", "Hohenbühl",
               "Am Sportpark", "Heidkamp", "Ellerbruch", "Sandkuhle", "Tannenbusch", "Mühlbach", "Kirchdorf",
               "Hüttenfeld", "Steinrütte", "Waldesruh", "Auf der Höhe", "Am Rübenacker", "Schäferei",
               "Süderfeld", "Vogelsang", "Holthausen", "Ostheide", "Weißenburg", "Fuchsberg", "Rothenbach",
               "Straßenhof", "Bärenkamp", "Kuhlenbusch", "Dörnbergfeld"],
}
BOROUGHS = ["Mitte", "Nord", "Ost", "Süd", "West"]

# Age bands of the 2024 table, with a German-average share (Destatis order of magnitude).
AGE_BANDS = ["ew_u3", "ew_3_5", "ew_6_14", "ew_15_17", "ew_18_24", "ew_25_64", "ew_65_79", "ew_80plus"]
AGE_BASE = np.array([0.028, 0.029, 0.083, 0.028, 0.075, 0.530, 0.150, 0.077])

# City-wide target level (population-weighted, before sampling) and slope per unit of deprivation, on the
# logit scale, for each indicator: prefix -> (target share, slope, quarter noise sd).
INDICATORS = {
    "sgb2": (0.12, 0.85, 0.10),
    "alo": (0.062, 0.60, 0.12),
    "kinder_sgb2": (0.19, 0.95, 0.10),
    "alleinerz": (0.24, 0.50, 0.12),
    "grusi": (0.048, 0.85, 0.15),
}
DENOMINATOR = {"sgb2": "ew_u65", "alo": "ew_15_64", "kinder_sgb2": "ew_u15", "alleinerz": "hh_kinder",
               "grusi": "ew_65plus"}

KITA_MOTIFS = ["Regenbogen", "Sonnenschein", "Pusteblume", "Löwenzahn", "Kunterbunt", "Sternschnuppe",
               "Wirbelwind", "Schatzkiste", "Mäusenest", "Zwergenland", "Spatzennest", "Marienkäfer",
               "Schmetterling", "Arche Noah", "St. Marien", "St. Josef", "Martin Luther", "Waldwichtel",
               "Seepferdchen", "Traumland", "Glühwürmchen", "Abenteuerland", "Sonnenblume", "Kleine Strolche",
               "Rappelkiste", "Purzelbaum", "Kinderland", "Bärenhöhle", "Froschkönig", "Himmelszelt",
               "Wolkenburg", "Flohkiste", "Krümelkiste", "Sausewind", "Tausendfüßler", "Koboldhaus",
               "Blauer Elefant", "Kleiner Prinz", "Räuberhöhle", "Entdeckerland", "Fröbelhaus", "St. Elisabeth",
               "Paulus", "Friedenskirche", "Lummerland", "Villa Sonnenstrahl", "Nesthäkchen", "Wühlmäuse",
               "Grashüpfer", "Apfelbäumchen", "Eichhörnchen", "Igelnest", "Vogelnest", "Farbklecks",
               "Baumhaus", "Kastanie", "Kleeblatt", "Mühlenzwerge", "Hafenkinder", "Leuchtturm",
               "Sonnenkäfer", "Zauberwald", "Wiesenzwerge", "Buntstift", "Kinderarche", "Musikzwerge",
               "Schneckenhaus", "Rasselbande", "Morgenstern", "Lindenbaum", "Drachenburg", "Kinderinsel",
               "Pippilotta", "Sterntaler", "Wichtelhaus", "Storchennest", "Spielkiste", "Waldameise",
               "St. Martin", "St. Antonius", "Heilig Kreuz", "Emmaus", "Am Bach", "Gänseblümchen"]
TRAEGER = {
    "kitas": (["städtisch", "AWO", "Caritas", "Diakonie", "Elterninitiative", "DRK", "Paritätischer"],
              [0.34, 0.14, 0.15, 0.15, 0.10, 0.07, 0.05]),
    "familienzentren": (["städtisch", "AWO", "Caritas", "Diakonie", "DRK"], [0.4, 0.15, 0.15, 0.2, 0.1]),
    "jugendzentren": (["städtisch", "AWO", "Caritas", "Evangelische Jugend", "Jugendring e.V."],
                      [0.45, 0.15, 0.1, 0.15, 0.15]),
    "pflegeheime": (["Caritas", "Diakonie", "AWO", "DRK", "privat", "städtisch"],
                    [0.2, 0.22, 0.15, 0.1, 0.25, 0.08]),
}
PFLEGE_NAMES = ["Seniorenzentrum St. Elisabeth", "Haus Lindenhof", "Seniorenresidenz Am Park", "Haus Abendrot",
                "Altenzentrum St. Josef", "Pflegezentrum Am Mühlenteich", "Haus am Hafen",
                "Seniorenheim Sonnenhang", "Wohnstift Rosenhöhe", "Martin-Luther-Haus", "Haus Bethanien",
                "AWO-Seniorenzentrum Nord", "Pflegeheim Wiesenhang", "Haus Eichenau", "Johanniterstift",
                "Seniorenzentrum Vogelsang"]
MAIN_STREETS = ["Bahnhofstraße", "Kaiserstraße", "Lindenallee", "Hafenstraße", "Ringstraße", "Mühlenweg",
                "Kölner Straße", "Marktstraße", "Schloßstraße", "Friedrich-Ebert-Straße", "Am Wall",
                "Hauptstraße", "Berliner Straße", "Industriestraße", "Wiesenhang", "Bismarckstraße",
                "Kirchstraße", "Goethestraße", "Dorfstraße", "Uferstraße", "Königsallee", "Brückenstraße",
                "Landstraße", "Südring", "Nordring", "Westring", "Ostring", "Feldstraße", "Poststraße",
                "Schulstraße", "Gartenstraße", "Talstraße"]
STREET_STEMS = ["Amsel", "Drossel", "Finken", "Lerchen", "Meisen", "Buchen", "Eichen", "Birken", "Ahorn",
                "Ulmen", "Kastanien", "Erlen", "Tannen", "Rosen", "Tulpen", "Nelken", "Veilchen", "Flieder",
                "Holunder", "Schlehen", "Mozart", "Beethoven", "Bach", "Händel", "Schubert", "Schiller",
                "Lessing", "Herder", "Uhland", "Heine", "Fontane", "Eichendorff", "Kant", "Leibniz", "Humboldt",
                "Dürer", "Cranach", "Gutenberg", "Kepler", "Röntgen", "Brunnen", "Weiher", "Anger", "Sonnen",
                "Mond", "Stern", "Wiesen", "Acker", "Hof", "Mühlen", "Schmiede", "Kloster", "Burg", "Tor",
                "Graben", "Zeppelin", "Bussard", "Falken", "Kranich", "Storchen", "Hasen", "Fuchs", "Dachs",
                "Otter", "Biber", "Hirsch", "Reh", "Elster", "Raben", "Tauben"]
STREET_SUFFIXES = ["straße", "weg", "gasse", "ring", "pfad", "stieg"]

# Street grid: integer units of 75 m; root blocks of 16 units (1200 m) cover 10.8 x 8.4 km.
UNIT = 75.0
ROOT = 16
GX0, GY0 = CX - 5400.0, CY - 4200.0
GRID_NX, GRID_NY = 9, 7
GRID_ROT = math.radians(7.0)


# ---------------------------------------------------------------------------------------------------------------
# geometry helpers (numpy only)
# ---------------------------------------------------------------------------------------------------------------
def outline_radius(theta):
    """Radius of the wavy town ellipse at angle theta: r = r_ellipse(theta) * (1 + 0.05 sin 3t + 0.04 cos 5t)."""
    r_ell = 1.0 / np.sqrt((np.cos(theta) / SEMI_X) ** 2 + (np.sin(theta) / SEMI_Y) ** 2)
    return r_ell * (1.0 + 0.05 * np.sin(3 * theta + 0.4) + 0.04 * np.cos(5 * theta + 1.1))


def relative_radius(dx, dy):
    """r / outline_radius: < 1 inside the planned town outline."""
    return np.hypot(dx, dy) / outline_radius(np.arctan2(dy, dx))


def seed_spacing(r):
    """Minimum distance between quarter seeds, growing from the centre (dense Altstadt) to the periphery."""
    return np.interp(r, [0, 900, 2400, 4200], [300, 480, 830, 1100])


def deprivation_surface(dx, dy):
    """Smooth deprivation surface (dimensionless, ~ -1.5 .. 2): Gaussian bumps a*exp(-d^2 / (2 s^2)).

    Positive: harbour / Nordstadt (north), housing estate (east), slightly the old centre.
    Negative: villa quarters (south-west) and a mild affluent south.
    """
    kx, ky = np.asarray(dx) / 1000.0, np.asarray(dy) / 1000.0

    def bump(x0, y0, s, a):
        return a * np.exp(-((kx - x0) ** 2 + (ky - y0) ** 2) / (2 * s * s))

    return (bump(-0.2, 2.0, 1.15, 1.7) + bump(2.85, 0.45, 0.75, 1.7) + bump(0.0, 0.0, 0.7, 0.35)
            + bump(-2.5, -1.7, 1.5, -1.5) + bump(0.5, -2.6, 1.6, -0.5))


def grid_warp(x, y):
    """Map street-grid coordinates to the town: rotate by GRID_ROT about the centre, then add a smooth
    sinusoidal displacement (amplitudes 50-110 m, wavelengths 1.7-3.1 km: Jacobian stays close to I,
    so the map is one-to-one and the grid's topology is kept)."""
    dx, dy = np.asarray(x) - CX, np.asarray(y) - CY
    c, s = math.cos(GRID_ROT), math.sin(GRID_ROT)
    rx, ry = c * dx - s * dy, s * dx + c * dy
    wx = rx + 110 * np.sin(2 * np.pi * ry / 3100 + 0.7) + 60 * np.sin(2 * np.pi * rx / 1900 + 1.3)
    wy = ry + 100 * np.sin(2 * np.pi * rx / 2700 + 2.1) + 50 * np.sin(2 * np.pi * ry / 1700)
    return CX + wx, CY + wy


def expit(z):
    """Logistic function 1 / (1 + exp(-z))."""
    return 1.0 / (1.0 + np.exp(-z))


# ---------------------------------------------------------------------------------------------------------------
# quarters
# ---------------------------------------------------------------------------------------------------------------
def make_seeds(rng):
    """Anchor seeds plus a Poisson-disk fill with spacing seed_spacing(r), and an outer ring of non-town seeds
    whose Voronoi cells give the town its irregular outline. Returns (inner xy (n,2), names, kinds, outer xy)."""
    pts = [np.array(a[1], float) for a in ANCHORS]
    names = [a[0] for a in ANCHORS]
    kinds = [a[2] for a in ANCHORS]
    cand = rng.uniform([-SEMI_X * 1.1, -SEMI_Y * 1.1], [SEMI_X * 1.1, SEMI_Y * 1.1], size=(6000, 2))
    for p in cand:
        if relative_radius(p[0], p[1]) > 0.97:
            continue
        arr = np.array(pts)
        dist = np.hypot(arr[:, 0] - p[0], arr[:, 1] - p[1])
        need = np.minimum(seed_spacing(np.hypot(*p)), seed_spacing(np.hypot(arr[:, 0], arr[:, 1])))
        if np.all(dist >= need):
            pts.append(p)
            names.append(None)
            kinds.append(None)
    inner = np.array(pts)
    theta = np.linspace(0, 2 * np.pi, 44, endpoint=False)
    rad = outline_radius(theta) + 650
    outer = np.column_stack([rad * np.cos(theta), rad * np.sin(theta)])
    return inner + [CX, CY], names, kinds, outer + [CX, CY]


def voronoi_cells(inner, outer):
    """Voronoi cells of the inner seeds (QGIS/GEOS), matched back to their seed by containment."""
    from qgis.core import QgsGeometry, QgsPointXY

    allp = np.vstack([inner, outer])
    mp = QgsGeometry.fromMultiPointXY([QgsPointXY(float(x), float(y)) for x, y in allp])
    ext = QgsGeometry.fromRect(mp.boundingBox().buffered(1500))
    diagram = mp.voronoiDiagram(ext, 0.0, False)
    cells = [None] * len(inner)
    for part in diagram.asGeometryCollection():
        for i, (x, y) in enumerate(inner):
            if cells[i] is None and part.contains(QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y)))):
                cells[i] = part
                break
    if any(c is None for c in cells):
        raise RuntimeError("Voronoi cell missing for a seed")
    return cells


def quarter_frame(rng, inner, names, kinds, cells):
    """Assign zone, kind, borough, name and ID to each quarter. Returns a list of dicts sorted by ID."""
    rows = []
    for i, (x, y) in enumerate(inner):
        dx, dy = x - CX, y - CY
        r = math.hypot(dx, dy)
        zone = "altstadt" if r < 950 else ("innen" if r < 2400 else "aussen")
        kind = kinds[i] or zone
        if zone == "altstadt":
            borough = "Mitte"
        else:
            ang = math.degrees(math.atan2(dy, dx))
            borough = "Ost" if -45 <= ang < 45 else "Nord" if 45 <= ang < 135 else "West" if abs(ang) >= 135 else "Süd"
        cent = cells[i].centroid().asPoint()
        rows.append(dict(seed=(x, y), zone=zone, kind=kind, stadtbezirk=borough, name=names[i], geom=cells[i],
                         cx=cent.x(), cy=cent.y(), r=r))
    order = sorted(range(len(rows)), key=lambda k: (BOROUGHS.index(rows[k]["stadtbezirk"]), rows[k]["r"]))
    rows = [rows[k] for k in order]
    pools = {z: list(rng.permutation(v)) for z, v in NAME_POOLS.items()}
    for k, row in enumerate(rows):
        row["quartier_id"] = "Q%02d" % (k + 1)
        if row["name"] is None:
            row["name"] = str(pools[row["zone"]].pop(0))
        row["flaeche_ha"] = round(row["geom"].area() / 10000.0, 2)
    return rows


def population(rng, q):
    """Residents 2024 of one quarter: density (residents/ha) by kind times area; special quarters get a small
    fixed-range count."""
    if q["kind"] in SPECIAL_KINDS:
        lo, hi = SPECIAL_KINDS[q["kind"]]
        return int(rng.integers(lo, hi + 1))
    if q["kind"] == "grosswohnsiedlung":
        return int(rng.integers(6800, 7600))
    density = {"altstadt": 70, "gentrifizierung": 65, "innen": 44, "benachteiligt": 56, "aussen": 19,
               "gehoben": 24, "villen": 13}[q["kind"]]
    if q["kind"] == "benachteiligt" and q["zone"] == "aussen":
        density = 34
    return int(round(q["flaeche_ha"] * density * rng.lognormal(0, 0.18)))


def age_shares(rng, q):
    """Age-band shares: German average, tilted by deprivation (more children), kind (students in the centre,
    older villa quarters) and Dirichlet noise; sums to 1."""
    w = AGE_BASE.copy()
    kid = math.exp(0.22 * q["dep"])
    w[:4] *= kid
    if q["zone"] == "altstadt":
        w[:4] *= 0.75
        w[4] *= 1.6
    if q["kind"] in ("villen", "gehoben"):
        w[:4] *= 0.9
        w[6:] *= 1.35
        w[4] *= 0.7
    if q["kind"] == "grosswohnsiedlung":
        w[6:] *= 1.25
    if q["zone"] == "aussen" and q["kind"] == "aussen":
        w[:4] *= 1.15
    w /= w.sum()
    return rng.dirichlet(w * 400)


def make_demography(rng, quarters):
    """Residents by age band 2024, derived denominators and households with children; 2022 denominators by
    perturbing the 2024 ones (small growth, noise)."""
    for q in quarters:
        ew = population(rng, q)
        bands = rng.multinomial(ew, age_shares(rng, q))
        for name, n in zip(AGE_BANDS, bands):
            q[name] = int(n)
        q["ew_gesamt"] = ew
        q["ew_u6"] = q["ew_u3"] + q["ew_3_5"]
        q["ew_u15"] = q["ew_u6"] + q["ew_6_14"]
        q["ew_15_64"] = q["ew_15_17"] + q["ew_18_24"] + q["ew_25_64"]
        q["ew_65plus"] = q["ew_65_79"] + q["ew_80plus"]
        q["ew_u65"] = ew - q["ew_65plus"]
        u18 = q["ew_u15"] + q["ew_15_17"]
        q["hh_kinder"] = int(min(u18, round(u18 / rng.uniform(1.55, 1.85))))
        growth = -0.012 + (0.035 if q["kind"] == "grosswohnsiedlung" else 0.0)
        for key in ("ew_u15", "ew_15_64", "ew_65plus", "hh_kinder"):
            q[key + "_2022"] = int(round(q[key] * math.exp(-growth + rng.normal(0, 0.025))))
        q["hh_kinder_2022"] = min(q["hh_kinder_2022"], q["ew_u15_2022"] + q["ew_15_17"])
        q["ew_u65_2022"] = q["ew_u15_2022"] + q["ew_15_64_2022"]
        q["ew_gesamt_2022"] = q["ew_u65_2022"] + q["ew_65plus_2022"]


def calibrated_intercept(target, slope, z, weight):
    """Intercept a so that the weighted mean of expit(a + slope*z) equals target (bisection on a)."""
    lo, hi = -12.0, 6.0
    for _ in range(80):
        mid = (lo + hi) / 2
        mean = np.sum(weight * expit(mid + slope * z)) / np.sum(weight)
        lo, hi = (mid, hi) if mean < target else (lo, mid)
    return (lo + hi) / 2


def year_shift(kind, rng):
    """Logit change 2022 -> 2024: small drift for most, clear worsening in the estate and the deprived north,
    clear improvement in the gentrifying inner-city quarter."""
    base = {"grosswohnsiedlung": 0.36, "benachteiligt": 0.15, "gentrifizierung": -0.45}.get(kind, 0.03)
    return base + rng.normal(0, 0.07)


def make_social_counts(rng, quarters):
    """Counts 2024/2022 by binomial draws with logit(p) = a + b*dep + noise - shift(year); SGB II persons
    include the children under 15 in SGB II households (kinder_sgb2 <= sgb2). Rates = 100*count/denominator."""
    dep = np.array([q["dep"] for q in quarters])
    probs = {}
    for key, (target, slope, sd) in INDICATORS.items():
        den = np.array([q[DENOMINATOR[key]] for q in quarters], float)
        z = dep + rng.normal(0, sd / max(slope, 0.1), len(quarters))
        a = calibrated_intercept(target, slope, z, den)
        probs[key] = a + slope * z
    for i, q in enumerate(quarters):
        shift = year_shift(q["kind"], rng)
        for year, suffix in ((2024, "_2024"), (2022, "_2022")):
            ys = "" if year == 2024 else "_2022"
            p = {k: float(expit(v[i] - (shift if year == 2022 else 0.0))) for k, v in probs.items()}
            u15, u65 = q["ew_u15" + ys], q["ew_u65" + ys]
            kids = int(rng.binomial(u15, p["kinder_sgb2"]))
            p_adult = (p["sgb2"] * u65 - p["kinder_sgb2"] * u15) / max(u65 - u15, 1)
            adults = int(rng.binomial(u65 - u15, min(max(p_adult, 0.004), 0.9)))
            q["kinder_sgb2" + suffix] = kids
            q["sgb2" + suffix] = kids + adults
            for key in ("alo", "alleinerz", "grusi"):
                q[key + suffix] = int(rng.binomial(q[DENOMINATOR[key] + ys], p[key]))
            for key in INDICATORS:
                den = q[DENOMINATOR[key] + ys]
                q["q_%s%s" % (key, suffix)] = round(100.0 * q[key + suffix] / den, 2) if den > 0 else None


# ---------------------------------------------------------------------------------------------------------------
# street network
# ---------------------------------------------------------------------------------------------------------------
class SeedLocator:
    """Nearest-seed lookup: inside the town the nearest inner seed *is* the quarter (Voronoi property)."""

    def __init__(self, inner, outer):
        self.xy = np.vstack([inner, outer])
        self.n_inner = len(inner)

    def quarter_index(self, x, y):
        """Index of the quarter containing (x, y) or -1 outside the town (arrays in, array out)."""
        x, y = np.atleast_1d(x), np.atleast_1d(y)
        d2 = (x[:, None] - self.xy[None, :, 0]) ** 2 + (y[:, None] - self.xy[None, :, 1]) ** 2
        idx = np.argmin(d2, axis=1)
        return np.where(idx < self.n_inner, idx, -1)


def block_size_target(r, kind):
    """Wanted block edge length in metres: ~80 m in the Altstadt to ~300 m at the edge, coarse in industry."""
    t = float(np.interp(r, [0, 700, 1800, 3000], [60, 85, 140, 220]))
    return t * (2.2 if kind in ("industrie", "hafen", "kleingarten") else 1.0)


def quadtree_leaves(locator, quarters):
    """Leaf blocks (ix, iy, size) in grid units: root blocks split in four while size > 1.4 * target at the
    (warped) block centre; blocks outside the town are not split."""
    leaves = []
    stack = [(i * ROOT, j * ROOT, ROOT) for j in range(GRID_NY) for i in range(GRID_NX)]
    while stack:
        ix, iy, s = stack.pop()
        wx, wy = grid_warp(GX0 + (ix + s / 2) * UNIT, GY0 + (iy + s / 2) * UNIT)
        qi = int(locator.quarter_index(wx, wy)[0])
        kind = quarters[qi]["kind"] if qi >= 0 else None
        if s > 1 and qi >= 0 and s * UNIT > 1.4 * block_size_target(math.hypot(wx - CX, wy - CY), kind):
            h = s // 2
            stack.extend([(ix, iy, h), (ix + h, iy, h), (ix, iy + h, h), (ix + h, iy + h, h)])
        elif s > 1 and qi < 0 and s > 4:
            # stay fine enough along the outline that boundary blocks are not lost wholesale
            wx0, wy0 = grid_warp(GX0 + ix * UNIT, GY0 + iy * UNIT)
            wx1, wy1 = grid_warp(GX0 + (ix + s) * UNIT, GY0 + (iy + s) * UNIT)
            corners = locator.quarter_index(np.array([wx0, wx1, wx0, wx1]), np.array([wy0, wy0, wy1, wy1]))
            if np.any(corners >= 0):
                h = s // 2
                stack.extend([(ix, iy, h), (ix + h, iy, h), (ix, iy + h, h), (ix + h, iy + h, h)])
            else:
                leaves.append((ix, iy, s))
        else:
            leaves.append((ix, iy, s))
    return sorted(leaves)


def is_main_line(line, r):
    """Grid lines carrying a Hauptstraße: every 1200 m, every 600 m within 1.5 km of the centre."""
    return line % ROOT == 0 or (line % (ROOT // 2) == 0 and r < 1500)


def block_edges(leaves):
    """Noded edges of the block boundaries: every leaf corner is a node, each edge runs between consecutive
    nodes on one grid line. Returns a sorted list of ((ix0, iy0), (ix1, iy1), axis, line)."""
    hcov, vcov, hnodes, vnodes = {}, {}, {}, {}
    for ix, iy, s in leaves:
        for yy in (iy, iy + s):
            hcov.setdefault(yy, set()).update(range(ix, ix + s))
            hnodes.setdefault(yy, set()).update((ix, ix + s))
        for xx in (ix, ix + s):
            vcov.setdefault(xx, set()).update(range(iy, iy + s))
            vnodes.setdefault(xx, set()).update((iy, iy + s))
    edges = []
    for axis, cov, nodes in (("h", hcov, hnodes), ("v", vcov, vnodes)):
        for line in sorted(cov):
            on_line = nodes[line]
            start = prev = None
            for k in sorted(cov[line]):
                if start is None:
                    start = k
                prev = k
                if k + 1 in on_line:
                    a, b = (start, line), (k + 1, line)
                    edges.append((a, b, axis, line) if axis == "h" else ((line, start), (line, k + 1), axis, line))
                    start = None
            if start is not None:
                raise RuntimeError("block edge without end node")
    return sorted(edges)


class Network:
    """Street network as node coordinates (dict key -> (x, y)) and edges (key_a, key_b, art, name)."""

    def __init__(self):
        self.nodes = {}
        self.edges = []

    def components(self):
        """Connected components (union-find over node keys); list of edge-index lists, largest first."""
        parent = {}

        def find(a):
            parent.setdefault(a, a)
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        for a, b, _, _ in self.edges:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        groups = {}
        for k, (a, _, _, _) in enumerate(self.edges):
            groups.setdefault(find(a), []).append(k)
        return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def street_name(rng_names, key, pool):
    """Stable name per key from a shuffled pool, cycling if the pool is exhausted."""
    if key not in rng_names:
        rng_names[key] = pool[len(rng_names) % len(pool)]
    return rng_names[key]


def make_network(rng, locator, quarters, town_engine):
    """Build the noded walking network: quadtree block edges (warped, jittered), Hauptstraßen on the 1200 m
    lines (600 m near the centre), Fußwege in the park and as a few block diagonals, some residential edges
    dropped outside the centre, clipped to the town; keeps the largest component and adds one footpath island
    in the allotment gardens."""
    from qgis.core import QgsGeometry, QgsPointXY

    leaves = quadtree_leaves(locator, quarters)
    edges = block_edges(leaves)
    # per node: the smallest block touching it bounds its jitter (keeps edges from crossing)
    min_size = {}
    for ix, iy, s in leaves:
        for k in ((ix, iy), (ix + s, iy), (ix, iy + s), (ix + s, iy + s)):
            min_size[k] = min(min_size.get(k, s), s)
    for a, b, _, _ in edges:
        for k in (a, b):
            min_size.setdefault(k, 1)
    keys = sorted(min_size)
    kx = np.array([GX0 + k[0] * UNIT for k in keys])
    ky = np.array([GY0 + k[1] * UNIT for k in keys])
    ux, uy = grid_warp(kx, ky)
    r = np.hypot(ux - CX, uy - CY)
    amp = np.array([0.1 * min_size[k] * UNIT for k in keys])
    # main streets stay straight: no jitter across their own line
    amp_x = amp * np.array([not is_main_line(k[0], rr) for k, rr in zip(keys, r)])
    amp_y = amp * np.array([not is_main_line(k[1], rr) for k, rr in zip(keys, r)])
    wx, wy = grid_warp(kx + rng.uniform(-1, 1, len(keys)) * amp_x, ky + rng.uniform(-1, 1, len(keys)) * amp_y)
    net = Network()
    net.nodes = {k: (round(float(x), 2), round(float(y), 2)) for k, x, y in zip(keys, wx, wy)}

    island_leaf = pick_island_leaf(leaves, locator, quarters)
    main_pool = [str(n) for n in rng.permutation(MAIN_STREETS)]
    res_pool = [str(n) for n in rng.permutation(["%s%s" % (s, f) for s in STREET_STEMS for f in STREET_SUFFIXES])]
    main_names, res_names = {}, {}
    drop = rng.uniform(size=len(edges))
    for (a, b, axis, line), u in zip(edges, drop):
        (xa, ya), (xb, yb) = net.nodes[a], net.nodes[b]
        mx, my = (xa + xb) / 2, (ya + yb) / 2
        qidx = locator.quarter_index(np.array([xa, xb, mx]), np.array([ya, yb, my]))
        if np.any(qidx < 0):
            continue
        r = math.hypot(mx - CX, my - CY)
        kind = quarters[int(qidx[2])]["kind"]
        if is_main_line(line, r):
            art = "Hauptstraße"
            name = street_name(main_names, (axis, line), main_pool)
        elif kind == "park":
            art, name = "Fußweg", None
        else:
            if r > 1200 and u < 0.08:
                continue
            art = "Wohnstraße"
            along = a[0] if axis == "h" else a[1]
            name = street_name(res_names, (axis, line, along // 8), res_pool)
        net.edges.append((a, b, art, name))
    # footpath diagonals through a few blocks (a block's interior holds no edge, so no crossing)
    diag_u = rng.uniform(size=len(leaves))
    for (ix, iy, s), u in zip(leaves, diag_u):
        if (ix, iy, s) == island_leaf or s > 4:
            continue
        cxw, cyw = grid_warp(GX0 + (ix + s / 2) * UNIT, GY0 + (iy + s / 2) * UNIT)
        qi = int(locator.quarter_index(cxw, cyw)[0])
        if qi < 0:
            continue
        chance = 0.6 if quarters[qi]["kind"] == "park" else 0.025
        if u < chance:
            net.edges.append(((ix, iy), (ix + s, iy + s), "Fußweg", None))
    # clip to the town and keep the largest connected part
    kept = []
    for e in net.edges:
        line = QgsGeometry.fromPolylineXY([QgsPointXY(*net.nodes[e[0]]), QgsPointXY(*net.nodes[e[1]])])
        if town_engine.contains(line.constGet()):
            kept.append(e)
    net.edges = kept
    net.edges = [net.edges[k] for k in sorted(net.components()[0])]
    add_island(net, island_leaf)
    used = {k for e in net.edges for k in e[:2]}
    net.nodes = {k: v for k, v in net.nodes.items() if k in used}
    return net


def pick_island_leaf(leaves, locator, quarters):
    """The largest block whose centre lies in the allotment gardens, nearest to their seed."""
    k_idx = next(i for i, q in enumerate(quarters) if q["kind"] == "kleingarten")
    sx, sy = quarters[k_idx]["seed"]
    best = None
    for ix, iy, s in leaves:
        wx, wy = grid_warp(GX0 + (ix + s / 2) * UNIT, GY0 + (iy + s / 2) * UNIT)
        if int(locator.quarter_index(wx, wy)[0]) != k_idx:
            continue
        score = (-s, math.hypot(wx - sx, wy - sy))
        if best is None or score < best[0]:
            best = (score, (ix, iy, s))
    return best[1]


def add_island(net, leaf):
    """A small footpath ladder (2 x 3 nodes, 7 segments) inside one block: deliberately not connected."""
    ix, iy, s = leaf
    fr_u, fr_v = (0.3, 0.7), (0.3, 0.5, 0.7)
    keys = {}
    for i, fu in enumerate(fr_u):
        for j, fv in enumerate(fr_v):
            x, y = grid_warp(GX0 + (ix + fu * s) * UNIT, GY0 + (iy + fv * s) * UNIT)
            key = ("insel", i, j)
            net.nodes[key] = (round(float(x), 2), round(float(y), 2))
            keys[i, j] = key
    for i in range(2):
        for j in range(2):
            net.edges.append((keys[i, j], keys[i, j + 1], "Fußweg", "Kleingartenweg"))
    for j in range(3):
        net.edges.append((keys[0, j], keys[1, j], "Fußweg", "Kleingartenweg"))


# ---------------------------------------------------------------------------------------------------------------
# addresses and services
# ---------------------------------------------------------------------------------------------------------------
def address_counts(quarters, total=7000):
    """Number of address points per quarter: residents / mean household block size by kind, scaled so the town
    has about `total` addresses; at least one per inhabited quarter, never more than its residents."""
    per = {"altstadt": 14, "gentrifizierung": 14, "innen": 11, "benachteiligt": 13, "aussen": 6,
           "gehoben": 5, "villen": 3.5, "grosswohnsiedlung": 45}
    raw = np.array([q["ew_gesamt"] / per.get(q["kind"], 8) for q in quarters])
    n = np.maximum(1, np.round(raw * total / raw.sum())).astype(int)
    return [int(min(k, q["ew_gesamt"])) if q["ew_gesamt"] > 0 else 0 for k, q in zip(n, quarters)]


def place_addresses(rng, quarters, net, locator, engines):
    """Address points 12-28 m beside a street segment (chance by length) inside their quarter, residents
    split by 1 + multinomial, ew_u6 / ew_65plus by sequential multivariate hypergeometric draws, so all three
    add up exactly per quarter and never exceed an address's residents."""
    from qgis.core import QgsGeometry, QgsPointXY

    seg = np.array([net.nodes[a] + net.nodes[b] for a, b, art, _ in net.edges if art != "Fußweg"])
    mid_q = locator.quarter_index((seg[:, 0] + seg[:, 2]) / 2, (seg[:, 1] + seg[:, 3]) / 2)
    out = []
    for qi, (q, n) in enumerate(zip(quarters, address_counts(quarters))):
        if n == 0:
            continue
        mine = seg[mid_q == qi]
        if len(mine) == 0:  # no street here: use the nearest streets of the town
            d = np.hypot((seg[:, 0] + seg[:, 2]) / 2 - q["cx"], (seg[:, 1] + seg[:, 3]) / 2 - q["cy"])
            mine = seg[np.argsort(d)[:20]]
        length = np.hypot(mine[:, 2] - mine[:, 0], mine[:, 3] - mine[:, 1])
        pts, tries = [], 0
        while len(pts) < n:
            tries += 1
            if tries > 200 * n:
                raise RuntimeError("cannot place addresses in %s" % q["name"])
            s = mine[rng.choice(len(mine), p=length / length.sum())]
            t, off, side = rng.uniform(0.12, 0.88), rng.uniform(12, 28), rng.choice([-1.0, 1.0])
            dx, dy = s[2] - s[0], s[3] - s[1]
            norm = math.hypot(dx, dy)
            x = s[0] + t * dx - side * off * dy / norm
            y = s[1] + t * dy + side * off * dx / norm
            candidate = QgsGeometry.fromPointXY(QgsPointXY(x, y))  # keep alive while the engine reads it
            if engines[qi].contains(candidate.constGet()):
                pts.append((round(x, 2), round(y, 2)))
        ew = 1 + rng.multinomial(q["ew_gesamt"] - n, rng.dirichlet(np.full(n, 2.0)))
        pool = np.array([q["ew_u6"], q["ew_65plus"], q["ew_gesamt"] - q["ew_u6"] - q["ew_65plus"]])
        for (x, y), e in zip(pts, ew):
            draw = rng.multivariate_hypergeometric(pool, int(e))
            pool = pool - draw
            out.append(dict(quartier_id=q["quartier_id"], x=x, y=y, einwohner=int(e), ew_u6=int(draw[0]),
                            ew_65plus=int(draw[1]), q=qi))
    for k, a in enumerate(out):
        a["adresse_id"] = k + 1
    return out


def pick_sites(rng, addresses, weights, n, engines):
    """n sites: quarters drawn by weight, a quarter's weight shrinking to 35 % each time it is drawn (several
    services per quarter possible, clustering damped); each site 8-20 m from a random address of its quarter,
    inside that quarter."""
    from qgis.core import QgsGeometry, QgsPointXY

    by_q = {}
    for a in addresses:
        by_q.setdefault(a["q"], []).append(a)
    w = np.asarray(weights, float).copy()
    sites = []
    for _ in range(n):
        k = int(rng.choice(len(w), p=w / w.sum()))
        w[k] *= 0.35
        while True:
            a = by_q[k][int(rng.integers(len(by_q[k])))]
            ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(8, 20)
            x, y = round(a["x"] + dist * math.cos(ang), 2), round(a["y"] + dist * math.sin(ang), 2)
            candidate = QgsGeometry.fromPointXY(QgsPointXY(x, y))
            if engines[k].contains(candidate.constGet()):
                break
        sites.append(dict(q=k, x=x, y=y))
    return sites


def kita_weight(q):
    """Kita supply weight: children under 6, more in the centre, deliberately little in the housing estate and
    less in the deprived north (supply gap for the coverage analysis)."""
    factor = {"grosswohnsiedlung": 0.08, "benachteiligt": 0.55, "altstadt": 1.5, "gentrifizierung": 1.4,
              "park": 0.0, "hafen": 0.0, "industrie": 0.0, "kleingarten": 0.0}.get(q["kind"], 1.0)
    return q["ew_u6"] * factor


def make_services(rng, quarters, addresses, engines):
    """Kitas, family centres, youth centres and care homes as lists of dicts (name, traeger, [plaetze], x, y)."""
    def traeger(layer, n):
        names, p = TRAEGER[layer]
        return [str(t) for t in rng.choice(names, size=n, p=p)]

    services = {}
    n_kita = 78
    sites = pick_sites(rng, addresses, [kita_weight(q) for q in quarters], n_kita, engines)
    motifs = list(rng.permutation(KITA_MOTIFS))
    tr = traeger("kitas", n_kita)
    for s, t, m in zip(sites, tr, motifs):
        s.update(name="Kita " + str(m), traeger=t, plaetze=int(np.clip(round(rng.normal(75, 28)), 20, 150)))
    services["kitas"] = sites

    def named(layer, n, weights, prefix):
        sites = pick_sites(rng, addresses, weights, n, engines)
        seen = {}
        for s, t in zip(sites, traeger(layer, n)):
            qname = quarters[s["q"]]["name"]
            seen[qname] = seen.get(qname, 0) + 1
            s.update(name="%s %s%s" % (prefix, qname, "" if seen[qname] == 1 else " %d" % seen[qname]), traeger=t)
        return sites

    dep_w = [max(q["dep"] + 1.0, 0.2) for q in quarters]
    services["familienzentren"] = named(
        "familienzentren", 10, [q["ew_u6"] * w for q, w in zip(quarters, dep_w)], "Familienzentrum")
    services["jugendzentren"] = named(
        "jugendzentren", 10, [(q["ew_6_14"] + q["ew_15_17"]) * w for q, w in zip(quarters, dep_w)], "Jugendzentrum")
    homes = pick_sites(rng, addresses, [q["ew_65plus"] for q in quarters], 13, engines)
    for s, t, name in zip(homes, traeger("pflegeheime", 13), rng.permutation(PFLEGE_NAMES)):
        s.update(name=str(name), traeger=t, plaetze=int(rng.integers(4, 17)) * 10)
    services["pflegeheime"] = homes
    return services


# ---------------------------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------------------------
QUARTER_INT_FIELDS = (["ew_gesamt"] + AGE_BANDS + ["ew_u6", "ew_u15", "ew_15_64", "ew_u65", "ew_65plus",
                      "hh_kinder", "ew_gesamt_2022", "ew_u15_2022", "ew_15_64_2022", "ew_u65_2022",
                      "ew_65plus_2022", "hh_kinder_2022"]
                      + ["%s_%d" % (k, y) for y in (2024, 2022) for k in INDICATORS])
QUARTER_RATE_FIELDS = ["q_%s_%d" % (k, y) for k in INDICATORS for y in (2024, 2022)]


def make_fields(spec):
    """QgsFields from [(name, 'int'|'double'|'string')]."""
    from qgis.core import QgsField, QgsFields
    from qgis.PyQt.QtCore import QVariant

    types = {"int": QVariant.Int, "double": QVariant.Double, "string": QVariant.String}
    fields = QgsFields()
    for name, typ in spec:
        fields.append(QgsField(name, types[typ]))
    return fields


def write_layer(path, name, spec, wkb_type, rows, first):
    """Write one layer of the GeoPackage; rows are (QgsGeometry, [attributes])."""
    from qgis.core import (NULL, QgsCoordinateReferenceSystem, QgsCoordinateTransformContext, QgsFeature,
                           QgsVectorFileWriter)

    fields = make_fields(spec)
    opts = QgsVectorFileWriter.SaveVectorOptions()
    opts.driverName = "GPKG"
    opts.layerName = name
    opts.fileEncoding = "UTF-8"
    opts.actionOnExistingFile = (QgsVectorFileWriter.CreateOrOverwriteFile if first
                                 else QgsVectorFileWriter.CreateOrOverwriteLayer)
    writer = QgsVectorFileWriter.create(path, fields, wkb_type, QgsCoordinateReferenceSystem(CRS_AUTHID),
                                        QgsCoordinateTransformContext(), opts)
    if writer.hasError() != QgsVectorFileWriter.NoError:
        raise RuntimeError("cannot write layer %s: %s" % (name, writer.errorMessage()))
    for geom, attrs in rows:
        f = QgsFeature(fields)
        f.setGeometry(geom)
        f.setAttributes([NULL if v is None else v for v in attrs])
        if not writer.addFeature(f):
            raise RuntimeError("cannot add feature to %s: %s" % (name, writer.errorMessage()))
    del writer


def point(x, y):
    """QgsGeometry point."""
    from qgis.core import QgsGeometry, QgsPointXY
    return QgsGeometry.fromPointXY(QgsPointXY(x, y))


def write_all(path, quarters, net, addresses, services):
    """Write all seven layers into one GeoPackage (quartiere first: it creates the file)."""
    from qgis.core import QgsGeometry, QgsPointXY, QgsWkbTypes

    q_spec = ([("quartier_id", "string"), ("name", "string"), ("stadtbezirk", "string")]
              + [(f, "int") for f in QUARTER_INT_FIELDS] + [(f, "double") for f in QUARTER_RATE_FIELDS]
              + [("flaeche_ha", "double")])
    rows = []
    for q in quarters:
        g = QgsGeometry(q["geom"])
        g.convertToMultiType()
        rows.append((g, [q[name] for name, _ in q_spec]))
    write_layer(path, "quartiere", q_spec, QgsWkbTypes.MultiPolygon, rows, True)

    k_spec = [("name", "string"), ("traeger", "string"), ("plaetze", "int")]
    n_spec = [("name", "string"), ("traeger", "string")]
    for layer, spec in (("kitas", k_spec), ("familienzentren", n_spec), ("jugendzentren", n_spec),
                        ("pflegeheime", k_spec)):
        rows = [(point(s["x"], s["y"]), [s[n] for n, _ in spec]) for s in services[layer]]
        write_layer(path, layer, spec, QgsWkbTypes.Point, rows, False)

    rows = [(QgsGeometry.fromPolylineXY([QgsPointXY(*net.nodes[a]), QgsPointXY(*net.nodes[b])]), [art, name])
            for a, b, art, name in net.edges]
    write_layer(path, "wege", [("art", "string"), ("name", "string")], QgsWkbTypes.LineString, rows, False)

    a_spec = [("adresse_id", "int"), ("quartier_id", "string"), ("einwohner", "int"), ("ew_u6", "int"),
              ("ew_65plus", "int")]
    rows = [(point(a["x"], a["y"]), [a[n] for n, _ in a_spec]) for a in addresses]
    write_layer(path, "adressen", a_spec, QgsWkbTypes.Point, rows, False)


# ---------------------------------------------------------------------------------------------------------------
# checks and main
# ---------------------------------------------------------------------------------------------------------------
def check(quarters, net, addresses, town):
    """Fail loudly if an invariant the other modules rely on does not hold."""
    from qgis.core import QgsGeometry, QgsPointXY, QgsSpatialIndex, QgsFeature

    assert 40 <= len(quarters) <= 80, len(quarters)
    assert len({q["name"] for q in quarters}) == len(quarters)
    assert all(q["geom"].isGeosValid() for q in quarters)
    # no overlaps: the parts' areas add up to the union's; no gaps: the union is one polygon without holes
    assert abs(sum(q["geom"].area() for q in quarters) - town.area()) < 1.0
    assert not town.isMultipart() and len(town.asPolygon()) == 1
    small = [q["name"] for q in quarters if q["ew_gesamt"] < 300]
    assert 3 <= len(small) <= 5, small
    assert 2000 <= len(net.edges) <= 8000, len(net.edges)
    assert 4000 <= len(addresses) <= 10000, len(addresses)
    # noding: two segments may only meet at shared end nodes
    geoms, index = [], QgsSpatialIndex()
    for k, (a, b, _, _) in enumerate(net.edges):
        g = QgsGeometry.fromPolylineXY([QgsPointXY(*net.nodes[a]), QgsPointXY(*net.nodes[b])])
        geoms.append(g)
        f = QgsFeature(k)
        f.setGeometry(g)
        index.addFeature(f)
    for k, (a, b, _, _) in enumerate(net.edges):
        for j in index.intersects(geoms[k].boundingBox()):
            if j <= k or not geoms[k].intersects(geoms[j]):
                continue
            shared = {net.nodes[a], net.nodes[b]} & {net.nodes[net.edges[j][0]], net.nodes[net.edges[j][1]]}
            inter = geoms[k].intersection(geoms[j])
            assert shared and inter.type() == 0, "segments %d and %d cross" % (k, j)
    comps = net.components()
    assert len(comps) == 2 and len(comps[1]) < 10, [len(c) for c in comps]


def main(argv):
    out = os.path.abspath(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    from qgis.core import QgsApplication, QgsGeometry

    QgsApplication.setPrefixPath(QgsApplication.prefixPath() or "/usr", True)
    app = QgsApplication([], False)
    app.initQgis()

    rng = np.random.default_rng(SEED)
    inner, names, kinds, outer = make_seeds(rng)
    cells = voronoi_cells(inner, outer)
    quarters = quarter_frame(rng, inner, names, kinds, cells)
    order_xy = np.array([q["seed"] for q in quarters])
    locator = SeedLocator(order_xy, outer)
    for q in quarters:
        q["dep"] = float(deprivation_surface(q["cx"] - CX, q["cy"] - CY)) + float(rng.normal(0, 0.18))
        q["dep"] += {"grosswohnsiedlung": 0.35, "villen": -0.3, "gehoben": -0.35}.get(q["kind"], 0.0)
    make_demography(rng, quarters)
    make_social_counts(rng, quarters)

    town = QgsGeometry.unaryUnion([q["geom"] for q in quarters])
    town_engine = QgsGeometry.createGeometryEngine(town.constGet())
    town_engine.prepareGeometry()
    net = make_network(rng, locator, quarters, town_engine)
    engines = []
    for q in quarters:
        e = QgsGeometry.createGeometryEngine(q["geom"].constGet())
        e.prepareGeometry()
        engines.append(e)
    addresses = place_addresses(rng, quarters, net, locator, engines)
    services = make_services(rng, quarters, addresses, engines)
    check(quarters, net, addresses, town)

    if os.path.exists(out):
        os.remove(out)
    write_all(out, quarters, net, addresses, services)
    summary(quarters, net, addresses, services, out)
    sys.stdout.flush()
    # exitQgis() can crash on QGIS 3.22 at interpreter shutdown; everything is written and closed here
    os._exit(0)


def summary(quarters, net, addresses, services, out):
    """One line of key figures on stdout."""
    ew = sum(q["ew_gesamt"] for q in quarters)
    rate = 100.0 * sum(q["sgb2_2024"] for q in quarters) / sum(q["ew_u65"] for q in quarters)
    print("Musterstadt: %d quarters, %d residents, SGB II %.1f %%, %d street segments, %d addresses, %s -> %s"
          % (len(quarters), ew, rate, len(net.edges), len(addresses),
             ", ".join("%d %s" % (len(v), k) for k, v in services.items()), out))


if __name__ == "__main__":
    main(sys.argv)
