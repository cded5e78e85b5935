"""Sozialraum — QGIS plugin for strategic social planning. QGIS calls :func:`classFactory`."""


def classFactory(iface):  # noqa: N802 (name fixed by QGIS)
    """Create the plugin object; imports happen here so loading the package stays cheap."""
    from .plugin import SozialraumPlugin

    return SozialraumPlugin(iface)
