"""Run the main Sozialraum job on the bundled Musterstadt data, as `make demo` does.

    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/demo/run_demo.py --output demo-output

Loads the plugin through its real entry point, runs the algorithms through Processing (exactly
as the toolbox, a model or qgis_process would), saves styled results into one GeoPackage and
prints where everything is.
"""

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "musterstadt.gpkg"
INDICATORS = ["q_sgb2_2024", "q_alo_2024", "q_kinder_sgb2_2024", "q_alleinerz_2024", "q_grusi_2024"]


def start_qgis():
    """A headless QGIS with Processing and the Sozialraum plugin loaded through ``classFactory``."""
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    sys.path.append("/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing

    Processing.initialize()
    spec = importlib.util.spec_from_file_location("sozialraum_plugin", ROOT / "__init__.py",
                                                  submodule_search_locations=[str(ROOT)])
    package = importlib.util.module_from_spec(spec)
    sys.modules["sozialraum_plugin"] = package
    spec.loader.exec_module(package)
    plugin = package.classFactory(None)
    plugin.initProcessing()
    return app, plugin


def save_styled(path, layer_name, class_field, labels, title, method):
    """Style the saved layer by class and store the style as the layer's default in the GeoPackage."""
    from qgis.core import QgsVectorLayer

    styling = importlib.import_module("sozialraum_plugin.sozialraum.adapters.styling")
    layer = QgsVectorLayer("{}|layername={}".format(path, layer_name), layer_name, "ogr")
    styling.apply_class_style(layer, class_field, labels, title, method)
    layer.saveStyleToDatabase(layer_name, title, True, "")
    layer.saveNamedStyle(str(Path(path).with_name(layer_name + ".qml")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="demo-output", help="folder for the results")
    parser.add_argument("--language", default="de", choices=["de", "en"])
    args = parser.parse_args()
    out = Path(args.output).resolve()
    out.mkdir(parents=True, exist_ok=True)
    results = out / "musterstadt_ergebnisse.gpkg"
    if results.exists():
        results.unlink()

    app, plugin = start_qgis()
    import processing
    from qgis.core import QgsProcessingFeedback

    errors = importlib.import_module("sozialraum_plugin.sozialraum.core.errors")
    errors.set_language(args.language)
    feedback = QgsProcessingFeedback()
    districts = "{}|layername=quartiere".format(DEMO)
    summary = []

    index = processing.run("sozialraum:districtindex", {
        "INPUT": districts, "ID_FIELD": "quartier_id", "INDICATORS": INDICATORS,
        "POPULATION_FIELD": "ew_gesamt", "MIN_POPULATION": 300, "NORMALIZATION": "zscore",
        "AGGREGATION": "sum", "CLASSIFICATION": "stddev",
        "OUTPUT": "ogr:dbname='{}' table=\"sozialindex\" (geom)".format(results)}, feedback=feedback)
    method = json.loads(index["METHOD"])
    save_styled(results, "sozialindex", "index_class", method["labels"], "Sozialindex", method)
    summary.append("Sozialindex: {} Quartiere bewertet, {} nicht bewertet".format(index["N_RATED"],
                                                                                    index["N_NOT_RATED"]))

    mss = processing.run("sozialraum:statusdynamicindex", {
        "INPUT": districts, "ID_FIELD": "quartier_id", "STATUS_INDICATORS": INDICATORS,
        "DYNAMIC_PAIRS": [f for name in INDICATORS for f in (name, name.replace("_2024", "_2022"))],
        "POPULATION_FIELD": "ew_gesamt", "MIN_POPULATION": 300,
        "OUTPUT": "ogr:dbname='{}' table=\"status_dynamik\" (geom)".format(results)}, feedback=feedback)
    mss_method = json.loads(mss["METHOD"])
    mss_core = importlib.import_module("sozialraum_plugin.sozialraum.core.mss")
    labels = [errors.de_en(*mss_core.STATUS_LABELS[k]) for k in sorted(mss_core.STATUS_LABELS)]
    save_styled(results, "status_dynamik", "status_class", labels, "Status-/Dynamik-Index", mss_method)
    summary.append("Status-/Dynamik-Index (MSS-Verfahren) berechnet")

    diagnostics_html = out / "indexpruefung.html"
    processing.run("sozialraum:indexdiagnostics", {
        "INPUT": districts, "ID_FIELD": "quartier_id", "INDICATORS": INDICATORS,
        "POPULATION_FIELD": "ew_gesamt", "MIN_POPULATION": 300, "N_RANDOM": 200,
        "OUTPUT": "ogr:dbname='{}' table=\"robustheit\" (geom)".format(results),
        "OUTPUT_HTML": str(diagnostics_html)}, feedback=feedback)
    summary.append("Indexprüfung mit Robustheitsanalyse")

    print("\nSozialraum-Demo Musterstadt")
    for line in summary:
        print("  - " + line)
    print("Ergebnisse (GeoPackage mit Stilen): {}".format(results))
    print("Indexprüfung (HTML):                 {}".format(diagnostics_html))
    sys.stdout.flush()
    # exitQgis() can crash standalone scripts on QGIS 3.22; nothing is left to clean up here.
    os._exit(0)


if __name__ == "__main__":
    main()
