"""The composite social index of districts ("Sozialindex").

Like Berlin's Monitoring Soziale Stadtentwicklung: several indicators per area (unemployment,
child poverty, ...) are normalised, combined with weights into one index value, ranked and
divided into classes. Steps of :func:`compute_index`:

1. Direction: for indicators in ``reverse`` (higher value = less need) the raw values x and the
   reference value are negated, so that a higher normalised value always means more need.
2. Rated areas: areas with population >= ``min_population`` (areas without population or with
   population <= 0 are never rated) and enough data under the ``missing`` rule:
   ``exclude`` = all indicators present; ``reweight`` and ``median`` = the available indicators
   carry at least ``min_share`` of the total weight. With ``median`` a missing raw value is
   replaced by the median of the rated areas' values of that indicator, and the filled-in values
   then count like observed ones; with ``reweight`` the statistics of an indicator use the rated
   areas that have a value.
   Only rated areas enter means, SDs, minima, maxima and ranks.
3. Normalisation of each indicator over the rated areas (see :mod:`.normalize`).
4. Aggregation with weights w_i (default 1) over the available indicators A of an area, W the
   total weight and W_A = sum_{i in A} w_i:
   ``sum``: I = (W / W_A) * sum_{i in A} w_i v_i  (W / W_A = 1 for complete areas; keeps areas
   with reweighted indicators comparable);
   ``mean``: I = sum_{i in A} w_i v_i / W_A;
   ``geometric``: I = prod_{i in A} (1 + 0.99 v_i)^(w_i / W_A), only for ``minmax`` and
   ``percentile``, whose values 0..100 are shifted to 1..100 so that a 0 does not wipe out the
   product.
5. ``restandardize``: index value = (I - mean(I)) / SD(I) over the rated areas (population SD).
6. Rank 1 = highest index value (greatest need); ties share the smallest rank.
7. Classes of the index values of the rated areas (see :mod:`.classify`); class k = most need.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import classify as classification_methods
from .classify import Classification, classify, format_number, symmetric_cuts
from .errors import InputError, de_en, language, names
from .frames import check_unique_ids, numeric_columns
from .normalize import METHODS as NORMALIZATIONS
from .normalize import normalize
from .stats import skewness
from .vocabulary import NORMALIZATION as NORMALIZATION_WORDS
from .vocabulary import word

AGGREGATIONS = ("sum", "mean", "geometric")
MISSING_RULES = ("exclude", "reweight", "median")
MIN_RATED = 3
INDEX_DIGITS = 12  # significant digits kept in index values
SKEWNESS_LIMIT = 2.0
GEOMETRIC_SHIFT = (1.0, 0.99)  # v -> 1 + 0.99 v maps 0..100 to 1..100


@dataclass
class IndexSpec:
    """What to compute; see the module docstring for the meaning of each setting.

    ``min_share`` applies to ``missing="reweight"`` and ``"median"``. With the classification
    ``stddev``, ``stddev_cuts`` decides the number of classes (len + 1); ``stddev_cuts`` None or empty
    uses ``n_classes`` classes one SD wide, symmetric around the mean. With ``manual``, ``breaks``
    decides it.
    """

    indicators: list
    reverse: list = ()
    weights: dict | None = None
    normalization: str = "zscore"
    reference_values: dict | None = None
    aggregation: str = "sum"
    restandardize: bool = True
    population: str | None = None
    min_population: float = 0.0
    missing: str = "exclude"
    min_share: float = 0.5
    classification: str = "stddev"
    n_classes: int = 5
    stddev_cuts: tuple = (-1.5, -0.5, 0.5, 1.5)
    breaks: list | None = None
    labels: list | None = None


def spec_from_record(record):
    """The :class:`IndexSpec` that produced an index result, from its method record (an ``IndexRecord``), so a
    check or a rerun uses exactly the same settings without entering them again."""
    return IndexSpec(
        indicators=list(record.indicators), reverse=list(record.reverse or []), weights=dict(record.weights or {}),
        normalization=record.normalization, reference_values=record.reference_values,
        aggregation=record.aggregation, restandardize=bool(record.restandardize), population=record.population,
        min_population=float(record.min_population or 0.0), missing=record.missing,
        min_share=float(record.min_share), classification=record.classification or "stddev",
        n_classes=int(record.n_classes or 5),
        stddev_cuts=tuple(record.stddev_cuts) if record.stddev_cuts else (-1.5, -0.5, 0.5, 1.5),
        breaks=list(record.breaks) if record.classification == "manual" else None,
        labels=list(record.labels) if record.labels else None)


@dataclass
class IndexResult:
    """Result of :func:`compute_index`.

    ``table``: same index and row order as the input frame, with the columns ``z_<field>``
    (z-score methods) or ``n_<field>`` (other methods), ``index_value``, ``index_rank``
    (Int64), ``index_class`` (Int64), ``index_label``, ``rated`` and ``note``.
    ``parameters``: JSON-serialisable record of the settings used and the statistics.
    """

    table: pd.DataFrame
    normalized_columns: dict
    classification: Classification
    parameters: dict
    warnings: list = field(default_factory=list)


def _number(value):
    """Whole numbers without decimals, others with two; decimal comma in German."""
    value = float(value)
    return format_number(value, 0 if value.is_integer() else 2)


def _finite_or_none(value):
    value = float(value)
    return value if np.isfinite(value) else None


def _choice(value, allowed, what_de, what_en):
    if value not in allowed:
        raise InputError(
            "Unbekannte {} '{}'. Möglich: {}.".format(what_de, value, names(allowed)),
            "Unknown {} '{}'. Possible: {}.".format(what_en, value, names(allowed)),
        )


def _positive_number(value, what_de, what_en, allow_zero=False):
    """``value`` as float if finite and > 0 (>= 0 with ``allow_zero``), else InputError."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not np.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        raise InputError(
            "{} muss eine endliche Zahl {} 0 sein, nicht '{}'.".format(what_de, "ab" if allow_zero else "über", value),
            "{} must be a finite number {} 0, not '{}'.".format(
                what_en, "of at least" if allow_zero else "above", value),
        )
    return number


def _check_spec(spec):
    """Indicators, reversed indicators and weights after checking every setting of ``spec``."""
    indicators = [spec.indicators] if isinstance(spec.indicators, str) else list(spec.indicators or [])
    if not indicators:
        raise InputError(
            "Keine Indikatoren gewählt. Bitte wählen Sie mindestens ein Indikatorfeld.",
            "No indicators chosen. Please choose at least one indicator field.",
        )
    repeated = sorted({f for f in indicators if indicators.count(f) > 1})
    if repeated:
        raise InputError(
            "Indikator(en) {} mehrfach gewählt. Bitte jeden Indikator nur einmal angeben (für mehr "
            "Gewicht: Gewichte nutzen).".format(names(repeated)),
            "Indicator(s) {} chosen more than once. Please give each indicator once (use weights for "
            "more weight).".format(names(repeated)),
        )
    reverse = [spec.reverse] if isinstance(spec.reverse, str) else list(spec.reverse or [])
    stray = [f for f in reverse if f not in indicators]
    if stray:
        raise InputError(
            "Umgekehrte Richtung für {} gewählt, aber diese Felder sind keine Indikatoren: {}.".format(
                names(stray), names(indicators)),
            "Reverse direction chosen for {}, but these fields are not indicators: {}.".format(
                names(stray), names(indicators)),
        )
    given = dict(spec.weights or {})
    stray = [f for f in given if f not in indicators]
    if stray:
        raise InputError(
            "Gewichte für {} angegeben, aber diese Felder sind keine Indikatoren: {}.".format(
                names(stray), names(indicators)),
            "Weights given for {}, but these fields are not indicators: {}.".format(names(stray), names(indicators)),
        )
    weights = {
        f: _positive_number(given[f], "Gewicht von '{}'".format(f), "Weight of '{}'".format(f)) if f in given else 1.0
        for f in indicators
    }
    _choice(spec.normalization, NORMALIZATIONS, "Normierung", "normalisation")
    _choice(spec.aggregation, AGGREGATIONS, "Aggregation", "aggregation")
    _choice(spec.missing, MISSING_RULES, "Regel für fehlende Werte", "missing-value rule")
    _choice(spec.classification, classification_methods.METHODS, "Klassifizierung", "classification")
    if spec.aggregation == "geometric" and spec.normalization not in ("minmax", "percentile"):
        raise InputError(
            "Das geometrische Mittel braucht positive Werte und ist nur mit der Normierung 'minmax' "
            "oder 'percentile' (Skala 0 bis 100) möglich, nicht mit '{}'. Bitte wählen Sie eine dieser "
            "Normierungen oder die Aggregation 'sum' bzw. 'mean'.".format(spec.normalization),
            "The geometric mean needs positive values and works only with the normalisation 'minmax' "
            "or 'percentile' (scale 0 to 100), not with '{}'. Please choose one of these normalisations "
            "or the aggregation 'sum' or 'mean'.".format(spec.normalization),
        )
    share = _positive_number(spec.min_share, "Der Mindestanteil der Gewichte", "The minimum weight share")
    if share > 1:
        raise InputError(
            "Der Mindestanteil der Gewichte muss zwischen 0 und 1 liegen, nicht {}.".format(spec.min_share),
            "The minimum weight share must lie between 0 and 1, not {}.".format(spec.min_share),
        )
    minimum = _positive_number(spec.min_population, "Die Mindesteinwohnerzahl", "The minimum population",
                               allow_zero=True)
    if minimum > 0 and not spec.population:
        raise InputError(
            "Eine Mindesteinwohnerzahl ({}) braucht ein Einwohnerfeld. Bitte wählen Sie das Feld mit "
            "der Einwohnerzahl.".format(_number(minimum)),
            "A minimum population ({}) needs a population field. Please choose the population "
            "field.".format(_number(minimum)),
        )
    references = dict(spec.reference_values or {})
    stray = [f for f in references if f not in indicators]
    if stray:
        raise InputError(
            "Referenzwerte für {} angegeben, aber diese Felder sind keine Indikatoren: {}.".format(
                names(stray), names(indicators)),
            "Reference values given for {}, but these fields are not indicators: {}.".format(
                names(stray), names(indicators)),
        )
    for f, value in references.items():
        try:
            finite = np.isfinite(float(value))
        except (TypeError, ValueError):
            finite = False
        if not finite:
            raise InputError(
                "Referenzwert für '{}' muss eine endliche Zahl sein, nicht '{}'.".format(f, value),
                "Reference value for '{}' must be a finite number, not '{}'.".format(f, value),
            )
    return indicators, reverse, weights


def _population_rule(frame, spec, id_column):
    """Which areas pass the population rule, and a note for those that do not."""
    n = len(frame)
    notes = np.full(n, "", dtype=object)
    if not spec.population:
        return np.ones(n, dtype=bool), notes, {}
    population = numeric_columns(frame, [spec.population], id_column)[spec.population].to_numpy()
    negative = np.flatnonzero(population < 0)
    if negative.size:  # the same rule as for counts and denominators (frames.quantities)
        shown = names(frame[id_column].iloc[negative].tolist() if id_column in frame.columns else negative + 1)
        raise InputError(
            "Das Einwohnerfeld '{}' ist negativ bei {}. Bitte prüfen Sie die Werte.".format(spec.population, shown),
            "The population field '{}' is negative at {}. Please check the values.".format(spec.population, shown))
    lacking = np.isnan(population) | (population <= 0)
    if lacking.all():
        raise InputError(
            "Das Einwohnerfeld '{}' ist in allen Gebieten leer oder 0. Bitte wählen Sie das richtige "
            "Feld.".format(spec.population),
            "The population field '{}' is empty or 0 in all areas. Please choose the right "
            "field.".format(spec.population),
        )
    below = ~lacking & (population < float(spec.min_population))
    notes[np.isnan(population)] = de_en("Einwohnerzahl fehlt", "population missing")
    zero = ~np.isnan(population) & (population <= 0)
    notes[zero] = [de_en("Einwohnerzahl {}", "population {}").format(_number(p)) for p in population[zero]]
    limit = _number(spec.min_population)
    notes[below] = [
        de_en("Einwohnerzahl {} unter Mindestwert {}", "population {} below minimum {}").format(_number(p), limit)
        for p in population[below]
    ]
    reasons = {"no_population": int(lacking.sum()), "below_min_population": int(below.sum())}
    return ~lacking & ~below, notes, reasons


def _missing_field_lists(missing, indicators):
    """Per row, the comma-separated names of its missing indicators (built once per pattern)."""
    if missing.shape[0] == 0:
        return np.array([], dtype=object)
    patterns, inverse = np.unique(missing, axis=0, return_inverse=True)
    texts = np.array([", ".join(f for f, gone in zip(indicators, row) if gone) for row in patterns], dtype=object)
    return texts[np.asarray(inverse).ravel()]


def _append(notes, rows, texts):
    """Add ``texts`` to the notes of ``rows``, separated by '; '."""
    for row, text in zip(np.flatnonzero(rows), texts):
        notes[row] = text if not notes[row] else "{}; {}".format(notes[row], text)


def _missing_rule(missing, eligible, weights, spec, indicators, notes):
    """Rated areas under the missing-value rule, adding notes to ``notes``.

    Returns (rated, completed, dropped): the rated areas, the rated areas with missing values
    (reweighted or imputed) and the number of areas left unrated for lack of data.
    """
    weight = np.array([weights[f] for f in indicators])
    share = (~missing * weight).sum(axis=1) / weight.sum()
    incomplete = missing.any(axis=1)
    if spec.missing == "exclude":
        enough = ~incomplete
    else:
        enough = (share >= float(spec.min_share) - 1e-12) & (share > 0)
    dropped = eligible & ~enough
    fields = _missing_field_lists(missing[dropped], indicators)
    if spec.missing == "exclude":
        texts = [de_en("fehlende Werte: {}", "missing values: {}").format(f) for f in fields]
    else:
        minimum = format_number(100 * float(spec.min_share), 0)
        texts = [
            de_en("fehlende Werte: {} (vorhandener Gewichtsanteil {} % unter Mindestanteil {} %)",
                 "missing values: {} (available weight share {}% below minimum {}%)").format(
                f, format_number(100 * s, 0), minimum)
            for f, s in zip(fields, share[dropped])
        ]
    _append(notes, dropped, texts)
    rated = eligible & enough
    completed = rated & incomplete
    fields = _missing_field_lists(missing[completed], indicators)
    if spec.missing == "reweight":
        template = de_en("ohne {} (Gewichte umgerechnet)", "without {} (weights rescaled)")
    else:
        template = de_en("{} ergänzt (Median)", "{} imputed (median)")
    _append(notes, completed, [template.format(f) for f in fields])
    return rated, completed, int(dropped.sum())


def _too_few_rated(n_rated, n_areas, reasons):
    """InputError saying how many areas are rated and why the others are not."""
    parts_de, parts_en = [], []
    if reasons.get("no_population"):
        parts_de.append("{} ohne Einwohnerzahl (leer oder 0)".format(reasons["no_population"]))
        parts_en.append("{} without population (empty or 0)".format(reasons["no_population"]))
    if reasons.get("below_min_population"):
        parts_de.append("{} unter der Mindesteinwohnerzahl".format(reasons["below_min_population"]))
        parts_en.append("{} below the minimum population".format(reasons["below_min_population"]))
    if reasons.get("missing_values"):
        parts_de.append("{} mit fehlenden Indikatorwerten".format(reasons["missing_values"]))
        parts_en.append("{} with missing indicator values".format(reasons["missing_values"]))
    return InputError(
        "Nur {} von {} Gebieten können bewertet werden, mindestens {} sind nötig. Nicht bewertet: {}. "
        "Bitte senken Sie die Mindesteinwohnerzahl, ergänzen Sie Daten oder wählen Sie eine andere "
        "Regel für fehlende Werte.".format(n_rated, n_areas, MIN_RATED, ", ".join(parts_de) or "-"),
        "Only {} of {} areas can be rated, at least {} are needed. Not rated: {}. Please lower the "
        "minimum population, complete the data or choose another missing-value rule.".format(
            n_rated, n_areas, MIN_RATED, ", ".join(parts_en) or "-"),
    )


def _aggregate(normalized, weight, aggregation):
    """Weighted aggregate over the available (non-NaN) indicators of each area; formulas in the
    module docstring."""
    available = ~np.isnan(normalized)
    available_weight = (available * weight).sum(axis=1)
    filled = np.where(available, normalized, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if aggregation == "sum":
            return (filled * weight).sum(axis=1) * weight.sum() / available_weight
        if aggregation == "mean":
            return (filled * weight).sum(axis=1) / available_weight
        offset, factor = GEOMETRIC_SHIFT
        logs = np.where(available, np.log(offset + factor * filled), 0.0)
        return np.exp((logs * weight).sum(axis=1) / available_weight)


def _indicator_values(raw, rated, completed, spec, indicators):
    """Raw values of the rated areas (NaN elsewhere), with medians filled in under ``median``."""
    values = np.where(rated[:, None], raw, np.nan)
    medians = {}
    if spec.missing == "median":
        for j, f in enumerate(indicators):
            column = values[:, j]  # a view: filling it fills ``values``
            gaps = completed & np.isnan(column)
            present = column[~np.isnan(column)]
            if gaps.any() and present.size:  # without any value normalize() reports the indicator
                medians[f] = float(np.median(present))
                column[gaps] = medians[f]
    return values, medians


def _round_off_noise(values, rated):
    """``values`` rounded to :data:`INDEX_DIGITS` significant digits of the largest rated value.

    Floating-point noise (e.g. two indicators that cancel out) would otherwise break ties that
    exist in the data, and ranks and classes of tied areas would depend on the order of summing.
    """
    largest = np.abs(values[rated]).max()
    if largest == 0:
        return values
    return np.round(values, INDEX_DIGITS - int(np.ceil(np.log10(largest))))


def compute_index(frame, spec, id_column, labels=None):
    """The composite index of the areas in ``frame`` as specified by ``spec``; see the module
    docstring for the method. Returns an :class:`IndexResult`.

    ``labels``: optional ``{field: name}`` used for the indicators in the warnings (default: the
    field names).

    Raises :class:`InputError` for invalid settings, unknown or non-numeric fields, missing or
    duplicate IDs, a constant indicator among the rated areas, fewer than 3 rated areas and an
    index that is the same in all rated areas.
    """
    indicators, reverse, weights = _check_spec(spec)
    check_unique_ids(frame, id_column)
    raw = numeric_columns(frame, indicators, id_column).to_numpy()
    n_areas = len(frame)
    eligible, notes, reasons = _population_rule(frame, spec, id_column)
    missing = np.isnan(raw)
    rated, completed, reasons["missing_values"] = _missing_rule(
        missing, eligible, weights, spec, indicators, notes)
    n_rated = int(rated.sum())
    if n_rated < MIN_RATED:
        raise _too_few_rated(n_rated, n_areas, reasons)

    values, medians = _indicator_values(raw, rated, completed, spec, indicators)
    sign = np.array([-1.0 if f in reverse else 1.0 for f in indicators])
    prefix = "z_" if spec.normalization.startswith("zscore") else "n_"
    normalized = np.empty_like(values)
    references = {}
    statistics = {}
    warnings = []
    given_references = dict(spec.reference_values or {})
    for j, f in enumerate(indicators):
        column = values[:, j]
        present = column[~np.isnan(column)]
        reference = None
        if spec.normalization == "reference":
            references[f] = float(given_references.get(f, present.mean()))
            reference = sign[j] * references[f]
        normalized[:, j] = normalize(sign[j] * column, spec.normalization, rated=rated, reference=reference, name=f)
        skew = skewness(present)
        statistics[f] = {
            "mean": float(present.mean()),
            "sd": float(present.std()),
            "n": int(present.size),
            "skewness": _finite_or_none(skew),
            "direction": "reverse" if f in reverse else "normal",
        }
        if f in medians:
            statistics[f]["median_imputed"] = medians[f]
        if abs(skew) > SKEWNESS_LIMIT:
            warnings.append(de_en(
                "Indikator '{}' ist stark schief verteilt (Schiefe {}): wenige Extremwerte prägen den Index. "
                "Erwägen Sie die Normierung „{}“ oder eine Transformation.",
                "Indicator '{}' is strongly skewed (skewness {}): a few extreme values dominate the index. "
                "Consider the normalisation '{}' or a transformation.",
            ).format((labels or {}).get(f, f), format_number(skew, 1),
                     word(NORMALIZATION_WORDS, "percentile", language())))

    weight = np.array([weights[f] for f in indicators])
    aggregate = _aggregate(normalized, weight, spec.aggregation)
    aggregate[~rated] = np.nan
    rated_aggregate = np.sort(aggregate[rated])  # order-independent mean and SD
    spread = rated_aggregate.max() - rated_aggregate.min()
    scale = np.nanmax(np.abs(normalized * weight)) * len(indicators)
    if not spread > 1e-9 * scale:
        raise InputError(
            "Der Index ist in allen bewerteten Gebieten gleich: die Indikatoren heben sich gegenseitig auf "
            "(z. B. zwei gegenläufige Indikatoren mit gleichem Gewicht). Bitte prüfen Sie Auswahl, Richtung "
            "und Gewichte der Indikatoren.",
            "The index is the same in all rated areas: the indicators cancel each other out (e.g. two "
            "opposite indicators with equal weights). Please check the choice, direction and weights of "
            "the indicators.",
        )
    aggregate_mean = float(rated_aggregate.mean())
    aggregate_sd = float(rated_aggregate.std())
    index_value = (aggregate - aggregate_mean) / aggregate_sd if spec.restandardize else aggregate
    index_value = _round_off_noise(index_value, rated)

    result = classify(index_value, spec.classification, n_classes=spec.n_classes, breaks=spec.breaks,
                      stddev_cuts=spec.stddev_cuts, labels=spec.labels)
    k = len(result.labels)
    if spec.classification == "stddev" and spec.n_classes != k:
        warnings.append(de_en(
            "Die Klassenzahl {} ergibt sich aus den Schnitten in Standardabweichungen; die Angabe {} wurde "
            "nicht verwendet.",
            "The number of classes {} follows from the standard deviation cuts; the setting {} was not used.",
        ).format(k, spec.n_classes))
    if reasons["missing_values"] or reasons.get("below_min_population") or reasons.get("no_population"):
        warnings.append(de_en(
            "{} von {} Gebieten sind nicht bewertet (Grund im Feld 'note').",
            "{} of {} areas are not rated (reason in the field 'note').",
        ).format(n_areas - n_rated, n_areas))
    if completed.any():
        ids = frame[id_column].to_numpy()[completed]
        warnings.append(de_en(
            "Mit fehlenden Werten bewertete Gebiete: {} ({}): {}.",
            "Areas rated despite missing values: {} ({}): {}.",
        ).format(int(completed.sum()), de_en("Median ergänzt", "median imputed") if spec.missing == "median"
                 else de_en("Gewichte umgerechnet", "weights rescaled"), names(ids)))
    if given_references and spec.normalization != "reference":
        warnings.append(de_en(
            "Referenzwerte werden nur mit der Normierung „{}“ verwendet und wurden ignoriert.",
            "Reference values are used only with the normalisation '{}' and were ignored.",
        ).format(word(NORMALIZATION_WORDS, "reference", language())))

    columns = {prefix + f: normalized[:, j] for j, f in enumerate(indicators)}
    rank = pd.Series(index_value).rank(method="min", ascending=False)
    not_rated = de_en("nicht bewertet", "not rated")
    labels = np.array([not_rated] + list(result.labels), dtype=object)
    columns.update({
        "index_value": index_value,
        "index_rank": pd.array(rank.to_numpy(), dtype="Int64"),
        "index_class": pd.array(np.where(result.classes > 0, result.classes, np.nan), dtype="Int64"),
        "index_label": labels[result.classes],
        "rated": rated,
        "note": notes,
    })
    table = pd.DataFrame(columns, index=frame.index)

    parameters = {
        "id_column": id_column,
        "indicators": indicators,
        "reverse": reverse,
        "weights": weights,
        "normalization": spec.normalization,
        "reference_values": references or None,
        "aggregation": spec.aggregation,
        "geometric_shift": "1 + 0.99 * v" if spec.aggregation == "geometric" else None,
        "restandardize": bool(spec.restandardize),
        "population": spec.population or None,
        "min_population": float(spec.min_population),
        "missing": spec.missing,
        "min_share": float(spec.min_share),
        "classification": spec.classification,
        "n_classes": k,
        "stddev_cuts": [float(c) for c in (spec.stddev_cuts or symmetric_cuts(k))]
        if spec.classification == "stddev" else None,
        "breaks": result.breaks,
        "labels": result.labels,
        "rule": result.rule,
        "counts": {
            "areas": n_areas,
            "rated": n_rated,
            "not_rated": n_areas - n_rated,
            "no_population": reasons.get("no_population", 0),
            "below_min_population": reasons.get("below_min_population", 0),
            "missing_values": reasons["missing_values"],
            "completed": int(completed.sum()),
            "per_class": result.counts,
        },
        "indicator_statistics": statistics,
        "aggregate_mean": _finite_or_none(aggregate_mean),
        "aggregate_sd": _finite_or_none(aggregate_sd),
        "normalized_columns": dict(zip(indicators, columns)),
        "language": language(),
    }
    return IndexResult(
        table=table,
        normalized_columns=dict(zip(indicators, columns)),
        classification=result,
        parameters=parameters,
        warnings=warnings,
    )
