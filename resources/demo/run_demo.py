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


def save_styled(path, layer_name, title, method, apply_style, *style_arguments):
    """Style the saved layer as the algorithm styles it when QGIS loads it, ``apply_style(layer,
    *style_arguments, title, method)`` (an ``apply_*_style`` function of the plugin's adapters), and store
    the style as the layer's default in the GeoPackage (and beside it as a .qml file)."""
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer("{}|layername={}".format(path, layer_name), layer_name, "ogr")
    apply_style(layer, *style_arguments, title, method)
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
    styling = importlib.import_module("sozialraum_plugin.sozialraum.adapters.styling")
    bivariate = importlib.import_module("sozialraum_plugin.sozialraum.adapters.bivariate")
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
    save_styled(results, "sozialindex", "Sozialindex", method, styling.apply_class_style, "index_class",
                method["labels"])
    summary.append("Sozialindex: {} Quartiere bewertet, {} nicht bewertet".format(index["N_RATED"],
                                                                                    index["N_NOT_RATED"]))

    mss = processing.run("sozialraum:statusdynamicindex", {
        "INPUT": districts, "ID_FIELD": "quartier_id", "STATUS_INDICATORS": INDICATORS,
        "DYNAMIC_PAIRS": [f for name in INDICATORS for f in (name, name.replace("_2024", "_2022"))],
        "POPULATION_FIELD": "ew_gesamt", "MIN_POPULATION": 300,
        "OUTPUT": "ogr:dbname='{}' table=\"status_dynamik\" (geom)".format(results)}, feedback=feedback)
    save_styled(results, "status_dynamik", "Status-/Dynamik-Index", json.loads(mss["METHOD"]),
                styling.apply_status_dynamic_style)
    summary.append("Status-/Dynamik-Index (MSS-Verfahren) berechnet")

    labels = {
        "de": "q_sgb2_2024=SGB-II-Quote; q_alo_2024=Arbeitslosenquote; q_kinder_sgb2_2024=Kinder in SGB-II-Haushalten;"
              " q_alleinerz_2024=Alleinerziehende; q_grusi_2024=Grundsicherung im Alter",
        "en": "q_sgb2_2024=Welfare (SGB II) rate; q_alo_2024=Unemployment rate; q_kinder_sgb2_2024=Children in "
              "welfare households; q_alleinerz_2024=Single parents; q_grusi_2024=Old-age basic income support"}
    diagnostics_html = out / "indexpruefung.html"
    processing.run("sozialraum:indexdiagnostics", {
        "INPUT": districts, "ID_FIELD": "quartier_id", "INDICATORS": INDICATORS,
        "POPULATION_FIELD": "ew_gesamt", "MIN_POPULATION": 300, "N_RANDOM": 200,
        "NAME_FIELD": "name", "INDICATOR_LABELS": labels[args.language],
        "OUTPUT": "ogr:dbname='{}' table=\"robustheit\" (geom)".format(results),
        "OUTPUT_HTML": str(diagnostics_html)}, feedback=feedback)
    save_styled(results, "robustheit", "Robustheit je Quartier", None, styling.apply_robustness_style)
    summary.append("Indexprüfung mit Robustheitsanalyse")

    coverage_core = importlib.import_module("sozialraum_plugin.sozialraum.core.coverage")
    coverage_labels = coverage_core.coverage_labels([1, 2, 3])
    for key, service_layer, target, distances, fca_method, norm in (
            ("kitas", "kitas", "ew_u6", "300, 500, 1000", "e2sfca", 0.6),
            ("pflege", "pflegeheime", "ew_65plus", "1000, 2000, 3000", "2sfca", None)):
        parameters = {
            "DISTRICTS": districts, "ID_FIELD": "quartier_id", "TARGET_POPULATION_FIELD": target,
            "SERVICES": "{}|layername={}".format(DEMO, service_layer), "CAPACITY_FIELD": "plaetze",
            "SERVICE_NAME_FIELD": "name", "DEMAND": "{}|layername=adressen".format(DEMO), "DEMAND_FIELD": target,
            "DISTANCE": distances, "NETWORK": "{}|layername=wege".format(DEMO), "METHOD": fca_method,
            "OUTPUT": "ogr:dbname='{}' table=\"versorgung_{}\" (geom)".format(results, key)}
        if norm is not None:
            parameters["NORM"] = norm
        coverage = processing.run("sozialraum:servicecoverage", parameters, feedback=feedback)
        title = "Versorgung {}".format("Kitas" if key == "kitas" else "Pflegeheime")
        save_styled(results, "versorgung_" + key, title, json.loads(coverage["METHOD_RECORD"]), styling.apply_class_style,
                    "versorgung_klasse", coverage_labels)
        typology = processing.run("sozialraum:needcoverage", {
            "NEED": "{}|layername=sozialindex".format(results), "NEED_ID_FIELD": "quartier_id",
            "NEED_FIELD": "index_class", "NEED_MODE": "classes", "N_NEED_CLASSES": len(method["labels"]),
            "COVERAGE": "{}|layername=versorgung_{}".format(results, key), "COVERAGE_ID_FIELD": "quartier_id",
            "COVERAGE_FIELD": "versorgung_klasse", "COVERAGE_MODE": "classes",
            "OUTPUT": "ogr:dbname='{}' table=\"bedarf_versorgung_{}\" (geom)".format(results, key)},
            feedback=feedback)
        save_styled(results, "bedarf_versorgung_" + key, "Bedarf und " + title, json.loads(typology["METHOD"]),
                    bivariate.apply_bivariate_style)
        summary.append("{}: {} % der Zielgruppe ohne Einrichtung in Reichweite; Typologie Bedarf × Versorgung"
                       .format(title, errors.format_number(100 * coverage["UNREACHED_SHARE"], 1)))

    catchments = processing.run("sozialraum:catchments", {
        "SERVICES": "{}|layername=kitas".format(DEMO), "NAME_FIELD": "name", "DISTANCE": "300, 500",
        "NETWORK": "{}|layername=wege".format(DEMO), "BUFFER": 50, "DEMAND": "{}|layername=adressen".format(DEMO),
        "DEMAND_FIELD": "ew_u6",
        "OUTPUT": "ogr:dbname='{}' table=\"einzugsbereiche_kitas\" (geom)".format(results)}, feedback=feedback)
    save_styled(results, "einzugsbereiche_kitas", "Einzugsbereiche Kitas", json.loads(catchments["METHOD"]),
                styling.apply_catchment_style)
    summary.append("Einzugsbereiche der Kitas (300 und 500 m zu Fuß)")

    allocation = processing.run("sozialraum:allocation", {
        "INPUT": "{}|layername=sozialindex".format(results), "ID_FIELD": "quartier_id",
        "POPULATION_FIELD": "ew_u15", "NEED_FIELD": "index_class", "METHOD": "tiers", "FACTORS": "1, 1.2, 1.5, 2, 3",
        "BUDGET": 1000000, "BASE_SHARE": 0.2, "UNIT": 0.01,
        "OUTPUT": "ogr:dbname='{}' table=\"mittelverteilung\" (geom)".format(results)}, feedback=feedback)
    save_styled(results, "mittelverteilung", "Mittelverteilung", json.loads(allocation["METHOD_RECORD"]),
                styling.apply_allocation_style)
    summary.append("Mittelverteilung: 1 Mio. € nach Bedarf (Stufen 1 / 1,2 / 1,5 / 2 / 3, Sockel 20 %)")
    hotspots = processing.run("sozialraum:hotspots", {
        "INPUT": "{}|layername=sozialindex".format(results), "ID_FIELD": "quartier_id", "FIELD": "index_value",
        "POPULATION_FIELD": "ew_gesamt", "INDICATORS": INDICATORS,
        "OUTPUT": "ogr:dbname='{}' table=\"haeufungen\" (geom)".format(results),
        "OUTPUT_AREAS": "ogr:dbname='{}' table=\"gebietskulisse\" (geom)".format(results)}, feedback=feedback)
    hotspot_method = json.loads(hotspots["METHOD"])
    save_styled(results, "haeufungen", "Häufungen", hotspot_method, styling.apply_hotspot_style)
    save_styled(results, "gebietskulisse", "Gebietskulisse", None, styling.apply_funding_area_style)
    summary.append("Gebietskulisse: {} Gebiet(e) aus Häufungen hohen Bedarfs".format(hotspots["N_CLUSTERS"]))

    reports = {}
    for language in ("de", "en"):
        stem = out / ("sozialbericht" if language == "de" else "social_report")
        report = processing.run("sozialraum:report", {
            "INPUT": "{}|layername=sozialindex".format(results), "NAME_FIELD": "name",
            "INDICATOR_LABELS": labels[language],
            "DYNAMICS": "{}|layername=status_dynamik".format(results),
            "COVERAGE": ["{}|layername=versorgung_kitas".format(results),
                         "{}|layername=versorgung_pflege".format(results)],
            "COVERAGE_TITLES": "Kitas; Pflegeheime" if language == "de" else "Day care (Kitas); Care homes",
            "NEED_COVERAGE": "{}|layername=bedarf_versorgung_kitas".format(results),
            "ALLOCATION": "{}|layername=mittelverteilung".format(results),
            "HOTSPOTS": "{}|layername=haeufungen".format(results),
            "TITLE": "Sozialbericht Musterstadt 2024" if language == "de" else "Social report Musterstadt 2024",
            "ORGANISATION": "Stadt Musterstadt, Sozialplanung" if language == "de"
                            else "City of Musterstadt, social planning",
            "DATA_DATE": "31.12.2024", "LANGUAGE": language,
            "SOURCES": "Musterstadt: fiktive Demodaten (resources/demo/README.md)" if language == "de"
                       else "Musterstadt: fictitious demo data (resources/demo/README.md)",
            "OUTPUT_HTML": str(stem) + ".html", "OUTPUT_PDF": str(stem) + ".pdf",
            "OUTPUT_TABLE": str(stem) + ".xlsx"}, feedback=feedback)
        reports[language] = report
    summary.append("Sozialbericht (HTML, PDF, XLSX) auf Deutsch und Englisch")

    print("\nSozialraum-Demo Musterstadt")
    for line in summary:
        print("  - " + line)
    print("Ergebnisse (GeoPackage mit Stilen): {}".format(results))
    print("Indexprüfung (HTML):                 {}".format(diagnostics_html))
    for language, report in reports.items():
        print("Sozialbericht ({}):                    {}".format(
            language, ", ".join(report[key] for key in ("OUTPUT_HTML", "OUTPUT_PDF", "OUTPUT_TABLE") if report.get(key))))
    sys.stdout.flush()
    # exitQgis() can crash standalone scripts on QGIS 3.22; nothing is left to clean up here.
    os._exit(0)


if __name__ == "__main__":
    main()
