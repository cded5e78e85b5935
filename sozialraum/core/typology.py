"""Need x coverage: joining a need result and a coverage result per district into a 3 x 3 typology."""

import math

import numpy as np
import pandas as pd

from .coverage import need_class_from_values, need_coverage_typology
from .errors import InputError, de_en, names


def district_key(value):
    """A district ID as comparable text: ``7``, ``7.0`` and ``" 7"`` are the same district."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def coverage_class_from_values(values):
    """Coverage classes 1 good / 2 medium / 3 poor from values where higher = better, by terciles.

    With ``q1, q2`` the 1/3 and 2/3 quantiles of the non-missing values: class 1 (good) for
    ``v >= q2``, 2 for ``q1 <= v < q2``, 3 (poor) for ``v < q1`` – the need terciles of
    :func:`need_class_from_values` with the direction turned round. NaN stays NaN.
    """
    try:
        return need_class_from_values(values, higher_is_more_need=False)
    except InputError:
        raise InputError(
            "Für Versorgungsklassen nach Dritteln braucht es mindestens drei verschiedene Versorgungswerte.",
            "Coverage classes by terciles need at least three different coverage values.",
        ) from None


def coverage_classes_given(values, field):
    """Coverage classes already coded 1 good / 2 medium / 3 poor (NaN = no class); others are an error."""
    array = np.asarray(values, dtype="float64")
    bad = ~np.isnan(array) & ~np.isin(array, (1.0, 2.0, 3.0))
    if bad.any():
        shown = names(sorted(set(array[bad].tolist())))
        raise InputError(
            "Feld '{}' enthält Werte außer 1, 2, 3: {}. Versorgungsklassen sind 1 gut, 2 mittel, 3 gering; "
            "für Messwerte wie 'erreichbarkeit_index' wählen Sie die Art 'values'.".format(field, shown),
            "Field '{}' holds values other than 1, 2, 3: {}. Coverage classes are 1 good, 2 medium, 3 poor; "
            "for measured values such as 'erreichbarkeit_index' choose the mode 'values'.".format(field, shown),
        )
    return array


def join_typology(need_keys, need3, coverage_keys, coverage3, need_field, coverage_field):
    """The typology per need district, and the coverage IDs that have no need district.

    ``need_keys``/``need3``: district key and need class 1..3 (NaN = not rated) per need
    feature; ``coverage_keys``/``coverage3`` the same for the coverage rows. Returns
    ``(table, coverage_only)``: ``table`` in the order of the need features with
    ``bedarf_klasse``, ``versorgung_klasse_3``, ``typ_code``, ``typ_label``, ``prioritaet``
    (1 = act first) and ``hinweis`` (why a district has no type); ``coverage_only`` lists the
    coverage keys no need district carries.
    """
    lookup = dict(zip(coverage_keys, coverage3))
    matched = np.array([key in lookup for key in need_keys], dtype=bool)
    if len(need_keys) and len(coverage_keys) and not matched.any():
        raise InputError(
            "Bedarf und Versorgung haben keine einzige Quartiers-ID gemeinsam (Bedarf z. B. {}, Versorgung z. B. "
            "{}). Bitte wählen Sie in beiden Layern das ID-Feld derselben Gebietsgliederung.".format(
                names(list(need_keys)[:3]), names(list(coverage_keys)[:3])),
            "Need and coverage share not a single district ID (need e.g. {}, coverage e.g. {}). Please choose "
            "the ID field of the same districts in both layers.".format(
                names(list(need_keys)[:3]), names(list(coverage_keys)[:3])))
    cover = np.array([lookup.get(key, np.nan) for key in need_keys], dtype="float64")
    need = np.asarray(need3, dtype="float64")
    codes, labels, priority = need_coverage_typology(need, cover)
    notes = []
    for n, key in enumerate(need_keys):
        parts = []
        if np.isnan(need[n]):
            parts.append(de_en("Bedarf nicht bewertet (kein Wert in '{}')".format(need_field),
                               "need not rated (no value in '{}')".format(need_field)))
        if not matched[n]:
            parts.append(de_en("ID '{}' fehlt im Versorgungsergebnis".format(key),
                               "ID '{}' is missing from the coverage result".format(key)))
        elif np.isnan(cover[n]):
            parts.append(de_en("keine Versorgungsklasse (kein Wert in '{}')".format(coverage_field),
                               "no coverage class (no value in '{}')".format(coverage_field)))
        notes.append("; ".join(parts))
    present = set(need_keys)
    coverage_only = [key for key in coverage_keys if key not in present]
    table = pd.DataFrame({
        "bedarf_klasse": pd.array(np.where(np.isnan(need), pd.NA, need), dtype="Int64"),
        "versorgung_klasse_3": pd.array(np.where(np.isnan(cover), pd.NA, cover), dtype="Int64"),
        "typ_code": pd.Series(list(codes), dtype="object"),
        "typ_label": pd.Series(list(labels), dtype="object"),
        "prioritaet": pd.array(np.where(np.isnan(priority), pd.NA, priority), dtype="Int64"),
        "hinweis": pd.Series(notes, dtype="object"),
    })
    return table, coverage_only
