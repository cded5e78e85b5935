"""The plugin object: registers the Processing provider and the menu entries."""

from qgis.core import QgsApplication
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from .sozialraum.core.errors import set_language
from .sozialraum.processing.base import de_en
from .sozialraum.processing.provider import SozialraumProvider, algorithm_classes

MENU = "&Sozialraum"


class SozialraumPlugin:
    """Provider registration on start, clean removal on unload."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.actions = []
        set_language(QgsApplication.locale() or "de")

    def initProcessing(self):  # noqa: N802 (name fixed by QGIS)
        """Register the provider once (QGIS calls this also without a GUI, e.g. in qgis_process)."""
        if self.provider is not None:
            return
        provider = SozialraumProvider()
        if QgsApplication.processingRegistry().addProvider(provider):
            self.provider = provider

    def initGui(self):  # noqa: N802
        self.initProcessing()
        for algorithm_class in algorithm_classes():
            algorithm = algorithm_class()
            action = QAction(QIcon(algorithm.svgIconPath()), algorithm.displayName(), self.iface.mainWindow())
            action.setToolTip(de_en("Öffnet den Dialog des Werkzeugs", "Opens the tool's dialog"))
            action.triggered.connect(lambda _checked=False, alg_id="sozialraum:" + algorithm.name(): self._open(alg_id))
            self.iface.addPluginToMenu(MENU, action)
            self.actions.append(action)

    @staticmethod
    def _open(algorithm_id):
        import processing  # QGIS's own Processing plugin, present whenever the GUI runs

        processing.execAlgorithmDialog(algorithm_id, {})

    def unload(self):
        for action in self.actions:
            self.iface.removePluginMenu(MENU, action)
            action.deleteLater()
        self.actions = []
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
