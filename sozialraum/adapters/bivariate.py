"""A 3 x 3 bivariate map style for the need x coverage typology, with a legend ordered by priority.

Construction (Stevens 2015): two single-hue ramps of three steps, one per variable, each starting
from the same light grey, are blended by "multiply" (``c = a * b / 255`` per RGB channel):

* need (low -> high): grey, light orange, dark orange (ColorBrewer PuOr's oranges ``#fdb863``,
  ``#e66101``);
* coverage (good -> poor): grey, light blue, dark blue (ColorBrewer RdYlBu's blues ``#92c5de``,
  ``#2c7bb6``).

So "low need, good coverage" is light grey, high need alone reads orange, poor coverage alone
reads blue, and "high need, poor coverage" – priority 1 – is the darkest cell. Orange and blue
are the hue pair that the common red-green colour vision deficiencies keep apart; the test suite
checks, with the simulation of Machado, Oliveira & Fernandes (2009), that all nine colours stay
distinguishable for protanopia, deuteranopia and tritanopia.

Stevens, J. (2015): Bivariate Choropleth Maps: A How-to Guide. joshuastevens.net/cartography.
"""

from qgis.core import QgsCategorizedSymbolRenderer, QgsRendererCategory, QgsSymbol
from qgis.PyQt.QtGui import QColor

from ..core.typology import need_coverage_typology
from ..core.errors import de_en
from .styling import apply_renderer, attach_style

BASE = "#eeeeee"
NEED_RAMP = (BASE, "#fdb863", "#e66101")
COVERAGE_RAMP = (BASE, "#92c5de", "#2c7bb6")
NO_DATA_COLOR = "#ffffff"


def _rgb(hex_color):
    return [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]


def multiply(color_a, color_b):
    """The "multiply" blend of two ``#rrggbb`` colours: ``round(a * b / 255)`` per channel."""
    return "#" + "".join("{:02x}".format(int(round(a * b / 255.0))) for a, b in zip(_rgb(color_a), _rgb(color_b)))


def bivariate_color(need_class3, coverage_class3):
    """Colour of the cell need 1..3 (low..high) x coverage 1..3 (good..poor)."""
    return multiply(NEED_RAMP[need_class3 - 1], COVERAGE_RAMP[coverage_class3 - 1])


def legend_cells():
    """The nine cells ``[(code, label, priority, colour)]`` ordered by priority (1 = act first)."""
    cells = []
    for need in (1, 2, 3):
        for coverage in (1, 2, 3):
            code, label, priority = need_coverage_typology(need, coverage)
            cells.append((code, label, priority, bivariate_color(need, coverage)))
    return sorted(cells, key=lambda cell: cell[2])


def bivariate_renderer(geometry_type, code_field="typ_code"):
    """Categorised renderer on ``code_field`` ("3-3" ...): nine cells by priority, then "no data"."""
    categories = []
    for code, label, priority, color in legend_cells():
        symbol = QgsSymbol.defaultSymbol(geometry_type)
        symbol.setColor(QColor(color))
        categories.append(QgsRendererCategory(code, symbol, "{}. {}".format(priority, label)))
    symbol = QgsSymbol.defaultSymbol(geometry_type)
    symbol.setColor(QColor(NO_DATA_COLOR))
    categories.append(QgsRendererCategory(None, symbol, de_en("kein Typ (siehe Hinweis)", "no type (see note)")))
    return QgsCategorizedSymbolRenderer(code_field, categories)


def apply_bivariate_style(layer, title="", method=None, code_field="typ_code"):
    """Style ``layer`` as the bivariate typology map; keep ``method`` (a dict) on it."""
    apply_renderer(layer, lambda geometry_type: bivariate_renderer(geometry_type, code_field), title, method)


def attach_bivariate_style(context, dest_id, title, method):
    """Style the output ``dest_id`` as a bivariate map when Processing loads it into the project."""
    attach_style(context, dest_id, lambda layer: apply_bivariate_style(layer, title, method))
