"""Styles for result layers: every output of the provider loads coloured, with a legend.

Classes (index, coverage): higher class = more need = darker red (ColorBrewer "YlOrRd", readable for
the common forms of colour blindness and in greyscale print); areas not rated are grey so they do
not read as "no need". Status x dynamics (MSS), robustness and catchments: see the functions below;
their colours come from :mod:`..core.palettes`. The method record of a result travels with the
loaded layer as a custom property, so the report can state how the result came about.
"""

import traceback

import numpy as np

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsColorBrewerColorRamp,
    QgsExpression,
    QgsFeatureRequest,
    QgsGraduatedSymbolRenderer,
    QgsMessageLog,
    QgsProcessingLayerPostProcessorInterface,
    QgsRendererCategory,
    QgsRendererRange,
    QgsSingleSymbolRenderer,
    QgsSymbol,
)
from qgis.PyQt.QtGui import QColor

from ..core.classify import default_labels, quantile_breaks
from ..core.diagnostics import ROBUSTNESS_WORDS, robustness_limits
from ..core.errors import de_en, format_number, language
from ..core.method_record import record_from_dict
from ..core.mss import gesamt_code, status_dynamic_label
from ..core.hotspots import TYPE_WORDS
from ..core.palettes import (
    ALLOCATION_DIFFERENCE_COLORS,
    CATCHMENT_RAMP,
    DEMAND_COLORS,
    HOTSPOT_TYPE_COLORS,
    NETWORK_COLORS,
    ROBUSTNESS_COLORS,
    STATUS_DYNAMIC_COLORS,
)
from . import compat
from .layers import resolve_fields
from .method_record import METHOD_PROPERTY

NOT_RATED_COLOR = "#bdbdbd"


def class_colors(n_classes, ramp="YlOrRd"):
    """``n_classes`` hex colours of a ColorBrewer ramp (QGIS's own), light to dark."""
    brewer = QgsColorBrewerColorRamp(ramp, max(3, min(9, n_classes)))
    if n_classes == 1:
        return [brewer.color(1.0).name()]
    return [brewer.color(i / (n_classes - 1)).name() for i in range(n_classes)]


def not_rated_label():
    """The legend entry of areas without a class."""
    return "nicht bewertet" if language() == "de" else "not rated"


def categorized_renderer(geometry_type, attribute, entries, missing=None):
    """A categorised renderer on ``attribute`` (a field or an expression): one category per
    ``(value, label, colour)`` of ``entries`` in that order, then ``missing = (label, colour)`` for NULL."""
    categories = []
    for value, label, color in list(entries) + ([(None,) + tuple(missing)] if missing else []):
        symbol = QgsSymbol.defaultSymbol(geometry_type)
        symbol.setColor(QColor(color))
        categories.append(QgsRendererCategory(value, symbol, label))
    return QgsCategorizedSymbolRenderer(attribute, categories)


def class_renderer(geometry_type, class_field, labels):
    """A categorised renderer on ``class_field`` (values 1..k) with ``labels`` in the legend."""
    entries = [(value, "{} {}".format(value, label), color)
               for value, (label, color) in enumerate(zip(labels, class_colors(len(labels))), start=1)]
    return categorized_renderer(geometry_type, class_field, entries, (not_rated_label(), NOT_RATED_COLOR))


def status_dynamic_renderer(geometry_type, code_field="gesamt_code"):
    """The MSS overlay on ``gesamt_code``: 12 categories, status 1..4 then dynamics +, +/-, - (as the MSS
    tables list them), colours of :data:`..core.palettes.STATUS_DYNAMIC_COLORS`, then "not rated"."""
    entries = [(gesamt_code(status, dynamic), "{} {}".format(gesamt_code(status, dynamic),
                                                           status_dynamic_label(status, dynamic)), color)
               for (status, dynamic), color in sorted(STATUS_DYNAMIC_COLORS.items())]
    return categorized_renderer(geometry_type, code_field, entries, (not_rated_label(), NOT_RATED_COLOR))


def breaks_renderer(geometry_type, field, breaks, labels, colors):
    """Classes of ``field`` by right-closed ``breaks`` b_1 < ... < b_{k-1} (class 1: v <= b_1, class j:
    b_{j-1} < v <= b_j, class k: v > b_{k-1}, as :func:`..core.classify.assign_classes`), one of ``labels``
    and ``colors`` each, NULL "not rated". A categorised renderer on an expression, so the unrated stay
    visible (a graduated renderer would not draw them)."""
    column = QgsExpression.quotedColumnRef(field)
    steps = "".join(" WHEN {} <= {!r} THEN {}".format(column, float(b), j) for j, b in enumerate(breaks, start=1))
    expression = "CASE WHEN {} IS NULL THEN NULL{} ELSE {} END".format(column, steps, len(breaks) + 1)
    entries = list(zip(range(1, len(breaks) + 2), labels, colors))
    return categorized_renderer(geometry_type, expression, entries, (not_rated_label(), NOT_RATED_COLOR))


def _limit_text(limit):
    return format_number(limit, 0 if float(limit).is_integer() else 1)


def robustness_renderer(geometry_type, n_rated, width_field="rang_spanne"):
    """Robustness of the rank by the width of its 5-95 % interval (``rang_spanne``), with the limits of
    :func:`..core.diagnostics.robustness_limits` for ``n_rated`` quarters: 1 robust, 2 moderately
    robust, 3 uncertain (the verdict the index check writes in ``robust``), NULL = not rated."""
    limits = robustness_limits(n_rated)
    robust_text, moderate_text = (_limit_text(limit) for limit in limits)
    spans = [de_en("Rangspanne bis {}", "rank interval up to {}").format(robust_text),
             de_en("Rangspanne bis {}", "rank interval up to {}").format(moderate_text),
             de_en("Rangspanne über {}", "rank interval above {}").format(moderate_text)]
    labels = ["{} ({})".format(de_en(*words), span) for words, span in zip(ROBUSTNESS_WORDS, spans)]
    return breaks_renderer(geometry_type, width_field, limits, labels, ROBUSTNESS_COLORS)


def rate_renderer(geometry_type, rate_field, values, n_classes=5):
    """A rate in ``n_classes`` classes of near equal counts (:func:`..core.classify.quantile_breaks` of the
    rated ``values``), light to dark red, labelled "bis 4,5 %" ...; one class when the values do not vary."""
    values = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    n_distinct = np.unique(values).size
    breaks = quantile_breaks(values, min(n_classes, n_distinct)) if n_distinct > 1 else []
    labels = ["{} %".format(label) for label in default_labels(breaks)] if breaks else [de_en("bewertet", "rated")]
    return breaks_renderer(geometry_type, rate_field, breaks, labels, class_colors(len(breaks) + 1))


def catchment_renderer(geometry_type, thresholds, distance_field="schwelle_m"):
    """Catchments graduated by ``schwelle_m``: one range per distance of ``thresholds`` (ascending), the
    smallest darkest (ColorBrewer GnBu, from its darkest step 1.0 down to 0.4), fills 45 % opaque with a
    solid darker outline, drawn largest first so the smaller catchments lie on top of the larger ones."""
    thresholds = sorted(float(t) for t in thresholds)
    # the darker two thirds of the 9-step ramp: the palest steps would vanish under a 45 % fill
    ramp = QgsColorBrewerColorRamp(CATCHMENT_RAMP, 9)
    steps = [1.0 - 0.6 * k / max(len(thresholds) - 1, 1) for k in range(len(thresholds))]
    colors = [ramp.color(step).name() for step in steps]
    ranges, lower = [], 0.0
    for upper, color in zip(thresholds, colors):
        symbol = QgsSymbol.defaultSymbol(geometry_type)
        fill = QColor(color)
        fill.setAlphaF(0.45)
        symbol.setColor(fill)
        symbol.symbolLayer(0).setStrokeColor(QColor(color).darker(130))
        symbol.symbolLayer(0).setStrokeWidth(0.4)
        label = de_en("bis {} m", "up to {} m").format(format_number(upper, 0))
        ranges.append(QgsRendererRange(lower, upper, symbol, label))
        lower = upper
    renderer = QgsGraduatedSymbolRenderer(distance_field, ranges)
    renderer.setOrderBy(QgsFeatureRequest.OrderBy([QgsFeatureRequest.OrderByClause(
        QgsExpression.quotedColumnRef(distance_field), False)]))
    renderer.setOrderByEnabled(True)
    return renderer


def named_by_default(name):
    """True when ``name`` is a name Processing gives a result by default: none, "output", or the name or description
    of one of the plugin's outputs. A name a model gives its output (``versorgung_kita`` or "Versorgung Kitas") is
    not."""
    if not name or name.lower() == "output":
        return True
    provider = QgsApplication.processingRegistry().providerById("sozialraum")
    return provider is None or any(name in (definition.name(), definition.description())
                                   for algorithm in provider.algorithms()
                                   for definition in algorithm.destinationParameterDefinitions())


def apply_renderer(layer, make_renderer, title="", method=None):
    """Give ``layer`` the renderer ``make_renderer(geometry_type)``, the ``method`` record and the name ``title``
    unless it already carries a name of its own (:func:`named_by_default`): two outputs of a model stay apart."""
    if layer is None:
        return
    if layer.isSpatial():
        layer.setRenderer(make_renderer(layer.geometryType()))
        layer.triggerRepaint()
    if title and named_by_default(layer.name()):
        layer.setName(title)
    if method is not None:
        layer.setCustomProperty(METHOD_PROPERTY, record_from_dict(method).to_json())


def stored_name(layer, field):
    """``field`` as ``layer`` stores it: a Shapefile keeps 10 characters (``gesamt_code`` -> ``gesamt_cod``)."""
    return resolve_fields(layer.fields(), [field]).get(field, field)


def apply_class_style(layer, class_field, labels, title="", method=None):
    """Style ``layer`` by class and keep ``method`` (a dict) on it as a custom property."""
    field = stored_name(layer, class_field)
    apply_renderer(layer, lambda geometry_type: class_renderer(geometry_type, field, labels), title, method)


def _values(layer, field):
    """The distinct non-NULL values of ``field`` in ``layer`` (none when the layer lacks the field)."""
    index = layer.fields().indexOf(stored_name(layer, field))
    if index < 0:
        return []
    return [v for v in layer.uniqueValues(index) if v is not None and not (hasattr(v, "isNull") and v.isNull())]


def apply_status_dynamic_style(layer, title="", method=None):
    """The MSS overlay (:func:`status_dynamic_renderer`); a result without dynamics (no ``gesamt_code``)
    is styled by its status class alone."""
    if _values(layer, "gesamt_code"):
        code_field = stored_name(layer, "gesamt_code")
        apply_renderer(layer, lambda geometry_type: status_dynamic_renderer(geometry_type, code_field), title, method)
    else:
        apply_class_style(layer, "status_class", [status_dynamic_label(status) for status in (1, 2, 3, 4)],
                          title, method)


def apply_robustness_style(layer, title="", method=None):
    """Robustness (:func:`robustness_renderer`) with n = the quarters the layer rates (``rang_basis`` set)."""
    index = layer.fields().indexOf("rang_basis")
    n_rated = 0
    if index >= 0:
        request = QgsFeatureRequest().setFilterExpression(
            "{} IS NOT NULL".format(QgsExpression.quotedColumnRef("rang_basis")))
        request.setFlags(compat.REQUEST_NO_GEOMETRY).setSubsetOfAttributes([index])
        n_rated = sum(1 for _ in layer.getFeatures(request))
    width_field = stored_name(layer, "rang_spanne")
    apply_renderer(layer, lambda geometry_type: robustness_renderer(geometry_type, n_rated, width_field), title,
                   method)


def apply_catchment_style(layer, title="", method=None):
    """Catchments (:func:`catchment_renderer`) with the distances the layer holds."""
    thresholds = _values(layer, "schwelle_m")
    apply_renderer(layer, lambda geometry_type: catchment_renderer(geometry_type, thresholds), title, method)


def apply_rate_style(layer, rate_field, title="", method=None):
    """The rate ``rate_field`` in classes of near equal counts (:func:`rate_renderer`) of the values in the layer."""
    values = [float(v) for v in _values(layer, rate_field)]
    field = stored_name(layer, rate_field)
    apply_renderer(layer, lambda geometry_type: rate_renderer(geometry_type, field, values), title, method)


def _symbol(geometry_type, color, size=None):
    """The default symbol of ``geometry_type`` in ``color``; ``size``: line width or marker size in mm."""
    symbol = QgsSymbol.defaultSymbol(geometry_type)
    symbol.setColor(QColor(color))
    if size is not None:
        (symbol.setWidth if geometry_type == compat.GEOMETRY_LINE else symbol.setSize)(size)
    return symbol


def _flag_renderer(geometry_type, expression, shown, flagged):
    """Two categories on ``expression`` (1 = ``shown``, 2 = ``flagged``), each ``(label, colour, size)``; the
    flagged features are drawn last, on top."""
    categories = [QgsRendererCategory(value, _symbol(geometry_type, color, size), label)
                  for value, (label, color, size) in ((1, shown), (2, flagged))]
    renderer = QgsCategorizedSymbolRenderer(expression, categories)
    renderer.setOrderBy(QgsFeatureRequest.OrderBy([QgsFeatureRequest.OrderByClause(expression, True)]))
    renderer.setOrderByEnabled(True)
    return renderer


def apply_network_style(layer, title="", method=None):
    """The checked path network: the largest part thin grey, the separate parts thick orange on top
    (``komponente`` 0 is the largest part)."""
    apply_renderer(layer, lambda geometry_type: _flag_renderer(
        geometry_type, "CASE WHEN {} = 0 THEN 1 ELSE 2 END".format(QgsExpression.quotedColumnRef("komponente")),
        (de_en("größter zusammenhängender Teil", "largest connected part"), NETWORK_COLORS[0], 0.3),
        (de_en("getrennter Teil (nicht erreichbar vom größten)", "separate part (not reachable from the largest)"),
         NETWORK_COLORS[1], 0.9)), title, method)


def apply_network_problems_style(layer, kinds, title="", method=None):
    """The places to check by their kind ``art``: ``kinds`` = ``[(value, colour)]``, value as written."""
    apply_renderer(layer, lambda geometry_type: categorized_renderer(
        geometry_type, "art", [(value, value, color) for value, color in kinds]), title, method)


def apply_demand_style(layer, title="", method=None):
    """Coverage per demand point: reached points small and light, the points without a service in reach
    larger, dark orange and on top (``erreicht``)."""
    apply_renderer(layer, lambda geometry_type: _flag_renderer(
        geometry_type, "CASE WHEN {} THEN 1 ELSE 2 END".format(QgsExpression.quotedColumnRef("erreicht")),
        (de_en("Einrichtung in Reichweite", "service in reach"), DEMAND_COLORS[0], 1.2),
        (de_en("keine Einrichtung in Reichweite", "no service in reach"), DEMAND_COLORS[1], 2.0)), title, method)


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


def graduated_renderer(geometry_type, field_name, ranges):
    """A graduated renderer on ``field_name``: ``ranges`` ``[(lower, upper, legend label, colour)]``."""
    items = []
    for lower, upper, label, color in ranges:
        symbol = QgsSymbol.defaultSymbol(geometry_type)
        symbol.setColor(QColor(color))
        items.append(QgsRendererRange(lower, upper, symbol, label))
    return QgsGraduatedSymbolRenderer(field_name, items)


def apply_allocation_style(layer, title="", method=None):
    """The allocation minus the watering can (``differenz``) in four ranges symmetric around 0, from much less
    (blue) to much more (red), the reach set by the largest difference (colours of core.palettes)."""
    field = stored_name(layer, "differenz")
    values = [v for v in _values(layer, field) if v is not None]
    reach = max((abs(float(v)) for v in values), default=0.0) or 1.0
    edges = [-reach, -reach / 2, 0.0, reach / 2, reach]
    words = [de_en("deutlich weniger als Gießkanne", "much less than watering can"),
             de_en("weniger oder gleich", "less or equal"), de_en("mehr", "more"), de_en("deutlich mehr", "much more")]
    ranges = [(low, high, "{} ({} … {})".format(word, format_number(low, 0), format_number(high, 0)), color)
              for low, high, word, color in zip(edges[:-1], edges[1:], words, ALLOCATION_DIFFERENCE_COLORS)]
    apply_renderer(layer, lambda geometry_type: graduated_renderer(geometry_type, field, ranges), title, method)


def apply_hotspot_style(layer, title="", method=None):
    """Local Moran's I types (``lisa_typ``): HH, HL, LH, LL, not significant, then not rated (core.palettes)."""
    field = stored_name(layer, "lisa_typ")
    entries = [(key, "{} {}".format(key, de_en(*TYPE_WORDS[key])), HOTSPOT_TYPE_COLORS[key])
               for key in ("HH", "HL", "LH", "LL", "ns")]
    apply_renderer(layer, lambda geometry_type: categorized_renderer(
        geometry_type, field, entries, (not_rated_label(), "#ffffff")), title, method)


def apply_funding_area_style(layer, title="", method=None):
    """Funding areas as outlines in the colour of HH, without fill, so they can lie over any other map."""
    def outline(geometry_type):
        symbol = QgsSymbol.defaultSymbol(geometry_type)
        symbol.setColor(QColor(0, 0, 0, 0))
        symbol.symbolLayer(0).setStrokeColor(QColor(HOTSPOT_TYPE_COLORS["HH"]))
        symbol.symbolLayer(0).setStrokeWidth(0.8)
        return QgsSingleSymbolRenderer(symbol)

    apply_renderer(layer, outline, title, method)


def attach_layer_style(context, dest_id, apply_style, title, method=None):
    """Style the output ``dest_id`` with ``apply_style(layer, title, method)`` (one of the ``apply_*_style``
    functions) when Processing loads it into the project."""
    attach_style(context, dest_id, lambda layer: apply_style(layer, title, method))


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
