"""The PDF social report from a QGIS print layout template (``.qpt``) and QGIS's atlas.

The template is ONE layout that users can open and change in the Layout Designer (Project >
Import Layout from Template / Layout > Add Items from Template): every page but the last is the
**overview** (title, key figures, overview map, method, ranking), the **last page is the
quarter profile** ("Quartierssteckbrief") that is repeated for every quarter. This module
splits the template into those two layouts; the profile becomes an atlas over the quarters
(:class:`QgsLayoutAtlas`), and :class:`QgsLayoutExporter` writes the overview pages and then every
atlas page into one PDF (:class:`OverviewThenAtlas`). The profile pages are rendered exactly as
``native:atlaslayouttopdf`` renders an atlas; QGIS's own "Report" (QgsReport) was measured a
quarter slower per page and is not needed for one overview plus one page per feature.

The layout reads everything it shows from memory layers and layout variables built here from
the report model, so a user template can use the same names:

* layer ``sozialraum_quartiere`` (polygons): :data:`QUARTER_FIELDS`, styled by class with the
  plugin's class style; ``sozialraum_auswahl``: the same outlines, drawn only for the current
  quarter (``@atlas_feature``); ``sozialraum_indikatorwerte``: one row per quarter and
  indicator (filter ``"kennung" = attribute(@atlas_feature, 'kennung')``);
  ``sozialraum_indikatoren`` and ``sozialraum_klassen`` for the method page;
* variables ``@sr_title``, ``@sr_organisation``, ``@sr_index_name``, ``@sr_data_date``,
  ``@sr_created``, ``@sr_summary``, ``@sr_figures``, ``@sr_method``, ``@sr_sources``,
  ``@sr_logo`` (PNG path or empty), ``@sr_lang`` (``de``/``en``), ``@sr_pages``.

Map items with the id ``karte_uebersicht`` show the classes, ``karte_quartier`` the classes and
the current quarter (it follows the atlas feature). Tables get their column headings in the
report language by field name (:data:`HEADINGS`). Only QGIS classes are used: no web map, no
external PDF tool.
"""

import os

from qgis.core import (
    QgsAbstractLayoutIterator,
    QgsBasicNumericFormat,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsFillSymbol,
    QgsLayoutExporter,
    QgsLayoutItemAttributeTable,
    QgsLayoutItem,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemScaleBar,
    QgsLayoutItemShape,
    QgsLayoutMeasurement,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLegendRenderer,
    QgsPalLayerSettings,
    QgsPrintLayout,
    QgsProject,
    QgsReadWriteContext,
    QgsRuleBasedRenderer,
    QgsTextBackgroundSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
    QgsVectorSimplifyMethod,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QRectF, QSizeF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QFontMetricsF
from qgis.PyQt.QtXml import QDomDocument

from ..core.errors import InputError
from . import compat
from .styling import apply_class_style

DEFAULT_TEMPLATE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "resources",
                                "templates", "sozialbericht.qpt")
QUARTERS = "sozialraum_quartiere"
HIGHLIGHT = "sozialraum_auswahl"
VALUES = "sozialraum_indikatorwerte"
INDICATORS = "sozialraum_indikatoren"
CLASSES = "sozialraum_klassen"
OVERVIEW_MAP = "karte_uebersicht"
PROFILE_MAP = "karte_quartier"
FOOTER = "fusszeile"
LABEL_MARGIN_MM = 2.0  # map labels keep this distance from the map's frame
PRINT_GENERALISATION_MM = 0.2  # outlines are drawn with vertices at least this far apart on paper

_TYPES = {str: "string(0)", int: "integer"}  # string(0): no length limit (plain "string" cuts at 255)
QUARTER_FIELDS = [
    ("kennung", str), ("name", str), ("rang", int), ("rang_text", str), ("indexwert", str), ("klasse", int),
    ("klasse_text", str), ("einwohner", str), ("dynamik", str), ("versorgung", str), ("hinweis", str),
    ("bewertet", int), ("_rangfolge", int), ("_reihenfolge", int), ("_seite", int), ("_fakten", str),
    ("_satz", str), ("_diagramm", str),
]
VALUE_FIELDS = [("kennung", str), ("indikator", str), ("wert_quartier", str), ("mittel", str), ("abweichung", str),
                ("_reihenfolge", int)]
INDICATOR_FIELDS = [("indikator", str), ("feld", str), ("richtung", str), ("gewicht", str), ("mittel", str),
                    ("sd", str), ("_reihenfolge", int)]
CLASS_FIELDS = [("klasse", int), ("bezeichnung", str), ("bereich", str), ("anzahl", int), ("einwohner", str)]

#: Column headings of the layout tables by field name: (German, English).
HEADINGS = {
    "rang_text": ("Rang", "Rank"), "kennung": ("Kennung", "ID"), "name": ("Quartier", "Quarter"),
    "indexwert": ("Indexwert", "Index value"), "klasse": ("Klasse", "Class"), "klasse_text": ("Klasse", "Class"),
    "einwohner": ("Einwohner", "Inhabitants"), "dynamik": ("Dynamik", "Dynamics"),
    "versorgung": ("Versorgung", "Coverage"), "hinweis": ("Hinweis", "Note"), "indikator": ("Indikator", "Indicator"),
    "wert_quartier": ("Quartier", "Quarter"), "mittel": ("Mittel", "Average"),
    "abweichung": ("Abweichung (SD)", "Deviation (SD)"), "feld": ("Feld", "Field"),
    "richtung": ("Richtung", "Direction"), "gewicht": ("Gewicht", "Weight"), "sd": ("Std.-Abw.", "SD"),
    "bezeichnung": ("Bezeichnung", "Label"), "bereich": ("Wertebereich", "Range"),
    "anzahl": ("Quartiere", "Quarters"),
}


# ---------------------------------------------------------------------------------------------
# layers
# ---------------------------------------------------------------------------------------------


def memory_layer(name, fields, geometry="None", crs=None):
    """An empty memory layer ``name`` with ``fields`` ``[(name, str|int)]``, geometry type ``geometry``."""
    uri = "{}?{}".format(geometry, "&".join("field={}:{}".format(field, _TYPES[kind]) for field, kind in fields))
    layer = QgsVectorLayer(uri, name, "memory")
    if crs is not None and geometry != "None":
        layer.setCrs(crs)
    return layer


def _add_rows(layer, rows, geometries=None):
    features = []
    for n, row in enumerate(rows):
        feature = QgsFeature(layer.fields())
        feature.setAttributes(list(row))
        if geometries is not None and geometries[n] is not None:
            feature.setGeometry(geometries[n])
        features.append(feature)
    if not layer.dataProvider().addFeatures(features)[0]:
        raise RuntimeError("features could not be added to {}: {}".format(layer.name(),
                                                                          layer.dataProvider().lastError()))
    if geometries is not None:
        layer.dataProvider().createSpatialIndex()  # every map page asks for the features in its extent
    layer.updateExtents()


def _fact_text(quarter):
    return "\n".join("{}: {}".format(fact["label"], fact["text"]) for fact in quarter["facts"])


def report_layers(model, geometries, crs, geometry_type, chart_paths):
    """The memory layers of the report (see the module docstring), styled.

    ``geometries``: ``{quarter key: QgsGeometry}``; ``chart_paths``: ``{key: svg file}``. The
    page numbers (``_seite``) are set by :func:`number_pages` once the overview's length is known.
    """
    t = (lambda de, en: en) if model["lang"] == "en" else (lambda de, en: de)
    quarters = memory_layer(QUARTERS, QUARTER_FIELDS, QgsWkbTypes.displayString(geometry_type), crs)
    order = {q["key"]: n for n, q in enumerate(model["ranking"] + model["not_rated"])}
    profile_page = {q["key"]: n for n, q in enumerate(model["profiles"])}
    rows, shapes = [], []
    for q in model["quarters"]:
        coverage = "; ".join("{}: {}".format(c["title"], c["label"]) for c in q["coverage"])
        dynamics = q["dynamics"]["label"] if q["dynamics"] and q["dynamics"].get("label") else ""
        rows.append([q["id"], q["name"], q["rank"], str(q["rank"]) if q["rank"] else "–", q["value_text"],
                     q["klass"], q["klass_text"], q["population_text"], dynamics, coverage, q["reason"],
                     1 if q["rated"] else 0, order[q["key"]] + 1, profile_page[q["key"]] + 1, None, _fact_text(q),
                     q["print_sentence"], chart_paths.get(q["key"], "")])
        shapes.append(geometries.get(q["key"]))
    _add_rows(quarters, rows, shapes)
    labels = [c["label"] for c in model["classes"]]
    apply_class_style(quarters, "klasse", labels)
    renderer = quarters.renderer()
    for index, category in enumerate(renderer.categories()):
        if category.value() is None or category.value() == "":
            renderer.updateCategoryLabel(index, "{} ({})".format(
                t("nicht bewertet", "not rated"), len(model["not_rated"])))
        else:
            renderer.updateCategoryLabel(index, _class_legend_text(model, int(category.value()), t))
    # most need on top, "not rated" last
    rated = sorted((c for c in renderer.categories() if c.value() not in (None, "")), key=lambda c: -int(c.value()))
    for position, category in enumerate(rated):
        renderer.moveCategory(renderer.categoryIndexForValue(category.value()), position)
    for index, category in enumerate(renderer.categories()):
        symbol = category.symbol().clone()
        symbol.symbolLayer(0).setStrokeColor(QColor("#ffffff"))
        symbol.symbolLayer(0).setStrokeWidth(0.2)
        renderer.updateCategorySymbol(index, symbol)
    _label_quarters(quarters)

    highlight = memory_layer(HIGHLIGHT, [("kennung", str)], QgsWkbTypes.displayString(geometry_type), crs)
    _add_rows(highlight, [[q["id"]] for q in model["quarters"]], shapes)
    outline = QgsFillSymbol.createSimple({"style": "no", "outline_color": "#08306b", "outline_width": "0.9"})
    root = QgsRuleBasedRenderer.Rule(None)
    root.appendChild(QgsRuleBasedRenderer.Rule(outline, 0, 0, "\"kennung\" = attribute(@atlas_feature, 'kennung')"))
    highlight.setRenderer(QgsRuleBasedRenderer(root))

    values = memory_layer(VALUES, VALUE_FIELDS)
    _add_rows(values, [[q["id"], row["label"], row["text"], row["mean_text"], row["deviation_text"], j]
                       for q in model["quarters"] for j, row in enumerate(q["indicators"])])
    indicators = memory_layer(INDICATORS, INDICATOR_FIELDS)
    _add_rows(indicators, [[i["label"], i["field"], i["direction_text"], i["weight_text"], i["mean_text"],
                            i["sd_text"], j] for j, i in enumerate(model["indicators"])])
    classes = memory_layer(CLASSES, CLASS_FIELDS)
    _add_rows(classes, [[c["number"], c["label"], c["range"], c["count"],
                         "{:,.0f}".format(c["population"] or 0).replace(",", "." if model["lang"] == "de" else ",")
                         if c["population"] is not None else "–"] for c in model["classes"]])
    return {QUARTERS: quarters, HIGHLIGHT: highlight, VALUES: values, INDICATORS: indicators, CLASSES: classes}


def _label_quarters(layer):
    """Labels: the rank of the top ten in the overview map, the names in the profile map."""
    settings = QgsPalLayerSettings()
    # candidates all over the polygon, so a label can move away from the legend, scale bar or frame; beside it
    # where the quarter is too small (Berlin's rank 9 found no place inside)
    settings.placement = compat.LABEL_HORIZONTAL
    settings.setPolygonPlacementFlags(compat.polygon_placement(compat.LABEL_INSIDE_POLYGON,
                                                               compat.LABEL_OUTSIDE_POLYGON))
    settings.isExpression = True
    settings.fieldName = ("CASE WHEN @map_id = '{}' THEN if(\"rang\" <= 10, to_string(\"rang\"), NULL) "
                          "ELSE \"name\" END").format(OVERVIEW_MAP)
    text = QgsTextFormat()
    font = QFont("Arial")
    font.setBold(True)
    text.setFont(font)
    text.setSize(7)
    text.setBackground(label_box())
    settings.setFormat(text)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def label_box():
    """A light box behind each map label (white, three quarters opaque, 0.6 × 0.3 mm around the text).

    Instead of a white halo: QGIS writes a halo into the PDF as the stroked outline of every letter, about
    two thirds of a profile page's bytes (Berlin, 448 profiles: 51 of 75 MB were page drawings); a box is one
    rectangle and reads as well on the dark classes.
    """
    box = QgsTextBackgroundSettings()
    box.setEnabled(True)
    box.setType(QgsTextBackgroundSettings.ShapeRectangle)
    box.setSizeType(QgsTextBackgroundSettings.SizeBuffer)
    box.setSize(QSizeF(0.6, 0.3))
    box.setFillSymbol(QgsFillSymbol.createSimple({"color": "255,255,255,190", "outline_style": "no"}))
    return box


# ---------------------------------------------------------------------------------------------
# the template
# ---------------------------------------------------------------------------------------------


def _read_template(path):
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        raise InputError("Die Layoutvorlage {} kann nicht gelesen werden: {}".format(path, error),
                         "The layout template {} cannot be read: {}".format(path, error)) from None
    document = QDomDocument()
    if not document.setContent(text)[0]:
        raise InputError("Die Layoutvorlage {} ist kein gültiges QGIS-Layout (.qpt).".format(path),
                         "The layout template {} is not a valid QGIS layout (.qpt).".format(path))
    return document


def _remove_pages(layout, pages):
    """Remove ``pages`` (indices) with everything on them, multi-frame tables included."""
    collection = layout.pageCollection()
    for index in sorted(pages, reverse=True):
        for item in collection.itemsOnPage(index):
            if item.type() != collection.page(index).type():
                layout.removeLayoutItem(item)
        collection.deletePage(index)
    for frame_owner in list(layout.multiFrames()):
        if not frame_owner.frames():
            layout.removeMultiFrame(frame_owner)


def load_layouts(path, project):
    """``(overview, profile)``: the template at ``path`` split into its overview pages and its last page."""
    document = _read_template(path)
    layouts = []
    for _ in range(2):
        layout = QgsPrintLayout(project)
        layout.loadFromTemplate(document, QgsReadWriteContext())
        layouts.append(layout)
    overview, profile = layouts
    _remember_table_layers(document, layouts)
    pages = overview.pageCollection().pageCount()
    if pages < 2:
        raise InputError(
            "Die Layoutvorlage {} braucht mindestens zwei Seiten: Übersichtsseite(n) und als letzte Seite den "
            "Quartierssteckbrief.".format(path),
            "The layout template {} needs at least two pages: overview page(s) and, as the last page, the quarter "
            "profile.".format(path))
    positions = [(item, item.pagePositionWithUnits()) for item in profile.pageCollection().itemsOnPage(pages - 1)
                 if item.type() != profile.pageCollection().page(0).type()]
    _remove_pages(overview, [pages - 1])
    _remove_pages(profile, range(pages - 1))
    for item, position in positions:
        item.attemptMove(position, True, False, 0)
    return overview, profile


def _remember_table_layers(document, layouts):
    """Note on every attribute table the name of its layer in the template.

    Layer ids and item uuids change when a template is loaded; the tables come back in the
    order of the template, so the n-th table gets the layer name of the n-th table element.
    """
    names = []
    elements = document.elementsByTagName("LayoutMultiFrame")
    for n in range(elements.count()):
        element = elements.at(n).toElement()
        if element.hasAttribute("vectorLayerName"):
            names.append(element.attribute("vectorLayerName"))
    for layout in layouts:
        tables = [t for t in layout.multiFrames() if isinstance(t, QgsLayoutItemAttributeTable)]
        if len(tables) == len(names):
            for table, name in zip(tables, names):
                table.setProperty("sr_layer", name)


def _table_layer(table, by_name):
    """The report layer of ``table``: the one noted from the template if it has the table's columns,
    else the first report layer that has them all."""
    wanted = [column.attribute() for column in table.columns()]
    noted = by_name.get(table.property("sr_layer") or "")
    candidates = ([noted] if noted is not None else []) + [by_name[name] for name in
                                                           (VALUES, INDICATORS, CLASSES, QUARTERS)]
    for layer in candidates:
        names = layer.fields().names()
        if all(field in names for field in wanted):
            return layer
    return None


def _items(layout, cls):
    return [item for item in layout.items() if isinstance(item, cls)]


def _set_headings(layout, lang):
    position = 1 if lang == "en" else 0
    for table in layout.multiFrames():
        if not isinstance(table, QgsLayoutItemAttributeTable):
            continue
        columns = table.columns()
        for column in columns:
            heading = HEADINGS.get(column.attribute())
            if heading:
                column.setHeading(heading[position])
        table.setColumns(columns)


def _drop_empty_columns(table, layer):
    """Leave out columns whose field is empty in every row (e.g. coverage when none was given); the
    widest remaining column gets their width."""
    columns = table.columns()
    filled = {}
    for column in columns:
        index = layer.fields().lookupField(column.attribute())
        if index < 0:
            continue
        filled[column.attribute()] = any(str(value) not in ("", "NULL", "None", "–")
                                         for value in layer.uniqueValues(index) if value is not None)
    kept = [column for column in columns if filled.get(column.attribute(), True)]
    if len(kept) == len(columns) or not kept:
        return
    freed = sum(column.width() for column in columns if column not in kept)
    widest = max(kept, key=lambda column: column.width())
    widest.setWidth(widest.width() + freed)
    table.setColumns(kept)


def _class_legend_text(model, klass, t):
    """``5 – über 1,5 · hoch (4)``: class, its range, the need it stands for, how many quarters (the legend's
    title says so)."""
    row = model["classes"][klass - 1]
    meaning = "" if model["kind"] == "mss" else " · " + {1: t("gering", "low"), 2: t("mittel", "medium"),
                                                        3: t("hoch", "high")}[row["need"]]
    return "{} – {}{} ({})".format(klass, row["label"], meaning, row["count"])


def bind_layers(layout, layers, lang):
    """Point the maps, legends and tables of ``layout`` at the report layers."""
    quarters, highlight = layers[QUARTERS], layers[HIGHLIGHT]
    for item in _items(layout, QgsLayoutItemMap):
        item.setKeepLayerSet(True)
        item.setLayers([highlight, quarters] if item.id() == PROFILE_MAP else [quarters])
        if item.id() == PROFILE_MAP:
            item.setAtlasDriven(True)
        elif not item.atlasDriven():
            item.zoomToExtent(quarters.extent().buffered(max(quarters.extent().width(),
                                                             quarters.extent().height()) * 0.02))
    for legend in _items(layout, QgsLayoutItemLegend):
        legend.setAutoUpdateModel(False)
        root = legend.model().rootGroup()
        root.removeAllChildren()
        node = root.addLayer(quarters)
        QgsLegendRenderer.setNodeLegendStyle(node, compat.LEGEND_HIDDEN)
        legend.setTitle({"de": "Klassen · Bedarf (Anzahl)", "en": "Classes · need (number)"}[lang]
                        if not legend.title() else legend.title())
        legend.updateLegend()
    for scalebar in _items(layout, QgsLayoutItemScaleBar):
        scalebar.setNumericFormat(number_format(lang))
    by_name = {layer.name(): layer for layer in layers.values()}
    for table in layout.multiFrames():
        if isinstance(table, QgsLayoutItemAttributeTable):
            layer = _table_layer(table, by_name)
            if layer is not None and table.vectorLayer() is not layer:
                columns = table.columns()
                sort = table.sortColumns()
                table.setVectorLayer(layer)
                table.setColumns(columns)
                table.setSortColumns(sort)
            if layer is not None:
                _drop_empty_columns(table, layer)
    _set_headings(layout, lang)


def keep_labels_clear(layout):
    """Map labels of ``layout`` stay inside their map and off the map furniture drawn over it.

    Every item above a map that overlaps it (legend, scale bar, north arrow, text) blocks the map's labels there
    (QGIS's label blocking items: the label moves elsewhere in its quarter or is left out), and labels keep
    :data:`LABEL_MARGIN_MM` from the map's frame (a larger margin of the template stays); labels partly outside
    the map are not drawn (the map's default). Works for user templates too: nothing is looked up by id.
    """
    items = [item for item in layout.items()
             if isinstance(item, QgsLayoutItem) and not isinstance(item, (QgsLayoutItemPage, QgsLayoutItemMap))]
    for map_item in _items(layout, QgsLayoutItemMap):
        frame = map_item.sceneBoundingRect()
        for item in items:
            if item.isVisible() and item.zValue() > map_item.zValue() and item.sceneBoundingRect().intersects(frame):
                map_item.addLabelBlockingItem(item)
        margin = layout.renderContext().measurementConverter().convert(map_item.labelMargin(),
                                                                       compat.LAYOUT_MILLIMETERS)
        if margin.length() < LABEL_MARGIN_MM:
            map_item.setLabelMargin(QgsLayoutMeasurement(LABEL_MARGIN_MM, compat.LAYOUT_MILLIMETERS))


def number_format(lang):
    """QGIS number format of the report language: ``1.234,5`` in German, ``1,234.5`` in English."""
    numbers = QgsBasicNumericFormat()
    numbers.setShowThousandsSeparator(True)
    numbers.setThousandsSeparator("." if lang == "de" else ",")
    numbers.setDecimalSeparator("," if lang == "de" else ".")
    numbers.setShowTrailingZeros(False)
    numbers.setNumberDecimalPlaces(1)
    return numbers


def set_variables(layout, variables):
    """Set the ``@sr_…`` layout variables of ``layout``."""
    QgsExpressionContextUtils.setLayoutVariables(layout, {key: value for key, value in variables.items()})


def repeat_footer(layout):
    """Copy the last item with id ``fusszeile`` onto every page after its own (pages added by tables)."""
    footers = [item for item in _items(layout, QgsLayoutItemLabel) if item.id() == FOOTER]
    if not footers:
        return
    footer = max(footers, key=lambda item: item.page())
    position = footer.pagePositionWithUnits()
    collection = layout.pageCollection()
    for page in range(footer.page() + 1, collection.pageCount()):
        copy = QgsLayoutItemLabel(layout)
        document = QDomDocument()
        element = document.createElement("copy")
        footer.writeXml(element, document, QgsReadWriteContext())
        copy.readXml(element.firstChildElement(), document, QgsReadWriteContext())
        layout.addLayoutItem(copy)
        copy.attemptMove(QgsLayoutPoint(position.x(), position.y(), position.units()), True, False, page)


SECTION_FIELDS = [("kennung", str), ("farbe", str)]


def _label(layout, text, page, position, size, points, bold=False):
    label = QgsLayoutItemLabel(layout)
    font = QFont("Arial")
    font.setPointSizeF(points)
    font.setBold(bold)
    label.setFont(font)
    label.setText(text)
    label.setHAlign(Qt.AlignmentFlag.AlignLeft)
    layout.addLayoutItem(label)
    label.attemptResize(QgsLayoutSize(size[0], size[1], compat.LAYOUT_MILLIMETERS))
    label.attemptMove(QgsLayoutPoint(position[0], position[1], compat.LAYOUT_MILLIMETERS), True, False, page)
    return label


def add_section_pages(layout, sections, geometries, crs, geometry_type, project):
    """One A4 page per thematic section (:func:`..report.sections.print_sections`) appended to ``layout``: title,
    a map of the quarters in the section's colours (when it has them), the legend as coloured boxes with their
    labels and the section's text, after the pages the overview's tables need (call :func:`overview_pages`
    first: a table's empty pages are only dropped from the end). Returns the memory layers (they must live
    until the export)."""
    layers = []
    collection = layout.pageCollection()
    for section in sections:
        page = QgsLayoutItemPage(layout)
        page.setPageSize("A4", QgsLayoutItemPage.Orientation.Portrait)
        collection.addPage(page)
        number = collection.pageCount() - 1
        _label(layout, section["title"], number, (15, 14), (180, 10), 16, bold=True)
        top = 28
        if section["fills"]:
            keys = [key for key in section["fills"] if geometries.get(key) is not None]
            layer = memory_layer("sozialraum_abschnitt", SECTION_FIELDS, QgsWkbTypes.displayString(geometry_type), crs)
            _add_rows(layer, [[key, section["fills"][key]] for key in keys], [geometries[key] for key in keys])
            colours = sorted(set(section["fills"].values()))
            renderer = QgsRuleBasedRenderer.Rule(None)
            for colour in colours:
                symbol = QgsFillSymbol.createSimple({"color": colour, "outline_color": "#ffffff",
                                                     "outline_width": "0.2"})
                renderer.appendChild(QgsRuleBasedRenderer.Rule(symbol, 0, 0, "\"farbe\" = '{}'".format(colour)))
            layer.setRenderer(QgsRuleBasedRenderer(renderer))
            project.addMapLayer(layer, False)
            layers.append(layer)
            item = QgsLayoutItemMap(layout)
            item.setLayers([layer])
            item.setKeepLayerSet(True)
            item.setFrameEnabled(True)
            layout.addLayoutItem(item)
            item.attemptResize(QgsLayoutSize(118, 118, compat.LAYOUT_MILLIMETERS))
            item.attemptMove(QgsLayoutPoint(15, top, compat.LAYOUT_MILLIMETERS), True, False, number)
            extent = layer.extent()
            extent.scale(1.05)
            item.zoomToExtent(extent)
            y = top
            for text, colour in section["legend"]:
                box = QgsLayoutItemShape(layout)
                box.setShapeType(QgsLayoutItemShape.Shape.Rectangle)
                box.setSymbol(QgsFillSymbol.createSimple({"color": colour, "outline_color": "#969696",
                                                          "outline_width": "0.1"}))
                layout.addLayoutItem(box)
                box.attemptResize(QgsLayoutSize(4, 4, compat.LAYOUT_MILLIMETERS))
                box.attemptMove(QgsLayoutPoint(137, y + 0.5, compat.LAYOUT_MILLIMETERS), True, False, number)
                _label(layout, text, number, (143, y), (52, 10), 7.5)
                y += 10
            top += 124
        text = "\n\n".join(section["paragraphs"])
        label = _label(layout, text, number, (15, top), (180, 280 - top), 8)
        label.setMarginY(0)
    return layers


def overview_pages(layout):
    """Pages the overview needs once its tables are filled (they may add pages)."""
    layout.refresh()
    for table in layout.multiFrames():
        table.recalculateFrameSizes()
    repeat_footer(layout)
    return layout.pageCollection().pageCount()


def number_pages(quarters, overview_pages):
    """``_seite`` = page of each profile in the PDF: after the ``overview_pages``, in ``_reihenfolge``."""
    page = quarters.fields().lookupField("_seite")
    order = quarters.fields().lookupField("_reihenfolge")
    changes = {feature.id(): {page: overview_pages + feature.attributes()[order]} for feature in quarters.getFeatures()}
    quarters.dataProvider().changeAttributeValues(changes)


def _frame(layout, item_id):
    for frame_owner in layout.multiFrames():
        for frame in frame_owner.frames():
            if frame.id() == item_id:
                return frame
    return None


def text_height(label, text):
    """Height in mm that ``label`` (a layout label of fixed width) needs for ``text`` with word wrap."""
    points_per_mm = 72.0 / 25.4
    scale = 10.0  # measure at ten times the size: whole pixels are then fine enough
    font = QFont(label.font())
    font.setPixelSize(max(1, round(font.pointSizeF() * scale)))
    metrics = QFontMetricsF(font)
    width = (label.sizeWithUnits().width() - 2 * label.marginX()) * points_per_mm * scale
    wrap = Qt.TextFlag.TextWordWrap
    box = metrics.boundingRect(QRectF(0, 0, width, 1e7), getattr(wrap, "value", wrap), text)  # PyQt6: .value
    return box.height() / scale / points_per_mm * 1.1 + 2 * label.marginY()


def fit_profile(profile, chart_ratio, n_indicators, longest_sentence, bottom=280.0, row_height=5.3, gap=3.0):
    """Lay out the middle of the profile page for the longest sentence and ``n_indicators`` table rows.

    The sentence box (``satz``) grows to hold ``longest_sentence``; the chart title
    (``diagramm_titel``) and the chart (``diagramm``, height = width × ``chart_ratio``) follow, then
    the indicator table (frame ``tabelle_werte``) with one row per indicator. Where the page is too
    short the chart gives up height. A template without these items is left as it is.
    """
    sentence, title = profile.itemById("satz"), profile.itemById("diagramm_titel")
    chart, table = profile.itemById("diagramm"), _frame(profile, "tabelle_werte")
    if chart is None or table is None:
        return
    top = chart.pagePositionWithUnits().y()
    if sentence is not None and title is not None and isinstance(sentence, QgsLayoutItemLabel):
        start = sentence.pagePositionWithUnits().y()
        height = max(sentence.sizeWithUnits().height(), text_height(sentence, longest_sentence))
        sentence.attemptResize(QgsLayoutSize(sentence.sizeWithUnits().width(), height))
        shift = start + height + gap - title.pagePositionWithUnits().y()
        title.attemptMove(QgsLayoutPoint(title.pagePositionWithUnits().x(), title.pagePositionWithUnits().y() + shift),
                          True, False, 0)
        top += shift
    table_height = (n_indicators + 1) * row_height + 1.0
    chart_height = min(chart.sizeWithUnits().width() * chart_ratio, bottom - table_height - gap - top)
    chart_height = max(20.0, chart_height)
    chart.attemptMove(QgsLayoutPoint(chart.pagePositionWithUnits().x(), top), True, False, 0)
    chart.attemptResize(QgsLayoutSize(chart.sizeWithUnits().width(), chart_height))
    table_top = top + chart_height + gap
    table.attemptResize(QgsLayoutSize(table.sizeWithUnits().width(), max(table_height, bottom - table_top)))
    table.attemptMove(QgsLayoutPoint(table.pagePositionWithUnits().x(), table_top), True, False, 0)


def fit_scale_bars(layout, map_width_m, lang="de"):
    """Scale bars in metres for maps narrower than 3 km, else in kilometres (the layer CRS in metres).

    The bars choose their segment length to fit their width, sometimes a fraction of a kilometre: the labels
    show up to two decimals without trailing zeros ("0 0,5 1 km"), in the report's number format."""
    for scalebar in _items(layout, QgsLayoutItemScaleBar):
        numbers = number_format(lang)
        numbers.setNumberDecimalPlaces(2)
        scalebar.setNumericFormat(numbers)
        if map_width_m < 3000:
            scalebar.setUnits(compat.DISTANCE_METERS)
            scalebar.setMapUnitsPerScaleBarUnit(1.0)
            scalebar.setUnitLabel("m")
        else:
            scalebar.setUnits(compat.DISTANCE_KILOMETERS)
            # the label multiplier: 1 (the kilometres are already the bar's unit; 1000 gave "0 0 0 km")
            scalebar.setMapUnitsPerScaleBarUnit(1.0)
            scalebar.setUnitLabel("km")
        scalebar.update()


class OverviewThenAtlas(QgsAbstractLayoutIterator):
    """The overview layout (all its pages), then the profile layout's atlas: one iterator, one PDF.

    QGIS's exporter writes any :class:`QgsAbstractLayoutIterator` into a single PDF; this one
    hands it the overview first and then steps through the atlas, so every profile page is
    rendered exactly as an atlas page (as ``native:atlaslayouttopdf`` would). ``before_atlas`` is
    called once between the overview and the first profile page.
    """

    def __init__(self, overview, atlas, before_atlas=None):
        super().__init__()
        self.overview, self.atlas, self.before_atlas = overview, atlas, before_atlas
        self.current, self.at_start = None, True

    def count(self):
        return 1 + self.atlas.count()

    def beginRender(self):  # noqa: N802 (QGIS API)
        self.at_start = True
        return self.atlas.beginRender()

    def endRender(self):  # noqa: N802 (QGIS API)
        return self.atlas.endRender()

    def next(self):
        if self.at_start:
            self.at_start = False
            self.current = self.overview
            return True
        if self.current is self.overview and self.before_atlas is not None:
            self.before_atlas()  # e.g. wait for the charts the profile pages show
        self.current = self.atlas.layout()
        return self.atlas.next()

    def layout(self):
        return self.current

    def filePath(self, baseFilePath, extension):  # noqa: N802, N803 (QGIS API)
        return self.atlas.filePath(baseFilePath, extension)


def profile_atlas(profile, quarters):
    """Make ``profile`` an atlas over ``quarters`` in the profile order (``_reihenfolge``); returns the atlas."""
    atlas = profile.atlas()
    atlas.setCoverageLayer(quarters)
    atlas.setEnabled(True)
    atlas.setSortFeatures(True)
    atlas.setSortAscending(True)
    atlas.setSortExpression('"_reihenfolge"')
    atlas.setFilterFeatures(False)
    profile.setName("Sozialbericht – Quartierssteckbrief")
    return atlas


def generalise_for_print(layout, millimetres=PRINT_GENERALISATION_MM):
    """Draw the maps of ``layout`` with outlines generalised to ``millimetres`` on paper.

    Vertices closer than that (at the layout's export resolution) are snapped onto one grid shared by every
    quarter, so neighbours keep their common border (no gaps or slivers); the eye cannot tell 0.2 mm steps
    apart, the PDF gets far fewer of them. Replaces QGIS's own export simplification (0.1 pixel).
    """
    method = QgsVectorSimplifyMethod()
    method.setSimplifyHints(compat.SIMPLIFY_GEOMETRY)
    method.setSimplifyAlgorithm(compat.SIMPLIFY_SNAP_TO_GRID_GLOBAL)
    method.setForceLocalOptimization(True)
    method.setThreshold(millimetres / 25.4 * layout.renderContext().dpi())
    layout.renderContext().setSimplifyMethod(method)


def export_pdf(iterator, path, feedback=None, properties=None):
    """Write the layout ``iterator`` (e.g. :class:`OverviewThenAtlas`) into ONE PDF at ``path``; raise on failure.

    ``properties``: the PDF's document properties (``{"TITLE": …, "AUTHOR": …, "SUBJECT": …, "KEYWORDS": …}``),
    written afterwards through GDAL's PDF driver (QGIS's exporter leaves them empty for a layout iterator).
    Returns False when the user cancelled.
    """
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = False
    settings.exportMetadata = True
    settings.simplifyGeometries = False  # the layouts carry their own (generalise_for_print)
    # images as lossless Flate instead of Qt's JPEG (quality 94): the bar charts (flat colours, text) are
    # smaller so and show no JPEG fringes around their letters
    settings.flags = settings.flags | compat.LAYOUT_LOSSLESS_IMAGES
    settings.textRenderFormat = compat.TEXT_AS_TEXT  # searchable text, and far faster than outlines
    result, error = QgsLayoutExporter.exportToPdf(iterator, path, settings, feedback)
    if result == QgsLayoutExporter.ExportResult.Canceled:
        return False
    if result != QgsLayoutExporter.ExportResult.Success:
        raise InputError("Das PDF {} konnte nicht geschrieben werden: {}".format(path, error or result),
                         "The PDF {} could not be written: {}".format(path, error or result))
    if properties:
        _set_pdf_properties(path, properties, feedback)
    return True


def _set_pdf_properties(path, properties, feedback):
    """Document properties of the written PDF (an incremental update by GDAL; the pages stay as they are)."""
    from osgeo import gdal

    try:
        dataset = gdal.OpenEx(path, gdal.OF_RASTER | gdal.OF_UPDATE)
        if dataset is None:
            raise RuntimeError(gdal.GetLastErrorMsg() or "GDAL cannot open the PDF for update")
        for key, value in properties.items():
            if value:
                dataset.SetMetadataItem(key, str(value))
        dataset = None
    except Exception as error:  # noqa: BLE001 -- the report is complete without them; say so
        if feedback is not None:
            feedback.pushWarning("PDF: Dokumenteigenschaften nicht gesetzt / document properties not set ({})"
                                 .format(error))


def new_project(crs):
    """A private project for the report (the user's project is left alone)."""
    project = QgsProject()
    project.setCrs(crs)
    return project
