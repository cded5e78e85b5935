"""Which field of a layer is meant, guessed from the field names as statistics offices write them.

One place for the guesses that save clicks: the assistant's pages and the Processing dialogs
(``processing/field_widget.py``) both ask :func:`guess`. A guess is a name that matches a known
spelling, ignoring case (``EW_GESAMT`` is ``ew_gesamt``), taken in the order of the spellings, so
``ew_gesamt`` wins over ``einwohner`` when a layer has both. Where nothing matches the guess is
``""``: a dialog then keeps what QGIS shows, the user chooses.

Kinds of field (:data:`GUESSES`):

- ``id``: a key such as ``quartier_id``, ``plr_id``, ``id``, ``kennung``, ``schluessel``, ``code`` — never
  the GeoPackage's ``fid``, which is renumbered when the layer is copied;
- ``name``: the readable name of a quarter or a service (``name``, ``bezeichnung`` …);
- ``population``: all residents (``ew_gesamt``, ``einwohner`` …), numeric fields only;
- ``target_population``: a target group (``ew_u15``, ``ew_u18``, ``kinder``, ``ew_u6``), else all residents;
- ``capacity``: places of a service (``plaetze``, ``kapazitaet``, ``betten`` …), numeric fields only.

No guess for a target group per service type (children under 6 for Kitas, people over 65 for care homes):
the field names do not tell which service a coverage run is for, and a wrong group that still runs is worse
than an empty field the algorithm asks for.
"""

ID = "id"
NAME = "name"
POPULATION = "population"
TARGET_POPULATION = "target_population"
CAPACITY = "capacity"

ID_NAMES = ("id", "kennung", "schluessel", "schlüssel", "code")
NAME_NAMES = ("name", "bezeichnung", "quartier", "quartiersname", "label", "e_name", "einrichtung_name",
              "einrichtung")
POPULATION_NAMES = ("ew_gesamt", "einwohner", "ew", "bevoelkerung", "bevölkerung", "population", "pop",
                    "inhabitants", "residents")
TARGET_GROUP_NAMES = ("ew_u15", "ew_u18", "kinder", "ew_u6")
CAPACITY_NAMES = ("plaetze", "plätze", "kapazitaet", "kapazität", "capacity", "places", "betten", "e_platz",
                  "platzzahl", "platz")

#: kind -> (spellings in order of preference, numeric fields only)
GUESSES = {
    NAME: (NAME_NAMES, False),
    POPULATION: (POPULATION_NAMES, True),
    TARGET_POPULATION: (TARGET_GROUP_NAMES + POPULATION_NAMES, True),
    CAPACITY: (CAPACITY_NAMES, True),
}


def guess_field(names, candidates):
    """The first of ``names`` equal (ignoring case) to one of ``candidates``, in the order of ``candidates``."""
    lower = {name.lower(): name for name in names}
    return next((lower[c] for c in candidates if c in lower), "")


def guess_id_field(names, any_field=False):
    """The first of ``names`` ending in ``_id`` or equal to one of :data:`ID_NAMES` (ignoring case; never ``fid``).

    Without such a field: ``""``, or with ``any_field`` the first field that is not ``fid`` (for a form that
    must offer one)."""
    for name in names:
        low = name.lower()
        if low != "fid" and (low.endswith("_id") or low in ID_NAMES):
            return name
    if not any_field:
        return ""
    return next((name for name in names if name.lower() != "fid"), names[0] if names else "")


def guess(kind, names, numeric):
    """The field of ``kind`` (a key of :data:`GUESSES` or :data:`ID`) among ``names``; ``numeric`` are those of
    ``names`` that hold numbers. ``""`` when no field fits."""
    if kind == ID:
        return guess_id_field(names)
    candidates, numeric_only = GUESSES[kind]
    if numeric_only:
        numeric = set(numeric)
        names = [name for name in names if name in numeric]
    return guess_field(names, candidates)
