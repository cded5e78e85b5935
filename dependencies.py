"""What Sozialraum needs besides QGIS, and a clear message instead of a traceback where it is missing.

QGIS brings numpy on every platform and jinja2 on Debian (python3-qgis depends on it); pandas is a package of
its own everywhere: on Windows the OSGeo4W "Express" install leaves it out, some Linux packagings too. Then
:func:`classFactory` hands QGIS a stand-in plugin that says in the message bar and the log which package is
missing and how to install it, and does nothing else. openpyxl is needed for XLSX tables only: the report says
so when one is asked for.
"""

import importlib.util

from .sozialraum.core.errors import de_en, install_texts, set_language

#: the modules the plugin cannot run without (their packages: ``core.errors.PACKAGES``)
REQUIRED = ("numpy", "pandas", "jinja2")


def missing_modules(find_spec=None):
    """The required modules this Python cannot import, in the order of :data:`REQUIRED`."""
    find_spec = find_spec or importlib.util.find_spec
    return [module for module in REQUIRED if find_spec(module) is None]


def install_hint(missing):
    """What to tell the user: which packages are missing and how to install them."""
    return de_en(*install_texts(missing))


class MissingDependenciesPlugin:
    """Stands in for the plugin when a required package is missing: says so once, registers nothing."""

    def __init__(self, iface, missing):
        from qgis.core import QgsApplication

        set_language(QgsApplication.locale() or "de")
        self.iface = iface
        self.message = install_hint(missing)

    def initProcessing(self):  # noqa: N802 (name fixed by QGIS)
        from qgis.core import Qgis, QgsMessageLog

        QgsMessageLog.logMessage(self.message, "Sozialraum", Qgis.MessageLevel.Critical)

    def initGui(self):  # noqa: N802 (name fixed by QGIS)
        from qgis.core import Qgis

        self.initProcessing()
        if self.iface is not None:
            self.iface.messageBar().pushMessage("Sozialraum", self.message, Qgis.MessageLevel.Critical, 0)

    def unload(self):
        pass
