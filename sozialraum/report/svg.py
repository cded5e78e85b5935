"""Inline SVG for the HTML report: maps of the quarters and indicator bar charts (no QGIS).

Maps: every quarter outline is written ONCE as ``<path id="sr-qN">`` in a hidden ``<defs>``;
the class map is one ``<g id="sr-map">`` of ``<use>`` references with the class colours, and
every map (the overview and 450 locator maps) is ``<use href="#sr-map">`` plus a highlighted
``<use>`` of its own quarter inside a ``viewBox`` around it. So 450 profiles cost a few hundred
bytes each instead of the whole city every time.

Coordinates: the layer CRS, shifted to the map's upper left corner, scaled so the map is
:data:`MAP_SIZE` units wide or high, **y flipped** (SVG grows downwards) and rounded to whole
units; path segments are relative (``l dx dy``), which keeps numbers short. Strokes use
``vector-effect="non-scaling-stroke"`` so outlines stay thin at every zoom.

Inline ``<svg>`` in HTML5 needs no ``xmlns`` attribute, so none is written (the report must not
hold a single ``http://`` string); :func:`indicator_bars` with ``standalone=True`` writes a
standalone SVG file for the print layout, which does need it.
"""

import math

from markupsafe import escape

from ..core.palettes import COVERAGE_WORDS, NEED_WORDS, need_coverage_grid
from .rendering import number, translator

MAP_SIZE = 1000.0
WORSE_COLOR = "#d95f0e"
BETTER_COLOR = "#9ecae1"
MEAN_COLOR = "#252525"
HIGHLIGHT_COLOR = "#08306b"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


class MapFrame:
    """Layer coordinates -> SVG units: ``u = (x - xmin) * s``, ``v = (ymax - y) * s``.

    ``s = MAP_SIZE / max(width, height)`` of ``bounds = (xmin, ymin, xmax, ymax)``.
    """

    def __init__(self, bounds):
        xmin, ymin, xmax, ymax = (float(b) for b in bounds)
        span = max(xmax - xmin, ymax - ymin)
        self.xmin, self.ymax = xmin, ymax
        self.scale = MAP_SIZE / span if span > 0 else 1.0
        self.width = max(1.0, round((xmax - xmin) * self.scale))
        self.height = max(1.0, round((ymax - ymin) * self.scale))

    def point(self, x, y):
        """``(u, v)`` of the layer point ``(x, y)``."""
        return (x - self.xmin) * self.scale, (self.ymax - y) * self.scale

    def box(self, bounds, margin=0.6, minimum=60.0):
        """``(u, v, width, height)`` around ``bounds`` with ``margin`` × its size on every side.

        The box is square, at least ``minimum`` units wide, so small quarters still show their
        neighbours.
        """
        xmin, ymin, xmax, ymax = bounds
        u0, v1 = self.point(xmin, ymin)
        u1, v0 = self.point(xmax, ymax)
        size = max(u1 - u0, v1 - v0)
        side = max(minimum, size * (1 + 2 * margin))
        cu, cv = (u0 + u1) / 2, (v0 + v1) / 2
        return cu - side / 2, cv - side / 2, side, side


def path_data(rings, frame):
    """SVG path data of polygon ``rings`` (sequences of ``(x, y)``): ``M u v l du dv … z`` per ring.

    Rounded to whole units; points that round onto the previous one are dropped.
    """
    parts = []
    for ring in rings:
        previous = None
        steps = []
        points = list(ring)
        if len(points) > 1 and tuple(points[0]) == tuple(points[-1]):
            points = points[:-1]  # "z" closes the ring
        for x, y in points:
            u, v = frame.point(x, y)
            point = (int(round(u)), int(round(v)))
            if previous is None:
                steps.append("M{} {}".format(*point))
            elif point != previous:
                steps.append("{} {}".format(point[0] - previous[0], point[1] - previous[1]))
            else:
                continue
            if len(steps) == 2:
                steps[1] = "l" + steps[1]
            previous = point
        if len(steps) >= 3:
            parts.append(steps[0] + " ".join(steps[1:]) + "z")
    return "".join(parts)


def map_defs(shapes, frame, fills, groups=None):
    """The hidden ``<svg>`` with every outline (``#sr-q<n>``) and the class map ``#sr-map``.

    ``shapes``: list of dicts with ``rings`` (per quarter, in layer coordinates); ``fills``: one
    colour per shape. ``groups``: further maps of the same outlines, ``{group id: fills}`` (e.g. a
    coverage map per service type), each a ``<g id=…>`` of ``<use>`` references.
    """
    paths, drawn = [], []
    for n, shape in enumerate(shapes):
        data = path_data(shape["rings"], frame)
        if data:
            paths.append('<path id="sr-q{}" d="{}" vector-effect="non-scaling-stroke"/>'.format(n, data))
            drawn.append(n)

    def group(group_id, colours):
        uses = "".join('<use href="#sr-q{}" fill="{}"/>'.format(n, escape(colours[n])) for n in drawn)
        return '<g id="{}" stroke="#ffffff" stroke-width="0.7" stroke-linejoin="round">{}</g>'.format(
            escape(group_id), uses)

    maps = [group("sr-map", fills)] + [group(key, colours) for key, colours in (groups or {}).items()]
    return '<svg class="sr-defs" width="0" height="0" aria-hidden="true"><defs>{}{}</defs></svg>'.format(
        "".join(paths), "".join(maps))


def _scale_bar(frame, width_units, lang):
    """A scale bar of a round length (1, 2, 5 × 10^n m) about a fifth of the map width, lower left."""
    target = width_units / 5 / frame.scale
    if target <= 0:
        return ""
    exponent = 10 ** math.floor(math.log10(target))
    length = max(step * exponent for step in (1, 2, 5) if step * exponent <= target)
    units = length * frame.scale
    text = "{} km".format(number(length / 1000, 0 if length >= 1000 else 1, lang)) if length >= 500 else \
        "{} m".format(int(length))
    return ('<g class="sr-scale" font-size="{fs}"><rect x="{x}" y="{y}" width="{w:.0f}" height="{h}" '
            'fill="#ffffff" fill-opacity="0.8"/><path d="M{x1} {y1}h{u:.0f}" stroke="#252525" stroke-width="3"/>'
            '<text x="{x1}" y="{ty}" fill="#252525">{t}</text></g>').format(
        fs=int(width_units / 45), x=int(width_units * 0.02), y=int(width_units * 0.02), w=units + width_units * 0.04,
        h=int(width_units * 0.07), x1=int(width_units * 0.04), y1=int(width_units * 0.075), u=units,
        ty=int(width_units * 0.055), t=escape(text))


def overview_map(frame, markers=(), metres=True, lang="de", title="", group="sr-map"):
    """The class map (``group``: the id of a map in :func:`map_defs`) of the whole town with numbered
    ``markers`` ``[(u, v, text)]``, a north arrow and a scale bar."""
    pad = MAP_SIZE * 0.02
    width, height = frame.width + 2 * pad, frame.height + 2 * pad
    radius = MAP_SIZE / 70
    marks = "".join(
        '<g><circle cx="{u:.0f}" cy="{v:.0f}" r="{r:.0f}" fill="#ffffff" stroke="#252525" stroke-width="1.5" '
        'vector-effect="non-scaling-stroke"/><text x="{u:.0f}" y="{v:.0f}" dy="0.35em" text-anchor="middle" '
        'font-size="{fs:.0f}" font-weight="bold" fill="#252525">{t}</text></g>'.format(
            u=u, v=v, r=radius, fs=radius * 1.15, t=escape(text)) for u, v, text in markers)
    north = ('<g class="sr-north" transform="translate({x:.0f} {y:.0f})"><path d="M0 -{a:.0f} L{b:.0f} {a:.0f} L0 '
             '{c:.0f} L-{b:.0f} {a:.0f}z" fill="#252525"/><text y="{d:.0f}" text-anchor="middle" font-size="{fs:.0f}" '
             'fill="#252525">N</text></g>').format(x=frame.width + pad - MAP_SIZE * 0.03, y=MAP_SIZE * 0.06,
                                                    a=MAP_SIZE * 0.025, b=MAP_SIZE * 0.015, c=MAP_SIZE * 0.012,
                                                    d=-MAP_SIZE * 0.032, fs=MAP_SIZE * 0.025)
    scale = _scale_bar(frame, width, lang) if metres else ""
    return ('<svg class="sr-map" viewBox="{x:.0f} {y:.0f} {w:.0f} {h:.0f}" role="img" aria-label="{title}">'
            '<use href="#{group}"/>{marks}{north}<g transform="translate({x:.0f} {y2:.0f})">{scale}</g></svg>').format(
        x=-pad, y=-pad, w=width, h=height, title=escape(title), marks=marks, north=north, group=escape(group),
        y2=height - pad - width * 0.11, scale=scale)


def locator_map(frame, n, bounds, title=""):
    """A small map around quarter number ``n`` (its ``bounds`` in layer coordinates), outlined."""
    u, v, w, h = frame.box(bounds)
    return ('<svg class="sr-locator" viewBox="{:.0f} {:.0f} {:.0f} {:.0f}" role="img" aria-label="{}">'
            '<use href="#sr-map"/><use href="#sr-q{}" fill="none" stroke="{}" stroke-width="3"/></svg>').format(
        u, v, w, h, escape(title), n, HIGHLIGHT_COLOR)


def _wrap(text, width=28, lines=2):
    """``text`` in at most ``lines`` lines of about ``width`` characters (the last one shortened with …)."""
    words, out, current = str(text).split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = (current + " " + word).strip()
    out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return [line if len(line) <= width + 4 else line[: width + 3] + "…" for line in out]


BAR_ROW, BAR_TOP, BAR_LEGEND = 34, 6, 30


def bars_size(n_rows, width=600):
    """``(width, height)`` in px of :func:`indicator_bars` for ``n_rows`` indicators."""
    return width, BAR_TOP + BAR_ROW * n_rows + BAR_LEGEND


def indicator_bars(rows, lang="de", standalone=False, width=600):
    """Bar chart of one quarter's indicators against the average of the rated quarters.

    ``rows``: the ``indicators`` of a quarter in the report model (``label``, ``value``,
    ``mean``, ``text``, ``mean_text``, ``worse``, ``low``, ``high``). Per indicator the bar runs
    from 0 to the quarter's value on the scale ``[low, high]`` of all quarters; the black tick
    is the average. Orange = less favourable than the average, blue = more favourable.
    """
    t = translator(lang)
    row_height, top = BAR_ROW, BAR_TOP
    label_w, text_w = 215, 120
    x0, x1 = label_w + 8, width - text_w - 8
    height = bars_size(len(rows), width)[1]
    body = []
    for r, row in enumerate(rows):
        y = top + r * row_height
        low, high = row["low"], row["high"]
        span = (high - low) or 1.0

        def position(value, low=low, span=span):
            return x0 + (value - low) / span * (x1 - x0)

        lines = _wrap(row["label"], width=33)
        for i, line in enumerate(lines):
            baseline = y + 21 + (i - (len(lines) - 1) / 2) * 13
            body.append('<text x="0" y="{:.1f}" font-size="12" fill="#252525">{}</text>'.format(baseline,
                                                                                                 escape(line)))
        body.append('<rect x="{:.1f}" y="{}" width="{:.1f}" height="18" fill="#f0f0f0"/>'.format(
            x0, y + 8, x1 - x0))
        if row["value"] is not None:
            a, b = sorted((position(0.0), position(row["value"])))
            color = WORSE_COLOR if row["worse"] else BETTER_COLOR
            body.append('<rect x="{:.1f}" y="{}" width="{:.1f}" height="18" fill="{}"/>'.format(
                a, y + 8, max(b - a, 0.8), color))
        if row["mean"] is not None:
            m = position(row["mean"])
            body.append('<path d="M{:.1f} {}v26" stroke="{}" stroke-width="2.5"/>'.format(m, y + 4, MEAN_COLOR))
        body.append('<text x="{}" y="{}" font-size="12" fill="#252525">{} <tspan fill="#636363">(Ø {})</tspan>'
                    '</text>'.format(x1 + 8, y + 22, escape(row["text"]), escape(row["mean_text"])))
    y = top + row_height * len(rows) + 14
    legend = ('<rect x="{x0}" y="{y}" width="12" height="12" fill="{w}"/><text x="{x1}" y="{ty}" font-size="11" '
              'fill="#252525">{tw}</text><rect x="{x2}" y="{y}" width="12" height="12" fill="{b}"/><text x="{x3}" '
              'y="{ty}" font-size="11" fill="#252525">{tb}</text><path d="M{x4} {y}v12" stroke="{m}" '
              'stroke-width="2.5"/><text x="{x5}" y="{ty}" font-size="11" fill="#252525">{tm}</text>').format(
        x0=0, x1=16, x2=175, x3=191, x4=340, x5=347, y=y, ty=y + 10, w=WORSE_COLOR, b=BETTER_COLOR, m=MEAN_COLOR,
        tw=escape(t("ungünstiger als Ø", "less favourable than Ø")),
        tb=escape(t("günstiger als Ø", "more favourable than Ø")),
        tm=escape(t("Ø Mittel der bewerteten Quartiere", "Ø average of the rated quarters")))
    attributes = 'viewBox="0 0 {} {}"'.format(width, height)
    if standalone:
        attributes = 'xmlns="{}" width="{}" height="{}" {} font-family="DejaVu Sans, Arial, sans-serif"'.format(
            SVG_NAMESPACE, width, height, attributes)
    else:
        attributes += ' class="sr-bars" role="img" aria-label="{}"'.format(
            escape(t("Indikatoren im Vergleich zum Mittel", "Indicators compared with the average")))
    return "<svg {}>{}{}</svg>".format(attributes, "".join(body), legend)


LEGEND_CELL = 40


def bivariate_legend_svg(lang="de", standalone=False):
    """The 3 x 3 legend of the need x coverage map as an SVG string (colours of :mod:`..core.palettes`).

    Rows: need high (top) to low; columns: coverage poor (left) to good, so the cells read row by row
    in the order of the map layer's legend and of the priority: the darkest cell, high need and poor
    coverage, top left; the lightest, low need and good coverage, bottom right. ``standalone``: with
    ``xmlns`` and a size, for a file (the print layout); otherwise for inline use in the HTML report.
    """
    t = translator(lang)
    english = lang == "en"
    cell, left, top = LEGEND_CELL, 78, 8
    body = []
    for n, (_, _, _, label, color) in enumerate(need_coverage_grid(lang)):
        row, column = divmod(n, 3)
        body.append('<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" stroke-width="2">'
                    '<title>{}</title></rect>'.format(left + column * cell, top + row * cell, cell, cell, color,
                                                      escape(label)))
    for row, need in enumerate((3, 2, 1)):
        body.append('<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#252525">{}</text>'.format(
            left - 6, top + row * cell + cell / 2 + 4, escape(NEED_WORDS[need][english])))
    for column, coverage in enumerate((3, 2, 1)):
        body.append('<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#252525">{}</text>'.format(
            left + column * cell + cell / 2, top + 3 * cell + 15, escape(COVERAGE_WORDS[coverage][english])))
    grid_bottom = top + 3 * cell
    body.append('<text x="12" y="{}" font-size="12" font-weight="bold" text-anchor="middle" fill="#252525" '
                'transform="rotate(-90 12 {})">{}</text>'.format(top + 1.5 * cell, top + 1.5 * cell,
                                                                 escape(t("Bedarf", "Need"))))
    body.append('<text x="{}" y="{}" font-size="12" font-weight="bold" text-anchor="middle" fill="#252525">{}'
                '</text>'.format(left + 1.5 * cell, grid_bottom + 32, escape(t("Versorgung", "Coverage"))))
    width, height = left + 3 * cell + 8, grid_bottom + 40
    attributes = 'viewBox="0 0 {} {}"'.format(width, height)
    if standalone:
        attributes = 'xmlns="{}" width="{}" height="{}" {} font-family="DejaVu Sans, Arial, sans-serif"'.format(
            SVG_NAMESPACE, width, height, attributes)
    else:
        attributes += ' class="sr-bivariate-legend" role="img" aria-label="{}"'.format(
            escape(t("Legende: Bedarf und Versorgung, 3 × 3", "Legend: need and coverage, 3 × 3")))
    return "<svg {}>{}</svg>".format(attributes, "".join(body))


def concentration_chart(xs, ys, lang="de", title=""):
    """The concentration curve of an allocation: ``xs`` cumulative shares of the target population (0..1), ``ys``
    cumulative shares of the budget, quarters by need (greatest first); the diagonal is the watering can."""
    t = translator(lang)
    size, left, bottom = 260, 46, 40
    width, height = left + size + 12, size + bottom + 10

    def point(x, y):
        return left + x * size, 10 + (1.0 - y) * size

    ticks = []
    for step in (0.0, 0.25, 0.5, 0.75, 1.0):
        u, v = point(step, 0.0)
        ticks.append('<text x="{:.0f}" y="{:.0f}" font-size="11" text-anchor="middle" fill="#252525">{} %</text>'
                     .format(u, v + 16, number(100 * step, 0, lang)))
        u, v = point(0.0, step)
        ticks.append('<text x="{:.0f}" y="{:.0f}" font-size="11" text-anchor="end" fill="#252525">{} %</text>'
                     .format(u - 5, v + 4, number(100 * step, 0, lang)))
    curve = " ".join("{:.1f},{:.1f}".format(*point(float(x), float(y))) for x, y in zip(xs, ys))
    x0, y0 = point(0, 0)
    x1, y1 = point(1, 1)
    return ('<svg class="sr-chart" width="{w}" height="{h}" style="max-width: 100%; height: auto" '
            'viewBox="0 0 {w} {h}" '
            'role="img" aria-label="{title}"><rect x="{l}" y="10" width="{s}" height="{s}" fill="#ffffff" '
            'stroke="#bdbdbd"/>'
            '<line x1="{x0:.0f}" y1="{y0:.0f}" x2="{x1:.0f}" y2="{y1:.0f}" stroke="#737373" stroke-dasharray="4 3"/>'
            '<polyline points="{curve}" fill="none" stroke="{color}" stroke-width="2.5"/>{ticks}'
            '<text x="{cx:.0f}" y="{ly}" font-size="11" text-anchor="middle" fill="#252525">{xl}</text>'
            '<text x="12" y="{cy:.0f}" font-size="11" text-anchor="middle" fill="#252525" '
            'transform="rotate(-90 12 {cy:.0f})">{yl}</text></svg>').format(
        w=width, h=height, title=escape(title), l=left, s=size, x0=x0, y0=y0, x1=x1, y1=y1, curve=curve,
        color=WORSE_COLOR, ticks="".join(ticks), cx=left + size / 2, ly=height - 2, cy=10 + size / 2,
        xl=escape(t("Anteil der Zielgruppe (Quartiere nach Bedarf)", "share of the target group (quarters by need)")),
        yl=escape(t("Anteil des Budgets", "share of the budget")))
