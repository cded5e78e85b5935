"""The MSS method on the real Berlin tables (MSS 2013-2021), checked against published results.

Data: ../shared/data/berlin/mss{year}_indikatoren_plr.csv (SenSBW Berlin, dl-de/zero-2.0); the
tests skip when the folder is absent.

Which planning areas (PLR) are rated: the tables carry 0 in every indicator for PLR that the
MSS did not rate in that edition (fewer than 300 inhabitants during the period, or excluded as
an outlier such as 10010203 "Gewerbegebiet Bitterfelder Straße"). A real PLR never has exactly
0 in every status *and* dynamic indicator, so such rows are set to null, and PLR with fewer than
300 inhabitants are left out through ``min_population``. This reproduces the published numbers
of rated PLR (see the tests).

Published figures used (found with the project's search tool):
- MSS 2013: "denen die betrachteten 434 Planungsräume zugeordnet werden"
  (berlin.de/sen/sbw/stadtdaten/stadtwissen/monitoring-soziale-stadtentwicklung/bericht-2013/).
- MSS 2013, classes of single PLR: the FIS-Broker table "Indizes MSS2013" (fields STATUS_N,
  DYNAM_N, SDI_N), as mirrored in github.com/sebastian-meier/BerlinRefinedAssets,
  tools/fisbroker/moabit/re_Indizes_MSS2013.csv (the Moabit / Wedding / Charlottenburg-Nord rows).
- MSS 2017: "denen die betrachteten 436 Planungsräume zugeordnet werden"
  (berlin.de/.../monitoring-soziale-stadtentwicklung/bericht-2017).
- MSS 2019: 10 PLR with fewer than 300 inhabitants and one outlier (10010203) are not rated
  (berlin.de/.../bericht-2019/tabellen); "annähernd elf Prozent der untersuchten Quartiere
  [...] einen niedrigen sozialen Status-Index [...], circa neun Prozent einen sehr niedrigen
  Status. In diesen beiden Gebietstypen wohnten [...] etwa 774.000 Berlinerinnen und Berliner"
  (rbb24.de, 2020-06, "berlin-soziale-stadtentwicklung-verbesserung-2019").
- MSS 2015 and 2021: no published class counts were found; only invariants and a plain-Python
  recomputation of two PLR are checked.
"""

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sozialraum.core.mss import status_dynamic_index

DATA = Path(__file__).resolve().parents[2].parent / "shared/data/berlin"
EDITIONS = (2013, 2015, 2017, 2019, 2021)

pytestmark = pytest.mark.skipif(not (DATA / "mss2021_indikatoren_plr.csv").exists(),
                                reason="Berlin reference data (../shared/data/berlin) not available")


def path(year):
    return DATA / "mss{}_indikatoren_plr.csv".format(year)


def load(year):
    frame = pd.read_csv(path(year), dtype={"id": str})
    indicators = [c for c in frame.columns if c[0] in "sd" and c[1].isdigit()]
    not_rated = (frame[indicators] == 0).all(axis=1)
    frame.loc[not_rated, indicators] = np.nan
    return frame, [c for c in indicators if c[0] == "s"], [c for c in indicators if c[0] == "d"]


_RESULTS = {}


def mss(year):
    if year not in _RESULTS:
        frame, status, dynamic = load(year)
        result = status_dynamic_index(frame, status, dynamic_fields=dynamic, population_field="inhabitants",
                                      min_population=300, id_column="id")
        _RESULTS[year] = (frame, result)
    return _RESULTS[year]


@pytest.mark.parametrize("year", EDITIONS)
def test_invariants(year):
    frame, result = mss(year)
    table = result.table
    rated = table[table["rated"]]
    for column in ["status_index", "dynamic_index"] + [c for c in table.columns if c.startswith("z_")]:
        assert rated[column].mean() == pytest.approx(0, abs=1e-9), column
        assert rated[column].std(ddof=0) == pytest.approx(1), column
        assert table.loc[~table["rated"], column].isna().all(), column
    status, dynamic = rated["status_index"], rated["dynamic_index"]
    cls = rated["status_class"]
    assert (cls[status < -1] == 1).all() and (cls[(status >= -1) & (status <= 1)] == 2).all()
    assert (cls[(status > 1) & (status <= 1.5)] == 3).all() and (cls[status > 1.5] == 4).all()
    dcls = rated["dynamic_class"]
    assert (dcls[dynamic < -1] == 1).all() and (dcls[(dynamic >= -1) & (dynamic <= 1)] == 2).all()
    assert (dcls[dynamic > 1] == 3).all()
    expected_attention = (cls >= 3) | ((cls == 2) & (dcls == 3))
    assert (rated["aufmerksamkeit"] == expected_attention).all()
    assert (rated["gesamt_code"].str[0].astype(int) == cls).all()


@pytest.mark.parametrize("year, published", [(2013, 434), (2017, 436), (2019, 447 - 10 - 1)])
def test_number_of_rated_planning_areas_matches_the_reports(year, published):
    _, result = mss(year)
    assert result.parameters["n_rated"] == published


def test_mss2019_excludes_the_published_outlier():
    _, result = mss(2019)
    table = result.table.set_index("id")
    assert not table.loc["10010203", "rated"]
    # the other ten excluded PLR had fewer than 300 inhabitants during 2017-2018
    assert (~table["rated"]).sum() == 11


# Published MSS 2013 classes (FIS-Broker "Indizes MSS2013": STATUS_N, DYNAM_N; SDI_N is the code)
MSS2013_PUBLISHED = {
    "01022101": "3-",    # Huttenkiez: Status niedrig, Dynamik negativ
    "01022102": "4+/-",  # Beusselkiez
    "01022104": "2+/-",  # Emdener Straße
    "01022105": "3+",    # Zwinglistraße
    "01022106": "2+/-",  # Elberfelder Straße
    "01022201": "2+",    # Stephankiez
    "01022203": "3+",    # Lübecker Straße
    "01022204": "2+/-",  # Thomasiusstraße
    "01022206": "2+/-",  # Lüneburger Straße
    "01022207": "2-",    # Hansaviertel
    "01044101": "3+/-",  # Rehberge
    "01044202": "3+",    # Sparrplatz
    "04010102": "2+/-",  # Plötzensee
    "04010103": "3+/-",  # Paul-Hertz-Siedlung
    "04030518": "2+",    # Tegeler Weg
    "04030519": "2+",    # Kaiserin-Augusta-Allee
}


def test_mss2013_reproduces_the_published_classes_of_single_planning_areas():
    _, result = mss(2013)
    table = result.table.set_index("id")
    computed = {plr: table.loc[plr, "gesamt_code"] for plr in MSS2013_PUBLISHED}
    assert computed == MSS2013_PUBLISHED
    # published as not rated (fewer than 300 inhabitants): Großer Tiergarten, Westhafen
    assert not table.loc["01011102", "rated"] and not table.loc["01022103", "rated"]


def test_mss2019_matches_the_published_shares_and_inhabitants():
    frame, result = mss(2019)
    table = result.table
    rated = table["rated"]
    share = table.loc[rated, "status_class"].value_counts(normalize=True) * 100
    assert 10.0 <= share[3] <= 11.0   # "annähernd elf Prozent" niedrig
    assert 8.5 <= share[4] <= 9.5     # "circa neun Prozent" sehr niedrig
    low = rated & (table["status_class"] >= 3)
    assert abs(frame.loc[low, "inhabitants"].sum() - 774_000) < 1_000  # "etwa 774.000"


@pytest.mark.parametrize("year, plrs", [(2021, ("01100101", "01100103")), (2015, ("01011101", "01011103"))])
def test_two_planning_areas_recomputed_by_hand(year, plrs):
    """The whole method in plain Python (csv module, no numpy/pandas) for two PLR."""
    with open(path(year), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    status_fields = [f for f in rows[0] if f[0] == "s" and f[1].isdigit()]
    dynamic_fields = [f for f in rows[0] if f[0] == "d" and f[1].isdigit()]
    indicators = status_fields + dynamic_fields
    rated = [r for r in rows if float(r["inhabitants"]) >= 300 and any(float(r[f]) != 0 for f in indicators)]

    def standardise(values):
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        return [(v - mean) / sd for v in values]

    def index(fields):
        columns = [standardise([float(r[f]) for r in rated]) for f in fields]
        return standardise([sum(column[i] for column in columns) for i in range(len(rated))])

    status, dynamic = index(status_fields), index(dynamic_fields)
    _, result = mss(year)
    table = result.table.set_index("id")
    position = {r["id"]: i for i, r in enumerate(rated)}
    for plr in plrs:
        assert table.loc[plr, "status_index"] == pytest.approx(status[position[plr]], abs=1e-9)
        assert table.loc[plr, "dynamic_index"] == pytest.approx(dynamic[position[plr]], abs=1e-9)
