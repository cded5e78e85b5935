"""Benchmark of ``sozialraum:report`` on Berlin's 448 planning areas against ``native:atlaslayouttopdf``.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_report.py [--repeat 3]

Data (skipped with a message when ``../shared/data/berlin`` is absent): the LOR planning areas
(``lor_planungsraeume_bis2020.geojson``, EPSG:4326, reprojected to EPSG:25833) joined with
``mss2019_indikatoren_plr.csv`` by the 8-digit ID as text. One ID occurs twice in the geometry
file; the second gets the suffix ``-2`` (said on stdout). ``sozialraum:districtindex`` runs on
the status indicators s1, s3, s4 (population >= 300) once; then, each in its own child process:

  report  ``sozialraum:report`` with HTML and PDF (the whole call: reading, model, HTML, layouts,
          export);
  html    the same with HTML only (time and size of the HTML);
  atlas   ``native:atlaslayouttopdf`` on the SAME profile layout (the report's last template page,
          as an atlas over the same quarters layer, labels as text like the report), timed for the
          Processing call alone - the floor for one page per quarter.

Runs are interleaved (report, html, atlas, report, ...), the median is reported. Memory is the
child's peak resident set (VmHWM), QGIS included. Results: a table on stdout and
``bench/results/report.md``; the numbers in ``bench/README_report.md`` come from it.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_report.py --pdf-options [--repeat 1]

measures the size of the PDF alone (``sozialraum:report`` with OUTPUT_PDF only) as the report makes it and
with one of its size choices undone or another way of drawing the maps put in (:data:`PDF_OPTIONS`), each in
its own child process; results in ``bench/results/report_pdf_options.md``.
"""

import argparse
import csv
import datetime
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BERLIN = ROOT.parent / "shared" / "data" / "berlin"
DATA = BENCH / "data" / "report"
RESULTS = BENCH / "results"
INDICATORS = {"s1": "s1_percentage_unemployed", "s3": "s3_percentage_transfer_payments_recipients",
              "s4": "s4_percentage_transfer_payments_recipients_below_15_years"}
LABELS = "s1=Arbeitslose (% der 15- bis 65-Jährigen); s3=Transferbezug (%); s4=Transferbezug unter 15 Jahren (%)"
TARGETS = {"ratio": 1.3, "peak_mb": 1536.0}
RESULT_MARK = "BENCH_RESULT "
MODES = ("report", "html", "atlas")
#: PDF variants of --pdf-options: the report as it is, then one choice undone or one other way of drawing.
PDF_OPTIONS = {
    "report": "as the report makes it: outlines generalised to 0.2 mm, labels on a light box, images lossless, "
              "charts at 150 dpi",
    "generalise-off": "outlines only as QGIS's export simplifies them (0.1 pixel at 300 dpi)",
    "raster-300dpi": "the quarter layers drawn as 300-dpi images (QgsFeatureRenderer.setForceRasterRender)",
    "halo": "labels with a white halo (0.8 mm) instead of the light box",
    "jpeg": "images (the bar charts) written by Qt as JPEG (quality 94) instead of lossless",
    "charts-200dpi": "bar charts drawn at 2 pixels per unit (200 dpi) instead of 1.5 (150 dpi)",
}


def report_parameters(html, pdf):
    return {"INPUT": str(DATA / "berlin_index.gpkg"), "NAME_FIELD": "name", "INDICATOR_LABELS": LABELS,
            "TITLE": "Sozialbericht Berlin – Planungsräume (MSS 2019)", "ORGANISATION": "Benchmark",
            "DATA_DATE": "31.12.2018",
            "SOURCES": "Amt für Statistik Berlin-Brandenburg\nSenatsverwaltung für Stadtentwicklung Berlin "
                       "(Monitoring Soziale Stadtentwicklung 2019)",
            "LANGUAGE": "de", "OUTPUT_HTML": html, "OUTPUT_PDF": pdf}


# -- what a child process runs ----------------------------------------------------------------

def _start():
    sys.path.insert(0, str(BENCH))
    from _qgis import start_qgis

    return start_qgis()


def child_prepare():
    """Reproject, join by ID as text, run districtindex; writes bench/data/report/berlin_index.gpkg."""
    app, plugin = _start()
    import processing
    from qgis.core import (QgsCoordinateTransformContext, QgsFeature, QgsField, QgsProcessingFeedback,
                           QgsVectorFileWriter, QgsVectorLayer)
    from qgis.PyQt.QtCore import QVariant

    DATA.mkdir(parents=True, exist_ok=True)
    projected = processing.run("native:reprojectlayer", {
        "INPUT": str(BERLIN / "lor_planungsraeume_bis2020.geojson"), "TARGET_CRS": "EPSG:25833",
        "OUTPUT": "memory:"}, feedback=QgsProcessingFeedback())["OUTPUT"]
    with open(BERLIN / "mss2019_indikatoren_plr.csv", encoding="utf-8") as handle:
        rows = {row["id"].strip(): row for row in csv.DictReader(handle)}
    layer = QgsVectorLayer("MultiPolygon?crs=EPSG:25833", "planungsraeume", "memory")
    layer.dataProvider().addAttributes([QgsField("id", QVariant.String), QgsField("name", QVariant.String),
                                        QgsField("ew", QVariant.Double)] +
                                       [QgsField(short, QVariant.Double) for short in INDICATORS])
    layer.updateFields()
    seen, features, notes = set(), [], []
    for source in projected.getFeatures():
        key = str(source["id"]).strip()
        row = rows.get(key)
        if key in seen:
            notes.append("duplicate ID {} ({}) renamed to {}-2".format(key, source["name"], key))
            key += "-2"
        seen.add(key)
        if row is None:
            notes.append("ID {} ({}) has no row in the MSS table: not rated".format(key, source["name"]))
        feature = QgsFeature(layer.fields())
        values = [key, source["name"], float(row["inhabitants"]) if row else None]
        values += [float(row[column]) if row else None for column in INDICATORS.values()]
        feature.setAttributes(values)
        feature.setGeometry(source.geometry())
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = "planungsraeume"
    QgsVectorFileWriter.writeAsVectorFormatV3(layer, str(DATA / "berlin_plr.gpkg"), QgsCoordinateTransformContext(),
                                              options)
    index = DATA / "berlin_index.gpkg"
    if index.exists():
        index.unlink()
    result = processing.run("sozialraum:districtindex", {
        "INPUT": str(DATA / "berlin_plr.gpkg"), "ID_FIELD": "id", "INDICATORS": list(INDICATORS),
        "POPULATION_FIELD": "ew", "MIN_POPULATION": 300, "NORMALIZATION": "zscore", "AGGREGATION": "sum",
        "CLASSIFICATION": "stddev", "OUTPUT": "ogr:dbname='{}' table=\"sozialindex\" (geom)".format(index)},
        feedback=QgsProcessingFeedback())
    print(RESULT_MARK + json.dumps({"features": len(features), "rated": result["N_RATED"], "notes": notes}))
    sys.stdout.flush()
    os._exit(0)


def _memory():
    sys.path.insert(0, str(BENCH))
    from _qgis import memory_mb

    return memory_mb()[1]


def child_report(mode, out):
    """Time one ``sozialraum:report`` call (``report``: HTML + PDF, ``html``: HTML only)."""
    app, plugin = _start()
    import processing
    from qgis.core import QgsProcessingFeedback

    html, pdf = str(out / "{}.html".format(mode)), str(out / "{}.pdf".format(mode))
    parameters = report_parameters(html, pdf if mode == "report" else None)
    start, cpu = time.perf_counter(), time.process_time()
    result = processing.run("sozialraum:report", parameters, feedback=QgsProcessingFeedback())
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    print(RESULT_MARK + json.dumps({"mode": mode, "seconds": seconds, "cpu": cpu_seconds, "peak_mb": _memory(),
                                    "pages": result.get("N_PAGES"), "quarters": result["N_QUARTERS"],
                                    "html_mb": os.path.getsize(html) / 1e6,
                                    "pdf_mb": os.path.getsize(pdf) / 1e6 if mode == "report" else None}))
    sys.stdout.flush()
    os._exit(0)


def child_atlas(out):
    """Time ``native:atlaslayouttopdf`` on the report's profile layout as an atlas over the same layer."""
    app, plugin = _start()
    import tempfile

    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    report_module = sys.modules["sozialraum_plugin.sozialraum.processing.algorithms.report"]
    print_layout = sys.modules["sozialraum_plugin.sozialraum.adapters.print_layout"]
    algorithm = report_module.ReportAlgorithm()
    algorithm.initAlgorithm()
    context, feedback = QgsProcessingContext(), QgsProcessingFeedback()
    parameters = report_parameters(None, None)
    model, layer, id_field = algorithm.build_report_model(parameters, context, feedback, "de")
    with tempfile.TemporaryDirectory() as folder:
        pdf = report_module.prepare_pdf(model, layer, id_field, print_layout.DEFAULT_TEMPLATE, None, folder)
        pdf.charts.wait()
        atlas = pdf.profile  # the very layout the report exports its profile pages from, as an atlas
        pdf.project.layoutManager().addLayout(atlas)
        context.setProject(pdf.project)
        start, cpu = time.perf_counter(), time.process_time()
        processing.run("native:atlaslayouttopdf", {
            "LAYOUT": atlas.name(), "TEXT_FORMAT": 1, "OUTPUT": str(out / "atlas.pdf")},
            context=context, feedback=feedback)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    print(RESULT_MARK + json.dumps({"mode": "atlas", "seconds": seconds, "cpu": cpu_seconds, "peak_mb": _memory(),
                                    "pdf_mb": os.path.getsize(out / "atlas.pdf") / 1e6,
                                    "pages": pdf.layers[print_layout.QUARTERS].featureCount(),
                                    "quarters": len(model["quarters"])}))
    sys.stdout.flush()
    os._exit(0)


def child_pdf_option(option, out):
    """Time one ``sozialraum:report`` call writing only the PDF, with ``option`` (:data:`PDF_OPTIONS`) put in."""
    app, plugin = _start()
    import processing
    from qgis.core import QgsProcessingFeedback, QgsTextBufferSettings, QgsVectorSimplifyMethod
    from qgis.PyQt.QtGui import QColor

    print_layout = sys.modules["sozialraum_plugin.sozialraum.adapters.print_layout"]
    compat = sys.modules["sozialraum_plugin.sozialraum.adapters.compat"]
    if option == "generalise-off":
        print_layout.generalise_for_print = lambda layout: layout.renderContext().setSimplifyMethod(
            _export_simplification(QgsVectorSimplifyMethod, compat))
    if option in ("raster-300dpi", "halo"):
        report_layers = print_layout.report_layers

        def changed_layers(*args, **kwargs):
            layers = report_layers(*args, **kwargs)
            quarters = layers[print_layout.QUARTERS]
            if option == "raster-300dpi":
                for name in (print_layout.QUARTERS, print_layout.HIGHLIGHT):
                    layers[name].renderer().setForceRasterRender(True)
            else:
                settings = quarters.labeling().settings()
                text = settings.format()
                box = text.background()
                box.setEnabled(False)
                text.setBackground(box)
                halo = QgsTextBufferSettings()
                halo.setEnabled(True)
                halo.setSize(0.8)
                halo.setColor(QColor("#ffffff"))
                text.setBuffer(halo)
                settings.setFormat(text)
                quarters.labeling().setSettings(settings)
            return layers

        print_layout.report_layers = changed_layers
    if option == "jpeg":
        compat.LAYOUT_LOSSLESS_IMAGES = 0
    if option == "charts-200dpi":
        map_images = sys.modules["sozialraum_plugin.sozialraum.adapters.map_images"]
        map_images.svg_to_png = functools.partial(map_images.svg_to_png, scale=2.0)
    pdf = str(out / "pdf_{}.pdf".format(option))
    start, cpu = time.perf_counter(), time.process_time()
    result = processing.run("sozialraum:report", report_parameters(None, pdf), feedback=QgsProcessingFeedback())
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    print(RESULT_MARK + json.dumps({"mode": option, "seconds": seconds, "cpu": cpu_seconds, "peak_mb": _memory(),
                                    "pages": result.get("N_PAGES"), "pdf_mb": os.path.getsize(pdf) / 1e6}))
    sys.stdout.flush()
    os._exit(0)


def _export_simplification(method_class, compat):
    """QGIS's own simplification of a PDF export (QgsLayoutExporter: snapped to a 0.1-pixel grid)."""
    method = method_class()
    method.setSimplifyHints(compat.SIMPLIFY_GEOMETRY)
    method.setSimplifyAlgorithm(compat.SIMPLIFY_SNAP_TO_GRID_GLOBAL)
    method.setForceLocalOptimization(True)
    method.setThreshold(0.1)
    return method


def pdf_options(repeat, out):
    """The table of --pdf-options: PDF size, wall and CPU time (median of ``repeat``) for each option."""
    runs = {option: [] for option in PDF_OPTIONS}
    for _ in range(repeat):
        for option in PDF_OPTIONS:
            runs[option].append(run_child("pdf:" + option, str(out)))
    lines = ["Berlin report PDF by option – {} ({}, Python {}, {} CPUs), median of {} runs".format(
        datetime.date.today().isoformat(), platform.machine(), platform.python_version(), os.cpu_count(), repeat),
        "", "| option | what | pages | PDF MB | wall s | CPU s |", "|---|---|---:|---:|---:|---:|"]
    for option, what in PDF_OPTIONS.items():
        median = {key: statistics.median(r[key] for r in runs[option]) for key in ("pdf_mb", "seconds", "cpu")}
        lines.append("| {} | {} | {} | {:.1f} | {:.1f} | {:.1f} |".format(
            option, what, runs[option][0]["pages"], median["pdf_mb"], median["seconds"], median["cpu"]))
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "report_pdf_options.md").write_text(text + "\n", encoding="utf-8")


# -- the parent -----------------------------------------------------------------------------------

def run_child(*arguments):
    environment = dict(os.environ)
    environment.setdefault("QT_QPA_PLATFORM", "offscreen")
    completed = subprocess.run([sys.executable, __file__, "--child", *arguments], capture_output=True, text=True,
                               env=environment, timeout=3600)
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK):])
    raise RuntimeError("child {} failed:\n{}\n{}".format(arguments, completed.stdout[-3000:], completed.stderr[-3000:]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pdf-options", action="store_true", help="PDF size by option (PDF_OPTIONS)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode = args.child[0]
        out = Path(args.child[1]) if len(args.child) > 1 else DATA
        if mode == "prepare":
            child_prepare()
        elif mode.startswith("pdf:"):
            child_pdf_option(mode[4:], out)
        elif mode == "atlas":
            child_atlas(out)
        else:
            child_report(mode, out)
        return
    if not BERLIN.exists():
        print("bench_report: skipped, the Berlin data is not there ({}).".format(BERLIN))
        return
    prepared = run_child("prepare")
    print("Berlin planning areas: {} features, {} rated.".format(prepared["features"], prepared["rated"]))
    for note in prepared["notes"]:
        print("  note: " + note)
    out = DATA / "out"
    out.mkdir(parents=True, exist_ok=True)
    if args.pdf_options:
        pdf_options(args.repeat, out)
        return
    runs = {mode: [] for mode in MODES}
    for _ in range(args.repeat):
        for mode in MODES:
            runs[mode].append(run_child(mode, str(out)))
    median = {mode: {key: statistics.median(r[key] for r in runs[mode]) for key in ("seconds", "cpu", "peak_mb")}
              for mode in MODES}
    ratio = median["report"]["seconds"] / median["atlas"]["seconds"]
    cpu_ratio = median["report"]["cpu"] / median["atlas"]["cpu"]
    report, html, atlas = runs["report"][0], runs["html"][0], runs["atlas"][0]
    lines = [
        "Benchmark sozialraum:report – {} ({}, Python {}, {} CPUs), median of {} runs".format(
            datetime.date.today().isoformat(), platform.machine(), platform.python_version(), os.cpu_count(),
            args.repeat),
        "",
        "| run | pages | file MB | wall s | CPU s | peak MB |",
        "|---|---:|---:|---:|---:|---:|",
        "| sozialraum:report, HTML + PDF | {} | {:.1f} | {:.1f} | {:.1f} | {:.0f} |".format(
            report["pages"], report["pdf_mb"], median["report"]["seconds"], median["report"]["cpu"],
            median["report"]["peak_mb"]),
        "| sozialraum:report, HTML only | – | {:.2f} | {:.1f} | {:.1f} | {:.0f} |".format(
            html["html_mb"], median["html"]["seconds"], median["html"]["cpu"], median["html"]["peak_mb"]),
        "| native:atlaslayouttopdf, same profile layout | {} | {:.1f} | {:.1f} | {:.1f} | {:.0f} |".format(
            atlas["pages"], atlas["pdf_mb"], median["atlas"]["seconds"], median["atlas"]["cpu"],
            median["atlas"]["peak_mb"]),
        "",
        "report / atlas: wall {:.2f}x, CPU {:.2f}x (target <= {}x); peak {:.0f} MB (target < {:.0f} MB); "
        "HTML {:.2f} MB for {} quarters.".format(ratio, cpu_ratio, TARGETS["ratio"], median["report"]["peak_mb"],
                                                 TARGETS["peak_mb"], html["html_mb"], html["quarters"]),
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "report.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
