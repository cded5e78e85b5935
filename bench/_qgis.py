"""Start-up shared by the bench scripts: a headless QGIS with Processing and the plugin loaded.

The plugin is loaded exactly as in ``make demo``: :func:`start_qgis` is the one in
``resources/demo/run_demo.py`` (``classFactory`` then ``initProcessing``), imported from there so
both stay the same. Finish a bench script with ``os._exit`` (``exitQgis()`` can crash on 3.22).
"""

import importlib.util
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def headless_environment():
    """Offscreen Qt and a private runtime dir, unless the caller set them (as ``make bench`` does)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    runtime = os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp/runtime-{}".format(os.getuid()))
    os.makedirs(runtime, mode=0o700, exist_ok=True)


def start_qgis(root=ROOT):
    """``(app, plugin)``: QgsApplication, Processing and the Sozialraum provider, ready to run.

    ``root``: the plugin checkout to load (default: this one), e.g. another branch to compare.
    """
    headless_environment()
    spec = importlib.util.spec_from_file_location("sozialraum_run_demo",
                                                  Path(root) / "resources" / "demo" / "run_demo.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    return demo.start_qgis()


def memory_mb():
    """``(current, peak)`` resident memory of this process in MB, from /proc/self/status (VmRSS, VmHWM)."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024.0  # kB
    return values.get("VmRSS"), values.get("VmHWM")
