"""The algorithms run from the command line with qgis_process, choice parameters given by key."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from layers import polygon_layer
from qgis.core import QgsCoordinateTransformContext, QgsVectorFileWriter, QgsVectorLayer

ROOT = Path(__file__).resolve().parents[2]


def qgis_process_command():
    """Debian 12's wrapper fails on --noversioncheck from /etc/default/qgis; the real binary works."""
    for name in ("qgis_process.bin", "qgis_process"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture()
def profile(tmp_path):
    """A QGIS config folder with the plugin installed (as a link to this checkout) and enabled."""
    plugins = tmp_path / "config" / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    (plugins / "sozialraum").symlink_to(ROOT, target_is_directory=True)
    ini = tmp_path / "config" / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nsozialraum=true\n", encoding="utf-8")
    return tmp_path / "config"


def test_districtindex_from_qgis_process(profile, tmp_path):
    assert qgis_process_command(), "qgis_process comes with Debian's qgis package (make setup)"
    layer = polygon_layer([{"id": k, "a": a, "b": b} for k, a, b in
                           [("A", 1.0, 2.0), ("B", 2.0, 2.0), ("C", 3.0, 4.0), ("D", 4.0, 4.0)]])
    source = str(tmp_path / "in.gpkg")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    QgsVectorFileWriter.writeAsVectorFormatV3(layer, source, QgsCoordinateTransformContext(), options)
    output = str(tmp_path / "out.gpkg")
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(profile), QT_QPA_PLATFORM="offscreen")
    completed = subprocess.run(
        [qgis_process_command(), "run", "sozialraum:districtindex", "--INPUT=" + source, "--ID_FIELD=id",
         "--INDICATORS=a", "--INDICATORS=b", "--NORMALIZATION=zscore", "--CLASSIFICATION=quantile",
         "--N_CLASSES=2", "--WITHOUT_POPULATION=true", "--OUTPUT=" + output],
        env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    result = QgsVectorLayer(output, "out", "ogr")
    classes = {f["id"]: f["index_class"] for f in result.getFeatures()}
    assert classes == {"A": 1, "B": 1, "C": 2, "D": 2}
    assert "N_RATED:\t4" in completed.stdout


def _gpkg(layer, path):
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    QgsVectorFileWriter.writeAsVectorFormatV3(layer, str(path), QgsCoordinateTransformContext(), options)
    return str(path)


def test_the_assistants_plan_exported_as_a_model_runs_with_qgis_process(plugin, profile, tmp_path):
    """Index + coverage of one service type + report, exported as .model3 and run in batch with its defaults; the
    index equals the one of the same settings run directly (four squares, four indicators' z-sum)."""
    import importlib

    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProject

    plan = importlib.import_module("sozialraum_plugin.ui.assistant.plan")
    export = importlib.import_module("sozialraum_plugin.ui.assistant.model_export")
    rows = [{"id": k, "name": n, "a": a, "b": b, "ew": 1000, "kinder": 50.0}
            for k, n, a, b in [("A", "Altstadt", 1.0, 2.0), ("B", "Bahnhof", 2.0, 2.0), ("C", "Chaussee", 3.0, 4.0),
                               ("D", "Domplatz", 4.0, 4.0)]]
    quarters = QgsVectorLayer(_gpkg(polygon_layer(rows), tmp_path / "quartiere.gpkg"), "quartiere", "ogr")
    services = QgsVectorLayer("Point?crs=EPSG:25832&field=plaetze:double", "kitas", "memory")
    feature = QgsFeature(services.fields())
    feature.setAttributes([40.0])
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(400150, 5700050)))
    services.dataProvider().addFeature(feature)
    services = QgsVectorLayer(_gpkg(services, tmp_path / "kitas.gpkg"), "kitas", "ogr")
    project = QgsProject.instance()
    project.addMapLayers([quarters, services])
    (tmp_path / "ergebnisse").mkdir()
    (tmp_path / "bericht").mkdir()
    choices = plan.WizardChoices(
        districts=quarters.id(), id_field="id", name_field="name", population_field="ew",
        indicators=[plan.IndicatorChoice("a", label="Merkmal A"), plan.IndicatorChoice("b")],
        classification="quantile", n_classes=2,
        services=[plan.ServiceChoice(name="Kitas", services=services.id(), capacity_field="plaetze",
                                     target_population_field="kinder", demand="", distances="150", method="2sfca")],
        report={"TITLE": "Modelltest", "ORGANISATION": "", "LOGO": None, "LANGUAGE": "de"}, data_date="31.12.2024",
        report_folder=str(tmp_path / "bericht"), results_folder=str(tmp_path / "ergebnisse"))
    model_file = str(tmp_path / "analyse.model3")
    assert export.export_model(choices, project, model_file)
    sources = {"quartiere": quarters.source(), "kitas": services.source()}
    project.removeMapLayers([quarters.id(), services.id()])
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(profile), QT_QPA_PLATFORM="offscreen")
    # batch: the layers and result files given on the command line (next year: other layers, other files)
    completed = subprocess.run([
        qgis_process_command(), "run", model_file, "--quartiere=" + sources["quartiere"], "--kitas=" + sources["kitas"],
        "--index:sozialindex_output=" + str(tmp_path / "ergebnisse" / "sozialindex.gpkg"),
        "--coverage_1:versorgung_kitas_output=" + str(tmp_path / "ergebnisse" / "versorgung_kitas.gpkg"),
        "--report:bericht_output_html=" + str(tmp_path / "bericht" / "sozialbericht.html"),
        "--report:bericht_output_pdf=" + str(tmp_path / "bericht" / "sozialbericht.pdf"),
        "--report:bericht_output_table=" + str(tmp_path / "bericht" / "sozialbericht.xlsx")],
        env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    index = QgsVectorLayer(str(tmp_path / "ergebnisse" / "sozialindex.gpkg"), "index", "ogr")
    assert {f["id"]: f["index_class"] for f in index.getFeatures()} == {"A": 1, "B": 1, "C": 2, "D": 2}
    coverage = QgsVectorLayer(str(tmp_path / "ergebnisse" / "versorgung_kitas.gpkg"), "v", "ogr")
    # one Kita (40 places) in B reaches the centroids of A, B and C (0 and 100 m; D at 200 m) within 150 m:
    # 40 / 150 children each
    reach = {f["id"]: f["erreichbarkeit"] for f in coverage.getFeatures()}
    assert reach["A"] == pytest.approx(40 / 150) and reach["C"] == pytest.approx(40 / 150) and reach["D"] == 0
    html = (tmp_path / "bericht" / "sozialbericht.html").read_text(encoding="utf-8")
    assert "Modelltest" in html and "Merkmal A" in html and '<section id="versorgung">' in html
    assert (tmp_path / "bericht" / "sozialbericht.pdf").stat().st_size > 0


def test_help_and_list_as_json_name_the_dialog_widget_by_its_path(profile):
    """The field guess of the dialogs lives in the parameters' metadata as plain data (a dotted class path in the
    installed package, here ``sozialraum``): ``qgis_process --json`` still writes it as JSON."""
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(profile), QT_QPA_PLATFORM="offscreen")
    completed = subprocess.run([qgis_process_command(), "--json", "help", "sozialraum:servicecoverage"], env=env,
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    parameters = json.loads(completed.stdout)["parameters"]
    assert parameters["ID_FIELD"]["raw_definition"]["metadata"]["widget_wrapper"] == {
        "class": "sozialraum.sozialraum.processing.field_widget.GuessedFieldWrapper", "guess": "id"}
    assert parameters["CAPACITY_FIELD"]["raw_definition"]["metadata"]["widget_wrapper"]["guess"] == "capacity"
    completed = subprocess.run([qgis_process_command(), "--json", "list"], env=env, capture_output=True, text=True,
                               timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    algorithms = json.loads(completed.stdout)["providers"]["sozialraum"]["algorithms"]
    assert "sozialraum:districtindex" in algorithms and "sozialraum:servicecoverage" in algorithms
