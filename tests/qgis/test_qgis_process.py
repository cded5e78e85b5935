"""The algorithms run from the command line with qgis_process, choice parameters given by key."""

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
