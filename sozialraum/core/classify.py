"""Dividing index values into k ordered classes for maps and reports.

Classes are numbered 1..k in ascending order of value (class k holds the highest values).
Breaks b_1 < ... < b_{k-1} are the inner cut points; intervals are closed on the right:
class 1 holds x <= b_1, class c holds b_{c-1} < x <= b_c, class k holds x > b_{k-1}.
A value exactly on a break belongs to the lower class. NaN gets class 0 (not classified).

Methods (``METHODS``):

- ``stddev``: b_j = m + c_j * s with m the mean and s the population SD of the values and
  c_j the cuts (default -1.5, -0.5, 0.5, 1.5: five classes one SD wide around the mean).
- ``quantile``: classes of as near as possible equal counts, ties never split (see
  :func:`quantile_breaks`).
- ``jenks``: the exact optimal partition minimising the within-class sum of squared
  deviations (Fisher 1958; see :func:`jenks_breaks`).
- ``equal``: b_j = min + j * (max - min) / k.
- ``manual``: breaks given by the user, strictly increasing; k = number of breaks + 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import InputError, format_number, language, names

METHODS = ("stddev", "quantile", "jenks", "equal", "manual")


@dataclass
class Classification:
    """Result of :func:`classify`.

    ``classes``: int array, 1..k, 0 = not classified (NaN). ``breaks``: the k - 1 inner cut
    points (upper bounds of classes 1..k-1). ``labels``: k class labels. ``method``: the method
    used. ``rule``: the boundary rule in plain words.
    """

    classes: np.ndarray
    breaks: list
    labels: list
    method: str
    rule: str = ""
    counts: list = field(default_factory=list)


def assign_classes(values, breaks):
    """Class numbers 1..k for right-closed intervals, 0 for NaN.

    class(x) = 1 + number of breaks b with b < x.
    """
    values = np.asarray(values, dtype="float64")
    classes = np.searchsorted(np.asarray(breaks, dtype="float64"), values, side="left") + 1
    classes[np.isnan(values)] = 0
    return classes.astype("int64")


def _distinct(values):
    """Sorted distinct values and how often each occurs."""
    return np.unique(values, return_counts=True)


def stddev_breaks(values, cuts):
    """b_j = mean + c_j * SD, with the population SD (divisor n) of ``values``."""
    return list(values.mean() + np.asarray(cuts, dtype="float64") * values.std())


def equal_breaks(values, n_classes):
    """b_j = min + j * (max - min) / k, j = 1..k-1."""
    low, high = values.min(), values.max()
    return [low + (high - low) * j / n_classes for j in range(1, n_classes)]


def _prefix_argmin(costs):
    """Running minimum of ``costs`` and the first position where it is reached."""
    running = np.minimum.accumulate(costs)
    improves = np.ones(costs.size, dtype=bool)
    improves[1:] = costs[1:] < running[:-1]
    where = np.maximum.accumulate(np.where(improves, np.arange(costs.size), 0))
    return running, where


def quantile_breaks(values, n_classes):
    """Breaks for k classes of as near as possible equal counts, ties never split.

    Let the distinct sorted values be u_1 < ... < u_m and C_p the number of values <= u_p.
    A break can only follow a distinct value, so the breaks are u_{p_1} < ... < u_{p_{k-1}}
    with positions p_1 < ... < p_{k-1} chosen to minimise  sum_j (C_{p_j} - j * n / k)^2,
    i.e. each break lies as near as possible to the j/k quantile position. Without ties this
    is the nearest-rank quantile: class sizes are floor(n/k) or ceil(n/k); where two positions
    are equally near, the lower one wins. Solved exactly by dynamic programming over j.
    """
    distinct, counts = _distinct(values)
    cumulative = np.cumsum(counts)[:-1].astype("float64")  # C_p for p = 1..m-1
    m = distinct.size
    k = n_classes
    positions = np.arange(m - 1)
    n = float(values.size)

    def layer_cost(j):
        cost = (cumulative - j * n / k) ** 2
        # break j needs j - 1 breaks before it and k - 1 - j after it
        cost[(positions < j - 1) | (positions > m - 2 - (k - 1 - j))] = np.inf
        return cost

    total = layer_cost(1)
    back = []
    for j in range(2, k):
        running, where = _prefix_argmin(total)
        previous = np.full(m - 1, np.inf)
        previous[1:] = running[:-1]
        chosen = np.zeros(m - 1, dtype="int64")
        chosen[1:] = where[:-1]
        total = layer_cost(j) + previous
        back.append(chosen)
    position = int(np.argmin(total))
    chosen_positions = [position]
    for chosen in reversed(back):
        position = int(chosen[position])
        chosen_positions.append(position)
    return [float(distinct[p]) for p in reversed(chosen_positions)]


def _fisher_layers(weights, sums, squares, n_classes):
    """Exact optimal k-partition of weighted sorted points (Fisher 1958), cut positions.

    With prefix sums W, S, Q of the weights w, w*x and w*x^2, the cost of a class holding
    points i+1..j is SSQ(i, j) = (Q_j - Q_i) - (S_j - S_i)^2 / (W_j - W_i). The dynamic
    programme D_c(j) = min_{i<j} D_{c-1}(i) + SSQ(i, j) has monotone optimal i in j because
    SSQ satisfies the quadrangle (Monge) inequality, so each layer is solved by divide and
    conquer (Wang & Song 2011, Ckmeans.1d.dp): all sub-problems of one recursion depth are
    evaluated together as flat numpy arrays, O(m log m) work per layer.
    """
    m = weights.size - 1

    def ssq(i, j):
        w = weights[j] - weights[i]
        s = sums[j] - sums[i]
        return np.maximum((squares[j] - squares[i]) - s * s / w, 0.0)

    k = n_classes
    previous = np.full(m + 1, np.inf)
    previous[1:] = ssq(np.zeros(m, dtype="int64"), np.arange(1, m + 1))
    choices = []
    for c in range(2, k + 1):
        current = np.full(m + 1, np.inf)
        choice = np.zeros(m + 1, dtype="int64")
        last = m - (k - c)
        low, high = np.array([c]), np.array([last])
        opt_low, opt_high = np.array([c - 1]), np.array([last - 1])
        while low.size:
            mid = (low + high) // 2
            top = np.minimum(opt_high, mid - 1)
            sizes = top - opt_low + 1
            starts = np.cumsum(sizes) - sizes
            segment = np.repeat(np.arange(mid.size), sizes)
            i = opt_low[segment] + np.arange(segment.size) - starts[segment]
            totals = previous[i] + ssq(i, mid[segment])
            best_total = np.minimum.reduceat(totals, starts)
            hits = np.flatnonzero(totals == best_total[segment])
            first = hits[np.r_[True, segment[hits][1:] != segment[hits][:-1]]]
            best = i[first]
            current[mid] = best_total
            choice[mid] = best
            left = low <= mid - 1
            right = mid + 1 <= high
            low, high, opt_low, opt_high = (
                np.concatenate([low[left], mid[right] + 1]),
                np.concatenate([mid[left] - 1, high[right]]),
                np.concatenate([opt_low[left], best[right]]),
                np.concatenate([best[left], opt_high[right]]),
            )
        previous = current
        choices.append(choice)
    cuts = []
    j = m
    for choice in reversed(choices):
        j = int(choice[j])
        cuts.append(j)
    return cuts[::-1]


def jenks_breaks(values, n_classes):
    """Jenks natural breaks computed exactly: the k-partition of the sorted values into
    intervals that minimises the within-class sum of squared deviations
    sum_c sum_{x in c} (x - mean_c)^2 (Fisher 1958). Equal values are kept together (an
    optimal partition with this property always exists). Break b_c = largest value in class c.
    """
    distinct, counts = _distinct(values)
    scale = np.abs(distinct - distinct.mean()).max()
    centred = (distinct - values.mean()) / scale  # same optimum, better-conditioned sums
    weights = np.r_[0.0, np.cumsum(counts.astype("float64"))]
    sums = np.r_[0.0, np.cumsum(counts * centred)]
    squares = np.r_[0.0, np.cumsum(counts * centred * centred)]
    cuts = _fisher_layers(weights, sums, squares, n_classes)
    return [float(distinct[c - 1]) for c in cuts]


def _decimals(breaks):
    """Decimals for labels: the fewest (<= 3) that show every break exactly, else the fewest
    (2..6) that keep all breaks distinct."""
    for digits in range(4):
        if all(abs(round(b, digits) - b) <= 1e-9 * max(1.0, abs(b)) for b in breaks):
            return digits
    for digits in range(2, 7):
        if len({round(b, digits) for b in breaks}) == len(breaks):
            return digits
    return 6


def default_labels(breaks, lang=None):
    """``["bis b1", "b1 bis b2", ..., "über b_{k-1}"]`` (English: up to / to / above)."""
    lang = lang or language()
    digits = _decimals(breaks)
    shown = [format_number(b, digits, lang) for b in breaks]
    up_to, to, above = ("bis {}", "{} bis {}", "über {}") if lang == "de" else ("up to {}", "{} to {}", "above {}")
    labels = [up_to.format(shown[0])]
    labels += [to.format(a, b) for a, b in zip(shown[:-1], shown[1:])]
    labels.append(above.format(shown[-1]))
    return labels


def symmetric_cuts(n_classes):
    """Cuts one SD apart, symmetric around the mean: k=5 -> -1.5, -0.5, 0.5, 1.5."""
    return [j - (n_classes - 2) / 2.0 for j in range(n_classes - 1)]


def _how(method, values, cuts, number, lang):
    """How the breaks of ``method`` were found, in one sentence."""
    de = lang == "de"
    if method == "stddev":
        shown = ("; " if de else ", ").join(format_number(c, _decimals(cuts), lang) for c in cuts)
        text = ("Standardabweichung: Grenzen bei Mittelwert {} + ({}) × Standardabweichung {}" if de
                else "Standard deviation: breaks at mean {} + ({}) × standard deviation {}")
        return text.format(number(values.mean()), shown, number(values.std()))
    if method == "equal":
        text = ("Gleiche Intervalle zwischen Minimum {} und Maximum {}" if de
                else "Equal intervals between minimum {} and maximum {}")
        return text.format(number(values.min()), number(values.max()))
    if method == "quantile":
        return ("Quantile: Klassen mit möglichst gleich vielen Gebieten, gleiche Werte immer in derselben Klasse"
                if de else "Quantiles: classes with as nearly equal numbers of areas as possible, "
                "equal values always in the same class")
    if method == "jenks":
        return ("Natürliche Brüche (Jenks/Fisher, exakt): Summe der quadrierten Abweichungen vom "
                "Klassenmittel minimal" if de else "Natural breaks (Jenks/Fisher, exact): minimal sum of "
                "squared deviations from the class means")
    return "Vorgegebene Grenzen" if de else "Breaks given by the user"


def _rule(method, breaks, values, cuts):
    """Plain-language description of how the breaks were found and which class takes a value."""
    lang = language()
    digits = max(_decimals(breaks), 2)

    def number(x):
        return format_number(x, digits, lang)

    how = _how(method, values, cuts, number, lang)
    if lang == "de":
        return (
            "{}. Grenzen: {}. Klasse 1 enthält alle Werte bis einschließlich der ersten Grenze, jede "
            "weitere Klasse die Werte über ihrer unteren bis einschließlich ihrer oberen Grenze; ein "
            "Wert genau auf einer Grenze gehört zur unteren Klasse.".format(how, "; ".join(number(b) for b in breaks))
        )
    return (
        "{}. Breaks: {}. Class 1 holds all values up to and including the first break, each further "
        "class the values above its lower break up to and including its upper break; a value exactly "
        "on a break belongs to the lower class.".format(how, ", ".join(number(b) for b in breaks))
    )


def _check_cut_points(points, what_de, what_en):
    """Finite, strictly increasing, at least one."""
    try:
        points = [float(p) for p in points]
    except (TypeError, ValueError):
        raise InputError(
            "{} müssen Zahlen sein: {}.".format(what_de, points),
            "{} must be numbers: {}.".format(what_en, points),
        ) from None
    if not points or not all(np.isfinite(points)) or any(b <= a for a, b in zip(points[:-1], points[1:])):
        raise InputError(
            "{} müssen endliche, streng aufsteigende Zahlen sein (mindestens eine): {}.".format(what_de, points),
            "{} must be finite, strictly increasing numbers (at least one): {}.".format(what_en, points),
        )
    return points


def classify(values, method, n_classes=5, breaks=None, stddev_cuts=(-1.5, -0.5, 0.5, 1.5), labels=None):
    """Classify ``values`` (NaN = not classified) into k ordered classes; see the module doc.

    ``n_classes`` (k) is used by quantile, jenks and equal, and by stddev when
    ``stddev_cuts`` is None or empty (then cuts one SD apart, symmetric around the mean). With
    ``stddev_cuts`` given, k = len(stddev_cuts) + 1; for manual, k = len(breaks) + 1.
    ``labels``: k labels, default ranges like "bis -1,5" / "up to -1.5".

    Raises :class:`InputError` for an unknown method, bad k, cuts or breaks, no values, all
    values equal (stddev, equal), fewer distinct values than classes (quantile, jenks) and a
    wrong number of labels.
    """
    if method not in METHODS:
        raise InputError(
            "Unbekannte Klassifizierung '{}'. Möglich: {}.".format(method, names(METHODS)),
            "Unknown classification '{}'. Possible: {}.".format(method, names(METHODS)),
        )
    values = np.asarray(values, dtype="float64")
    present = np.sort(values[~np.isnan(values)])  # order-independent mean and SD
    if present.size == 0:
        raise InputError("Keine Werte zum Klassifizieren.", "No values to classify.")
    cuts = None
    if method == "manual":
        if breaks is None:
            raise InputError(
                "Für die manuelle Klassifizierung fehlen die Klassengrenzen.",
                "Manual classification needs class breaks.",
            )
        chosen = _check_cut_points(breaks, "Klassengrenzen", "Class breaks")
    elif method == "stddev" and stddev_cuts is not None and len(stddev_cuts):
        cuts = _check_cut_points(stddev_cuts, "Schnitte in Standardabweichungen", "Standard deviation cuts")
    else:
        if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
            raise InputError(
                "Die Klassenzahl muss eine ganze Zahl ab 2 sein, nicht {}.".format(n_classes),
                "The number of classes must be a whole number of at least 2, not {}.".format(n_classes),
            )
        n_classes = int(n_classes)
        if method == "stddev":
            cuts = symmetric_cuts(n_classes)
    if method in ("stddev", "equal") and present.min() == present.max():
        raise InputError(
            "Alle Werte sind gleich ({}); sie lassen sich nicht in Klassen teilen.".format(present[0]),
            "All values are equal ({}); they cannot be divided into classes.".format(present[0]),
        )
    if method in ("quantile", "jenks"):
        distinct = np.unique(present).size
        if distinct < n_classes:
            raise InputError(
                "Nur {} verschiedene Werte für {} Klassen. Bitte wählen Sie höchstens {} Klassen oder "
                "eine andere Klassifizierung (z. B. Standardabweichung oder manuelle Grenzen).".format(
                    distinct, n_classes, distinct),
                "Only {} distinct values for {} classes. Please choose at most {} classes or another "
                "classification (e.g. standard deviation or manual breaks).".format(distinct, n_classes, distinct),
            )
    if method == "stddev":
        chosen = stddev_breaks(present, cuts)
    elif method == "equal":
        chosen = equal_breaks(present, n_classes)
    elif method == "quantile":
        chosen = quantile_breaks(present, n_classes)
    elif method == "jenks":
        chosen = jenks_breaks(present, n_classes)
    chosen = [float(b) for b in chosen]
    k = len(chosen) + 1
    if labels is None:
        labels = default_labels(chosen)
    else:
        labels = [str(label) for label in labels]
        if len(labels) != k:
            raise InputError(
                "{} Beschriftungen für {} Klassen angegeben; bitte genau {} angeben.".format(len(labels), k, k),
                "{} labels given for {} classes; please give exactly {}.".format(len(labels), k, k),
            )
    classes = assign_classes(values, chosen)
    counts = np.bincount(classes, minlength=k + 1)[1:].tolist()
    return Classification(
        classes=classes,
        breaks=chosen,
        labels=labels,
        method=method,
        rule=_rule(method, chosen, present, cuts),
        counts=[int(c) for c in counts],
    )
