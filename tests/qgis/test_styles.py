"""Every result layer loads styled: renderer, classes and their order, colours from core.palettes, drawing order.

Each algorithm runs as the toolbox runs it (an output that asks to be loaded), the layers are loaded with the
algorithm's post-processor (the assistant's loader), and the test reads the loaded layer's renderer. Where it
matters what is drawn, the layer is rendered with QgsMapRendererParallelJob and pixels are compared with
colours composed by hand (source-over: c = a * top + (1 - a) * below per channel).
"""

import importlib

import pytest
from layers import line_layer, point_layer, polygon_layer
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFeature,
    QgsField,
    QgsGeometry,
    QgsGraduatedSymbolRenderer,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputLayerDefinition,
    QgsProject,
    QgsRectangle,
    QgsRenderContext,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize, QVariant
from qgis.PyQt.QtGui import QColor

X0, Y0 = 400000.0, 5700000.0  # EPSG:25832, metres


@pytest.fixture()
def module(plugin):
    return lambda name: importlib.import_module("sozialraum_plugin.sozialraum." + name)


@pytest.fixture()
def load(plugin, tmp_path):
    """``load(algorithm, parameters, outputs=("OUTPUT",), suffix=".gpkg")``: run with each of ``outputs`` into a
    file with loading on, load the results as the assistant does (the post-processors style them) and return the loaded
    layer of the first output, or a dict of them when ``outputs`` has several; removed from the project after."""
    import processing

    results = importlib.import_module("sozialraum_plugin.ui.results")
    loaded_layers = []

    def _load(name, parameters, outputs=("OUTPUT",), suffix=".gpkg"):
        context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
        context.setProject(QgsProject.instance())
        parameters = dict(parameters)
        for key in outputs:
            path = str(tmp_path / "{}_{}{}".format(name, key.lower(), suffix))
            parameters[key] = QgsProcessingOutputLayerDefinition(path, QgsProject.instance())
        result = processing.run("sozialraum:" + name, parameters, context=context, feedback=feedback)
        loaded, failed = results.load_results(context, feedback, QgsProject.instance())
        assert len(loaded) == len(outputs) and not failed
        loaded_layers.extend(loaded)
        layers = {key: next(layer for layer in loaded if layer.source().startswith(result[key])) for key in outputs}
        return layers if len(outputs) > 1 else layers[outputs[0]]

    yield _load
    for layer in loaded_layers:
        QgsProject.instance().removeMapLayer(layer.id())


def drawn_category(layer, feature):
    """The legend label of the symbol ``feature`` is drawn with (None when it is not drawn); the colours of a
    style's legend entries differ, so the drawn colour names the entry."""
    renderer = layer.renderer().clone()
    context = QgsRenderContext()
    context.expressionContext().appendScope(layer.createExpressionContextScope())
    context.expressionContext().setFeature(feature)
    renderer.startRender(context, layer.fields())
    try:
        symbol = renderer.symbolForFeature(feature, context)
    finally:
        renderer.stopRender(context)
    if symbol is None:
        return None
    labels = {item.symbol().color().name(): item.label() for item in renderer.legendSymbolItems()}
    assert len(labels) == len(renderer.legendSymbolItems())
    return labels[symbol.color().name()]


def render(layer, extent, pixels=200):
    """``layer`` alone on white, ``extent`` (a QgsRectangle) drawn into ``pixels`` x ``pixels``."""
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(pixels, pixels))
    settings.setBackgroundColor(QColor("#ffffff"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage()


def over(top, below):
    """``top`` (a QColor with alpha) drawn over the opaque ``below`` (r, g, b): source-over per channel."""
    a = top.alpha() / 255.0
    return tuple(a * t + (1 - a) * b for t, b in zip((top.red(), top.green(), top.blue()), below))


def pixel(image, x, y):
    color = QColor(image.pixel(x, y))
    return color.red(), color.green(), color.blue()


def close(a, b, tolerance=3):
    return all(abs(p - q) <= tolerance for p, q in zip(a, b))


# --------------------------------------------------------------------------------------------
# catchments
# --------------------------------------------------------------------------------------------

def service_layer():
    layer = QgsVectorLayer("Point?crs=EPSG:25832", "kitas", "memory")
    layer.dataProvider().addAttributes([QgsField("name", QVariant.String)])
    layer.updateFields()
    feature = QgsFeature(layer.fields())
    feature.setAttributes(["Kita Mitte"])
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(X0, Y0)))
    layer.dataProvider().addFeatures([feature])
    return layer


def test_catchments_load_graduated_by_distance_with_the_smaller_drawn_on_top(load, module):
    layer = load("catchments", {"SERVICES": service_layer(), "NAME_FIELD": "name", "DISTANCE": "500, 300, 1000"})
    renderer = layer.renderer()
    assert isinstance(renderer, QgsGraduatedSymbolRenderer)
    assert renderer.classAttribute() == "schwelle_m"
    ranges = renderer.ranges()
    assert [(r.lowerValue(), r.upperValue()) for r in ranges] == [(0, 300), (300, 500), (500, 1000)]
    assert [r.label() for r in ranges] == ["bis 300 m", "bis 500 m", "bis 1000 m"]
    fills = [r.symbol().color() for r in ranges]
    assert len({fill.name() for fill in fills}) == 3
    assert fills[0].lightness() < fills[1].lightness() < fills[2].lightness()  # nearest darkest
    assert all(fill.alpha() == round(0.45 * 255) for fill in fills)  # see-through: the map below shows
    assert all(r.symbol().symbolLayer(0).strokeColor().alpha() == 255 for r in ranges)  # a solid outline
    assert renderer.orderByEnabled()
    clause = renderer.orderBy().list()[0]
    assert clause.expression().expression().strip('"') == "schwelle_m" and not clause.ascending()
    assert layer.name() == "Einzugsbereiche"


def test_catchment_of_300_m_is_drawn_above_the_one_of_500_m_whatever_the_feature_order(load, module):
    styling = module("adapters.styling")
    layer = load("catchments", {"SERVICES": service_layer(), "DISTANCE": "300, 500"})
    fill = {r.upperValue(): r.symbol().color() for r in layer.renderer().ranges()}
    white = (255, 255, 255)
    near_on_top = over(fill[300], over(fill[500], white))
    far_on_top = over(fill[500], over(fill[300], white))
    assert not close(near_on_top, far_on_top)
    # the features again, the 300 m one written first (so drawn first without the style's order)
    copy = QgsVectorLayer("MultiPolygon?crs=EPSG:25832", "copy", "memory")
    copy.dataProvider().addAttributes(layer.fields().toList())
    copy.updateFields()
    copy.dataProvider().addFeatures(sorted(layer.getFeatures(), key=lambda f: f["schwelle_m"]))
    assert [f["schwelle_m"] for f in copy.getFeatures()] == [300, 500]
    styling.apply_catchment_style(copy)
    extent = QgsRectangle(X0 - 600, Y0 - 600, X0 + 600, Y0 + 600)  # 6 m per pixel
    for styled in (layer, copy):
        image = render(styled, extent)
        assert close(pixel(image, 100, 100), near_on_top)  # the service: inside both
        assert close(pixel(image, 100 + 67, 100), over(fill[500], white))  # 400 m east: inside 500 m only
        assert pixel(image, 5, 5) == white  # 800 m away diagonally: outside both


# --------------------------------------------------------------------------------------------
# robustness (index check)
# --------------------------------------------------------------------------------------------

# three indicators that disagree in places, so the ranks of some quarters move with the weights
ROBUSTNESS_ROWS = [{"id": "Q{:02d}".format(i), "a": float(a), "b": float(b), "c": float(c), "pop": 1000}
                   for i, (a, b, c) in enumerate([(1, 9, 2), (2, 1, 8), (3, 5, 5), (4, 2, 7), (5, 8, 1), (6, 6, 6),
                                                  (7, 3, 9), (8, 7, 3), (9, 4, 4), (10, 10, 10), (11, 2, 3),
                                                  (12, 12, 1)])] + \
                  [{"id": "Q12", "a": 5.0, "b": 5.0, "c": 5.0, "pop": 100}]


def test_robustness_loads_coloured_by_the_verdict_of_the_index_check(load, module):
    palettes = module("core.palettes")
    layer = load("indexdiagnostics", {"INPUT": polygon_layer(ROBUSTNESS_ROWS), "ID_FIELD": "id",
                                      "INDICATORS": ["a", "b", "c"], "POPULATION_FIELD": "pop", "N_RANDOM": 50,
                                      "OUTPUT_HTML": None})
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    categories = renderer.categories()
    # 12 rated quarters: robust up to 10 % of 12 = 1.2 ranks, moderately robust up to 25 % = 3 ranks
    assert [c.value() for c in categories[:3]] == [1, 2, 3]
    assert [c.label() for c in categories] == [
        "robust (Rangspanne bis 1,2)", "mäßig robust (Rangspanne bis 3)", "unsicher (Rangspanne über 3)",
        "nicht bewertet"]
    assert [c.symbol().color().name() for c in categories[:3]] == list(palettes.ROBUSTNESS_COLORS)
    verdicts = {}
    for feature in layer.getFeatures():
        verdict = feature["robust"]
        verdict = None if verdict is None or (hasattr(verdict, "isNull") and verdict.isNull()) else verdict
        drawn = drawn_category(layer, feature)
        # the map says what the table says
        assert drawn == "nicht bewertet" if verdict is None else drawn.startswith(verdict + " (")
        verdicts[feature["id"]] = verdict
    assert verdicts["Q12"] is None
    assert len(set(verdicts.values()) - {None}) >= 2  # the map shows a difference, not one colour


def test_robustness_limits_are_10_and_25_percent_of_the_rated_quarters(module):
    styling = module("adapters.styling")
    # 20 rated quarters: robust up to 2 ranks, moderately robust up to 5, inclusive; one not rated
    widths = [0.0, 2.0, 2.5, 5.0, 5.5] + [1.0] * 15
    rows = [{"id": "R{}".format(i), "rang_basis": i + 1, "rang_spanne": w} for i, w in enumerate(widths)]
    rows.append({"id": "X", "rang_basis": None, "rang_spanne": None})
    layer = polygon_layer(rows, types={"rang_basis": int, "rang_spanne": float})
    styling.apply_robustness_style(layer, "Robustheit")
    drawn = {f["id"]: drawn_category(layer, f) for f in layer.getFeatures()}
    assert [drawn["R{}".format(i)] for i in range(5)] == [
        "robust (Rangspanne bis 2)", "robust (Rangspanne bis 2)", "mäßig robust (Rangspanne bis 5)",
        "mäßig robust (Rangspanne bis 5)", "unsicher (Rangspanne über 5)"]
    assert drawn["X"] == "nicht bewertet"


# --------------------------------------------------------------------------------------------
# status x dynamics (MSS)
# --------------------------------------------------------------------------------------------

# dynamics d = s - e = 0, 0, 0, 0, 5: only E negative; status: only E very low (see test_index_algorithms)
MSS_ROWS = [{"id": k, "s": s, "e": s - d, "pop": 1000} for k, s, d in
            [("A", 1.0, 0.0), ("B", 2.0, 0.0), ("C", 3.0, 0.0), ("D", 4.0, 0.0), ("E", 10.0, 5.0)]] + \
           [{"id": "F", "s": 3.0, "e": 3.0, "pop": 10}]


def test_status_dynamic_loads_as_the_4x3_overlay_in_the_order_of_the_mss_tables(load, module):
    palettes = module("core.palettes")
    layer = load("statusdynamicindex", {"INPUT": polygon_layer(MSS_ROWS), "ID_FIELD": "id",
                                        "STATUS_INDICATORS": ["s"], "DYNAMIC_PAIRS": ["s", "e"],
                                        "POPULATION_FIELD": "pop"})
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    assert renderer.classAttribute() == "gesamt_code"
    categories = renderer.categories()
    assert [c.value() for c in categories[:12]] == [
        "1+", "1+/-", "1-", "2+", "2+/-", "2-", "3+", "3+/-", "3-", "4+", "4+/-", "4-"]
    assert categories[0].label() == "1+ Status hoch, Dynamik positiv"
    assert categories[11].label() == "4- Status sehr niedrig, Dynamik negativ"
    assert categories[12].label() == "nicht bewertet"
    status_dynamic = [(s, d) for s in (1, 2, 3, 4) for d in (1, 2, 3)]
    assert [c.symbol().color().name() for c in categories[:12]] == [
        palettes.STATUS_DYNAMIC_COLORS[key] for key in status_dynamic]
    drawn = {f["id"]: drawn_category(layer, f) for f in layer.getFeatures()}
    assert drawn == {"A": "2+/- Status mittel, Dynamik stabil", "B": "2+/- Status mittel, Dynamik stabil",
                     "C": "2+/- Status mittel, Dynamik stabil", "D": "2+/- Status mittel, Dynamik stabil",
                     "E": "4- Status sehr niedrig, Dynamik negativ", "F": "nicht bewertet"}
    assert layer.name() == "Status-/Dynamik-Index"


def test_shapefile_results_load_styled_by_their_cut_field_names(load):
    # a Shapefile keeps 10 characters of a field name: gesamt_code -> gesamt_cod, rang_spanne -> rang_spann
    layer = load("statusdynamicindex", {"INPUT": polygon_layer(MSS_ROWS), "ID_FIELD": "id",
                                        "STATUS_INDICATORS": ["s"], "DYNAMIC_PAIRS": ["s", "e"],
                                        "POPULATION_FIELD": "pop"}, suffix=".shp")
    assert layer.renderer().classAttribute() == "gesamt_cod"
    drawn = {f["id"]: drawn_category(layer, f) for f in layer.getFeatures()}
    assert drawn["E"] == "4- Status sehr niedrig, Dynamik negativ" and drawn["F"] == "nicht bewertet"
    layer = load("indexdiagnostics", {"INPUT": polygon_layer(ROBUSTNESS_ROWS), "ID_FIELD": "id",
                                      "INDICATORS": ["a", "b", "c"], "POPULATION_FIELD": "pop", "N_RANDOM": 50,
                                      "OUTPUT_HTML": None}, suffix=".shp")
    assert '"rang_spann"' in layer.renderer().classAttribute()
    for feature in layer.getFeatures():
        verdict = feature["robust"]
        if verdict is not None and not (hasattr(verdict, "isNull") and verdict.isNull()):
            assert drawn_category(layer, feature).startswith(verdict + " (")


def test_status_without_dynamics_loads_coloured_by_status_class(load):
    layer = load("statusdynamicindex", {"INPUT": polygon_layer(MSS_ROWS), "ID_FIELD": "id",
                                        "STATUS_INDICATORS": ["s"], "POPULATION_FIELD": "pop"})
    renderer = layer.renderer()
    assert renderer.classAttribute() == "status_class"
    assert [c.label() for c in renderer.categories()] == [
        "1 hoch", "2 mittel", "3 niedrig", "4 sehr niedrig", "nicht bewertet"]


# --------------------------------------------------------------------------------------------
# need x coverage
# --------------------------------------------------------------------------------------------

def test_need_coverage_loads_as_the_3x3_grid_row_by_row(load, module):
    palettes = module("core.palettes")
    need = polygon_layer([{"id": "A", "index_class": 5}, {"id": "B", "index_class": 1},
                          {"id": "C", "index_class": None}], types={"index_class": int})
    coverage = polygon_layer([{"gebiet": "A", "versorgung_klasse": 3}, {"gebiet": "B", "versorgung_klasse": 1},
                              {"gebiet": "C", "versorgung_klasse": 2}])
    layer = load("needcoverage", {"NEED": need, "NEED_ID_FIELD": "id", "NEED_FIELD": "index_class",
                                  "NEED_MODE": "classes", "N_NEED_CLASSES": 5, "COVERAGE": coverage,
                                  "COVERAGE_ID_FIELD": "gebiet", "COVERAGE_FIELD": "versorgung_klasse",
                                  "COVERAGE_MODE": "classes"})
    renderer = layer.renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer)
    categories = renderer.categories()
    grid = [(n, c) for n in (3, 2, 1) for c in (3, 2, 1)]
    assert [c.value() for c in categories[:9]] == ["{}-{}".format(n, c) for n, c in grid]
    assert [c.symbol().color().name() for c in categories[:9]] == [palettes.NEED_COVERAGE_COLORS[k] for k in grid]
    drawn = {f["id"]: drawn_category(layer, f) for f in layer.getFeatures()}
    assert drawn == {"A": "Bedarf hoch · Versorgung gering", "B": "Bedarf gering · Versorgung gut",
                     "C": "kein Typ (siehe Hinweis)"}
    # "no type" is hatched: it must not read as the light grey of low need and good coverage
    no_type = categories[9].symbol()
    assert [layer.layerType() for layer in no_type.symbolLayers()] == ["SimpleFill", "LinePatternFill"]


def test_styles_follow_the_language(module):
    errors, styling = module("core.errors"), module("adapters.styling")
    try:
        errors.set_language("en")
        layer = polygon_layer([{"id": "A", "gesamt_code": "3-", "status_class": 3}])
        styling.apply_status_dynamic_style(layer, "Status/dynamic index")
        assert layer.renderer().categories()[8].label() == "3- status low, dynamics negative"
        renderer = styling.catchment_renderer(layer.geometryType(), [300.0])
        assert renderer.ranges()[0].label() == "up to 300 m"
        assert styling.robustness_renderer(layer.geometryType(), 10).categories()[2].label() == \
            "uncertain (rank interval above 2.5)"
    finally:
        errors.set_language("de")



# --------------------------------------------------------------------------------------------
# rates, path network check, coverage per demand point
# --------------------------------------------------------------------------------------------

def test_rates_load_in_classes_of_near_equal_counts_and_the_unrated_grey(load):
    # rates 1, 2, ..., 6 % and one quarter below the minimum denominator (300): not rated.
    # 5 classes of 6 values: breaks after the distinct values whose counts 1..5 lie nearest to
    # j * 6 / 5 = 1.2, 2.4, 3.6, 4.8 -> counts 1, 2, 4, 5 -> breaks 1, 2, 4, 5 (%)
    rows = [{"id": "Q{}".format(k), "faelle": 10 * k, "einwohner": 1000} for k in range(1, 7)]
    rows.append({"id": "Q7", "faelle": 10, "einwohner": 100})
    layer = load("indicatorrates", {"INPUT": polygon_layer(rows), "ID_FIELD": "id",
                                    "RATES": ["faelle", "einwohner", "quote"], "MIN_DENOMINATOR": 300})
    labels = [c.label() for c in layer.renderer().categories()]
    assert labels == ["bis 1 %", "1 bis 2 %", "2 bis 4 %", "4 bis 5 %", "über 5 %", "nicht bewertet"]
    drawn = {f["id"]: drawn_category(layer, f) for f in layer.getFeatures()}
    assert drawn == {"Q1": "bis 1 %", "Q2": "1 bis 2 %", "Q3": "2 bis 4 %", "Q4": "2 bis 4 %", "Q5": "4 bis 5 %",
                     "Q6": "über 5 %", "Q7": "nicht bewertet"}
    lightness = [c.symbol().color().lightness() for c in layer.renderer().categories()[:5]]
    assert lightness == sorted(lightness, reverse=True)  # higher rate darker
    assert layer.name() == "Quoten"


def test_checked_network_loads_with_separate_parts_and_places_to_check_marked(load):
    # a path of two lines sharing (100, 0) and a short path crossing it at (50, 0) without a shared vertex:
    # the crossing path is a separate part; 1 crossing and 4 dead ends (the four free line ends)
    lines = [[(X0, Y0), (X0 + 100, Y0)], [(X0 + 100, Y0), (X0 + 200, Y0)], [(X0 + 50, Y0 - 20), (X0 + 50, Y0 + 20)]]
    layers = load("checknetwork", {"NETWORK": line_layer(lines)}, outputs=("OUTPUT", "OUTPUT_PROBLEMS"))
    network, problems = layers["OUTPUT"], layers["OUTPUT_PROBLEMS"]
    drawn = sorted((f["linie_nr"], drawn_category(network, f)) for f in network.getFeatures())
    assert drawn == [(0, "größter zusammenhängender Teil"), (1, "größter zusammenhängender Teil"),
                     (2, "getrennter Teil (nicht erreichbar vom größten)")]
    widths = [c.symbol().width() for c in network.renderer().categories()]
    assert widths[1] > widths[0]  # the separate part stands out
    assert network.renderer().orderByEnabled()  # ... and is drawn on top
    kinds = sorted(drawn_category(problems, f) for f in problems.getFeatures())
    assert kinds == ["Kreuzung ohne gemeinsamen Stützpunkt"] + ["offenes Ende"] * 4
    assert problems.name() == "Auffällige Stellen"


def test_demand_points_load_with_the_unreached_marked(load):
    districts = polygon_layer([{"id": "Q{}".format(k), "kinder": 10.0} for k in range(12)])  # 100 m squares
    services = point_layer([{"x": X0 + 50, "y": Y0 + 50, "plaetze": 10.0}], name="kitas")
    # 40 m and 1100 m from the Kita: within 300 m, and not
    demand = point_layer([{"x": X0 + 50, "y": Y0 + 90, "kinder": 5.0}, {"x": X0 + 1150, "y": Y0 + 50, "kinder": 5.0}],
                         name="adressen")
    layers = load("servicecoverage", {"DISTRICTS": districts, "ID_FIELD": "id", "SERVICES": services,
                                      "CAPACITY_FIELD": "plaetze", "DEMAND": demand, "DEMAND_FIELD": "kinder",
                                      "DISTANCE": "300", "METHOD": "2sfca"}, outputs=("OUTPUT", "OUTPUT_DEMAND"))
    points = layers["OUTPUT_DEMAND"]
    drawn = sorted((f.geometry().asPoint().x() - X0, drawn_category(points, f)) for f in points.getFeatures())
    assert drawn == [(50.0, "Einrichtung in Reichweite"), (1150.0, "keine Einrichtung in Reichweite")]
    sizes = [c.symbol().size() for c in points.renderer().categories()]
    assert sizes[1] > sizes[0]
    assert layers["OUTPUT"].renderer().classAttribute() == "versorgung_klasse"


# --------------------------------------------------------------------------------------------
# every output
# --------------------------------------------------------------------------------------------

def test_district_index_loads_by_class_most_need_darkest(load):
    rows = [{"id": "Q{}".format(k), "a": float(k), "pop": 1000} for k in range(10)]
    layer = load("districtindex", {"INPUT": polygon_layer(rows), "ID_FIELD": "id", "INDICATORS": ["a"],
                                   "POPULATION_FIELD": "pop", "CLASSIFICATION": "quantile", "N_CLASSES": 5})
    renderer = layer.renderer()
    assert renderer.classAttribute() == "index_class"
    categories = renderer.categories()
    assert [c.value() for c in categories[:5]] == [1, 2, 3, 4, 5]
    lightness = [c.symbol().color().lightness() for c in categories[:5]]
    assert lightness == sorted(lightness, reverse=True)
    drawn = {f["id"]: drawn_category(layer, f) for f in layer.getFeatures()}
    assert drawn["Q9"].startswith("5 ") and drawn["Q0"].startswith("1 ")  # the highest value: most need


def test_allocation_loads_by_the_difference_to_the_watering_can_blue_to_red(load, module):
    palettes = module("core.palettes")
    rows = [{"id": k, "kinder": p, "index_class": c} for k, p, c in
            [("A", 100.0, 1), ("B", 200.0, 2), ("C", 100.0, 3), ("D", 50.0, 3)]]
    layer = load("allocation", {"INPUT": polygon_layer(rows, types={"index_class": int}), "ID_FIELD": "id",
                                "POPULATION_FIELD": "kinder", "NEED_FIELD": "index_class", "METHOD": "tiers",
                                "FACTORS": "1, 2, 4", "BUDGET": 1000.0, "UNIT": 0.01})
    renderer = layer.renderer()
    assert isinstance(renderer, QgsGraduatedSymbolRenderer) and renderer.classAttribute() == "differenz"
    assert [r.symbol().color().name() for r in renderer.ranges()] == list(palettes.ALLOCATION_DIFFERENCE_COLORS)
    # A (class 1) gets less than the watering can: one of the two blue ranges; C (class 3) more: a red one
    drawn = {f["id"]: drawn_category(layer, f) for f in layer.getFeatures()}
    labels = [r.label() for r in renderer.ranges()]
    assert drawn["A"] in labels[:2] and drawn["C"] in labels[2:]


def test_hotspots_load_by_type_and_the_funding_areas_as_outlines(load, module):
    palettes = module("core.palettes")
    values_ = [9.0, 8.0, 1.0, 9.0, 8.0, 1.0, 2.0, 1.0, 0.0]
    rows = [{"id": "c{}".format(k), "wert": v} for k, v in enumerate(values_)]
    layers = load("hotspots", {"INPUT": polygon_layer(rows), "ID_FIELD": "id", "FIELD": "wert", "PERMUTATIONS": 99},
                  outputs=("OUTPUT", "OUTPUT_AREAS"))
    renderer = layers["OUTPUT"].renderer()
    assert isinstance(renderer, QgsCategorizedSymbolRenderer) and renderer.classAttribute() == "lisa_typ"
    colors = {c.value(): c.symbol().color().name() for c in renderer.categories() if c.value()}
    assert colors == palettes.HOTSPOT_TYPE_COLORS
    outline = layers["OUTPUT_AREAS"].renderer().symbol().symbolLayer(0)
    assert outline.strokeColor().name() == palettes.HOTSPOT_TYPE_COLORS["HH"] and outline.color().alpha() == 0


#: every layer output of the provider, each with its test above (the allocation's table has no geometry)
STYLED_OUTPUTS = {
    ("districtindex", "OUTPUT"), ("statusdynamicindex", "OUTPUT"), ("indexdiagnostics", "OUTPUT"),
    ("indicatorrates", "OUTPUT"), ("servicecoverage", "OUTPUT"), ("servicecoverage", "OUTPUT_DEMAND"),
    ("catchments", "OUTPUT"), ("checknetwork", "OUTPUT"), ("checknetwork", "OUTPUT_PROBLEMS"),
    ("needcoverage", "OUTPUT"), ("allocation", "OUTPUT"), ("hotspots", "OUTPUT"), ("hotspots", "OUTPUT_AREAS"),
}


def test_every_layer_output_of_the_provider_has_a_style_test_here(plugin, module):
    from qgis.core import QgsApplication, QgsProcessingParameterFeatureSink

    provider = QgsApplication.processingRegistry().providerById("sozialraum")
    sinks = {(algorithm.name(), parameter.name()) for algorithm in provider.algorithms()
             for parameter in algorithm.parameterDefinitions()
             if isinstance(parameter, QgsProcessingParameterFeatureSink)
             and parameter.dataType() != module("adapters.compat").SOURCE_VECTOR_ANY}  # a table: no map
    assert sinks == STYLED_OUTPUTS
