"""The report's thematic sections as print pages (no QGIS): one page per coverage section, the need x coverage
map, the funding areas and the allocation, each with a map (colours per quarter), a legend and the text.

The print layout (``adapters/print_layout.add_section_pages``) draws what :func:`print_sections` returns, so the
PDF states the same as the HTML report: the class meanings with counts, the method in words, the quarters that
need attention. Quarters under statistical confidentiality are grey there as in the HTML.
"""

from .rendering import translator

#: at most this many poorly served quarters are explained on a printed page (the others are named; their
#: profiles say why)
MAX_LISTED = 3


def _lines(rows):
    return ["• " + row for row in rows]


def print_sections(model):
    """``[{"title", "fills" {key: colour} or None, "legend" [(label, colour)], "paragraphs" [text]}]``."""
    t = translator(model["lang"])
    pages = []
    for section in model.get("coverage_sections") or []:
        legend = [("{} ({}): {}".format(c["label"], c["count"], c["meaning"]), c["color"])
                  for c in reversed(section["classes"])]
        if section["n_no_class"]:
            legend.append((t("keine Klasse ({})", "no class ({})").format(section["n_no_class"]),
                           section["not_published_color"]))
        if section["n_unpublished"]:
            legend.append((t("nicht veröffentlicht ({}): zu wenige Einwohner", "not published ({}): too few "
                             "inhabitants").format(section["n_unpublished"]), section["not_published_color"]))
        figures = ["{} {}".format(f["value"], f["label"]) for f in section["figures"]]
        poor = ["{}: {}".format(p["name"], p["sentence"]) for p in section["poor"][:MAX_LISTED]]
        paragraphs = ["; ".join(figures) + "."] if figures else []
        paragraphs += section["method"]
        paragraphs.append(t("Gering versorgte Quartiere:", "Poorly served quarters:") if poor else
                          t("Kein Quartier ist gering versorgt.", "No quarter is poorly served."))
        paragraphs += _lines(poor)
        if len(section["poor"]) > MAX_LISTED:
            paragraphs.append(t("Weitere: {} (die Gründe stehen in ihren Steckbriefen).",
                                "Further: {} (the reasons are in their profiles).").format(
                ", ".join(p["name"] for p in section["poor"][MAX_LISTED:])))
        pages.append({"title": t("Versorgung: {}", "Coverage: {}").format(section["title"]),
                      "fills": section["fills"], "legend": legend, "paragraphs": paragraphs})
    need = model.get("need_coverage_section")
    if need:
        legend = [("{} · {} ({})".format(t("Bedarf", "need") + " " + row["need"], cell["label"].split("·")[-1].strip(),
                                         cell["count"]), cell["color"]) for row in need["rows"] for cell in row["cells"]]
        if need["n_unpublished"]:
            legend.append((t("nicht veröffentlicht ({})", "not published ({})").format(need["n_unpublished"]),
                           need["not_published_color"]))
        first = [q["name"] for q in need["first"]]
        paragraphs = [need["explanation"], t("Priorität 1 (hoher Bedarf, geringe Versorgung): {}.",
                                             "Priority 1 (high need, poor coverage): {}.").format(
            ", ".join(first) if first else "–")]
        pages.append({"title": need["title"], "fills": need["fills"], "legend": legend, "paragraphs": paragraphs})
    hotspots = model.get("hotspots_section")
    if hotspots:
        legend = [(item["label"] + " ({})".format(item["count"]), item["color"]) for item in hotspots["legend"]]
        paragraphs = [hotspots["summary"]] + hotspots["method"]
        for area in hotspots["areas"]:
            paragraphs.append("{} {}: {} – {}".format(t("Gebiet", "Area"), area["number"], ", ".join(area["quarters"]),
                                                      "; ".join("{} {} ({} {})".format(v["label"], v["area"],
                                                                                       t("Stadt", "town"), v["city"])
                                                                for v in area["figures"])))
        pages.append({"title": hotspots["title"], "fills": hotspots["fills"], "legend": legend,
                      "paragraphs": paragraphs})
    allocation = model.get("allocation_section")
    if allocation:
        top = ["{} ({}): {}".format(r["name"], r["klass_text"], r["amount_text"])
               for r in allocation["rows"][:12]]
        paragraphs = [allocation["summary"]] + allocation["method"] + [
            t("Größte Zuweisungen:", "Largest allocations:")] + _lines(top)
        legend = [("{} ({})".format(item["label"], item["count"]), item["color"])
                  for item in reversed(allocation["legend"])]
        legend.append((t("nicht veröffentlicht ({})", "not published ({})").format(allocation["n_unpublished"]),
                       allocation["not_published_color"]))
        pages.append({"title": allocation["title"], "fills": allocation["fills"], "legend": legend,
                      "paragraphs": paragraphs})
    return pages
