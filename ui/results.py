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


def results_group(project, name):
    """A new layer-tree group ``name`` for a run's results, placed below the last point or line layer at the top
    level, so polygon results do not cover the services and paths they were computed from."""
    from qgis.core import QgsLayerTreeLayer, QgsVectorLayer, QgsWkbTypes

    root = project.layerTreeRoot()
    position = 0
    for index, node in enumerate(root.children()):
        layer = node.layer() if isinstance(node, QgsLayerTreeLayer) else None
        if isinstance(layer, QgsVectorLayer) and layer.geometryType() in (QgsWkbTypes.PointGeometry,
                                                                         QgsWkbTypes.LineGeometry):
            position = index + 1
    return root.insertGroup(position, name)


def move_into_group(project, layers, group):
    """Move ``layers`` (already in ``project``) into ``group``, in their order, points and lines first."""
    from qgis.core import QgsVectorLayer, QgsWkbTypes

    root = project.layerTreeRoot()

    def polygon_last(layer):
        return isinstance(layer, QgsVectorLayer) and layer.geometryType() == QgsWkbTypes.PolygonGeometry

    for layer in sorted(layers, key=polygon_last):
        node = root.findLayer(layer.id())
        if node is None:
            continue
        clone = node.clone()
        group.addChildNode(clone)
        node.parent().removeChildNode(node)
