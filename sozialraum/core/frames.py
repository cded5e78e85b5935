"""Checking input tables before any method touches them.

Attribute tables arrive from QGIS layers, CSV files or spreadsheets: numbers may be stored as
text, sometimes with a German decimal comma, and IDs may be missing or repeated. These helpers
turn such problems into an :class:`~.errors.InputError` that names the field, the value and the
area, instead of a numpy/pandas traceback.
"""

import numpy as np
import pandas as pd

from .errors import InputError, names

# German number written with a decimal comma, optionally with dots as thousands separators:
# "12,5", "-0,75", "1.234,5", "1.234.567". Plain "1.234" is left to the ordinary parser (1.234).
_GERMAN_NUMBER = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$"
# Text that reads as two different numbers: "1.234" is 1234 with a German thousands point and 1.234 in
# ordinary notation; "1,234" is 1.234 with a German decimal comma and 1234 with an English thousands comma.
_AMBIGUOUS_NUMBER = r"^[+-]?[1-9]\d{0,2}(?:[.,]\d{3})+$"


def _as_list(fields):
    if isinstance(fields, str):
        return [fields]
    seen = []
    for field in fields:
        if field not in seen:
            seen.append(field)
    return seen


def _area(frame, id_column, position):
    """``" (Gebiet 'x')"`` for messages when an ID field is known, else the row number (from 1)."""
    if id_column is not None and id_column in frame.columns:
        area_id = frame[id_column].iloc[position]
        return " (Gebiet '{}')".format(area_id), " (area '{}')".format(area_id)
    return " (Zeile {})".format(position + 1), " (row {})".format(position + 1)


def _parse_text(texts):
    """Numbers in text: ordinary notation first, then German decimal comma ("1.234,5").

    Returns a float Series (NaN where the text is empty or not a number).
    """
    stripped = texts.astype(str).str.strip()
    parsed = pd.to_numeric(stripped, errors="coerce")
    german = parsed.isna() & stripped.str.match(_GERMAN_NUMBER)
    if german.any():
        converted = stripped[german].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        parsed[german] = pd.to_numeric(converted, errors="coerce")
    return parsed.astype("float64")


def _not_a_number(frame, field, id_column, column, rows):
    """InputError for text that is no number at the positions ``rows``."""
    example = column.iloc[rows[0]]
    where_de, where_en = _area(frame, id_column, rows[0])
    shown = names([column.iloc[row] for row in rows[:5]], limit=5)
    more_de = "" if len(rows) == 1 else "; insgesamt {} Werte, z. B. {}".format(len(rows), shown)
    more_en = "" if len(rows) == 1 else "; {} values in all, e.g. {}".format(len(rows), shown)
    return InputError(
        "Feld '{}' enthält Text, der keine Zahl ist: '{}'{}{}. Bitte korrigieren Sie die Werte oder "
        "wählen Sie ein Zahlenfeld.".format(field, example, where_de, more_de),
        "Field '{}' contains text that is not a number: '{}'{}{}. Please correct the values or choose a "
        "numeric field.".format(field, example, where_en, more_en),
    )


def _ambiguous_number(frame, field, id_column, column, rows):
    """InputError for numbers stored as text that read two ways (see ``_AMBIGUOUS_NUMBER``)."""
    example = str(column.iloc[rows[0]]).strip()
    where_de, where_en = _area(frame, id_column, rows[0])
    return InputError(
        "Feld '{0}' enthält Zahlen als Text, die sich zweifach lesen lassen: '{1}'{2} ist mit Tausenderpunkt "
        "eine andere Zahl als mit Dezimalpunkt. Bitte speichern Sie das Feld als Zahlenfeld (z. B. in der "
        "Tabellenkalkulation als Zahl formatieren).".format(field, example, where_de),
        "Field '{0}' holds numbers as text that read two ways: '{1}'{2} is one number with a thousands "
        "separator and another with a decimal point. Please store the field as a numeric field.".format(
            field, example, where_en),
    )


def _numeric_column(frame, field, id_column):
    """One column as a float64 array, or an :class:`InputError` naming the first offending value."""
    column = frame[field]
    if pd.api.types.is_datetime64_any_dtype(column) or pd.api.types.is_timedelta64_dtype(column):
        raise InputError(
            "Feld '{}' enthält Datums- oder Zeitwerte, keine Zahlen. Bitte wählen Sie ein "
            "Zahlenfeld.".format(field),
            "Field '{}' holds dates or times, not numbers. Please choose a numeric field.".format(field),
        )
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
    else:
        values = np.full(len(column), np.nan)
        present = column.notna().to_numpy()
        if present.any():
            raw = column[present].reset_index(drop=True)
            # numbers already stored as numbers pass straight through
            direct = pd.to_numeric(raw, errors="coerce").astype("float64")
            textual = direct.isna()
            if textual.any():
                direct[textual] = _parse_text(raw[textual])
            stripped = raw.astype(str).str.strip()
            is_text = raw.map(lambda value: isinstance(value, str))
            ambiguous = (is_text & stripped.str.match(_AMBIGUOUS_NUMBER)).to_numpy()
            if ambiguous.any():
                raise _ambiguous_number(frame, field, id_column, column, np.flatnonzero(present)[ambiguous])
            empty = textual & stripped.isin(["", "nan", "NaN", "NULL", "None"])
            bad = (direct.isna() & ~empty).to_numpy()
            if bad.any():
                raise _not_a_number(frame, field, id_column, column, np.flatnonzero(present)[bad])
            values[present] = direct.to_numpy()
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        where_de, where_en = _area(frame, id_column, infinite[0])
        raise InputError(
            "Feld '{}' enthält einen unendlichen Wert{}. Bitte ersetzen Sie ihn durch eine Zahl "
            "oder lassen Sie ihn leer.".format(field, where_de),
            "Field '{}' contains an infinite value{}. Please replace it by a number or leave it "
            "empty.".format(field, where_en),
        )
    if np.isnan(values).all():
        raise InputError(
            "Feld '{}' enthält keine Werte (alle leer). Bitte wählen Sie ein Feld mit Daten.".format(field),
            "Field '{}' has no values (all empty). Please choose a field with data.".format(field),
        )
    return values


def numeric_columns(frame, fields, id_column=None):
    """Float64 copy of ``fields`` with the same index as ``frame``; nulls stay NaN.

    Accepted: numeric columns, and text holding numbers in ordinary notation ("12.5", "1e3") or
    with a German decimal comma ("12,5", "1.234,5"). Empty text counts as null.

    Raises :class:`InputError` if a field is missing, holds text that is not a number (naming
    the field, the value and the area ID from ``id_column``), holds an infinite value, or has
    no values at all.
    """
    fields = _as_list(fields)
    missing = [field for field in fields if field not in frame.columns]
    if missing:
        raise InputError(
            "Feld(er) {} nicht in der Tabelle. Vorhandene Felder: {}.".format(
                names(missing), names(frame.columns, limit=20)
            ),
            "Field(s) {} not in the table. Available fields: {}.".format(
                names(missing), names(frame.columns, limit=20)
            ),
        )
    columns = [_numeric_column(frame, field, id_column) for field in fields]
    return pd.DataFrame(
        np.column_stack(columns) if columns else np.empty((len(frame), 0)),
        index=frame.index,
        columns=fields,
        dtype="float64",
    )


def quantities(values, labels, field, allow_missing=False):
    """Counts, capacities or populations of field ``field`` as a float array: present and >= 0.

    Numbers stored as text are read like :func:`numeric_columns` does (German decimal comma too).
    ``labels`` name the features in messages, or a function that gives them (called only when
    there is something to report: a million labels take longer than the numbers). Text that is no
    number, and unless ``allow_missing`` a missing or negative value, raises :class:`InputError`
    naming the field and the features.
    """
    if not len(values):
        return np.empty(0)
    plain = values if isinstance(values, np.ndarray) else np.asarray(values)  # None or text: no number array
    if plain.ndim == 1 and plain.dtype.kind in "iuf":
        array = plain.astype("float64")
        if np.isfinite(array).all() and (array >= 0).all():  # numbers only, nothing to report
            return array
    if callable(labels):
        labels = labels()
    # numbers stay the array they are; a list of Python values (None, text) becomes a column
    column = plain if plain.ndim == 1 and plain.dtype.kind in "iuf" else list(values)
    table = pd.DataFrame({field: column, "_label": list(labels)})
    array = _numeric_column(table, field, "_label")
    if allow_missing:
        return array
    missing = [labels[k] for k in np.flatnonzero(np.isnan(array)).tolist()]
    if missing:
        raise InputError(
            "Feld '{}': Wert fehlt bei {}. Bitte tragen Sie die Werte ein (0 ist erlaubt).".format(
                field, names(missing)),
            "Field '{}': value missing at {}. Please fill in the values (0 is allowed).".format(field, names(missing)))
    negative = [labels[k] for k in np.flatnonzero(array < 0).tolist()]
    if negative:
        raise InputError(
            "Feld '{}' ist negativ bei {}. Bitte prüfen Sie die Werte.".format(field, names(negative)),
            "Field '{}' is negative at {}. Please check the values.".format(field, names(negative)))
    return array


def check_unique_ids(frame, id_column):
    """Raise :class:`InputError` unless every row has an ID in ``id_column`` and no ID repeats.

    Empty or blank text counts as a missing ID.
    """
    if id_column not in frame.columns:
        raise InputError(
            "ID-Feld '{}' nicht in der Tabelle. Vorhandene Felder: {}.".format(
                id_column, names(frame.columns, limit=20)
            ),
            "ID field '{}' not in the table. Available fields: {}.".format(
                id_column, names(frame.columns, limit=20)
            ),
        )
    ids = frame[id_column]
    blank = ids.isna()
    if not pd.api.types.is_numeric_dtype(ids):
        blank |= ids.astype(str).str.strip().eq("")
    if blank.any():
        rows = [str(label) for label in ids.index[blank.to_numpy()]]
        raise InputError(
            "ID-Feld '{}' ist in {} Zeile(n) leer (Zeilen {}). Jedes Gebiet braucht eine "
            "eindeutige ID.".format(id_column, int(blank.sum()), names(rows)),
            "ID field '{}' is empty in {} row(s) (rows {}). Every area needs a unique "
            "ID.".format(id_column, int(blank.sum()), names(rows)),
        )
    repeated = ids[ids.duplicated(keep=False)]
    if len(repeated):
        duplicates = list(pd.unique(repeated))
        raise InputError(
            "ID-Feld '{}' enthält doppelte IDs: {}. Jedes Gebiet braucht eine eindeutige ID; "
            "bitte bereinigen Sie die Tabelle oder wählen Sie ein anderes ID-Feld.".format(
                id_column, names(duplicates)
            ),
            "ID field '{}' contains duplicate IDs: {}. Every area needs a unique ID; please "
            "clean the table or choose another ID field.".format(id_column, names(duplicates)),
        )


def id_order(ids):
    """A rank per quarter from its ID (numbers by value, anything else as text), for breaking ties the same
    way whatever the order of the rows."""
    values = pd.Series(list(ids))
    if pd.api.types.is_numeric_dtype(values):
        keys = values.to_numpy(dtype=float)
    else:
        keys = values.astype(str).to_numpy()
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.argsort(keys, kind="stable")] = np.arange(len(values))
    return rank
