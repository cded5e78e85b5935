"""The plugin object: registers the Processing provider and the menu entries."""

from qgis.core import QgsApplication
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from .sozialraum.core.errors import set_language
from .sozialraum.processing.base import ICON_DIR, de_en
from .sozialraum.processing.provider import SozialraumProvider, algorithm_classes
from .ui.safety import guarded

MENU = "&Sozialraum"


class SozialraumPlugin:
    """Provider registration on start, clean removal on unload."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.actions = []
        self.wizard_action = None
        self.wizard = None
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
        self.wizard_action = QAction(QIcon(ICON_DIR + "/sozialraum.svg"),
                                     de_en("Sozialraum-Assistent", "Sozialraum assistant"), self.iface.mainWindow())
        self.wizard_action.setToolTip(de_en("Sozialindex, Versorgung und Bericht Schritt für Schritt",
                                            "Social index, service coverage and report step by step"))
        self.wizard_action.triggered.connect(self.open_wizard)
        self.iface.addPluginToMenu(MENU, self.wizard_action)
        self.iface.addToolBarIcon(self.wizard_action)

    @guarded
    def open_wizard(self):
        """Show the Sozialraum-Assistent (one at a time, not modal: the map stays usable)."""
        from .ui.assistant.wizard import SozialraumWizard

        if self.wizard is None:
            self.wizard = SozialraumWizard(self.iface, self.iface.mainWindow())
            self.wizard.finished.connect(self._wizard_closed)
        self.wizard.show()
        self.wizard.raise_()
        self.wizard.activateWindow()

    @guarded
    def _wizard_closed(self, _result):
        self.wizard.deleteLater()
        self.wizard = None

    @staticmethod
    @guarded
    def _open(algorithm_id):
        import processing  # QGIS's own Processing plugin, present whenever the GUI runs

        processing.execAlgorithmDialog(algorithm_id, {})

    def unload(self):
        if self.wizard is not None:
            self.wizard.done(0)  # cancels a running computation
        if self.wizard_action is not None:
            self.iface.removeToolBarIcon(self.wizard_action)
            self.iface.removePluginMenu(MENU, self.wizard_action)
            self.wizard_action.deleteLater()
            self.wizard_action = None
        for action in self.actions:
            self.iface.removePluginMenu(MENU, action)
            action.deleteLater()
        self.actions = []
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
