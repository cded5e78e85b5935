"""The example model resources/models/versorgung_kitas_pflege.model3: loads, is valid, matches its generator, runs."""

import importlib.util
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingFeedback, QgsProcessingModelAlgorithm

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "resources" / "models" / "versorgung_kitas_pflege.model3"
GENERATOR = ROOT / "resources" / "models" / "make_model.py"
DEMO = ROOT / "resources" / "demo" / "musterstadt.gpkg"
INDICATORS = ["q_sgb2_2024", "q_alo_2024", "q_kinder_sgb2_2024", "q_alleinerz_2024", "q_grusi_2024"]
OUTPUTS = {
    "kita_versorgung:versorgung_kita", "pflege_versorgung:versorgung_pflege",
    "kita_bedarf:bedarf_versorgung_kita", "pflege_bedarf:bedarf_versorgung_pflege",
}


@pytest.fixture()
def model(plugin):
    registry = QgsApplication.processingRegistry()
    for name in ("sozialraum:servicecoverage", "sozialraum:needcoverage"):
        assert registry.algorithmById(name) is not None, name
    loaded = QgsProcessingModelAlgorithm()
    assert loaded.fromFile(str(MODEL))
    return loaded


def _is_null(value):
    return value is None or (hasattr(value, "isNull") and value.isNull())


def test_model_is_valid_and_chains_the_algorithms(model):
    valid, issues = model.validate()
    assert valid, issues
    children = {child_id: child.algorithmId() for child_id, child in model.childAlgorithms().items()}
    assert children == {"kita_versorgung": "sozialraum:servicecoverage",
                        "pflege_versorgung": "sozialraum:servicecoverage",
                        "kita_bedarf": "sozialraum:needcoverage", "pflege_bedarf": "sozialraum:needcoverage"}
    # each typology takes its coverage from the servicecoverage step
    for prefix in ("kita", "pflege"):
        source = model.childAlgorithm(prefix + "_bedarf").parameterSources()["COVERAGE"][0]
        assert (source.outputChildId(), source.outputName()) == (prefix + "_versorgung", "OUTPUT")
    assert {p.name() for p in model.destinationParameterDefinitions()} == OUTPUTS
    # target population and demand per kind of service
    kita = model.childAlgorithm("kita_versorgung").parameterSources()
    care = model.childAlgorithm("pflege_versorgung").parameterSources()
    assert kita["DEMAND_FIELD"][0].staticValue() == kita["TARGET_POPULATION_FIELD"][0].staticValue() == "ew_u6"
    assert care["DEMAND_FIELD"][0].staticValue() == care["TARGET_POPULATION_FIELD"][0].staticValue() == "ew_65plus"
    assert kita["CAPACITY_FIELD"][0].staticValue() == care["CAPACITY_FIELD"][0].staticValue() == "plaetze"


def _content(model):
    """What a model holds, as QGIS reads it, independent of how a QGIS version writes the file: its
    inputs (destination parameters left out: QGIS 3.40 names them after the output, 3.22 as
    ``child:output``), each child with its algorithm, parameter sources and outputs, name, group, help."""
    def source(item):
        return (int(item.source()), item.parameterName(), item.outputChildId(), item.outputName(),
                repr(item.staticValue()), item.expression(), item.expressionText())

    children = {}
    for child_id, child in model.childAlgorithms().items():
        children[child_id] = (
            child.algorithmId(), child.description(),
            sorted((d.childId, d.conditionalBranch) for d in child.dependencies()),
            {name: [source(item) for item in items] for name, items in child.parameterSources().items()},
            {name: (out.childOutputName(), out.description(), repr(out.defaultValue()), out.isMandatory())
             for name, out in child.modelOutputs().items()})
    inputs = {p.name(): repr(sorted(p.toVariantMap().items())) for p in model.parameterDefinitions()
              if not p.isDestination()}
    return model.name(), model.group(), model.helpContent(), inputs, children


def test_generator_reproduces_the_shipped_file(model):
    spec = importlib.util.spec_from_file_location("make_model", GENERATOR)
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert _content(generator.build_model()) == _content(model), "run resources/models/make_model.py again"


def _model_inputs(run):
    """``(need layer, model parameters without outputs)``: Musterstadt's layers and a social index as the need."""
    layer = "{}|layername={}".format
    need = run("districtindex", {
        "INPUT": layer(DEMO, "quartiere"), "ID_FIELD": "quartier_id", "INDICATORS": INDICATORS,
        "POPULATION_FIELD": "ew_gesamt", "MIN_POPULATION": 300, "OUTPUT": "memory:"})["OUTPUT"]
    return need, {
        "quartiere": layer(DEMO, "quartiere"), "quartier_id": "quartier_id", "kitas": layer(DEMO, "kitas"),
        "pflegeheime": layer(DEMO, "pflegeheime"), "adressen": layer(DEMO, "adressen"),
        "wege": layer(DEMO, "wege"), "bedarf": need, "bedarf_id": "quartier_id", "bedarf_feld": "index_class",
        "bedarf_klassen": 5, "kita_entfernung": "300, 500", "pflege_entfernung": "500, 1000",
    }


def test_model_runs_on_musterstadt(model, run):
    assert DEMO.exists(), "the demo GeoPackage is part of the repository"
    import processing

    need, parameters = _model_inputs(run)
    parameters.update({name: "memory:" for name in OUTPUTS})
    context = QgsProcessingContext()
    result = processing.run(model, parameters, context=context, feedback=QgsProcessingFeedback())
    layers = {name: context.getMapLayer(result[name]) if isinstance(result[name], str) else result[name]
              for name in OUTPUTS}
    index_class = {f["quartier_id"]: f["index_class"] for f in need.getFeatures()}
    to_three = {1: 1, 2: 1, 3: 2, 4: 3, 5: 3}  # class centres (c - 0.5) / 5 in thirds of [0, 1]
    for prefix in ("kita", "pflege"):
        coverage = {f["quartier_id"]: f["versorgung_klasse"]
                    for f in layers["{0}_versorgung:versorgung_{0}".format(prefix)].getFeatures()}
        typology = list(layers["{0}_bedarf:bedarf_versorgung_{0}".format(prefix)].getFeatures())
        assert len(typology) == len(coverage) == 64
        for feature in typology:
            key = feature["quartier_id"]
            if _is_null(index_class[key]) or _is_null(coverage[key]):
                assert _is_null(feature["typ_code"]) and feature["hinweis"]
                continue
            need3, cover3 = to_three[index_class[key]], coverage[key]
            assert feature["typ_code"] == "{}-{}".format(need3, cover3)
            assert feature["prioritaet"] == 3 * (3 - need3) + (3 - cover3) + 1
    # Musterstadt's housing estate is deprived and has too few Kitas on purpose (resources/demo/README.md)
    estate = [f for f in layers["kita_bedarf:bedarf_versorgung_kita"].getFeatures()
              if f["name"] == "Großwohnsiedlung Am Wiesenhang"]
    assert [f["typ_code"] for f in estate] == ["3-3"]


def test_the_outputs_of_a_model_keep_the_models_names_when_styled(model, run, tmp_path):
    """Loaded as the Processing dialog loads them, the coverage outputs of the model keep the names the model gives
    them (QGIS 3.22: the output's name, newer: its description) instead of both becoming "Versorgung"."""
    import importlib

    import processing
    from qgis.core import QgsProcessingOutputLayerDefinition, QgsProject

    results = importlib.import_module("sozialraum_plugin.ui.results")
    need, parameters = _model_inputs(run)
    project = QgsProject.instance()
    names = {}
    for definition in model.destinationParameterDefinitions():
        output = QgsProcessingOutputLayerDefinition(str(tmp_path / (definition.name().split(":")[1] + ".gpkg")),
                                                    project)
        output.destinationName = definition.description()
        parameters[definition.name()] = output
        names[definition.name()] = (definition.name().split(":")[1], definition.description())
    context = QgsProcessingContext()
    context.setProject(project)
    processing.run(model, parameters, context=context, feedback=QgsProcessingFeedback())
    loaded, failed = results.load_results(context, QgsProcessingFeedback(), project)
    assert not failed and len(loaded) == 4
    by_name = {layer.name(): layer for layer in loaded}
    assert len(by_name) == 4  # four different names
    for wanted in (names["kita_versorgung:versorgung_kita"], names["pflege_versorgung:versorgung_pflege"]):
        coverage = next(layer for name, layer in by_name.items() if name in wanted)
        assert coverage.renderer().classAttribute() == "versorgung_klasse"  # styled all the same
    project.removeMapLayers([layer.id() for layer in loaded])
