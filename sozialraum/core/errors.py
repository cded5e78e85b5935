"""Errors the user can fix, with a message in German and English.

The core raises :class:`InputError` for bad input (a constant indicator, duplicate IDs, too few
rated areas ...). The message names the field or area and says what to do. The Processing
algorithms turn it into a ``QgsProcessingException`` so the user never sees a traceback.

The language of ``str(error)`` follows :func:`set_language`; the plugin sets it from the QGIS
locale. Both texts stay available as ``error.de`` and ``error.en``.
"""

_LANGUAGE = {"code": "de"}


def set_language(code):
    """Choose the language of messages from a locale or language code: German for German locales (``de``,
    ``de_AT``, ``de-CH`` ...), English for every other one (a French or Polish QGIS reads English better than
    German)."""
    _LANGUAGE["code"] = "de" if str(code).lower().startswith("de") else "en"


def language():
    """The current message language, ``"de"`` or ``"en"``."""
    return _LANGUAGE["code"]


def de_en(de, en):
    """``de`` or ``en``, whichever the current message language is."""
    return en if _LANGUAGE["code"] == "en" else de


def format_number(value, digits=2, lang=None):
    """``value`` with ``digits`` decimals, decimal comma in German (``-0`` shown as ``0``)."""
    text = "{:.{}f}".format(round(value, digits) + 0.0, digits)
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text.replace(".", ",") if (lang or language()) == "de" else text


class InputError(ValueError):
    """Bad input, described in German (``de``) and English (``en``)."""

    def __init__(self, de, en):
        super().__init__(de)
        self.de = de
        self.en = en

    def message(self, code=None):
        """The message in ``code`` (default: the current language)."""
        return self.en if (code or language()) == "en" else self.de

    def __str__(self):
        return self.message()


def names(values, limit=10):
    """``'a', 'b', 'c' ...`` for messages: at most ``limit`` quoted names, then the count left."""
    values = [str(v) for v in values]
    shown = ", ".join("'{}'".format(v) for v in values[:limit])
    if len(values) > limit:
        shown += " … (+{})".format(len(values) - limit)
    return shown


#: Python module -> (Debian package, OSGeo4W package): what Sozialraum needs besides QGIS (openpyxl only for
#: XLSX tables)
PACKAGES = {
    "numpy": ("python3-numpy", "python3-numpy"),
    "pandas": ("python3-pandas", "python3-pandas"),
    "jinja2": ("python3-jinja2", "python3-jinja2"),
    "openpyxl": ("python3-openpyxl", "python3-openpyxl"),
}


def install_texts(missing):
    """``(de, en)``: which of the Python modules ``missing`` (keys of :data:`PACKAGES`) this QGIS lacks and how
    to install them on Windows (OSGeo4W) and Debian/Ubuntu."""
    debian = " ".join(PACKAGES[module][0] for module in missing)
    osgeo4w = ", ".join(PACKAGES[module][1] for module in missing)
    return (
        "Sozialraum braucht die Python-Pakete {names}, die in dieser QGIS-Installation fehlen. Windows (OSGeo4W): "
        "OSGeo4W-Setup starten › Erweiterte Installation › Pakete {osgeo4w} auswählen. Debian/Ubuntu: "
        "sudo apt install {debian}. Danach QGIS neu starten.".format(names=", ".join(missing), osgeo4w=osgeo4w,
                                                                    debian=debian),
        "Sozialraum needs the Python packages {names}, which this QGIS installation lacks. Windows (OSGeo4W): run "
        "the OSGeo4W setup › Advanced install › select the packages {osgeo4w}. Debian/Ubuntu: sudo apt install "
        "{debian}. Then restart QGIS.".format(names=", ".join(missing), osgeo4w=osgeo4w, debian=debian))
