"""Quoten aus Fallzahlen: rates from case counts, optionally smoothed by empirical Bayes.

A planning area with 150 inhabitants and 3 unemployed has a rate of 2 %, one more case makes it
2.7 %: small denominators make rates jump. Two remedies are offered:

* a **threshold**: rates whose denominator is below ``min_denominator`` (default 300, as in
  Berlin's Monitoring Soziale Stadtentwicklung) are not rated;
* **global empirical Bayes smoothing** (Marshall 1991): each rate is pulled towards the city
  rate, the more the smaller its denominator.

Formulas, for the areas i with denominator n_i > 0 and count x_i (r_i = x_i / n_i):

    m     = sum(x_i) / sum(n_i)                               city rate
    s2    = sum(n_i * (r_i - m)^2) / sum(n_i)  -  m / nbar    between-area variance,
            nbar = mean(n_i); s2 is set to 0 when negative
    C_i   = s2 / (s2 + m / n_i)                               shrinkage factor, 0 <= C_i < 1
    EB_i  = m + C_i * (r_i - m)                               smoothed rate

All rates are reported in percent (100 * ...). Because 0 <= C_i <= 1, EB_i lies between the raw
rate r_i and the city rate m. When s2 = 0 (the rates vary no more than chance predicts) every
EB_i equals m. The n-weighted mean of the raw rates is exactly m; that of the EB rates is
m + sum(n_i C_i (r_i - m)) / sum(n_i), which equals m exactly only when all C_i are equal (equal
denominators) and otherwise leans towards the raw rates of the large areas.

Reference: Marshall, R.J. (1991): Mapping disease and mortality rates using empirical Bayes
estimators. Applied Statistics 40(2), 283-294 (the "global" estimator of section 3).
"""

from collections import namedtuple

import numpy as np
import pandas as pd

from .errors import InputError, de_en, format_number, names
from .frames import numeric_columns

RatesResult = namedtuple("RatesResult", "table parameters warnings")
RatesResult.__doc__ = """Result of :func:`indicator_rates`.

``table``: one row per area (same index as the input frame; the id column first if given) with,
per spec, ``<out>`` (rate in %, NaN where not rated), ``<out>_roh`` (raw rate in % wherever the
denominator is > 0), ``<out>_eb`` (smoothed rate in %, only with ``smoothing=True``),
``<out>_ok`` (bool: rated) and ``<out>_hinweis`` (note why not rated, empty if rated).
``parameters``: dict per output name with the city rate and the smoothing parameters.
``warnings``: list of messages for the user (current language).
"""

SUFFIXES = ("", "_roh", "_eb", "_ok", "_hinweis")




def _area_labels(frame, id_column):
    if id_column is not None and id_column in frame.columns:
        return frame[id_column].astype(str).to_numpy()
    return frame.index.astype(str).to_numpy()


def _check_specs(frame, specs):
    """Validate ``(count_field, denominator_field, output_name)`` triples; return them as tuples."""
    checked = []
    for spec in specs:
        if isinstance(spec, str) or len(spec) != 3:
            raise InputError(
                "Jede Quote braucht drei Angaben (Fallzahl-Feld, Nenner-Feld, Ausgabename), "
                "nicht {!r}.".format(spec),
                "Each rate needs three items (count field, denominator field, output name), "
                "not {!r}.".format(spec),
            )
        count, denominator, out = (str(item) for item in spec)
        if not out.strip():
            raise InputError(
                "Die Quote aus '{}' / '{}' hat keinen Ausgabenamen.".format(count, denominator),
                "The rate from '{}' / '{}' has no output name.".format(count, denominator),
            )
        checked.append((count, denominator, out))
    outputs = [out for _, _, out in checked]
    duplicates = sorted({out for out in outputs if outputs.count(out) > 1})
    if duplicates:
        raise InputError(
            "Ausgabenamen doppelt vergeben: {}. Bitte eindeutige Namen wählen.".format(names(duplicates)),
            "Output names used twice: {}. Please choose unique names.".format(names(duplicates)),
        )
    clashes = sorted(
        {out + suffix for out in outputs for suffix in SUFFIXES if out + suffix in frame.columns}
    )
    if clashes:
        raise InputError(
            "Die Ausgabefelder {} gibt es in der Eingabe schon. Bitte andere Ausgabenamen "
            "wählen.".format(names(clashes)),
            "The output fields {} already exist in the input. Please choose other output "
            "names.".format(names(clashes)),
        )
    return checked


def _check_values(count_name, count, denominator_name, denominator, labels):
    """Raise for negative values, count > denominator and denominators that are all zero/null."""
    for field, values in ((count_name, count), (denominator_name, denominator)):
        negative = values < 0
        if negative.any():
            raise InputError(
                "Das Feld '{}' hat negative Werte in den Gebieten {}. Fallzahlen und Nenner "
                "können nicht negativ sein.".format(field, names(labels[negative])),
                "Field '{}' has negative values in the areas {}. Counts and denominators "
                "cannot be negative.".format(field, names(labels[negative])),
            )
    too_many = count > denominator
    if too_many.any():
        raise InputError(
            "Die Fallzahl '{}' ist größer als der Nenner '{}' in den Gebieten {}. Bitte die "
            "Felder prüfen (vertauscht?).".format(count_name, denominator_name, names(labels[too_many])),
            "The count '{}' is larger than the denominator '{}' in the areas {}. Please check "
            "the fields (swapped?).".format(count_name, denominator_name, names(labels[too_many])),
        )
    if not (denominator > 0).any():
        raise InputError(
            "Der Nenner '{}' ist in allen Gebieten 0 oder leer: keine Quote berechenbar.".format(
                denominator_name
            ),
            "The denominator '{}' is 0 or empty in every area: no rate can be computed.".format(
                denominator_name
            ),
        )


def empirical_bayes(count, denominator):
    """Global empirical Bayes rates (Marshall 1991) as fractions, NaN where not estimable.

    ``count`` and ``denominator`` are float arrays; areas with a denominator > 0 and a count
    take part (see the module docstring for the formulas). Returns ``(eb, m, s2, nbar)``.
    """
    count = np.asarray(count, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    used = (denominator > 0) & ~np.isnan(count)
    x, n = count[used], denominator[used]
    m = x.sum() / n.sum()
    nbar = n.mean()
    r = x / n
    s2 = max(float((n * (r - m) ** 2).sum() / n.sum() - m / nbar), 0.0)
    eb = np.full(count.shape, np.nan)
    if s2 == 0.0:
        # Either no excess variation (C_i = 0) or m = 0 (all counts zero): every area gets m.
        eb[used] = m
    else:
        shrink = s2 / (s2 + m / n)
        eb[used] = m + shrink * (r - m)
    return eb, m, s2, nbar


def indicator_rates(frame, specs, min_denominator=300, smoothing=False, id_column=None, min_cases=3):
    """Rates in % from counts: ``100 * count / denominator`` per spec, optionally EB-smoothed.

    ``specs`` is a list of ``(count_field, denominator_field, output_name)``. A rate is rated
    (``<out>_ok``) when the denominator is at least ``min_denominator`` and the count is present;
    otherwise ``<out>`` is NaN and ``<out>_hinweis`` says why. ``<out>_roh`` keeps the raw rate for
    every area with a denominator > 0, also below the threshold. With ``smoothing=True``,
    ``<out>_eb`` holds the global empirical Bayes rate (Marshall 1991, formulas in the module
    docstring) for every area with a denominator > 0: smoothing exists for the small areas.

    Statistical confidentiality: where the count is positive but below ``min_cases`` (default 3; 0 = off),
    no rate of the area is given at all (``<out>``, ``<out>_roh`` and ``<out>_eb`` are NaN, the note says
    why): one or two cases could be traced to persons. The city rate and the smoothing still use them.

    Raises :class:`InputError` for text in the fields, negative values, a count larger than its
    denominator, denominators that are all zero or empty, and output names that clash with input
    fields.
    """
    specs = _check_specs(frame, specs)
    if not specs:
        raise InputError("Keine Quote angegeben.", "No rate given.")
    if min_denominator is None or not np.isfinite(min_denominator) or min_denominator < 0:
        raise InputError(
            "Der Mindest-Nenner muss eine Zahl ≥ 0 sein, nicht {!r}.".format(min_denominator),
            "The minimum denominator must be a number ≥ 0, not {!r}.".format(min_denominator),
        )
    fields = list(dict.fromkeys(field for count, den, _ in specs for field in (count, den)))
    values = numeric_columns(frame, fields, id_column=id_column)
    labels = _area_labels(frame, id_column)

    table = pd.DataFrame(index=frame.index)
    if id_column is not None:
        table[id_column] = frame[id_column].to_numpy()
    if min_cases is None or not np.isfinite(min_cases) or min_cases < 0:
        raise InputError(
            "Die Mindestfallzahl muss eine Zahl ≥ 0 sein, nicht {!r}.".format(min_cases),
            "The minimum case number must be a number ≥ 0, not {!r}.".format(min_cases))
    parameters = {"min_denominator": float(min_denominator), "smoothing": bool(smoothing),
                  "min_cases": float(min_cases)}
    warnings = []
    for count_name, denominator_name, out in specs:
        count = values[count_name].to_numpy(dtype=float)
        denominator = values[denominator_name].to_numpy(dtype=float)
        _check_values(count_name, count, denominator_name, denominator, labels)

        with np.errstate(divide="ignore", invalid="ignore"):
            raw = np.where(denominator > 0, 100.0 * count / denominator, np.nan)
        no_count = np.isnan(count)
        no_denominator = np.isnan(denominator) | (denominator == 0)
        small = ~no_denominator & (denominator < min_denominator)
        secret = ~no_count & (count > 0) & (count < min_cases)
        rated = ~no_count & ~no_denominator & ~small & ~secret

        note = np.full(len(frame), "", dtype=object)
        note[small] = de_en(
            "Nenner unter {}: Quote unsicher, nicht bewertet".format(format_number(min_denominator, 0)),
            "denominator below {}: rate unreliable, not rated".format(format_number(min_denominator, 0)),
        )
        note[no_denominator] = de_en("Nenner 0 oder leer", "denominator 0 or empty")
        note[no_count & ~no_denominator] = de_en("Fallzahl fehlt", "count missing")
        note[secret] = de_en(
            "Fallzahl unter {}: nicht veröffentlicht (statistische Geheimhaltung)".format(format_number(min_cases, 0)),
            "count below {}: not published (statistical confidentiality)".format(format_number(min_cases, 0)))

        table[out] = np.where(rated, raw, np.nan)
        table[out + "_roh"] = np.where(secret, np.nan, raw)
        info = {"count_field": count_name, "denominator_field": denominator_name, "rated": int(rated.sum()),
                "suppressed": int(secret.sum())}
        if smoothing:
            eb, m, s2, nbar = empirical_bayes(count, denominator)
            table[out + "_eb"] = np.where(secret, np.nan, 100.0 * eb)
            info.update(city_rate=100.0 * m, between_variance=s2, mean_denominator=nbar)
            if s2 == 0.0:
                warnings.append(de_en(
                    "'{}': Die Quoten streuen nicht mehr, als der Zufall erwarten lässt; alle "
                    "geglätteten Quoten sind gleich der Stadtquote ({} %).".format(out, format_number(100 * m, 2)),
                    "'{}': the rates vary no more than chance predicts; every smoothed rate equals "
                    "the city rate ({} %).".format(out, format_number(100 * m, 2)),
                ))
        else:
            used = ~no_count & ~no_denominator
            info["city_rate"] = 100.0 * count[used].sum() / denominator[used].sum()
        table[out + "_ok"] = rated
        table[out + "_hinweis"] = note
        parameters[out] = info

        not_rated = int((~rated).sum())
        if not_rated:
            warnings.append(de_en(
                "'{}': {} von {} Gebieten ohne Quote (Nenner unter {} oder Werte fehlen).".format(
                    out, not_rated, len(frame), format_number(min_denominator, 0)),
                "'{}': {} of {} areas without a rate (denominator below {} or values missing).".format(
                    out, not_rated, len(frame), format_number(min_denominator, 0)),
            ))
    return RatesResult(table, parameters, warnings)
