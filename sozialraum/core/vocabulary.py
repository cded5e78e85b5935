"""Method words shown to users, defined once: ``(German, English)`` per setting value.

The report (:mod:`sozialraum.report.model`), the index check and the index warnings name a
normalisation, an aggregation, a classification or a rule for missing values with these words
instead of the parameter keys (``percentile`` reads "Perzentilrang 0–100").
"""

NORMALIZATION = {
    "zscore": ("z-Standardisierung (Standardabweichung der Gesamtheit)", "z-scores (population standard deviation)"),
    "zscore_sample": ("z-Standardisierung (Stichproben-Standardabweichung)", "z-scores (sample standard deviation)"),
    "minmax": ("Min-Max-Skalierung auf 0–100", "min-max scaling to 0–100"),
    "percentile": ("Perzentilrang 0–100", "percentile rank 0–100"),
    "reference": ("Abstand zum Referenzwert in %", "distance to a reference value in %"),
}
AGGREGATION = {
    "sum": ("gewichtete Summe", "weighted sum"),
    "mean": ("gewichteter Mittelwert", "weighted mean"),
    "geometric": ("gewichtetes geometrisches Mittel", "weighted geometric mean"),
}
CLASSIFICATION = {
    "stddev": ("Standardabweichungen", "standard deviations"),
    "quantile": ("Quantile (gleich viele Quartiere je Klasse)", "quantiles (equal numbers of quarters)"),
    "jenks": ("natürliche Brüche (Fisher/Jenks, exakt)", "natural breaks (Fisher/Jenks, exact)"),
    "equal": ("gleiche Intervalle", "equal intervals"),
    "manual": ("vorgegebene Grenzen", "breaks given by the user"),
}
MISSING = {
    "exclude": ("Quartiere mit fehlenden Werten wurden nicht bewertet.",
                "Quarters with missing values were not rated."),
    "reweight": ("Fehlt ein Wert, wurden die Gewichte über die vorhandenen Indikatoren umgerechnet (mindestens {} % "
                 "des Gesamtgewichts musste vorhanden sein).",
                 "Where a value was missing, the weights were rescaled over the indicators present (at least {} % "
                 "of the total weight had to be present)."),
    "median": ("Fehlende Werte wurden durch den Median der bewerteten Quartiere ersetzt.",
               "Missing values were replaced by the median of the rated quarters."),
}


def word(table, key, lang):
    """The word for ``key`` in ``table`` in ``lang`` (``"de"`` or ``"en"``); an unknown key stays as it is."""
    return table.get(key, (key, key))[1 if lang == "en" else 0]
