"""Sozialraum — QGIS plugin for strategic social planning. QGIS calls :func:`classFactory`."""


def classFactory(iface):  # noqa: N802 (name fixed by QGIS)
    """Create the plugin object; imports happen here so loading the package stays cheap.

    Where a package the plugin needs is missing (pandas in OSGeo4W's express install), a stand-in says which
    one and how to install it, instead of a Python error in the plugin manager.
    """
    from .dependencies import MissingDependenciesPlugin, missing_modules

    missing = missing_modules()
    if missing:
        return MissingDependenciesPlugin(iface, missing)
    from .plugin import SozialraumPlugin

    return SozialraumPlugin(iface)
