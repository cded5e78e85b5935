"""The map palettes of sozialraum.core.palettes and the 3 x 3 legend image of sozialraum.report.svg.

Colour vision deficiencies are simulated with Machado, Oliveira & Fernandes (2009), severity 1.0, on
linear RGB; colours are compared in CIE L*a*b* (D65) by their CIE76 distance.
"""

import itertools
import math
import xml.etree.ElementTree as ET

import pytest

from sozialraum.core import errors
from sozialraum.core.mss import DYNAMIC_LABELS, STATUS_LABELS
from sozialraum.core.palettes import NEED_COVERAGE_COLORS, STATUS_DYNAMIC_COLORS, need_coverage_grid
from sozialraum.report.svg import bivariate_legend_svg

MACHADO = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
VISIONS = [("normal", None)] + sorted(MACHADO.items())


def _linear(channel):
    c = channel / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _lab(linear_rgb):
    """CIE L*a*b* (D65) of a linear sRGB triple."""
    r, g, b = linear_rgb
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
    f = [t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def seen(hex_color, matrix=None):
    """L*a*b* of ``hex_color`` as seen with the deficiency ``matrix`` (None = normal vision)."""
    linear = [_linear(int(hex_color[i:i + 2], 16)) for i in (1, 3, 5)]
    if matrix is not None:
        linear = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, linear)))) for row in matrix]
    return _lab(linear)


def closest_pair(colors, matrix):
    seen_colors = [seen(c, matrix) for c in colors]
    return min(math.dist(a, b) for a, b in itertools.combinations(seen_colors, 2))


def chroma(lab):
    return math.hypot(lab[1], lab[2])


# ------------------------------------------------------------------------------------------------
# need x coverage
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("vision, matrix", VISIONS, ids=[v for v, _ in VISIONS])
def test_need_coverage_colours_stay_apart_with_colour_vision_deficiencies(vision, matrix):
    colors = list(NEED_COVERAGE_COLORS.values())
    assert len(set(colors)) == 9
    assert closest_pair(colors, matrix) > 15  # CIE76: clearly different side by side


def test_need_coverage_priority_one_is_darkest_and_most_saturated_good_and_low_need_lightest():
    lab = {cell: seen(color) for cell, color in NEED_COVERAGE_COLORS.items()}
    assert min(lab, key=lambda cell: lab[cell][0]) == (3, 3)
    assert max(lab, key=lambda cell: chroma(lab[cell])) == (3, 3)
    assert max(lab, key=lambda cell: lab[cell][0]) == (1, 1)
    assert chroma(lab[(1, 1)]) < 1  # neutral grey: nothing to do reads as background
    # more need or poorer coverage is always darker
    for need, coverage in itertools.product((1, 2, 3), (1, 2)):
        assert lab[(need, coverage)][0] > lab[(need, coverage + 1)][0]
        assert lab[(coverage, need)][0] > lab[(coverage + 1, need)][0]


def test_need_coverage_grid_reads_row_by_row_from_high_need_and_poor_coverage():
    cells = need_coverage_grid("de")
    assert [code for _, _, code, _, _ in cells] == ["3-3", "3-2", "3-1", "2-3", "2-2", "2-1", "1-3", "1-2", "1-1"]
    assert [label for _, _, _, label, _ in cells[:3]] == [
        "Bedarf hoch · Versorgung gering", "Bedarf hoch · Versorgung mittel", "Bedarf hoch · Versorgung gut"]
    assert cells[-1][3] == "Bedarf gering · Versorgung gut"
    assert need_coverage_grid("en")[0][3] == "need high · coverage poor"
    assert all(color == NEED_COVERAGE_COLORS[(need, coverage)] for need, coverage, _, _, color in cells)


def test_need_coverage_grid_follows_the_current_language():
    try:
        errors.set_language("en")
        assert need_coverage_grid()[4][3] == "need medium · coverage medium"
    finally:
        errors.set_language("de")


SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("lang, need, coverage, words", [
    ("de", "Bedarf", "Versorgung", ["hoch", "mittel", "gering", "gering", "mittel", "gut"]),
    ("en", "Need", "Coverage", ["high", "medium", "low", "poor", "medium", "good"]),
])
def test_bivariate_legend_svg_is_a_3x3_grid_high_need_top_poor_coverage_left(lang, need, coverage, words):
    root = ET.fromstring(bivariate_legend_svg(lang, standalone=True))
    rects = root.findall(SVG + "rect")
    assert len(rects) == 9
    xs = sorted({float(r.get("x")) for r in rects})
    ys = sorted({float(r.get("y")) for r in rects})
    assert len(xs) == len(ys) == 3
    by_place = {(ys.index(float(r.get("y"))), xs.index(float(r.get("x")))): r for r in rects}
    for row, need_class in enumerate((3, 2, 1)):  # top row: high need
        for column, coverage_class in enumerate((3, 2, 1)):  # left column: poor coverage
            assert by_place[(row, column)].get("fill") == NEED_COVERAGE_COLORS[(need_class, coverage_class)]
    texts = [t.text for t in root.findall(SVG + "text")]
    assert texts[:6] == words and need in texts and coverage in texts
    inline = bivariate_legend_svg(lang)
    assert "xmlns" not in inline and 'role="img"' in inline  # inline in the HTML report: no http:// string


# ------------------------------------------------------------------------------------------------
# status x dynamics (MSS)
# ------------------------------------------------------------------------------------------------

def test_status_dynamic_colours_cover_the_12_groups_and_darken_with_worse_dynamics():
    assert set(STATUS_DYNAMIC_COLORS) == set(itertools.product(STATUS_LABELS, DYNAMIC_LABELS))
    colors = list(STATUS_DYNAMIC_COLORS.values())
    assert len(set(colors)) == 12
    assert closest_pair(colors, None) > 10
    for status in STATUS_LABELS:
        lightness = [seen(STATUS_DYNAMIC_COLORS[(status, dynamic)])[0] for dynamic in (1, 2, 3)]
        assert lightness[0] > lightness[1] > lightness[2]  # positiv light, stabil medium, negativ dark


@pytest.mark.parametrize("vision, matrix", VISIONS, ids=[v for v, _ in VISIONS])
def test_status_dynamic_groups_of_one_dynamic_class_stay_apart_with_colour_vision_deficiencies(vision, matrix):
    # the four status classes side by side (one dynamic class): the hue steps must survive every deficiency
    for dynamic in DYNAMIC_LABELS:
        colors = [STATUS_DYNAMIC_COLORS[(status, dynamic)] for status in STATUS_LABELS]
        assert closest_pair(colors, matrix) > 10, dynamic
