"""Benchmark of the decision tools: ``sozialraum:hotspots`` and ``sozialraum:allocation`` on a square lattice.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_decision.py [--sizes 100000] [--repeat 3]
        [--permutations 999]

For each size N (a lattice of N squares of 100 m, bench/data/lattice_N.gpkg, generated once):

  hotspots    ``sozialraum:hotspots``, queen contiguity, PERMUTATIONS (default 999), SEED 12345, with the
              funding areas (OUTPUT_AREAS), into a new GeoPackage;
  allocation  ``sozialraum:allocation``, tiers "1, 1.2, 1.5, 2, 3" on index_class, 10,000,000.00 in cents,
              into a new GeoPackage;
  copy        ``native:savefeatures``: a plain copy of the same layer into a new GeoPackage (the floor).

Every run is a child process of its own: the time is the wall time of the Processing call only (QGIS start-up
apart), the CPU time of the call is shown too, the memory is the child's peak resident set (VmHWM, QGIS itself
included). Repeats are interleaved (hotspots, allocation, copy, hotspots, ...); the table shows medians.
Targets (issue #14): hotspots under 60 s and 2 GB; allocation at most the copy's time.

The lattice: N = rows x columns squares (columns = ceil(sqrt(N)), the last row may be short), ``id`` text,
``pop`` 100..3000 children, ``index_value`` a smooth field (two sine waves over the city) plus noise from
numpy's PCG64 with ``--seed`` (default 12345), ``index_class`` 1..5 by the standard-deviation cuts
-1.5, -0.5, 0.5, 1.5 of index_value.
"""

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
RESULT_MARK = "BENCH_RESULT "
METHODS = ("hotspots", "allocation", "copy")
LABELS = {"hotspots": "sozialraum:hotspots (queen, {} permutations)", "allocation": "sozialraum:allocation (tiers)",
          "copy": "native:savefeatures (plain copy)"}
TARGETS = {"hotspots_seconds": 60.0, "hotspots_peak_mb": 2048.0, "allocation_to_copy": 1.0}
CELL = 100.0
ORIGIN = (350000.0, 5600000.0)


def make_lattice(n, path, seed=12345):
    """Write the lattice of ``n`` squares (see the module text) with OGR in one transaction."""
    from osgeo import ogr, osr

    columns = int(math.ceil(math.sqrt(n)))
    position = np.arange(n)
    row, column = position // columns, position % columns
    rng = np.random.Generator(np.random.PCG64(seed))
    u, v = column / columns, row / max(1, (n - 1) // columns + 1)
    value = np.sin(2 * math.pi * 3 * u) + np.cos(2 * math.pi * 2 * v) + 0.5 * rng.standard_normal(n)
    value = (value - value.mean()) / value.std()
    klass = 1 + np.searchsorted(np.array([-1.5, -0.5, 0.5, 1.5]), value, side="left")
    population = rng.integers(100, 3001, n)
    driver = ogr.GetDriverByName("GPKG")
    if path.exists():
        path.unlink()
    dataset = driver.CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(25832)
    layer = dataset.CreateLayer("quartiere", srs, ogr.wkbPolygon)
    for name, kind in (("id", ogr.OFTString), ("pop", ogr.OFTInteger), ("index_value", ogr.OFTReal),
                       ("index_class", ogr.OFTInteger)):
        layer.CreateField(ogr.FieldDefn(name, kind))
    layer.StartTransaction()
    definition = layer.GetLayerDefn()
    for k in range(n):
        x, y = ORIGIN[0] + CELL * column[k], ORIGIN[1] + CELL * row[k]
        feature = ogr.Feature(definition)
        feature.SetField("id", "Q{:06d}".format(k))
        feature.SetField("pop", int(population[k]))
        feature.SetField("index_value", float(value[k]))
        feature.SetField("index_class", int(klass[k]))
        feature.SetGeometry(ogr.CreateGeometryFromWkt("POLYGON(({0} {1},{2} {1},{2} {3},{0} {3},{0} {1}))".format(
            x, y, x + CELL, y + CELL)))
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    dataset = None


def lattice(n):
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / "lattice_{}.gpkg".format(n)
    if not path.exists():
        started = time.perf_counter()
        make_lattice(n, path)
        print("made {} ({:.1f} s)".format(path, time.perf_counter() - started))
    return path


def parameters(method, source, output, permutations):
    if method == "hotspots":
        return "sozialraum:hotspots", {
            "INPUT": source, "ID_FIELD": "id", "FIELD": "index_value", "WEIGHTS": "queen",
            "PERMUTATIONS": permutations, "SEED": 12345, "ALPHA": 0.05, "POPULATION_FIELD": "pop",
            "OUTPUT": output, "OUTPUT_AREAS": output.replace(".gpkg", "_gebiete.gpkg")}
    if method == "allocation":
        return "sozialraum:allocation", {
            "INPUT": source, "ID_FIELD": "id", "POPULATION_FIELD": "pop", "NEED_FIELD": "index_class",
            "METHOD": "tiers", "FACTORS": "1, 1.2, 1.5, 2, 3", "BUDGET": 10000000.0, "UNIT": 0.01,
            "OUTPUT": output}
    return "native:savefeatures", {"INPUT": source, "OUTPUT": output}


def child(method, source, output, permutations):
    """One measurement in this fresh process, printed as one JSON line."""
    sys.path.insert(0, str(BENCH))
    from _qgis import memory_mb, start_qgis

    started = time.perf_counter()
    app, plugin = start_qgis(ROOT)
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject

    class Log(QgsProcessingFeedback):
        lines = []

        def pushInfo(self, text):  # noqa: N802 (QGIS API)
            self.lines.append(text)

    feedback = Log()
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    startup = time.perf_counter() - started
    algorithm, values = parameters(method, source, output, permutations)
    cpu_begin = resource.getrusage(resource.RUSAGE_SELF)
    begin = time.perf_counter()
    result = processing.run(algorithm, values, context=context, feedback=feedback)
    seconds = time.perf_counter() - begin
    cpu_end = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_end.ru_utime - cpu_begin.ru_utime) + (cpu_end.ru_stime - cpu_begin.ru_stime)
    _, peak = memory_mb()
    note = {"hotspots": "{} areas; {}".format(result.get("N_CLUSTERS"), " / ".join(
        line for line in feedback.lines if "GEOS" in line)),
            "allocation": "top share {:.4f}".format(result.get("TOP_SHARE", float("nan")))}.get(method, "")
    print(RESULT_MARK + json.dumps({"method": method, "seconds": seconds, "cpu": cpu, "startup": startup,
                                    "peak_mb": peak, "note": note}))
    sys.stdout.flush()
    os._exit(0)


def measure(method, source, output, permutations, timeout=1800):
    for stale in Path(output).parent.glob(Path(output).stem + "*"):
        stale.unlink()
    command = [sys.executable, str(Path(__file__).resolve()), "--child", method, str(source), str(output),
               "--permutations", str(permutations)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=str(ROOT))
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK):])
    raise RuntimeError("{} failed (exit {}):\n{}\n{}".format(method, done.returncode, done.stdout[-3000:],
                                                            done.stderr[-3000:]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--child", nargs=3, metavar=("METHOD", "SOURCE", "OUTPUT"))
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], args.child[2], args.permutations)
    out = Path("/tmp") / "sozialraum-bench-decision-{}".format(os.getpid())
    out.mkdir(parents=True, exist_ok=True)
    print("| N | method | seconds (median) | CPU s | runs | x plain copy | peak RSS MB | note |")
    print("|---:|---|---:|---:|---:|---:|---:|---|")
    verdicts = []
    for n in args.sizes:
        source = lattice(n)
        runs = {method: [] for method in METHODS}
        for _ in range(args.repeat):
            for method in METHODS:
                runs[method].append(measure(method, source, str(out / "{}_{}.gpkg".format(method, n)),
                                            args.permutations))
        median = {m: statistics.median(r["seconds"] for r in runs[m]) for m in METHODS}
        for method in METHODS:
            label = LABELS[method].format(args.permutations)
            print("| {} | {} | {:.2f} | {:.2f} | {} | {:.2f} | {:.0f} | {} |".format(
                n, label, median[method], statistics.median(r["cpu"] for r in runs[method]), len(runs[method]),
                median[method] / median["copy"], max(r["peak_mb"] for r in runs[method]), runs[method][-1]["note"]))
        peak = max(r["peak_mb"] for r in runs["hotspots"])
        verdicts.append("N={}: hotspots {:.1f} s (< {:.0f}: {}), peak {:.0f} MB (< {:.0f}: {}); allocation {:.2f}x "
                        "the copy (<= {:.1f}: {})".format(
                            n, median["hotspots"], TARGETS["hotspots_seconds"],
                            "PASS" if median["hotspots"] < TARGETS["hotspots_seconds"] else "FAIL", peak,
                            TARGETS["hotspots_peak_mb"], "PASS" if peak < TARGETS["hotspots_peak_mb"] else "FAIL",
                            median["allocation"] / median["copy"], TARGETS["allocation_to_copy"],
                            "PASS" if median["allocation"] <= median["copy"] * TARGETS["allocation_to_copy"]
                            else "FAIL"))
    print()
    for line in verdicts:
        print("- " + line)


if __name__ == "__main__":
    main()
