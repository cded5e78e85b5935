"""What Sozialraum needs besides QGIS, and a clear message instead of a traceback where it is missing.

QGIS brings numpy on every platform and jinja2 on Debian (python3-qgis depends on it); pandas is a package of
its own everywhere: on Windows the OSGeo4W "Express" install leaves it out, some Linux packagings too. Then
:func:`classFactory` hands QGIS a stand-in plugin that says in the message bar and the log which package is
missing and how to install it, and does nothing else.
"""

import importlib.util

from .sozialraum.core.errors import de_en, set_language

#: module -> (Debian package, OSGeo4W package)
REQUIRED = {
    "numpy": ("python3-numpy", "python3-numpy"),
    "pandas": ("python3-pandas", "python3-pandas"),
    "jinja2": ("python3-jinja2", "python3-jinja2"),
}


def missing_modules(find_spec=None):
    """The required modules this Python cannot import, in the order of :data:`REQUIRED`."""
    find_spec = find_spec or importlib.util.find_spec
    return [module for module in REQUIRED if find_spec(module) is None]


def install_hint(missing):
    """What to tell the user: which packages are missing and how to install them."""
    debian = " ".join(REQUIRED[module][0] for module in missing)
    osgeo4w = ", ".join(REQUIRED[module][1] for module in missing)
    return de_en(
        "Sozialraum braucht die Python-Pakete {names}, die in dieser QGIS-Installation fehlen. Windows (OSGeo4W): "
        "OSGeo4W-Setup starten › Erweiterte Installation › Pakete {osgeo4w} auswählen. Debian/Ubuntu: "
        "sudo apt install {debian}. Danach QGIS neu starten.",
        "Sozialraum needs the Python packages {names}, which this QGIS installation lacks. Windows (OSGeo4W): run "
        "the OSGeo4W setup › Advanced install › select the packages {osgeo4w}. Debian/Ubuntu: sudo apt install "
        "{debian}. Then restart QGIS.").format(names=", ".join(missing), osgeo4w=osgeo4w, debian=debian)


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
