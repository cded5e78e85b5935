"""Service coverage: where do social services miss the people who need them?

Inputs are plain arrays so the same code serves Euclidean and network distances:

* demand points ``i = 0..n-1`` with weights ``P_i`` (target population, e.g. children under 6)
  and district codes (``0..m-1``, ``-1`` = outside all districts);
* services ``j = 0..s-1`` with capacities ``S_j >= 0`` and district codes;
* a sparse list of demand-service pairs ``(pair_i, pair_j, pair_d)`` within the largest
  catchment. Each pair appears once; pairs beyond a catchment are simply absent. Every cut-off
  is INCLUSIVE: a pair with ``d <= d0`` is in reach.

Nothing here builds a dense ``n x s`` matrix: all sums are ``np.bincount`` over the pair list,
so tens of millions of pairs fit in memory (about 8 bytes per pair and temporary array).

References
----------
Luo, W. & Wang, F. (2003): Measures of spatial accessibility to health care in a GIS
environment. Environment and Planning B 30(6), 865-884 (2SFCA).
Luo, W. & Qi, Y. (2009): An enhanced two-step floating catchment area (E2SFCA) method for
measuring spatial accessibility to primary care physicians. Health & Place 15(4), 1100-1107.
Dai, D. (2010): Black residential segregation, disparities in spatial access to health care
facilities, and late-stage breast cancer diagnosis in metropolitan Detroit.
Health & Place 16(5), 1038-1052 (Gaussian catchment weights that fall to zero at d0).
"""

from typing import NamedTuple

import numpy as np
import pandas as pd

from .errors import InputError, language, names
from .radius import grouped_min

#: Luo & Qi (2009) weights of the three travel zones for their "slow step decay", derived from
#: a Gaussian function; the zones here are the thirds of the catchment radius d0.
LUO_QI_WEIGHTS = (1.0, 0.68, 0.22)

#: Default class breaks for :func:`coverage_class`: level >= 0.9 good, >= 0.6 medium, else poor.
DEFAULT_CLASS_BREAKS = (0.9, 0.6)

_WEIGHTS = ("uniform", "step", "gaussian")

_COVERAGE_LABELS = {
    "de": {1: "gut", 2: "mittel", 3: "gering"},
    "en": {1: "good", 2: "medium", 3: "poor"},
}
NO_DATA = {"de": "keine Angabe", "en": "no data"}


# ---------------------------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------------------------


def float_array(values, what_de, what_en):
    """``values`` as a 1-D float64 array, or an :class:`InputError` for text and nested data."""
    try:
        array = np.asarray(values, dtype="float64")
    except (TypeError, ValueError):
        raise InputError(
            "{} enthält Werte, die keine Zahlen sind. Bitte wählen Sie ein Zahlenfeld.".format(what_de),
            "{} holds values that are not numbers. Please choose a numeric field.".format(what_en),
        ) from None
    if array.ndim != 1:
        array = array.reshape(-1)
    return array


def _labels(positions, item_names):
    if item_names is None:
        return [int(p) for p in positions]
    return [item_names[int(p)] for p in positions]


def _demand_weights(demand_weight):
    """Check ``P_i``: numbers, none missing, none negative, not all zero."""
    weights = float_array(demand_weight, "Die Zielbevölkerung", "The target population")
    if weights.size == 0:
        raise InputError(
            "Es gibt keine Nachfragepunkte. Bitte wählen Sie einen Layer mit Wohnstandorten oder "
            "Gebietsmittelpunkten.",
            "There are no demand points. Please choose a layer with residential locations or "
            "district centroids.",
        )
    missing = np.flatnonzero(~np.isfinite(weights))
    if missing.size:
        shown = names(missing.tolist())
        raise InputError(
            "Die Zielbevölkerung fehlt an den Nachfragepunkten {}. Bitte füllen Sie die Werte "
            "aus oder filtern Sie die Punkte heraus.".format(shown),
            "The target population is missing at demand points {}. Please fill in the values or "
            "filter those points out.".format(shown),
        )
    negative = np.flatnonzero(weights < 0)
    if negative.size:
        shown = names(negative.tolist())
        raise InputError(
            "Die Zielbevölkerung ist negativ an den Nachfragepunkten {}. Bitte prüfen Sie das "
            "Feld.".format(shown),
            "The target population is negative at demand points {}. Please check the field.".format(shown),
        )
    if not weights.sum() > 0:
        raise InputError(
            "Die Zielbevölkerung ist überall 0. Bitte prüfen Sie, ob das richtige Feld gewählt ist.",
            "The target population is 0 everywhere. Please check that the right field is chosen.",
        )
    return weights


def service_capacities(capacity, n_services=None, service_names=None):
    """Check the capacities ``S_j``: default 1 per service; none missing, none negative.

    ``capacity=None`` means every one of ``n_services`` services counts once (capacity 1).
    ``service_names`` (optional, one per service) name offending services in messages.
    """
    if capacity is None:
        if n_services is None:
            raise TypeError("capacity=None needs n_services")
        capacities = np.ones(int(n_services), dtype="float64")
    else:
        capacities = float_array(capacity, "Die Kapazität", "The capacity")
    if capacities.size == 0:
        raise InputError(
            "Es gibt keine Einrichtungen. Bitte wählen Sie einen Layer mit mindestens einer "
            "Einrichtung (oder prüfen Sie den Filter).",
            "There are no services. Please choose a layer with at least one service (or check "
            "the filter).",
        )
    missing = np.flatnonzero(~np.isfinite(capacities))
    if missing.size:
        shown = names(_labels(missing, service_names))
        raise InputError(
            "Die Kapazität fehlt bei den Einrichtungen {}. Bitte tragen Sie die Plätze ein oder "
            "lassen Sie das Kapazitätsfeld leer (dann zählt jede Einrichtung 1).".format(shown),
            "The capacity is missing for services {}. Please enter the places or leave the "
            "capacity field empty (then each service counts 1).".format(shown),
        )
    negative = np.flatnonzero(capacities < 0)
    if negative.size:
        shown = names(_labels(negative, service_names))
        raise InputError(
            "Die Kapazität ist negativ bei den Einrichtungen {}. Bitte prüfen Sie das Feld.".format(shown),
            "The capacity is negative for services {}. Please check the field.".format(shown),
        )
    return capacities


def _positive(value, what_de, what_en):
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not (np.isfinite(number) and number > 0):
        raise InputError(
            "{} muss eine positive Zahl sein (erhalten: {}).".format(what_de, value),
            "{} must be a positive number (got: {}).".format(what_en, value),
        )
    return number


def _thresholds(thresholds):
    values = [_positive(t, "Jede Entfernungsschwelle", "Every distance threshold") for t in thresholds]
    return np.asarray(values, dtype="float64")


def _index_array(values, size, what_de, what_en):
    """Integer positions ``0..size-1`` as an integer array (kept in its integer dtype)."""
    array = np.asarray(values)
    if array.ndim != 1:
        array = array.reshape(-1)
    if array.size == 0:
        return array.astype(np.intp)
    if array.dtype.kind not in "iu":
        raise InputError(
            "{} müssen ganze Zahlen sein.".format(what_de),
            "{} must be whole numbers.".format(what_en),
        )
    if array.dtype == np.uint64:  # np.bincount cannot cast it to a signed index
        array = array.astype(np.int64)
    if array.min() < 0 or array.max() >= size:
        raise InputError(
            "{} liegen außerhalb von 0..{}.".format(what_de, size - 1),
            "{} lie outside 0..{}.".format(what_en, size - 1),
        )
    return array


def _pairs(pair_i, pair_j, pair_d, n_demand, n_services):
    """Check the pair list; distances may be ``inf`` (never in reach) but not NaN or negative."""
    distances = float_array(pair_d, "Die Entfernung", "The distance")
    demand = _index_array(
        pair_i, n_demand, "Die Nachfragepunkt-Nummern der Paare", "The demand indices of the pairs"
    )
    if n_services is None:
        service = None
    else:
        service = _index_array(
            pair_j, n_services, "Die Einrichtungs-Nummern der Paare", "The service indices of the pairs"
        )
    if len(demand) != len(distances) or (service is not None and len(service) != len(distances)):
        raise ValueError("pair_i, pair_j and pair_d must have the same length")
    if np.isnan(distances).any() or (distances < 0).any():
        raise InputError(
            "Einige Entfernungen sind leer oder negativ. Bitte prüfen Sie die Entfernungsberechnung.",
            "Some distances are empty or negative. Please check the distance calculation.",
        )
    return demand, service, distances


def _district_codes(codes, n_districts, what_de, what_en):
    array = np.asarray(codes)
    if array.ndim != 1:
        array = array.reshape(-1)
    if array.size and array.dtype.kind not in "iu":
        # codes stored as floats are fine when they are whole numbers
        as_float = float_array(array, what_de, what_en)
        if not np.all(np.isfinite(as_float) & (as_float == np.round(as_float))):
            raise InputError(
                "{} müssen ganze Zahlen 0..{} sein (-1 = außerhalb aller Gebiete).".format(
                    what_de, n_districts - 1
                ),
                "{} must be whole numbers 0..{} (-1 = outside all districts).".format(
                    what_en, n_districts - 1
                ),
            )
        array = as_float.astype(np.int64)
    array = array.astype(np.int64, copy=False)
    if array.size and (array.min() < -1 or array.max() >= n_districts):
        raise InputError(
            "{} liegen außerhalb von -1..{}.".format(what_de, n_districts - 1),
            "{} lie outside -1..{}.".format(what_en, n_districts - 1),
        )
    return array


def _demand_districts(codes, n_districts):
    return _district_codes(
        codes, n_districts, "Die Gebietsnummern der Nachfragepunkte", "The district codes of the demand points"
    )


def _share(numerator, denominator):
    """``numerator / denominator`` where the denominator is positive, NaN elsewhere."""
    numerator = np.asarray(numerator, dtype="float64")
    denominator = np.asarray(denominator, dtype="float64")
    result = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    positive = denominator > 0
    result[positive] = numerator[positive] / denominator[positive]
    return result


def _same_length(a, b, what):
    if len(a) != len(b):
        raise ValueError("{}: lengths differ ({} vs {})".format(what, len(a), len(b)))


# ---------------------------------------------------------------------------------------------
# catchment weights and the floating catchment methods
# ---------------------------------------------------------------------------------------------


def default_steps(d0):
    """E2SFCA zones for a catchment of radius ``d0``: thirds of ``d0`` with Luo & Qi's weights.

    ``[0, d0/3] -> 1.0, (d0/3, 2 d0/3] -> 0.68, (2 d0/3, d0] -> 0.22`` (Luo & Qi 2009 used
    0-10, 10-20 and 20-30 minute zones with these weights, derived from a Gaussian function).
    """
    d0 = _positive(d0, "Der Einzugsradius", "The catchment radius")
    return [(d0 / 3.0, LUO_QI_WEIGHTS[0]), (2.0 * d0 / 3.0, LUO_QI_WEIGHTS[1]), (d0, LUO_QI_WEIGHTS[2])]


def _check_steps(steps):
    try:
        uppers = np.asarray([float(upper) for upper, _ in steps], dtype="float64")
        weights = np.asarray([float(weight) for _, weight in steps], dtype="float64")
    except (TypeError, ValueError):
        raise InputError(
            "Die Entfernungszonen müssen Paare (Obergrenze, Gewicht) aus Zahlen sein.",
            "The distance zones must be pairs (upper limit, weight) of numbers.",
        ) from None
    if uppers.size == 0:
        raise InputError(
            "Es ist keine Entfernungszone angegeben.", "No distance zone is given."
        )
    if not (np.all(np.isfinite(uppers)) and uppers[0] > 0 and np.all(np.diff(uppers) > 0)):
        raise InputError(
            "Die Obergrenzen der Entfernungszonen müssen positiv und streng aufsteigend sein "
            "(erhalten: {}).".format(list(uppers)),
            "The upper limits of the distance zones must be positive and strictly increasing "
            "(got: {}).".format(list(uppers)),
        )
    if not (np.all(np.isfinite(weights)) and np.all(weights >= 0) and weights.max() > 0):
        raise InputError(
            "Die Gewichte der Entfernungszonen müssen Zahlen >= 0 sein, mindestens eines > 0 "
            "(erhalten: {}).".format(list(weights)),
            "The weights of the distance zones must be numbers >= 0, at least one > 0 "
            "(got: {}).".format(list(weights)),
        )
    return uppers, weights


def catchment_weights(distance, d0, weight="uniform", steps=None, sigma=None):
    """Distance weights ``W(d)`` inside the catchment ``d <= d0`` (0 beyond).

    * ``"uniform"`` (2SFCA, Luo & Wang 2003): ``W(d) = 1``.
    * ``"step"`` (E2SFCA, Luo & Qi 2009): ``W(d) = w_k`` for ``u_{k-1} < d <= u_k`` (first zone
      ``[0, u_1]``), ``W(d) = 0`` beyond the last upper limit; ``steps = [(u_1, w_1), ...]``,
      default :func:`default_steps` (thirds of d0, weights 1.0 / 0.68 / 0.22).
    * ``"gaussian"`` (Dai 2010): ``W(d) = (exp(-d^2 / (2 sigma^2)) - exp(-d0^2 / (2 sigma^2)))
      / (1 - exp(-d0^2 / (2 sigma^2)))`` with ``sigma = d0`` by default, i.e.
      ``W(d) = (exp(-0.5 (d/d0)^2) - exp(-0.5)) / (1 - exp(-0.5))``: 1 at the service, 0 at d0.
    """
    d0 = _positive(d0, "Der Einzugsradius", "The catchment radius")
    distance = np.asarray(distance, dtype="float64")
    inside = distance <= d0
    if weight == "uniform":
        return inside.astype("float64")
    if weight == "step":
        uppers, weights = _check_steps(default_steps(d0) if steps is None else steps)
        # side="left": a distance equal to an upper limit belongs to that (inclusive) zone
        zone = np.searchsorted(uppers, distance, side="left")
        return np.where(inside, np.append(weights, 0.0)[zone], 0.0)
    if weight == "gaussian":
        sigma = d0 if sigma is None else _positive(sigma, "Sigma der Gauß-Funktion", "The Gaussian sigma")
        floor = np.exp(-0.5 * (d0 / sigma) ** 2)
        gauss = (np.exp(-0.5 * (distance / sigma) ** 2) - floor) / (1.0 - floor)
        return np.where(inside, gauss, 0.0)
    raise InputError(
        "Unbekannte Gewichtung '{}'. Erlaubt: {}.".format(weight, names(_WEIGHTS)),
        "Unknown weighting '{}'. Allowed: {}.".format(weight, names(_WEIGHTS)),
    )


class FCAResult(NamedTuple):
    """Result of :func:`two_step_fca`.

    ``accessibility``: ``A_i`` per demand point (places per person of the target population);
    ``ratio``: ``R_j`` per service (NaN when no weighted demand is in reach);
    ``reached``: True where at least one service lies within ``d0``.
    """

    accessibility: np.ndarray
    ratio: np.ndarray
    reached: np.ndarray

    @property
    def unused_services(self):
        """Positions of services with no (weighted) demand in reach: their ratio is undefined."""
        return np.flatnonzero(np.isnan(self.ratio))


def two_step_fca(
    demand_weight,
    capacity,
    pair_i,
    pair_j,
    pair_d,
    d0,
    weight="uniform",
    steps=None,
    sigma=None,
    n_services=None,
    service_names=None,
):
    """Two-step floating catchment area accessibility (2SFCA / E2SFCA / Gaussian 2SFCA).

    Step 1, per service ``j``: ``R_j = S_j / sum_{i: d_ij <= d0} P_i W(d_ij)``.
    Step 2, per demand point ``i``: ``A_i = sum_{j: d_ij <= d0} R_j W(d_ij)``.

    The same weight ``W`` (:func:`catchment_weights`) is used in both steps: ``"uniform"`` is
    the 2SFCA of Luo & Wang (2003), ``"step"`` the E2SFCA of Luo & Qi (2009), ``"gaussian"``
    the Gaussian 2SFCA (Dai 2010). ``A_i`` is in places per person of the target population.

    A service whose denominator is 0 (no weighted demand in reach) has an undefined ratio:
    ``R_j = NaN``, it adds nothing and is listed in :attr:`FCAResult.unused_services`.
    A demand point with no service within ``d0`` gets ``A_i = 0`` and ``reached = False``.

    Conservation: ``sum_i P_i A_i = sum_{j used} S_j`` (all capacity that has demand in reach
    is handed out exactly once).

    ``capacity=None`` gives every one of ``n_services`` services capacity 1. Each (i, j) pair
    must appear at most once (not checked, to keep 50 million pairs cheap).
    """
    population = _demand_weights(demand_weight)
    capacities = service_capacities(capacity, n_services, service_names)
    n_demand, n_supply = population.size, capacities.size
    d0 = _positive(d0, "Der Einzugsradius", "The catchment radius")
    demand, service, distance = _pairs(pair_i, pair_j, pair_d, n_demand, n_supply)

    inside = distance <= d0
    if not inside.all():
        demand, service, distance = demand[inside], service[inside], distance[inside]
    del inside
    w = None if weight == "uniform" else catchment_weights(distance, d0, weight, steps, sigma)

    # one array per pair at a time besides the pairs (85 million pairs: 680 MB each); the indices
    # stay as they come (int32): platform-integer copies of both would cost 1.4 GB more there
    weighted_demand = population[demand]
    if w is not None:
        weighted_demand *= w
    demand_in_reach = np.bincount(service, weights=weighted_demand, minlength=n_supply)
    del weighted_demand

    used = demand_in_reach > 0
    ratio = np.full(n_supply, np.nan)
    ratio[used] = capacities[used] / demand_in_reach[used]

    handed_out = np.where(used, ratio, 0.0)[service]
    if w is not None:
        handed_out *= w
    accessibility = np.bincount(demand, weights=handed_out, minlength=n_demand)
    del handed_out
    reached = np.zeros(n_demand, dtype=bool)
    reached[demand] = True
    return FCAResult(accessibility, ratio, reached)


def nearest_distance(pair_i, pair_d, n_demand):
    """Distance to the nearest service per demand point: ``min_j d_ij`` (``inf`` if no pair)."""
    demand, _, distance = _pairs(pair_i, None, pair_d, n_demand, None)
    return grouped_min(demand, distance, n_demand, np.inf)


def count_within(pair_i, pair_d, thresholds, n_demand):
    """Number of services within each threshold per demand point.

    ``count[i, k] = #{j: d_ij <= t_k}`` (inclusive), an ``n_demand x len(thresholds)`` int array.
    """
    demand, _, distance = _pairs(pair_i, None, pair_d, n_demand, None)
    limits = _thresholds(thresholds)
    counts = np.zeros((int(n_demand), limits.size), dtype=np.int64)
    for k, limit in enumerate(limits):
        counts[:, k] = np.bincount(demand[distance <= limit], minlength=int(n_demand))
    return counts


# ---------------------------------------------------------------------------------------------
# district tables
# ---------------------------------------------------------------------------------------------


def population_within(pair_service, pair_demand, pair_d, weight, thresholds, n_services):
    """Per threshold ``t`` and service ``j``: ``sum_i P_i`` over the pairs with ``d_ij <= t`` (inclusive)."""
    result = np.zeros((len(thresholds), n_services))
    for k, limit in enumerate(thresholds):
        keep = pair_d <= limit
        result[k] = np.bincount(pair_service[keep], weights=weight[pair_demand[keep]], minlength=n_services)
    return result


def weighted_mean(values, weights):
    """``sum w x / sum w`` over the points with w > 0 (so 0 x inf never occurs); NaN when the weights sum to 0."""
    values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    used = weights > 0
    total = np.sum(weights[used])
    return float(np.sum(weights[used] * values[used]) / total) if total > 0 else float("nan")


def weighted_median(values, weights):
    """Lower weighted median: the smallest ``x_k`` with ``sum_{x_i <= x_k} w_i >= W / 2``.

    ``W = sum w_i``; points with weight 0 are ignored; NaN when ``W = 0``. With equal weights
    and an even count this is the lower of the two middle values (``[1, 2, 3, 4] -> 2``).
    """
    values = np.asarray(values, dtype="float64")
    weights = np.asarray(weights, dtype="float64")
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    if values.size == 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2.0, side="left")])


def _grouped_weighted_median(group, values, weights, n_groups):
    """:func:`weighted_median` of ``values`` in each group ``0..n_groups-1`` (NaN if empty), with the
    same sums in the same order: one sort by group and value (stable, as there), then per group
    only the running sum of its weights."""
    group, values = np.asarray(group), np.asarray(values, dtype="float64")
    weights = np.asarray(weights, dtype="float64")
    kept = np.flatnonzero(weights > 0)
    order = kept[np.lexsort((values[kept], group[kept]))]
    group, values, weights = group[order], values[order], weights[order]
    bounds = np.searchsorted(group, np.arange(n_groups + 1), side="left")
    medians = np.full(int(n_groups), np.nan)
    for k in np.flatnonzero(np.diff(bounds) > 0).tolist():
        a, b = bounds[k], bounds[k + 1]
        cumulative = np.cumsum(weights[a:b])
        medians[k] = values[a + np.searchsorted(cumulative, cumulative[-1] / 2.0, side="left")]
    return medians


def threshold_column(threshold):
    """Column name for the share within a threshold: ``300 -> "anteil_300"``, ``2.5 -> "anteil_2_5"``."""
    value = float(threshold)
    text = str(int(value)) if value == int(value) else repr(value).replace(".", "_")
    return "anteil_" + text


def coverage_labels(classes):
    """Labels of coverage classes 1/2/3 in the current language ("gut"/"mittel"/"gering")."""
    table = _COVERAGE_LABELS[language()]
    return [table.get(int(c), NO_DATA[language()]) if pd.notna(c) else NO_DATA[language()] for c in classes]


def coverage_class(level, breaks=DEFAULT_CLASS_BREAKS):
    """Coverage class from a level where 1 means "as good as the reference".

    With ``breaks = (good, medium)`` (default ``(0.9, 0.6)``): class 1 (good) when
    ``level >= good``, 2 (medium) when ``medium <= level < good``, 3 (poor) when
    ``level < medium``; NaN where the level is NaN. Returned as pandas ``Int64``.
    """
    try:
        good, medium = (float(b) for b in breaks)
    except (TypeError, ValueError):
        raise InputError(
            "Die Klassengrenzen müssen zwei Zahlen (gut, mittel) sein.",
            "The class breaks must be two numbers (good, medium).",
        ) from None
    if not (np.isfinite(good) and np.isfinite(medium) and good > medium >= 0):
        raise InputError(
            "Die Klassengrenzen müssen gut > mittel >= 0 erfüllen (erhalten: {}, {}).".format(good, medium),
            "The class breaks must satisfy good > medium >= 0 (got: {}, {}).".format(good, medium),
        )
    level = np.asarray(level, dtype="float64")
    classes = np.where(level >= good, 1, np.where(level >= medium, 2, 3))
    return pd.array(np.where(np.isnan(level), pd.NA, classes), dtype="Int64")


def _district_container(service_district, capacity, n_districts, target, norm, service_names):
    """Counts, capacity, supply ratio and missing places per district (container approach)."""
    n_districts = int(n_districts)
    if n_districts < 1:
        raise ValueError("n_districts must be at least 1")
    capacities = service_capacities(capacity, len(service_district), service_names)
    codes = _district_codes(
        service_district, n_districts, "Die Gebietsnummern der Einrichtungen", "The district codes of the services"
    )
    _same_length(codes, capacities, "service_district / capacity")
    inside = codes >= 0
    frame = pd.DataFrame(index=pd.RangeIndex(n_districts, name="gebiet"))
    frame["anzahl_einrichtungen"] = np.bincount(codes[inside], minlength=n_districts)
    frame["kapazitaet"] = np.bincount(codes[inside], weights=capacities[inside], minlength=n_districts)
    frame["zielbevoelkerung"] = target
    frame["versorgungsquote"] = _share(frame["kapazitaet"].to_numpy(), target)
    if norm is not None:
        norm = _norm(norm)
        frame["fehlplaetze"] = np.maximum(0.0, norm * target - frame["kapazitaet"].to_numpy())
    else:
        frame["fehlplaetze"] = np.nan
    return frame


def _norm(norm):
    try:
        value = float(norm)
    except (TypeError, ValueError):
        value = float("nan")
    if not (np.isfinite(value) and value > 0):
        raise InputError(
            "Der Versorgungsrichtwert muss eine positive Zahl sein, z. B. 0,35 Plätze je Kind "
            "(erhalten: {}).".format(norm),
            "The coverage norm must be a positive number, e.g. 0.35 places per child "
            "(got: {}).".format(norm),
        )
    return value


def _target_population(target_population, n_districts, demand_district=None, demand_weight=None):
    """Per-district target: the given values, or the sum of demand weights in each district."""
    if target_population is not None:
        target = float_array(target_population, "Die Zielbevölkerung", "The target population")
        if target.size != n_districts:
            raise ValueError("target_population needs one value per district")
        bad = np.flatnonzero(~np.isfinite(target) | (target < 0))
        if bad.size:
            raise InputError(
                "Die Zielbevölkerung fehlt oder ist negativ in den Gebieten {}.".format(names(bad)),
                "The target population is missing or negative in districts {}.".format(names(bad)),
            )
        return target
    inside = demand_district >= 0
    return np.bincount(demand_district[inside], weights=demand_weight[inside], minlength=n_districts)


def _notes(frame, unconnected_share=None):
    """The ``hinweis`` column: plain-language notes per district, in the current language."""
    english = language() == "en"
    notes = []
    has_target = (frame["zielbevoelkerung"].to_numpy(dtype="float64", na_value=np.nan) > 0).tolist()
    for k, target in zip(frame.index, has_target):
        parts = []
        if not target:
            parts.append(
                "no target population: supply ratio undefined"
                if english
                else "keine Zielbevölkerung: Versorgungsquote nicht bestimmbar"
            )
        if unconnected_share is not None and unconnected_share[k] > 0:
            pct = 100.0 * unconnected_share[k]
            parts.append(
                "{:.0f} % of the target population have no path to any service (not in the mean distance)".format(pct)
                if english
                else "{:.0f} % der Zielbevölkerung haben keine Wegverbindung zu einer Einrichtung (nicht in der "
                "mittleren Entfernung)".format(pct)
            )
        notes.append("; ".join(parts))
    return notes


def _ratio_level(frame, norm):
    """Coverage level from the supply ratio: ``versorgungsquote / norm``, or without a norm
    ``versorgungsquote / city quota`` with city quota = total capacity in districts / total target."""
    quota = frame["versorgungsquote"].to_numpy()
    if norm is not None:
        return quota / _norm(norm)
    total_target = frame["zielbevoelkerung"].sum()
    city_quota = frame["kapazitaet"].sum() / total_target if total_target > 0 else np.nan
    return quota / city_quota if city_quota > 0 else np.full(quota.shape, np.nan)


def _classify(frame, level, class_breaks):
    frame["versorgungsgrad"] = level
    frame["versorgung_klasse"] = coverage_class(level, class_breaks)
    frame["versorgung_label"] = coverage_labels(frame["versorgung_klasse"])


def supply_ratio_only(
    service_district,
    capacity,
    n_districts,
    target_population=None,
    demand_district=None,
    demand_weight=None,
    norm=None,
    class_breaks=DEFAULT_CLASS_BREAKS,
    service_names=None,
):
    """Container approach (METHOD "ratio"): supply inside a district against its target population.

    Per district ``k``: ``anzahl_einrichtungen``, ``kapazitaet = sum_{j in k} S_j``,
    ``zielbevoelkerung = T_k`` (``target_population`` or the sum of ``demand_weight`` of the
    demand points in ``k``), ``versorgungsquote = kapazitaet / T_k`` (NaN with a note when
    ``T_k = 0``), ``fehlplaetze = max(0, norm * T_k - kapazitaet)`` (NaN without a norm).

    Coverage class from ``versorgungsgrad`` = versorgungsquote / norm when a norm is given,
    else versorgungsquote / city quota (total capacity in districts / total target), split by
    :func:`coverage_class` with ``class_breaks``. Services outside all districts (-1) are not
    counted: the container approach ignores that people cross district borders.
    """
    n_districts = int(n_districts)
    if target_population is None:
        if demand_district is None or demand_weight is None:
            raise TypeError("give target_population or demand_district and demand_weight")
        weights = _demand_weights(demand_weight)
        codes = _demand_districts(demand_district, n_districts)
        _same_length(codes, weights, "demand_district / demand_weight")
        target = _target_population(None, n_districts, codes, weights)
    else:
        target = _target_population(target_population, n_districts)
    frame = _district_container(service_district, capacity, n_districts, target, norm, service_names)
    _classify(frame, _ratio_level(frame, norm), class_breaks)
    frame["hinweis"] = _notes(frame)
    return frame


def district_summary(
    demand_district,
    demand_weight,
    nearest_d,
    accessibility,
    thresholds,
    service_district,
    capacity,
    n_districts,
    norm=None,
    target_population=None,
    class_breaks=DEFAULT_CLASS_BREAKS,
    service_names=None,
    network=False,
):
    """Coverage table per district ``k = 0..m-1`` (index ``gebiet``).

    Columns (``T_k`` = target population, ``P_i`` demand weights of the points in ``k``):

    * ``anzahl_einrichtungen``, ``kapazitaet``: services and capacity located inside ``k``;
    * ``zielbevoelkerung`` ``T_k``: sum of ``P_i`` in ``k``, or ``target_population[k]`` when
      given (demand points are district centroids);
    * ``versorgungsquote = kapazitaet / T_k`` (NaN and a note when ``T_k = 0``);
    * ``dist_mittel``: ``sum P_i d_i / sum P_i`` over points that reach a service (finite
      nearest distance ``d_i``); ``dist_median``: lower weighted median of ``d_i`` (see
      :func:`weighted_median`; ``inf`` when more than half reach nothing);
    * ``anteil_<t>``: share of ``sum P_i`` with ``d_i <= t`` (inclusive) for each threshold;
    * ``anteil_ausser_reichweite``: share of ``sum P_i`` with no service within the largest
      threshold ``t_max`` (``d_i > t_max``, also ``d_i = inf``) = ``1 - anteil_<t_max>``;
    * ``anteil_ohne_netz`` (only with ``network=True``, walking distances): share of ``sum P_i``
      with no path to any service at all (``d_i = inf``: not connected to the network, or on a
      part of it without services); these points are left out of ``dist_mittel``;
    * ``erreichbarkeit = sum P_i A_i / sum P_i`` and ``erreichbarkeit_index =
      erreichbarkeit / city mean``, city mean = ``sum P_i A_i / sum P_i`` over ALL demand points
      (also those outside districts); NaN columns when ``accessibility`` is None;
    * ``fehlplaetze = max(0, norm * T_k - kapazitaet)`` (container variant) and
      ``fehlplaetze_erreichbarkeit = max(0, norm - erreichbarkeit) * T_k`` (places missing
      given the places within reach; NaN without norm or accessibility);
    * ``versorgungsgrad`` and ``versorgung_klasse`` 1 good / 2 medium / 3 poor by
      :func:`coverage_class`: the level is ``erreichbarkeit / norm`` when a norm is given,
      else ``erreichbarkeit_index``; without accessibility the supply ratio takes its place
      (``versorgungsquote / norm`` or ``/ city quota``);
    * ``versorgung_label`` ("gut"/"mittel"/"gering", English when ``errors.language() == "en"``)
      and ``hinweis`` (notes).
    """
    n_districts = int(n_districts)
    weights = _demand_weights(demand_weight)
    codes = _demand_districts(demand_district, n_districts)
    _same_length(codes, weights, "demand_district / demand_weight")
    nearest = float_array(nearest_d, "Die Entfernung", "The distance")
    _same_length(nearest, weights, "nearest_d / demand_weight")
    if np.isnan(nearest).any() or (nearest < 0).any():
        raise InputError(
            "Einige Entfernungen zur nächsten Einrichtung sind leer oder negativ.",
            "Some distances to the nearest service are empty or negative.",
        )
    limits = _thresholds(thresholds)
    target = _target_population(target_population, n_districts, codes, weights)

    frame = _district_container(service_district, capacity, n_districts, target, norm, service_names)

    inside = codes >= 0
    group, w, d = codes[inside], weights[inside], nearest[inside]
    demand_total = np.bincount(group, weights=w, minlength=n_districts)
    reachable = np.isfinite(d)
    reach_weight = np.bincount(group[reachable], weights=w[reachable], minlength=n_districts)
    reach_sum = np.bincount(group[reachable], weights=w[reachable] * d[reachable], minlength=n_districts)
    frame["dist_mittel"] = _share(reach_sum, reach_weight)
    frame["dist_median"] = _grouped_weighted_median(group, d, w, n_districts)
    for limit in limits:
        within = np.bincount(group[d <= limit], weights=w[d <= limit], minlength=n_districts)
        frame[threshold_column(limit)] = _share(within, demand_total)
    if limits.size:
        beyond = d > limits.max()
        frame["anteil_ausser_reichweite"] = _share(
            np.bincount(group[beyond], weights=w[beyond], minlength=n_districts), demand_total)
    unconnected = 1.0 - _share(reach_weight, demand_total)
    if network:
        frame["anteil_ohne_netz"] = unconnected

    if accessibility is not None:
        access = float_array(accessibility, "Die Erreichbarkeit", "The accessibility")
        _same_length(access, weights, "accessibility / demand_weight")
        if not np.all(np.isfinite(access)):
            raise ValueError("accessibility must be finite (use 0 for unreached demand)")
        access_sum = np.bincount(group, weights=(w * access[inside]), minlength=n_districts)
        mean_access = _share(access_sum, demand_total)
        city_mean = weighted_mean(access, weights)
        frame["erreichbarkeit"] = mean_access
        frame["erreichbarkeit_index"] = mean_access / city_mean if city_mean > 0 else np.nan
    else:
        frame["erreichbarkeit"] = np.nan
        frame["erreichbarkeit_index"] = np.nan

    if norm is not None and accessibility is not None:
        frame["fehlplaetze_erreichbarkeit"] = np.maximum(0.0, _norm(norm) - frame["erreichbarkeit"]) * target
    else:
        frame["fehlplaetze_erreichbarkeit"] = np.nan

    if accessibility is not None:
        level = frame["erreichbarkeit"] / _norm(norm) if norm is not None else frame["erreichbarkeit_index"]
    else:
        level = _ratio_level(frame, norm)
    _classify(frame, np.asarray(level, dtype="float64"), class_breaks)
    frame["hinweis"] = _notes(frame, unconnected if network else None)
    return frame
