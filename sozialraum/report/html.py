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

from .rendering import TEMPLATE_DIR, render_template
from .svg import MapFrame, indicator_bars, locator_map, map_defs, overview_map

REPORT_TEMPLATE_DIR = os.path.join(TEMPLATE_DIR, "bericht")
MAIN_TEMPLATE = "bericht.html"


def _union_bounds(shapes):
    boxes = [shape["bounds"] for shape in shapes if shape.get("bounds")]
    if not boxes:
        return 0.0, 0.0, 1.0, 1.0
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def map_parts(model, shapes, metres=True):
    """``(defs_svg, overview_svg, locators)``: the shared outlines, the overview map and
    ``{quarter key: locator svg}``.

    ``shapes``: ``{quarter key: {"rings", "bounds", "label_point"}}`` in the layer CRS (from
    :func:`sozialraum.adapters.map_images.quarter_shapes`); quarters without a shape get no map.
    """
    ordered = [(q, shapes[q["key"]]) for q in model["quarters"] if q["key"] in shapes]
    if not ordered:
        return Markup(""), Markup(""), {}
    frame = MapFrame(_union_bounds([shape for _, shape in ordered]))
    defs = map_defs([shape for _, shape in ordered], frame, [q["color"] for q, _ in ordered])
    markers = []
    top = {q["key"] for q in model["top"]}
    for q, shape in ordered:
        if q["key"] in top and shape.get("label_point"):
            u, v = frame.point(*shape["label_point"])
            markers.append((u, v, str(q["rank"])))
    overview = overview_map(frame, markers, metres=metres, lang=model["lang"], title=model["index_name"])
    locators = {q["key"]: Markup(locator_map(frame, n, shape["bounds"], q["name"]))
                for n, (q, shape) in enumerate(ordered)}
    return Markup(defs), Markup(overview), locators


def report_html(model, shapes, logo="", template_folder=None, metres=True):
    """The whole report as one HTML string.

    ``template_folder``: a user's template folder (rendered in the sandbox; its main file is
    ``bericht.html``), ``None`` for the bundled one.
    """
    defs, overview, locators = map_parts(model, shapes, metres)
    quarters = []
    for n, quarter in enumerate(model["quarters"]):
        quarters.append(dict(quarter, anchor="q{}".format(n + 1), locator_svg=locators.get(quarter["key"], ""),
                             bars_svg=Markup(indicator_bars(quarter["indicators"], model["lang"]))
                             if quarter["indicators"] else ""))
    by_key = {q["key"]: q for q in quarters}
    view = dict(model, quarters=quarters, ranking=[by_key[q["key"]] for q in model["ranking"]],
                top=[by_key[q["key"]] for q in model["top"]], not_rated=[by_key[q["key"]] for q in model["not_rated"]],
                profiles=[by_key[q["key"]] for q in model["profiles"]])
    folder = template_folder or REPORT_TEMPLATE_DIR
    return render_template(MAIN_TEMPLATE, folder, {"report": view, "defs_svg": defs, "overview_svg": overview,
                                                   "logo": logo or ""},
                           lang=model["lang"], sandboxed=template_folder is not None)
