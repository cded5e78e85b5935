"""QGIS test fixtures: the plugin loaded once through its real entry point, and layer builders."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PLUGIN_PACKAGE = "sozialraum_plugin"


def _import_plugin_package():
    """Import the repository root as the plugin package (as QGIS does with the installed folder)."""
    if PLUGIN_PACKAGE in sys.modules:
        return sys.modules[PLUGIN_PACKAGE]
    spec = importlib.util.spec_from_file_location(
        PLUGIN_PACKAGE, ROOT / "__init__.py", submodule_search_locations=[str(ROOT)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[PLUGIN_PACKAGE] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def plugin(qgis_app, qgis_iface, qgis_processing):
    """The plugin created by ``classFactory(iface)`` with its provider registered."""
    package = _import_plugin_package()
    if not hasattr(qgis_iface, "removePluginMenu"):  # pytest-qgis's mock interface lacks it
        qgis_iface.removePluginMenu = lambda menu, action: None
    instance = package.classFactory(qgis_iface)
    # The tests read the plugin's German texts; the test machines run QGIS with the locale "C", which the plugin
    # (German for German locales, English for all others) would answer in English.
    importlib.import_module(PLUGIN_PACKAGE + ".sozialraum.core.errors").set_language("de")
    instance.initProcessing()
    instance.initGui()
    yield instance
    instance.unload()


@pytest.fixture(scope="session")
def core(plugin):
    """The plugin's own core package (the one its algorithms use)."""
    return importlib.import_module(PLUGIN_PACKAGE + ".sozialraum.core")


@pytest.fixture()
def run(plugin):
    """``run("districtindex", {...})``: processing.run on a Sozialraum algorithm, returning the result dict."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    def _run(name, parameters, feedback=None):
        context = QgsProcessingContext()
        return processing.run("sozialraum:" + name, parameters, context=context,
                              feedback=feedback or QgsProcessingFeedback())

    return _run


@pytest.fixture(scope="session")
def postgis():
    """A throwaway PostGIS server for the session (tests/qgis/pgserver.py)."""
    from pgserver import PostGIS

    server = PostGIS().start()
    yield server
    server.stop()
