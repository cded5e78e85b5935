"""Indexprüfung: checks of the indicators and of the index before planners rely on it.

- :func:`indicator_statistics`: distribution of each indicator (n, mean, SD, skewness, outliers).
- :func:`correlations`: Pearson correlations after applying the direction, with hints
  (:func:`correlation_hints`): one per group of near-identical indicators (r > 0.9, double
  weighting) and one per indicator that pulls against others (r < -0.1, direction wrong?).
- :func:`cronbach_alpha`: internal consistency of the indicator set; :func:`alpha_assessment`
  words it so that it agrees with the correlation hints (alpha >= 0.7, Nunnally 1978).
- :func:`pca`: principal components of the correlation matrix and weights derived from them.
- :func:`robustness`: how much the ranks move under other reasonable choices (normalisation,
  weights, leaving an indicator out), as recommended by the OECD/JRC Handbook (ch. 1.7,
  "Robustness and sensitivity").

Reference: OECD/JRC (2008): Handbook on Constructing Composite Indicators. Methodology and
User Guide. OECD Publishing, Paris.
"""

import dataclasses
from collections import namedtuple
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError, de_en, format_number, language, names
from .frames import numeric_columns
from .index import compute_index
from .stats import skewness
from .vocabulary import NORMALIZATION as NORMALIZATION_WORDS
from .vocabulary import word

OUTLIER_Z = 3.0
REDUNDANT_R = 0.9
NEGATIVE_R = -0.1
ALPHA_CONSISTENT = 0.7
RANDOM_WEIGHT_RANGE = (0.5, 1.5)
ROBUST_WIDTH = 0.10
MODERATE_WIDTH = 0.25
NORMALIZATIONS = ("zscore", "minmax", "percentile")

PCAResult = namedtuple("PCAResult", "explained_variance_ratio loadings suggested_weights eigenvalues")
PCAResult.__doc__ = """Result of :func:`pca`.

``explained_variance_ratio``: eigenvalue / number of indicators, per component (descending).
``loadings``: DataFrame, rows = indicators, columns ``PC1..PCk``: the unit-length eigenvectors
of the correlation matrix, each signed so that its loadings sum to a positive number.
``suggested_weights``: dict indicator -> weight (sum 1) from the first component.
``eigenvalues``: eigenvalues of the correlation matrix (descending).
"""

RedundantGroup = namedtuple("RedundantGroup", "indicators pairs")
RedundantGroup.__doc__ = """One group of :func:`redundant_groups`: ``indicators`` (in the order of the matrix) and
``pairs``, the ``(first, second, r)`` with r above the limit that link them."""

RobustnessResult = namedtuple("RobustnessResult", "table scenarios")
RobustnessResult.__doc__ = """Result of :func:`robustness`.

``table``: one row per area (index of the input frame, id column first) with ``rang_basis``
(rank in the base scenario), ``rang_median``, ``rang_p05``, ``rang_p95``, ``rang_spanne``
(p95 - p05), ``anteil_top`` (share of scenarios in the top-need class), ``n_varianten`` (number
of scenarios in which the area is rated) and ``robust`` (label, see :func:`robustness`).
``scenarios``: one row per scenario with ``scenario``, ``kind``, ``description``, ``n_rated``,
``spearman`` (rank correlation with the base ranks) and ``top_overlap`` (share of the base
top-class areas that are in the top class of the scenario); failed scenarios have ``error``.
"""


class Canceled(Exception):
    """The user canceled a long computation (``is_canceled()`` returned True)."""




def _labels(frame, id_column):
    if id_column is not None and id_column in frame.columns:
        return frame[id_column].astype(str).to_numpy()
    return frame.index.astype(str).to_numpy()


def _matrix(matrix, minimum_columns, what):
    """Float array (rows = areas, columns = indicators) without rows holding a NaN, and names."""
    columns = list(matrix.columns) if isinstance(matrix, pd.DataFrame) else None
    values = np.asarray(matrix, dtype=float)
    if values.ndim != 2:
        raise ValueError("{} expects a 2-D matrix, got shape {}".format(what, values.shape))
    if columns is None:
        columns = list(range(values.shape[1]))
    values = values[~np.isnan(values).any(axis=1)]
    if values.shape[1] < minimum_columns:
        raise InputError(
            "{} braucht mindestens {} Indikatoren, nicht {}.".format(what, minimum_columns, values.shape[1]),
            "{} needs at least {} indicators, not {}.".format(what, minimum_columns, values.shape[1]),
        )
    if values.shape[0] < 3:
        raise InputError(
            "{} braucht mindestens 3 Gebiete mit allen Werten, nicht {}.".format(what, values.shape[0]),
            "{} needs at least 3 areas with all values, not {}.".format(what, values.shape[0]),
        )
    constant = [str(c) for c, sd in zip(columns, values.std(axis=0)) if not sd > 0]
    if constant:
        raise InputError(
            "{}: die Indikatoren {} sind in allen Gebieten gleich. Bitte weglassen.".format(what, names(constant)),
            "{}: the indicators {} are the same in all areas. Please leave them out.".format(what, names(constant)),
        )
    return values, columns


def indicator_statistics(frame, fields, rated=None, id_column=None):
    """Distribution of each indicator over the rated areas; one row per field.

    Columns: ``n`` (values present), ``missing`` (rated areas without a value), ``mean``,
    ``sd`` (population SD, divisor n), ``min``, ``max``, ``skewness`` (adjusted Fisher-Pearson
    G1, see :func:`skewness`), ``n_outliers`` and ``outlier_ids`` (comma-separated ids from
    ``id_column``, else the row labels): values with |z| > 3, z = (x - mean) / sd. With population SD no value can
    reach |z| > 3 unless n >= 11 (max |z| = (n - 1) / sqrt(n)).
    """
    fields = [fields] if isinstance(fields, str) else list(fields)
    values = numeric_columns(frame, fields, id_column=id_column)
    mask = np.ones(len(frame), dtype=bool) if rated is None else np.asarray(rated, dtype=bool)
    labels = _labels(frame, id_column)
    rows = []
    for field in fields:
        column = values[field].to_numpy()[mask]
        present = ~np.isnan(column)
        x = column[present]
        mean = x.mean() if x.size else np.nan
        sd = x.std() if x.size else np.nan
        if sd > 0:
            outlying = np.abs((column - mean) / sd) > OUTLIER_Z
        else:
            outlying = np.zeros(column.size, dtype=bool)
        rows.append({
            "n": int(x.size),
            "missing": int((~present).sum()),
            "mean": float(mean),
            "sd": float(sd),
            "min": float(x.min()) if x.size else np.nan,
            "max": float(x.max()) if x.size else np.nan,
            "skewness": skewness(x),
            "n_outliers": int(outlying.sum()),
            "outlier_ids": ", ".join(labels[mask][outlying]),
        })
    return pd.DataFrame(rows, index=pd.Index(fields, name="indicator"))


def correlations(frame, fields, reverse=(), redundant_above=REDUNDANT_R, negative_below=NEGATIVE_R, weights=None,
                 labels=None):
    """Pearson correlations of the indicators after applying the direction; ``(matrix, hints)``.

    Fields in ``reverse`` (higher value = less need) are multiplied by -1 first, so that all
    indicators point towards more need. Each pair uses the areas where both values are present.
    ``hints`` are :func:`correlation_hints` of the matrix (``weights`` and ``labels`` are passed on).
    """
    fields = [fields] if isinstance(fields, str) else list(fields)
    reverse = [reverse] if isinstance(reverse, str) else list(reverse)
    stray = [f for f in reverse if f not in fields]
    if stray:
        raise InputError(
            "Umgekehrte Richtung für {}, aber das sind keine gewählten Indikatoren.".format(names(stray)),
            "Reverse direction for {}, but these are not chosen indicators.".format(names(stray)),
        )
    values = numeric_columns(frame, fields)
    for field in reverse:
        values[field] = -values[field]
    constant = [f for f in fields if not values[f].std(ddof=0) > 0]
    if constant:
        raise InputError(
            "Die Indikatoren {} sind in allen Gebieten gleich; eine Korrelation ist nicht definiert. "
            "Bitte weglassen.".format(names(constant)),
            "The indicators {} are the same in all areas; a correlation is not defined. Please leave "
            "them out.".format(names(constant)),
        )
    matrix = values.corr(method="pearson")
    return matrix, correlation_hints(matrix, redundant_above, negative_below, weights=weights, labels=labels)


def _pairs(matrix, keep):
    """``(first, second, r)`` for every pair of columns (upper triangle, matrix order) whose r passes ``keep``."""
    fields = list(matrix.columns)
    pairs = []
    for i, first in enumerate(fields):
        for second in fields[i + 1:]:
            r = float(matrix.loc[first, second])
            if not np.isnan(r) and keep(r):
                pairs.append((first, second, r))
    return pairs


def redundant_groups(matrix, above=REDUNDANT_R):
    """Groups of indicators that measure almost the same: a list of :class:`RedundantGroup`.

    Two indicators are linked when their correlation r > ``above`` (0.9); a group is a connected
    set of linked indicators (a and b linked, b and c linked: one group a, b, c), so five
    near-identical pairs among four indicators give one group, not five warnings. Strongly
    negative pairs are no redundancy but a direction problem (see :func:`opposite_pairs`).
    Groups come in the order of their first indicator in the matrix.
    """
    pairs = _pairs(matrix, lambda r: r > above)
    group = {}
    for first, second, _ in pairs:
        joined = group.get(first, {first}) | group.get(second, {second})
        for field in joined:
            group[field] = joined
    order = list(matrix.columns)
    result, seen = [], set()
    for field in order:
        if field in group and field not in seen:
            members = [f for f in order if f in group[field]]
            seen.update(members)
            result.append(RedundantGroup(members, [p for p in pairs if p[0] in group[field]]))
    return result


def opposite_pairs(matrix, below=NEGATIVE_R):
    """``(first, second, r)`` of the indicator pairs with r < ``below`` (-0.1) after applying the direction.

    Both indicators should mean more need, so they should not pull the index in opposite
    directions: usually the direction of one is wrong. Weaker negative correlations
    (``below`` <= r < 0) are treated as noise.
    """
    return _pairs(matrix, lambda r: r < below)


def _shown(fields, labels):
    """``'A'``, ``'A' und 'B'``, ``'A', 'B' und 'C'`` with the labels of the fields."""
    shown = ["'{}'".format((labels or {}).get(f, f)) for f in fields]
    if len(shown) == 1:
        return shown[0]
    return "{} {} {}".format(", ".join(shown[:-1]), de_en("und", "and"), shown[-1])


def _r_text(pairs):
    """``r = 0,93`` or ``r = 0,92 bis 0,96`` for the correlations of ``pairs``."""
    low = format_number(min(r for *_, r in pairs))
    high = format_number(max(r for *_, r in pairs))
    if low == high:
        return "r = {}".format(low)
    return de_en("r = {} bis {}", "r = {} to {}").format(low, high)


def correlation_hints(matrix, redundant_above=REDUNDANT_R, negative_below=NEGATIVE_R, weights=None, labels=None):
    """Plain-language hints on the correlation ``matrix`` (after the direction): one per group, not per pair.

    - one hint per :func:`redundant_groups` group: the indicators measure almost the same, and
      together carry their share of the total weight (``weights``: ``{field: weight}``, default
      1 each), so what they share counts several times in the index (double weighting, OECD/JRC
      2008, step 6 "Weighting and aggregation");
      If the group holds every indicator, the hint says instead that the index rests on one trait;
    - one hint per indicator that pulls against others (:func:`opposite_pairs`), taking first the
      indicator with the most opposite partners, so a wrongly directed indicator gives one hint.

    ``labels``: ``{field: name}`` shown instead of the field names.
    """
    fields = list(matrix.columns)
    weights = {f: float((weights or {}).get(f, 1.0)) for f in fields}
    total = sum(weights.values())
    hints = []
    for group in redundant_groups(matrix, redundant_above):
        k = len(group.indicators)
        share = 100 * sum(weights[f] for f in group.indicators) / total
        if k == 2:
            measured = _r_text(group.pairs)
            advice = de_en("einen der beiden weglassen", "leave one of them out")
        else:
            measured = de_en("{}; {} von {} Paaren über {}", "{}; {} of {} pairs above {}").format(
                _r_text(group.pairs), len(group.pairs), k * (k - 1) // 2, format_number(redundant_above, 1))
            advice = de_en("einige davon weglassen", "leave some of them out")
        if k == len(fields):
            hints.append(de_en(
                "Alle Indikatoren messen fast dasselbe ({}): der Index beruht im Kern auf einem einzigen Merkmal, "
                "jeder weitere Indikator fügt kaum etwas hinzu. Wenn der Index mehrere Seiten sozialer Lagen "
                "zeigen soll: Indikatoren ergänzen, die etwas anderes messen.",
                "All indicators measure almost the same ({}): the index rests on one single trait, and each further "
                "indicator adds hardly anything. If the index is to show several sides of social conditions: add "
                "indicators that measure something else.",
            ).format(measured))
            continue
        hints.append(de_en(
            "{} messen fast dasselbe ({}). Zusammen tragen sie {} % des Gesamtgewichts: was sie gemeinsam messen, "
            "zählt im Index {}-fach (Doppelgewichtung). Wenn das nicht gewollt ist: {} oder ihre Gewichte "
            "verringern.",
            "{} measure almost the same ({}). Together they carry {} % of the total weight: what they measure in "
            "common counts {} times in the index (double weighting). If that is not intended: {} or lower their "
            "weights.",
        ).format(_shown(group.indicators, labels), measured, format_number(share, 0), k, advice))
    remaining = opposite_pairs(matrix, negative_below)
    while remaining:
        counts = {f: sum(f in pair[:2] for pair in remaining) for f in fields}
        hub = max(fields, key=lambda f: counts[f])  # first of the most frequent, in matrix order
        mine = [pair for pair in remaining if hub in pair[:2]]
        remaining = [pair for pair in remaining if hub not in pair[:2]]
        partners = [b if a == hub else a for a, b, _ in mine]
        if len(mine) == 1:
            hints.append(de_en(
                "{} und {} sind gegenläufig ({}), obwohl beide nach Anwendung der Richtung mehr Bedarf bedeuten "
                "sollten: Richtung prüfen.",
                "{} and {} are opposite-signed ({}) although after applying the direction both should mean more "
                "need: check the direction.",
            ).format(_shown([mine[0][0]], labels), _shown([mine[0][1]], labels), _r_text(mine)))
        else:
            hints.append(de_en(
                "{} ist gegenläufig zu {} ({}), obwohl alle nach Anwendung der Richtung mehr Bedarf bedeuten "
                "sollten: die Richtung von {} prüfen.",
                "{} is opposite-signed to {} ({}) although after applying the direction all should mean more "
                "need: check the direction of {}.",
            ).format(_shown([hub], labels), _shown(partners, labels), _r_text(mine), _shown([hub], labels)))
    return hints


def alpha_assessment(alpha, groups, limit=ALPHA_CONSISTENT):
    """``(level, text)``: what Cronbach's ``alpha`` says, in words that agree with the correlation hints.

    ``level``: ``"ok"`` (alpha >= ``limit``, 0.7 after Nunnally 1978 as cited by OECD/JRC 2008),
    ``"note"`` (alpha >= limit, but ``groups`` from :func:`redundant_groups` is not empty: alpha is
    high precisely because indicators correlate, which also means double weighting), ``"low"``
    (alpha < limit) or ``"none"`` (alpha not computable, NaN).
    """
    if alpha != alpha:
        return "none", de_en("nicht berechenbar.", "not computable.")
    if alpha < limit:
        return "low", de_en(
            "die Indikatoren hängen wenig zusammen (unter {}): sie messen kaum ein gemeinsames Merkmal. Prüfen Sie "
            "die Auswahl und die Richtung der Indikatoren.",
            "the indicators are only loosely related (below {}): they hardly measure one common trait. Check the "
            "choice and the direction of the indicators.").format(format_number(limit, 1))
    consistent = de_en("die Indikatoren messen gemeinsam ein Merkmal (ab {}).",
                       "the indicators measure one common trait ({} or more).").format(format_number(limit, 1))
    if not groups:
        return "ok", consistent
    return "note", consistent + " " + de_en(
        "Das widerspricht den Hinweisen zu fast gleichen Indikatoren nicht: Alpha ist hoch, gerade weil die "
        "Indikatoren eng zusammenhängen. Ein hohes Alpha sagt nicht, dass jeder Indikator etwas Eigenes beiträgt; "
        "sehr enge Paare (r über {}) heißen, dass dasselbe Merkmal mehrfach gewichtet wird.",
        "This does not contradict the hints on near-identical indicators: alpha is high precisely because the "
        "indicators are closely related. A high alpha does not say that every indicator adds something of its "
        "own; very close pairs (r above {}) mean that the same trait is weighted several times.",
    ).format(format_number(REDUNDANT_R, 1))


def cronbach_alpha(matrix, standardize=True):
    """Cronbach's alpha of the indicators (columns) over the areas (rows).

    alpha = k / (k - 1) * (1 - sum_i var(x_i) / var(sum_i x_i)), k = number of indicators.
    Rows with a missing value are dropped. With ``standardize`` (default) every column is first
    z-standardised (population SD), which gives the standardised alpha
    k * rbar / (1 + (k - 1) * rbar), rbar = mean inter-indicator correlation. Apply the direction
    (negate reversed indicators) before. Values above 0.7 are usually read as a consistent set.
    """
    values, _ = _matrix(matrix, 2, "Cronbachs Alpha")
    if standardize:
        values = (values - values.mean(axis=0)) / values.std(axis=0)
    k = values.shape[1]
    total_variance = values.sum(axis=1).var()
    if not total_variance > 0:
        raise InputError(
            "Cronbachs Alpha ist nicht definiert: die Indikatoren heben sich in der Summe auf.",
            "Cronbach's alpha is not defined: the indicators cancel out in their sum.",
        )
    return float(k / (k - 1) * (1 - values.var(axis=0).sum() / total_variance))


def pca(matrix):
    """Principal components of the correlation matrix R of the indicators (columns).

    R is decomposed with numpy's SVD (for a symmetric positive semi-definite matrix the singular
    values are the eigenvalues and the singular vectors the eigenvectors). Rows with a missing
    value are dropped. Suggested weights: the squared loadings of the first component,
    normalised to sum 1: w_j = v_j1^2 / sum_i v_i1^2. This is the one-factor case of the OECD/JRC
    Handbook approach (2008, section 6.1, "Weights based on principal components analysis"),
    which squares and rescales the (varimax-rotated) loadings of all retained factors; it gives
    more weight to the indicators that share most of the common variation. Because the weights
    use squares, an indicator loading against the others still gets weight: check
    :func:`correlations` first. A single indicator gets loading 1 and weight 1.
    """
    values, columns = _matrix(matrix, 1, "PCA")
    correlation = np.atleast_2d(np.corrcoef(values, rowvar=False))
    vectors, eigenvalues, _ = np.linalg.svd(correlation)
    for j in range(vectors.shape[1]):
        total = vectors[:, j].sum()
        if total < 0 or (np.isclose(total, 0) and vectors[np.argmax(np.abs(vectors[:, j])), j] < 0):
            vectors[:, j] = -vectors[:, j]
    k = len(columns)
    loadings = pd.DataFrame(vectors, index=columns, columns=["PC{}".format(j + 1) for j in range(k)])
    squared = vectors[:, 0] ** 2
    weights = {c: float(w) for c, w in zip(columns, squared / squared.sum())}
    return PCAResult(eigenvalues / eigenvalues.sum(), loadings, weights, eigenvalues)


def _base_weights(spec, indicators):
    given = dict(spec.weights or {})
    return {f: float(given.get(f, 1.0)) for f in indicators}


def _without(spec, field):
    """``spec`` without the indicator ``field`` (and its weight, direction, reference value)."""
    keep = [f for f in spec.indicators if f != field]
    weights = {f: w for f, w in (spec.weights or {}).items() if f != field} or None
    references = {f: v for f, v in (spec.reference_values or {}).items() if f != field} or None
    reverse = [spec.reverse] if isinstance(spec.reverse, str) else list(spec.reverse or ())
    return dataclasses.replace(spec, indicators=keep, reverse=[f for f in reverse if f != field],
                               weights=weights, reference_values=references)


def _scenarios(spec, base, n_random, seed, labels=None):
    """(name, kind, description, spec) of the alternative scenarios (the base comes first)."""
    indicators = [spec.indicators] if isinstance(spec.indicators, str) else list(spec.indicators)
    spec = dataclasses.replace(spec, indicators=indicators)
    yield "base", "base", de_en("Grundeinstellung", "base settings"), spec
    for method in NORMALIZATIONS:
        if method != spec.normalization and not (spec.aggregation == "geometric" and method == "zscore"):
            yield ("norm_" + method, "normalization",
                   de_en("Normierung {}", "normalisation {}").format(word(NORMALIZATION_WORDS, method, language())),
                   dataclasses.replace(spec, normalization=method))
    base_weights = _base_weights(spec, indicators)
    if len(set(base_weights.values())) > 1:
        yield "equal_weights", "weights", de_en("gleiche Gewichte", "equal weights"), \
            dataclasses.replace(spec, weights=None)
    if len(indicators) >= 2:
        columns = [base.normalized_columns[f] for f in indicators]
        rated = base.table["rated"].to_numpy()
        try:
            suggested = pca(base.table.loc[rated, columns].set_axis(indicators, axis=1)).suggested_weights
        except InputError:
            suggested = None  # e.g. fewer than 3 areas with all values: no PCA scenario
        if suggested is not None:
            # compute_index needs positive weights: a zero PCA weight becomes a negligible one
            weights = {f: max(w, 1e-6) for f, w in suggested.items()}
            yield "pca_weights", "weights", de_en("Gewichte aus der PCA", "weights from PCA"), \
                dataclasses.replace(spec, weights=weights)
    low, high = RANDOM_WEIGHT_RANGE
    factors = np.random.default_rng(seed).uniform(low, high, size=(n_random, len(indicators)))
    for s in range(n_random):
        weights = {f: base_weights[f] * factors[s, j] for j, f in enumerate(indicators)}
        yield "random_{}".format(s + 1), "random_weights", \
            de_en("Zufallsgewichte (Grundgewicht × U(0,5; 1,5))", "random weights (base weight × U(0.5, 1.5))"), \
            dataclasses.replace(spec, weights=weights)
    if len(indicators) >= 2:
        for field in indicators:
            yield "without_" + str(field), "leave_one_out", \
                de_en("ohne {}", "without {}").format(_shown([field], labels)), _without(spec, field)


def _top(classes, rated, top_classes):
    """Areas in the ``top_classes`` highest classes present among the rated areas (class k = most need)."""
    present = np.unique(classes[rated])
    return rated & np.isin(classes, present[-top_classes:])


#: the verdicts of :func:`robustness`, most robust first
ROBUSTNESS_WORDS = (("robust", "robust"), ("mäßig robust", "moderately robust"), ("unsicher", "uncertain"))


def robustness_limits(n):
    """Widest rank interval still "robust" and still "moderately robust" among ``n`` rated areas:
    ``(ROBUST_WIDTH * n, MODERATE_WIDTH * n)`` = 10 % and 25 % of n."""
    return ROBUST_WIDTH * n, MODERATE_WIDTH * n


def _robustness_label(width, n):
    if np.isnan(width):
        return None
    robust, moderate = robustness_limits(n)
    level = 0 if width <= robust else 1 if width <= moderate else 2
    return de_en(*ROBUSTNESS_WORDS[level])


def _compare(result, base_rated, base_rank, base_top, top_classes, record):
    """Ranks and top-class flags of one scenario (NaN where not rated); fills ``record``."""
    rated = result.table["rated"].to_numpy()
    rank = result.table["index_rank"].to_numpy(dtype=float, na_value=np.nan)
    classes = result.table["index_class"].to_numpy(dtype=float, na_value=0).astype(int)
    top = _top(classes, rated, top_classes)
    both = rated & base_rated
    if both.sum() >= 2:
        with np.errstate(invalid="ignore", divide="ignore"):
            record["spearman"] = float(np.corrcoef(pd.Series(rank[both]).rank(),
                                                   pd.Series(base_rank[both]).rank())[0, 1])
    if base_top.any():
        record["top_overlap"] = float((top & base_top).sum() / base_top.sum())
    record["n_rated"] = int(rated.sum())
    return np.where(rated, rank, np.nan), np.where(rated, top.astype(float), np.nan)


def robustness(frame, spec, id_column, n_random=200, seed=0, top_classes=1, progress=None, is_canceled=None,
               base=None, labels=None):
    """Ranks of the areas under alternative reasonable index settings (uncertainty analysis).

    Scenarios, each computed with :func:`.index.compute_index`:

    - ``base``: ``spec`` as given;
    - the other normalisations among zscore, minmax, percentile (zscore is skipped for the
      geometric aggregation, which needs positive values);
    - equal weights (if ``spec`` has unequal weights) and the weights suggested by :func:`pca`
      of the base scenario's normalised indicators;
    - ``n_random`` random weightings: w_j = base weight_j × u_j, u_j ~ uniform(0.5, 1.5)
      independently (numpy ``default_rng(seed)``, so results are reproducible);
    - leaving out each indicator once (with at least two indicators).

    Per area: ``rang_basis`` (base rank); ``rang_median``, ``rang_p05`` and ``rang_p95`` (median,
    5 % and 95 % percentiles, linear interpolation) over the scenarios in which the area is
    rated; ``rang_spanne`` = p95 - p05; ``anteil_top`` = share of those scenarios in which the
    area is in the top-need class, i.e. among the ``top_classes`` highest classes present in
    that scenario (class k = most need); ``robust``: "robust" if rang_spanne <= 10 % of the
    number n of rated areas in the base scenario, "mäßig robust" (moderately robust) if <= 25 %
    of n, else "unsicher" (uncertain).

    ``progress(fraction)`` is called after each scenario; if ``is_canceled()`` returns True the
    computation stops with :class:`Canceled`. A scenario that fails with an InputError (e.g. an
    index that becomes constant without one indicator) is listed with its error and skipped.
    ``base``: the :class:`.index.IndexResult` of ``spec``, if the caller has computed it already.
    ``labels``: ``{field: name}`` for the scenario descriptions ("ohne 'Arbeitslosenquote'").
    """
    if int(n_random) < 0 or int(top_classes) < 1:
        raise InputError(
            "Anzahl der Zufallsgewichtungen muss ≥ 0 und die Zahl der Spitzenklassen ≥ 1 sein.",
            "The number of random weightings must be ≥ 0 and the number of top classes ≥ 1.",
        )
    if base is None:
        base = compute_index(frame, spec, id_column)
    base_rated = base.table["rated"].to_numpy()
    base_rank = base.table["index_rank"].to_numpy(dtype=float, na_value=np.nan)
    base_classes = base.table["index_class"].to_numpy(dtype=float, na_value=0).astype(int)
    base_top = _top(base_classes, base_rated, int(top_classes))
    n_base = int(base_rated.sum())
    scenarios = list(_scenarios(spec, base, int(n_random), seed, labels))

    ranks, tops, records = [], [], []
    for done, (name, kind, description, scenario_spec) in enumerate(scenarios):
        if is_canceled is not None and is_canceled():
            raise Canceled(de_en("Robustheitsprüfung abgebrochen.", "Robustness check canceled."))
        record = {"scenario": name, "kind": kind, "description": description, "n_rated": 0,
                  "spearman": np.nan, "top_overlap": np.nan, "error": ""}
        try:
            result = base if name == "base" else compute_index(frame, scenario_spec, id_column)
        except InputError as error:
            record["error"] = str(error)
        else:
            rank, top = _compare(result, base_rated, base_rank, base_top, int(top_classes), record)
            ranks.append(rank)
            tops.append(top)
        records.append(record)
        if progress is not None:
            progress((done + 1) / len(scenarios))

    ranks = np.column_stack(ranks)
    tops = np.column_stack(tops)
    counted = (~np.isnan(ranks)).sum(axis=1)
    percentiles = np.full((len(frame), 3), np.nan)
    some = counted > 0
    percentiles[some] = np.nanpercentile(ranks[some], [50, 5, 95], axis=1).T
    width = percentiles[:, 2] - percentiles[:, 1]
    table = pd.DataFrame(index=frame.index)
    table[id_column] = frame[id_column].to_numpy()
    table["rang_basis"] = pd.array(np.where(base_rated, base_rank, np.nan), dtype="Int64")
    table["rang_median"] = percentiles[:, 0]
    table["rang_p05"] = percentiles[:, 1]
    table["rang_p95"] = percentiles[:, 2]
    table["rang_spanne"] = width
    table["anteil_top"] = np.where(some, np.nansum(tops, axis=1) / np.maximum(counted, 1), np.nan)
    table["n_varianten"] = counted
    table["robust"] = [_robustness_label(w, n_base) for w in width]
    return RobustnessResult(table, pd.DataFrame.from_records(records))


@dataclass
class DiagnosticsReport:
    """Everything :func:`run_diagnostics` found, for the table output and the HTML summary."""

    statistics: pd.DataFrame
    correlations: pd.DataFrame
    correlation_warnings: list
    alpha: float
    alpha_level: str
    alpha_text: str
    pca: PCAResult
    pca_note: str
    robustness: pd.DataFrame
    scenarios: pd.DataFrame
    scenario_summary: str
    robust_rule: str
    parameters: dict
    id_column: str
    labels: dict
    warnings: list = field(default_factory=list)


def _scenario_summary(scenarios, n_random):
    kinds = scenarios["kind"].value_counts()
    parts = [de_en("Grundeinstellung", "base settings")]
    if kinds.get("normalization"):
        parts.append(de_en("{} andere Normierungen", "{} other normalisations").format(kinds["normalization"]))
    if "equal_weights" in set(scenarios["scenario"]):
        parts.append(de_en("gleiche Gewichte", "equal weights"))
    if "pca_weights" in set(scenarios["scenario"]):
        parts.append(de_en("Gewichte aus der PCA", "weights from PCA"))
    if n_random:
        parts.append(de_en("{} Zufallsgewichtungen (Grundgewicht × gleichverteilter Faktor 0,5 bis 1,5)",
                           "{} random weightings (base weight × uniform factor 0.5 to 1.5)").format(n_random))
    if kinds.get("leave_one_out"):
        parts.append(de_en("{} Varianten ohne je einen Indikator", "{} variants leaving out one indicator each").format(
            kinds["leave_one_out"]))
    return ", ".join(parts)


def run_diagnostics(frame, spec, id_column, n_random=200, seed=0, top_classes=1, progress=None, is_canceled=None,
                    labels=None):
    """All checks of an index defined by ``spec`` (an :class:`.index.IndexSpec`); a :class:`DiagnosticsReport`.

    Statistics, correlations, Cronbach's alpha and the PCA use the areas rated by the index, with
    the direction of the reversed indicators applied (alpha on the raw values, z-standardised by
    :func:`cronbach_alpha`; PCA on the normalised indicators of the index). The robustness
    analysis is :func:`robustness`; ``progress`` and ``is_canceled`` are passed on. ``labels``
    (``{field: name}``) name the indicators in hints and tables; labels of other fields are ignored.
    """
    base = compute_index(frame, spec, id_column, labels=labels)
    indicators = list(base.parameters["indicators"])
    reverse = list(base.parameters["reverse"])
    rated = base.table["rated"].to_numpy()
    warnings = list(base.warnings)
    labels = {f: (labels or {}).get(f) or str(f) for f in indicators}

    statistics = indicator_statistics(frame, indicators, rated=rated, id_column=id_column)
    matrix, correlation_warnings = correlations(frame[rated], indicators, reverse=reverse,
                                                weights=base.parameters["weights"], labels=labels)
    directed = numeric_columns(frame[rated], indicators, id_column=id_column)
    for name in reverse:
        directed[name] = -directed[name]
    try:
        alpha = cronbach_alpha(directed)
    except InputError as error:
        alpha = float("nan")
        warnings.append(de_en("Cronbachs Alpha nicht berechenbar: {}", "Cronbach's alpha not computable: {}").format(
            error))
    columns = [base.normalized_columns[name] for name in indicators]
    components = pca(base.table.loc[rated, columns].set_axis(indicators, axis=1))

    alpha_level, alpha_text = alpha_assessment(alpha, redundant_groups(matrix))

    result = robustness(frame, spec, id_column, n_random=n_random, seed=seed, top_classes=top_classes,
                        progress=progress, is_canceled=is_canceled, base=base, labels=labels)
    result.table["note"] = base.table["note"]  # why a quarter is not rated (the hint of compute_index points here)
    for _, failed in result.scenarios[result.scenarios["error"] != ""].iterrows():
        warnings.append(de_en("Variante '{}' nicht berechenbar und ausgelassen: {}",
                              "Variant '{}' could not be computed and was left out: {}").format(
            failed["description"], failed["error"]))
    n_rated = int(rated.sum())
    robust_limit, moderate_limit = robustness_limits(n_rated)
    robust_rule = de_en(
        "Spanne = 5- bis 95-%-Perzentil der Ränge über alle Varianten. robust: Spanne ≤ 10 % der {n} bewerteten "
        "Quartiere ({a} Ränge); mäßig robust: ≤ 25 % ({b} Ränge); sonst unsicher. Oberste Klasse: die höchste "
        "Klasse (größter Bedarf) der jeweiligen Variante.",
        "Interval = 5th to 95th percentile of the ranks over all variants. robust: interval ≤ 10 % of the {n} rated "
        "districts ({a} ranks); moderately robust: ≤ 25 % ({b} ranks); otherwise uncertain. Top class: the highest "
        "class (greatest need) of each variant.",
    ).format(n=n_rated, a=format_number(robust_limit, 1), b=format_number(moderate_limit, 1))
    pca_note = de_en(
        "Ladungen = Eigenvektoren der Korrelationsmatrix der normierten Indikatoren. Vorgeschlagene Gewichte = "
        "quadrierte Ladungen der ersten Hauptkomponente, auf die Summe 1 normiert (vereinfachtes Verfahren nach "
        "OECD/JRC 2008, Handbook on Constructing Composite Indicators, Abschn. 6.1).",
        "Loadings = eigenvectors of the correlation matrix of the normalised indicators. Suggested weights = "
        "squared loadings of the first principal component, scaled to sum 1 (simplified approach of OECD/JRC "
        "2008, Handbook on Constructing Composite Indicators, section 6.1).",
    )
    parameters = {
        key: base.parameters[key]
        for key in ("indicators", "reverse", "weights", "normalization", "aggregation", "restandardize",
                    "population", "min_population", "missing", "min_share", "classification", "n_classes",
                    "stddev_cuts")
    }
    parameters.update(rated=n_rated, n_random=int(n_random), seed=seed, top_classes=int(top_classes),
                      random_weight_factor="U({}, {})".format(*RANDOM_WEIGHT_RANGE))
    return DiagnosticsReport(
        statistics=statistics,
        correlations=matrix,
        correlation_warnings=correlation_warnings,
        alpha=alpha,
        alpha_level=alpha_level,
        alpha_text=alpha_text,
        pca=components,
        pca_note=pca_note,
        robustness=result.table,
        scenarios=result.scenarios,
        scenario_summary=_scenario_summary(result.scenarios, int(n_random)),
        robust_rule=robust_rule,
        parameters=parameters,
        id_column=id_column,
        labels=labels,
        warnings=warnings,
    )
