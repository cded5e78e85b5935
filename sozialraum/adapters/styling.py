"""Styles for result layers: classes coloured with a colour-blind-safe ColorBrewer ramp, with a legend.

Higher class = more need = darker red (ColorBrewer "YlOrRd", readable for the common forms of
colour blindness and in greyscale print); areas not rated are grey and hatched-free so they do
not read as "no need". The method record of a result travels with the loaded layer as a custom
property, so the report can state how the result came about.
"""

import traceback

from qgis.core import (
    Qgis,
    QgsCategorizedSymbolRenderer,
    QgsColorBrewerColorRamp,
    QgsGraduatedSymbolRenderer,
    QgsMessageLog,
    QgsProcessingLayerPostProcessorInterface,
    QgsRendererCategory,
    QgsRendererRange,
    QgsSymbol,
)
from qgis.PyQt.QtGui import QColor

from ..core.errors import de_en, language
from ..core.method_record import record_from_dict
from .method_record import METHOD_PROPERTY

NOT_RATED_COLOR = "#bdbdbd"


def class_colors(n_classes, ramp="YlOrRd"):
    """``n_classes`` hex colours of a ColorBrewer ramp (QGIS's own), light to dark."""
    brewer = QgsColorBrewerColorRamp(ramp, max(3, min(9, n_classes)))
    if n_classes == 1:
        return [brewer.color(1.0).name()]
    return [brewer.color(i / (n_classes - 1)).name() for i in range(n_classes)]


def categorized_renderer(geometry_type, field_name, items):
    """A categorised renderer on ``field_name``: ``items`` ``[(value, legend label, #colour)]`` in legend order
    (value ``None`` for NULL)."""
    categories = []
    for value, label, color in items:
        symbol = QgsSymbol.defaultSymbol(geometry_type)
        symbol.setColor(QColor(color))
        categories.append(QgsRendererCategory(value, symbol, label))
    return QgsCategorizedSymbolRenderer(field_name, categories)


def class_renderer(geometry_type, class_field, labels):
    """A categorised renderer on ``class_field`` (values 1..k) with ``labels`` in the legend."""
    items = [(value, "{} {}".format(value, label), color)
             for value, (label, color) in enumerate(zip(labels, class_colors(len(labels))), start=1)]
    items.append((None, "nicht bewertet" if language() == "de" else "not rated", NOT_RATED_COLOR))
    return categorized_renderer(geometry_type, class_field, items)


def apply_categories(layer, field_name, items, title="", method=None):
    """Style ``layer`` by the categories ``items`` of ``field_name`` (see :func:`categorized_renderer`)."""
    apply_renderer(layer, lambda geometry_type: categorized_renderer(geometry_type, field_name, items), title,
                   method)


def attach_categories(context, dest_id, field_name, items, title, method):
    """Style the output ``dest_id`` by the categories ``items`` of ``field_name`` when Processing loads it."""
    items = list(items)
    attach_style(context, dest_id, lambda layer: apply_categories(layer, field_name, items, title, method))


def graduated_renderer(geometry_type, field_name, ranges):
    """A graduated renderer on ``field_name``: ``ranges`` ``[(lower, upper, legend label, #colour)]``."""
    items = []
    for lower, upper, label, color in ranges:
        symbol = QgsSymbol.defaultSymbol(geometry_type)
        symbol.setColor(QColor(color))
        items.append(QgsRendererRange(lower, upper, symbol, label))
    return QgsGraduatedSymbolRenderer(field_name, items)


def attach_graduated(context, dest_id, field_name, ranges, title, method):
    """Style the output ``dest_id`` by the value ranges ``ranges`` of ``field_name`` when Processing loads it."""
    ranges = list(ranges)
    attach_style(context, dest_id, lambda layer: apply_renderer(
        layer, lambda geometry_type: graduated_renderer(geometry_type, field_name, ranges), title, method))


def apply_renderer(layer, make_renderer, title="", method=None):
    """Give ``layer`` the renderer ``make_renderer(geometry_type)``, the name ``title`` and the ``method`` record."""
    if layer is None:
        return
    if layer.isSpatial():
        layer.setRenderer(make_renderer(layer.geometryType()))
        layer.triggerRepaint()
    if title:
        layer.setName(title)
    if method is not None:
        layer.setCustomProperty(METHOD_PROPERTY, record_from_dict(method).to_json())


def apply_class_style(layer, class_field, labels, title="", method=None):
    """Style ``layer`` by class and keep ``method`` (a dict) on it as a custom property."""
    apply_renderer(layer, lambda geometry_type: class_renderer(geometry_type, class_field, labels), title, method)


class _Styler(QgsProcessingLayerPostProcessorInterface):
    """Calls ``apply(layer)`` when Processing loads the result layer."""

    def __init__(self, apply):
        super().__init__()
        self.apply = apply

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802 (QGIS API)
        """Qt calls this while QGIS loads the result: an exception must not leave it (PyQt would abort
        QGIS). A style that fails leaves the layer loaded unstyled; the log has the traceback."""
        try:
            self.apply(layer)
        except Exception as error:  # noqa: BLE001 -- reported; the layer stays loaded
            QgsMessageLog.logMessage(traceback.format_exc(), "Sozialraum", Qgis.MessageLevel.Critical)
            message = de_en("Der Stil für „{}“ konnte nicht gesetzt werden: {}",
                            "The style of “{}” could not be applied: {}").format(layer.name(), error)
            if feedback is not None:
                feedback.reportError(message)


# Processing keeps only a C++ pointer to a post-processor: the Python object must stay alive.
_LIVE_STYLERS = []


# The style of each result, until the run knows whether it keeps it in its database (PostGIS: save_database_style).
_STYLES = {}


def attach_style(context, dest_id, apply):
    """Run ``apply(layer)`` on the output ``dest_id`` when Processing loads it into the project."""
    del_oldest = list(_STYLES)[:-50]
    for key in del_oldest:
        _STYLES.pop(key, None)
    _STYLES[dest_id] = apply
    if not context.willLoadLayerOnCompletion(dest_id):
        return
    styler = _Styler(apply)
    del _LIVE_STYLERS[:-20]
    _LIVE_STYLERS.append(styler)
    context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(styler)


def attach_class_style(context, dest_id, class_field, labels, title, method):
    """Style the output ``dest_id`` by ``class_field`` when Processing loads it into the project."""
    labels = list(labels)
    attach_style(context, dest_id, lambda layer: apply_class_style(layer, class_field, labels, title, method))


def save_database_style(dest_id, layer, name):
    """Keep the style attached to ``dest_id`` in the database of the PostGIS ``layer`` (table ``layer_styles``,
    as QGIS saves a style there) as its default style, so the result opens styled wherever it is loaded.
    Returns an error text ("" when saved or when the result has no style)."""
    apply = _STYLES.pop(dest_id, None)
    if apply is None or not layer.isValid():
        return ""
    apply(layer)
    result = layer.saveStyleToDatabase(name, "Sozialraum", True, "")
    return result if isinstance(result, str) else ""
