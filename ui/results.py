"""Loading an algorithm's result layers into the project through QGIS's public API.

What the Processing toolbox does after a run, without leaning on Processing's internal GUI module
(``processing.gui.Postprocessing``, whose needs change between QGIS versions): every layer the run
marked for loading (``QgsProcessingContext.layersToLoadOnCompletion``) is resolved, named as its output
definition asks, moved from the run's temporary store into the project and styled by the algorithm's
layer post-processor.
"""

from qgis.core import QgsProcessingUtils


def load_results(context, feedback, project):
    """Load the layers of a finished run; returns ``(loaded layers, ids that could not be loaded)``.

    A layer goes to the project its details name (the destination's project), else to ``project``.
    """
    loaded, failed = [], []
    for layer_id, details in context.layersToLoadOnCompletion().items():
        layer = QgsProcessingUtils.mapLayerFromString(layer_id, context, True, details.layerTypeHint)
        if layer is None:
            failed.append(layer_id)
            continue
        details.setOutputLayerName(layer)
        owned = context.temporaryLayerStore().takeMapLayer(layer) or layer
        (details.project or project).addMapLayer(owned)
        if details.postProcessor() is not None:
            details.postProcessor().postProcessLayer(owned, context, feedback)
        loaded.append(owned)
    context.setLayersToLoadOnCompletion({})
    return loaded, failed
