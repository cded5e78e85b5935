"""The coverage story of the report: per service type and quarter, what was measured and why the class.

A coverage result (``sozialraum:servicecoverage``) carries a class per quarter ("gut", "mittel",
"gering") and the method record that produced it. This module turns both into words a council
member can follow (no QGIS):

* :func:`coverage_rows` – per quarter: the class, the figures with labels that say what they
  measure, and one sentence why the quarter has its class, e.g. "Im Quartier liegt keine
  Einrichtung. In höchstens 1.000 m Fußweg sind 1,14 Plätze je Person der Zielgruppe
  erreichbar, 190 % des Richtwerts von 0,6. Das ergibt „gut“ (mindestens 90 % des Richtwerts).";
* :func:`class_meanings` – what "gut/mittel/gering" means, from the recorded class breaks;
* :func:`method_paragraphs` – the method in plain words from the recorded parameters.

How the class is defined (``core.coverage``), with the level ``L`` and breaks ``(g, m)``,
class 1 "gut" for ``L >= g``, 2 "mittel" for ``m <= L < g``, 3 "gering" for ``L < m``:

* 2SFCA / E2SFCA / Gaussian: ``L = A / norm`` (``A`` the places per person of the target group
  in reach, averaged over the quarter's addresses), without a norm ``L = A / city mean``;
* ratio (container): ``L = places in the quarter / target population / norm`` (or the city quota);
* nearest: ``L`` = share of the target population with a service within the largest distance.
"""

import math
import re

from ..core.coverage import default_steps, threshold_column
from .rendering import number, to_float, translator

#: ColorBrewer YlOrRd with 3 classes, as QGIS styles the coverage layer: good light, poor dark.
COVERAGE_COLORS = ("#ffeda0", "#feb24c", "#f03b20")
NOT_PUBLISHED_COLOR = "#bdbdbd"
FCA_METHODS = ("2sfca", "e2sfca", "gaussian")
CLASS_WORDS = {1: ("gut", "good"), 2: ("mittel", "medium"), 3: ("gering", "poor")}

#: The columns of a coverage result the report reads (besides the ID and the ``anteil_<m>`` columns).
READ_COLUMNS = ["anzahl_einrichtungen", "kapazitaet", "zielbevoelkerung", "versorgungsquote", "erreichbarkeit",
                "erreichbarkeit_index", "dist_mittel", "zeit_mittel_min", "anteil_ausser_reichweite",
                "anteil_ohne_netz", "fehlplaetze_erreichbarkeit", "fehlplaetze", "versorgungsgrad",
                "versorgung_klasse", "hinweis"]

_WITHIN = re.compile(r"anteil_(\d+)(?:_(\d+))?$")


def _metres(text, lang):
    return "{} m".format(number(text, 0, lang))


def largest_distance(record, columns=()):
    """The largest distance (m) of a coverage result: the record's, else the largest ``anteil_<m>`` column."""
    thresholds = [to_float(t) for t in (getattr(record, "thresholds_m", None) or [])]
    thresholds = [t for t in thresholds if not math.isnan(t)]
    if thresholds:
        return max(thresholds)
    found = []
    for column in columns:
        match = _WITHIN.match(str(column))
        if match:
            found.append(float(match.group(1) + ("." + match.group(2) if match.group(2) else "")))
    return max(found) if found else None


def reach_words(record, d0, lang):
    """"in höchstens 1.000 m Fußweg" / "within 1,000 m walking distance" (straight line without a network)."""
    t = translator(lang)
    if d0 is None:
        return t("in Reichweite", "within reach")
    walking = getattr(record, "distance", "") == "network"
    return (t("in höchstens {} Fußweg", "within {} walking distance") if walking else
            t("in höchstens {} Luftlinie", "within {} in a straight line")).format(_metres(d0, lang))


def column_labels(record, columns, lang):
    """``[(column, label, digits, factor)]`` of the coverage figures present in ``columns``, in profile order.

    Labels say what is measured and on which basis: places IN the quarter (supply counted
    inside its border) versus places IN REACH (counted across the border, the basis of the
    class of the accessibility methods).
    """
    t = translator(lang)
    d0 = largest_distance(record, columns)
    reach = reach_words(record, d0, lang)
    weighted = getattr(record, "method", "") in ("e2sfca", "gaussian")
    rows = [
        ("anzahl_einrichtungen", t("Einrichtungen im Quartier", "services in the quarter"), 0, 1.0),
        ("kapazitaet", t("Plätze im Quartier", "places in the quarter"), 0, 1.0),
        ("zielbevoelkerung", t("Zielbevölkerung", "target population"), 0, 1.0),
        ("versorgungsquote", t("Plätze im Quartier je Person der Zielbevölkerung",
                               "places in the quarter per person of the target population"), 2, 1.0),
        ("erreichbarkeit", t("erreichbare Plätze je Person der Zielbevölkerung ({}{})",
                             "places in reach per person of the target population ({}{})").format(
            reach, t(", nach Entfernung gewichtet", ", weighted by distance") if weighted else ""), 2, 1.0),
        ("erreichbarkeit_index", t("Erreichbarkeit (Stadtmittel = 1)", "accessibility (city average = 1)"), 2, 1.0),
        ("dist_mittel", t("mittlere Entfernung zur nächsten Einrichtung (m)",
                          "mean distance to the nearest service (m)"), 0, 1.0),
        ("zeit_mittel_min", t("mittlere Gehzeit zur nächsten Einrichtung (Minuten)",
                              "mean walking time to the nearest service (minutes)"), 1, 1.0),
    ]
    within = []
    for column in columns:
        match = _WITHIN.match(str(column))
        if match:
            metres = float(match.group(1) + ("." + match.group(2) if match.group(2) else ""))
            within.append((metres, (column, t("Anteil mit Einrichtung in höchstens {} (%)",
                                                "share with a service within {} (%)").format(_metres(metres, lang)),
                                    1, 100.0)))
    rows += [row for _, row in sorted(within)]
    rows += [
        ("anteil_ausser_reichweite", t("Anteil ohne Einrichtung {} (%)", "share with no service {} (%)").format(
            reach), 1, 100.0),
        ("anteil_ohne_netz", t("Anteil ohne Wegverbindung zu einer Einrichtung (%)",
                               "share with no path to any service (%)"), 1, 100.0),
        ("fehlplaetze_erreichbarkeit", t("fehlende Plätze in Reichweite nach Richtwert",
                                         "places missing in reach against the norm"), 0, 1.0),
        ("fehlplaetze", t("fehlende Plätze im Quartier nach Richtwert (nur Plätze im Quartier gezählt)",
                          "places missing in the quarter against the norm (only places in the quarter counted)"),
         0, 1.0),
    ]
    present = set(columns)
    return [row for row in rows if row[0] in present]


def _percent(share, lang):
    return number(100.0 * share, 0, lang) + " %"


def class_meanings(record, lang):
    """``{1: text, 2: text, 3: text}``: what "gut", "mittel" and "gering" mean for this result."""
    t = translator(lang)
    breaks = [to_float(b) for b in (getattr(record, "class_breaks", None) or [0.9, 0.6])]
    good, medium = (breaks + [0.9, 0.6][len(breaks):])[:2]
    method = getattr(record, "method", "")
    norm = to_float(getattr(record, "norm", None))
    if method == "nearest":
        reach = reach_words(record, largest_distance(record), lang)
        unit = t("der Zielgruppe mit einer Einrichtung {}", "of the target group with a service {}").format(reach)
        return {1: t("mindestens {} {}", "at least {} {}").format(_percent(good, lang), unit),
                2: t("{} bis unter {} {}", "{} to under {} {}").format(_percent(medium, lang),
                                                                      _percent(good, lang), unit),
                3: t("unter {} {}", "under {} {}").format(_percent(medium, lang), unit)}
    if not math.isnan(norm):
        unit = t("des Richtwerts", "of the norm")
        return {1: t("mindestens {} {}", "at least {} {}").format(_percent(good, lang), unit),
                2: t("{} bis unter {} {}", "{} to under {} {}").format(_percent(medium, lang),
                                                                      _percent(good, lang), unit),
                3: t("unter {} {}", "under {} {}").format(_percent(medium, lang), unit)}
    good_text, medium_text = number(good, 2, lang), number(medium, 2, lang)
    return {1: t("mindestens das {}-Fache des Stadtmittels", "at least {} times the city average").format(good_text),
            2: t("das {}- bis unter {}-Fache des Stadtmittels", "{} to under {} times the city average").format(
                medium_text, good_text),
            3: t("unter dem {}-Fachen des Stadtmittels", "under {} times the city average").format(medium_text)}


def _inside_sentence(row, record, lang):
    """"Im Quartier liegt keine Einrichtung." / "… liegen 2 Einrichtungen mit 85 Plätzen."."""
    t = translator(lang)
    count = to_float(row.get("anzahl_einrichtungen"))
    if math.isnan(count):
        return ""
    if count == 0:
        return t("Im Quartier liegt keine Einrichtung.", "There is no service in the quarter.")
    text = (t("Im Quartier liegt {} Einrichtung", "The quarter has {} service") if count == 1 else
            t("Im Quartier liegen {} Einrichtungen", "The quarter has {} services")).format(number(count, 0, lang))
    places = to_float(row.get("kapazitaet"))
    if getattr(record, "capacity_field", None) and not math.isnan(places):
        text += t(" mit {} Plätzen", " with {} places").format(number(places, 0, lang))
    return text + "."


def _level_sentence(row, record, lang):
    """The sentence stating the measured level the class is built from."""
    t = translator(lang)
    method = getattr(record, "method", "")
    norm = to_float(getattr(record, "norm", None))
    reach = reach_words(record, largest_distance(record, row.keys()), lang)
    if method in FCA_METHODS:
        access = to_float(row.get("erreichbarkeit"))
        if math.isnan(access):
            return ""
        weighted = t(" (nach Entfernung gewichtet)", " (weighted by distance)") if method != "2sfca" else ""
        if not math.isnan(norm) and norm > 0:
            return t("{} sind {} Plätze je Person der Zielgruppe erreichbar{}, {} des Richtwerts von {}.",
                     "{}, {} places per person of the target group are in reach{}, {} of the norm of {}.").format(
                reach[0].upper() + reach[1:], number(access, 2, lang), weighted, _percent(access / norm, lang),
                number(norm, 2, lang))
        index = to_float(row.get("erreichbarkeit_index"))
        return t("{} sind {}-mal so viele Plätze je Person der Zielgruppe erreichbar wie im Stadtmittel{}.",
                 "{}, {} times as many places per person of the target group are in reach as on city average{}.")\
            .format(
            reach[0].upper() + reach[1:], number(index, 2, lang), weighted)
    if method == "ratio":
        quota = to_float(row.get("versorgungsquote"))
        if math.isnan(quota):
            return ""
        border = t(" Einrichtungen jenseits der Quartiersgrenze zählen bei diesem Verfahren nicht.",
                   " Services beyond the quarter's border do not count in this method.")
        if not math.isnan(norm) and norm > 0:
            return t("Im Quartier kommen {} Plätze auf jede Person der Zielgruppe, {} des Richtwerts von {}.",
                     "In the quarter there are {} places per person of the target group, {} of the norm of {}.").format(
                number(quota, 2, lang), _percent(quota / norm, lang), number(norm, 2, lang)) + border
        return t("Im Quartier kommen {} Plätze auf jede Person der Zielgruppe, das {}-Fache des Stadtmittels.",
                 "In the quarter there are {} places per person of the target group, {} times the city average.")\
            .format(number(quota, 2, lang), number(to_float(row.get("versorgungsgrad")), 2, lang)) + border
    if method == "nearest":
        d0 = largest_distance(record, row.keys())
        share = to_float(row.get(threshold_column(d0))) if d0 is not None else float("nan")
        if math.isnan(share):
            return ""
        return t("{} der Zielgruppe haben eine Einrichtung {}.", "{} of the target group have a service {}.").format(
            _percent(share, lang), reach)
    return ""


def coverage_sentence(row, record, lang):
    """One paragraph why the quarter has its coverage class (see the module docstring)."""
    t = translator(lang)
    klass = row.get("klass")
    if klass not in CLASS_WORDS:
        if not to_float(row.get("zielbevoelkerung")) > 0:
            return t("Im Quartier lebt niemand der Zielgruppe: keine Versorgungsklasse.",
                     "Nobody of the target group lives in the quarter: no coverage class.")
        return t("Keine Versorgungsklasse.", "No coverage class.")
    parts = [_inside_sentence(row, record, lang), _level_sentence(row, record, lang)]
    parts.append(t("Das ergibt „{}“ ({}).", "This gives “{}” ({}).").format(
        CLASS_WORDS[klass][1 if lang == "en" else 0], class_meanings(record, lang)[klass]))
    method = getattr(record, "method", "")
    missing_reach = to_float(row.get("fehlplaetze_erreichbarkeit"))
    missing_inside = to_float(row.get("fehlplaetze"))
    if method in FCA_METHODS and missing_reach >= 0.5:
        parts.append(t("Bis zum Richtwert fehlen in Reichweite {} Plätze.",
                       "{} places in reach are missing against the norm.").format(number(missing_reach, 0, lang)))
    elif method == "ratio" and missing_inside >= 0.5:
        parts.append(t("Bis zum Richtwert fehlen im Quartier {} Plätze.",
                       "{} places in the quarter are missing against the norm.").format(
            number(missing_inside, 0, lang)))
    beyond = to_float(row.get("anteil_ausser_reichweite"))
    if method != "nearest" and beyond > 0:
        parts.append(t("{} der Zielgruppe haben keine Einrichtung {}.", "{} of the target group have no service {}.")
                     .format(number(100 * beyond, 1, lang) + " %",
                             reach_words(record, largest_distance(record, row.keys()), lang)))
    unconnected = to_float(row.get("anteil_ohne_netz"))
    if unconnected > 0:
        parts.append(t("{} haben keine Wegverbindung zu einer Einrichtung.",
                       "{} have no path to any service.").format(number(100 * unconnected, 1, lang) + " %"))
    return " ".join(p for p in parts if p)


def coverage_rows(table, id_field, record, key_of, lang):
    """``{key: {"klass", "label", "items", "note", "sentence"}}`` per quarter of a coverage ``table``.

    ``key_of`` turns an ID value into the report's quarter key; ``items`` are
    ``{"label", "text"}`` of the figures present (:func:`column_labels`).
    """
    t = translator(lang)
    position = 1 if lang == "en" else 0
    labels = column_labels(record, list(table.columns), lang)
    out = {}
    for row in table.to_dict("records"):
        klass = row.get("versorgung_klasse")
        klass = int(klass) if not math.isnan(to_float(klass)) else None
        items = []
        for column, label, digits, factor in labels:
            value = to_float(row.get(column))
            if not math.isnan(value):
                items.append({"label": label, "text": number(factor * value, digits, lang)})
        note = row.get("hinweis")
        values = dict(row, klass=klass)
        out[key_of(row[id_field])] = {
            "klass": klass,
            "label": CLASS_WORDS[klass][position] if klass in CLASS_WORDS else t("keine Angabe", "no data"),
            "items": items, "note": note if isinstance(note, str) else "",
            "sentence": coverage_sentence(values, record, lang),
        }
    return out


def method_paragraphs(record, lang):
    """The coverage method in plain words, from the recorded parameters (empty without a record)."""
    if record is None:
        return []
    t = translator(lang)
    method = getattr(record, "method", "")
    d0 = largest_distance(record)
    reach = reach_words(record, d0, lang)
    paragraphs = []
    if method in FCA_METHODS:
        paragraphs.append(t(
            "Gemessen wird die Erreichbarkeit mit dem Zwei-Schritt-Verfahren mit gleitendem Einzugsbereich (2SFCA, "
            "Luo & Wang 2003): Jede Einrichtung teilt ihre Plätze auf die Zielbevölkerung auf, die sie {} "
            "erreicht; jede Adresse zählt die so zugeteilten Plätze aller Einrichtungen in ihrer Reichweite "
            "zusammen. So zählen auch Einrichtungen jenseits der Quartiersgrenze, und eine Einrichtung, die von "
            "vielen erreicht wird, zählt für jeden weniger. Der Wert eines Quartiers ist das Mittel über seine "
            "Adressen, gewichtet mit der Zielbevölkerung.",
            "Accessibility is measured with the two-step floating catchment area method (2SFCA, Luo & Wang 2003): "
            "each service shares its places among the target population it reaches {}; each address adds up the "
            "places so shared by all services within its reach. Services beyond the quarter's border therefore "
            "count too, and a service reached by many counts less for each. A quarter's value is the mean over "
            "its addresses, weighted by the target population.").format(reach))
        if method == "e2sfca":
            steps = getattr(record, "steps", None)
            if not isinstance(steps, (list, tuple)) or not steps:
                steps = default_steps(d0)  # recorded as a sentence: the thirds of the catchment
            text = "; ".join("{} {}: {}".format(t("bis", "up to"), _metres(d, lang), number(w, 2, lang))
                             for d, w in steps)
            paragraphs.append(t("Nähere Einrichtungen zählen mehr (E2SFCA, Luo & Qi 2009); Gewichte nach Entfernung: "
                                "{}.", "Nearer services count more (E2SFCA, Luo & Qi 2009); weights by distance: {}.")
                              .format(text))
        elif method == "gaussian":
            paragraphs.append(t("Das Gewicht einer Einrichtung nimmt mit der Entfernung nach einer Gaußkurve ab und "
                                "ist bei {} null (Dai 2010).", "A service's weight falls with distance along a "
                                "Gaussian curve and is zero at {} (Dai 2010).").format(_metres(d0, lang)))
    elif method == "ratio":
        paragraphs.append(t(
            "Gezählt werden die Plätze der Einrichtungen im Quartier je Person der Zielbevölkerung im Quartier "
            "(Container-Ansatz). Einrichtungen jenseits der Quartiersgrenze zählen nicht, auch wenn sie nah sind.",
            "The places of the services in the quarter are counted per person of the target population in the "
            "quarter (container approach). Services beyond the quarter's border do not count, even when near."))
    elif method == "nearest":
        paragraphs.append(t(
            "Gemessen wird die Entfernung jeder Adresse zur nächsten Einrichtung; der Wert eines Quartiers ist der "
            "Anteil seiner Zielbevölkerung mit einer Einrichtung {}.",
            "The distance of every address to the nearest service is measured; a quarter's value is the share of "
            "its target population with a service {}.").format(reach))
    network = getattr(record, "network", None) or {}
    if getattr(record, "distance", "") == "network":
        paragraphs.append(t(
            "Entfernungen sind Fußwege im Wegenetz ({} Knoten, {} Kanten); Adressen und Einrichtungen werden auf "
            "den nächsten Punkt des nächsten Weges gesetzt.",
            "Distances are walking routes along the path network ({} nodes, {} edges); addresses and services are "
            "placed on the nearest point of the nearest path.").format(
            number(network.get("nodes"), 0, lang), number(network.get("edges"), 0, lang)))
    elif getattr(record, "distance", ""):
        paragraphs.append(t("Entfernungen sind Luftlinien.", "Distances are straight lines."))
    norm = to_float(getattr(record, "norm", None))
    if not math.isnan(norm):
        paragraphs.append(t(
            "Richtwert: {} Plätze je Person der Zielgruppe. „Fehlende Plätze in Reichweite“ = (Richtwert − "
            "erreichbare Plätze je Person) × Zielbevölkerung, wo positiv – auf derselben Grundlage wie die Klasse. "
            "„Fehlende Plätze im Quartier“ = Richtwert × Zielbevölkerung − Plätze im Quartier: dort zählen nur "
            "Einrichtungen innerhalb der Quartiersgrenze.",
            "Norm: {} places per person of the target group. “Places missing in reach” = (norm − places in reach "
            "per person) × target population, where positive – on the same basis as the class. “Places missing "
            "in the quarter” = norm × target population − places in the quarter: only services inside the "
            "quarter's border count there.").format(number(norm, 2, lang))
            if method in FCA_METHODS else
            t("Richtwert: {} Plätze je Person der Zielgruppe. „Fehlende Plätze im Quartier“ = Richtwert × "
              "Zielbevölkerung − Plätze im Quartier, wo positiv.",
              "Norm: {} places per person of the target group. “Places missing in the quarter” = norm × target "
              "population − places in the quarter, where positive.").format(number(norm, 2, lang)))
    if d0 is not None and method != "ratio":
        text = t("„Ohne Einrichtung {}“ ist der Anteil der Zielbevölkerung, dessen nächste Einrichtung weiter "
                 "entfernt ist.", "“No service {}” is the share of the target population whose nearest service is "
                 "further away.").format(reach)
        if getattr(record, "distance", "") == "network":
            text += t(" „Ohne Wegverbindung“ sind Adressen, von denen kein Weg im Netz zu einer Einrichtung führt; "
                      "sie zählen nicht zur mittleren Entfernung.",
                      " “No path” are addresses from which no path in the network leads to any service; they do "
                      "not count in the mean distance.")
        paragraphs.append(text)
    return paragraphs
