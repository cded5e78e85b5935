"""Comparing this year's index with an earlier result of the same quarters (no QGIS).

Both results are read the same way (:func:`.model.build_model`), then joined by quarter key:

* rank change ``Δ = rank before − rank now`` (positive: the quarter moved up the ranking, i.e. towards
  more need; rank 1 = greatest need), for quarters rated in both years;
* class change (before → now), compared only when both results have the same number of classes;
* quarters new this year and quarters dropped since.

A quarter whose values are not published in either year (statistical confidentiality) shows no rank and
no class. When indicators or method differ between the years, the section says so: ranks are then only
partly comparable.
"""

from .rendering import number, translator


def _settings(method):
    """The settings that make two index results comparable."""
    keys = ("kind", "indicators", "status_fields", "normalization", "aggregation", "classification", "n_classes",
            "weights", "reverse")
    return {key: getattr(method, key, None) for key in keys}


def compare(current, previous, current_method, previous_method, lang):
    """The comparison section: ``current`` and ``previous`` are report models of the two results."""
    t = translator(lang)
    before = {q["key"]: q for q in previous["quarters"]}
    now = {q["key"]: q for q in current["quarters"]}
    same_classes = len(current["classes"]) == len(previous["classes"])
    rows = []
    for key, q in now.items():
        old = before.get(key)
        if old is None:
            continue
        hidden = q["protected"] or old["protected"]
        both_rated = q["rated"] and old["rated"] and not hidden
        delta = old["rank"] - q["rank"] if both_rated else None
        class_change = both_rated and same_classes and q["klass"] != old["klass"]
        rows.append({
            "key": key, "name": q["name"], "id": q["id"],
            "rank_before": old["rank"] if both_rated else None, "rank_now": q["rank"] if both_rated else None,
            "delta": delta,
            "delta_text": "–" if delta is None else ("±0" if delta == 0 else "{:+d}".format(delta)),
            "class_before": old["klass_text"] if not hidden else "–",
            "class_now": q["klass_text"] if not hidden else "–",
            "class_change": bool(class_change), "more_need": bool(class_change and q["klass"] > old["klass"]),
        })
    rows.sort(key=lambda r: (r["delta"] is None, -(r["delta"] or 0), r["name"]))
    changed = [r for r in rows if r["class_change"]]
    risers = [r for r in rows if r["delta"] and r["delta"] > 0][:5]
    fallers = sorted((r for r in rows if r["delta"] and r["delta"] < 0), key=lambda r: r["delta"])[:5]
    new = sorted((q["name"] for key, q in now.items() if key not in before))
    dropped = sorted((q["name"] for key, q in before.items() if key not in now))
    notes = []
    if _settings(current_method) != _settings(previous_method):
        notes.append(t("Indikatoren oder Verfahren unterscheiden sich zwischen den Jahren: Ränge und Klassen sind "
                       "nur eingeschränkt vergleichbar.",
                       "Indicators or method differ between the years: ranks and classes are only partly "
                       "comparable."))
    if not same_classes:
        notes.append(t("Die Ergebnisse haben verschieden viele Klassen; Klassenwechsel werden nicht gezählt.",
                       "The results have different numbers of classes; class changes are not counted."))
    before_date = previous.get("data_date") or t("früheres Ergebnis", "earlier result")
    summary = t(
        "Verglichen mit {} ({} Quartiere in beiden Ergebnissen): {} Quartiere wechselten die Klasse, davon {} "
        "in eine Klasse mit mehr Bedarf. {} Quartiere sind neu, {} entfallen.",
        "Compared with {} ({} quarters in both results): {} quarters changed class, {} of them into a class with "
        "more need. {} quarters are new, {} dropped.").format(
        before_date, number(len(rows), 0, lang), number(len(changed), 0, lang),
        number(sum(r["more_need"] for r in changed), 0, lang), number(len(new), 0, lang),
        number(len(dropped), 0, lang))
    return {"before_date": before_date, "summary": summary, "rows": rows, "changed": changed, "risers": risers,
            "fallers": fallers, "new": new, "dropped": dropped, "notes": notes,
            "explanation": t("Rangänderung = Rang vorher − Rang jetzt; positiv heißt: das Quartier ist in der "
                             "Rangfolge nach oben gerückt, zu mehr Bedarf (Rang 1 = größter Bedarf).",
                             "Rank change = rank before − rank now; positive means the quarter moved up the "
                             "ranking, towards more need (rank 1 = greatest need).")}
