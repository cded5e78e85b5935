"""Putting indicators on a common scale before they are combined into an index.

Every method computes its statistics (mean, SD, minimum, maximum, ranks) only over the *rated*
areas that have a value, so small or incomplete areas do not distort the scale; the resulting
formula is then applied to every area with a value, rated or not. Missing values (NaN) stay NaN.

Methods (``METHODS``), with m, s, min, max over the rated values x_1..x_n:

- ``zscore``: z = (x - m) / s, s the population SD (divisor n).
- ``zscore_sample``: z = (x - m) / s, s the sample SD (divisor n - 1).
- ``minmax``: v = 100 * (x - min) / (max - min).
- ``percentile``: v = 100 * L / (L + G), L = number of rated values below x, G = number above.
- ``reference``: v = 100 * (x - r) / |r|, r a reference value (default: m).
"""

import numpy as np

from .errors import InputError, names

METHODS = ("zscore", "zscore_sample", "minmax", "percentile", "reference")


def _label(name):
    """The indicator's name for German and English messages."""
    if name is None:
        return "(ohne Namen)", "(unnamed)"
    return "'{}'".format(name), "'{}'".format(name)


def _power_of_two_scale(statistics_values):
    """2^e near the largest |x|: dividing by it is exact (only the exponent changes) and brings the values
    to magnitude ~1, so sums of squares neither overflow (values near 1e300) nor underflow (near 1e-320).
    z-scores and min-max values do not change under scaling, so the result is the same number."""
    largest = float(np.max(np.abs(statistics_values)))
    if not np.isfinite(largest) or largest == 0.0:
        return 1.0
    return float(np.ldexp(1.0, int(np.frexp(largest)[1]) - 1))  # largest/scale in [1, 2): no overflow at 1e308


def zscore(values, statistics_values, ddof=0):
    """z = (x - mean) / SD, mean and SD of ``statistics_values`` (SD with divisor n - ddof).

    Computed on x / 2^e (:func:`_power_of_two_scale`), which gives the same z for any scale of x."""
    scale = _power_of_two_scale(statistics_values)
    scaled = statistics_values / scale
    mean = scaled.mean()
    sd = scaled.std(ddof=ddof)
    return (values / scale - mean) / sd


def minmax(values, statistics_values):
    """v = 100 * (x - min) / (max - min), min and max of ``statistics_values`` (on x / 2^e as :func:`zscore`).

    Rated areas lie in 0..100; unrated areas may fall outside.
    """
    scale = _power_of_two_scale(statistics_values)
    low = statistics_values.min() / scale
    high = statistics_values.max() / scale
    return 100.0 * (values / scale - low) / (high - low)


def percentile(values, statistics_values):
    """Percent rank v = 100 * L / (L + G) among ``statistics_values``.

    L = number of reference values strictly below x, G = number strictly above x. Equal values
    are left out of both counts, so ties get the same value, the smallest value gets 0 and the
    largest 100. Without ties a rated value of rank k among n gets 100 * (k - 1) / (n - 1), the
    usual percent rank. A value that is not among the reference values (an unrated area) is
    placed between them: v = 100 * L / n. Reversing the direction gives 100 - v.
    """
    ordered = np.sort(statistics_values)
    # searching sorted queries is several times faster than searching them in input order
    order = np.argsort(values, kind="stable")
    queries = values[order]
    below = np.empty(values.size)
    above = np.empty(values.size)
    below[order] = np.searchsorted(ordered, queries, side="left")
    above[order] = ordered.size - np.searchsorted(ordered, queries, side="right")
    with np.errstate(invalid="ignore", divide="ignore"):
        result = 100.0 * below / (below + above)
    result[np.isnan(values)] = np.nan
    return result


def reference_deviation(values, reference):
    """Percent deviation from a reference value: v = 100 * (x - r) / |r|."""
    return 100.0 * (values - reference) / abs(reference)


def normalize(values, method, rated=None, reference=None, name=None):
    """Normalise one indicator; returns a float array of the same length (NaN where x is NaN).

    ``values``: 1-D numbers, NaN = missing. ``method``: one of :data:`METHODS` (formulas in the
    module docstring). ``rated``: boolean mask of the areas whose values define the statistics
    (default: all with a value); only rated areas with a value count. ``reference``: the
    reference value r for ``"reference"`` (default: mean of the rated values). ``name``: the
    indicator's name for messages.

    Raises :class:`InputError` for an unknown method, no rated value, a constant indicator
    (all rated values equal) and a reference value of 0.
    """
    label_de, label_en = _label(name)
    if method not in METHODS:
        raise InputError(
            "Unbekannte Normierung '{}' für Indikator {}. Möglich: {}.".format(method, label_de, names(METHODS)),
            "Unknown normalisation '{}' for indicator {}. Possible: {}.".format(method, label_en, names(METHODS)),
        )
    values = np.asarray(values, dtype="float64")
    if values.ndim != 1:
        raise ValueError("normalize expects a 1-D array, got shape {}".format(values.shape))
    present = ~np.isnan(values)
    if rated is None:
        counted = present
    else:
        rated = np.asarray(rated, dtype=bool)
        if rated.shape != values.shape:
            raise ValueError("rated mask has shape {}, values {}".format(rated.shape, values.shape))
        counted = present & rated
    # sorted, so that sums (mean, SD) do not depend on the order of the areas, not even in the last bit
    statistics_values = np.sort(values[counted])
    if statistics_values.size == 0:
        raise InputError(
            "Indikator {} hat bei keinem bewerteten Gebiet einen Wert.".format(label_de),
            "Indicator {} has no value in any rated area.".format(label_en),
        )
    if statistics_values.min() == statistics_values.max():
        raise InputError(
            "Indikator {} ist in allen bewerteten Gebieten gleich ({}); er unterscheidet die Gebiete "
            "nicht und kann nicht normiert werden. Bitte lassen Sie ihn weg.".format(
                label_de, statistics_values[0]
            ),
            "Indicator {} is the same in all rated areas ({}); it does not distinguish the areas and "
            "cannot be normalised. Please leave it out.".format(label_en, statistics_values[0]),
        )
    if method in ("zscore", "zscore_sample"):
        result = zscore(values, statistics_values, ddof=0 if method == "zscore" else 1)
        if not np.isfinite(result[counted]).all():
            # cannot happen for finite input after scaling (kept so that no inf can ever reach an index)
            raise InputError(
                "Indikator {} streut zwischen den bewerteten Gebieten kaum messbar (Standardabweichung {:.3g}); "
                "er kann nicht z-standardisiert werden. Bitte lassen Sie ihn weg.".format(
                    label_de, statistics_values.std()),
                "Indicator {} hardly varies between the rated areas (standard deviation {:.3g}); it cannot be "
                "z-standardised. Please leave it out.".format(label_en, statistics_values.std()),
            )
        return result
    if method == "minmax":
        return minmax(values, statistics_values)
    if method == "percentile":
        return percentile(values, statistics_values)
    if reference is None:
        reference = statistics_values.mean()
    reference = float(reference)
    if not np.isfinite(reference) or reference == 0.0:
        raise InputError(
            "Referenzwert {} für Indikator {} ist unbrauchbar: die prozentuale Abweichung braucht "
            "einen Referenzwert ungleich 0. Bitte geben Sie einen anderen Referenzwert an oder "
            "wählen Sie eine andere Normierung.".format(reference, label_de),
            "Reference value {} for indicator {} cannot be used: the percent deviation needs a "
            "reference value other than 0. Please give another reference value or choose another "
            "normalisation.".format(reference, label_en),
        )
    return reference_deviation(values, reference)
