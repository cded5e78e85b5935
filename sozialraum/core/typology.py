"""Need x coverage: joining a need result and a coverage result per district into a 3 x 3 typology."""

import math

import numpy as np
import pandas as pd

from .coverage import NO_DATA, float_array
from .errors import InputError, de_en, language, names

_NEED_WORDS = {"de": {1: "geringer", 2: "mittlerer", 3: "hoher"}, "en": {1: "low", 2: "medium", 3: "high"}}
_COVERAGE_WORDS = {"de": {1: "gute", 2: "mittlere", 3: "geringe"}, "en": {1: "good", 2: "medium", 3: "poor"}}


def typology_priority(need_class3, coverage_class3):
    """Priority 1..9, need first, then coverage: ``3 * (3 - need) + (3 - coverage) + 1``.

    1 = high need & poor coverage (3-3), 2 = 3-2, 3 = 3-1, 4 = 2-3, ... 9 = low need & good
    coverage (1-1). High need always comes before medium need, whatever the coverage.
    """
    return 3 * (3 - need_class3) + (3 - coverage_class3) + 1


def _class3(values, what_de, what_en):
    try:
        array = pd.array(np.atleast_1d(values), dtype="Float64").to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise InputError("{} müssen Zahlen sein.".format(what_de), "{} must be numbers.".format(what_en)) from None
    ok = np.isnan(array) | np.isin(array, (1.0, 2.0, 3.0))
    if not ok.all():
        raise InputError(
            "{} müssen 1, 2 oder 3 sein (erhalten: {}).".format(what_de, names(np.unique(array[~ok]))),
            "{} must be 1, 2 or 3 (got: {}).".format(what_en, names(np.unique(array[~ok]))),
        )
    return array


def need_coverage_typology(need_class3, coverage_class3):
    """3 x 3 typology of need (1 low, 2 medium, 3 high) x coverage (1 good, 2 medium, 3 poor).

    Returns ``(code, label, priority)``: code ``"<need>-<coverage>"`` (``"3-3"``), a plain label
    (``"hoher Bedarf, geringe Versorgung"`` / ``"high need, poor coverage"``) and the priority
    of :func:`typology_priority` (1 = act first). Where either class is missing: code None,
    label "keine Angabe"/"no data", priority NaN. Scalars in, scalars out; arrays give arrays.
    """
    scalar = np.ndim(need_class3) == 0 and np.ndim(coverage_class3) == 0
    need = _class3(need_class3, "Die Bedarfsklassen", "The need classes")
    cover = _class3(coverage_class3, "Die Versorgungsklassen", "The coverage classes")
    need, cover = np.broadcast_arrays(need, cover)
    lang = language()
    codes, labels = [], []
    priority = np.full(need.shape, np.nan)
    for k, (a, b) in enumerate(zip(need, cover)):
        if np.isnan(a) or np.isnan(b):
            codes.append(None)
            labels.append(NO_DATA[lang])
            continue
        a, b = int(a), int(b)
        codes.append("{}-{}".format(a, b))
        if lang == "en":
            labels.append("{} need, {} coverage".format(_NEED_WORDS["en"][a], _COVERAGE_WORDS["en"][b]))
        else:
            labels.append("{} Bedarf, {} Versorgung".format(_NEED_WORDS["de"][a], _COVERAGE_WORDS["de"][b]))
        priority[k] = typology_priority(a, b)
    if scalar:
        return codes[0], labels[0], (int(priority[0]) if np.isfinite(priority[0]) else float("nan"))
    return np.asarray(codes, dtype=object), np.asarray(labels, dtype=object), priority


def need_class_from_values(values, higher_is_more_need=True):
    """Three need classes from a continuous need value (e.g. a social index) by terciles.

    With ``q1, q2`` the 1/3 and 2/3 quantiles of the non-missing values (numpy's default linear
    interpolation): class 1 (low) for ``v <= q1``, 2 (medium) for ``q1 < v <= q2``, 3 (high)
    for ``v > q2``; reversed when ``higher_is_more_need`` is False. NaN stays NaN.
    """
    array = float_array(values, "Der Bedarfswert", "The need value")
    present = ~np.isnan(array)
    if present.sum() < 3 or np.ptp(array[present]) == 0:
        raise InputError(
            "Für Bedarfsklassen nach Dritteln braucht es mindestens drei verschiedene Bedarfswerte.",
            "Need classes by terciles need at least three different need values.",
        )
    oriented = array if higher_is_more_need else -array
    q1, q2 = np.quantile(oriented[present], [1.0 / 3.0, 2.0 / 3.0])
    classes = np.where(oriented <= q1, 1.0, np.where(oriented <= q2, 2.0, 3.0))
    return np.where(present, classes, np.nan)


def need_class_from_k(class_index, k, higher_is_more_need=True):
    """Three need classes from a k-class index ``c = 1..k`` (1 = least need).

    ``class3 = 1 + floor(3 (c - 0.5) / k)``: the class centre ``(c - 0.5) / k`` falls into the
    lower, middle or upper third of ``[0, 1]`` (never on a border). Symmetric: k = 5 gives
    1, 1, 2, 3, 3; k = 4 gives 1, 2, 2, 3; k = 3 is unchanged. Reversed with
    ``higher_is_more_need=False`` (then class 1 of k is the highest need). NaN stays NaN.
    """
    k = int(k)
    if k < 2:
        raise InputError(
            "Für Bedarfsklassen braucht es mindestens 2 Klassen (erhalten: {}).".format(k),
            "Need classes need at least 2 classes (got: {}).".format(k),
        )
    array = float_array(class_index, "Die Klassennummer", "The class number")
    present = ~np.isnan(array)
    bad = present & ~np.isin(array, np.arange(1, k + 1))
    if bad.any():
        raise InputError(
            "Klassennummern müssen 1..{} sein (erhalten: {}).".format(k, names(np.unique(array[bad]))),
            "Class numbers must be 1..{} (got: {}).".format(k, names(np.unique(array[bad]))),
        )
    c = array if higher_is_more_need else (k + 1) - array
    return np.where(present, 1.0 + np.floor(3.0 * (c - 0.5) / k), np.nan)


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
