"""The content of a social report, built from an index result and its method record (no QGIS).

:func:`build_model` turns the attribute table of a ``sozialraum:districtindex`` or
``sozialraum:statusdynamicindex`` result, the method record saved with it and optional
coverage results into one plain dict: key figures, the quarters with the greatest need, the
method in words, the ranking, one profile per quarter and the annex. The HTML template, the
print layout and the table export all read this dict, so the three outputs say the same.

Every text is built in the report's language (``lang``), independent of the language the
index was computed in: class labels, status and dynamic labels and the reasons why a quarter
was not rated are derived again from the numbers.
"""

import math
import re
import unicodedata

import numpy as np
import pandas as pd

from ..core.classify import default_labels
from ..core.errors import InputError, names
from ..core.method_record import as_record
from ..core.mss import DYNAMIC_LABELS, STATUS_LABELS
from ..core.typology import district_key, need_class_from_k
from ..core.vocabulary import AGGREGATION, CLASSIFICATION, MISSING, NORMALIZATION, word
from ..core import palettes
from . import coverage_story
from .rendering import number, to_float, translator

NOT_RATED_COLOR = "#bdbdbd"
TOP_N = 10
#: decimals of index values and deviations (SD) in every output: HTML, PDF and table
INDEX_DIGITS = 2

_COVERAGE_WORDS = {1: ("gut", "good"), 2: ("mittel", "medium"), 3: ("gering", "poor")}
_NEED_WORDS = {1: ("geringer", "low"), 2: ("mittlerer", "medium"), 3: ("hoher", "high")}
_TYPE_COVERAGE_WORDS = {1: ("gute", "good"), 2: ("mittlere", "medium"), 3: ("geringe", "poor")}
# ---------------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------------


def natural_key(text):
    """Sort key that puts ``Q2`` before ``Q10`` (digit runs compare as numbers) and ``Ölmühle`` between
    ``Nordstadt`` and ``Park`` (case and accents ignored as in DIN 5007-1: Ä = A, ß = ss)."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", str(text)) if not unicodedata.combining(c)).casefold()
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", folded) if part]


#: Orders of the profiles (HTML and PDF) as sort keys of a quarter, see :func:`order_profiles`.
PROFILE_ORDERS = {
    "rank": lambda q: (0, q["rank"], natural_key(q["name"])) if q["rated"] and not q["protected"]
    else (1, 0, natural_key(q["id"])),
    "id": lambda q: natural_key(q["id"]),
    "name": lambda q: (natural_key(q["name"]), natural_key(q["id"])),
}


def order_profiles(quarters, order="rank"):
    """The quarters in the order of their profiles (HTML and PDF).

    ``rank``: the rated quarters whose values are published, greatest need first (rank 1; equal ranks by
    name, as in the ranking), then the quarters not rated or kept confidential, by ID; ``id``: every quarter
    by ID (``Q2`` before ``Q10``); ``name``: every quarter by name (:func:`natural_key`), equal names by ID.
    """
    if order not in PROFILE_ORDERS:
        raise InputError(
            "Unbekannte Reihenfolge der Steckbriefe '{}'. Erlaubt: {}.".format(order, ", ".join(PROFILE_ORDERS)),
            "Unknown profile order '{}'. Allowed: {}.".format(order, ", ".join(PROFILE_ORDERS)))
    return sorted(quarters, key=PROFILE_ORDERS[order])


def parse_labels(text):
    """``{"field": "label"}`` from ``"q_alo=Arbeitslosenquote; q_sgb2=SGB-II-Quote"`` (``;`` or new lines)."""
    labels = {}
    for part in re.split(r"[;\n]", text or ""):
        if not part.strip():
            continue
        field, sep, label = part.partition("=")
        if not sep or not field.strip() or not label.strip():
            raise InputError(
                "Indikatornamen: '{}' hat nicht die Form feld=Name.".format(part.strip()),
                "Indicator names: '{}' is not of the form field=name.".format(part.strip()),
            )
        labels[field.strip()] = label.strip()
    return labels


def _int_or_none(value):
    value = to_float(value)
    return None if math.isnan(value) else int(round(value))


def _digits(values):
    """Decimals for an indicator: 0 from 100 up, 1 from 1 up, else 2 (by the largest absolute value)."""
    finite = [abs(v) for v in values if not math.isnan(v)]
    largest = max(finite) if finite else 0.0
    return 0 if largest >= 100 else 1 if largest >= 1 else 2


def _is_true(value):
    if value is None or value is pd.NA:
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "t", "yes", "ja")
    try:
        return bool(value) and not (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):
        return False


def _column(table, name):
    """Column ``name`` of ``table`` as a list (``None`` values if it is absent)."""
    if name and name in table.columns:
        return table[name].tolist()
    return [None] * len(table)


# ---------------------------------------------------------------------------------------------
# what kind of result: the social index or the MSS status/dynamic index
# ---------------------------------------------------------------------------------------------


def result_kind(method):
    """``"index"`` (sozialraum:districtindex) or ``"mss"`` (sozialraum:statusdynamicindex) of a method record
    (a typed record or a stored dict, see core/method_record.py)."""
    record = as_record(method)
    if record.kind in ("index", "mss"):
        return record.kind
    algorithm = record.algorithm
    raise InputError(
        "Die Eingabe ist kein Ergebnis von 'Sozialindex' oder 'Status-/Dynamik-Index' (Verfahren: {}). Bitte ein "
        "solches Ergebnis wählen.".format(algorithm or "unbekannt"),
        "The input is not a result of 'Social index' or 'Status/dynamic index' (method: {}). Please choose such "
        "a result.".format(algorithm or "unknown"),
    )


def result_columns(method):
    """Names of the result columns of the index kind: value, class, rank (or None) and the rest."""
    if result_kind(method) == "mss":
        return {"value": "status_index", "class": "status_class", "rank": None, "rated": "rated", "note": "note",
                "dynamic_class": "dynamic_class", "dynamic_index": "dynamic_index", "attention": "aufmerksamkeit",
                "code": "gesamt_code"}
    return {"value": "index_value", "class": "index_class", "rank": "index_rank", "rated": "rated", "note": "note"}


def indicator_fields(method):
    """The indicator fields of the result (status indicators for the MSS)."""
    record = as_record(method)
    return list(record.status_fields if result_kind(record) == "mss" else record.indicators)


def population_field(method):
    """The population field used for the minimum-population rule, or None."""
    record = as_record(method)
    return record.population if result_kind(record) == "index" else record.population_field


def needed_fields(method, id_field, name_field=None):
    """Every field of the index result the report reads."""
    columns = result_columns(method)
    fields = [id_field, name_field, population_field(method)] + indicator_fields(method)
    fields += [c for c in columns.values() if c]
    return [f for f in dict.fromkeys(fields) if f]


# ---------------------------------------------------------------------------------------------
# classes
# ---------------------------------------------------------------------------------------------


def class_labels(method, lang):
    """Labels of classes 1..k in ``lang``: default range labels are written anew, own labels kept."""
    if result_kind(method) == "mss":
        position = 1 if lang == "en" else 0
        return [STATUS_LABELS[c][position] for c in sorted(STATUS_LABELS)]
    record = as_record(method)
    labels = [str(label) for label in record.labels or []]
    breaks = record.breaks or []
    if breaks and len(labels) == len(breaks) + 1:
        defaults = [default_labels(breaks, code) for code in ("de", "en")]
        if labels in defaults:
            return default_labels(breaks, lang)
    return labels


def class_ranges(method, lang):
    """Value range of each class in words: ``x ≤ b1``, ``b1 < x ≤ b2`` ... ``x > b(k-1)``."""
    if result_kind(method) == "mss":
        return ["z < -1", "-1 ≤ z ≤ 1", "1 < z ≤ 1,5" if lang == "de" else "1 < z ≤ 1.5",
                "z > 1,5" if lang == "de" else "z > 1.5"]
    record = as_record(method)
    breaks = [float(b) for b in record.breaks or []]
    if not breaks:
        return [""] * len(record.labels or [])
    shown = [number(b, 2, lang) for b in breaks]
    ranges = ["x ≤ {}".format(shown[0])]
    ranges += ["{} < x ≤ {}".format(a, b) for a, b in zip(shown[:-1], shown[1:])]
    ranges.append("x > {}".format(shown[-1]))
    return ranges


def need_level(klass, k, kind):
    """1 low, 2 medium, 3 high need for class ``klass`` of ``k`` (MSS: status 1 / 2 / 3-4)."""
    if klass is None:
        return None
    if kind == "mss":
        return {1: 1, 2: 2, 3: 3, 4: 3}[klass]
    return int(need_class_from_k([klass], k)[0])


# ---------------------------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------------------------


def build_model(table, method, id_field, lang="de", name_field=None, colors=None, indicator_labels=None,
                title="", organisation="", data_date="", sources=(), created="", dynamics=None,
                coverages=(), need_coverage=None, coverage_colors=None, profile_order="rank"):
    """The report content as a plain dict (see the module docstring).

    ``table``: attributes of the index result, one row per quarter (:func:`needed_fields`);
    ``method``: its method record; ``colors``: hex colours of classes 1..k (light to dark);
    ``indicator_labels``: ``{field: readable name}``; ``dynamics``: the table of a
    status/dynamic index result for an index input (joined by ``id_field``); ``coverages``:
    ``[(title, table, id_field, record)]`` of coverage results (record: their method record or
    None); ``need_coverage``: ``(table, id_field)`` of a need-coverage result; ``coverage_colors``:
    hex colours of coverage classes 1..3 (good to poor) as the layer style draws them. Raises
    ``profile_order``: ``rank``, ``id`` or ``name`` (:func:`order_profiles`). Raises
    :class:`InputError` for a missing ID or name field, duplicate or empty IDs.
    """
    t = translator(lang)
    method = as_record(method)  # read only through the typed record from here on
    kind = result_kind(method)
    columns = result_columns(method)
    _check_fields(table, [id_field, name_field], "INPUT")
    keys = [district_key(v) for v in table[id_field].tolist()]
    _check_keys(keys, id_field)
    indicators = indicator_fields(method)
    _check_fields(table, indicators + [c for c in (columns["value"], columns["class"]) if c], "INPUT")

    labels = class_labels(method, lang)
    k = len(labels)
    colors = list(colors or [])
    if len(colors) < k:
        colors += [NOT_RATED_COLOR] * (k - len(colors))
    names_ = [str(v) if v is not None and v is not pd.NA else "" for v in _column(table, name_field)] \
        if name_field else list(keys)
    names_ = [n if n.strip() else key for n, key in zip(names_, keys)]
    values = [to_float(v) for v in table[columns["value"]].tolist()]
    classes = [_int_or_none(v) for v in table[columns["class"]].tolist()]
    rated = [_is_true(v) for v in _column(table, columns["rated"])] if columns["rated"] in table.columns \
        else [c is not None for c in classes]
    rated = [r and c is not None and not math.isnan(v) for r, c, v in zip(rated, classes, values)]
    ranks = _ranks(table, columns, values, rated)
    n_rated = sum(rated)
    pop_field = population_field(method)
    population = [to_float(v) for v in _column(table, pop_field)] if pop_field and pop_field in table.columns \
        else None

    ind_info = _indicator_info(table, method, indicators, indicator_labels or {}, rated, lang)
    dyn = _dynamics_lookup(table if kind == "mss" else dynamics, id_field, columns if kind == "mss" else None, lang)
    coverages = [_coverage_input(c) for c in coverages]
    coverage_rows = [_coverage_lookup(c["title"], c["table"], c["id_field"], c["record"], lang) for c in coverages]
    need_rows = _need_coverage_lookup(need_coverage, lang) if need_coverage is not None else None

    protected = _protected(population, method, len(keys))
    quarters = []
    for n, key in enumerate(keys):
        klass = classes[n] if rated[n] else None
        quarter = {
            "key": key, "id": key, "name": names_[n], "rated": rated[n],
            "value": values[n] if rated[n] else None,
            "value_text": number(values[n], INDEX_DIGITS, lang) if rated[n] else "–",
            "rank": ranks[n], "klass": klass,
            "klass_label": labels[klass - 1] if klass else t("nicht bewertet", "not rated"),
            "klass_text": "{} ({})".format(klass, labels[klass - 1]) if klass else t("nicht bewertet", "not rated"),
            "color": colors[klass - 1] if klass else NOT_RATED_COLOR,
            "need": need_level(klass, k, kind),
            "population": None if population is None or math.isnan(population[n]) else population[n],
            "indicators": [_indicator_row(info, n, lang) for info in ind_info],
            "dynamics": dyn.get(key) if dyn is not None else None,
            "coverage": [{"title": c["title"], **rows[key]} for c, rows in zip(coverages, coverage_rows)
                         if key in rows],
            "typology": need_rows.get(key) if need_rows is not None else None,
        }
        quarter["population_text"] = number(quarter["population"], 0, lang) if quarter["population"] is not None \
            else "–"
        quarter["protected"] = protected[n]
        if protected[n]:  # statistical confidentiality: no value of a quarter this small is published
            quarter.update(value=None, value_text="–", indicators=[], dynamics=None, coverage=[], typology=None)
        quarter["reason"] = "" if rated[n] else _not_rated_reason(table, n, method, ind_info, lang)
        if protected[n]:
            quarter["reason"] += t(" – Werte nicht veröffentlicht (statistische Geheimhaltung)",
                                   " – values not published (statistical confidentiality)")
        quarter["sentence"] = _sentence(quarter, n_rated, k, kind, lang)
        # the printed profile has no coverage block: its sentence also says why each coverage class
        quarter["print_sentence"] = " ".join([quarter["sentence"]] + [
            "{}: {}".format(t("Versorgung {}", "Coverage {}").format(c["title"]), c["sentence"])
            for c in quarter["coverage"] if c.get("sentence")])
        quarter["facts"] = profile_facts(quarter, n_rated, kind, population is not None, lang)
        quarter["coverage_table"] = coverage_table(quarter["coverage"], lang)
        quarters.append(quarter)
    quarters.sort(key=lambda q: natural_key(q["id"]))
    ranking = sorted((q for q in quarters if q["rated"]), key=lambda q: (q["rank"], natural_key(q["name"])))

    class_rows = []
    ranges = class_ranges(method, lang)
    for c in range(1, k + 1):
        members = [q for q in quarters if q["klass"] == c]
        class_rows.append({
            "number": c, "label": labels[c - 1], "color": colors[c - 1], "count": len(members),
            "range": ranges[c - 1] if c - 1 < len(ranges) else "",
            "population": sum(q["population"] or 0 for q in members) if population is not None else None,
            "need": need_level(c, k, kind),
        })

    model = {
        "lang": lang, "kind": kind, "title": title or t("Sozialbericht", "Social report"),
        "organisation": organisation, "created": created, "data_date": data_date,
        "index_name": t("Sozialindex", "Social index") if kind == "index"
        else t("Status-Index (MSS-Verfahren)", "Status index (MSS method)"),
        "id_field": id_field, "name_field": name_field or id_field,
        "classes": class_rows, "not_rated_color": NOT_RATED_COLOR,
        "quarters": quarters, "ranking": ranking, "top": ranking[:TOP_N],
        "profiles": order_profiles(quarters, profile_order), "profile_order": profile_order,
        "not_rated": [q for q in quarters if not q["rated"]],
        "n_quarters": len(quarters), "n_rated": n_rated,
        "indicators": [{key: info[key] for key in ("field", "label", "direction", "direction_text", "weight",
                                                    "weight_text", "mean_text", "sd_text", "digits")}
                       for info in ind_info],
        "has_population": population is not None, "has_dynamics": dyn is not None,
        "coverage_titles": [c["title"] for c in coverages], "has_typology": need_rows is not None,
        "sources": [s for s in sources if s],
        "need_coverage_section": None,
        "allocation_section": None, "hotspots_section": None,  # set by the report algorithm (report/decision.py)
        "comparison": None,  # set by the report algorithm from an earlier result (report/comparison.py)
    }
    model["coverage_sections"] = [_coverage_section(c, quarters, coverage_colors, lang) for c in coverages]
    model["need_coverage_section"] = _need_coverage_section(quarters, lang) if need_rows is not None else None
    model["figures"] = _key_figures(model, lang)
    model["method"] = _method_text(method, model, lang)
    model["summary"] = _summary_text(model, lang)
    return model


def _check_fields(table, fields, what):
    missing = [f for f in fields if f and f not in table.columns]
    if missing:
        raise InputError(
            "Feld(er) {} fehlen in {}. Bitte die Felder des Index-Ergebnisses wählen.".format(names(missing), what),
            "Field(s) {} are missing from {}. Please choose fields of the index result.".format(names(missing), what),
        )


def _check_keys(keys, id_field):
    empty = [n + 1 for n, key in enumerate(keys) if not key]
    if empty:
        raise InputError(
            "Das ID-Feld '{}' ist in {} Quartier(en) leer (Objekte {}). Jedes Quartier braucht eine Kennung."
            .format(id_field, len(empty), names(empty)),
            "The ID field '{}' is empty in {} quarter(s) (features {}). Every quarter needs an ID."
            .format(id_field, len(empty), names(empty)),
        )
    seen, duplicates = set(), []
    for key in keys:
        if key in seen:
            duplicates.append(key)
        seen.add(key)
    if duplicates:
        raise InputError(
            "Das ID-Feld '{}' ist nicht eindeutig: {}. Bitte ein Feld mit eindeutigen Kennungen wählen."
            .format(id_field, names(sorted(set(duplicates)))),
            "The ID field '{}' is not unique: {}. Please choose a field with unique IDs."
            .format(id_field, names(sorted(set(duplicates)))),
        )


def _ranks(table, columns, values, rated):
    """Rank 1 = greatest need; the stored rank, or for the MSS the rank of the status index (ties share)."""
    if columns["rank"] and columns["rank"] in table.columns:
        stored = [_int_or_none(v) for v in table[columns["rank"]].tolist()]
        return [r if ok else None for r, ok in zip(stored, rated)]
    series = pd.Series([v if ok else np.nan for v, ok in zip(values, rated)])
    ranked = series.rank(method="min", ascending=False)
    return [int(r) if ok else None for r, ok in zip(ranked.tolist(), rated)]


def _indicator_info(table, method, indicators, own_labels, rated, lang):
    """Per indicator: label, direction, weight, statistics over the rated quarters and bar scale."""
    t = translator(lang)
    kind = result_kind(method)
    statistics = method.indicator_statistics
    statistics = statistics or {}
    weights = (method.weights if kind == "index" else None) or {}
    info = []
    for field in indicators:
        values = [to_float(v) for v in table[field].tolist()]
        stats = statistics.get(field) or {}
        rated_values = [v for v, ok in zip(values, rated) if ok and not math.isnan(v)]
        mean = to_float(stats.get("mean")) if stats.get("mean") is not None else \
            (float(np.mean(rated_values)) if rated_values else float("nan"))
        sd = to_float(stats.get("sd")) if stats.get("sd") is not None else \
            (float(np.std(rated_values)) if rated_values else float("nan"))
        direction = stats.get("direction") or (
            "reverse" if kind == "index" and field in (method.reverse or []) else "normal")
        digits = _digits(values)
        finite = [v for v in values if not math.isnan(v)] + ([mean] if not math.isnan(mean) else [])
        weight = to_float(weights.get(field, 1.0))
        info.append({
            "field": field, "label": own_labels.get(field) or field, "values": values, "mean": mean, "sd": sd,
            "direction": direction, "digits": digits,
            "direction_text": t("höher = mehr Bedarf", "higher = more need") if direction == "normal"
            else t("höher = weniger Bedarf", "higher = less need"),
            "weight": weight, "weight_text": number(weight, 2, lang).rstrip("0").rstrip(",.") if not
            math.isnan(weight) else "–",
            "mean_text": number(mean, digits, lang), "sd_text": number(sd, digits, lang),
            "low": min([0.0] + finite), "high": max([0.0] + finite),
        })
    return info


def _indicator_row(info, n, lang):
    """One indicator of one quarter: value against the mean of the rated quarters."""
    value, mean, sd = info["values"][n], info["mean"], info["sd"]
    sign = 1.0 if info["direction"] == "normal" else -1.0
    deviation = sign * (value - mean) / sd if sd and sd > 0 and not math.isnan(value) else float("nan")
    return {
        "label": info["label"], "field": info["field"], "value": None if math.isnan(value) else value,
        "mean": None if math.isnan(mean) else mean, "text": number(value, info["digits"], lang),
        "mean_text": info["mean_text"], "digits": info["digits"],
        "deviation": None if math.isnan(deviation) else deviation,
        "deviation_text": number(deviation, INDEX_DIGITS, lang) if not math.isnan(deviation) else "–",
        "worse": bool(deviation > 0) if not math.isnan(deviation) else None,
        "low": info["low"], "high": info["high"], "direction": info["direction"],
    }


def coverage_table(coverages, lang):
    """The coverage of one quarter as one table: a column per service, a row per measure (first the class),
    with the sentence per service why it has its class (``sentences``) and the notes of the result."""
    if not coverages:
        return None
    t = translator(lang)
    labels = []
    for coverage in coverages:
        for item in coverage["items"]:
            if item["label"] not in labels:
                labels.append(item["label"])
    rows = [{"label": t("Versorgung", "Coverage"), "cells": [c["label"] for c in coverages]}]
    for label in labels:
        rows.append({"label": label, "cells": [next((i["text"] for i in c["items"] if i["label"] == label), "–")
                                               for c in coverages]})
    notes = ["{}: {}".format(c["title"], c["note"]) for c in coverages if c["note"]]
    sentences = [{"title": c["title"], "text": c["sentence"]} for c in coverages if c.get("sentence")]
    return {"titles": [c["title"] for c in coverages], "rows": rows, "notes": notes, "sentences": sentences}


def _coverage_input(coverage):
    """A coverage input ``(title, table, id_field[, record])`` as a dict with its typed record (or None)."""
    title, table, id_field = coverage[:3]
    record = coverage[3] if len(coverage) > 3 else None
    return {"title": title, "table": table, "id_field": id_field,
            "record": as_record(record) if record is not None else None}


def _coverage_section(coverage, quarters, colors, lang):
    """The report section of one service type: method in words, class meanings with counts, map colours,
    key figures and the quarters with poor coverage. Quarters under statistical confidentiality
    carry no coverage (see :func:`build_model`) and are drawn and counted as "not published"."""
    t = translator(lang)
    title, record = coverage["title"], coverage["record"]
    colors = list(colors or coverage_story.COVERAGE_COLORS)
    meanings = coverage_story.class_meanings(record, lang)
    entries = [(q, next((c for c in q["coverage"] if c["title"] == title), None)) for q in quarters]
    classes = []
    for klass in (1, 2, 3):
        classes.append({"klass": klass, "label": coverage_story.CLASS_WORDS[klass][1 if lang == "en" else 0],
                        "meaning": meanings[klass], "color": colors[klass - 1],
                        "count": sum(1 for _, c in entries if c and c["klass"] == klass)})
    unpublished = sum(1 for q, c in entries if q["protected"])
    no_class = sum(1 for q, c in entries if not q["protected"] and (c is None or c["klass"] not in (1, 2, 3)))
    fills = {q["key"]: colors[c["klass"] - 1] if c and c["klass"] in (1, 2, 3) else NOT_RATED_COLOR
             for q, c in entries}
    figures = []
    if record is not None:
        figures.append({"label": t("Einrichtungen", "Services"), "value": number(record.n_services, 0, lang)})
        if record.capacity_field and record.total_capacity is not None:
            figures.append({"label": t("Plätze", "Places"), "value": number(record.total_capacity, 0, lang)})
        d0 = coverage_story.largest_distance(record)
        if record.unreached_share is not None and record.method != "ratio":
            figures.append({"label": t("der Zielbevölkerung ohne Einrichtung {}", "of the target population with "
                                       "no service {}").format(coverage_story.reach_words(record, d0, lang)),
                            "value": number(100 * record.unreached_share, 1, lang) + " %"})
        unconnected = (record.network or {}).get("demand_without_service_in_component")
        if record.distance == "network" and unconnected is not None:
            figures.append({"label": t("der Zielbevölkerung ohne Wegverbindung zu einer Einrichtung",
                                       "of the target population with no path to any service"),
                            "value": number(100 * unconnected, 1, lang) + " %"})
    poor = [{"name": q["name"], "anchor_key": q["key"], "sentence": c["sentence"],
             "need": q["klass_text"]}
            for q, c in sorted(entries, key=lambda e: (not e[0]["rated"], e[0]["rank"] or 0))
            if c and c["klass"] == 3]
    return {"title": title, "map_title": t("Versorgung {} nach Klassen", "Coverage {} by class").format(title),
            "method": coverage_story.method_paragraphs(record, lang), "classes": classes,
            "fills": fills, "figures": figures, "poor": poor, "n_unpublished": unpublished, "n_no_class": no_class,
            "not_published_color": NOT_RATED_COLOR}


def _dynamics_lookup(table, id_field, columns, lang):
    """``{key: {"status", "label", "code", "attention", ...}}`` from a status/dynamic index table."""
    if table is None:
        return None
    if id_field not in table.columns:
        raise InputError(
            "Das Dynamik-Ergebnis hat kein Feld '{}'. Bitte ein Ergebnis derselben Quartiere wählen.".format(id_field),
            "The dynamics result has no field '{}'. Please choose a result of the same quarters.".format(id_field),
        )
    position = 1 if lang == "en" else 0
    out = {}
    for _, row in table.iterrows():
        status = _int_or_none(row.get("status_class"))
        dynamic = _int_or_none(row.get("dynamic_class"))
        attention = row.get("aufmerksamkeit")
        out[district_key(row[id_field])] = {
            "status": status, "status_label": STATUS_LABELS[status][position] if status in STATUS_LABELS else None,
            "dynamic": dynamic,
            "label": DYNAMIC_LABELS[dynamic][position] if dynamic in DYNAMIC_LABELS else None,
            "value_text": number(to_float(row.get("dynamic_index")), 2, lang),
            "code": row.get("gesamt_code") if isinstance(row.get("gesamt_code"), str) else None,
            "attention": None if attention is None or attention is pd.NA or
            (isinstance(attention, float) and math.isnan(attention)) else _is_true(attention),
        }
    return out


def _coverage_lookup(title, table, id_field, record, lang):
    """``{key: {"klass", "label", "items", "note", "sentence"}}`` from a coverage result (see
    :func:`.coverage_story.coverage_rows`)."""
    if id_field not in table.columns:
        raise InputError(
            "Das Versorgungsergebnis '{}' hat kein Feld '{}'. Bitte ein Ergebnis je Quartier wählen, das die "
            "Quartierskennung enthält.".format(title, id_field),
            "The coverage result '{}' has no field '{}'. Please choose a result per quarter that holds the "
            "quarter ID.".format(title, id_field),
        )
    return coverage_story.coverage_rows(table, id_field, record, district_key, lang)


def _need_coverage_section(quarters, lang):
    """The need x coverage map of the report: colours of :mod:`..core.palettes`, the 3 x 3 counts (rows need
    high to low, columns coverage poor to good) and the quarters of priority 1 (high need, poor coverage).
    Quarters under statistical confidentiality carry no type (see :func:`build_model`): grey, "not published"."""
    t = translator(lang)
    grid = palettes.need_coverage_grid(lang)
    codes = [q["typology"]["code"] if q["typology"] else None for q in quarters]
    fills = {}
    for q, code in zip(quarters, codes):
        if q["protected"]:
            fills[q["key"]] = NOT_RATED_COLOR
        elif code:
            fills[q["key"]] = palettes.NEED_COVERAGE_COLORS[(int(code[0]), int(code[2]))]
        else:
            fills[q["key"]] = palettes.NO_TYPE_COLOR
    counts = {code: codes.count(code) for _, _, code, _, _ in grid}
    rows = [{"need": palettes.NEED_WORDS[need][1 if lang == "en" else 0],
             "cells": [{"code": code, "label": label, "count": counts[code], "color": color}
                       for n, c, code, label, color in grid if n == need]} for need in (3, 2, 1)]
    first = sorted((q for q, code in zip(quarters, codes) if code == "3-3"),
                   key=lambda q: (q["rank"] is None, q["rank"] or 0, q["name"]))
    return {"title": t("Bedarf und Versorgung", "Need and coverage"),
            "map_title": t("Bedarf (Sozialindex) und Versorgung je Quartier", "Need (social index) and coverage per "
                           "quarter"),
            "fills": fills, "rows": rows,
            "columns": [palettes.COVERAGE_WORDS[c][1 if lang == "en" else 0] for c in (3, 2, 1)],
            "first": [{"name": q["name"], "anchor_key": q["key"], "klass_text": q["klass_text"]} for q in first],
            "n_unpublished": sum(1 for q in quarters if q["protected"]),
            "n_no_type": sum(1 for q, code in zip(quarters, codes) if not q["protected"] and not code),
            "not_published_color": NOT_RATED_COLOR, "no_type_color": palettes.NO_TYPE_COLOR,
            "explanation": t(
                "Jedes Quartier fällt in eines von neun Feldern: drei Stufen des Bedarfs (aus den Klassen des "
                "Sozialindex) mal drei Stufen der Versorgung (gut, mittel, gering). Zuerst handeln sollte man, wo "
                "hoher Bedarf auf geringe Versorgung trifft (dunkelstes Feld, Priorität 1).",
                "Each quarter falls into one of nine cells: three levels of need (from the classes of the social "
                "index) times three levels of coverage (good, medium, poor). Action comes first where high need "
                "meets poor coverage (the darkest cell, priority 1).")}


def _need_coverage_lookup(need_coverage, lang):
    """``{key: {"code", "label", "priority"}}`` from a need-coverage result (typology 3 x 3)."""
    table, id_field = need_coverage
    if id_field not in table.columns:
        raise InputError(
            "Das Ergebnis 'Bedarf und Versorgung' hat kein Feld '{}'.".format(id_field),
            "The 'need and coverage' result has no field '{}'.".format(id_field),
        )
    position = 1 if lang == "en" else 0
    out = {}
    for _, row in table.iterrows():
        code = row.get("typ_code")
        label = None
        if isinstance(code, str) and re.fullmatch(r"[123]-[123]", code):
            need, cover = int(code[0]), int(code[2])
            label = ("{} Bedarf, {} Versorgung", "{} need, {} coverage")[position].format(
                _NEED_WORDS[need][position], _TYPE_COVERAGE_WORDS[cover][position])
        out[district_key(row[id_field])] = {"code": code if label else None,
                                        "label": label or ("keine Angabe", "no data")[position],
                                        "priority": _int_or_none(row.get("prioritaet"))}
    return out


def _protected(population, method, n):
    """Per quarter (``n`` of them): True where its values must not be published (statistical confidentiality):
    a population below the minimum population of the result, or none given although the result has a
    population field. Without a population field nothing can be judged."""
    if population is None:
        return [False] * n
    minimum = to_float(method.min_population)
    limit = minimum if not math.isnan(minimum) and minimum > 0 else 0.0
    return [math.isnan(p) or p <= 0 or p < limit for p in population]


def _not_rated_reason(table, n, method, ind_info, lang):
    """Why quarter ``n`` was not rated, in ``lang``: too few inhabitants, missing values, or the stored note."""
    t = translator(lang)
    field = population_field(method)
    minimum = to_float(method.min_population)
    if field and field in table.columns:
        population = to_float(table[field].iloc[n])
        if math.isnan(population):
            return t("keine Einwohnerzahl angegeben", "no population given")
        if not math.isnan(minimum) and minimum > 0 and population < minimum:
            return t("weniger als {} Einwohner ({})", "fewer than {} inhabitants ({})").format(
                number(minimum, 0, lang), number(population, 0, lang))
    missing = [info["label"] for info in ind_info if math.isnan(info["values"][n])]
    if missing:
        return t("fehlende Werte: {}", "missing values: {}").format(", ".join(missing))
    note = table["note"].iloc[n] if "note" in table.columns else None
    return str(note) if isinstance(note, str) and note.strip() else t("nicht bewertet", "not rated")


def profile_facts(quarter, n_rated, kind, has_population, lang):
    """The facts of a profile as ``[{"label", "text", "kind"}]`` (kind ``class`` carries ``color``)."""
    t = translator(lang)
    facts = []
    if quarter["rated"]:
        facts.append({"label": t("Rang", "Rank"), "text": t("{} von {}", "{} of {}").format(quarter["rank"], n_rated),
                      "kind": ""})
        facts.append({"label": t("Klasse", "Class") if kind == "index" else t("Status", "Status"),
                      "text": quarter["klass_text"], "kind": "class", "color": quarter["color"]})
        facts.append({"label": t("Indexwert", "Index value"), "text": quarter["value_text"], "kind": ""})
    else:
        facts.append({"label": t("Bewertung", "Rating"), "kind": "",
                      "text": "{}: {}".format(t("nicht bewertet", "not rated"), quarter["reason"])})
    if has_population:
        facts.append({"label": t("Einwohner", "Inhabitants"), "text": quarter["population_text"], "kind": ""})
    dynamics = quarter["dynamics"]
    if dynamics:
        if kind != "mss" and dynamics.get("status_label"):
            facts.append({"label": t("Status (MSS)", "Status (MSS)"), "text": dynamics["status_label"], "kind": ""})
        facts.append({"label": t("Dynamik", "Dynamics"), "text": dynamics.get("label") or "–", "kind": ""})
        if dynamics.get("attention"):
            facts.append({"label": t("Hinweis", "Note"), "kind": "attention",
                          "text": t("besonderer Aufmerksamkeitsbedarf", "needs particular attention")})
    for coverage in quarter["coverage"]:
        facts.append({"label": t("Versorgung {}", "Coverage {}").format(coverage["title"]),
                      "text": coverage["label"], "kind": ""})
    typology = quarter["typology"]
    if typology:
        text = typology["label"]
        if typology["priority"]:
            text += " ({} {})".format(t("Priorität", "priority"), typology["priority"])
        facts.append({"label": t("Bedarf und Versorgung", "Need and coverage"), "text": text, "kind": ""})
    return facts


def _need_words(level, lang):
    t = translator(lang)
    return {1: t("geringer Bedarf", "low need"), 2: t("mittlerer Bedarf", "medium need"),
            3: t("hoher Bedarf", "high need")}.get(level, "")


def _sentence(quarter, n_rated, k, kind, lang):
    """The plain-language summary of one quarter."""
    t = translator(lang)
    name = quarter["name"]
    if not quarter["rated"]:
        return t("{} wurde nicht bewertet: {}.", "{} was not rated: {}.").format(name, quarter["reason"])
    if kind == "mss":
        parts = [t("{} steht auf Rang {} von {} bewerteten Quartieren; der soziale Status ist „{}“ (Klasse {} von 4).",
                   "{} ranks {} of {} rated quarters; its social status is “{}” (class {} of 4).").format(
            name, quarter["rank"], n_rated, quarter["klass_label"], quarter["klass"])]
    else:
        parts = [t("{} steht auf Rang {} von {} bewerteten Quartieren und gehört zur Klasse {} von {} ({}): {}.",
                   "{} ranks {} of {} rated quarters and belongs to class {} of {} ({}): {}.").format(
            name, quarter["rank"], n_rated, quarter["klass"], k, quarter["klass_label"],
            _need_words(quarter["need"], lang))]
    worse = [row for row in quarter["indicators"] if row["worse"]]
    if worse:
        top = max(worse, key=lambda row: row["deviation"])
        parts.append(t("Am deutlichsten ungünstiger als im Mittel ist „{}“ mit {} gegenüber {}.",
                       "Furthest on the unfavourable side of the average is “{}” at {} against {}.").format(
            top["label"], top["text"], top["mean_text"]))
    elif quarter["indicators"]:
        parts.append(t("Alle Indikatoren liegen günstiger als im Mittel der bewerteten Quartiere.",
                       "All indicators are more favourable than the average of the rated quarters."))
    dynamics = quarter["dynamics"]
    if dynamics and dynamics.get("label"):
        parts.append(t("Die Entwicklung der letzten Jahre ist {}.", "Recent change is {}.").format(dynamics["label"]))
        if dynamics.get("attention"):
            parts.append(t("Das Quartier hat besonderen Aufmerksamkeitsbedarf.",
                           "The quarter needs particular attention."))
    poor = [coverage["title"] for coverage in quarter["coverage"] if coverage["klass"] == 3]
    if poor:
        parts.append(t("Gering versorgt: {}.", "Poorly served: {}.").format(", ".join(poor)))
    typology = quarter["typology"]
    if typology and typology.get("priority") == 1:
        parts.append(t("Hoher Bedarf trifft auf geringe Versorgung (Priorität 1 von 9).",
                       "High need meets poor coverage (priority 1 of 9)."))
    return " ".join(parts)


def _share(part, whole, lang):
    return number(100.0 * part / whole, 1, lang) + " %" if whole else "–"


def _key_figures(model, lang):
    """The key figures of the summary as ``[{"label", "value", "share"}]`` (share: text or "")."""
    t = translator(lang)
    quarters = model["quarters"]

    def figure(label, count, share=""):
        return {"label": label, "value": number(count, 0, lang), "share": share}

    figures = [figure(t("Quartiere", "Quarters"), model["n_quarters"]),
               figure(t("davon bewertet", "rated"), model["n_rated"]),
               figure(t("nicht bewertet", "not rated"), model["n_quarters"] - model["n_rated"])]
    high = [q for q in quarters if q["need"] == 3]
    high_label = t("Quartiere mit niedrigem oder sehr niedrigem Status", "Quarters with low or very low status") \
        if model["kind"] == "mss" else t("Quartiere mit hohem Bedarf", "Quarters with high need")
    figures.append(figure(high_label, len(high), _share(len(high), model["n_rated"], lang)))
    if model["has_population"]:
        total = sum(q["population"] or 0 for q in quarters)
        in_high = sum(q["population"] or 0 for q in high)
        figures.append(figure(t("Einwohner", "Inhabitants"), total))
        figures.append(figure(t("Einwohner in Quartieren mit hohem Bedarf", "Inhabitants of quarters with high need")
                              if model["kind"] == "index" else
                              t("Einwohner in Quartieren mit niedrigem Status", "Inhabitants of low-status quarters"),
                              in_high, _share(in_high, total, lang)))
    if model["has_dynamics"]:
        attention = [q for q in quarters if q["dynamics"] and q["dynamics"].get("attention")]
        negative = [q for q in quarters if q["dynamics"] and q["dynamics"].get("dynamic") == 3]
        figures.append(figure(t("Quartiere mit negativer Dynamik", "Quarters with negative dynamics"), len(negative)))
        figures.append(figure(t("Quartiere mit besonderem Aufmerksamkeitsbedarf",
                                "Quarters needing particular attention"), len(attention)))
    for title in model["coverage_titles"]:
        poor = [q for q in quarters for c in q["coverage"] if c["title"] == title and c["klass"] == 3]
        figures.append(figure(t("Quartiere mit geringer Versorgung: {}", "Quarters with poor coverage: {}").format(
            title), len(poor)))
    if model["has_typology"]:
        first = [q for q in quarters if q["typology"] and q["typology"]["priority"] == 1]
        figures.append(figure(t("Quartiere mit hohem Bedarf und geringer Versorgung",
                                "Quarters with high need and poor coverage"), len(first)))
    return figures


def _summary_text(model, lang):
    """Two or three sentences for the top of the report."""
    t = translator(lang)
    top = model["top"]
    if not top:
        return t("Kein Quartier wurde bewertet.", "No quarter was rated.")
    high = [q for q in model["quarters"] if q["need"] == 3]
    text = t("Von {} Quartieren wurden {} bewertet. ", "Of {} quarters, {} were rated. ").format(
        number(model["n_quarters"], 0, lang), number(model["n_rated"], 0, lang))
    if model["kind"] == "mss":
        text += t("{} Quartiere haben einen niedrigen oder sehr niedrigen sozialen Status. ",
                  "{} quarters have a low or very low social status. ").format(number(len(high), 0, lang))
    else:
        text += t("{} Quartiere gehören zu den Klassen mit hohem Bedarf. ",
                  "{} quarters belong to the classes with high need. ").format(number(len(high), 0, lang))
    shown = [q["name"] for q in top[:3]]
    text += t("Den größten Bedarf zeigen {}.", "The greatest need shows in {}.").format(
        t(" und ", " and ").join([", ".join(shown[:-1]), shown[-1]]) if len(shown) > 1 else shown[0])
    return text


def _method_text(method, model, lang):
    """The method section: paragraphs written from the parameters that produced the result."""
    t = translator(lang)
    position = 1 if lang == "en" else 0
    kind = model["kind"]
    n_areas = method.counts.areas or model["n_quarters"]
    n_rated = method.counts.rated if method.counts.areas else model["n_rated"]
    pop_field = population_field(method)
    minimum = to_float(method.min_population)
    paragraphs = []
    indicators_text = ", ".join(i["label"] for i in model["indicators"])
    if kind == "mss":
        paragraphs.append(t(
            "Der Status-Index folgt dem Verfahren des Berliner „Monitorings Soziale Stadtentwicklung“ (MSS). Er "
            "fasst {} Statusindikatoren (Anteile in %) zusammen: {}.",
            "The status index follows the method of Berlin's “Monitoring Soziale Stadtentwicklung” (MSS). It "
            "combines {} status indicators (shares in %): {}.").format(len(model["indicators"]), indicators_text))
        paragraphs.append(t(
            "Jeder Indikator wurde über die bewerteten Quartiere z-standardisiert: z = (x − Mittelwert) / "
            "Standardabweichung (Standardabweichung der Gesamtheit). Der Status-Index ist der z-Wert der Summe "
            "dieser z-Werte; ein höherer Wert heißt niedrigerer sozialer Status und mehr Bedarf.",
            "Each indicator was z-standardised over the rated quarters: z = (x − mean) / standard deviation "
            "(population standard deviation). The status index is the z-score of the sum of these z-scores; a "
            "higher value means a lower social status and more need."))
        paragraphs.append(t(
            "Statusklassen: 1 hoch (z < −1), 2 mittel (−1 ≤ z ≤ 1), 3 niedrig (1 < z ≤ 1,5), 4 sehr niedrig "
            "(z > 1,5).",
            "Status classes: 1 high (z < −1), 2 medium (−1 ≤ z ≤ 1), 3 low (1 < z ≤ 1.5), 4 very low (z > 1.5)."))
        pairs = method.dynamic_pairs or []
        if method.dynamic_fields:
            paragraphs.append(t(
                "Der Dynamik-Index wird ebenso aus den Veränderungen der Indikatoren in Prozentpunkten berechnet{}: "
                "1 positiv (z < −1), 2 stabil (−1 ≤ z ≤ 1), 3 negativ (z > 1). Besonderen Aufmerksamkeitsbedarf "
                "haben Quartiere mit niedrigem oder sehr niedrigem Status sowie Quartiere mit mittlerem Status und "
                "negativer Dynamik.",
                "The dynamic index is computed the same way from the changes of the indicators in percentage "
                "points{}: 1 positive (z < −1), 2 stable (−1 ≤ z ≤ 1), 3 negative (z > 1). Quarters with a low or "
                "very low status, and quarters with a medium status and negative dynamics, need particular "
                "attention.").format(
                t(" (aktuell gegenüber früher: {})", " (current against earlier: {})").format(
                    "; ".join("{} – {}".format(a, b) for a, b in pairs)) if pairs else ""))
    else:
        normalization = method.normalization
        paragraphs.append(t(
            "Der Sozialindex fasst {} Indikatoren zu einem Wert je Quartier zusammen: {}.",
            "The social index combines {} indicators into one value per quarter: {}.").format(
            len(model["indicators"]), indicators_text))
        reversed_ = [i["label"] for i in model["indicators"] if i["direction"] != "normal"]
        if reversed_:
            paragraphs.append(t(
                "Bei {} bedeutet ein höherer Wert weniger Bedarf; das Vorzeichen wurde vor der Zusammenfassung "
                "umgedreht.",
                "For {} a higher value means less need; the sign was turned round before aggregation.").format(
                ", ".join(reversed_)))
        formulas = {
            "zscore": t("z = (x − Mittelwert) / Standardabweichung, beide über die bewerteten Quartiere",
                        "z = (x − mean) / standard deviation, both over the rated quarters"),
            "zscore_sample": t("z = (x − Mittelwert) / Standardabweichung (mit n − 1), über die bewerteten Quartiere",
                               "z = (x − mean) / standard deviation (with n − 1), over the rated quarters"),
            "minmax": t("v = 100 · (x − Minimum) / (Maximum − Minimum)",
                        "v = 100 · (x − minimum) / (maximum − minimum)"),
            "percentile": t("v = Anteil der bewerteten Quartiere mit kleinerem Wert, 0–100",
                            "v = share of the rated quarters with a smaller value, 0–100"),
            "reference": t("v = 100 · (x − r) / |r| mit dem Referenzwert r", "v = 100 · (x − r) / |r| with the "
                           "reference value r"),
        }
        paragraphs.append(t("Normierung: {} ({}).", "Normalisation: {} ({}).").format(
            word(NORMALIZATION, normalization, lang),
            formulas.get(normalization, "")))
        aggregation = method.aggregation
        weights = ", ".join("{} {}".format(i["label"], i["weight_text"]) for i in model["indicators"])
        paragraphs.append(t("Zusammenfassung: {} der normierten Werte; Gewichte: {}.",
                            "Aggregation: {} of the normalised values; weights: {}.").format(
            word(AGGREGATION, aggregation, lang), weights))
        if method.restandardize:
            paragraphs.append(t(
                "Das Ergebnis wurde erneut z-standardisiert: der Index hat über die bewerteten Quartiere den "
                "Mittelwert 0 und die Standardabweichung 1; ein Wert von 1 bedeutet eine Standardabweichung mehr "
                "Bedarf als im Mittel.",
                "The result was z-standardised again: over the rated quarters the index has mean 0 and standard "
                "deviation 1; a value of 1 means one standard deviation more need than average."))
        missing = method.missing
        if missing in MISSING:
            paragraphs.append(MISSING[missing][position].format(
                number(100 * to_float(method.min_share), 0, lang)))
        classification = method.classification
        separator = t("; ", ", ")  # German numbers carry decimal commas
        cuts = method.stddev_cuts
        cut_text = ""
        if classification == "stddev" and cuts:
            cut_text = t(" bei {} Standardabweichungen um den Mittelwert", " at {} standard deviations around the "
                         "mean").format(separator.join(number(c, 1, lang) for c in cuts))
        breaks = separator.join(number(float(b), 2, lang) for b in method.breaks or [])
        paragraphs.append(t(
            "Klassenbildung: {}{}, {} Klassen; Grenzen {}. Ein Wert genau auf einer Grenze gehört zur unteren "
            "Klasse. Höhere Klasse = mehr Bedarf; Rang 1 = größter Bedarf, gleiche Werte teilen sich einen Rang.",
            "Classes: {}{}, {} classes; breaks {}. A value exactly on a break belongs to the lower class. Higher "
            "class = more need; rank 1 = greatest need, equal values share a rank.").format(
            word(CLASSIFICATION, classification, lang), cut_text,
            len(model["classes"]), breaks))
    if pop_field and not math.isnan(minimum) and minimum > 0:
        paragraphs.append(t(
            "Bewertet wurden {} von {} Quartieren. Quartiere mit weniger als {} Einwohnern (Feld „{}“) wurden "
            "nicht bewertet, weil Anteile dort vom Zufall weniger Personen abhängen; sie zählen auch nicht zu "
            "Mittelwert und Standardabweichung.",
            "{} of {} quarters were rated. Quarters with fewer than {} inhabitants (field “{}”) were not rated "
            "because shares there depend on the chance of a few persons; they do not count for mean and "
            "standard deviation either.").format(
            number(n_rated, 0, lang), number(n_areas, 0, lang), number(minimum, 0, lang), pop_field))
    else:
        paragraphs.append(t("Bewertet wurden {} von {} Quartieren; eine Mindesteinwohnerzahl wurde nicht angewandt.",
                            "{} of {} quarters were rated; no minimum population was applied.").format(
            number(n_rated, 0, lang), number(n_areas, 0, lang)))
        if not pop_field:
            on_purpose = kind == "index" and method.rated_without_population
            paragraphs.append(t(
                "Der Index wurde {}ohne Einwohnerzahl berechnet: auch sehr kleine Quartiere sind bewertet, und ihre "
                "Werte werden gezeigt, obwohl Anteile dort vom Zufall weniger Personen abhängen.".format(
                    "bewusst " if on_purpose else ""),
                "The index was computed without a population{}: very small quarters are rated too, and their "
                "values are shown although shares there depend on the chance of a few persons.".format(
                    " on purpose" if on_purpose else "")))
    paragraphs.append(t("Datenstand: {}.", "Data as of: {}.").format(
        model["data_date"] or t("nicht angegeben", "not given")))
    return {"paragraphs": paragraphs, "algorithm": method.algorithm,
            "indicator_note": t("Mittelwert und Standardabweichung über die bewerteten Quartiere (ungewichtet).",
                                "Mean and standard deviation over the rated quarters (unweighted).")}
