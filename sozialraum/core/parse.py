"""Reading the small text parameters users type: weights, cut-offs, breaks, labels.

Lists are separated by ``;`` or ``,``. With ``;`` a comma inside a number is read as a German
decimal comma (``-1,5; 0,5``); with ``,`` only the decimal point is allowed (``-1.5, 0.5``).
"""

import math

from .errors import InputError, names


def _split(text):
    text = (text or "").strip()
    if not text:
        return []
    if ";" in text:
        return [part.strip().replace(",", ".") for part in text.split(";") if part.strip()]
    return [part.strip() for part in text.split(",") if part.strip()]


def _number(part, what):
    try:
        value = float(part)
    except ValueError:
        raise InputError(
            "'{}' in {} ist keine Zahl.".format(part, what),
            "'{}' in {} is not a number.".format(part, what),
        ) from None
    if not math.isfinite(value):
        raise InputError("{}: '{}' ist keine endliche Zahl.".format(what, part),
                         "{}: '{}' is not a finite number.".format(what, part))
    return value


def parse_number_list(text, what="Liste"):
    """Numbers from ``text`` (``"-1.5, -0.5"`` or ``"-1,5; -0,5"``); empty text gives ``[]``."""
    return [_number(part, what) for part in _split(text)]


def parse_weights(text, indicators, positive=True):
    """Per-indicator numbers from ``text``: ``"1,1,2"`` in indicator order or ``"q_alo=2; q_sgb2=1"``.

    Returns ``None`` for empty text (= the default). Named entries may leave indicators out (they
    keep weight 1); a plain list must have one number per indicator. With ``positive`` every
    value must be > 0.
    """
    parts = _split(text)
    if not parts:
        return None
    what = "Gewichte/weights" if positive else "Referenzwerte/reference values"
    if any("=" in part for part in parts):
        values = {}
        for part in parts:
            name, _, number = part.partition("=")
            name = name.strip()
            if name not in indicators:
                raise InputError(
                    "{}: '{}' ist keiner der gewählten Indikatoren ({}).".format(what, name, ", ".join(indicators)),
                    "{}: '{}' is not one of the chosen indicators ({}).".format(what, name, ", ".join(indicators)),
                )
            values[name] = _number(number.strip(), what)
    else:
        if len(parts) != len(indicators):
            raise InputError(
                "{}: {} Werte für {} Indikatoren. Geben Sie je Indikator einen Wert an, in der Reihenfolge {}."
                .format(what, len(parts), len(indicators), ", ".join(indicators)),
                "{}: {} values for {} indicators. Give one value per indicator, in the order {}."
                .format(what, len(parts), len(indicators), ", ".join(indicators)),
            )
        values = {name: _number(part, what) for name, part in zip(indicators, parts)}
    if positive:
        bad = [name for name, value in values.items() if value <= 0]
        if bad:
            raise InputError(
                "Gewichte müssen größer als 0 sein: {}. Lassen Sie einen Indikator lieber weg.".format(", ".join(bad)),
                "Weights must be greater than 0: {}. Leave the indicator out instead.".format(", ".join(bad)),
            )
    return values


def parse_labels(text):
    """Class labels separated by ``;`` (``None`` for empty text)."""
    labels = [part.strip() for part in (text or "").split(";") if part.strip()]
    return labels or None


def parse_thresholds(text, what="DISTANCE"):
    """Distance thresholds in metres from ``"300, 500, 1000"``: positive, sorted, without repeats."""
    values = parse_number_list(text, what)
    if not values:
        raise InputError("Bitte geben Sie mindestens eine Entfernung in Metern an, z. B. '300, 500, 1000'.",
                         "Please give at least one distance in metres, e.g. '300, 500, 1000'.")
    bad = [v for v in values if not v > 0]
    if bad:
        raise InputError("Entfernungen müssen größer als 0 m sein (erhalten: {}).".format(names(bad)),
                         "Distances must be greater than 0 m (got: {}).".format(names(bad)))
    return sorted(set(values))
