"""Benchmark of ``sozialraum:servicecoverage`` against PySAL ``access``, ``native:joinbynearest`` and a QGIS model.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_coverage.py          # everything (1M case once, at the end)
    ... bench_coverage.py --skip-big                  # without the 1,000,000 x 5,000 run
    ... bench_coverage.py --only big                  # only the 1,000,000 x 5,000 run
    ... bench_coverage.py --only scale --baseline-repeat 3 --results bench/results/scale   # 1M x 5k x 20k
    ... bench_coverage.py --only state --results bench/results/state                # 3M state grid, cancel
    ... bench_coverage.py --only network_city --results bench/results/network_city  # 500k addresses, city
    ... bench_coverage.py --profile fca|nearest|network|big   # where servicecoverage spends its time (cProfile)
    ... bench_coverage.py --tabulate bench/results/coverage.json   # the table again from an earlier run
    ... bench_coverage.py --only fca nearest network --no-model --network-services 100 \
            --model-from bench/results/coverage.json --results /tmp/cov   # plugin only on the network, the
                                   # model's times taken (and marked) from an earlier run; results elsewhere

PySAL's ``access`` comes from bench/requirements-bench.txt (``.venv/bin/pip install -r ...``); the plugin
does not need it. Inputs: bench/make_coverage_data.py (generated once into bench/data/). On identical
inputs, side by side (d0 = 1000 m, thresholds 300, 500, 1000 m, capacities ``plaetze``, demand ``kinder``):

  fca       Euclidean 2SFCA (Luo & Wang 2003: R_j = S_j / sum_{d_ij <= d0} P_i, A_i = sum_{d_ij <= d0} R_j),
            50,000 demand points x 2,000 services:
            - ``sozialraum:servicecoverage`` (METHOD 2sfca) through Processing, GeoPackages in and out
              (districts and the per-point layer, which holds A_i);
            - PySAL ``access``: the layers read with geopandas, the cost table built as its users build
              one (a long DataFrame origin / dest / cost) from scipy's ``cdist`` (the full 50,000 x 2,000
              matrix; only pairs with d <= d0 go into the table, a full 1e8-row table would not be
              faster), then ``Access(...).two_stage_fca(max_cost=nextafter(d0, inf))`` (so its
              ``cost < max_cost`` is ``d <= d0``, the plugin's inclusive cut-off);
            - the same with the pairs from ``scipy.spatial.cKDTree.sparse_distance_matrix`` (the fastest
              way we know to build its cost table);
            - "compute only": the same three without reading and writing, on coordinates in memory
              (plugin: ``euclidean_pairs`` + ``two_step_fca``).
            A_i is compared per demand point (``access`` leaves points with no service in reach out:
            0 there); equal means abs. difference <= 1e-9 everywhere.
  nearest   distance to the nearest service, same inputs: ``servicecoverage`` METHOD nearest (per-point
            layer, ``dist_naechste``) and the plugin's ``nearest_points`` against ``native:joinbynearest``
            (NEIGHBORS 1); equal means abs. difference <= 1e-6 m for every point.
  network   2SFCA along a path network of 99,904 edges (d0 = 1000 m along the paths), 50,000 demand points:
            - ``servicecoverage`` with NETWORK;
            - the QGIS way today (a model of 11 Processing steps): ``native:serviceareafromlayer`` (lines
              reachable within d0 from every service), ``native:buffer`` of those lines by 50 m (addresses
              next to a reachable path), ``native:joinattributesbylocation`` (demand point x catchment
              pairs), ``native:aggregate`` + ``native:fieldcalculator`` (R_j per service),
              ``native:joinattributestable`` + ``native:aggregate`` (A_i per point), then the district means
              (join by location, aggregate, field calculator). All 2,000 services would take hours, so the
              model runs on the first 50 and 100 services; its time at 2,000 is EXTRAPOLATED per step and
              labelled so: a lower bound where only the service areas and buffers grow linearly (the
              steps on the pairs and on the demand points keep their time at 100 services), and a
              linear estimate where every step on catchments or pairs grows. The plugin runs on the
              same subsets (like for like) and on all 2,000.
            The two do not snap alike (plugin: to the nearest point of the nearest edge, the snapping
            distance added to the walk; the model: QGIS' graph builder ties the services to the network,
            demand points count anywhere within 50 m of a reachable line), so their values are compared
            as agreement (same points reached, correlation and mean of A_i), not for equality.
  big       1,000,000 demand points x 5,000 services, Euclidean 2SFCA through Processing (district output
            only, as the wizard runs it): time and peak memory, target < 4 GiB.
  scale     1,000,000 demand points x 5,000 services x 19,881 districts (141 x 141 cells of 156 m over the
            same city), GeoPackages in and out (not part of "everything"; ``--only scale``):
            - ``servicecoverage`` 2SFCA with the district and the per-point layer, and with the district
              layer only, against the expert pipeline: geopandas read, cKDTree cost table, ``access``
              two_stage_fca, A_i per point written as CSV (targets: <= 1.5x and <= 1.0x its time);
            - ``servicecoverage`` nearest with the per-point layer against ``native:joinbynearest``
              (target: joinbynearest >= 5x its time). Values checked as in fca / nearest.
  state     a 100 m population grid of a state (bench/make_state_data.py; not part of "everything",
            ``--only state``): 3,000,000 inhabited cells (``einwohner``) x 20,000 services x 2,500
            municipalities, and the same process on a third of the area (1,000,000 x 6,667 x 841;
            ``--state-cells`` for other sizes). ``servicecoverage`` 2SFCA, GeoPackages in, the
            district and the per-point layer out, progress recorded in every run (updates, monotone,
            the longest stretch without one). Targets: peak < 8e9 bytes at 3M, t(3M) / t(1M) <= 3;
            A_i of 2,000 random points against a brute-force 2SFCA (KD-tree) within 1e-9, the
            conservation law over all points. Then one run per ``STATE_CANCELS`` entry (or per
            ``--cancel AT DELAY``) at 3M that presses cancel (from a timer thread) at a progress value
            or a time: seconds from the cancel to the algorithm returning (target <= 5 s), the error,
            and nothing left in the output folder.
  network_city  2SFCA along a city network (bench/make_coverage_data.py ``write_city``: streets not
            split at crossings, about 100,000 edges once joined at shared vertices) with 500,000
            addresses and 1,000 services, district and per-point layers out: time, memory, progress
            and the conservation law; no target (not part of "everything", ``--only network_city``).

Each run is a separate child process; time = wall time of the work (QGIS start-up not included, reported
apart); memory = the child's peak resident set (VmHWM, QGIS itself included; a child passing ``--max-rss-mb``
is killed). Fast runs are repeated (``--repeat``, median); slow baselines run once. Results: a table on
stdout and bench/results/coverage.{md,csv,json}.
"""

import argparse
import csv
import datetime
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
OUT = DATA / "out"
RESULTS = BENCH / "results"
RESULT_MARK = "BENCH_RESULT "

D0 = 1000.0
THRESHOLDS = "300, 500, 1000"
BUFFER = 50.0                 # the model's "address next to a reachable path", metres
SMALL = (50000, 2000)         # demand points, services of the side-by-side runs
BIG = (1000000, 5000)
SCALE_GRID = 141              # the scale runs' districts: 141 x 141 = 19,881 cells of 156 m over the same city
SUBSETS = (50, 100)           # services in the model's network runs
STATE = (1000000, 3000000)    # inhabited 100 m cells of the state runs (bench/make_state_data.py): base, full
STATE_SAMPLE = 2000           # state grid points whose A_i is recomputed by brute force
# cancel runs at the full size: pressed (seconds) after (progress %, None: the start); where they fall at 3,000,000
# cells with the plugin of 6721f7e (seconds of a 21 s run): reading and assigning the points (0-6 s, no progress),
# the radius search (25-54 %), the nearest service and the method (54-60 %, 3 s), then the per-point layer: its
# result columns handed to SQLite (70-79 %, 6 s), its rows copied (79-91 %) and its R-tree copied (91-97 %)
STATE_CANCELS = ((None, 3.0), (50.0, 0.0), (54.0, 1.0), (70.0, 1.0), (79.0, 1.0), (91.0, 1.0))
TARGETS = {"fca_speedup": 10.0, "network_speedup": 5.0, "big_peak_mb": 4096.0, "fca_tolerance": 1e-9,
           "nearest_tolerance": 1e-6, "scale_points_ratio": 1.5, "scale_districts_ratio": 1.0,
           "scale_nearest_speedup": 5.0, "state_peak_bytes": 8e9, "state_growth": 3.0, "progress_gap_s": 10.0,
           "cancel_s": 5.0, "conservation_rel": 1e-9}
# Until commit 6b28a37 the result layers kept 8 decimals of a float (adapters.layers.result_fields); the
# layer was checked to half a unit of the 8th decimal then. Since then doubles are written unrounded and the
# layer is checked to TARGETS["fca_tolerance"] like the functions; a --tabulate of an older coverage.json
# (checks without "tolerance") still says "within the 8 decimals stored".


# ---------------------------------------------------------------------------------------------
# what a child process runs
# ---------------------------------------------------------------------------------------------

def _coverage_parameters(spec):
    """``sozialraum:servicecoverage`` parameters of a child spec."""
    parameters = {"DISTRICTS": spec["districts"], "ID_FIELD": "id", "SERVICES": spec["services"],
                  "CAPACITY_FIELD": "plaetze", "DEMAND": spec["demand"],
                  "DEMAND_FIELD": spec.get("demand_field", "kinder"),
                  "DISTANCE": THRESHOLDS, "METHOD": spec.get("method", "2sfca"), "OUTPUT": spec["output"]}
    if spec.get("network"):
        parameters["NETWORK"] = spec["network"]
    if spec.get("output_demand"):
        parameters["OUTPUT_DEMAND"] = spec["output_demand"]
    return parameters


def _aggregate(name, aggregate, expression, kind):
    """One entry of ``native:aggregate``'s AGGREGATES (kind: 2 integer, 6 double, 10 text)."""
    return {"aggregate": aggregate, "delimiter": ",", "input": expression, "length": 0, "name": name,
            "precision": 0, "type": kind}


def run_model(processing, context, feedback, spec):
    """The QGIS model for network 2SFCA (see the module docstring).

    Returns ``[(step, wall s, CPU s, scaling)]``; ``scaling`` says what the step's work grows with:
    ``"catchments"`` (one per service), ``"pairs"`` (demand point x catchment pairs, and the reached
    points they group into: both grow with the services, the points only up to all 50,000) or
    ``"fixed"`` (the 50,000 demand points and the districts).
    """
    from qgis.core import QgsProcessing

    memory = QgsProcessing.TEMPORARY_OUTPUT
    steps = [
        ("native:serviceareafromlayer", lambda r: {
            "INPUT": spec["network"], "STRATEGY": 0, "DEFAULT_DIRECTION": 2, "TOLERANCE": 0,
            "START_POINTS": spec["services"], "TRAVEL_COST2": D0, "INCLUDE_BOUNDS": False,
            "OUTPUT_LINES": memory}, "OUTPUT_LINES", "catchments"),
        ("native:buffer", lambda r: {
            "INPUT": r["native:serviceareafromlayer"], "DISTANCE": BUFFER, "SEGMENTS": 5, "DISSOLVE": False,
            "OUTPUT": memory}, "OUTPUT", "catchments"),
        ("native:joinattributesbylocation", lambda r: {
            "INPUT": spec["demand"], "JOIN": r["native:buffer"], "PREDICATE": [0], "JOIN_FIELDS": ["id", "plaetze"],
            "METHOD": 0, "DISCARD_NONMATCHING": True, "PREFIX": "e_", "OUTPUT": memory}, "OUTPUT", "pairs"),
        ("native:aggregate (demand per service)", lambda r: {
            "INPUT": r["native:joinattributesbylocation"], "GROUP_BY": '"e_id"', "AGGREGATES": [
                _aggregate("e_id", "first_value", '"e_id"', 2),
                _aggregate("e_plaetze", "first_value", '"e_plaetze"', 6),
                _aggregate("nachfrage", "sum", '"kinder"', 6)], "OUTPUT": memory}, "OUTPUT", "pairs"),
        ("native:fieldcalculator (R_j)", lambda r: {
            "INPUT": r["native:aggregate (demand per service)"], "FIELD_NAME": "ratio", "FIELD_TYPE": 0,
            "FIELD_LENGTH": 20, "FIELD_PRECISION": 12, "FORMULA": '"e_plaetze" / "nachfrage"',
            "OUTPUT": memory}, "OUTPUT", "pairs"),
        ("native:joinattributestable (R_j to pairs)", lambda r: {
            "INPUT": r["native:joinattributesbylocation"], "FIELD": "e_id",
            "INPUT_2": r["native:fieldcalculator (R_j)"],
            "FIELD_2": "e_id", "FIELDS_TO_COPY": ["ratio"], "METHOD": 1, "OUTPUT": memory}, "OUTPUT", "pairs"),
        ("native:aggregate (A_i per point)", lambda r: {
            "INPUT": r["native:joinattributestable (R_j to pairs)"], "GROUP_BY": '"id"', "AGGREGATES": [
                _aggregate("id", "first_value", '"id"', 2),
                _aggregate("erreichbarkeit", "sum", '"ratio"', 6)], "OUTPUT": spec["output_demand"]}, "OUTPUT",
         "pairs"),
        ("native:joinattributestable (A_i to points)", lambda r: {
            "INPUT": spec["demand"], "FIELD": "id", "INPUT_2": r["native:aggregate (A_i per point)"], "FIELD_2": "id",
            "FIELDS_TO_COPY": ["erreichbarkeit"], "METHOD": 1, "OUTPUT": memory}, "OUTPUT", "fixed"),
        ("native:joinattributesbylocation (district)", lambda r: {
            "INPUT": r["native:joinattributestable (A_i to points)"], "JOIN": spec["districts"], "PREDICATE": [0],
            "JOIN_FIELDS": ["id"], "METHOD": 1, "DISCARD_NONMATCHING": False, "PREFIX": "q_", "OUTPUT": memory},
         "OUTPUT", "fixed"),
        ("native:aggregate (district sums)", lambda r: {
            "INPUT": r["native:joinattributesbylocation (district)"], "GROUP_BY": '"q_id"', "AGGREGATES": [
                _aggregate("q_id", "first_value", '"q_id"', 10),
                _aggregate("kinder", "sum", '"kinder"', 6),
                _aggregate("pa", "sum", '"kinder" * coalesce("erreichbarkeit", 0)', 6)], "OUTPUT": memory},
         "OUTPUT", "fixed"),
        ("native:fieldcalculator (district mean)", lambda r: {
            "INPUT": r["native:aggregate (district sums)"], "FIELD_NAME": "erreichbarkeit", "FIELD_TYPE": 0,
            "FIELD_LENGTH": 20, "FIELD_PRECISION": 12, "FORMULA": '"pa" / "kinder"', "OUTPUT": spec["output"]},
         "OUTPUT", "fixed"),
    ]
    results, timings = {}, []
    for name, parameters, output, scaling in steps:
        algorithm = name.split(" ")[0]
        begin, begin_cpu = time.perf_counter(), time.process_time()
        # intermediate layers stay alive to the end, as in a model
        results[name] = processing.run(algorithm, parameters(results), context=context, feedback=feedback)[output]
        timings.append((name, time.perf_counter() - begin, time.process_time() - begin_cpu, scaling))
    return timings


def read_xy(path, fields):
    """``(x, y, {field: array})`` of a point GeoPackage, read with OGR (not timed)."""
    import numpy as np
    from osgeo import ogr

    data = ogr.Open(str(path))  # the layer lives only as long as its data source
    layer = data.GetLayer(0)
    x, y, columns = [], [], {f: [] for f in fields}
    for feature in layer:
        point = feature.GetGeometryRef()
        x.append(point.GetX())
        y.append(point.GetY())
        for f in fields:
            columns[f].append(feature.GetField(f))
    return np.asarray(x), np.asarray(y), {f: np.asarray(v) for f, v in columns.items()}


def access_child(spec):
    """PySAL access: read with geopandas, cost table from cdist or a KD-tree, two_stage_fca; phase times."""
    import numpy as np

    times, cpu = {}, {}
    begin = time.perf_counter()
    import geopandas as gpd
    import pandas as pd
    from access import Access
    from scipy.spatial import cKDTree
    from scipy.spatial.distance import cdist

    times["import"] = time.perf_counter() - begin
    begin, begin_cpu = time.perf_counter(), time.process_time()
    demand = gpd.read_file(spec["demand"])
    supply = gpd.read_file(spec["services"])
    demand_xy = np.column_stack([demand.geometry.x.to_numpy(), demand.geometry.y.to_numpy()])
    supply_xy = np.column_stack([supply.geometry.x.to_numpy(), supply.geometry.y.to_numpy()])
    times["read"], cpu["read"] = time.perf_counter() - begin, time.process_time() - begin_cpu

    begin, begin_cpu = time.perf_counter(), time.process_time()
    if spec["distances"] == "cdist":
        matrix = cdist(demand_xy, supply_xy)
        i, j = np.nonzero(matrix <= D0)
        cost = matrix[i, j]
        del matrix
    else:
        pairs = cKDTree(demand_xy).sparse_distance_matrix(cKDTree(supply_xy), D0, output_type="ndarray")
        i, j, cost = pairs["i"], pairs["j"], pairs["v"]
    cost_df = pd.DataFrame({"origin": demand["id"].to_numpy()[i], "dest": supply["id"].to_numpy()[j], "cost": cost})
    times["distances"], cpu["distances"] = time.perf_counter() - begin, time.process_time() - begin_cpu

    begin, begin_cpu = time.perf_counter(), time.process_time()
    model = Access(demand_df=pd.DataFrame(demand[["id", "kinder"]]), demand_index="id", demand_value="kinder",
                   supply_df=pd.DataFrame(supply[["id", "plaetze"]]), supply_index="id", supply_value="plaetze",
                   cost_df=cost_df, cost_origin="origin", cost_dest="dest", cost_name="cost")
    result = model.two_stage_fca(name="fca", max_cost=float(np.nextafter(D0, np.inf)))
    times["access"], cpu["access"] = time.perf_counter() - begin, time.process_time() - begin_cpu

    series = result["fca_plaetze"]
    times["write"] = 0.0
    if spec.get("csv"):  # the expert pipeline's per-point result, as its users keep it
        begin, begin_cpu = time.perf_counter(), time.process_time()
        series.rename("erreichbarkeit").to_csv(spec["csv"], index_label="id")
        times["write"], cpu["write"] = time.perf_counter() - begin, time.process_time() - begin_cpu
    np.save(spec["values"], np.column_stack([series.index.to_numpy(dtype="float64"),
                                             series.to_numpy(dtype="float64")]))
    return {"seconds": times["read"] + times["distances"] + times["access"] + times["write"],
            "compute_seconds": times["distances"] + times["access"], "cpu": sum(cpu.values()),
            "compute_cpu": cpu["distances"] + cpu["access"], "phases": times, "pairs": int(len(cost_df))}


def core_child(spec):
    """The plugin's functions on coordinates in memory: euclidean_pairs + two_step_fca, or nearest_points."""
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from sozialraum.adapters.distances import euclidean_pairs, nearest_points
    from sozialraum.core.coverage import two_step_fca

    dx, dy, demand = read_xy(spec["demand"], ["id", "kinder"])
    sx, sy, supply = read_xy(spec["services"], ["plaetze"])
    begin, begin_cpu = time.perf_counter(), time.process_time()
    if spec["what"] == "fca":
        pair_i, pair_j, pair_d = euclidean_pairs(dx, dy, sx, sy, D0)
        values = two_step_fca(demand["kinder"], supply["plaetze"], pair_i, pair_j, pair_d, D0).accessibility
        extra = {"pairs": int(pair_i.size)}
    else:
        _, values = nearest_points(dx, dy, sx, sy)
        extra = {}
    seconds, cpu = time.perf_counter() - begin, time.process_time() - begin_cpu
    np.save(spec["values"], np.column_stack([demand["id"].astype("float64"), values]))
    return dict(extra, seconds=seconds, compute_seconds=seconds, cpu=cpu, compute_cpu=cpu)


def tracing_feedback(cancel=None):
    """A Processing feedback that records every progress value with its time (``feedback.trace``) and,
    with ``cancel = (at, delay)``, presses cancel ``delay`` seconds after the progress first reaches
    ``at`` % (``at`` None: after ``feedback.start()``, called when the run begins): from a timer
    thread, as the dialog's button cancels an algorithm that runs in a task. Recorded:
    ``cancel_planned`` and ``cancel_pressed`` (when it was due and when the timer got to run),
    ``cancel_progress`` (the progress then) and ``cancel_where`` (the innermost functions the run
    was in when it was pressed)."""
    from qgis.core import QgsProcessingFeedback

    feedback = QgsProcessingFeedback()
    feedback.trace, feedback.cancel_planned, feedback.cancel_pressed = [], None, None
    feedback.cancel_progress, feedback.cancel_where = None, []
    running = threading.main_thread().ident

    def press():
        feedback.cancel_pressed = time.perf_counter()
        feedback.cancel_progress = feedback.trace[-1][1] if feedback.trace else None
        frame = sys._current_frames().get(running)
        while frame is not None and len(feedback.cancel_where) < 6:
            if frame.f_code.co_filename != __file__:  # not this feedback's own frames (cancel in a progress call)
                feedback.cancel_where.append("{}:{}".format(Path(frame.f_code.co_filename).name,
                                                            frame.f_code.co_name))
            frame = frame.f_back
        feedback.cancel()

    def plan(delay):
        feedback.cancel_planned = time.perf_counter() + delay
        if delay > 0:
            threading.Timer(delay, press).start()
        else:
            press()

    def record(value):
        feedback.trace.append((time.perf_counter(), value))
        if cancel is not None and cancel[0] is not None and feedback.cancel_planned is None and value >= cancel[0]:
            plan(cancel[1])

    feedback.start = lambda: plan(cancel[1]) if cancel is not None and cancel[0] is None else None
    feedback.progressChanged.connect(record)
    return feedback


def progress_summary(trace, begin, end):
    """How a run reported progress: number of updates, whether the values never went down, the
    longest stretch without an update (the start and the end of the run count as updates) and
    between which values it fell, and the time each whole percent was first reached."""
    times = [begin] + [t for t, _ in trace] + [end]
    values = [None] + [v for _, v in trace] + [None]
    gaps = [(times[k + 1] - times[k], values[k], values[k + 1]) for k in range(len(times) - 1)]
    gap, after, before = max(gaps, key=lambda g: g[0])
    reached, marks = -1, []
    for t, v in trace:
        if int(v) > reached:
            reached = int(v)
            marks.append((round(t - begin, 2), round(v, 2)))
    return {"updates": len(trace), "monotone": all(b[1] >= a[1] for a, b in zip(trace, trace[1:])),
            "largest_gap_s": gap, "gap_after": after, "gap_before": before, "marks": marks,
            "seconds": end - begin}


def qgis_child(spec, profile=None):
    """A Processing run in a fresh QGIS: servicecoverage, joinbynearest or the network model.

    ``spec["trace"]``: progress recorded (:func:`progress_summary`); ``spec["cancel"] = (at, delay)``:
    cancelled as :func:`tracing_feedback` says, the error, the seconds from the cancel to the
    return and what is left in ``spec["out_dir"]`` recorded."""
    from _qgis import memory_mb, start_qgis

    started = time.perf_counter()
    app, plugin = start_qgis(ROOT)
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback, QgsProject

    traced = spec.get("trace") or spec.get("cancel")
    feedback = tracing_feedback(spec.get("cancel")) if traced else QgsProcessingFeedback()
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    startup = time.perf_counter() - started
    rss_after_startup, _ = memory_mb()
    result = {}

    def call():
        if spec["kind"] == "ours":
            return processing.run("sozialraum:servicecoverage", _coverage_parameters(spec), context=context,
                                  feedback=feedback)
        if spec["kind"] == "joinbynearest":
            return processing.run("native:joinbynearest", {
                "INPUT": spec["demand"], "INPUT_2": spec["services"], "FIELDS_TO_COPY": ["id"], "NEIGHBORS": 1,
                "MAX_DISTANCE": None, "DISCARD_NONMATCHING": False, "PREFIX": "e_", "OUTPUT": spec["output"]},
                context=context, feedback=feedback)
        result["steps"] = run_model(processing, context, feedback, spec)
        return None

    begin, begin_cpu = time.perf_counter(), time.process_time()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        outputs = profiler.runcall(call)
        seconds = time.perf_counter() - begin
        profiler.dump_stats(profile)
    elif spec.get("cancel"):
        feedback.start()
        try:
            outputs = call()
            result["error"] = None
        except QgsProcessingException as error:
            outputs, result["error"] = None, str(error)
        seconds = time.perf_counter() - begin
        result["cancel"] = {"progress": feedback.cancel_progress, "planned_s": _since(feedback.cancel_planned, begin),
                            "pressed_s": _since(feedback.cancel_pressed, begin), "where": feedback.cancel_where,
                            "to_return_s": _since(begin + seconds, feedback.cancel_planned),
                            "left_in_folder": sorted(os.listdir(spec["out_dir"]))}
    else:
        outputs = call()
        seconds = time.perf_counter() - begin
    cpu = time.process_time() - begin_cpu
    _, peak = memory_mb()
    if traced:
        result["progress"] = progress_summary(feedback.trace, begin, begin + seconds)
    if outputs and outputs.get("METHOD_RECORD"):
        record = json.loads(outputs["METHOD_RECORD"])
        result["record"] = {key: record.get(key) for key in ("n_demand_points", "n_districts", "n_services",
                                                             "unreached_share", "network")}
        result["record"]["unused_services"] = len(record.get("unused_services") or [])
        result["unused_fids"] = [int(re.search(r"fid (\d+)", label).group(1))
                                 for label in record.get("unused_services") or []]
    return dict(result, seconds=seconds, cpu=cpu, startup=startup, rss_after_startup_mb=rss_after_startup, peak_mb=peak)


def _since(moment, origin):
    """Seconds from ``origin`` to ``moment`` (None when either is None)."""
    return None if moment is None or origin is None else moment - origin


def child(spec, profile=None):
    """Run one measurement in this fresh process and print its result as one JSON line."""
    sys.path.insert(0, str(BENCH))
    from _qgis import memory_mb

    cpu = resource.getrusage(resource.RUSAGE_SELF)
    if spec["kind"] == "access":
        result = access_child(spec)
    elif spec["kind"] == "core":
        result = core_child(spec)
    else:
        result = qgis_child(spec, profile)
    used = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_total"] = (used.ru_utime - cpu.ru_utime) + (used.ru_stime - cpu.ru_stime)
    result["peak_mb"] = memory_mb()[1]
    print(RESULT_MARK + json.dumps(result))
    sys.stdout.flush()
    os._exit(0)


# ---------------------------------------------------------------------------------------------
# the parent: data, runs, checks, table
# ---------------------------------------------------------------------------------------------

#: A child whose resident memory passes this many MiB is killed (``--max-rss-mb``; 0 = never).
MAX_RSS_MB = 16384


def _rss_mb(pid):
    """Resident memory of process ``pid`` in MiB (VmRSS), None once it is gone."""
    try:
        with open("/proc/{}/status".format(pid)) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def _watch_memory(process, limit_mb, killed):
    """Kill ``process`` when its resident memory passes ``limit_mb`` (noted in ``killed``)."""
    while process.poll() is None:
        rss = _rss_mb(process.pid)
        if rss is not None and rss > limit_mb:
            killed.append(rss)
            process.kill()
            return
        time.sleep(0.2)


def measure(spec, timeout, profile=None):
    """One child run of ``spec``; returns its result dict (raises on failure, also when the child's resident
    memory passed ``MAX_RSS_MB`` and it was killed). The 1-minute load average before and after the run
    goes into the result as ``load``."""
    for key in ("output", "output_demand"):
        if spec.get(key):
            path = Path(spec[key])
            for stale in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal")):
                if stale.exists():
                    stale.unlink()
    command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    if profile:
        command += ["--profile-out", str(profile)]
    load = os.getloadavg()[0]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(ROOT))
    killed = []
    if MAX_RSS_MB:
        threading.Thread(target=_watch_memory, args=(process, MAX_RSS_MB, killed), daemon=True).start()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    if killed:
        raise RuntimeError("{} killed: resident memory {:.0f} MiB passed --max-rss-mb {}".format(
            spec["label"], killed[0], MAX_RSS_MB))
    for line in stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return dict(json.loads(line[len(RESULT_MARK):]), load=[load, os.getloadavg()[0]])
    raise RuntimeError("{} failed (exit {}):\n{}\n{}".format(spec["kind"], process.returncode, stdout[-3000:],
                                                            stderr[-3000:]))


def repeated(spec, runs, timeout, log):
    """``runs`` child runs of ``spec`` (at least one); the median time, the largest peak, the last run's extras,
    every run's seconds, CPU seconds and load (``single``)."""
    return alternated([spec], runs, timeout, log)[0]


def alternated(specs, runs, timeout, log):
    """:func:`repeated` for each of ``specs``, their runs taken in turn (1st of each, 2nd of each, ...): two
    things compared by a ratio meet the same spells of a shared machine (its speed drifts by 10-30 % over
    minutes, see bench/README_coverage.md), rather than one of them all the fast ones."""
    results = [[] for _ in specs]
    for k in range(max(runs, 1)):
        for spec, done in zip(specs, results):
            result = measure(spec, timeout)
            done.append(result)
            log("    {:<44} run {}: {:8.2f} s wall {:8.2f} s CPU  peak {:6.0f} MB  load {:.1f} -> {:.1f}".format(
                spec["label"], k + 1, result["seconds"], result["cpu"], result["peak_mb"], *result["load"]))
    return [_summary(done) for done in results]


def _summary(results):
    """The median time (and CPU), the largest peak, the last run's extras, every run's own figures."""
    summary = dict(results[-1])
    summary["seconds"] = statistics.median(r["seconds"] for r in results)
    for key in ("cpu", "compute_seconds", "compute_cpu"):
        if key in results[-1]:
            summary[key] = statistics.median(r[key] for r in results)
    summary["peak_mb"] = max(r["peak_mb"] for r in results)
    summary["runs"] = len(results)
    summary["single"] = [{key: r.get(key) for key in ("seconds", "cpu", "peak_mb", "load", "progress")}
                         for r in results]
    return summary


def read_fields(path, fields, key="id"):
    """``(keys, {field: float array})`` of the first layer in ``path``, sorted by ``key``; NULL -> NaN."""
    import numpy as np
    from osgeo import ogr

    data = ogr.Open(str(path))  # the layer lives only as long as its data source
    layer = data.GetLayer(0)
    definition = layer.GetLayerDefn()
    keep = {key} | set(fields)
    layer.SetIgnoredFields([definition.GetFieldDefn(k).GetName() for k in range(definition.GetFieldCount())
                            if definition.GetFieldDefn(k).GetName() not in keep] + ["OGR_GEOMETRY"])
    keys, columns = [], {f: [] for f in fields}
    for feature in layer:
        keys.append(feature.GetField(key))
        for f in fields:
            value = feature.GetField(f)
            columns[f].append(np.nan if value is None else float(value))
    order = np.argsort(keys, kind="stable")
    return np.asarray(keys)[order], {f: np.asarray(v)[order] for f, v in columns.items()}


def values_npy(path):
    """``(ids, values)`` saved by a child, sorted by id."""
    import numpy as np

    table = np.load(path)
    order = np.argsort(table[:, 0], kind="stable")
    return table[order, 0].astype(np.int64), table[order, 1]


def compare(reference_ids, reference, ids, values, tolerance, missing=0.0):
    """Per-id comparison; ids absent from ``ids`` count as ``missing`` (access leaves unreached points out)."""
    import numpy as np

    aligned = np.full(reference.size, missing)
    position = np.searchsorted(reference_ids, ids)
    if ids.size and (position.max() >= reference_ids.size or np.any(reference_ids[position] != ids)):
        return {"ok": False, "detail": "ids differ"}
    aligned[position] = values
    aligned = np.where(np.isnan(aligned), missing, aligned)
    diff = np.abs(aligned - np.where(np.isnan(reference), missing, reference))
    largest = float(diff.max()) if diff.size else 0.0
    return {"ok": bool(largest <= tolerance), "max_abs_diff": largest, "compared": int(reference.size),
            "over_tolerance": int((diff > tolerance).sum()), "tolerance": tolerance}


def agreement(reference_ids, reference, ids, values):
    """How far two network results agree: same reached status (A_i > 0), Pearson r of A_i over the points
    that either reaches, and the mean A_i of both."""
    import numpy as np

    aligned = np.zeros(reference.size)
    aligned[np.searchsorted(reference_ids, ids)] = np.nan_to_num(values)
    reference = np.nan_to_num(reference)
    either = (reference > 0) | (aligned > 0)
    correlation = float(np.corrcoef(reference[either], aligned[either])[0, 1]) if either.sum() > 1 else math.nan
    return {"reached_agree": float(np.mean((reference > 0) == (aligned > 0))), "correlation": correlation,
            "mean_ours": float(reference.mean()), "mean_model": float(aligned.mean())}


def subset_services(source, k):
    """A GeoPackage with the first ``k`` services (by id) of ``source``, written once."""
    from osgeo import gdal

    path = DATA / "coverage_services_{}_first{}.gpkg".format(source.stem.rsplit("_", 1)[-1], k)
    if not path.exists():
        gdal.UseExceptions()
        gdal.VectorTranslate(str(path), str(source), options="-f GPKG -where \"id <= {}\"".format(k))
    return path


def row(scenario, n, s, contender, result, reference_seconds=None, equal="", seconds_key="seconds", note=""):
    seconds = result.get(seconds_key) if result else None
    cpu_key = "compute_cpu" if seconds_key == "compute_seconds" else "cpu"
    return {"scenario": scenario, "n_demand": n, "n_services": s, "contender": contender,
            "seconds": seconds, "cpu": result.get(cpu_key) if result else None,
            "peak_mb": result.get("peak_mb") if result else None,
            "ratio": seconds / reference_seconds if seconds and reference_seconds else None,
            "runs": result.get("runs", 1) if result else 0, "equal": equal, "note": note}


def measure_fca(files, args, log):
    """Runs of the Euclidean 2SFCA scenario and the value checks; access (cdist table) gives the reference."""
    n, s = SMALL
    base = {"demand": str(files["demand"](n)), "services": str(files["services"](s)),
            "districts": str(files["districts"])}
    log("2SFCA Euclidean, {} x {}".format(n, s))
    ours = repeated(dict(base, kind="ours", label="servicecoverage 2sfca", output=str(OUT / "fca_ours.gpkg"),
                         output_demand=str(OUT / "fca_ours_points.gpkg")), args.repeat, args.timeout, log)
    core = repeated(dict(base, kind="core", what="fca", label="core euclidean_pairs + two_step_fca",
                         values=str(OUT / "fca_core.npy")), args.repeat, args.timeout, log)
    access = {method: repeated(dict(base, kind="access", distances=method, label="access + " + method,
                                    values=str(OUT / "fca_access_{}.npy".format(method))),
                               args.baseline_repeat, args.timeout, log) for method in ("cdist", "kdtree")}
    # points that access leaves out (no service in reach) count 0, as in the plugin
    ref_ids, reference = values_npy(OUT / "fca_access_cdist.npy")
    tolerance = TARGETS["fca_tolerance"]
    ids, written = read_fields(OUT / "fca_ours_points.gpkg", ["erreichbarkeit"])
    core_ids, core_values = values_npy(OUT / "fca_core.npy")
    checks = {"core": compare(ref_ids, reference, core_ids, core_values, tolerance),
              "kdtree": compare(ref_ids, reference, *values_npy(OUT / "fca_access_kdtree.npy"), tolerance),
              "layer": compare(ref_ids, reference, ids, written["erreichbarkeit"], tolerance)}
    # the written layer against the plugin's functions: 0 when the layer stores the doubles unrounded
    layer_vs_core = compare(core_ids, core_values, ids, written["erreichbarkeit"], 0.0)
    return {"ours": ours, "core": core, "access": access, "checks": checks, "layer_vs_core": layer_vs_core}


def table_fca(raw):
    n, s = SMALL
    ours, core, access, checks = raw["ours"], raw["core"], raw["access"], raw["checks"]

    def same(check, older="1e-9"):
        """``older``: the tolerance to name for a check of an older coverage.json (which did not record it)."""
        what = "{:g}".format(check["tolerance"]) if "tolerance" in check else older
        return "yes, within {} (max abs diff {:.1e})".format(what, check["max_abs_diff"]) if check["ok"] else \
            "NO ({} points over {}, max {:.1e})".format(check.get("over_tolerance"), what,
                                                      check.get("max_abs_diff", math.nan))

    title = "2SFCA Euclidean, end to end"
    rows = [row(title, n, s, "sozialraum:servicecoverage (Processing, GPKG in/out)", ours, ours["seconds"],
                same(checks["layer"], "the 8 decimals stored")),
            row(title, n, s, "PySAL access + scipy cdist (geopandas read)", access["cdist"], ours["seconds"],
                "reference values", note="{:,} pairs in the cost table".format(access["cdist"]["pairs"])),
            row(title, n, s, "PySAL access + cKDTree pairs (geopandas read)", access["kdtree"], ours["seconds"],
                same(checks["kdtree"]))]
    title = "2SFCA Euclidean, compute only"
    rows += [row(title, n, s, "plugin euclidean_pairs + two_step_fca", core, core["seconds"], same(checks["core"]),
                 note="{:,} pairs".format(core["pairs"])),
             row(title, n, s, "access + cdist (distances + two_stage_fca)", access["cdist"], core["seconds"],
                 "reference values", seconds_key="compute_seconds"),
             row(title, n, s, "access + cKDTree (distances + two_stage_fca)", access["kdtree"], core["seconds"],
                 same(checks["kdtree"]), seconds_key="compute_seconds")]
    all_equal = all(check["ok"] for check in checks.values())
    goal = TARGETS["fca_speedup"]
    compute = access["cdist"]["compute_seconds"] / core["seconds"]
    compute_cpu = access["cdist"]["compute_cpu"] / core["compute_cpu"]
    end_to_end = access["cdist"]["seconds"] / ours["seconds"]
    end_to_end_cpu = access["cdist"]["cpu"] / ours["cpu"]
    if "tolerance" in checks["layer"]:
        layer = "servicecoverage's layer (doubles unrounded) {:.1e}".format(checks["layer"]["max_abs_diff"])
        if "layer_vs_core" in raw:
            layer += ", layer vs the plugin's functions {:.1e}".format(raw["layer_vs_core"]["max_abs_diff"])
    else:
        layer = "servicecoverage's layer, which stores 8 decimals, {:.1e}".format(
            checks["layer"].get("max_abs_diff", math.nan))
    targets = [
        "{}  2SFCA A_i equal to PySAL access (cdist cost table) per demand point within 1e-9 ({:,} points): plugin "
        "functions max abs diff {:.1e}; access with cKDTree pairs {:.1e}; {}".format(
            "PASS" if all_equal else "FAIL", n, checks["core"].get("max_abs_diff", math.nan),
            checks["kdtree"].get("max_abs_diff", math.nan), layer),
        "{}  2SFCA >= {:.0f}x faster than access with its cost table from cdist, building the distances included "
        "(both on the same coordinates in memory): {:.1f}x wall ({:.2f} s vs {:.2f} s), {:.1f}x CPU".format(
            "PASS" if compute >= goal else "FAIL", goal, compute, core["seconds"], access["cdist"]["compute_seconds"],
            compute_cpu),
        "info  end to end, not the issue's target (which is the method with its distances, above): Processing "
        "reading three GeoPackages and writing two (district and per-point layer) against geopandas reading + "
        "access, which writes nothing: {:.1f}x wall ({:.2f} s vs {:.2f} s), {:.1f}x CPU".format(
            end_to_end, ours["seconds"], access["cdist"]["seconds"], end_to_end_cpu),
        "info  against access with KD-tree pairs (faster than its users' usual cost table): {:.1f}x compute, "
        "{:.1f}x end to end (wall)".format(access["kdtree"]["compute_seconds"] / core["seconds"],
                                           access["kdtree"]["seconds"] / ours["seconds"]),
    ]
    return rows, targets, []


def measure_nearest(files, args, log):
    """Runs of the nearest-distance scenario; joinbynearest gives the reference."""
    n, s = SMALL
    base = {"demand": str(files["demand"](n)), "services": str(files["services"](s)),
            "districts": str(files["districts"])}
    log("Nearest service, {} x {}".format(n, s))
    ours = repeated(dict(base, kind="ours", method="nearest", label="servicecoverage nearest",
                         output=str(OUT / "nearest_ours.gpkg"), output_demand=str(OUT / "nearest_ours_points.gpkg")),
                    args.repeat, args.timeout, log)
    core = repeated(dict(base, kind="core", what="nearest", label="core nearest_points",
                         values=str(OUT / "nearest_core.npy")), args.repeat, args.timeout, log)
    join = repeated(dict(base, kind="joinbynearest", label="native:joinbynearest",
                         output=str(OUT / "nearest_join.gpkg")), args.baseline_repeat, args.timeout, log)
    ids, ours_values = read_fields(OUT / "nearest_ours_points.gpkg", ["dist_naechste"])
    join_ids, join_values = read_fields(OUT / "nearest_join.gpkg", ["distance"])
    tolerance = TARGETS["nearest_tolerance"]
    checks = {"layer": compare(join_ids, join_values["distance"], ids, ours_values["dist_naechste"], tolerance,
                               missing=math.nan),
              "core": compare(join_ids, join_values["distance"], *values_npy(OUT / "nearest_core.npy"), tolerance,
                              missing=math.nan)}
    return {"ours": ours, "core": core, "join": join, "checks": checks}


def table_nearest(raw):
    n, s = SMALL
    ours, core, join, checks = raw["ours"], raw["core"], raw["join"], raw["checks"]

    def same(check):
        return "yes, within 1e-6 m (max abs diff {:.1e} m)".format(check["max_abs_diff"]) if check["ok"] else \
            "NO ({} points over 1e-6 m)".format(check.get("over_tolerance"))

    title = "Nearest distance, end to end"
    rows = [row(title, n, s, "sozialraum:servicecoverage nearest (Processing)", ours, ours["seconds"],
                same(checks["layer"])),
            row(title, n, s, "native:joinbynearest (NEIGHBORS 1)", join, ours["seconds"], "reference values"),
            row("Nearest distance, compute only", n, s, "plugin nearest_points", core, core["seconds"],
                same(checks["core"]))]
    targets = ["{}  nearest distances equal to native:joinbynearest within 1e-6 m ({:,} points, max abs diff "
               "{:.1e} m); "
               "joinbynearest takes {:.2f}x the time of servicecoverage ({:.2f} s vs {:.2f} s), {:.1f}x of "
               "nearest_points".format(
                   "PASS" if checks["layer"]["ok"] and checks["core"]["ok"] else "FAIL", n,
                   max(checks["layer"].get("max_abs_diff", math.nan), checks["core"].get("max_abs_diff", math.nan)),
                   join["seconds"] / ours["seconds"], join["seconds"], ours["seconds"],
                   join["seconds"] / core["seconds"])]
    return rows, targets, []


def measure_network(files, args, log):
    """The plugin on subsets and on all services, the QGIS model on the subsets; agreement of their A_i."""
    n, s = SMALL
    services = files["services"](s)
    base = {"demand": str(files["demand"](n)), "districts": str(files["districts"]), "network": str(files["network"])}
    log("Network 2SFCA, {} demand points, network {}".format(n, files["network"].name))
    if args.no_model:
        return measure_network_plugin(files, args, log, base, services)
    raw = {"subsets": list(args.subsets), "ours": {}, "model": {}, "checks": {}}
    for k in args.subsets:
        subset = str(subset_services(services, k))
        raw["ours"][str(k)] = repeated(dict(
            base, kind="ours", services=subset, label="servicecoverage network, {} services".format(k),
            output=str(OUT / "net_ours_{}.gpkg".format(k)), output_demand=str(OUT / "net_ours_points_{}.gpkg"
                                                                             .format(k))), args.repeat, args.timeout,
            log)
        raw["model"][str(k)] = repeated(dict(
            base, kind="model", services=subset, label="QGIS model, {} services".format(k),
            output=str(OUT / "net_model_{}.gpkg".format(k)),
            output_demand=str(OUT / "net_model_points_{}.gpkg".format(k))), 1, args.model_timeout, log)
        ids, values = read_fields(OUT / "net_ours_points_{}.gpkg".format(k), ["erreichbarkeit"])
        model_ids, model_values = read_fields(OUT / "net_model_points_{}.gpkg".format(k), ["erreichbarkeit"])
        raw["checks"][str(k)] = agreement(ids, values["erreichbarkeit"], model_ids.astype("int64"),
                                          model_values["erreichbarkeit"])
        raw["checks"][str(k)]["model_reached_points"] = int(model_ids.size)
    raw["full"] = repeated(dict(base, kind="ours", services=str(services), label="servicecoverage network, {} "
                                "services".format(s), output=str(OUT / "net_ours_full.gpkg")),
                           args.repeat, args.timeout, log)
    return raw


def measure_network_plugin(files, args, log, base, services):
    """``--no-model``: the plugin alone at ``--network-services``; the model's times come from an earlier
    coverage.json (``--model-from``) and are marked so; where that run's per-point model layer is still in
    bench/data/out, the agreement is computed again against the plugin's new result."""
    n, s = SMALL
    raw = {"plugin_only": True, "ours": {}, "model": {}, "checks": {}}
    earlier = json.loads(Path(args.model_from).read_text()) if args.model_from else None
    if earlier:
        raw["model_from"] = {"file": str(args.model_from), "started": earlier.get("started"),
                             "code": earlier.get("code")}
    for k in args.network_services:
        full = k >= s
        subset = str(services if full else subset_services(services, k))
        raw["ours"][str(k)] = repeated(dict(
            base, kind="ours", services=subset, label="servicecoverage network, {} services".format(k),
            output=str(OUT / "net_ours_{}.gpkg".format("full" if full else k)),
            output_demand=None if full else str(OUT / "net_ours_points_{}.gpkg".format(k))),
            args.repeat, args.timeout, log)
        if earlier:
            model = earlier["network"]["model"].get(str(k)) or (
                {"extrapolated": True} if full else None)
            if model:
                raw["model"][str(k)] = model
        model_points = OUT / "net_model_points_{}.gpkg".format(k)
        if not full and model_points.exists():
            ids, values = read_fields(OUT / "net_ours_points_{}.gpkg".format(k), ["erreichbarkeit"])
            model_ids, model_values = read_fields(model_points, ["erreichbarkeit"])
            raw["checks"][str(k)] = agreement(ids, values["erreichbarkeit"], model_ids.astype("int64"),
                                              model_values["erreichbarkeit"])
            raw["checks"][str(k)]["model_reached_points"] = int(model_ids.size)
    return raw


def table_network_plugin(raw):
    """Table of a ``--no-model`` network run: the plugin measured now, the model from the earlier run."""
    n, s = SMALL
    title = "2SFCA network (99,904 edges), end to end"
    origin = raw.get("model_from") or {}
    earlier = "EARLIER RUN {}, code {}, not re-run".format(origin.get("started"), origin.get("code"))
    rows, targets = [], []
    for key in sorted(raw["ours"], key=int):
        k, ours = int(key), raw["ours"][key]
        rows.append(row(title, n, k, "sozialraum:servicecoverage NETWORK", ours, ours["seconds"], "reference"))
        model, check = raw["model"].get(key), raw["checks"].get(key)
        if model and not model.get("extrapolated"):
            equal = "n/a"
            if check:
                equal = ("not equal by design (other snapping): reached agrees for {:.1%} of points, r(A_i) = {:.2f}, "
                         "mean A_i {:.3g} vs {:.3g} (model layer of the earlier run vs the plugin now)".format(
                             check["reached_agree"], check["correlation"], check["mean_model"], check["mean_ours"]))
            rows.append(row(title, n, k, "QGIS model ({})".format(earlier), model, ours["seconds"], equal))
            goal = TARGETS["network_speedup"]
            speedup = model["seconds"] / ours["seconds"]
            targets.append("{}  network >= {:.0f}x faster than the QGIS model on {} services (plugin now, model "
                           "from the {}): {:.1f}x wall ({:.2f} s vs {:.2f} s), {:.1f}x CPU".format(
                               "PASS" if speedup >= goal else "FAIL", goal, k, earlier, speedup, ours["seconds"],
                               model["seconds"], model["cpu"] / ours["cpu"]))
    return rows, targets, []


def extrapolate(steps1, steps2, k1, k2, s, scaled):
    """The model's time at ``s`` services from its steps at ``k1`` and ``k2``, for wall (0) and CPU (1).

    A step whose scaling is in ``scaled`` grows linearly, ``t(k2) + max(0, slope) (s - k2)`` with the
    slope through the two subsets; the others keep their time at ``k2``. Returns
    ``([wall s, CPU s], [(step, scaling, wall t(k1), t(k2), slope, t(s), CPU t(k1), t(k2), slope, t(s))])``.
    """
    first = {step[0]: step for step in steps1}
    total, rows = [0.0, 0.0], []
    for name, wall, cpu, scaling in steps2:
        entry = [name, scaling]
        for column, value2 in ((1, wall), (2, cpu)):
            value1 = first[name][column]
            slope = max((value2 - value1) / (k2 - k1), 0.0) if scaling in scaled else 0.0
            total[column - 1] += value2 + slope * (s - k2)
            entry += [value1, value2, slope, value2 + slope * (s - k2)]
        rows.append(tuple(entry))
    return total, rows


def table_network(raw):
    if raw.get("plugin_only"):
        return table_network_plugin(raw)
    n, s = SMALL
    k1, k2 = raw["subsets"]
    ours, model, checks, full = raw["ours"], raw["model"], raw["checks"], raw["full"]

    def agree(check):
        return "not equal by design (other snapping): reached agrees for {:.1%} of points, r(A_i) = {:.2f}, " \
               "mean A_i {:.3g} vs {:.3g}".format(check["reached_agree"], check["correlation"], check["mean_model"],
                                                 check["mean_ours"])

    steps1, steps2 = model[str(k1)]["steps"], model[str(k2)]["steps"]
    # lower bound: only the catchments (service areas, buffers) grow; the pair steps stay at their time for k2
    # although more services mean more pairs and more reached points. The model runs in one thread, so its
    # wall time is at least its CPU time.
    (low_wall, low_cpu), low_rows = extrapolate(steps1, steps2, k1, k2, s, ("catchments",))
    (linear_wall, linear_cpu), linear_rows = extrapolate(steps1, steps2, k1, k2, s, ("catchments", "pairs"))
    low = {"seconds": max(low_wall, low_cpu), "cpu": low_cpu, "peak_mb": None, "runs": 0}
    linear = {"seconds": max(linear_wall, linear_cpu), "cpu": linear_cpu, "peak_mb": None, "runs": 0}

    title = "2SFCA network (99,904 edges), end to end"
    rows = []
    for k in (k1, k2):
        rows.append(row(title, n, k, "sozialraum:servicecoverage NETWORK", ours[str(k)], ours[str(k)]["seconds"],
                        "reference"))
        rows.append(row(title, n, k, "QGIS model: serviceareafromlayer + buffer + joins + aggregates",
                        model[str(k)], ours[str(k)]["seconds"], agree(checks[str(k)])))
    rows.append(row(title, n, s, "sozialraum:servicecoverage NETWORK", full, full["seconds"], "reference"))
    rows.append(row(title, n, s, "QGIS model, EXTRAPOLATED lower bound (only service areas and buffers grow)",
                    low, full["seconds"], "not run"))
    rows.append(row(title, n, s, "QGIS model, EXTRAPOLATED linear in services (all per-service steps grow)",
                    linear, full["seconds"], "not run"))
    goal = TARGETS["network_speedup"]
    speedup = model[str(k2)]["seconds"] / ours[str(k2)]["seconds"]
    speedup_low = low["seconds"] / full["seconds"]
    targets = [
        "{}  network >= {:.0f}x faster than the QGIS model, like for like on {} services: {:.1f}x wall ({:.2f} s vs "
        "{:.2f} s), {:.1f}x CPU".format("PASS" if speedup >= goal else "FAIL", goal, k2, speedup,
                                        ours[str(k2)]["seconds"], model[str(k2)]["seconds"],
                                        model[str(k2)]["cpu"] / ours[str(k2)]["cpu"]),
        "{}  network >= {:.0f}x faster at all {:,} services: at least {:.0f}x ({:.2f} s measured vs >= {:.0f} s "
        "EXTRAPOLATED for the model, {:.1f} h; {:.0f} s = {:.1f} h if every per-service step grows linearly)".format(
            "PASS" if speedup_low >= goal else "FAIL", goal, s, speedup_low, full["seconds"], low["seconds"],
            low["seconds"] / 3600.0, linear["seconds"], linear["seconds"] / 3600.0),
    ]
    details = ["QGIS model per step: seconds at {} and {} services, slope per service, EXTRAPOLATED to {:,} "
               "(linear estimate; the lower bound keeps the 'pairs' steps at their time for {}):".format(k1, k2, s, k2),
               "", "    {:<44} {:<10} | {:>7} {:>7} {:>6} {:>7} | {:>7} {:>7} {:>6} {:>7}".format(
                   "step", "grows with", *(["t({})".format(k1), "t({})".format(k2), "slope", "t({})".format(s)] * 2)),
               "    {:<44} {:<10} | {:^30} | {:^30}".format("", "", "wall", "CPU")]
    details += ["    {:<44} {:<10} | {:7.1f} {:7.1f} {:6.2f} {:7.0f} | {:7.1f} {:7.1f} {:6.2f} {:7.0f}".format(*r)
                for r in linear_rows]
    details += ["", "Points reached in the model: {}; CPU seconds of the model: {:.0f} ({} services), {:.0f} ({}); "
                "lower bound at {:,}: {:.0f} s CPU.".format(
                    ", ".join("{:,} ({} services)".format(checks[str(k)].get("model_reached_points", 0), k)
                              for k in (k1, k2)), model[str(k1)]["cpu"], k1, model[str(k2)]["cpu"], k2, s, low_cpu)]
    return rows, targets, details


def measure_big(files, args, log):
    n, s = BIG
    log("2SFCA Euclidean, {} x {} (plugin only)".format(n, s))
    spec = {"kind": "ours", "label": "servicecoverage 2sfca big", "demand": str(files["demand"](n)),
            "services": str(files["services"](s)), "districts": str(files["districts"]),
            "output": str(OUT / "big_ours.gpkg")}
    return {"ours": repeated(spec, 1, args.timeout, log)}


def table_big(raw):
    n, s = BIG
    result = raw["ours"]
    rows = [row("2SFCA Euclidean, end to end", n, s, "sozialraum:servicecoverage (district output)", result,
                result["seconds"], "n/a (access: a 5e9-row cost table)")]
    targets = ["{}  {:,} demand points x {:,} services in under 4 GiB: peak {:.0f} MiB = {:.2f} GB ({:.1f} s; QGIS "
               "alone {:.0f} MiB after start-up)".format(
                   "PASS" if result["peak_mb"] < TARGETS["big_peak_mb"] else "FAIL", n, s, result["peak_mb"],
                   result["peak_mb"] * 1.048576 / 1000.0, result["seconds"], result["rss_after_startup_mb"])]
    return rows, targets, []


def scale_districts():
    """The scale runs' 19,881 districts over the same 22 km city (written once, like the other data)."""
    sys.path.insert(0, str(BENCH))
    from make_coverage_data import SIDE
    from make_districts import make_districts

    path = DATA / "coverage_districts_{}.gpkg".format(SCALE_GRID * SCALE_GRID)
    if not path.exists():
        make_districts(SCALE_GRID * SCALE_GRID, path, cell=SIDE / SCALE_GRID)
    return path


def measure_scale(files, args, log):
    """1M demand points x 5k services x 20k districts, end to end: 2SFCA with and without the per-point layer
    against the expert pipeline (geopandas, KD-tree cost table, access, CSV), nearest against joinbynearest."""
    n, s = BIG
    base = {"demand": str(files["demand"](n)), "services": str(files["services"](s)),
            "districts": str(scale_districts())}
    log("Scale: {} x {} x {} districts".format(n, s, SCALE_GRID * SCALE_GRID))
    points = repeated(dict(base, kind="ours", label="servicecoverage 2sfca + points", output=str(OUT / "scale.gpkg"),
                           output_demand=str(OUT / "scale_points.gpkg")), args.repeat, args.timeout, log)
    districts = repeated(dict(base, kind="ours", label="servicecoverage 2sfca", output=str(OUT / "scale_d.gpkg")),
                         args.repeat, args.timeout, log)
    expert = repeated(dict(base, kind="access", distances="kdtree", label="expert: geopandas+kdtree+access+csv",
                           values=str(OUT / "scale_access.npy"), csv=str(OUT / "scale_access.csv")),
                      args.baseline_repeat, args.timeout, log)
    # in turn, one of each after the other (see alternated)
    nearest, join = alternated([dict(base, kind="ours", method="nearest", label="servicecoverage nearest + points",
                                     output=str(OUT / "scale_nearest.gpkg"),
                                     output_demand=str(OUT / "scale_nearest_points.gpkg")),
                                dict(base, kind="joinbynearest", label="native:joinbynearest",
                                     output=str(OUT / "scale_join.gpkg"))],
                               max(args.repeat, args.baseline_repeat), args.timeout, log)
    ids, written = read_fields(OUT / "scale_points.gpkg", ["erreichbarkeit"])
    near_ids, near = read_fields(OUT / "scale_nearest_points.gpkg", ["dist_naechste"])
    join_ids, join_values = read_fields(OUT / "scale_join.gpkg", ["distance"])
    checks = {"fca": compare(*values_npy(OUT / "scale_access.npy"), ids, written["erreichbarkeit"],
                             TARGETS["fca_tolerance"]),
              "nearest": compare(join_ids, join_values["distance"], near_ids, near["dist_naechste"],
                                 TARGETS["nearest_tolerance"], missing=math.nan)}
    return {"points": points, "districts": districts, "expert": expert, "nearest": nearest, "join": join,
            "checks": checks}


def table_scale(raw):
    n, s = BIG
    points, districts, expert, nearest, join = (raw[k] for k in ("points", "districts", "expert", "nearest", "join"))
    checks = raw["checks"]
    title = "2SFCA Euclidean, {:,} districts, GPKG in/out".format(SCALE_GRID * SCALE_GRID)
    fca_equal = "yes, within 1e-9 (max abs diff {:.1e})".format(checks["fca"]["max_abs_diff"]) \
        if checks["fca"]["ok"] else "NO ({})".format(checks["fca"])
    near_equal = "yes, within 1e-6 m" if checks["nearest"]["ok"] else "NO ({})".format(checks["nearest"])
    rows = [row(title, n, s, "expert pipeline: geopandas + cKDTree + access + CSV", expert, expert["seconds"],
                "reference values"),
            row(title, n, s, "servicecoverage, district + per-point layer", points, expert["seconds"], fca_equal),
            row(title, n, s, "servicecoverage, district layer only", districts, expert["seconds"]),
            row("Nearest distance, per-point layer", n, s, "native:joinbynearest (NEIGHBORS 1)", join,
                nearest["seconds"], "reference values"),
            row("Nearest distance, per-point layer", n, s, "servicecoverage nearest", nearest, nearest["seconds"],
                near_equal)]
    ratio_points, ratio_districts = points["seconds"] / expert["seconds"], districts["seconds"] / expert["seconds"]
    speedup = join["seconds"] / nearest["seconds"]
    targets = [
        "{}  2SFCA with the per-point layer: {:.2f}x the expert pipeline ({:.1f} s vs {:.1f} s; target <= {}x)".format(
            "PASS" if ratio_points <= TARGETS["scale_points_ratio"] else "FAIL", ratio_points, points["seconds"],
            expert["seconds"], TARGETS["scale_points_ratio"]),
        "{}  2SFCA, district layer only: {:.2f}x the expert pipeline ({:.1f} s; target <= {}x)".format(
            "PASS" if ratio_districts <= TARGETS["scale_districts_ratio"] else "FAIL", ratio_districts,
            districts["seconds"], TARGETS["scale_districts_ratio"]),
        "{}  nearest with the per-point layer: joinbynearest takes {:.2f}x its time ({:.1f} s vs {:.1f} s; target "
        ">= {}x)".format("PASS" if speedup >= TARGETS["scale_nearest_speedup"] else "FAIL", speedup, join["seconds"],
                         nearest["seconds"], TARGETS["scale_nearest_speedup"])]
    return rows, targets, []


def read_point_arrays(path, fields):
    """``(x, y, {field: array})`` of the first layer of a GeoPackage of 2D points, in feature order, read
    through GDAL's Arrow stream (3,000,000 points in about a second)."""
    import numpy as np
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    data = ogr.Open(str(path))  # the layer lives only as long as its data source
    layer = data.GetLayer(0)
    geometry = layer.GetGeometryColumn()
    xy, columns = [], {f: [] for f in fields}
    for batch in layer.GetArrowStreamAsNumPy(options=["USE_MASKED_ARRAYS=NO"]):
        wkb = np.frombuffer(b"".join(batch[geometry]), dtype=np.uint8).reshape(len(batch[geometry]), -1)
        if wkb.shape[1] != 21 or not (wkb[:, 0] == 1).all() or not (wkb[:, 1:5].copy().view("<u4") == 1).all():
            raise ValueError("{}: not 2D little-endian WKB points".format(path))
        xy.append(wkb[:, 5:].copy().view("<f8"))
        for f in fields:
            columns[f].append(np.asarray(batch[f]))
    xy = np.concatenate(xy)
    return xy[:, 0], xy[:, 1], {f: np.concatenate(v) for f, v in columns.items()}


def layer_sums(path, weight_field):
    """``(rows, sum of weight x erreichbarkeit, reached rows)`` of a per-point result layer (SQLite)."""
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(str(path))) as connection:
        table, = connection.execute("SELECT table_name FROM gpkg_contents").fetchone()
        return connection.execute('SELECT count(*), sum("{}" * coalesce(erreichbarkeit, 0)), sum(erreicht) FROM "{}"'
                                  .format(weight_field, table)).fetchone()


def layer_values(path, ids, field="erreichbarkeit"):
    """``{id: field}`` of the rows of a result layer whose ``id`` is in ``ids`` (NULL -> NaN)."""
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(str(path))) as connection:
        table, = connection.execute("SELECT table_name FROM gpkg_contents").fetchone()
        rows = connection.execute('SELECT id, "{}" FROM "{}" WHERE id IN ({})'.format(
            field, table, ",".join(str(int(i)) for i in ids))).fetchall()
    return {i: math.nan if value is None else value for i, value in rows}


def within_d0(ax, ay, bx, by, candidates):
    """The ``candidates`` (indices into ``bx, by``) within D0 of the point ``(ax, ay)``, the distance
    computed as the plugin computes it (``sqrt((bx - ax)^2 + (by - ay)^2) <= d0``, core/radius.py), and
    how many lie within 1e-6 m of D0 (where another formula could decide otherwise)."""
    import numpy as np

    candidates = np.asarray(candidates, dtype=np.int64)
    distance = np.sqrt((bx[candidates] - ax) ** 2 + (by[candidates] - ay) ** 2)
    return candidates[distance <= D0], int((np.abs(distance - D0) < 1e-6).sum())


def state_check(inputs, points_path, unused_fids, sample=STATE_SAMPLE, seed=25832):
    """The state run's per-point layer against a brute-force 2SFCA: A_i of ``sample`` random points
    (R_j = S_j / sum of P_i within D0 of j, A_i = sum of R_j within D0 of i; candidates from scipy's
    KD-tree, the distance test of :func:`within_d0`), equal within 1e-9; over the whole layer the
    conservation law sum_i P_i A_i = sum of S_j over the services with demand within D0, and those
    services the ones the plugin calls used."""
    import numpy as np
    from scipy.spatial import cKDTree

    px, py, demand = read_point_arrays(inputs["grid"], ["id", "einwohner"])
    sx, sy, supply = read_point_arrays(inputs["services"], ["id", "plaetze"])
    weight, capacity = demand["einwohner"].astype("float64"), supply["plaetze"].astype("float64")
    rng = np.random.default_rng([seed, 20, px.size])
    chosen = np.sort(rng.choice(px.size, size=min(sample, px.size), replace=False))
    wide = D0 * (1 + 1e-9)
    service_tree, demand_tree = cKDTree(np.column_stack([sx, sy])), cKDTree(np.column_stack([px, py]))
    ties, reach = 0, []
    for i, candidates in zip(chosen, service_tree.query_ball_point(np.column_stack([px[chosen], py[chosen]]), wide)):
        # the pair's distance as from the service: the same expression as in the ratio below
        j = np.asarray(candidates, dtype=np.int64)
        distance = np.sqrt((sx[j] - px[i]) ** 2 + (sy[j] - py[i]) ** 2)
        ties += int((np.abs(distance - D0) < 1e-6).sum())
        reach.append(j[distance <= D0])
    needed = np.unique(np.concatenate(reach + [np.zeros(0, dtype=np.int64)]))
    ratio = np.zeros(sx.size)
    for j, candidates in zip(needed, demand_tree.query_ball_point(np.column_stack([sx[needed], sy[needed]]), wide)):
        inside, tied = within_d0(sx[j], sy[j], px, py, candidates)
        ratio[j] = capacity[j] / weight[inside].sum()
        ties += tied
    expected = np.asarray([ratio[j].sum() for j in reach])
    written = layer_values(points_path, demand["id"][chosen])
    got = np.asarray([written.get(int(i), math.nan) for i in demand["id"][chosen]])
    got = np.where(np.isnan(got), 0.0, got)  # no service in reach: 0 (as in the other checks)
    largest = float(np.abs(got - expected).max())
    used = demand_tree.query_ball_point(np.column_stack([sx, sy]), D0, return_length=True) > 0
    rows, weighted_sum, reached = layer_sums(points_path, "einwohner")
    used_capacity = float(capacity[used].sum())
    relative = abs(weighted_sum - used_capacity) / used_capacity
    return {"sample": int(chosen.size), "max_abs_diff": largest, "tolerance": TARGETS["fca_tolerance"],
            "ok": largest <= TARGETS["fca_tolerance"], "ties_within_1e-6_m": ties,
            "services_checked": int(needed.size), "rows": rows, "points": int(px.size), "reached": reached,
            "sum_pa": weighted_sum, "used_capacity": used_capacity, "conservation_rel": relative,
            "conservation_ok": relative <= TARGETS["conservation_rel"],
            "unused_agree": sorted(supply["id"][~used].tolist()) == sorted(unused_fids),
            "unused": int((~used).sum())}


def state_spec(inputs):
    """A servicecoverage child spec on the state files ``inputs`` (from make_state_data.write_state)."""
    return {"kind": "ours", "demand": str(inputs["grid"]), "services": str(inputs["services"]),
            "districts": str(inputs["municipalities"]), "demand_field": "einwohner", "trace": True}


def measure_state(files, args, log):
    """The state grid (bench/make_state_data.py): 2SFCA with the district and the per-point layer at each size
    of ``--state-cells`` (progress traced) and its values checked (:func:`state_check`); then the cancel
    runs (``--cancel``, default ``STATE_CANCELS``) at the largest size."""
    import shutil

    sys.path.insert(0, str(BENCH))
    from make_state_data import write_state

    raw = {"sizes": list(args.state_cells), "runs": {}, "checks": {}, "cancels": [], "alternated": True}
    files = {n: write_state(n, DATA, log=log) for n in args.state_cells}
    log("State grid: {} inhabited cells, their runs in turn".format(" and ".join("{:,}".format(n) for n in files)))
    specs = [dict(state_spec(inputs), label="state {:,}: 2sfca + points".format(n),
                  output=str(OUT / "state_{}.gpkg".format(n)), output_demand=str(OUT / "state_{}_points.gpkg".format(n)))
             for n, inputs in files.items()]
    for (n, inputs), spec, result in zip(files.items(), specs, alternated(specs, args.repeat, args.timeout, log)):
        raw["runs"][str(n)] = result
        raw["checks"][str(n)] = state_check(inputs, spec["output_demand"], result.get("unused_fids", []))
        log("    values at {:,}: {}".format(n, raw["checks"][str(n)]))
    folder = OUT / "state_cancel"
    for at, delay in args.cancel or STATE_CANCELS:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        result = measure(dict(state_spec(inputs), label="state cancel", output=str(folder / "gemeinden.gpkg"),
                              output_demand=str(folder / "punkte.gpkg"), cancel=[at, delay], out_dir=str(folder)),
                         args.timeout)
        raw["cancels"].append(dict(result, at=at, delay=delay, n=n))
        log("    cancel {} s after {} %: {}".format(delay, at, result["cancel"]))
    return raw


def _progress_line(what, progress):
    """A PASS/FAIL line on how a run reported its progress (monotone, no stretch over the gap target)."""
    ok = progress["monotone"] and progress["largest_gap_s"] <= TARGETS["progress_gap_s"]
    return "{}  progress, {}: {} updates over {:.1f} s, {}, longest stretch without an update {:.1f} s (from {} to " \
           "{}; target <= {:g} s)".format("PASS" if ok else "FAIL", what, progress["updates"], progress["seconds"],
                                          "monotone" if progress["monotone"] else "NOT monotone",
                                          progress["largest_gap_s"], _percent(progress["gap_after"], "the start"),
                                          _percent(progress["gap_before"], "the end"), TARGETS["progress_gap_s"])


def _percent(value, instead):
    return instead if value is None else "{:.1f} %".format(value)


def _worst_progress(result):
    """The single run with the longest stretch without a progress update."""
    runs = [single["progress"] for single in result.get("single", []) if single.get("progress")]
    return max(runs, key=lambda p: p["largest_gap_s"]) if runs else result.get("progress")


def _cancel_line(cancel):
    """A PASS/FAIL line on a cancel run: back within the target seconds, with an error, nothing left."""
    facts = cancel["cancel"]
    if facts["pressed_s"] is None or facts["to_return_s"] < 0:
        return "info  cancel at {:,} cells, {} % + {:g} s: the run was over before the cancel was due " \
               "({:.1f} s)".format(cancel["n"], cancel["at"], cancel["delay"], cancel["seconds"])
    ok = facts["to_return_s"] is not None and facts["to_return_s"] <= TARGETS["cancel_s"] \
        and bool(re.search("Abgebrochen|Cancelled", cancel.get("error") or "")) and not facts["left_in_folder"]
    when = "{:g} s after the start".format(cancel["delay"]) if cancel["at"] is None else \
        "{:g} s after {:g} %".format(cancel["delay"], cancel["at"])
    late = facts["pressed_s"] - facts["planned_s"] if facts["pressed_s"] is not None else None
    return "{}  cancel at {:,} cells, {} ({:.1f} s into the run{}, progress then {}, in {}): the algorithm " \
           "returned {} later ({}); left in the output folder: {} (target: <= {:g} s, an error, nothing " \
           "left)".format("PASS" if ok else "FAIL", cancel["n"], when, facts["planned_s"] or math.nan,
                          "; the timer thread got to run {:.1f} s late".format(late) if late and late > 0.1 else "",
                          _percent(facts["progress"], "none"), " < ".join(facts["where"][:3]) or "?",
                          "{:.2f} s".format(facts["to_return_s"]) if facts["to_return_s"] is not None else "never",
                          "error: " + cancel["error"].splitlines()[0] if cancel.get("error") else "NO error: a result",
                          ", ".join(facts["left_in_folder"]) or "nothing", TARGETS["cancel_s"])


def table_state(raw):
    sizes = [int(n) for n in raw["sizes"]]
    base, full = min(sizes), max(sizes)
    runs, checks = raw["runs"], raw["checks"]
    rows = []
    for n in sizes:
        result, check = runs[str(n)], checks[str(n)]
        equal = "yes, {:,} random points within 1e-9 (max abs diff {:.1e})".format(check["sample"],
                                                                                  check["max_abs_diff"]) \
            if check["ok"] else "NO (max abs diff {:.1e})".format(check["max_abs_diff"])
        rows.append(row("2SFCA Euclidean, state 100 m grid, {:,} municipalities, GPKG in, districts + per-point "
                        "layer out".format(result["record"]["n_districts"]), n, result["record"]["n_services"],
                        "sozialraum:servicecoverage", result, runs[str(base)]["seconds"], equal,
                        note="{:.1f} us per point; runs {}".format(
                            1e6 * result["seconds"] / n, " / ".join("{:.1f}".format(r["seconds"])
                                                                    for r in result["single"]))))
    small, large = runs[str(base)], runs[str(full)]
    peak_bytes = large["peak_mb"] * 1048576
    growth, growth_cpu = large["seconds"] / small["seconds"], large["cpu"] / small["cpu"]
    allowed = TARGETS["state_growth"] * full / (3.0 * base)  # 3.0 for 1M -> 3M: linear in the points
    targets = [
        "{}  {:,} cells x {:,} services: peak {:.0f} MiB = {:.2f} GB (10^9 bytes) resident (VmHWM, QGIS "
        "included; {:.0f} MiB after start-up), target < {:.0f} GB ({:.0f} MiB)".format(
            "PASS" if peak_bytes < TARGETS["state_peak_bytes"] else "FAIL", full, large["record"]["n_services"],
            large["peak_mb"], peak_bytes / 1e9, large["rss_after_startup_mb"], TARGETS["state_peak_bytes"] / 1e9,
            TARGETS["state_peak_bytes"] / 1048576),
        "{}  time grows no worse than linearly from {:,} to {:,} cells: t ratio {:.2f} wall ({:.1f} s / {:.1f} s), "
        "{:.2f} CPU ({:.1f} s / {:.1f} s); per point {:.1f} us vs {:.1f} us (target: ratio <= {:.2f})".format(
            "PASS" if growth <= allowed else "FAIL", base, full, growth, large["seconds"], small["seconds"],
            growth_cpu, large["cpu"], small["cpu"], 1e6 * large["seconds"] / full, 1e6 * small["seconds"] / base,
            allowed)]
    for n in sizes:
        check = checks[str(n)]
        targets.append(
            "{}  values at {:,} cells: A_i of {:,} random points equal to a brute-force 2SFCA (KD-tree candidates, "
            "the plugin's distance formula, inclusive d0; {:,} services' ratios) within 1e-9: max abs diff {:.1e}; "
            "{} pair(s) within 1e-6 m of d0; sum P_i A_i over all {:,} rows = {:.6f} = used capacity {:.0f} "
            "(relative difference {:.1e}); the {:,} services without demand in reach {} the plugin's".format(
                "PASS" if check["ok"] and check["conservation_ok"] and check["unused_agree"]
                and check["rows"] == check["points"] else "FAIL", n, check["sample"], check["services_checked"],
                check["max_abs_diff"], check["ties_within_1e-6_m"], check["rows"], check["sum_pa"],
                check["used_capacity"], check["conservation_rel"], check["unused"],
                "are" if check["unused_agree"] else "are NOT"))
    for n in sizes:
        targets.append(_progress_line("{:,} cells (the worst of {} runs)".format(n, runs[str(n)]["runs"]),
                                      _worst_progress(runs[str(n)])))
    targets += [_cancel_line(cancel) for cancel in raw["cancels"]]
    phases = {n: _median_phases(runs[str(n)], STATE_PHASES) for n in sizes}
    details = ["Where the time goes (seconds, median of the runs; the phases as the progress reports mark them):", "",
               "    {:<66} {:>10} {:>10} {:>6}".format("phase", *["{:,}".format(n) for n in sizes], "ratio")]
    details += ["    {:<66} {:10.2f} {:10.2f} {:>6}".format(
        name, phases[base][k], phases[full][k],
        "{:.2f}".format(phases[full][k] / phases[base][k]) if phases[base][k] > 0 else "n/a")
        for k, (_, name) in enumerate(STATE_PHASES)]
    details += ["", "Load average (1 min) before -> after each run: " + "; ".join(
        "{:,}: {}".format(n, ", ".join("{:.1f} -> {:.1f}".format(*s["load"]) for s in runs[str(n)]["single"]))
        for n in sizes)]
    return rows, targets, details


#: The phases of a servicecoverage run, each ending with the first progress report at or above a value (None:
#: the end of the run), Euclidean and along a network. Named by their progress range, as the plugin's progress
#: spans change: up to 6721f7e the district layer jumped from 60 to 100 % and the per-point layer followed
#: after 100 %; from 6721f7e the district layer ends at 70 % and the per-point layer reports 70 to 100 %.
STATE_PHASES = ((25, "to 25 %: reading the layers, points into districts"), (54, "25-54 %: pairs within d0"),
                (60, "54-60 %: nearest service, the method"), (70, "60-70 %: district layer"),
                (100, "70-100 %: per-point layer (from 6721f7e)"),
                (None, "after 100 %: per-point layer (before 6721f7e)"))
NETWORK_PHASES = ((25, "to 25 %: reading the layers and the network, points into districts"),
                  (30, "25-30 %: addresses snapped to the network"), (55, "30-55 %: paths within d0"),
                  (60, "55-60 %: nearest service, the method"), (70, "60-70 %: district layer"),
                  (100, "70-100 %: per-point layer (from 6721f7e)"),
                  (None, "after 100 %: per-point layer (before 6721f7e)"))


def _median_phases(result, phases):
    """Seconds of each of ``phases`` (:data:`STATE_PHASES`), median over the single runs of ``result``, from
    their progress marks (the first time each whole percent was reported)."""
    def one(progress):
        bounds = [0.0] + [progress["seconds"] if value is None else next(t for t, v in progress["marks"] if v >= value)
                          for value, _ in phases]
        return [b - a for a, b in zip(bounds, bounds[1:])]

    return [statistics.median(column) for column in zip(*(one(single["progress"]) for single in result["single"]))]


def measure_network_city(files, args, log):
    """2SFCA along the city network (make_coverage_data.write_city: about 100,000 edges once split at
    their shared vertices) with 500,000 addresses and 1,000 services, district and per-point layers."""
    sys.path.insert(0, str(BENCH))
    from make_coverage_data import make_coverage_data

    city = make_coverage_data([], [], DATA, log=log, city=True)
    points = OUT / "city_points.gpkg"
    log("Network 2SFCA, city: {}".format(city["city_network"].name))
    result = repeated({"kind": "ours", "label": "servicecoverage network, city", "demand": str(city["city_addresses"]),
                       "services": str(city["city_services"]), "districts": str(city["districts"]),
                       "network": str(city["city_network"]), "trace": True, "output": str(OUT / "city.gpkg"),
                       "output_demand": str(points)}, args.repeat, args.timeout, log)
    _, _, supply = read_point_arrays(city["city_services"], ["id", "plaetze"])
    unused = set(result.get("unused_fids", []))
    used_capacity = float(sum(c for i, c in zip(supply["id"].tolist(), supply["plaetze"].tolist()) if i not in unused))
    rows, weighted_sum, reached = layer_sums(points, "kinder")
    return {"run": result, "check": {"rows": rows, "reached": reached, "sum_pa": weighted_sum,
                                     "used_capacity": used_capacity,
                                     "conservation_rel": abs(weighted_sum - used_capacity) / used_capacity}}


def table_network_city(raw):
    result, check = raw["run"], raw["check"]
    network = result["record"]["network"]
    rows = [row("2SFCA network (city, {:,} edges), GPKG in, districts + per-point layer out".format(network["edges"]),
                result["record"]["n_demand_points"], result["record"]["n_services"],
                "sozialraum:servicecoverage NETWORK", result, result["seconds"],
                "conservation: sum P_i A_i = used capacity, relative difference {:.1e}".format(
                    check["conservation_rel"]),
                note="runs {}".format(" / ".join("{:.1f}".format(r["seconds"]) for r in result["single"])))]
    targets = [
        "info  network city: {:.1f} s (median of {}; CPU {:.1f} s), peak {:.0f} MiB = {:.2f} GB resident; graph "
        "{:,} nodes, {:,} edges, {} component(s) (largest {:.1%} of the nodes); {:,} of {:,} addresses reach a service "
        "within {:g} m along the paths; snapping: addresses mean {:.1f} m, max {:.1f} m".format(
            result["seconds"], result["runs"], result["cpu"], result["peak_mb"], result["peak_mb"] * 1048576 / 1e9,
            network["nodes"], network["edges"], network["components"], network["main_component_node_share"],
            check["reached"], check["rows"], D0, network["snap_demand_mean_m"], network["snap_demand_max_m"]),
        "{}  network city values: sum P_i A_i {:.6f} = capacity of the {:,} services with demand in reach {:.0f} "
        "(relative difference {:.1e})".format("PASS" if check["conservation_rel"] <= TARGETS["conservation_rel"]
                                              else "FAIL", check["sum_pa"], result["record"]["n_services"]
                                              - result["record"]["unused_services"], check["used_capacity"],
                                              check["conservation_rel"]),
        _progress_line("network city (the worst of {} runs)".format(result["runs"]), _worst_progress(result))]
    details = ["", "Network city, where the time goes (seconds, median of the runs):", ""]
    details += ["    {:<68} {:6.2f}".format(name, seconds)
                for (_, name), seconds in zip(NETWORK_PHASES, _median_phases(result, NETWORK_PHASES))]
    details += ["", "Load average (1 min) before -> after each run: " + ", ".join(
        "{:.1f} -> {:.1f}".format(*s["load"]) for s in result["single"])]
    return rows, targets, details


SCENARIOS = {"fca": (measure_fca, table_fca), "nearest": (measure_nearest, table_nearest),
             "network": (measure_network, table_network), "big": (measure_big, table_big),
             "scale": (measure_scale, table_scale), "state": (measure_state, table_state),
             "network_city": (measure_network_city, table_network_city)}


# ---------------------------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------------------------

COLUMNS = [("scenario", "scenario"), ("n_demand", "N demand"), ("n_services", "N services"),
           ("contender", "contender"), ("seconds", "seconds"), ("cpu", "CPU s"), ("peak_mb", "peak MB"),
           ("ratio", "x plugin time"), ("equal", "values equal?")]


def cell(key, value):
    if value is None:
        return "n/a" if key in ("peak_mb", "seconds", "cpu", "ratio") else ""
    if key in ("seconds", "cpu"):
        return "{:.2f}".format(value)
    if key == "peak_mb":
        return "{:.0f}".format(value)
    if key == "ratio":
        return "{:.1f}".format(value)
    if key in ("n_demand", "n_services"):
        return "{:,}".format(value)
    return str(value)


def markdown_table(rows):
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |",
             "|" + "|".join("---:" if key in ("n_demand", "n_services", "seconds", "cpu", "peak_mb", "ratio") else "---"
                            for key, _ in COLUMNS) + "|"]
    for entry in rows:
        contender = entry["contender"] + (" ({})".format(entry["note"]) if entry.get("note") else "")
        values = dict(entry, contender=contender)
        lines.append("| " + " | ".join(cell(key, values[key]) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return "{} core(s), {}, Python {}".format(os.cpu_count(), cpu, platform.python_version())


def versions():
    """QGIS, access, geopandas, scipy, numpy, pandas versions (as seen by this interpreter)."""
    found = {}
    for module in ("qgis.core", "access", "geopandas", "scipy", "numpy", "pandas"):
        try:
            imported = __import__(module, fromlist=["_"])
        except ImportError:
            continue
        found[module.split(".")[0]] = getattr(imported, "Qgis").QGIS_VERSION if module == "qgis.core" else \
            getattr(imported, "__version__", "?")
    return ", ".join("{} {}".format(k, v) for k, v in found.items())


def code_version():
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "sozialraum"],
                                 capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" + local changes in sozialraum/" if changed else "")


def write_results(started, code, rows, targets, details, raw, results=RESULTS):
    results.mkdir(parents=True, exist_ok=True)
    with open(results / "coverage.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[key for key, _ in COLUMNS] + ["runs", "note"])
        writer.writeheader()
        for entry in rows:
            writer.writerow({key: entry.get(key) for key in writer.fieldnames})
    text = ["# servicecoverage benchmark, {}".format(started.strftime("%Y-%m-%d %H:%M")), "",
            "Machine: {}; {}; plugin code {}.".format(machine(), versions(), code), "",
            markdown_table(rows), ""] + ["- " + line for line in targets] + [""] + details + [""]
    (results / "coverage.md").write_text("\n".join(text))
    write_raw(started, code, raw, results)


def write_raw(started, code, raw, results=RESULTS):
    """The measurements as coverage.json (``--tabulate`` makes the tables again from it)."""
    results.mkdir(parents=True, exist_ok=True)
    raw = dict(raw, started=started.strftime("%Y-%m-%d %H:%M"), code=code)
    (results / "coverage.json").write_text(json.dumps(raw, indent=1, default=str))


def profile(what, files, args):
    """One servicecoverage run under cProfile; prints the functions that take the most time."""
    import pstats

    n, s = BIG if what == "big" else SMALL
    spec = {"kind": "ours", "demand": str(files["demand"](n)), "services": str(files["services"](s)),
            "districts": str(files["districts"]), "output": str(OUT / "profile.gpkg")}
    if what in ("fca", "nearest", "network"):  # as measured: with the per-point layer
        spec["output_demand"] = str(OUT / "profile_points.gpkg")
    if what == "nearest":
        spec["method"] = "nearest"
    if what == "network":
        spec["network"] = str(files["network"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    stats_path = RESULTS / "coverage_{}.prof".format(what)
    result = measure(spec, args.timeout, profile=stats_path)
    print("servicecoverage {} ({} x {}): {:.2f} s under cProfile, peak {:.0f} MB; stats in {}".format(
        what, n, s, result["seconds"], result["peak_mb"], stats_path))
    stats = pstats.Stats(str(stats_path))
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)


def measure_all(args, started):
    """Generate the data if needed and run the scenarios (the big one last: longest and heaviest)."""
    sys.path.insert(0, str(BENCH))
    from make_coverage_data import make_coverage_data

    scenarios = args.only or ["fca", "nearest", "network"] + ([] if args.skip_big else ["big"])
    big = "big" in scenarios or "scale" in scenarios or args.profile == "big"
    files = make_coverage_data([SMALL[0]] + ([BIG[0]] if big else []), [SMALL[1]] + ([BIG[1]] if big else []),
                               DATA, log=log)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.profile:
        profile(args.profile, files, args)
        os._exit(0)
    log("servicecoverage benchmark, {}: {}; {}; plugin code {}".format(
        started.strftime("%Y-%m-%d %H:%M"), scenarios, machine(), code_version()))
    raw = {name: SCENARIOS[name][0](files, args, log) for name in SCENARIOS if name in scenarios}
    return raw


def log(text):
    print(text, flush=True)


def _cancel_point(text):
    """A ``--cancel`` value: a number, or None for 'start'."""
    return None if text == "start" else float(text)


def main(argv=None):
    global MAX_RSS_MB
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=tuple(SCENARIOS), help="run only these scenarios")
    parser.add_argument("--skip-big", action="store_true", help="leave out the 1,000,000 x 5,000 run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the plugin's contenders (median)")
    parser.add_argument("--baseline-repeat", type=int, default=1, help="runs of access and joinbynearest")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before a child run is killed")
    parser.add_argument("--model-timeout", type=float, default=3600.0)
    parser.add_argument("--subsets", type=int, nargs=2, default=list(SUBSETS), metavar=("K1", "K2"),
                        help="services in the model's network runs (two sizes, for the linear fit)")
    parser.add_argument("--profile", choices=("fca", "nearest", "network", "big"),
                        help="only profile servicecoverage")
    parser.add_argument("--tabulate", type=Path, metavar="JSON",
                        help="no runs: print and write the table again from a coverage.json of an earlier run")
    parser.add_argument("--no-model", action="store_true",
                        help="network: run only the plugin, at --network-services (the QGIS model is not run)")
    parser.add_argument("--network-services", type=int, nargs="+", default=list(SUBSETS) + [SMALL[1]],
                        metavar="K", help="with --no-model: services of the plugin's network runs (first K by id)")
    parser.add_argument("--model-from", type=Path, metavar="JSON",
                        help="with --no-model: show the model's times from this earlier coverage.json, marked so")
    parser.add_argument("--state-cells", type=int, nargs=2, default=list(STATE), metavar=("BASE", "FULL"),
                        help="state: inhabited cells of the base and the full run (growth judged against FULL/BASE)")
    parser.add_argument("--cancel", nargs=2, action="append", type=_cancel_point, metavar=("AT", "DELAY"),
                        help="state: a cancel run pressing cancel DELAY seconds after the progress reaches AT %% "
                             "(AT 'start': after the start); repeat for more (default: STATE_CANCELS)")
    parser.add_argument("--max-rss-mb", type=float, default=MAX_RSS_MB,
                        help="kill a child run whose resident memory passes this many MiB (0: never)")
    parser.add_argument("--results", type=Path, default=RESULTS, metavar="DIR",
                        help="where coverage.{md,csv,json} go (default bench/results)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    MAX_RSS_MB = args.max_rss_mb
    if args.child:
        child(json.loads(args.child), args.profile_out)

    started = datetime.datetime.now()
    if args.tabulate:
        raw = json.loads(args.tabulate.read_text())
        started = datetime.datetime.strptime(raw.pop("started"), "%Y-%m-%d %H:%M")
        code = raw.pop("code", "unknown")
    else:
        raw, code = measure_all(args, started), code_version()
        write_raw(started, code, raw, args.results)  # kept even if making the tables fails
    rows, targets, details = [], [], []
    for name in [name for name in SCENARIOS if name in raw]:
        outcome = SCENARIOS[name][1](raw[name])
        rows += outcome[0]
        targets += outcome[1]
        details += outcome[2]
    print()
    print(markdown_table(rows))
    print()
    for line in targets + [""] + details:
        print(line)
    write_results(started, code, rows, targets, details, raw, args.results)
    print("\nwritten: {}, {}, {}".format(*(args.results / name for name in ("coverage.md", "coverage.csv",
                                                                           "coverage.json"))))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
