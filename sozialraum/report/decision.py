"""From diagnosis to decision in the report: the allocation of a budget and the candidate funding areas (no QGIS).

Both sections are written from the results' tables and method records (``sozialraum:allocation``,
``sozialraum:hotspots``). Statistical confidentiality holds here too: a quarter below the minimum population
shows no amount and no cluster type; the sums include it (the budget is spent in full) and say so.
"""

import math

from ..core.hotspots import TYPE_WORDS
from ..core.palettes import ALLOCATION_DIFFERENCE_COLORS, HOTSPOT_TYPE_COLORS
from .rendering import number, to_float, translator



NOT_PUBLISHED = "#bdbdbd"


def _money(value, record, lang):
    """An amount in the budget's unit: euros with cents for a unit below 1, whole numbers (positions) else."""
    digits = 2 if to_float(getattr(record, "unit", 0.01)) < 1 else 0
    return number(value, digits, lang)


def _percent(share, lang):
    return "–" if share is None or math.isnan(to_float(share)) else number(100.0 * share, 1, lang) + " %"


def allocation_method_text(record, lang):
    """The allocation rule in plain words, from the record."""
    t = translator(lang)
    paragraphs = []
    method = record.method
    if method == "tiers":
        factors = "; ".join(t("Klasse {}: {}", "class {}: {}").format(n, number(f, 2, lang))
                            for n, f in enumerate(record.factors or [], start=1))
        paragraphs.append(t("Stufenmodell: Jede Person der Zielgruppe zählt mit dem Faktor ihrer Klasse im "
                            "Sozialindex ({}).", "Tiers: every person of the target group counts with the factor "
                            "of the quarter's class in the social index ({}).").format(factors))
    elif method == "proportional":
        paragraphs.append(t("Anteilig zum Bedarf: Jede Person der Zielgruppe zählt mit (Indexwert des Quartiers − "
                            "kleinster Indexwert); das Quartier mit dem geringsten Bedarf erhält aus diesem Teil "
                            "nichts.",
                            "In proportion to need: every person of the target group counts with (the quarter's "
                            "index value − the smallest index value); the quarter with the least need gets nothing "
                            "from this part."))
    elif method == "threshold":
        paragraphs.append(t("Schwelle: Nur Quartiere ab Klasse {} erhalten Mittel, in Proportion zu ihrer "
                            "Zielgruppe.", "Threshold: only quarters of class {} or above receive funds, in "
                            "proportion to their target group.").format(record.threshold_class))
    base = to_float(record.base_share)
    if base > 0:
        paragraphs.append(t("Zuerst werden {} des Budgets gleich je Person der Zielgruppe verteilt (Sockel), der Rest "
                            "nach Bedarf.", "First {} of the budget is distributed equally per person of the target "
                            "group (a base), the rest by need.").format(_percent(base, lang)))
    paragraphs.append(t(
        "Gerundet wird auf {} nach dem Verfahren der größten Reste (Hare-Niemeyer): Die Zuweisungen ergeben genau das "
        "Budget, und kein Quartier liegt eine ganze Einheit oder mehr neben seinem genauen Anteil. Nicht bewertete "
        "Quartiere erhalten nur den Sockel. Zum Vergleich: die Gießkanne gibt jedem Quartier gleich viel je Person "
        "der Zielgruppe.",
        "Amounts are rounded to {} by the largest remainder method (Hare-Niemeyer): the allocations add up to the "
        "budget exactly, and no quarter is a whole unit or more away from its exact share. Quarters not rated get "
        "the base only. For comparison: the watering can gives every quarter the same per person of the target "
        "group.").format(_money(record.unit, record, lang)))
    return paragraphs


def allocation_section(table, id_field, record, quarters, key_of, lang, labels=None):
    """The allocation section: summary, method, concentration curve data and one row per published quarter."""
    t = translator(lang)
    by_key = {q["key"]: q for q in quarters}
    rows, hidden = [], 0
    for row in table.to_dict("records"):
        quarter = by_key.get(key_of(row[id_field]))
        if quarter is None:
            continue
        if quarter["protected"]:
            hidden += 1
            continue
        amount, can = to_float(row.get("zuweisung")), to_float(row.get("zuweisung_giesskanne"))
        rows.append({"name": quarter["name"], "key": quarter["key"], "klass_text": quarter["klass_text"],
                     "amount": amount, "amount_text": _money(amount, record, lang), "difference": amount - can,
                     "can_text": _money(can, record, lang),
                     "difference_text": ("+" if amount - can > 0 else "") + _money(amount - can, record, lang)})
    rows.sort(key=lambda r: (-r["amount"] if not math.isnan(r["amount"]) else 0.0, r["name"]))
    # the map: allocation minus watering can in four ranges around 0 (as the layer style), protected quarters grey
    differences = [r["difference"] for r in rows]
    reach = max((abs(d) for d in differences), default=0.0) or 1.0
    edges = [-reach, -reach / 2, 0.0, reach / 2, reach]
    words = [t("deutlich weniger als Gießkanne", "much less than watering can"), t("weniger oder gleich",
             "less or equal"), t("mehr", "more"), t("deutlich mehr", "much more")]
    legend = [{"label": "{} ({} … {})".format(word, _money(low, record, lang), _money(high, record, lang)),
               "color": color, "count": 0} for word, low, high, color in
              zip(words, edges[:-1], edges[1:], ALLOCATION_DIFFERENCE_COLORS)]
    fills = {q["key"]: NOT_PUBLISHED for q in quarters}
    for r in rows:  # ranges (-r, -r/2], (-r/2, 0], (0, r/2], (r/2, r]
        difference = r["difference"]
        step = 0 if difference <= -reach / 2 else 1 if difference <= 0 else 2 if difference <= reach / 2 else 3
        fills[r["key"]] = legend[step]["color"]
        legend[step]["count"] += 1
    n_classes = record.n_classes or 0
    top = t("die {} Quartiere der höchsten Bedarfsklasse", "the {} quarters of the highest need class").format(
        record.n_top) if record.method != "proportional" or not n_classes else \
        t("die {} Quartiere mit dem höchsten Bedarf", "the {} quarters of highest need").format(record.n_top)
    summary = t(
        "Von einem Budget von {} erhalten {} {}; dort leben {} der Zielgruppe. Mit der Gießkanne wären es {}.",
        "Of a budget of {}, {} receive {}; {} of the target group live there. With the watering can it would be "
        "{}.").format(_money(record.budget, record, lang), top, _percent(record.top_share, lang),
                      _percent(record.top_population_share, lang), _percent(record.top_share_watering_can, lang))
    curve = record.curve or {}
    return {"title": t("Mittelverteilung nach Bedarf", "Funding distributed by need"), "summary": summary,
            "fills": fills, "legend": legend, "not_published_color": NOT_PUBLISHED,
            "map_title": t("Zuweisung gegenüber der Gießkanne", "Allocation against the watering can"),
            "method": allocation_method_text(record, lang), "rows": rows, "n_unpublished": hidden,
            "curve": {"x": curve.get("population_share", []), "y": curve.get("allocation_share", [])},
            "curve_table": _curve_table(curve, lang),
            "concentration_text": t(
                "Konzentrationskurve: Quartiere nach Bedarf geordnet (größter zuerst); waagerecht der Anteil der "
                "Zielgruppe, senkrecht der Anteil des Budgets. Die Diagonale ist die Gießkanne; je weiter die "
                "Kurve darüber liegt, desto mehr geht an die Quartiere mit hohem Bedarf.",
                "Concentration curve: quarters ordered by need (greatest first); across the share of the target "
                "group, up the share of the budget. The diagonal is the watering can; the further the curve lies "
                "above it, the more goes to the quarters of high need.")}


def _curve_table(curve, lang):
    """The curve at every tenth of the target population (the chart's data as a table)."""
    xs, ys = curve.get("population_share", []), curve.get("allocation_share", [])
    rows = []
    for tenth in range(1, 11):
        target = tenth / 10.0
        y = next((b for a, b in zip(xs, ys) if a >= target - 1e-9), None)
        if y is not None:
            rows.append({"x": number(100 * target, 0, lang) + " %", "y": _percent(y, lang),
                         "can": number(100 * target, 0, lang) + " %"})
    return rows


def hotspots_section(table, id_field, record, quarters, key_of, lang, labels=None):
    """The candidate funding areas: the method, the map colours by type, and a profile per area (``labels``:
    readable names of the indicator fields)."""
    t = translator(lang)
    labels = dict(labels or {})
    labels.setdefault("index_value", t("Indexwert", "Index value"))
    position = 1 if lang == "en" else 0
    by_key = {q["key"]: q for q in quarters}
    fills, members = {}, {}
    for row in table.to_dict("records"):
        key = key_of(row[id_field])
        quarter = by_key.get(key)
        if quarter is None:
            continue
        kind = row.get("lisa_typ") if isinstance(row.get("lisa_typ"), str) else None
        fills[key] = NOT_PUBLISHED if quarter["protected"] or kind is None else HOTSPOT_TYPE_COLORS.get(kind, NOT_PUBLISHED)
        cluster = to_float(row.get("cluster_id"))
        if not quarter["protected"] and not math.isnan(cluster) and cluster > 0:
            members.setdefault(int(cluster), []).append(quarter)
    areas = []
    indicators = list(record.indicators or [])
    for profile in record.clusters or []:
        number_ = int(profile.get("cluster_id"))
        quarters_in = sorted(members.get(number_, []), key=lambda q: (q["rank"] is None, q["rank"] or 0))
        values = []
        for field in indicators:
            area, city = to_float(profile.get(field + "_gebiet")), to_float(profile.get(field + "_stadt"))
            values.append({"field": field, "label": labels.get(field, field), "area": number(area, 2, lang),
                           "city": number(city, 2, lang),
                           "difference": number(area - city, 2, lang)})
        areas.append({"number": number_, "quarters": [q["name"] for q in quarters_in],
                      "n_quarters": int(profile.get("anzahl_quartiere") or len(quarters_in)),
                      "population": number(to_float(profile.get("bevoelkerung")), 0, lang), "figures": values})
    types = record.types or {}
    weights = {"queen": t("Nachbarn sind Quartiere, die sich mindestens in einem Punkt berühren",
                          "neighbours are quarters that touch in at least one point"),
               "rook": t("Nachbarn sind Quartiere mit einer gemeinsamen Grenzlinie",
                         "neighbours are quarters sharing a stretch of boundary"),
               "distance": t("Nachbarn liegen höchstens {} m entfernt", "neighbours lie within {} m").format(
                   number(to_float(record.distance), 0, lang)),
               "knn": t("Nachbarn sind die {} nächsten Quartiere", "neighbours are the {} nearest quarters").format(
                   record.k)}.get(record.weights, record.weights)
    method = [
        t("Gesucht werden räumliche Häufungen hoher Werte von „{}“: Liegt ein Quartier mit hohem Wert zwischen "
          "Nachbarn mit hohen Werten, zählt es zu einer Häufung (HH). Maß ist das lokale Moran's I (Anselin 1995); "
          "{}. Ob ein Muster zufällig sein könnte, prüft ein Permutationstest mit {} Zufallsverteilungen "
          "(Startwert {}); signifikant heißt p ≤ {}{}.",
          "The search is for spatial clusters of high values of “{}”: a quarter with a high value among neighbours "
          "with high values belongs to a cluster (HH). The measure is the local Moran's I (Anselin 1995); {}. "
          "Whether a pattern could be chance is checked by a permutation test with {} random arrangements (seed "
          "{}); significant means p ≤ {}{}.").format(
            labels.get(record.field_name, record.field_name), weights, number(record.permutations, 0, lang),
            record.seed,
            number(to_float(record.p_threshold if record.p_threshold is not None else record.alpha), 4, lang),
            t(" (nach Benjamini-Hochberg für viele Tests korrigiert)", " (corrected for many tests by "
              "Benjamini-Hochberg)") if record.fdr else ""),
        t("Zusammenhängende signifikante HH-Quartiere bilden ein Gebiet: ein Vorschlag für die Gebietskulisse eines "
          "integrierten Handlungskonzepts, der vor Ort geprüft werden muss.",
          "Contiguous significant HH quarters form one area: a proposal for the area of an integrated action plan, "
          "to be checked on the ground.")]
    legend = [{"kind": kind, "label": "{} – {}".format(kind, TYPE_WORDS[kind][position]),
               "color": HOTSPOT_TYPE_COLORS[kind], "count": int(types.get(kind, 0))}
              for kind in ("HH", "HL", "LH", "LL", "ns")]
    summary = t("Moran's I für die ganze Stadt: {} (0 = kein räumliches Muster, nahe 1 = starke Häufung). {} "
                "Gebiet(e) aus {} signifikanten HH-Quartieren.",
                "Moran's I for the whole town: {} (0 = no spatial pattern, near 1 = strong clustering). {} area(s) "
                "of {} significant HH quarters.").format(
        number(to_float(record.moran_i), 2, lang), record.n_clusters, int(types.get("HH", 0)))
    return {"title": t("Gebietskulisse: Häufungen von Bedarf", "Funding areas: clusters of need"),
            "summary": summary, "method": method, "legend": legend, "fills": fills, "areas": areas,
            "map_title": t("Häufungen von Bedarf (lokales Moran's I)", "Clusters of need (local Moran's I)"),
            "not_published_color": NOT_PUBLISHED}
