"""The assistant's plan as a Processing model (.model3) that runs in batch (``qgis_process``) and in the Model Builder.

Every layer the plan reads becomes a model input (its current source as the default, so the model runs as
exported and takes next year's layers by choosing other inputs); every step becomes a child algorithm with
the chosen settings; a value of an earlier step is that child's output; the results (index, coverage,
report files) are model outputs. Choice parameters are stored by position, as model files do, and every
mandatory parameter the plan leaves open gets the algorithm's default, so the model stays valid.
"""

import re
from dataclasses import replace

from qgis.core import (
    QgsApplication,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterVectorLayer,
)
from qgis.PyQt.QtCore import QPointF

from ...sozialraum.adapters import compat
from ...sozialraum.core.errors import de_en
from .plan import TEMPORARY, FromStep, plan, slug

#: Parameters that take layers (one model input per distinct layer) and the geometry they need.
_LAYER_PARAMETERS = {"INPUT": compat.SOURCE_VECTOR_POLYGON, "DISTRICTS": compat.SOURCE_VECTOR_POLYGON,
                     "SERVICES": compat.SOURCE_VECTOR_POINT, "DEMAND": compat.SOURCE_VECTOR_POINT,
                     "NETWORK": compat.SOURCE_VECTOR_LINE, "PREVIOUS": compat.SOURCE_VECTOR_ANY}
_DESTINATIONS = ("OUTPUT", "OUTPUT_HTML", "OUTPUT_PDF", "OUTPUT_TABLE", "OUTPUT_DEMAND")


def _static(value):
    return [QgsProcessingModelChildParameterSource.fromStaticValue(value)]


def _name(text):
    """A model parameter name from a layer name: lower case letters, digits and ``_``."""
    return slug(text)[:40] or "layer"


def build_model(choices, layer_names, name="sozialraum_analyse"):
    """The plan of ``choices`` as a :class:`QgsProcessingModelAlgorithm`.

    ``layer_names``: ``{layer reference: readable name}`` of the layers the plan reads (the sources stay the
    inputs' defaults). Outputs chosen as files in the plan are model outputs with that file as default.
    """
    registry = QgsApplication.processingRegistry()
    model = QgsProcessingModelAlgorithm(name, "Sozialraum", "sozialraum")
    model.setHelpContent({"ALG_DESC": de_en(
        "Vom Sozialraum-Assistenten exportierte Analyse: dieselben Schritte und Einstellungen; für das nächste Jahr "
        "die neuen Layer als Eingaben wählen.",
        "Analysis exported by the Sozialraum assistant: the same steps and settings; for next year choose the new "
        "layers as inputs."), "ALG_CREATOR": "Sozialraum-Assistent"})
    inputs = {}

    def model_input(reference, layer_type):
        if reference not in inputs:
            base = _name(layer_names.get(reference, reference))
            parameter = base
            while parameter in inputs.values():
                parameter = "{}_{}".format(base, len(inputs))
            definition = QgsProcessingParameterVectorLayer(parameter, layer_names.get(reference, reference),
                                                           [layer_type], defaultValue=reference)
            component = QgsProcessingModelParameter(parameter)
            component.setPosition(QPointF(120, 60 + 90 * len(inputs)))
            model.addModelParameter(definition, component)
            inputs[reference] = parameter
        return [QgsProcessingModelChildParameterSource.fromModelParameter(inputs[reference])]

    for row, step in enumerate(plan(choices)):
        algorithm = registry.algorithmById(step.algorithm_id)
        child = QgsProcessingModelChildAlgorithm(step.algorithm_id)
        child.setChildId(step.key)
        child.setDescription(step.title)
        child.setPosition(QPointF(520, 120 + 160 * row))
        outputs = {}
        for key, value in step.parameters.items():
            if key in _DESTINATIONS:
                if value:
                    output = QgsProcessingModelOutput(_name(step.title + " " + key.lower()), "{} ({})".format(
                        step.title, key.replace("OUTPUT_", "").replace("OUTPUT", de_en("Ergebnis", "result"))))
                    output.setChildOutputName(key)
                    output.setChildId(step.key)
                    if value != TEMPORARY:
                        output.setDefaultValue(value)
                    output.setPosition(QPointF(860, 120 + 160 * row + 40 * len(outputs)))
                    outputs[output.name()] = output
                continue
            if value is None or value == "" or value == []:
                continue
            if isinstance(value, FromStep) or (isinstance(value, list) and value and isinstance(value[0], FromStep)):
                sources = [QgsProcessingModelChildParameterSource.fromChildOutput(v.step, v.output)
                           for v in (value if isinstance(value, list) else [value])]
                child.addParameterSources(key, sources)
            elif key in _LAYER_PARAMETERS and isinstance(value, str):
                child.addParameterSources(key, model_input(value, _LAYER_PARAMETERS[key]))
            elif key in getattr(algorithm, "CHOICES", {}):
                child.addParameterSources(key, _static(algorithm.CHOICES[key].index(value)))
            else:
                child.addParameterSources(key, _static(value))
        _fill_defaults(child, algorithm)
        child.setModelOutputs(outputs)
        model.addChildAlgorithm(child)
    return model


def _fill_defaults(child, algorithm):
    """Set every mandatory, unset input of ``child`` to the algorithm's default value."""
    sources = child.parameterSources()
    for definition in algorithm.parameterDefinitions():
        optional = definition.flags() & compat.FLAG_OPTIONAL
        if definition.isDestination() or optional or definition.name() in sources:
            continue
        child.addParameterSources(definition.name(), _static(definition.defaultValue()))


def export_model(choices, project, path):
    """Write the plan of ``choices`` (layers as ids of ``project``) to ``path`` as a .model3; True on success."""
    names = {}

    def source(reference):
        layer = project.mapLayer(reference) if reference else None
        if layer is None:
            return reference
        names[layer.source()] = layer.name()
        return layer.source()

    services = [replace(s, services=source(s.services), demand=source(s.demand), network=source(s.network))
                for s in choices.services]
    portable = replace(choices, districts=source(choices.districts), previous=source(choices.previous),
                       services=services)
    for reference in list(names) + [portable.districts]:
        names.setdefault(reference, re.split(r"[|/\\]", reference)[-1].split(".")[0])
    name = _name(de_en("Sozialraum-Analyse", "Sozialraum analysis"))
    return build_model(portable, names, name).toFile(path)
