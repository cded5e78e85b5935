"""One coverage run on arrays: settings from the parameters, the method per demand point, the district
table and the per-point table (``sozialraum:servicecoverage``).

The adapters read the layers into arrays (:mod:`..adapters.coverage_inputs`); this module turns them
into the two result tables with the functions of :mod:`.coverage`; the adapters write them. Nothing
here talks to the user: notes for the log come back as texts (:attr:`CoverageResult.warnings`).
"""

from typing import NamedTuple

import numpy as np
import pandas as pd

from .coverage import (
    count_within,
    coverage_class,
    coverage_labels,
    district_summary,
    threshold_column,
    two_step_fca,
)
from .errors import InputError, de_en, names
from .parse import parse_number_list, parse_thresholds

#: METHOD key -> catchment weight of :func:`.coverage.two_step_fca` (None: no floating catchment).
FCA_WEIGHT = {"ratio": None, "nearest": None, "2sfca": "uniform", "e2sfca": "step", "gaussian": "gaussian"}


class Settings(NamedTuple):
    """The parsed parameters of a run: method key, distances (the largest = ``d0``), norm (None = city
    mean), E2SFCA steps (None = thirds of d0), class breaks, minutes per metre, and the record of them."""

    method: str
    thresholds: list
    d0: float
    norm: object
    steps: object
    class_breaks: tuple
    minutes_per_metre: float
    record: dict


def coverage_settings(algorithm, method, distance_text, norm, step_text, breaks_text, speed_kmh, fields):
    """:class:`Settings` from the parameter values as given (texts parsed here; a norm <= 0 means none).

    ``fields``: the chosen field names (``id_field``, ``target_field``, ``capacity_field``,
    ``name_field``, ``demand_field``), for the method record of ``algorithm``.
    """
    thresholds = parse_thresholds(distance_text)
    if norm is not None and norm <= 0:
        norm = None
    steps = None
    if method == "e2sfca" and (step_text or "").strip():
        weights = parse_number_list(step_text, "STEP_WEIGHTS")
        if len(weights) != len(thresholds):
            raise InputError(
                "E2SFCA: {} Gewichte für {} Entfernungen ({}). Geben Sie je Entfernung ein Gewicht an.".format(
                    len(weights), len(thresholds), names(thresholds)),
                "E2SFCA: {} weights for {} distances ({}). Give one weight per distance.".format(
                    len(weights), len(thresholds), names(thresholds)))
        steps = list(zip(thresholds, weights))
    breaks = tuple(parse_number_list(breaks_text or "0.9, 0.6", "CLASS_BREAKS"))
    if norm is not None:
        level = "erreichbarkeit / norm" if FCA_WEIGHT[method] else "versorgungsquote / norm"
    else:
        level = "erreichbarkeit_index" if FCA_WEIGHT[method] else "versorgungsquote / city quota"
    if method == "nearest":
        level = threshold_column(thresholds[-1])
    record = {
        "algorithm": algorithm, "method": method, "fca_weight": FCA_WEIGHT[method],
        "thresholds_m": thresholds, "catchment_d0_m": thresholds[-1], "cutoff_inclusive": True, "norm": norm,
        "steps": (steps or "thirds of d0, weights 1 / 0.68 / 0.22") if method == "e2sfca" else None,
        "gaussian_sigma_m": thresholds[-1] if method == "gaussian" else None,
        "class_breaks": list(breaks), "class_field": "versorgung_klasse", "level": level, "speed_kmh": speed_kmh,
        "id_field": fields["id_field"], "target_population_field": fields["target_field"],
        "capacity_field": fields["capacity_field"], "demand_field": fields["demand_field"],
    }
    return Settings(method, thresholds, thresholds[-1], norm, steps, breaks, 60.0 / (speed_kmh * 1000.0), record)


class Distances(NamedTuple):
    """Pairs within d0 (``pair_i``, ``pair_j``, ``pair_d``), nearest service per demand point
    (``nearest_d``, ``nearest_j``; -1 = none), snapping distances and network facts (network only).

    Methods without a floating catchment need no pairs, only the services within each distance per
    demand point: those may come as ``counts`` (n x thresholds, counted without keeping the pairs,
    ``radius.counts_within``) with the pairs None."""

    pair_i: object
    pair_j: object
    pair_d: object
    nearest_d: np.ndarray
    nearest_j: np.ndarray
    snap: object
    network: object
    counts: object = None


def needs_pairs(method):
    """True when METHOD ``method`` uses the pairs themselves (a floating catchment), not only counts."""
    return FCA_WEIGHT[method] is not None


class CoverageResult(NamedTuple):
    """The district table (one row per district, in the districts' order), the per-point table, the
    services with no demand in reach, the share of the target population with no service in reach,
    and warnings for the log."""

    table: object
    points: object
    unused: list
    unreached_share: float
    warnings: list
    accessibility: object = None


def finite_or_nan(values):
    """``values`` as floats with every infinite value (no service reached) as NaN."""
    array = np.asarray(values, dtype="float64").copy()
    array[~np.isfinite(array)] = np.nan
    return array


def run_coverage(settings, district_ids, target_population, demand_weight, demand_district, distances, capacity,
                 service_district, service_labels, per_point=True, districts=True):
    """The method on arrays: services within each distance and, for the FCA methods, ``A_i`` per
    demand point (:func:`.coverage.two_step_fca`); the district table (:func:`district_table`;
    without ``districts`` None: the caller makes it later, e.g. while the per-point layer is written)
    and, with ``per_point``, the per-point table (:func:`demand_table`, else None). See
    :class:`CoverageResult`."""
    d0 = settings.d0
    counts = distances.counts
    if counts is None:
        counts = count_within(distances.pair_i, distances.pair_d, settings.thresholds, demand_weight.size)
    reached = counts[:, -1] > 0
    accessibility, unused, warnings = None, [], []
    weight_kind = FCA_WEIGHT[settings.method]
    if weight_kind is not None:
        fca = two_step_fca(demand_weight, capacity, distances.pair_i, distances.pair_j, distances.pair_d, d0,
                           weight=weight_kind, steps=settings.steps, service_names=service_labels)
        accessibility, reached = fca.accessibility, fca.reached
        unused = [service_labels[j] for j in fca.unused_services.tolist()]
        if unused:
            warnings.append(de_en(
                "{} Einrichtung(en) haben keine Nachfrage im Einzugsbereich ({:g} m) und verteilen nichts: {}.",
                "{} service(s) have no demand within the catchment ({:g} m) and hand out nothing: {}.")
                .format(len(unused), d0, names(unused)))
    total = demand_weight.sum()
    unreached_share = float(demand_weight[~reached].sum() / total) if total > 0 else 0.0
    if unreached_share > 0:
        warnings.append(de_en(
            "{:.1f} % der Zielbevölkerung ({} Nachfragepunkt(e)) erreichen keine Einrichtung innerhalb von {:g} m "
            "(Erreichbarkeit 0, Feld 'erreicht' = falsch).",
            "{:.1f} % of the target population ({} demand point(s)) reach no service within {:g} m "
            "(accessibility 0, field 'erreicht' = false).",
        ).format(100 * unreached_share, int((~reached).sum()), d0))
    table = district_table(settings, len(district_ids), target_population, demand_weight, demand_district,
                           distances, accessibility, capacity, service_district, service_labels) if districts else None
    points = demand_table(settings, district_ids, demand_district, distances, counts, accessibility, reached,
                          service_labels) if per_point else None
    return CoverageResult(table, points, unused, unreached_share, warnings, accessibility)


def district_table(settings, n_districts, target_population, demand_weight, demand_district, distances,
                   accessibility, capacity, service_district, service_labels):
    """:func:`.coverage.district_summary`; for METHOD ``nearest`` the level is the share of the
    target population within d0 (classed by the class breaks); walking minutes from the distances."""
    table = district_summary(
        demand_district, demand_weight, distances.nearest_d, accessibility, settings.thresholds, service_district,
        capacity, n_districts, norm=settings.norm, target_population=target_population,
        class_breaks=settings.class_breaks, service_names=service_labels, network=distances.network is not None)
    if settings.method == "nearest":
        level = table[threshold_column(settings.d0)].to_numpy(dtype="float64")
        table["versorgungsgrad"] = level
        table["versorgung_klasse"] = coverage_class(level, settings.class_breaks)
        table["versorgung_label"] = coverage_labels(table["versorgung_klasse"])
    for column in ("dist_mittel", "dist_median"):
        table[column] = finite_or_nan(table[column])
    position = table.columns.get_loc("dist_median") + 1
    table.insert(position, "zeit_mittel_min", table["dist_mittel"] * settings.minutes_per_metre)
    table.insert(position + 1, "zeit_median_min", table["dist_median"] * settings.minutes_per_metre)
    return table


def demand_table(settings, district_ids, demand_district, distances, counts, accessibility, reached,
                 service_labels):
    """Per demand point: district, nearest service and distance (and minutes), services within each
    distance, ``A_i`` (NaN without FCA), reached within d0, snapping distance (network only)."""
    ids = np.asarray([str(i) for i in district_ids] + [None], dtype=object)
    frame = pd.DataFrame({"gebiet_id": ids[demand_district]})  # code -1 picks the trailing None
    distance = finite_or_nan(distances.nearest_d)
    frame["dist_naechste"] = distance
    frame["zeit_naechste_min"] = distance * settings.minutes_per_metre
    labels = np.asarray(list(service_labels) + [None], dtype=object)
    frame["naechste_einrichtung"] = labels[distances.nearest_j]  # -1 (none reachable) picks the trailing None
    for k, threshold in enumerate(settings.thresholds):
        frame["einrichtungen_" + threshold_column(threshold)[len("anteil_"):]] = counts[:, k]
    frame["erreichbarkeit"] = accessibility if accessibility is not None else np.nan
    frame["erreicht"] = np.asarray(reached, dtype=bool)
    if distances.snap is not None:
        frame["fangabstand"] = distances.snap
    return frame
