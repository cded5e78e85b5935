"""Toolbox dialogs pre-select ID, name, population and capacity fields by a guess from the layer's field names
(``processing/field_widget.py``); the batch dialog and the Model Builder keep QGIS's own widgets."""

import pytest
from layers import point_layer, polygon_layer
from qgis.core import (
    QgsApplication,
    QgsCoordinateTransformContext,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingModelAlgorithm,
    QgsProject,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.gui import QgsAbstractProcessingParameterWidgetWrapper, QgsProcessingModelerParameterWidget

QUARTERS = [{"quartier_id": "Q{:02d}".format(n), "name": name, "stadtbezirk": "Mitte", "ew_gesamt": 1000 + n,
             "ew_u15": 100 + n, "q_alo_2024": 5.0 + n}
            for n, name in enumerate(["Altstadt", "Bahnhof", "Chaussee"])]


def _geopackage(layer, path, name):
    """``layer`` written to a GeoPackage (so ``fid`` comes first, as in every GeoPackage) and loaded as ``name``."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    QgsVectorFileWriter.writeAsVectorFormatV3(layer, str(path), QgsCoordinateTransformContext(), options)
    return QgsVectorLayer(str(path), name, "ogr")


@pytest.fixture()
def project(plugin, tmp_path):
    """Quarters (fid, quartier_id, name, stadtbezirk, ew_gesamt …), Kitas (fid, name, traeger, plaetze) and a
    layer without any field a guess knows (fid, kuerzel, wert), all GeoPackages, in the project; the quarters
    first in the dialogs' layer lists (sorted by name)."""
    quarters = _geopackage(polygon_layer(QUARTERS), tmp_path / "quartiere.gpkg", "quartiere")
    kitas = _geopackage(point_layer([{"x": 400050.0, "y": 5700050.0, "name": "Kita Sonnenschein", "traeger": "Stadt",
                                      "plaetze": 40}]), tmp_path / "kitas.gpkg", "tageseinrichtungen")
    other = _geopackage(polygon_layer([{"kuerzel": "A", "wert": 1.0}]), tmp_path / "andere.gpkg", "sonstige")
    layers = {"quartiere": quarters, "kitas": kitas, "andere": other}
    for layer in layers.values():
        assert layer.isValid() and layer.fields().names()[0] == "fid"
        QgsProject.instance().addMapLayer(layer)
    yield layers
    QgsProject.instance().removeAllMapLayers()


@pytest.fixture()
def dialog(project, qgis_iface, monkeypatch):
    """``dialog(algorithm, parameters)``: the toolbox dialog as QGIS opens it (with ``parameters`` as
    ``processing.execAlgorithmDialog`` hands them over), closed after the test."""
    from processing.gui.AlgorithmDialog import AlgorithmDialog

    monkeypatch.setattr(qgis_iface, "browserModel", lambda: None, raising=False)  # pytest-qgis's iface lacks it

    opened = []

    def _open(name, parameters=None):
        algorithm = QgsApplication.processingRegistry().createAlgorithmById("sozialraum:" + name)
        window = AlgorithmDialog(algorithm, False, None)
        if parameters is not None:
            window.setParameters(parameters)
        opened.append(window)
        return window

    yield _open
    for window in opened:
        window.close()
        window.deleteLater()


def shown(window, *names):
    """The values the dialog's widgets hold for parameters ``names``."""
    wrappers = window.mainWidget().wrappers
    return {name: wrappers[name].parameterValue() or None for name in names}


def choose(window, name, value):
    """Set parameter ``name`` in the dialog as the user does (the widget's own signal follows)."""
    window.mainWidget().wrappers[name].setParameterValue(value, window.mainWidget().processing_context)


def test_districtindex_dialog_guesses_id_and_population_not_fid(dialog, project):
    window = dialog("districtindex", {"INPUT": project["quartiere"].id()})
    assert shown(window, "ID_FIELD", "POPULATION_FIELD") == {"ID_FIELD": "quartier_id", "POPULATION_FIELD": "ew_gesamt"}
    # the indicators are the planner's choice: no guess
    assert not window.mainWidget().wrappers["INDICATORS"].parameterValue()


def test_servicecoverage_dialog_guesses_district_id_capacity_and_service_name(dialog, project):
    window = dialog("servicecoverage", {"DISTRICTS": project["quartiere"].id(), "SERVICES": project["kitas"].id()})
    assert shown(window, "ID_FIELD", "CAPACITY_FIELD", "SERVICE_NAME_FIELD") == {
        "ID_FIELD": "quartier_id", "CAPACITY_FIELD": "plaetze", "SERVICE_NAME_FIELD": "name"}
    # the target group depends on the kind of service, which the field names do not tell: left to the user
    assert shown(window, "TARGET_POPULATION_FIELD") == {"TARGET_POPULATION_FIELD": None}


def test_other_dialogs_guess_names_and_target_groups(dialog, project):
    diagnostics = dialog("indexdiagnostics", {"INPUT": project["quartiere"].id()})
    assert shown(diagnostics, "ID_FIELD", "NAME_FIELD", "POPULATION_FIELD") == {
        "ID_FIELD": "quartier_id", "NAME_FIELD": "name", "POPULATION_FIELD": "ew_gesamt"}
    allocation = dialog("allocation", {"INPUT": project["quartiere"].id()})
    assert shown(allocation, "ID_FIELD", "POPULATION_FIELD") == {"ID_FIELD": "quartier_id",
                                                                  "POPULATION_FIELD": "ew_u15"}
    report = dialog("report", {"INPUT": project["quartiere"].id()})
    # empty ID = the one the index was computed with (its method record)
    assert shown(report, "ID_FIELD", "NAME_FIELD") == {"ID_FIELD": None, "NAME_FIELD": "name"}


def test_the_users_choice_stays_and_a_new_layer_is_guessed_again(dialog, project):
    quarters = project["quartiere"]
    window = dialog("districtindex", {"INPUT": quarters.id()})
    choose(window, "ID_FIELD", "name")
    choose(window, "POPULATION_FIELD", "ew_u15")
    quarters.selectByIds([1])
    choose(window, "INPUT", QgsProcessingFeatureSourceDefinition(quarters.id(), True))  # same layer, selection only
    assert shown(window, "ID_FIELD", "POPULATION_FIELD") == {"ID_FIELD": "name", "POPULATION_FIELD": "ew_u15"}
    choose(window, "INPUT", project["andere"].id())
    choose(window, "INPUT", quarters.id())
    assert shown(window, "ID_FIELD", "POPULATION_FIELD") == {"ID_FIELD": "quartier_id", "POPULATION_FIELD": "ew_gesamt"}


def test_values_handed_to_the_dialog_are_kept(dialog, project):
    """As ``processing.execAlgorithmDialog(id, parameters)``, the history and "Paste settings" open it."""
    window = dialog("districtindex", {"INPUT": project["quartiere"].id(), "ID_FIELD": "name",
                                      "POPULATION_FIELD": "ew_u15"})
    assert shown(window, "ID_FIELD", "POPULATION_FIELD") == {"ID_FIELD": "name", "POPULATION_FIELD": "ew_u15"}
    # a value for a field alone (of the layer the dialog chose itself, the first) is kept as well
    window = dialog("districtindex", {"ID_FIELD": "stadtbezirk"})
    assert shown(window, "INPUT", "ID_FIELD") == {"INPUT": project["quartiere"].id(), "ID_FIELD": "stadtbezirk"}
    # processing's own entry point
    import processing

    created = processing.createAlgorithmDialog("sozialraum:servicecoverage", {
        "DISTRICTS": project["quartiere"].id(), "ID_FIELD": "name", "SERVICES": project["kitas"].id(),
        "CAPACITY_FIELD": "fid"})
    try:
        assert shown(created, "ID_FIELD", "CAPACITY_FIELD") == {"ID_FIELD": "name", "CAPACITY_FIELD": "fid"}
    finally:
        created.deleteLater()


def test_without_a_candidate_qgis_chooses_as_always(dialog, project):
    window = dialog("districtindex", {"INPUT": project["andere"].id()})
    # required: QGIS's first field; optional: none
    assert shown(window, "ID_FIELD", "POPULATION_FIELD") == {"ID_FIELD": "fid", "POPULATION_FIELD": None}


def test_batch_dialog_keeps_qgis_widgets(project):
    from processing.gui.BatchAlgorithmDialog import BatchAlgorithmDialog

    algorithm = QgsApplication.processingRegistry().createAlgorithmById("sozialraum:districtindex")
    window = BatchAlgorithmDialog(algorithm)
    try:
        panel = window.mainWidget()
        column = panel.parameter_to_column["ID_FIELD"]
        wrapper = panel.wrappers[0][column]
        assert isinstance(wrapper, QgsAbstractProcessingParameterWidgetWrapper)
        assert "postInitialize" not in vars(wrapper)  # no guess attached
        assert not [child for child in wrapper.children() if type(child).__name__ == "_FieldGuess"]
    finally:
        window.deleteLater()


def test_model_builder_keeps_qgis_widgets(project):
    """In a model a field can come from a model input or another step: QGIS's modeler widget, unchanged."""
    from processing.modeler.ModelerParametersDialog import ModelerParametersDialog

    algorithm = QgsApplication.processingRegistry().createAlgorithmById("sozialraum:districtindex")
    window = ModelerParametersDialog(algorithm, QgsProcessingModelAlgorithm())
    try:
        widgets = [w for w in window.findChildren(QgsProcessingModelerParameterWidget)
                   if w.parameterDefinition().name() in ("ID_FIELD", "POPULATION_FIELD")]
        assert len(widgets) == 2
        assert all("postInitialize" not in vars(widget) for widget in widgets)
    finally:
        window.deleteLater()


def test_which_field_parameters_are_guessed(plugin):
    """Every single-field parameter of every algorithm: the guess it gets (None = QGIS's own behaviour)."""
    guessed = {}
    for algorithm in QgsApplication.processingRegistry().providerById("sozialraum").algorithms():
        for parameter in algorithm.parameterDefinitions():
            if parameter.type() == "field" and not parameter.allowMultiple():
                wrapper = parameter.metadata().get("widget_wrapper") or {}
                guessed["{}.{}".format(algorithm.name(), parameter.name())] = wrapper.get("guess")
                if wrapper.get("guess"):
                    assert wrapper["class"] == "sozialraum_plugin.sozialraum.processing.field_widget." \
                                               "GuessedFieldWrapper"
    assert guessed == {
        "allocation.ID_FIELD": "id", "allocation.POPULATION_FIELD": "target_population",
        "allocation.NEED_FIELD": None,  # has its default, index_class
        "catchments.ID_FIELD": "id", "catchments.NAME_FIELD": "name", "catchments.DEMAND_FIELD": None,
        "checknetwork.DEMAND_FIELD": None,
        "districtindex.ID_FIELD": "id", "districtindex.POPULATION_FIELD": "population",
        "hotspots.ID_FIELD": "id", "hotspots.FIELD": None, "hotspots.POPULATION_FIELD": "population",
        "indexdiagnostics.ID_FIELD": "id", "indexdiagnostics.POPULATION_FIELD": "population",
        "indexdiagnostics.NAME_FIELD": "name",
        "indicatorrates.ID_FIELD": "id",
        "needcoverage.NEED_ID_FIELD": "id", "needcoverage.NEED_FIELD": None,
        "needcoverage.COVERAGE_ID_FIELD": "id", "needcoverage.COVERAGE_FIELD": None,
        "report.ID_FIELD": None, "report.NAME_FIELD": "name",
        "servicecoverage.ID_FIELD": "id", "servicecoverage.TARGET_POPULATION_FIELD": None,
        "servicecoverage.CAPACITY_FIELD": "capacity", "servicecoverage.SERVICE_NAME_FIELD": "name",
        "servicecoverage.DEMAND_FIELD": None,
        "statusdynamicindex.ID_FIELD": "id", "statusdynamicindex.POPULATION_FIELD": "population",
    }


def test_running_is_unaffected_by_the_dialog_widget(run, project):
    """The metadata only names a widget: processing.run with the same fields gives the index as before."""
    result = run("districtindex", {"INPUT": project["quartiere"].source(), "ID_FIELD": "quartier_id",
                                   "INDICATORS": ["q_alo_2024"], "POPULATION_FIELD": "ew_gesamt",
                                   "MIN_POPULATION": 0, "CLASSIFICATION": "quantile", "N_CLASSES": 3,
                                   "OUTPUT": "TEMPORARY_OUTPUT"})
    assert result["N_RATED"] == 3
