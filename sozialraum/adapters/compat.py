"""The one place that knows which QGIS version moved which enum.

QGIS 3.36 moved many enums into ``Qgis.*`` and QGIS 4 (Qt6) drops the old spellings; QGIS 3.22
only has the old ones. Everything else imports the names below instead of checking versions.
"""

from qgis.core import (
    Qgis,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsLabeling,
    QgsLayoutRenderContext,
    QgsLegendStyle,
    QgsMapLayerProxyModel,
    QgsPalLayerSettings,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingFeatureSource,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingUtils,
    QgsRenderContext,
    QgsSpatialIndex,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorSimplifyMethod,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

QGIS_VERSION_INT = Qgis.QGIS_VERSION_INT
_NEW_ENUMS = hasattr(Qgis, "ProcessingSourceType")  # 3.36+


def _pick(new_owner, new_path, old_owner, old_name):
    """``new_owner.<new_path>`` where QGIS has it, else ``old_owner.<old_name>``."""
    if _NEW_ENUMS:
        value = new_owner
        for part in new_path.split("."):
            value = getattr(value, part, None)
            if value is None:
                break
        if value is not None:
            return value
    return getattr(old_owner, old_name)


SOURCE_VECTOR_ANY = _pick(Qgis, "ProcessingSourceType.Vector", QgsProcessing, "TypeVector")
SOURCE_VECTOR_POLYGON = _pick(Qgis, "ProcessingSourceType.VectorPolygon", QgsProcessing, "TypeVectorPolygon")
SOURCE_VECTOR_POINT = _pick(Qgis, "ProcessingSourceType.VectorPoint", QgsProcessing, "TypeVectorPoint")
SOURCE_VECTOR_LINE = _pick(Qgis, "ProcessingSourceType.VectorLine", QgsProcessing, "TypeVectorLine")

NUMBER_DOUBLE = _pick(Qgis, "ProcessingNumberParameterType.Double", QgsProcessingParameterNumber, "Double")
NUMBER_INTEGER = _pick(Qgis, "ProcessingNumberParameterType.Integer", QgsProcessingParameterNumber, "Integer")

FIELD_ANY = _pick(Qgis, "ProcessingFieldParameterDataType.Any", QgsProcessingParameterField, "Any")
FIELD_NUMERIC = _pick(Qgis, "ProcessingFieldParameterDataType.Numeric", QgsProcessingParameterField, "Numeric")

FLAG_ADVANCED = _pick(Qgis, "ProcessingParameterFlag.Advanced", QgsProcessingParameterDefinition, "FlagAdvanced")
FLAG_OPTIONAL = _pick(Qgis, "ProcessingParameterFlag.Optional", QgsProcessingParameterDefinition, "FlagOptional")

SINK_FAST_INSERT = _pick(QgsFeatureSink, "Flag.FastInsert", QgsFeatureSink, "FastInsert")
REQUEST_NO_GEOMETRY = _pick(Qgis, "FeatureRequestFlag.NoGeometry", QgsFeatureRequest, "NoGeometry")
# Reads that ignore the invalid-geometry setting, as QGIS' own attribute tools do (copies, joins, field calculator)
SOURCE_SKIP_GEOMETRY_CHECKS = _pick(Qgis, "ProcessingFeatureSourceFlag.SkipGeometryValidityChecks",
                                    QgsProcessingFeatureSource, "FlagSkipGeometryValidityChecks")
# Processing's invalid-geometry setting (QgsProcessingContext.invalidGeometryCheck)
INVALID_GEOMETRY_ABORT = _pick(Qgis, "InvalidGeometryCheck.AbortOnInvalid", QgsFeatureRequest, "GeometryAbortOnInvalid")
WKB_NO_GEOMETRY = _pick(Qgis, "WkbType.NoGeometry", QgsWkbTypes, "NoGeometry")
WKB_POINT = _pick(Qgis, "WkbType.Point", QgsWkbTypes, "Point")
WKB_LINESTRING = _pick(Qgis, "WkbType.LineString", QgsWkbTypes, "LineString")
WKB_MULTIPOLYGON = _pick(Qgis, "WkbType.MultiPolygon", QgsWkbTypes, "MultiPolygon")
GEOMETRY_POLYGON = _pick(Qgis, "GeometryType.Polygon", QgsWkbTypes, "PolygonGeometry")
GEOMETRY_POINT = _pick(Qgis, "GeometryType.Point", QgsWkbTypes, "PointGeometry")
GEOMETRY_LINE = _pick(Qgis, "GeometryType.Line", QgsWkbTypes, "LineGeometry")
GEOMETRY_NULL = _pick(Qgis, "GeometryType.Null", QgsWkbTypes, "NullGeometry")
INDEX_STORE_GEOMETRIES = _pick(QgsSpatialIndex, "Flag.FlagStoreFeatureGeometries", QgsSpatialIndex,
                               "FlagStoreFeatureGeometries")

DISTANCE_METERS = _pick(Qgis, "DistanceUnit.Meters", QgsUnitTypes, "DistanceMeters")
DISTANCE_KILOMETERS = _pick(Qgis, "DistanceUnit.Kilometers", QgsUnitTypes, "DistanceKilometers")

# Algorithms that must run in the main thread (print layouts, QGraphicsScene).
ALGORITHM_NO_THREADING = _pick(Qgis, "ProcessingAlgorithmFlag.NoThreading", QgsProcessingAlgorithm, "FlagNoThreading")
# PDF/SVG export: labels as text (searchable, and much faster than outlines).
TEXT_AS_TEXT = _pick(Qgis, "TextRenderFormat.AlwaysText", QgsRenderContext, "TextFormatAlwaysText")
# A file parameter that asks for a folder; a legend node drawn without its title (the report's legends).
FILE_FOLDER = _pick(Qgis, "ProcessingFileParameterBehavior.Folder", QgsProcessingParameterFile, "Folder")
LEGEND_HIDDEN = _pick(Qgis, "LegendComponent.Hidden", QgsLegendStyle, "Hidden")
# Print layouts: millimetres (Qgis.LayoutUnit from 3.30 on); polygon labels scattered over the polygon
# (Qgis.LabelPlacement from 3.26 on).
LAYOUT_MILLIMETERS = _pick(Qgis, "LayoutUnit.Millimeters", QgsUnitTypes, "LayoutMillimeters")
LABEL_HORIZONTAL = _pick(Qgis, "LabelPlacement.Horizontal", QgsPalLayerSettings, "Horizontal")
LABEL_INSIDE_POLYGON = _pick(Qgis, "LabelPolygonPlacementFlag.AllowPlacementInsideOfPolygon", QgsLabeling,
                             "AllowPlacementInsideOfPolygon")
LABEL_OUTSIDE_POLYGON = _pick(Qgis, "LabelPolygonPlacementFlag.AllowPlacementOutsideOfPolygon", QgsLabeling,
                              "AllowPlacementOutsideOfPolygon")
_POLYGON_PLACEMENT_FLAGS = _pick(Qgis, "LabelPolygonPlacementFlags", QgsLabeling, "PolygonPlacementFlags")


def polygon_placement(*flags):
    """The flags type of polygon label placement made of ``flags``: from 3.26 on ``|`` of two flag members gives a
    plain int that setPolygonPlacementFlags refuses, so the flags start from their own type."""
    combined = _POLYGON_PLACEMENT_FLAGS(flags[0])
    for flag in flags[1:]:
        combined |= flag
    return combined
# Geometry simplification while drawing (Qgis.VectorRenderingSimplificationFlag / VectorSimplificationAlgorithm
# from 3.36 on).
SIMPLIFY_GEOMETRY = _pick(Qgis, "VectorRenderingSimplificationFlag.GeometrySimplification", QgsVectorSimplifyMethod,
                          "GeometrySimplification")
SIMPLIFY_SNAP_TO_GRID_GLOBAL = _pick(Qgis, "VectorSimplificationAlgorithm.SnappedToGridGlobal",
                                     QgsVectorSimplifyMethod, "SnappedToGridGlobal")
# PDF export: images written losslessly (Flate) instead of as JPEG.
LAYOUT_LOSSLESS_IMAGES = _pick(Qgis, "LayoutRenderFlag.LosslessImageRendering", QgsLayoutRenderContext,
                               "FlagLosslessImageRendering")

# The kind of a layer to load on completion (QgsProcessingContext.LayerDetails); unmoved up to 3.44.
LAYER_HINT_VECTOR = QgsProcessingUtils.LayerHint.Vector

# Layer filters of QgsMapLayerComboBox: Qgis.LayerFilter from 3.34 on, QgsMapLayerProxyModel.Filter before.
LAYER_POLYGON = _pick(Qgis, "LayerFilter.PolygonLayer", QgsMapLayerProxyModel, "PolygonLayer")
LAYER_POINT = _pick(Qgis, "LayerFilter.PointLayer", QgsMapLayerProxyModel, "PointLayer")
LAYER_LINE = _pick(Qgis, "LayerFilter.LineLayer", QgsMapLayerProxyModel, "LineLayer")

# Vector layers opened read-only (QgsVectorLayer.LayerOptions.forceReadOnly, QGIS 3.28+): GDAL opens a
# GeoPackage for writing otherwise and mends an older file's triggers on disk even when it is only read.
CAN_FORCE_READ_ONLY = hasattr(QgsVectorLayer.LayerOptions(), "forceReadOnly")

# Field types: QVariant.Type on Qt5/QGIS < 3.38, QMetaType.Type from 3.38 on (and the only one on Qt6).
if QGIS_VERSION_INT >= 33800:
    from qgis.PyQt.QtCore import QMetaType

    FIELD_DOUBLE = QMetaType.Type.Double
    FIELD_INT = QMetaType.Type.Int
    FIELD_STRING = QMetaType.Type.QString
    FIELD_BOOL = QMetaType.Type.Bool
else:
    FIELD_DOUBLE = QVariant.Double
    FIELD_INT = QVariant.Int
    FIELD_STRING = QVariant.String
    FIELD_BOOL = QVariant.Bool


def is_null(value):
    """True for SQL NULL as PyQGIS hands it out (``None`` or a null ``QVariant`` on QGIS 3.x)."""
    return value is None or (isinstance(value, QVariant) and value.isNull())
