"""Benchmark of ``sozialraum:districtindex`` against a plain copy and a field-calculator chain.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_districtindex.py [--sizes 1000 10000 100000]
        [--repeat 3] [--chain-max N] [--compare-root OTHER_CHECKOUT]
    ... bench_districtindex.py --profile 100000     # where districtindex spends its time

For each size N, on the same generated districts (bench/make_districts.py), side by side:

  index   ``sozialraum:districtindex`` (i01..i10, pop >= 300, z-score, sum, restandardised,
          classes by standard deviations) into a new GeoPackage;
  copy    ``native:savefeatures``: a plain copy of the same layer into a new GeoPackage (the floor:
          any algorithm that writes every feature costs at least this);
  chain   the same index built with ``native:fieldcalculator`` steps and aggregate expressions, as
          in a model today: ten z-scores into memory layers, their sum, the restandardised index,
          the classes with CASE, the last step into a GeoPackage.

Every run is a separate child process: the time is the wall time of the Processing call(s) only
(QGIS start-up reported apart; the CPU time of the call is shown too, as it suffers less from
other load on the machine), the memory is the child's peak resident set (VmHWM), QGIS itself
included. Repeats are interleaved (index, copy, chain, index, ...) and the median is reported.
The chain's index values are checked against the algorithm's for every district.
Results: a table on stdout and bench/results/districtindex.{csv,md}.
"""

import argparse
import csv
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
RESULTS = BENCH / "results"
INDICATORS = ["i{:02d}".format(k) for k in range(1, 11)]
MIN_POPULATION = 300
STDDEV_CUTS = (-1.5, -0.5, 0.5, 1.5)
METHODS = ("index", "copy", "chain", "other")
LABELS = {"index": "sozialraum:districtindex", "copy": "native:savefeatures (plain copy)",
          "chain": "native:fieldcalculator chain", "other": "sozialraum:districtindex (--compare-root)"}
TARGETS = {"ratio_to_copy": 1.5, "speedup_over_chain": 10.0, "peak_mb": 1024.0}
TARGET_N = 100000
RESULT_MARK = "BENCH_RESULT "


# -- what a child process runs ----------------------------------------------------------------

def index_parameters(source, output):
    """Parameters of the ``sozialraum:districtindex`` run (defaults spelled out)."""
    return {"INPUT": source, "ID_FIELD": "id", "INDICATORS": INDICATORS, "POPULATION_FIELD": "pop",
            "MIN_POPULATION": MIN_POPULATION, "NORMALIZATION": "zscore", "AGGREGATION": "sum",
            "RESTANDARDIZE": True, "CLASSIFICATION": "stddev",
            "STDDEV_CUTS": ", ".join(str(c) for c in STDDEV_CUTS), "OUTPUT": output}


def population_zscore(field, rated=None):
    """QGIS expression of z = (x - m) / s, m and s over the districts where ``rated`` holds (all
    non-NULL values without it), s the population SD; NULL outside ``rated``.

    QGIS' ``stdev()`` is the sample SD (divisor n - 1); times sqrt((n - 1) / n) it is the
    population SD (divisor n) that the plugin's ``zscore`` uses.
    """
    where = ", filter:={}".format(rated) if rated else ""
    n = 'count("{}"{})'.format(field, where)
    z = '("{f}" - mean("{f}"{w})) / (stdev("{f}"{w}) * sqrt(({n} - 1) / {n}))'.format(f=field, w=where, n=n)
    return "CASE WHEN {} THEN {} END".format(rated, z) if rated else z


def chain_steps():
    """``[(field name, QGIS field type 0 = float / 1 = int, expression)]`` of the field-calculator chain."""
    rated = '"pop" >= {}'.format(MIN_POPULATION)
    steps = [("z_" + f, 0, population_zscore(f, rated)) for f in INDICATORS]
    steps.append(("index_sum", 0, " + ".join('"z_{}"'.format(f) for f in INDICATORS)))
    # the sum is NULL outside the rated districts, so the aggregates over it need no filter
    steps.append(("index_value", 0, population_zscore("index_sum")))
    cases = " ".join('WHEN "index_value" <= {} THEN {}'.format(c, k + 1) for k, c in enumerate(STDDEV_CUTS))
    steps.append(("index_class", 1, 'CASE WHEN "index_value" IS NULL THEN NULL {} ELSE {} END'.format(
        cases, len(STDDEV_CUTS) + 1)))
    return steps


def run_chain(processing, context, feedback, source, output):
    """Run the field-calculator chain; intermediate results stay alive to the end, as in a model."""
    from qgis.core import QgsProcessing

    steps = chain_steps()
    layers = []
    current = source
    for n, (name, kind, formula) in enumerate(steps):
        last = n == len(steps) - 1
        # length/precision 20/10: the default precision 3 would round the z-scores
        result = processing.run("native:fieldcalculator", {
            "INPUT": current, "FIELD_NAME": name, "FIELD_TYPE": kind, "FIELD_LENGTH": 20,
            "FIELD_PRECISION": 10 if kind == 0 else 0, "FORMULA": formula,
            "OUTPUT": output if last else QgsProcessing.TEMPORARY_OUTPUT}, context=context, feedback=feedback)
        current = result["OUTPUT"]
        layers.append(current)
    return layers


PHASES = [  # (module below the plugin package, function): the stages of districtindex timed by --profile
    ("sozialraum.processing.algorithms.district_index", "read_table"),
    ("sozialraum.processing.algorithms.district_index", "compute_index"),
    ("sozialraum.processing.base", "write_with_results"),
    ("sozialraum.adapters.layers", "column_values"),
    ("sozialraum.processing.algorithms.district_index", "save_method"),
    ("sozialraum.processing.algorithms.district_index", "attach_class_style"),
]


def time_phases():
    """Wrap the stages in ``PHASES`` (where they exist) with timers; returns ``{name: [wall s, CPU s]}``.

    Also times ``SozialraumAlgorithm.write_result``: sink creation, writing and closing the file.
    """
    import functools
    import importlib

    spent = {}

    def timed(name, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                total = spent.setdefault(name, [0.0, 0.0])
                total[0] += time.perf_counter() - wall
                total[1] += time.process_time() - cpu
        return wrapper

    for module_name, name in PHASES:
        try:
            module = importlib.import_module("sozialraum_plugin." + module_name)
        except ImportError:
            continue
        if hasattr(module, name):
            setattr(module, name, timed(name, getattr(module, name)))
    base = importlib.import_module("sozialraum_plugin.sozialraum.processing.base")
    algorithm = base.SozialraumAlgorithm
    if hasattr(algorithm, "write_result"):
        algorithm.write_result = timed("write_result (incl. sink open/close)", algorithm.write_result)
    return spent


def child(method, source, output, profile=None, root=None, phases=False):
    """Run one measurement in this (fresh) process and print its result as one JSON line.

    ``root``: the plugin checkout to load (``other``: the one given with --compare-root).
    ``profile``: write cProfile statistics to this path. ``phases``: time the stages of districtindex.
    """
    sys.path.insert(0, str(BENCH))
    from _qgis import memory_mb, start_qgis

    started = time.perf_counter()
    app, plugin = start_qgis(root or ROOT)
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject

    feedback = QgsProcessingFeedback()
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    startup = time.perf_counter() - started
    rss_after_startup, _ = memory_mb()
    spent = time_phases() if phases else None

    def call():
        if method in ("index", "other"):
            return processing.run("sozialraum:districtindex", index_parameters(source, output),
                                  context=context, feedback=feedback)
        if method == "copy":
            return processing.run("native:savefeatures", {"INPUT": source, "OUTPUT": output},
                                  context=context, feedback=feedback)
        return run_chain(processing, context, feedback, source, output)

    cpu_begin = resource.getrusage(resource.RUSAGE_SELF)
    begin = time.perf_counter()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.runcall(call)
        seconds = time.perf_counter() - begin
        profiler.dump_stats(profile)
    else:
        call()
        seconds = time.perf_counter() - begin
    cpu_end = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_end.ru_utime - cpu_begin.ru_utime) + (cpu_end.ru_stime - cpu_begin.ru_stime)
    _, peak = memory_mb()
    print(RESULT_MARK + json.dumps({"method": method, "seconds": seconds, "cpu": cpu, "startup": startup,
                                    "rss_after_startup_mb": rss_after_startup, "peak_mb": peak,
                                    "phases": spent}))
    sys.stdout.flush()
    os._exit(0)


# -- the parent: data, runs, check, table -------------------------------------------------------

def measure(method, source, output, timeout, profile=None, root=None, phases=False):
    """One child run of ``method``; returns its result dict (raises on failure)."""
    output = Path(output)
    for stale in (output, output.with_name(output.name + "-journal")):
        if stale.exists():
            stale.unlink()
    command = [sys.executable, str(Path(__file__).resolve()), "--child", method, str(source), str(output)]
    if profile:
        command += ["--profile-out", str(profile)]
    if root:
        command += ["--plugin-root", str(root)]
    if phases:
        command += ["--phases"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=str(ROOT))
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK):])
    raise RuntimeError("{} failed (exit {}):\n{}\n{}".format(method, done.returncode, done.stdout[-3000:],
                                                            done.stderr[-3000:]))


def districts(n):
    """The GeoPackage with ``n`` districts, generated once."""
    path = DATA / "districts_{}.gpkg".format(n)
    if not path.exists():
        sys.path.insert(0, str(BENCH))
        from make_districts import make_districts

        started = time.perf_counter()
        make_districts(n, path)
        print("generated {} ({:.1f} s)".format(path, time.perf_counter() - started), flush=True)
    return path


def read_values(path, fields):
    """``{id: (values of fields)}`` of the single layer in GeoPackage ``path``, geometry not read."""
    from osgeo import ogr

    data = ogr.Open(str(path))
    layer = data.GetLayer(0)
    definition = layer.GetLayerDefn()
    keep = {"id"} | set(fields)
    layer.SetIgnoredFields([definition.GetFieldDefn(k).GetName() for k in range(definition.GetFieldCount())
                            if definition.GetFieldDefn(k).GetName() not in keep] + ["OGR_GEOMETRY"])
    return {feature.GetField("id"): tuple(feature.GetField(f) for f in fields) for feature in layer}


def check_chain(index_output, chain_output, tolerance=1e-6):
    """Compare the chain's ``index_value`` and ``index_class`` with the algorithm's, district by district.

    Returns a dict with the number compared, the largest difference and the class mismatches.
    """
    ours = read_values(index_output, ["index_value", "index_class"])
    theirs = read_values(chain_output, ["index_value", "index_class"])
    if set(ours) != set(theirs):
        return {"ok": False, "compared": 0, "max_abs_diff": None, "class_mismatches": None,
                "detail": "different district ids"}
    largest, null_mismatch, class_mismatch = 0.0, 0, 0
    for key, (value, klass) in ours.items():
        other_value, other_class = theirs[key]
        if (value is None) != (other_value is None):
            null_mismatch += 1
            continue
        if value is not None:
            largest = max(largest, abs(value - other_value))
        class_mismatch += klass != other_class
    ok = null_mismatch == 0 and largest <= tolerance and class_mismatch == 0
    return {"ok": ok, "compared": len(ours), "max_abs_diff": largest, "class_mismatches": class_mismatch,
            "null_mismatches": null_mismatch}


def median(values):
    return statistics.median(values) if values else None


def run_size(n, args, chain_allowed):
    """All runs for ``n`` districts; returns ``(rows by method, check result, chain_too_slow)``."""
    source = districts(n)
    out = DATA / "out"
    out.mkdir(parents=True, exist_ok=True)
    outputs = {m: out / "{}_{}.gpkg".format(m, n) for m in METHODS}
    runs = {m: [] for m in METHODS}
    chain_too_slow = chain_once = False
    for repeat in range(args.repeat):
        for method in METHODS:
            if method == "chain" and (not chain_allowed or chain_too_slow or chain_once
                                      or repeat >= args.chain_repeat):
                continue
            if method == "other" and not args.compare_root:
                continue
            result = measure(method, source, outputs[method],
                             args.chain_timeout if method == "chain" else args.timeout,
                             root=args.compare_root if method == "other" else None)
            runs[method].append(result)
            print("  N={:>7} {:<6} run {}: {:8.2f} s wall {:8.2f} s CPU  peak {:6.0f} MB".format(
                n, method, repeat + 1, result["seconds"], result["cpu"], result["peak_mb"]), flush=True)
            if method == "chain" and result["seconds"] > args.chain_limit:
                chain_too_slow = True
            if method == "chain" and result["seconds"] > args.chain_repeat_limit:
                chain_once = True
    check = check_chain(outputs["index"], outputs["chain"]) if runs["chain"] else None
    rows = {}
    for method in METHODS:
        if not runs[method]:
            rows[method] = None
            continue
        rows[method] = {
            "seconds": median([r["seconds"] for r in runs[method]]),
            "cpu": median([r["cpu"] for r in runs[method]]),
            "runs": len(runs[method]),
            "peak_mb": max(r["peak_mb"] for r in runs[method]),
            "startup": median([r["startup"] for r in runs[method]]),
            "rss_after_startup_mb": median([r["rss_after_startup_mb"] for r in runs[method]]),
        }
    if not args.keep_outputs:
        for path in outputs.values():
            if path.exists():
                path.unlink()
    return rows, check, chain_too_slow


def table_rows(results):
    """Flat rows for the table: one per (N, method)."""
    rows = []
    for n, (by_method, check) in results.items():
        copy = by_method["copy"]
        chain = by_method["chain"]
        for method in METHODS:
            row = by_method[method]
            if method == "other" and row is None:
                continue
            entry = {"N": n, "method": LABELS[method], "seconds": None, "cpu_s": None, "runs": 0,
                     "ratio_to_copy": None,
                     "speedup_index_over_chain": None, "peak_mb": None, "rss_after_startup_mb": None,
                     "startup_s": None}
            if row is not None:
                entry.update(seconds=row["seconds"], cpu_s=row["cpu"], runs=row["runs"], peak_mb=row["peak_mb"],
                             rss_after_startup_mb=row["rss_after_startup_mb"], startup_s=row["startup"])
                if copy:
                    entry["ratio_to_copy"] = row["seconds"] / copy["seconds"]
                if method in ("index", "other") and chain:
                    entry["speedup_index_over_chain"] = chain["seconds"] / row["seconds"]
            rows.append(entry)
    return rows


def fmt(value, digits=2):
    if value is None:
        return "not run"
    if isinstance(value, float):
        return "{:.{}f}".format(value, digits)
    return str(value)


COLUMNS = [("N", "N", 0), ("method", "method", 0), ("seconds", "seconds (median)", 2), ("cpu_s", "CPU s", 2),
           ("runs", "runs", 0),
           ("ratio_to_copy", "x plain copy", 2), ("speedup_index_over_chain", "speed-up over chain", 1),
           ("peak_mb", "peak RSS MB", 0), ("rss_after_startup_mb", "RSS after start-up MB", 0),
           ("startup_s", "QGIS start-up s", 2)]


def markdown_table(rows):
    lines = ["| " + " | ".join(title for _, title, _ in COLUMNS) + " |",
             "|" + "|".join("---:" if key not in ("method",) else "---" for key, _, _ in COLUMNS) + "|"]
    for row in rows:
        cells = []
        for key, _, digits in COLUMNS:
            value = row[key]
            if key == "speedup_index_over_chain" and value is None:
                cells.append("")
            elif key == "seconds" or value is not None:
                cells.append(fmt(value, digits))
            else:
                cells.append("")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def target_lines(results):
    """PASS/FAIL per target of the issue, at N = 100,000."""
    if TARGET_N not in results:
        return ["Targets apply at N = {:,}: not run (add it to --sizes).".format(TARGET_N)]
    by_method, _ = results[TARGET_N]
    index, copy, chain = by_method["index"], by_method["copy"], by_method["chain"]
    lines = []
    ratio = index["seconds"] / copy["seconds"]
    lines.append("{}  districtindex <= {}x plain copy: {:.2f}x ({:.2f} s vs {:.2f} s; CPU time {:.2f}x)".format(
        "PASS" if ratio <= TARGETS["ratio_to_copy"] else "FAIL", TARGETS["ratio_to_copy"], ratio,
        index["seconds"], copy["seconds"], index["cpu"] / copy["cpu"]))
    if chain:
        speedup = chain["seconds"] / index["seconds"]
        lines.append("{}  districtindex >= {:.0f}x faster than the field-calculator chain: {:.1f}x "
                     "({:.2f} s vs {:.2f} s; CPU time {:.1f}x)".format(
                         "PASS" if speedup >= TARGETS["speedup_over_chain"] else "FAIL",
                         TARGETS["speedup_over_chain"], speedup, index["seconds"], chain["seconds"],
                         chain["cpu"] / index["cpu"]))
    else:
        lines.append("n/a   districtindex >= {:.0f}x faster than the field-calculator chain: chain not run".format(
            TARGETS["speedup_over_chain"]))
    lines.append("{}  districtindex peak memory < 1 GB: {:.0f} MB (QGIS included; {:.0f} MB after start-up)".format(
        "PASS" if index["peak_mb"] < TARGETS["peak_mb"] else "FAIL", index["peak_mb"],
        index["rss_after_startup_mb"]))
    return lines


def code_version():
    """The plugin code measured: $BENCH_SOURCE, else the git commit (+ "modified" for local changes)."""
    if os.environ.get("BENCH_SOURCE"):
        return os.environ["BENCH_SOURCE"]
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "sozialraum"],
                                 capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" + local changes in sozialraum/" if changed else "")


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return "{} core(s), {}, Python {}".format(os.cpu_count(), cpu, platform.python_version())


def qgis_version():
    try:
        from qgis.core import Qgis

        return Qgis.QGIS_VERSION
    except ImportError:
        return "?"


def write_results(rows, checks, targets, started):
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / "districtindex.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[key for key, _, _ in COLUMNS])
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    text = ["# districtindex benchmark, {}".format(started.strftime("%Y-%m-%d %H:%M")), "",
            "Machine: {}; QGIS {}; plugin code {}.".format(machine(), qgis_version(), code_version()), "",
            markdown_table(rows), ""]
    text += ["- " + line for line in checks] + [""] + ["- " + line for line in targets] + [""]
    (RESULTS / "districtindex.md").write_text("\n".join(text))


def profile_index(n, args):
    """Where districtindex spends its time at ``n`` districts: one run with stage timers (no
    profiler overhead), next to a plain copy, then one run under cProfile."""
    import pstats

    source = districts(n)
    out = DATA / "out"
    out.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    root = args.compare_root or None
    copy = measure("copy", source, out / "profile_copy_{}.gpkg".format(n), args.timeout)
    timed = measure("index", source, out / "profile_{}.gpkg".format(n), args.timeout, root=root, phases=True)
    print("N={}: plain copy {:.2f} s wall / {:.2f} s CPU; districtindex {:.2f} s wall / {:.2f} s CPU".format(
        n, copy["seconds"], copy["cpu"], timed["seconds"], timed["cpu"]))
    print("{:<40} {:>8} {:>8}".format("stage", "wall s", "CPU s"))
    for name, (wall, cpu) in timed["phases"].items():
        print("{:<40} {:>8.2f} {:>8.2f}".format(name, wall, cpu))
    stats_path = RESULTS / "districtindex_{}.prof".format(n)
    result = measure("index", source, out / "profile_{}.gpkg".format(n), args.timeout, profile=stats_path,
                     root=root)
    print("districtindex at N={}: {:.2f} s under cProfile, peak {:.0f} MB; stats in {}".format(
        n, result["seconds"], result["peak_mb"], stats_path))
    stats = pstats.Stats(str(stats_path))
    wanted = ("read_table", "compute_index", "write_with_results", "column_values", "write_result",
              "processAlgorithm", "attach_class_style", "_plain", "numeric_columns", "classify", "addFeature",
              "getFeatures", "setGeometry", "setAttributes", "geometry", "attributes")
    print("{:<28} {:>10} {:>12} {:>10}".format("function", "calls", "cumulative s", "own s"))
    for (filename, line, name), (_, calls, own, cumulative, _) in sorted(
            stats.stats.items(), key=lambda item: -item[1][3]):
        if name in wanted:
            print("{:<28} {:>10} {:>12.2f} {:>10.2f}  {}:{}".format(name, calls, cumulative, own,
                                                                     Path(filename).name, line))
    stats.sort_stats("tottime").print_stats(15)
    for path in out.glob("profile_*{}.gpkg".format(n)):
        path.unlink()
    os._exit(0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per method and size (median reported)")
    parser.add_argument("--chain-repeat", type=int, default=None,
                        help="runs of the slow chain per size (default: --repeat)")
    parser.add_argument("--chain-max", type=int, default=None, help="skip the chain above this N")
    parser.add_argument("--chain-limit", type=float, default=600.0,
                        help="after a chain run longer than this many seconds, skip the chain for larger N")
    parser.add_argument("--chain-repeat-limit", type=float, default=60.0,
                        help="a chain run longer than this many seconds is not repeated")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a child run is killed")
    parser.add_argument("--chain-timeout", type=float, default=3600.0)
    parser.add_argument("--keep-outputs", action="store_true", help="keep the output GeoPackages in bench/data/out")
    parser.add_argument("--profile", type=int, metavar="N", help="only profile districtindex at N districts")
    parser.add_argument("--child", nargs=3, metavar=("METHOD", "SOURCE", "OUTPUT"), help=argparse.SUPPRESS)
    parser.add_argument("--compare-root", type=Path,
                        help="also time districtindex from this other plugin checkout (e.g. a fix), side by side")
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    parser.add_argument("--plugin-root", help=argparse.SUPPRESS)
    parser.add_argument("--phases", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child, profile=args.profile_out, root=args.plugin_root, phases=args.phases)
    if args.profile:
        profile_index(args.profile, args)
    if args.chain_repeat is None:
        args.chain_repeat = args.repeat

    started = datetime.datetime.now()
    print("districtindex benchmark, {}: sizes {}, {} repeat(s); {}; plugin code {}".format(
        started.strftime("%Y-%m-%d %H:%M"), args.sizes, args.repeat, machine(), code_version()), flush=True)
    results, checks = {}, []
    chain_allowed = True
    for n in sorted(args.sizes):
        allowed = chain_allowed and (args.chain_max is None or n <= args.chain_max)
        by_method, check, too_slow = run_size(n, args, allowed)
        results[n] = (by_method, check)
        chain_allowed = chain_allowed and not too_slow
        if check is not None:
            checks.append("{}  N={}: chain index_value = districtindex index_value within 1e-6 for all {} "
                          "districts (max |diff| {:.2e}, class mismatches {}, NULL mismatches {})".format(
                              "PASS" if check["ok"] else "FAIL", n, check["compared"],
                              check["max_abs_diff"] or 0.0, check["class_mismatches"],
                              check.get("null_mismatches")))
        else:
            checks.append("N={}: chain not run, no check".format(n))
    rows = table_rows(results)
    print()
    print(markdown_table(rows))
    print()
    for line in checks:
        print(line)
    targets = target_lines(results)
    for line in targets:
        print(line)
    write_results(rows, checks, targets, started)
    print("\nwritten: {}, {}".format(RESULTS / "districtindex.csv", RESULTS / "districtindex.md"))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
