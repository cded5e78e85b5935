"""The 3 x 3 bivariate map style of the need x coverage typology, with a legend that reads as a grid.

Colours: :data:`..core.palettes.NEED_COVERAGE_COLORS` (how they were chosen and checked is written
there). A categorised renderer's legend is a list, so the nine entries come row by row as the 3 x 3
grid of :func:`..core.palettes.need_coverage_grid` reads: "Bedarf hoch · Versorgung gering",
"Bedarf hoch · Versorgung mittel", "Bedarf hoch · Versorgung gut", then medium and low need. That is
also the priority order (1 = act first). The report draws the same grid as an image
(:func:`..report.svg.bivariate_legend_svg`).
"""

from qgis.core import QgsLinePatternFillSymbolLayer, QgsSymbol
from qgis.PyQt.QtGui import QColor

from ..core.errors import de_en
from ..core.palettes import NO_TYPE_COLOR, NO_TYPE_HATCH_COLOR, need_coverage_grid
from . import compat
from .styling import apply_renderer, attach_style, categorized_renderer


def bivariate_renderer(geometry_type, code_field="typ_code"):
    """Categorised renderer on ``code_field`` ("3-3" ...): the nine cells row by row, then "no type", white
    with grey hatching on polygons, so it does not read as the light grey of low need and good coverage."""
    entries = [(code, label, color) for _, _, code, label, color in need_coverage_grid()]
    renderer = categorized_renderer(geometry_type, code_field, entries,
                                    (de_en("kein Typ (siehe Hinweis)", "no type (see note)"), NO_TYPE_COLOR))
    if geometry_type == compat.GEOMETRY_POLYGON:
        symbol = QgsSymbol.defaultSymbol(geometry_type)
        symbol.setColor(QColor(NO_TYPE_COLOR))
        hatch = QgsLinePatternFillSymbolLayer()
        hatch.setLineAngle(45.0)
        hatch.setDistance(1.2)
        hatch.setColor(QColor(NO_TYPE_HATCH_COLOR))
        symbol.appendSymbolLayer(hatch)
        renderer.updateCategorySymbol(len(entries), symbol)
    return renderer


def apply_bivariate_style(layer, title="", method=None, code_field="typ_code"):
    """Style ``layer`` as the bivariate typology map; keep ``method`` (a dict) on it."""
    apply_renderer(layer, lambda geometry_type: bivariate_renderer(geometry_type, code_field), title, method)


def attach_bivariate_style(context, dest_id, title, method):
    """Style the output ``dest_id`` as a bivariate map when Processing loads it into the project."""
    attach_style(context, dest_id, lambda layer: apply_bivariate_style(layer, title, method))
