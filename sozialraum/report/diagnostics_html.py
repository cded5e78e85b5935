"""The HTML summary of ``sozialraum:indexdiagnostics``: one self-contained, escaped, accessible page.

Indicators appear with their labels, quarters with their names (where given), and the settings
in words of the page language (:func:`settings_rows`), never as parameter keys or Python values.
"""

import datetime

import pandas as pd

from ..core.diagnostics import (
    ALPHA_CONSISTENT,
    MODERATE_WIDTH,
    NEGATIVE_R,
    OUTLIER_Z,
    RANDOM_WEIGHT_RANGE,
    REDUNDANT_R,
    ROBUST_WIDTH,
)
from ..core.errors import language
from ..core.index import SKEWNESS_LIMIT
from ..core.vocabulary import AGGREGATION, CLASSIFICATION, MISSING, NORMALIZATION, word
from .rendering import number, render, translator

CELL_TEXT = "#000000"  # on every correlation_color background black text has a contrast of at least 5.4:1


def correlation_color(r):
    """Background colour for a correlation cell: blue for positive, orange for negative, white near 0."""
    if r != r:  # NaN
        return "#ffffff"
    strength = min(1.0, abs(r))
    base = (33, 102, 172) if r >= 0 else (230, 97, 1)
    mixed = [round(255 - (255 - c) * strength * 0.8) for c in base]
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def plain_number(value, lang=None):
    """``1`` -> ``'1'``, ``1.5`` -> ``'1,5'`` (German) or ``'1.5'``: at most two decimals, no trailing zeros."""
    return number(value, 2, lang).rstrip("0").rstrip(",.")


def settings_rows(parameters, labels, lang=None):
    """The settings of an index check as ``[(setting, value)]`` in words of ``lang`` (default: the current one).

    ``parameters``: :attr:`DiagnosticsReport.parameters`; ``labels``: ``{field: name}``. Weights read
    "SGB-II-Quote: 1", switches "ja"/"nein", methods in words from :mod:`sozialraum.core.vocabulary`.
    """
    lang = lang or language()
    t = translator(lang)

    def named(fields):
        return "; ".join(labels.get(f, f) for f in fields) or t("keine", "none")

    indicators = "; ".join(labels[f] if labels.get(f, f) == f else "{} ({})".format(labels[f], f)
                           for f in parameters["indicators"])
    classification = word(CLASSIFICATION, parameters["classification"], lang)
    if parameters.get("stddev_cuts"):
        classification += t(", Grenzen bei {} Standardabweichungen", ", breaks at {} standard deviations").format(
            t("; ", ", ").join(plain_number(c, lang) for c in parameters["stddev_cuts"]))
    rows = [
        (t("Indikatoren (Feld)", "Indicators (field)"), indicators),
        (t("Umgekehrte Richtung (höher = weniger Bedarf)", "Reversed (higher = less need)"),
         named(parameters["reverse"])),
        (t("Gewichte", "Weights"), "; ".join("{}: {}".format(labels.get(f, f), plain_number(w, lang))
                                             for f, w in parameters["weights"].items())),
        (t("Normierung", "Normalisation"), word(NORMALIZATION, parameters["normalization"], lang)),
        (t("Zusammenfassung", "Aggregation"), word(AGGREGATION, parameters["aggregation"], lang)),
        (t("Ergebnis erneut z-standardisiert", "Result z-standardised again"),
         t("ja", "yes") if parameters["restandardize"] else t("nein", "no")),
        (t("Einwohnerfeld", "Population field"), parameters["population"] or t("keines", "none")),
    ]
    if parameters["population"]:
        rows.append((t("Mindesteinwohnerzahl für eine Bewertung", "Minimum population to be rated"),
                     number(parameters["min_population"], 0, lang)))
    rows += [
        (t("Fehlende Werte", "Missing values"),
         word(MISSING, parameters["missing"], lang).format(number(100 * parameters["min_share"], 0, lang))),
        (t("Klassenbildung", "Classification"), classification),
        (t("Anzahl Klassen", "Number of classes"), number(parameters["n_classes"], 0, lang)),
        (t("Bewertete Quartiere", "Rated districts"), number(parameters["rated"], 0, lang)),
        (t("Zufällige Gewichtungen", "Random weightings"),
         t("{}, je Gewicht mit einem gleichverteilten Faktor zwischen {} und {} multipliziert",
           "{}, each weight multiplied by a uniform factor between {} and {}").format(
             number(parameters["n_random"], 0, lang), *(plain_number(f, lang) for f in RANDOM_WEIGHT_RANGE))),
        (t("Startwert des Zufallsgenerators", "Random seed"), str(parameters["seed"])),
        (t("Als „oberste Klasse“ gezählte Klassen", "Classes counted as 'top class'"),
         number(parameters["top_classes"], 0, lang)),
    ]
    return rows


def diagnostics_html(report, layer_name, names=None):
    """The summary page for a :class:`~sozialraum.core.diagnostics.DiagnosticsReport`.

    ``names``: optional ``{quarter id: name}``, shown next to the ids in the robustness table.
    """
    robustness = report.robustness[report.robustness["rang_median"].notna()].sort_values(
        ["rang_median", "rang_basis"])
    n_rated = len(robustness)
    names = {key: str(value).strip() for key, value in (names or {}).items()
             if not pd.isna(value) and str(value).strip()}
    return render(
        "indexpruefung.html",
        report=report,
        layer_name=layer_name,
        created=datetime.date.today().isoformat(),
        statistics=report.statistics.reset_index().to_dict("records"),
        indicators=list(report.correlations.columns),
        label=lambda field: report.labels.get(field, field),
        correlations=report.correlations,
        color=correlation_color,
        cell_text=CELL_TEXT,
        loadings=report.pca.loadings,
        explained=list(report.pca.explained_variance_ratio),
        suggested=report.pca.suggested_weights,
        robustness=robustness.to_dict("records"),
        n_rated=n_rated,
        id_column=report.id_column,
        names=names,
        settings=settings_rows(report.parameters, report.labels),
        limits={"redundant": REDUNDANT_R, "negative": NEGATIVE_R, "alpha": ALPHA_CONSISTENT, "outlier": OUTLIER_Z,
                "skewness": SKEWNESS_LIMIT, "robust": 100 * ROBUST_WIDTH, "moderate": 100 * MODERATE_WIDTH},
    )
