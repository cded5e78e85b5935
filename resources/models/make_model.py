"""Build the example model ``versorgung_kitas_pflege.model3`` with QGIS's own model classes.

    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/models/make_model.py [output.model3]

The model chains Sozialraum algorithms for two kinds of services in Musterstadt or any town with the
same kind of layers: coverage of Kitas (places ``plaetze`` for children under 6, ``ew_u6``) and of
care homes (places ``plaetze`` for people aged 65 and over, ``ew_65plus``) by
``sozialraum:servicecoverage``, then each coverage joined with the need layer (e.g. the social index)
by ``sozialraum:needcoverage``.

Building it through ``QgsProcessingModelAlgorithm`` (instead of writing the file by hand) keeps it in
the format QGIS reads. The plugin is loaded for two things a model file must spell out: choice
parameters are stored by their position (looked up here from the stable keys, e.g. ``2sfca``), and
every mandatory parameter the model does not set gets the algorithm's default value, so the
model stays valid when an algorithm gains a parameter (then run this script again).
"""

import importlib.util
import sys
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QPointF

HERE = Path(__file__).resolve().parent

def _compat():
    """The plugin's compat module (the enums of this QGIS version), loaded from its file: a name-based
    import would find the checkout itself when its folder is called ``sozialraum``."""
    spec = importlib.util.spec_from_file_location("sozialraum_model_compat",
                                                  HERE.parents[1] / "sozialraum" / "adapters" / "compat.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compat = _compat()

MODEL_FILE = HERE / "versorgung_kitas_pflege.model3"

#: The services of the model: child id prefix, model input, label, target population field, distances.
SERVICES = [
    ("kita", "kitas", "Kitas", "ew_u6", "300, 500"),
    ("pflege", "pflegeheime", "Pflegeheime", "ew_65plus", "500, 1000"),
]

HELP = (
    "Versorgung mit Kitas und Pflegeheimen und ihr Verhältnis zum Bedarf je Quartier.\n\n"
    "1. Versorgungsanalyse (sozialraum:servicecoverage, 2SFCA) für Kitas (Plätze 'plaetze', Zielgruppe und "
    "Nachfrage 'ew_u6') und für Pflegeheime (Plätze 'plaetze', Zielgruppe und Nachfrage 'ew_65plus'), entlang "
    "des Wegenetzes (ohne Wegenetz: Luftlinie).\n"
    "2. Bedarf und Versorgung (sozialraum:needcoverage) je Einrichtungsart: Bedarfsklassen des Bedarfslayers "
    "(z. B. index_class des Sozialindex mit 5 Klassen) x Versorgungsklasse -> 9 Typen mit Priorität.\n\n"
    "Coverage of day-care centres and care homes and how it relates to need per district: servicecoverage for "
    "each kind of service, then needcoverage joining each coverage with the need layer."
)


def _load_plugin():
    """The plugin's provider in the Processing registry (as QGIS loads it), and its algorithm classes."""
    sys.path.append("/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing

    Processing.initialize()
    root = HERE.parents[1]
    spec = importlib.util.spec_from_file_location("sozialraum_plugin", root / "__init__.py",
                                                  submodule_search_locations=[str(root)])
    package = importlib.util.module_from_spec(spec)
    sys.modules["sozialraum_plugin"] = package
    spec.loader.exec_module(package)
    plugin = package.classFactory(None)
    plugin.initProcessing()
    return plugin


def _choice(algorithm_id, parameter, key):
    """Position of the choice ``key`` of an enum ``parameter`` (how a model file stores choices)."""
    algorithm = QgsApplication.processingRegistry().algorithmById(algorithm_id)
    return _static(algorithm.CHOICES[parameter].index(key))


def _fill_defaults(child):
    """Set every mandatory, unset input of ``child`` to the algorithm's default value."""
    algorithm = QgsApplication.processingRegistry().algorithmById(child.algorithmId())
    sources = child.parameterSources()
    for definition in algorithm.parameterDefinitions():
        optional = definition.flags() & compat.FLAG_OPTIONAL
        if definition.isDestination() or optional or definition.name() in sources:
            continue
        child.addParameterSources(definition.name(), _static(definition.defaultValue()))


def _static(value):
    return [QgsProcessingModelChildParameterSource.fromStaticValue(value)]


def _input(name):
    return [QgsProcessingModelChildParameterSource.fromModelParameter(name)]


def _child_output(child_id, output="OUTPUT"):
    return [QgsProcessingModelChildParameterSource.fromChildOutput(child_id, output)]


def _add_input(model, definition, x, y):
    component = QgsProcessingModelParameter(definition.name())
    component.setPosition(QPointF(x, y))
    model.addModelParameter(definition, component)


def _add_child(model, algorithm_id, child_id, description, sources, output_name, output_description, x, y):
    child = QgsProcessingModelChildAlgorithm(algorithm_id)
    child.setChildId(child_id)
    child.setDescription(description)
    child.setPosition(QPointF(x, y))
    for name, source in sources.items():
        child.addParameterSources(name, source)
    _fill_defaults(child)
    output = QgsProcessingModelOutput(output_name, output_description)
    output.setChildOutputName("OUTPUT")
    output.setPosition(QPointF(x + 220, y + 60))
    child.setModelOutputs({output_name: output})
    assigned = model.addChildAlgorithm(child)
    assert assigned == child_id, assigned


def build_model():
    """The model as a :class:`QgsProcessingModelAlgorithm`."""
    model = QgsProcessingModelAlgorithm("versorgung_kitas_pflege", "Sozialraum", "sozialraum")
    model.setHelpContent({"ALG_DESC": HELP, "ALG_CREATOR": "Sozialraum (resources/models/make_model.py)"})

    inputs = [
        QgsProcessingParameterFeatureSource("quartiere", "Quartiere (Polygone)", [compat.SOURCE_VECTOR_POLYGON]),
        QgsProcessingParameterField("quartier_id", "Kennung der Quartiere", defaultValue="quartier_id",
                                    parentLayerParameterName="quartiere"),
        QgsProcessingParameterFeatureSource("kitas", "Kitas (Punkte, Feld plaetze)", [compat.SOURCE_VECTOR_POINT]),
        QgsProcessingParameterFeatureSource("pflegeheime", "Pflegeheime (Punkte, Feld plaetze)",
                                            [compat.SOURCE_VECTOR_POINT]),
        QgsProcessingParameterFeatureSource("adressen", "Adressen (Nachfrage: ew_u6, ew_65plus)",
                                            [compat.SOURCE_VECTOR_POINT]),
        QgsProcessingParameterFeatureSource("wege", "Wegenetz (Linien; leer = Luftlinie)",
                                            [compat.SOURCE_VECTOR_LINE], optional=True),
        QgsProcessingParameterFeatureSource("bedarf", "Bedarf (z. B. Ergebnis des Sozialindex)",
                                            [compat.SOURCE_VECTOR_ANY]),
        QgsProcessingParameterField("bedarf_id", "Kennung im Bedarfslayer", defaultValue="quartier_id",
                                    parentLayerParameterName="bedarf"),
        QgsProcessingParameterField("bedarf_feld", "Bedarfsklasse (z. B. index_class)", defaultValue="index_class",
                                    parentLayerParameterName="bedarf"),
        QgsProcessingParameterNumber("bedarf_klassen", "Anzahl der Bedarfsklassen",
                                     compat.NUMBER_INTEGER, defaultValue=5, minValue=2, maxValue=20),
    ]
    inputs += [QgsProcessingParameterString(prefix + "_entfernung", "Entfernungen in m: " + label, defaultValue=d)
               for prefix, _, label, _, d in SERVICES]
    for n, definition in enumerate(inputs):
        _add_input(model, definition, 120, 60 + 70 * n)

    for row, (prefix, layer, label, target, _) in enumerate(SERVICES):
        y = 150 + 420 * row
        coverage_id = prefix + "_versorgung"
        _add_child(model, "sozialraum:servicecoverage", coverage_id, "Versorgungsanalyse " + label, {
            "DISTRICTS": _input("quartiere"),
            "ID_FIELD": _input("quartier_id"),
            "TARGET_POPULATION_FIELD": _static(target),
            "SERVICES": _input(layer),
            "CAPACITY_FIELD": _static("plaetze"),
            "DEMAND": _input("adressen"),
            "DEMAND_FIELD": _static(target),
            "DISTANCE": _input(prefix + "_entfernung"),
            "NETWORK": _input("wege"),
            "METHOD": _choice("sozialraum:servicecoverage", "METHOD", "2sfca"),
        }, "versorgung_" + prefix, "Versorgung " + label, 520, y)
        _add_child(model, "sozialraum:needcoverage", prefix + "_bedarf", "Bedarf und Versorgung " + label, {
            "NEED": _input("bedarf"),
            "NEED_ID_FIELD": _input("bedarf_id"),
            "NEED_FIELD": _input("bedarf_feld"),
            "NEED_MODE": _choice("sozialraum:needcoverage", "NEED_MODE", "classes"),
            "N_NEED_CLASSES": _input("bedarf_klassen"),
            "COVERAGE": _child_output(coverage_id),
            "COVERAGE_ID_FIELD": _input("quartier_id"),
            "COVERAGE_FIELD": _static("versorgung_klasse"),
            "COVERAGE_MODE": _choice("sozialraum:needcoverage", "COVERAGE_MODE", "classes"),
        }, "bedarf_versorgung_" + prefix, "Bedarf und Versorgung " + label, 880, y + 180)
    return model


def main():
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else MODEL_FILE
    app = QgsApplication([], False)
    app.initQgis()
    plugin = _load_plugin()  # keep a reference: the provider lives as long as the plugin object
    model = build_model()
    if not model.toFile(str(target)):
        raise SystemExit("could not write {}".format(target))
    print(target)
    plugin.unload()


if __name__ == "__main__":
    main()
