"""Shared test set-up.

The repository root is the plugin folder. Unit tests import the pure core as ``sozialraum.core``
(root on ``sys.path``); QGIS tests load the whole plugin as a package through its real entry
point (see ``tests/qgis/conftest.py``).
"""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_BERLIN = ROOT.parent / "shared" / "data" / "berlin"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

try:  # property tests draw the same examples on every run, so CI and a developer see the same result
    from hypothesis import settings

    settings.register_profile("sozialraum", derandomize=True, deadline=None)
    settings.load_profile("sozialraum")
except ImportError:  # the core tests also run without hypothesis installed
    pass


# QGIS 3.22 can crash (segfault) when Python frees QGIS objects after QgsApplication.exitQgis(): pytest-qgis calls
# exitQgis() when the session's fixtures end, before pytest prints its summary, so a run whose tests all passed
# could still end in a segfault. The tests keep QGIS alive to the end instead, and the process leaves with pytest's
# own exit status once everything is printed (the same os._exit the standalone scripts use).
_EXIT = {}


@pytest.fixture(autouse=True, scope="session")
def _qgis_stays_up_until_exit():
    try:
        from pytest_qgis import pytest_qgis as plugin_module
    except ImportError:  # core tests without pytest-qgis
        yield
        return
    app = getattr(plugin_module, "_APP", None)
    if app is not None:
        app.exitQgis = lambda: None
    yield


def pytest_sessionfinish(session, exitstatus):
    _EXIT["status"] = int(exitstatus)


def pytest_unconfigure(config):
    if "status" in _EXIT and "qgis" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT["status"])
