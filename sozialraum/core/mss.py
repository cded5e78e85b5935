"""Status- und Dynamik-Index as in Berlin's Monitoring Soziale Stadtentwicklung (MSS).

Method of the MSS since 2013 (Indikatorenheft zum MSS 2021, ch. 4; SenSBW Berlin):

1. Only rated areas take part: at least ``min_population`` inhabitants (300 in the MSS), every
   index indicator present, not excluded by the user (the MSS leaves out statistical outliers
   such as "Gewerbegebiet Bitterfelder Straße" by hand).
2. Every indicator is z-standardised over the rated areas:
   ``z = (x - mean) / SD`` with the unweighted mean and the population SD (ddof = 0).
3. ``status_index`` = the sum of the z-values of the status indicators, standardised again the
   same way; ``dynamic_index`` likewise from the dynamic indicators (changes in percentage
   points over two years; ``dynamic_pairs`` builds them as current minus earlier share).
4. Classes (boundaries exactly as published, z of the index):

   ========================  ==========================  ==========================
   Status-Index              class, label                English
   ========================  ==========================  ==========================
   z < -1                    1 "hoch"                    high
   -1 <= z <= 1              2 "mittel"                  medium
   1 < z <= 1.5              3 "niedrig"                 low
   z > 1.5                   4 "sehr niedrig"            very low
   ========================  ==========================  ==========================

   Dynamik-Index: 1 "positiv" z < -1, 2 "stabil" -1 <= z <= 1, 3 "negativ" z > 1.
   (High indicator values mean disadvantage, so a high index means a *low* social status.)
5. Gesamtindex Soziale Ungleichheit (Status/Dynamik-Index): the overlay of both, 12 groups.
   ``gesamt_code`` uses the notation of the published MSS tables: the status class followed by
   the dynamic symbol, "+" positiv, "+/-" stabil, "-" negativ, e.g. ``"3-"`` = status niedrig,
   dynamik negativ (the FIS-Broker tables of the MSS 2013 carry exactly these codes).
6. ``aufmerksamkeit``: "Gebiet mit besonderem Aufmerksamkeitsbedarf" = status niedrig or sehr
   niedrig (whatever the dynamics), or status mittel with negative dynamics. Sources found: the
   MSS 2017 report has a chapter "Gebiete mit besonderem Aufmerksamkeitsbedarf" (table of
   contents, docplayer.org copy of the report), and the press release on the MSS 2021
   (berlin.de, Pressemitteilung 1231239, 2022) says that areas "mit überdurchschnittlich hoher
   sozialer Benachteiligung" are grouped as "Gebiete mit besonderem Aufmerksamkeitsbedarf".
   The exact rule above is the one applied in the MSS reports since 2013; its wording could
   not be checked against the report text with the available sources. Without dynamic
   indicators only the status part can be judged.

Validation against published results (tests/unit/test_mss_berlin.py): with the MSS tables of
2013-2021 this reproduces the number of rated planning areas (434 in 2013, 436 in 2017), the
published classes of the Moabit planning areas in the MSS 2013 and the shares of the MSS 2019
(about 11 % "niedrig", 9 % "sehr niedrig", about 774,000 inhabitants in both).
"""

from collections import namedtuple

import numpy as np
import pandas as pd

from .errors import InputError, de_en, language, names
from .frames import check_unique_ids, numeric_columns
from .normalize import normalize

MSSResult = namedtuple("MSSResult", "table parameters warnings")
MSSResult.__doc__ = """Result of :func:`status_dynamic_index`.

``table``: one row per area (index of the input frame; id column first if given) with
``z_<field>`` per indicator, ``d_<current>`` for dynamic pairs, ``status_index``,
``status_class``, ``status_label``, ``dynamic_index``, ``dynamic_class``, ``dynamic_label``,
``gesamt_code``, ``gesamt_label``, ``aufmerksamkeit``, ``rated``, ``note``.
``parameters``: means and SDs of the indicators over the rated areas, class counts, rules.
``warnings``: messages for the user (current language).
"""

STATUS_LABELS = {1: ("hoch", "high"), 2: ("mittel", "medium"), 3: ("niedrig", "low"),
                 4: ("sehr niedrig", "very low")}
DYNAMIC_LABELS = {1: ("positiv", "positive"), 2: ("stabil", "stable"), 3: ("negativ", "negative")}
DYNAMIC_SYMBOLS = {1: "+", 2: "+/-", 3: "-"}



def _label(labels, cls):
    return labels[cls][1] if language() == "en" else labels[cls][0]


def gesamt_code(status, dynamic):
    """The MSS code of status class ``status`` and dynamic class ``dynamic``: ``gesamt_code(3, 3)`` = ``"3-"``."""
    return "{}{}".format(int(status), DYNAMIC_SYMBOLS[int(dynamic)])


def status_dynamic_label(status, dynamic=None):
    """"Status niedrig, Dynamik negativ" (current language); "niedrig" alone without ``dynamic``."""
    if dynamic is None:
        return _label(STATUS_LABELS, status)
    return de_en("Status {}, Dynamik {}", "status {}, dynamics {}").format(
        _label(STATUS_LABELS, status), _label(DYNAMIC_LABELS, dynamic))


def status_class(z):
    """Status class of z-values: 1 z < -1, 2 -1 <= z <= 1, 3 1 < z <= 1.5, 4 z > 1.5 (NaN stays NaN)."""
    z = np.asarray(z, dtype=float)
    classes = np.select([z < -1, z <= 1, z <= 1.5, z > 1.5], [1, 2, 3, 4], 0)
    return pd.array(np.where(np.isnan(z), pd.NA, classes), dtype="Int64")


def dynamic_class(z):
    """Dynamic class of z-values: 1 z < -1, 2 -1 <= z <= 1, 3 z > 1 (NaN stays NaN)."""
    z = np.asarray(z, dtype=float)
    classes = np.select([z < -1, z <= 1, z > 1], [1, 2, 3], 0)
    return pd.array(np.where(np.isnan(z), pd.NA, classes), dtype="Int64")


def _check_fields(frame, status_fields, dynamic_fields, dynamic_pairs):
    status_fields = [str(f) for f in status_fields]
    dynamic_fields = [str(f) for f in dynamic_fields]
    pairs = []
    for pair in dynamic_pairs:
        if isinstance(pair, str) or len(pair) != 2:
            raise InputError(
                "Ein Dynamik-Paar braucht zwei Felder (aktueller Anteil, früherer Anteil), nicht {!r}.".format(pair),
                "A dynamic pair needs two fields (current share, earlier share), not {!r}.".format(pair),
            )
        pairs.append((str(pair[0]), str(pair[1])))
    if not status_fields:
        raise InputError("Bitte mindestens einen Status-Indikator wählen.",
                         "Please choose at least one status indicator.")
    indicators = status_fields + dynamic_fields + ["d_" + current for current, _ in pairs]
    duplicates = sorted({f for f in indicators if indicators.count(f) > 1})
    if duplicates:
        raise InputError(
            "Indikatoren doppelt gewählt: {}.".format(names(duplicates)),
            "Indicators chosen twice: {}.".format(names(duplicates)),
        )
    return status_fields, dynamic_fields, pairs


def status_dynamic_index(frame, status_fields, dynamic_fields=(), dynamic_pairs=(), population_field=None,
                         min_population=300, id_column=None, exclude=()):
    """Status-Index, Dynamik-Index and their overlay as in Berlin's MSS (method in the module docstring).

    ``status_fields``: shares in % where higher means more disadvantage. ``dynamic_fields``:
    changes in percentage points; ``dynamic_pairs``: ``[(current_field, earlier_field)]`` gives
    the dynamic indicator ``d_<current_field> = current - earlier``. Areas with fewer than
    ``min_population`` inhabitants (``population_field``), a missing indicator value, or an id
    in ``exclude`` are not rated and get null index values.

    Raises :class:`InputError` for text or missing fields, duplicate ids, fewer than 3 rated
    areas and constant indicators.
    """
    status_fields, dynamic_fields, pairs = _check_fields(frame, status_fields, dynamic_fields, dynamic_pairs)
    if id_column is not None:
        check_unique_ids(frame, id_column)
    pair_fields = [f for pair in pairs for f in pair]
    numeric = status_fields + dynamic_fields + pair_fields + ([population_field] if population_field else [])
    values = numeric_columns(frame, list(dict.fromkeys(numeric)), id_column=id_column)
    values = pd.DataFrame(values.to_numpy(dtype=float), columns=values.columns, index=frame.index)
    for current, earlier in pairs:
        values["d_" + current] = values[current] - values[earlier]
    dynamic_all = dynamic_fields + ["d_" + current for current, _ in pairs]
    indicators = status_fields + dynamic_all

    note = pd.Series("", index=frame.index, dtype=object)
    missing = values[indicators].isna()
    rated = ~missing.any(axis=1)
    for idx in frame.index[~rated]:
        note[idx] = de_en("Wert fehlt: ", "value missing: ") + ", ".join(missing.columns[missing.loc[idx].to_numpy()])
    if population_field:
        population = values[population_field]
        small = ~(population >= min_population)
        note[small] = de_en(
            "weniger als {:g} Einwohner".format(min_population), "fewer than {:g} inhabitants".format(min_population)
        )
        rated &= ~small
    if len(exclude):
        ids = frame[id_column] if id_column is not None else pd.Series(frame.index, index=frame.index)
        excluded = ids.astype(str).isin([str(e) for e in exclude])
        note[excluded] = de_en("vom Nutzer ausgeschlossen (z. B. Ausreißer)", "excluded by the user (e.g. outlier)")
        rated &= ~excluded.to_numpy()
    n_rated = int(rated.sum())
    if n_rated < 3:
        raise InputError(
            "Nur {} Gebiete sind bewertbar (mindestens 3 nötig). Bitte Mindest-Einwohnerzahl und "
            "fehlende Werte prüfen.".format(n_rated),
            "Only {} areas can be rated (at least 3 needed). Please check the minimum population "
            "and missing values.".format(n_rated),
        )

    table = pd.DataFrame(index=frame.index)
    if id_column is not None:
        table[id_column] = frame[id_column].to_numpy()
    for current, _ in pairs:
        table["d_" + current] = values["d_" + current]
    stats = {}
    for field in indicators:
        z = np.asarray(normalize(values[field], "zscore", rated=rated, name=field), dtype=float)
        table["z_" + field] = np.where(rated, z, np.nan)
        used = values.loc[rated, field]
        stats[field] = {"mean": float(used.mean()), "sd": float(used.std(ddof=0))}

    def combined(fields, name):
        total = table[["z_" + f for f in fields]].sum(axis=1, min_count=len(fields)).where(rated)
        return np.where(rated, np.asarray(normalize(total, "zscore", rated=rated, name=name), dtype=float), np.nan)

    status = combined(status_fields, "status_index")
    table["status_index"] = status
    table["status_class"] = status_class(status)
    table["status_label"] = [None if pd.isna(c) else _label(STATUS_LABELS, c) for c in table["status_class"]]
    if dynamic_all:
        dynamic = combined(dynamic_all, "dynamic_index")
    else:
        dynamic = np.full(len(frame), np.nan)
    table["dynamic_index"] = dynamic
    table["dynamic_class"] = dynamic_class(dynamic)
    table["dynamic_label"] = [None if pd.isna(c) else _label(DYNAMIC_LABELS, c) for c in table["dynamic_class"]]

    codes, labels = [], []
    for s, d in zip(table["status_class"], table["dynamic_class"]):
        if pd.isna(s) or pd.isna(d):
            codes.append(None)
            labels.append(None)
            continue
        codes.append(gesamt_code(s, d))
        labels.append(status_dynamic_label(s, d))
    table["gesamt_code"] = codes
    table["gesamt_label"] = labels
    s_cls = table["status_class"].fillna(0).to_numpy(dtype=int)
    d_cls = table["dynamic_class"].fillna(0).to_numpy(dtype=int)
    attention = (s_cls >= 3) | ((s_cls == 2) & (d_cls == 3))
    table["aufmerksamkeit"] = pd.array(np.where(rated, attention, pd.NA), dtype="boolean")
    table["rated"] = rated.to_numpy()
    table["note"] = note

    counts = {
        "status": {int(c): int((s_cls[rated.to_numpy()] == c).sum()) for c in STATUS_LABELS},
        "dynamic": ({int(c): int((d_cls[rated.to_numpy()] == c).sum()) for c in DYNAMIC_LABELS}
                    if dynamic_all else None),
    }
    parameters = {
        "method": "MSS Berlin: z = (x - mean) / SD (population SD) over rated areas; "
                  "index = z of the sum of the z-values",
        "status_fields": status_fields,
        "dynamic_fields": dynamic_all,
        "dynamic_pairs": pairs,
        "population_field": population_field,
        "min_population": min_population,
        "n_rated": n_rated,
        "n_areas": len(frame),
        "indicators": stats,
        "status_rule": "1 z < -1; 2 -1 <= z <= 1; 3 1 < z <= 1.5; 4 z > 1.5",
        "dynamic_rule": "1 z < -1; 2 -1 <= z <= 1; 3 z > 1",
        "class_counts": counts,
        "n_attention": int(attention[rated.to_numpy()].sum()),
    }
    warnings = []
    if n_rated < len(frame):
        warnings.append(de_en(
            "{} von {} Gebieten nicht bewertet (zu wenige Einwohner, fehlende Werte oder ausgeschlossen).".format(
                len(frame) - n_rated, len(frame)),
            "{} of {} areas not rated (too few inhabitants, missing values or excluded).".format(
                len(frame) - n_rated, len(frame)),
        ))
    if not dynamic_all:
        warnings.append(de_en(
            "Ohne Dynamik-Indikatoren bleiben Dynamik und Gesamtindex leer; 'aufmerksamkeit' beruht nur auf dem Status.",
            "Without dynamic indicators, dynamics and the overall index stay empty; 'aufmerksamkeit' rests on the "
            "status only.",
        ))
    return MSSResult(table, parameters, warnings)
