"""Geometries and images for the report: simplified quarter outlines for SVG maps, the logo as a data URI.

The HTML report draws its maps as inline SVG from the layer's own geometries (no web map, no
rendering service). :func:`quarter_shapes` hands the report the outlines in the layer CRS,
simplified to about a thousandth of the town's extent (invisible at report size), with a
point inside each quarter for labels.
"""

import base64
import os
from concurrent.futures import ThreadPoolExecutor

from qgis.core import QgsFeatureRequest, QgsGeometry
from qgis.PyQt.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from qgis.PyQt.QtGui import QFontDatabase, QImage, QPainter
from qgis.PyQt.QtSvg import QSvgRenderer

from ..core.errors import InputError
from . import compat

#: Simplification tolerance as a share of the larger side of the layer extent.
SIMPLIFY_SHARE = 1.0 / 1500.0
LOGO_MAX_PIXELS = 480
CHART_PIXELS_PER_UNIT = 1.5  # print charts: 150 dpi at their 18 cm (see svg_to_png)


def _rings(geometry):
    """Outer and inner rings of a (multi)polygon geometry as lists of ``(x, y)``."""
    rings = []
    polygons = geometry.asMultiPolygon() if geometry.isMultipart() else [geometry.asPolygon()]
    for polygon in polygons:
        for ring in polygon:
            rings.append([(point.x(), point.y()) for point in ring])
    return rings


def quarter_shapes(layer, id_field, key_function, feedback=None):
    """``{key: {"rings", "bounds", "label_point"}}`` of every polygon feature of ``layer``.

    ``key_function`` turns the ID value into the report's quarter key. Features without a
    polygon geometry are left out (the report then shows no map for them).
    """
    if layer.geometryType() != compat.GEOMETRY_POLYGON:
        return {}
    extent = layer.extent()
    tolerance = max(extent.width(), extent.height()) * SIMPLIFY_SHARE
    request = QgsFeatureRequest().setSubsetOfAttributes([layer.fields().lookupField(id_field)])
    shapes = {}
    total = max(1, layer.featureCount())
    for n, feature in enumerate(layer.getFeatures(request)):
        if feedback is not None and n % 200 == 0:
            if feedback.isCanceled():
                return shapes
        geometry = feature.geometry()
        if geometry is None or geometry.isEmpty():
            continue
        simple = geometry.simplify(tolerance)
        if simple is None or simple.isEmpty():
            simple = QgsGeometry(geometry)
        box = geometry.boundingBox()
        point = geometry.pointOnSurface()
        label = point.asPoint() if point is not None and not point.isEmpty() else box.center()
        shapes[key_function(feature[id_field])] = {
            "rings": _rings(simple),
            "bounds": (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()),
            "label_point": (label.x(), label.y()),
        }
        if feedback is not None and n % 200 == 0:
            feedback.setProgress(100.0 * n / total)
    return shapes


def is_metric(crs):
    """True when the map units of ``crs`` are metres (a scale bar then makes sense)."""
    return crs.isValid() and crs.mapUnits() == compat.DISTANCE_METERS


def _scaled(image):
    if max(image.width(), image.height()) > LOGO_MAX_PIXELS:
        return image.scaled(LOGO_MAX_PIXELS, LOGO_MAX_PIXELS, Qt.AspectRatioMode.KeepAspectRatio,
                            Qt.TransformationMode.SmoothTransformation)
    return image


def logo_image(path):
    """The logo at ``path`` (PNG, JPEG, GIF, BMP or SVG) as a QImage of at most 480 pixels.

    SVG logos are drawn to pixels here, so the report never carries an SVG file that could point
    to the web. A file that is not a readable image raises :class:`InputError`.
    """
    if not path or not os.path.isfile(path):
        raise InputError("Logo-Datei nicht gefunden: {}".format(path), "Logo file not found: {}".format(path))
    if path.lower().endswith(".svg"):
        renderer = QSvgRenderer(path)
        if not renderer.isValid():
            raise InputError("Das Logo '{}' ist kein lesbares SVG.".format(path),
                             "The logo '{}' is not a readable SVG.".format(path))
        size = renderer.defaultSize()
        if size.isEmpty():
            size = QSize(LOGO_MAX_PIXELS, LOGO_MAX_PIXELS)
        size.scale(LOGO_MAX_PIXELS, LOGO_MAX_PIXELS, Qt.AspectRatioMode.KeepAspectRatio)
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter, QRectF(0, 0, size.width(), size.height()))
        painter.end()
        return image
    image = QImage(path)
    if image.isNull():
        raise InputError(
            "Das Logo '{}' ist kein lesbares Bild (PNG, JPEG, GIF, BMP oder SVG).".format(path),
            "The logo '{}' is not a readable image (PNG, JPEG, GIF, BMP or SVG).".format(path))
    return _scaled(image)


def png_bytes(image):
    """``image`` (QImage) as PNG bytes."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


def logo_data_uri(path):
    """``data:image/png;base64,…`` of the logo at ``path`` (empty string for no logo)."""
    if not path:
        return ""
    return "data:image/png;base64," + base64.b64encode(png_bytes(logo_image(path))).decode("ascii")


def svg_to_png(svg_text, target, scale=CHART_PIXELS_PER_UNIT):
    """Draw the standalone SVG ``svg_text`` into a PNG file ``target``, ``scale`` pixels per SVG unit.

    The print layout shows charts as PNG: an SVG picture item turns every letter into outlines,
    about 190 kB per chart in the PDF; a 720 px wide chart drawn at 1.5 px per unit (150 dpi at 18 cm)
    costs 26 kB in the PDF (written losslessly; 37 kB at 2 px per unit, Berlin's 448 charts: 11 against
    16 MB) and its 12 px text still prints crisp. The file is only read back by the layout, so it is
    written with fast compression (quality 80 = zlib level 1, a third faster than the default).
    """
    renderer = QSvgRenderer(QByteArray(svg_text.encode("utf-8")))
    size = renderer.defaultSize()
    image = QImage(round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    image.save(target, "PNG", 80)
    return target


class ChartJob:
    """:func:`svg_to_png` for every ``(svg_text, target)`` of ``jobs``, started at once in worker threads
    where Qt can draw text outside the main thread (Qt releases Python's lock while it draws and
    compresses), so the charts are drawn while the main thread goes on (e.g. writes the overview
    pages). :meth:`wait` returns when every file is written; without threaded text rendering
    the work is done in :meth:`wait`.
    """

    def __init__(self, jobs):
        self.jobs = list(jobs)
        self.pool, self.futures = None, []
        if QFontDatabase.supportsThreadedFontRendering() and len(self.jobs) > 8:
            self.pool = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1))
            self.futures = [self.pool.submit(svg_to_png, *job) for job in self.jobs]

    def wait(self):
        """Block until every chart file exists; raise the first error of a worker."""
        if self.pool is None:
            for svg_text, target in self.jobs:
                svg_to_png(svg_text, target)
            self.jobs = []
            return
        try:
            for future in self.futures:
                future.result()
        finally:
            self.pool.shutdown(wait=True)


def logo_png_file(path, target):
    """Write the logo at ``path`` as PNG to ``target`` (for the print layout); returns ``target``."""
    logo_image(path).save(target, "PNG")
    return target
