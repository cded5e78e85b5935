"""The plugin loads through its real entry point and registers its provider once."""

from qgis.core import QgsApplication

EXPECTED = {"indicatorrates", "districtindex", "statusdynamicindex", "indexdiagnostics", "allocation", "hotspots"}


def test_provider_registered_with_algorithms(plugin):
    provider = QgsApplication.processingRegistry().providerById("sozialraum")
    assert provider is not None
    names = {alg.name() for alg in provider.algorithms()}
    assert EXPECTED <= names
    for alg in provider.algorithms():
        assert alg.name().isalnum() and alg.name().islower()
        assert alg.shortHelpString().strip()
        assert alg.displayName().strip() and alg.group().strip()


def test_init_processing_twice_registers_once(plugin):
    plugin.initProcessing()
    ids = [p.id() for p in QgsApplication.processingRegistry().providers()]
    assert ids.count("sozialraum") == 1


def test_menu_actions_created(plugin):
    assert len(plugin.actions) >= len(EXPECTED)


def test_metadata_complete():
    from configparser import ConfigParser
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    parser = ConfigParser()
    parser.read(root / "metadata.txt", encoding="utf-8")
    general = parser["general"]
    for key in ("name", "qgisMinimumVersion", "qgisMaximumVersion", "description", "about", "version", "author",
                "email", "hasProcessingProvider", "tags", "icon", "repository", "tracker"):
        assert general.get(key), key
    assert general["qgisMinimumVersion"] == "3.22" and general["qgisMaximumVersion"] == "4.99"
    assert general["hasProcessingProvider"] == "yes"
    assert (root / general["icon"]).exists()


def test_a_missing_package_gives_install_instructions_instead_of_a_traceback(plugin, qgis_iface, monkeypatch):
    """Without pandas (OSGeo4W's express install) classFactory returns a stand-in that names the package and
    how to install it on Windows and Debian, and registers nothing."""
    import importlib
    import importlib.util

    from qgis.core import Qgis, QgsApplication

    dependencies = importlib.import_module("sozialraum_plugin.dependencies")
    package = importlib.import_module("sozialraum_plugin")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pandas" else real(name, *a))
    providers = len(QgsApplication.processingRegistry().providers())
    errors = importlib.import_module("sozialraum_plugin.sozialraum.core.errors")
    # the stand-in sets the message language from QGIS's locale; the test gives it back afterwards
    monkeypatch.setattr(errors, "_LANGUAGE", dict(errors._LANGUAGE))
    stand_in = package.classFactory(qgis_iface)
    assert isinstance(stand_in, dependencies.MissingDependenciesPlugin)
    stand_in.initProcessing()
    stand_in.initGui()
    stand_in.unload()
    assert len(QgsApplication.processingRegistry().providers()) == providers
    message = qgis_iface.messageBar().get_messages(Qgis.MessageLevel.Critical)[-1]
    assert "pandas" in message and "OSGeo4W" in message and "apt install python3-pandas" in message
    assert dependencies.missing_modules(lambda name: None) == ["numpy", "pandas", "jinja2"]


def test_dialogs_show_numbers_with_sensible_decimals_and_optional_only_once(plugin):
    from qgis.core import QgsApplication, QgsProcessingParameterNumber

    registry = QgsApplication.processingRegistry()
    decimals = {}
    for algorithm in registry.providerById("sozialraum").algorithms():
        for parameter in algorithm.parameterDefinitions():
            assert "(optional)" not in parameter.description(), (algorithm.name(), parameter.name())
            if isinstance(parameter, QgsProcessingParameterNumber):
                decimals[(algorithm.name(), parameter.name())] = \
                    (parameter.metadata().get("widget_wrapper") or {}).get("decimals")
    assert decimals[("districtindex", "MIN_POPULATION")] in (0, None)  # 300, not "300,000000"
    assert decimals[("servicecoverage", "SPEED_KMH")] == 1              # 4,5 km/h
    assert decimals[("hotspots", "ALPHA")] == 2                         # 0,05
    assert decimals[("allocation", "UNIT")] == 2                        # 0,01
