"""Mittelverteilung nach Bedarf: a budget distributed over the quarters by need instead of the watering can.

Every quarter ``i`` has a target population ``P_i`` (e.g. children under 6) and a need value ``v_i`` (an index
class 1..k or an index value; empty = not rated). A budget ``B`` in steps of the smallest amount ``u`` (0.01 for
euros and cents, 1 for whole staff positions) is ``N = B / u`` units.

1. The *need weight* ``f_i`` of a rated quarter, by method:

   * ``tiers``: ``f_i = F[c_i]``, the factor of its class ``c_i`` (factors given lowest need first,
     e.g. ``1, 1.2, 1.5, 2, 3`` for five classes);
   * ``proportional``: ``f_i = v_i - min_j v_j`` (over the rated quarters): the quarter with the least need gets
     nothing from the need part, every other one in proportion to how far its index value lies above it;
   * ``threshold``: ``f_i = 1`` for quarters in class ``c_i >= T``, else 0.

   Quarters not rated have ``f_i = 0``: they get the base share only.
2. The exact share in units, with the base share ``s`` (0..1) distributed equally per head first::

       q_i = s * N * P_i / sum_j P_j  +  (1 - s) * N * P_i f_i / sum_j P_j f_j

   so ``sum_i q_i = N``; ``s = 1`` is the watering can ``g_i = N P_i / sum_j P_j`` exactly.
3. Whole units by the largest remainder method (Hare-Niemeyer): every quarter gets ``floor(q_i)``, and the
   ``N - sum_i floor(q_i)`` units left over go one each to the quarters with the largest remainders
   ``q_i - floor(q_i)`` (equal remainders: in the order of the quarter IDs, so the result does not depend on the
   order of the rows). Hence the allocations add up to ``N`` units exactly and each lies less than one unit
   from its exact share: ``|a_i - u q_i| < u``.

Sums are taken with ``math.fsum`` (exactly rounded, independent of the order of the quarters).

Reference: Pukelsheim, F. (2017): Proportional Representation. Apportionment Methods and Their Applications.
Springer (quota methods: Hare-Niemeyer / largest remainders). The tiers follow the social-index budgets of German
schools and Kitas (e.g. NRW's Schulsozialindex with one factor per level).
"""

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from .errors import InputError, de_en, names
from .frames import id_order, quantities

METHODS = ("tiers", "proportional", "threshold")
#: Points of the concentration curve kept in the method record (population shares 0, 0.01, ..., 1).
CURVE_POINTS = 101
#: Share of the rated quarters counted as "highest need" for the proportional method (the top fifth).
TOP_SHARE_PROPORTIONAL = 0.2

RESULT_COLUMNS = ["zuweisung", "zuweisung_je_person", "zuweisung_giesskanne", "differenz", "hinweis"]


class Allocation(NamedTuple):
    """The result: ``table`` (the :data:`RESULT_COLUMNS`, indexed like the input), the whole units ``units``
    and the exact shares ``quota`` (both in units of ``unit``), and ``summary`` (plain data for the record)."""

    table: pd.DataFrame
    units: np.ndarray
    quota: np.ndarray
    summary: dict


def units_of(budget, unit):
    """``N = budget / unit`` as a whole number; a budget <= 0, a unit <= 0 or a budget that is no whole
    multiple of the unit raises :class:`InputError`."""
    if not (math.isfinite(budget) and budget > 0):
        raise InputError("Das Budget muss größer als 0 sein (erhalten: {}).".format(budget),
                         "The budget must be greater than 0 (got: {}).".format(budget))
    if not (math.isfinite(unit) and unit > 0):
        raise InputError("Die kleinste Einheit muss größer als 0 sein (erhalten: {}), z. B. 0,01 für Euro und "
                         "Cent oder 1 für ganze Stellen.".format(unit),
                         "The smallest unit must be greater than 0 (got: {}), e.g. 0.01 for euros and cents or 1 "
                         "for whole positions.".format(unit))
    count = budget / unit
    whole = round(count)
    if abs(count - whole) > 1e-9 * max(1.0, count):
        raise InputError(
            "Das Budget {} ist kein Vielfaches der kleinsten Einheit {}: so kann die Summe nicht aufgehen. Bitte "
            "runden Sie das Budget auf die Einheit.".format(budget, unit),
            "The budget {} is not a multiple of the smallest unit {}: the allocations could not add up to it. "
            "Please round the budget to the unit.".format(budget, unit))
    return int(whole)


def decimals_of(unit):
    """Decimal places that show multiples of ``unit`` exactly (0.01 -> 2, 1 -> 0, 0.5 -> 1)."""
    for digits in range(0, 10):
        if abs(round(unit, digits) - unit) <= 1e-12 * max(1.0, unit):
            return digits
    return 10


def largest_remainder(quota, total, order_key):
    """Whole numbers ``a_i`` with ``sum a_i = total`` and ``a_i`` in ``{floor(q_i), floor(q_i) + 1}``
    (Hare-Niemeyer): ``floor(q_i)`` each, the rest one each by largest remainder ``q_i - floor(q_i)``,
    equal remainders in the order of ``order_key`` (smallest first). ``quota`` must add up to ``total``."""
    quota = np.asarray(quota, dtype=float)
    base = np.floor(quota)
    counts = base.astype(np.int64)
    left = int(total - counts.sum())
    if left > 0:
        order = np.lexsort((order_key, -(quota - base)))
        counts[order[:left]] += 1
    return counts


def _classes(need, rated, labels, what):
    """Need values of the rated quarters as whole class numbers >= 1 (else :class:`InputError`)."""
    values = need[rated]
    bad = (values != np.round(values)) | (values < 1)
    if bad.any():
        shown = [labels[k] for k in np.flatnonzero(rated)[bad]]
        raise InputError(
            "Das Bedarfsfeld enthält keine Klassen 1, 2, 3 …: {} bei {}. Für '{}' braucht es ein Klassenfeld wie "
            "index_class; für Indexwerte wählen Sie 'proportional'.".format(
                names(need[np.flatnonzero(rated)[bad]].tolist(), 5), names(shown), what),
            "The need field holds no classes 1, 2, 3 …: {} at {}. '{}' needs a class field such as index_class; "
            "for index values choose 'proportional'.".format(
                names(need[np.flatnonzero(rated)[bad]].tolist(), 5), names(shown), what))
    return values.astype(np.int64)


def need_weights(method, need, labels, factors=None, threshold_class=None, n_classes=None):
    """The need weight ``f_i`` of every quarter (0 where not rated, see the module text) and the rated mask.

    ``n_classes``: the number of classes of the index result when known (its method record): the factors must
    match it. Raises :class:`InputError` for a method's bad parameters or need values."""
    need = np.asarray(need, dtype=float)
    rated = ~np.isnan(need)
    weights = np.zeros(need.size)
    if not rated.any():
        raise InputError("Kein Quartier hat einen Bedarfswert (alle leer). Bitte wählen Sie das Feld des "
                         "Index-Ergebnisses (z. B. index_class).",
                         "No quarter has a need value (all empty). Please choose the field of the index result "
                         "(e.g. index_class).")
    if method == "tiers":
        factors = [float(f) for f in (factors or [])]
        if not factors:
            raise InputError("Bitte geben Sie je Klasse einen Faktor an, niedrigster Bedarf zuerst, z. B. "
                             "'1, 1.2, 1.5, 2, 3'.",
                             "Please give one factor per class, lowest need first, e.g. '1, 1.2, 1.5, 2, 3'.")
        if any(not (math.isfinite(f) and f >= 0) for f in factors) or not any(f > 0 for f in factors):
            raise InputError("Die Faktoren müssen 0 oder größer sein, mindestens einer größer als 0 (erhalten: "
                             "{}).".format(names(factors)),
                             "The factors must be 0 or more, at least one above 0 (got: {}).".format(names(factors)))
        classes = _classes(need, rated, labels, method)
        top = max(int(classes.max()), n_classes or 0)
        if n_classes is not None and len(factors) != n_classes or top > len(factors):
            count = n_classes if n_classes is not None else top
            raise InputError(
                "{} Faktoren für {} Klassen: bitte geben Sie für jede Klasse des Index genau einen Faktor an, "
                "niedrigster Bedarf zuerst.".format(len(factors), count),
                "{} factors for {} classes: please give exactly one factor for every class of the index, lowest "
                "need first.".format(len(factors), count))
        weights[rated] = np.asarray(factors)[classes - 1]
    elif method == "threshold":
        if threshold_class is None or threshold_class < 1 or threshold_class != int(threshold_class):
            raise InputError("Die Schwellenklasse muss eine ganze Zahl ab 1 sein.",
                             "The threshold class must be a whole number from 1.")
        weights[rated] = (_classes(need, rated, labels, method) >= threshold_class).astype(float)
    elif method == "proportional":
        weights[rated] = need[rated] - need[rated].min()
    else:
        raise InputError("Unbekanntes Verfahren '{}'. Erlaubt: {}.".format(method, ", ".join(METHODS)),
                         "Unknown method '{}'. Allowed: {}.".format(method, ", ".join(METHODS)))
    return weights, rated


def concentration_curve(order, population, amounts, points=CURVE_POINTS):
    """The concentration curve: quarters in ``order`` (most need first), ``x`` the cumulative share of the
    population, ``y`` the cumulative share of the budget, read at ``points`` equally spaced population shares
    (linear between quarters). Returns ``(x, y, index)``; the concentration index ``2 * integral (y - x) dx``
    (trapezoids over all quarters) is 0 for the watering can and grows as the money moves to the quarters of
    most need (up to 1)."""
    population = np.asarray(population, dtype=float)[order]
    amounts = np.asarray(amounts, dtype=float)[order]
    cx = np.concatenate([[0.0], np.cumsum(population) / math.fsum(population)])
    cy = np.concatenate([[0.0], np.cumsum(amounts) / math.fsum(amounts)])
    area = float(np.sum((cx[1:] - cx[:-1]) * (cy[1:] + cy[:-1]) / 2.0))
    x = np.linspace(0.0, 1.0, points)
    return x, np.interp(x, cx, cy), 2.0 * area - 1.0


def _top_need(method, need, rated, weights, threshold_class, n_factors, ids_rank):
    """The quarters of highest need: the top class (tiers), the funded classes (threshold) or the fifth of the
    rated quarters with the highest values (proportional)."""
    if method == "tiers":
        return rated & (np.nan_to_num(need, nan=0.0) == n_factors), de_en(
            "Quartiere der Klasse {} (höchster Bedarf)", "quarters of class {} (highest need)").format(n_factors)
    if method == "threshold":
        return weights > 0, de_en("Quartiere ab Klasse {}", "quarters of class {} and above").format(threshold_class)
    n_top = max(1, int(math.ceil(TOP_SHARE_PROPORTIONAL * int(rated.sum()))))
    order = np.lexsort((ids_rank, -np.nan_to_num(need, nan=-np.inf)))
    top = np.zeros(need.size, dtype=bool)
    top[order[:n_top]] = True
    return top, de_en("das Fünftel der Quartiere mit dem höchsten Indexwert ({})",
                      "the fifth of the quarters with the highest index value ({})").format(n_top)


def allocate(ids, population, need, method, budget, base_share=0.0, unit=0.01, factors=None, threshold_class=None,
             n_classes=None, population_field="population", index=None):
    """Distribute ``budget`` over the quarters ``ids`` (see the module text); returns :class:`Allocation`.

    ``population``: target population per quarter (present and >= 0, not all 0); ``need``: class or index value
    (NaN = not rated). Result columns: ``zuweisung`` (the allocation), ``zuweisung_je_person``,
    ``zuweisung_giesskanne`` (the same budget equal per head, also in whole units), ``differenz`` (allocation
    minus watering can) and ``hinweis`` (why a quarter got the base share only)."""
    ids = list(ids)
    labels = [str(v) for v in ids]
    total = units_of(float(budget), float(unit))
    if not (0.0 <= base_share <= 1.0):
        raise InputError("Der Grundanteil muss zwischen 0 und 1 liegen (erhalten: {}).".format(base_share),
                         "The base share must lie between 0 and 1 (got: {}).".format(base_share))
    population = quantities(population, labels, population_field)
    population_total = math.fsum(population)
    if not population_total > 0:
        raise InputError("Die Zielbevölkerung ('{}') ist in allen Quartieren 0: nichts zu verteilen.".format(
            population_field), "The target population ('{}') is 0 in every quarter: nothing to distribute.".format(
            population_field))
    weights, rated = need_weights(method, need, labels, factors, threshold_class, n_classes)
    ranks = id_order(ids)
    watering_can = total * (population / population_total)
    if base_share < 1.0:
        weighted = population * weights
        weight_total = math.fsum(weighted)
        if not weight_total > 0:
            raise InputError(
                "Kein Quartier erhält einen Bedarfsanteil (Bedarfsgewicht × Zielbevölkerung ist überall 0, z. B. "
                "keine Quartiere ab der Schwellenklasse): bitte Schwelle, Faktoren oder Grundanteil prüfen.",
                "No quarter receives a need share (need weight × target population is 0 everywhere, e.g. no "
                "quarter at or above the threshold class): please check the threshold, factors or base share.")
        quota = base_share * watering_can + (1.0 - base_share) * (total * (weighted / weight_total))
    else:
        quota = watering_can
    units = largest_remainder(quota, total, ranks)
    can_units = largest_remainder(watering_can, total, ranks)
    digits = decimals_of(float(unit))
    amounts = np.round(units * float(unit), digits)
    can = np.round(can_units * float(unit), digits)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_person = np.where(population > 0, amounts / population, np.nan)
    notes = np.full(len(ids), None, dtype=object)
    notes[~rated] = de_en("nicht bewertet: nur Grundanteil je Kopf", "not rated: base share per head only")
    table = pd.DataFrame({
        "zuweisung": amounts, "zuweisung_je_person": per_person, "zuweisung_giesskanne": can,
        "differenz": np.round(amounts - can, digits), "hinweis": notes,
    }, index=index if index is not None else pd.RangeIndex(len(ids)))
    top, top_words = _top_need(method, np.asarray(need, dtype=float), rated, weights, threshold_class,
                               len(factors or []), ranks)
    order = np.lexsort((ranks, -np.where(rated, np.asarray(need, dtype=float), -np.inf)))
    curve_x, curve_y, concentration = concentration_curve(order, population, units)
    _, can_y, _ = concentration_curve(order, population, can_units)
    summary = {
        "budget_units": total, "n_quarters": len(ids), "n_rated": int(rated.sum()),
        "n_not_rated": int((~rated).sum()), "not_rated": [labels[k] for k in np.flatnonzero(~rated)][:50],
        "top_definition": top_words, "n_top": int(top.sum()),
        "top_share": math.fsum(units[top]) / total, "top_share_watering_can": math.fsum(can_units[top]) / total,
        "top_population_share": math.fsum(population[top]) / population_total,
        "concentration_index": concentration,
        "curve": {"population_share": curve_x.round(4).tolist(), "allocation_share": curve_y.round(6).tolist(),
                  "watering_can_share": can_y.round(6).tolist()},
    }
    return Allocation(table, units, quota, summary)
