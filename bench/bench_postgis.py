"""``sozialraum:servicecoverage`` with its layers in PostGIS beside the same run on GeoPackages.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_postgis.py [--repeat 3] [--demand 50000 --services 2000]

The 50,000 demand points x 2,000 services x 1,936 districts of bench/make_coverage_data.py (made when missing),
2SFCA within 300/500/1000 m, district layer and per-point layer out. A throwaway PostgreSQL/PostGIS server
(tests/qgis/pgserver.py) on this machine gets the three layers once (QgsVectorLayerExporter); then, each run
in the same QGIS process, timed with the wall clock and repeated (median):

  gpkg -> gpkg          GeoPackages in and out (the fast GDAL read and copy paths);
  postgis -> gpkg       PostGIS in, GeoPackages out;
  postgis -> postgis    PostGIS in and out (results written as staged tables, in batches without NULL and
                        values mixed in a column: QGIS writes such a batch wrongly, see base._NullSafeBatches).

Values are checked: the district accessibility (``erreichbarkeit``) of every run equals the GeoPackage
run's to 1e-9. Peak memory is the process's (QGIS included, all runs). Results on stdout and in
bench/results/postgis.md.
"""

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from _qgis import memory_mb, start_qgis  # noqa: E402  (the bench folder is no package)
DATA = BENCH / "data"
RESULTS = BENCH / "results"
THRESHOLDS = "300, 500, 1000"


def _files(demand, services):
    files = {"districts": DATA / "coverage_districts.gpkg", "demand": DATA / "coverage_demand_{}.gpkg".format(demand),
             "services": DATA / "coverage_services_{}.gpkg".format(services)}
    if not all(path.exists() for path in files.values()):
        subprocess.run([sys.executable, str(BENCH / "make_coverage_data.py"), "--demand", str(demand), "--services",
                        str(services), "--out", str(DATA)], check=True)
    return files


def _run(inputs, output, output_demand):
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    parameters = {"DISTRICTS": inputs["districts"], "ID_FIELD": "id", "SERVICES": inputs["services"],
                  "CAPACITY_FIELD": "plaetze", "DEMAND": inputs["demand"], "DEMAND_FIELD": "kinder",
                  "DISTANCE": THRESHOLDS, "METHOD": "2sfca", "OUTPUT": output, "OUTPUT_DEMAND": output_demand}
    started = time.perf_counter()
    result = processing.run("sozialraum:servicecoverage", parameters, context=QgsProcessingContext(),
                            feedback=QgsProcessingFeedback())
    return time.perf_counter() - started, result


def _accessibility(layer):
    return {f["id"]: f["erreichbarkeit"] for f in layer.getFeatures()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--demand", type=int, default=50000)
    parser.add_argument("--services", type=int, default=2000)
    args = parser.parse_args(argv)
    files = _files(args.demand, args.services)
    application, plugin = start_qgis()
    sys.path.insert(0, str(ROOT / "tests" / "qgis"))
    from pgserver import PostGIS
    from qgis.core import QgsVectorLayer, QgsVectorLayerExporter

    server = PostGIS().start()
    out = DATA / "out_postgis"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        server.sql("CREATE SCHEMA bench")
        pg = {}
        started = time.perf_counter()
        for name, path in files.items():
            layer = QgsVectorLayer(str(path), name, "ogr")
            error, message = QgsVectorLayerExporter.exportLayer(layer, server.uri("bench", name), "postgres",
                                                                layer.crs())
            assert error == 0, message
            pg[name] = QgsVectorLayer(server.uri("bench", name, key="id"), name, "postgres")
            assert pg[name].isValid() and pg[name].featureCount() == layer.featureCount(), name
        import_seconds = time.perf_counter() - started
        gpkg = {name: str(path) for name, path in files.items()}
        cases = [
            ("gpkg -> gpkg", gpkg, lambda k: (str(out / "v{}.gpkg".format(k)), str(out / "p{}.gpkg".format(k)))),
            ("postgis -> gpkg", pg, lambda k: (str(out / "w{}.gpkg".format(k)), str(out / "q{}.gpkg".format(k)))),
            ("postgis -> postgis", pg, lambda k: ("postgis:" + server.uri("bench", "versorgung_{}".format(k)),
                                                  "postgis:" + server.uri("bench", "punkte_{}".format(k)))),
        ]
        reference = None
        for title, inputs, outputs in cases:
            times = []
            for k in range(args.repeat):
                for path in out.glob("*.gpkg"):
                    path.unlink()
                output, output_demand = outputs(k)
                seconds, result = _run(inputs, output, output_demand)
                times.append(seconds)
            layer = (QgsVectorLayer(server.uri("bench", "versorgung_{}".format(args.repeat - 1)), "v", "postgres")
                     if output.startswith("postgis:") else QgsVectorLayer(result["OUTPUT"], "v", "ogr"))
            values = _accessibility(layer)
            if reference is None:
                reference = values
            worst = max(abs((values[key] or 0.0) - (reference[key] or 0.0)) for key in reference)
            rows.append((title, statistics.median(times), min(times), max(times), worst))
            print("{:20s} median {:7.2f} s (min {:.2f}, max {:.2f}); max |diff| erreichbarkeit {:.2e}".format(
                title, *rows[-1][1:]), flush=True)
    finally:
        server.stop()
    peak = memory_mb()[1]
    from qgis.core import Qgis

    lines = ["# servicecoverage with PostGIS ({})".format(datetime.date.today().isoformat()), "",
             "`{}` — {:,} demand points x {:,} services x 1,936 districts, 2SFCA {} m, district and per-point "
             "layers out; {} runs each, median (min-max). QGIS {}, {} cores, {}.".format(
                 "QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_postgis.py", args.demand, args.services,
                 THRESHOLDS, args.repeat, Qgis.version(), os.cpu_count(), platform.platform()), "",
             "| inputs -> outputs | median s | min s | max s | erreichbarkeit vs GeoPackage (max abs diff) |",
             "|---|---|---|---|---|"]
    lines += ["| {} | {:.2f} | {:.2f} | {:.2f} | {:.1e} |".format(*row) for row in rows]
    lines += ["", "Loading the three layers into PostGIS once (QgsVectorLayerExporter): {:.1f} s. Peak memory of the "
              "process (QGIS included, all runs): {:.0f} MiB.".format(import_seconds, peak)]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "postgis.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    os._exit(0)  # QGIS 3.22 can crash in exitQgis() at the end of a standalone script


if __name__ == "__main__":
    main()
