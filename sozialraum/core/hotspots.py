"""Gebietskulisse: spatial clusters of need from local Moran's I and Getis-Ord Gi* (no QGIS).

``y`` is a numeric field of ``n`` quarters (not rated quarters are left out before), ``N(i)`` the ``k_i``
neighbours of quarter ``i`` (:class:`Neighbours`, from core/weights.py or the contiguity adapter). With the
population variance, ``z_i = (y_i - mean) / s`` and ``s^2 = sum (y - mean)^2 / n``:

* **Local Moran's I** (Anselin 1995), row-standardised weights ``w_ij = 1 / k_i``, as PySAL's esda computes it::

      lag_i = sum_j w_ij z_j,     I_i = (n - 1) z_i lag_i / sum_j z_j^2

  (a ratio of squares: the same for ``y - mean`` or for ``z``). Type by the signs of ``z_i`` and ``lag_i``
  (``> 0`` high, else low, as esda's quadrants): HH, LH, LL, HL; "ns" where not significant.
* **Conditional permutation** pseudo p-value (esda's ``p_sim``): ``z_i`` stays, its ``k_i`` neighbours are
  replaced ``R`` times by ``k_i`` of the other ``n - 1`` quarters drawn without replacement, giving ``R``
  simulated ``I_i``; ``p_i = (min(#{sim >= obs}, #{sim < obs}) + 1) / (R + 1)``. As esda does, one table of
  draws (``R`` rows of ``k_max`` positions among ``n - 1``, from numpy's PCG64 generator seeded with ``seed``)
  serves every quarter: quarter ``i`` uses the first ``k_i`` of a row, position ``r`` meaning quarter ``r`` if
  ``r < i``, else ``r + 1`` (``i`` itself is never drawn). A quarter exactly at the mean (``z_i = 0``) has
  ``I_i = 0`` for every draw; it is given ``p = 1`` (no evidence), where esda would report ``1 / (R + 1)``.
* **Getis-Ord Gi*** (Ord & Getis 1995), binary weights including the quarter itself, ``W*_i = k_i + 1``::

      Gi*_i = (sum_{j in N(i) + i} y_j - W*_i mean) / (s sqrt((n W*_i - W*_i^2) / (n - 1)))

  a z-value; ``gi_p`` is its two-sided normal p-value ``erfc(|Gi*| / sqrt 2)``. (esda multiplies its ``Zs`` by
  the sign of the mean; on a field with mean 0, such as ``index_value``, only the formula is the reference.)
* Significance at ``alpha``; with ``fdr`` the Benjamini-Hochberg step-up threshold over the quarters tested:
  the largest ``p_(m)`` with ``p_(m) <= m alpha / M`` (``M`` quarters with neighbours).
* Quarters without neighbours ("islands") keep their place in the mean and variance but get no statistics and
  the type "ns": a permutation test means nothing for them.
* **Clusters**: significant HH quarters joined where they are neighbours (connected components); numbered 1, 2,
  ... by number of quarters, then by their first ID, so the numbering does not depend on the row order.

References: Anselin, L. (1995): Local indicators of spatial association - LISA. Geographical Analysis 27(2),
93-115. Ord, J. K. & Getis, A. (1995): Local spatial autocorrelation statistics: distributional issues and an
application. Geographical Analysis 27(4), 286-306. Benjamini, Y. & Hochberg, Y. (1995): Controlling the false
discovery rate. JRSS B 57(1), 289-300.
"""

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from .errors import InputError

TYPES = ("HH", "LH", "LL", "HL")
#: the types in words (German, English): the quarter's own value, then its neighbours'
TYPE_WORDS = {"HH": ("hoch, Nachbarn hoch", "high among high"), "HL": ("hoch, Nachbarn niedrig", "high among low"),
              "LH": ("niedrig, Nachbarn hoch", "low among high"), "LL": ("niedrig, Nachbarn niedrig", "low among low"),
              "ns": ("nicht signifikant", "not significant")}
NOT_SIGNIFICANT = "ns"
RESULT_COLUMNS = ["lisa_i", "lisa_p", "lisa_typ", "gi_z", "gi_p", "cluster_id"]


class Neighbours(NamedTuple):
    """Neighbour lists in compressed rows: the neighbours of ``i`` are ``indices[indptr[i]:indptr[i + 1]]``."""

    indptr: np.ndarray
    indices: np.ndarray

    @property
    def n(self):
        return self.indptr.size - 1

    @property
    def cardinality(self):
        return np.diff(self.indptr)

    def pairs(self):
        """``(i, j)`` of every neighbour relation."""
        return np.repeat(np.arange(self.n), self.cardinality), self.indices


def neighbours_from_pairs(n, a, b, symmetric=True):
    """:class:`Neighbours` of ``n`` quarters from the pairs ``(a_k, b_k)`` (``b`` is a neighbour of ``a``, and
    with ``symmetric`` also ``a`` of ``b``); repeats and self-pairs are dropped, each list sorted."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if symmetric:
        a, b = np.concatenate([a, b]), np.concatenate([b, a])
    keep = a != b
    key = np.unique(a[keep] * n + b[keep])
    rows, cols = key // n, key % n
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return Neighbours(indptr, cols)


def standardise(y):
    """``z = (y - mean) / s`` with the population SD ``s``; a constant field raises :class:`InputError`."""
    y = np.asarray(y, dtype=float)
    deviation = y - y.mean()
    s = math.sqrt(math.fsum(deviation * deviation) / y.size)
    if not s > 1e-12 * max(1.0, float(np.abs(y).max())):
        raise InputError("Das Feld hat in allen bewerteten Quartieren denselben Wert ({}): ohne Unterschiede gibt es "
                         "keine Häufungen. Bitte wählen Sie ein anderes Feld.".format(y[0]),
                         "The field has the same value in every rated quarter ({}): without differences there are "
                         "no clusters. Please choose another field.".format(y[0]))
    return deviation / s, s


def spatial_lag(z, neighbours):
    """``sum_j w_ij z_j`` with ``w_ij = 1 / k_i`` (0 for quarters without neighbours)."""
    k = neighbours.cardinality
    sums = np.add.reduceat(np.concatenate([z[neighbours.indices], [0.0]]), np.minimum(neighbours.indptr[:-1],
                                                                                       neighbours.indices.size))
    sums = np.where(k > 0, sums, 0.0)
    return np.divide(sums, k, out=np.zeros_like(sums), where=k > 0)


def local_moran(z, neighbours):
    """Local Moran's I and the spatial lag (see the module text); NaN for quarters without neighbours."""
    lag = spatial_lag(z, neighbours)
    local = (z.size - 1) * z * lag / math.fsum(z * z)
    return np.where(neighbours.cardinality > 0, local, np.nan), lag


def permutation_draws(seed, permutations, n_others, k_max):
    """``permutations`` rows of ``k_max`` distinct positions among ``0 .. n_others - 1`` (PCG64, ``seed``)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    k_max = min(k_max, n_others)
    return np.array([rng.choice(n_others, size=k_max, replace=False) for _ in range(permutations)],
                    dtype=np.int64).reshape(permutations, k_max)


def permutation_p(z, neighbours, draws, is_canceled=None):
    """The conditional permutation pseudo p-values of local Moran's I for the ``draws`` (see the module text).

    For each row ``r`` of the draws and each cardinality ``k``, the first ``k`` positions sorted ``d_1 < ...``:
    quarter ``i`` draws ``z[d]`` for ``d < i`` and ``z[d + 1]`` otherwise, so its simulated neighbour sum is
    ``sum z[d + 1] + sum_{d < i} (z[d] - z[d + 1])``, a prefix sum found by binary search: O(n) per row,
    without an n x R array. ``sim >= obs`` compares ``z_i`` times the sums, equal within 1e-9 counting as
    ``>=``. Returns NaN for quarters without neighbours, 1 where ``z_i = 0``; None when cancelled."""
    n = z.size
    k = neighbours.cardinality
    observed = spatial_lag(z, neighbours) * k  # neighbour sums
    sign = np.sign(z)
    at_least = np.zeros(n, dtype=np.int64)
    groups = [(size, np.flatnonzero(k == size)) for size in np.unique(k[k > 0]).tolist()]
    tolerance = 1e-9 * np.maximum(1.0, np.abs(observed))
    for r in range(draws.shape[0]):
        if is_canceled is not None and r % 50 == 0 and is_canceled():
            return None
        for size, members in groups:
            d = np.sort(draws[r, :size])
            low, high = z[d], z[d + 1]
            prefix = np.concatenate([[0.0], np.cumsum(low - high)])
            simulated = high.sum() + prefix[np.searchsorted(d, members, side="left")]
            difference = sign[members] * (simulated - observed[members])
            at_least[members] += difference >= -tolerance[members]
    count = draws.shape[0]
    p = (np.minimum(at_least, count - at_least) + 1.0) / (count + 1.0)
    p = np.where(z == 0.0, 1.0, p)
    return np.where(k > 0, p, np.nan)


def getis_ord_star(y, neighbours):
    """Getis-Ord Gi* as a z-value and its two-sided normal p-value (see the module text)."""
    y = np.asarray(y, dtype=float)
    n = y.size
    mean = y.mean()
    s = math.sqrt(math.fsum((y - mean) ** 2) / n)
    weight = neighbours.cardinality + 1.0
    sums = spatial_lag(y, neighbours) * neighbours.cardinality + y
    with np.errstate(invalid="ignore", divide="ignore"):
        gi = (sums - weight * mean) / (s * np.sqrt((n * weight - weight ** 2) / (n - 1)))
    gi = np.where(neighbours.cardinality > 0, gi, np.nan)
    p = np.array([math.erfc(abs(v) / math.sqrt(2.0)) if v == v else np.nan for v in gi.tolist()])
    return gi, p


def benjamini_hochberg(p, alpha):
    """The largest ``p_(m)`` with ``p_(m) <= m alpha / M`` over the non-NaN ``p`` (0 when there is none): the
    quarters with ``p <= threshold`` are significant at a false discovery rate ``alpha``."""
    tested = np.sort(p[~np.isnan(p)])
    passing = np.flatnonzero(tested <= alpha * np.arange(1, tested.size + 1) / max(tested.size, 1))
    return float(tested[passing[-1]]) if passing.size else 0.0


def quadrant_types(z, lag):
    """HH, LH, LL or HL by the signs of ``z`` and its lag (``> 0`` high), as esda's quadrants 1-4."""
    high, high_lag = z > 0, lag > 0
    return np.where(high & high_lag, "HH", np.where(~high & high_lag, "LH", np.where(~high & ~high_lag, "LL",
                                                                                        "HL")))


def connected_clusters(members, neighbours, order_key):
    """Cluster number (1, 2, ...; 0 for non-members) of the connected components of the ``members`` (a mask) in
    the neighbour graph; numbered by size, larger first, then by the smallest ``order_key`` in the cluster."""
    n = members.size
    a, b = neighbours.pairs()
    keep = members[a] & members[b]
    a, b = a[keep], b[keep]
    # union-find by repeated pointer jumping over the edges (vectorised label propagation)
    label = np.arange(n)
    while True:
        smaller = np.minimum(label[a], label[b])
        changed = False
        for side in (a, b):
            update = smaller < label[side]
            if update.any():
                np.minimum.at(label, side[update], smaller[update])
                changed = True
        label = label[label]
        if not changed:
            break
    cluster = np.zeros(n, dtype=np.int64)
    roots = np.unique(label[members])
    if roots.size == 0:
        return cluster
    sizes = np.array([int((label[members] == root).sum()) for root in roots.tolist()])
    firsts = np.array([order_key[members & (label == root)].min() for root in roots.tolist()])
    ranked = roots[np.lexsort((firsts, -sizes))]
    number = {int(root): rank + 1 for rank, root in enumerate(ranked.tolist())}
    cluster[members] = [number[int(root)] for root in label[members].tolist()]
    return cluster


class Hotspots(NamedTuple):
    """The result of :func:`hotspots`: ``table`` (the :data:`RESULT_COLUMNS`, one row per quarter of the input
    order), ``p_threshold`` (the significance level used), ``moran_i`` (the global Moran's I with the same
    weights) and ``islands`` (positions of quarters without neighbours)."""

    table: pd.DataFrame
    p_threshold: float
    moran_i: float
    islands: np.ndarray


def hotspots(y, neighbours, order_key, permutations=999, seed=12345, alpha=0.05, fdr=False, draws=None,
             is_canceled=None):
    """Local Moran's I with permutation p-values, Gi*, types and clusters for the values ``y`` (no NaN) of
    quarters with the ``neighbours`` (see the module text); ``draws`` replaces the random draws (tests).
    Returns :class:`Hotspots`, or None when cancelled."""
    y = np.asarray(y, dtype=float)
    n = y.size
    if n < 3:
        raise InputError("Für Häufungen braucht es mindestens 3 bewertete Quartiere (erhalten: {}).".format(n),
                         "Clusters need at least 3 rated quarters (got: {}).".format(n))
    if not 0 < alpha < 1:
        raise InputError("Das Signifikanzniveau muss zwischen 0 und 1 liegen (erhalten: {}).".format(alpha),
                         "The significance level must lie between 0 and 1 (got: {}).".format(alpha))
    if permutations < 1 and draws is None:
        raise InputError("Bitte mindestens 1 Permutation angeben (üblich: 999).",
                         "Please give at least 1 permutation (usual: 999).")
    z, _ = standardise(y)
    local, lag = local_moran(z, neighbours)
    k = neighbours.cardinality
    if draws is None:
        draws = permutation_draws(seed, permutations, n - 1, int(k.max()) if k.size else 0)
    p = permutation_p(z, neighbours, draws, is_canceled)
    if p is None:
        return None
    gi, gi_p = getis_ord_star(y, neighbours)
    threshold = benjamini_hochberg(p, alpha) if fdr else alpha
    significant = (k > 0) & (p <= threshold)
    types = np.where(significant, quadrant_types(z, lag), NOT_SIGNIFICANT)
    cluster = connected_clusters(types == "HH", neighbours, order_key)
    table = pd.DataFrame({"lisa_i": local, "lisa_p": p, "lisa_typ": types, "gi_z": gi, "gi_p": gi_p,
                          "cluster_id": pd.array([c if c > 0 else None for c in cluster.tolist()], dtype="Int64")})
    # global Moran's I with the same row-standardised weights: (n / S0) sum z_i lag_i / sum z^2, S0 = sum w_ij
    weight_sum = int((k > 0).sum())
    moran_i = n / weight_sum * math.fsum(z * lag) / math.fsum(z * z) if weight_sum else float("nan")
    return Hotspots(table, threshold, moran_i, np.flatnonzero(k == 0))


def area_profile(cluster, population, indicators):
    """Per cluster: number of quarters, population and each indicator's population-weighted mean against the
    city's (quarters with a value only; without a population field every quarter weighs 1).

    ``cluster``: cluster number per quarter (0 = none); ``population``: array or None; ``indicators``: a
    DataFrame of float columns. Returns a DataFrame indexed by cluster number with ``anzahl_quartiere``,
    ``bevoelkerung`` and per indicator ``<name>_gebiet``, ``<name>_stadt`` and ``<name>_abw`` (area - city)."""
    weight = np.ones(cluster.size) if population is None else np.asarray(population, dtype=float)
    numbers = sorted(set(cluster[cluster > 0].tolist()))
    rows = {}
    city = {}
    for name in indicators.columns:
        values = indicators[name].to_numpy(dtype=float)
        present = ~np.isnan(values) & (weight > 0)
        city[name] = math.fsum(values[present] * weight[present]) / math.fsum(weight[present]) if present.any() \
            else np.nan
    for number in numbers:
        inside = cluster == number
        row = {"anzahl_quartiere": int(inside.sum()),
               "bevoelkerung": math.fsum(weight[inside]) if population is not None else np.nan}
        for name in indicators.columns:
            values = indicators[name].to_numpy(dtype=float)
            present = inside & ~np.isnan(values) & (weight > 0)
            area = math.fsum(values[present] * weight[present]) / math.fsum(weight[present]) if present.any() \
                else np.nan
            row[name + "_gebiet"], row[name + "_stadt"], row[name + "_abw"] = area, city[name], area - city[name]
        rows[number] = row
    return pd.DataFrame.from_dict(rows, orient="index")
