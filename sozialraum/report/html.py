"""The HTML social report: one self-contained file (inline CSS, SVG maps and charts, data-URI logo).

The bundled template lives in ``resources/templates/bericht``; a user's own template folder is
rendered in jinja2's sandbox (see :mod:`.rendering`). Templates see:

``report``
    the model of :func:`.model.build_model` (``title``, ``summary``, ``figures``, ``top``,
    ``method``, ``indicators``, ``classes``, ``ranking``, ``quarters`` (by ID), ``profiles`` (in the
    profile order chosen), ``not_rated`` ...); each
    quarter also has ``anchor`` (HTML id), ``locator_svg`` and ``bars_svg``;
``defs_svg``, ``overview_svg``
    the shared map outlines (write ``defs_svg`` once, before any map) and the overview map;
``logo``
    a ``data:`` URI of the logo or an empty string.
"""

import os

from markupsafe import Markup

from .rendering import TEMPLATE_DIR, render_template, translator
from .svg import (MapFrame, bivariate_legend_svg, concentration_chart, indicator_bars, locator_map, map_defs,
                  overview_map)

REPORT_TEMPLATE_DIR = os.path.join(TEMPLATE_DIR, "bericht")
MAIN_TEMPLATE = "bericht.html"


def _union_bounds(shapes):
    boxes = [shape["bounds"] for shape in shapes if shape.get("bounds")]
    if not boxes:
        return 0.0, 0.0, 1.0, 1.0
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


_THEMATIC = (("sr-nc", "need_coverage_section"), ("sr-hot", "hotspots_section"), ("sr-alloc", "allocation_section"))


def thematic_sections(model):
    """``[(map id, section)]`` of every section with a map of its own: the coverage sections (``sr-cov<n>``),
    need x coverage, funding areas and allocation, where the model has them."""
    found = [("sr-cov{}".format(n), section) for n, section in enumerate(model.get("coverage_sections", []))]
    return found + [(map_id, model[key]) for map_id, key in _THEMATIC if model.get(key)]


def map_parts(model, shapes, metres=True):
    """``(defs_svg, overview_svg, locators, maps)``: the shared outlines, the overview map,
    ``{quarter key: locator svg}`` and ``{map id: svg}`` of the thematic sections (:func:`thematic_sections`).

    ``shapes``: ``{quarter key: {"rings", "bounds", "label_point"}}`` in the layer CRS (from
    :func:`sozialraum.adapters.map_images.quarter_shapes`); quarters without a shape get no map.
    """
    ordered = [(q, shapes[q["key"]]) for q in model["quarters"] if q["key"] in shapes]
    thematic = thematic_sections(model)
    if not ordered:
        return Markup(""), Markup(""), {}, {map_id: Markup("") for map_id, _ in thematic}
    frame = MapFrame(_union_bounds([shape for _, shape in ordered]))
    groups = {map_id: [section["fills"].get(q["key"], section["not_published_color"]) for q, _ in ordered]
              for map_id, section in thematic}
    defs = map_defs([shape for _, shape in ordered], frame, [q["color"] for q, _ in ordered], groups)
    markers = []
    top = {q["key"] for q in model["top"]}
    for q, shape in ordered:
        if q["key"] in top and shape.get("label_point"):
            u, v = frame.point(*shape["label_point"])
            markers.append((u, v, str(q["rank"])))
    # the maps' text alternatives; their data (every quarter's class) is the report's ranking table
    t = translator(model["lang"])
    overview = overview_map(frame, markers, metres=metres, lang=model["lang"],
                            title=t("Karte: {} der Quartiere nach Klassen", "Map: {} of the quarters by class").format(
                                model["index_name"]))
    located = t("Lage von {} in der Stadt", "Location of {} in the town")
    locators = {q["key"]: Markup(locator_map(frame, n, shape["bounds"], located.format(q["name"])))
                for n, (q, shape) in enumerate(ordered)}
    maps = {map_id: Markup(overview_map(frame, metres=metres, lang=model["lang"], group=map_id,
                                        title=section["map_title"]))
            for map_id, section in thematic}
    return Markup(defs), Markup(overview), locators, maps


def report_html(model, shapes, logo="", template_folder=None, metres=True):
    """The whole report as one HTML string.

    ``template_folder``: a user's template folder (rendered in the sandbox; its main file is
    ``bericht.html``), ``None`` for the bundled one.
    """
    defs, overview, locators, maps = map_parts(model, shapes, metres)
    quarters = []
    for n, quarter in enumerate(model["quarters"]):
        quarters.append(dict(quarter, anchor="q{}".format(n + 1), locator_svg=locators.get(quarter["key"], ""),
                             bars_svg=Markup(indicator_bars(quarter["indicators"], model["lang"]))
                             if quarter["indicators"] else ""))
    by_key = {q["key"]: q for q in quarters}
    sections = [dict(section, map_svg=maps["sr-cov{}".format(n)],
                     poor=[dict(p, anchor=by_key[p["anchor_key"]]["anchor"]) for p in section["poor"]])
                for n, section in enumerate(model.get("coverage_sections", []))]
    need_coverage = model.get("need_coverage_section")
    if need_coverage:
        need_coverage = dict(need_coverage, map_svg=maps["sr-nc"],
                             legend_svg=Markup(bivariate_legend_svg(model["lang"])),
                             first=[dict(p, anchor=by_key[p["anchor_key"]]["anchor"]) for p in need_coverage["first"]])
    hotspots = model.get("hotspots_section")
    if hotspots:
        hotspots = dict(hotspots, map_svg=maps["sr-hot"])
    allocation = model.get("allocation_section")
    if allocation:
        allocation = dict(allocation, map_svg=maps["sr-alloc"], chart_svg=Markup(concentration_chart(
            allocation["curve"]["x"], allocation["curve"]["y"], model["lang"], allocation["title"])))
    view = dict(model, quarters=quarters, coverage_sections=sections, need_coverage_section=need_coverage,
                allocation_section=allocation, hotspots_section=hotspots,
                ranking=[by_key[q["key"]] for q in model["ranking"]], top=[by_key[q["key"]] for q in model["top"]],
                not_rated=[by_key[q["key"]] for q in model["not_rated"]],
                profiles=[by_key[q["key"]] for q in model["profiles"]])
    folder = template_folder or REPORT_TEMPLATE_DIR
    return render_template(MAIN_TEMPLATE, folder, {"report": view, "defs_svg": defs, "overview_svg": overview,
                                                   "logo": logo or ""},
                           lang=model["lang"], sandboxed=template_folder is not None)
