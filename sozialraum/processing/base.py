"""What every Sozialraum algorithm shares: translation, choice parameters, error handling.

Choice parameters ("enums") show plain-language labels in the toolbox and accept their stable
key as well (``NORMALIZATION=minmax`` instead of ``NORMALIZATION=2``), so models, scripts and
``qgis_process`` calls stay readable and survive new options being added.
"""

import os

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingParameterEnum
from qgis.PyQt.QtGui import QIcon

from ..adapters import compat
from ..adapters.layers import frame_kinds, result_fields, write_with_results
from ..core.errors import InputError, de_en

ICON_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "resources", "icons")


def matrix_rows(flat, width, de, en):
    """Rows of ``width`` stripped texts from a flat matrix parameter value; empty rows are skipped.

    A value that does not fill whole rows raises :class:`InputError` with the message ``de``/``en``.
    """
    cells = ["" if compat.is_null(cell) else str(cell).strip() for cell in (flat or [])]
    if not any(cells):
        return []
    if len(cells) % width:
        raise InputError(de, en)
    rows = [tuple(cells[i:i + width]) for i in range(0, len(cells), width)]
    return [row for row in rows if any(row)]


class SozialraumAlgorithm(QgsProcessingAlgorithm):
    """Base class: subclasses define ``NAME``, ``GROUP_ID`` and the parameters."""

    NAME = ""
    GROUP_ID = ""
    GROUPS = {
        "indizes": ("Indizes", "Indices"),
        "versorgung": ("Versorgung", "Service coverage"),
        "bericht": ("Bericht", "Report"),
    }
    # parameter name -> tuple of stable keys, in the order of the enum options
    CHOICES = {}

    def createInstance(self):
        return self.__class__()

    def name(self):
        return self.NAME

    def group(self):
        return de_en(*self.GROUPS[self.GROUP_ID])

    def groupId(self):
        return self.GROUP_ID

    def icon(self):
        return QIcon(os.path.join(ICON_DIR, "sozialraum.svg"))

    def svgIconPath(self):
        return os.path.join(ICON_DIR, "sozialraum.svg")

    # -- choice parameters -------------------------------------------------------------------
    def add_choice(self, name, description, options, default, optional=False, advanced=False):
        """An enum parameter whose options are ``[(key, label), ...]``; ``default`` is a key.

        The label shows the key in brackets so users see what to write in scripts.
        """
        keys = tuple(key for key, _ in options)
        assert keys == tuple(self.CHOICES[name]), "CHOICES and options disagree for " + name
        labels = ["{} [{}]".format(label, key) for key, label in options]
        parameter = QgsProcessingParameterEnum(name, description, options=labels, allowMultiple=False,
                                               defaultValue=keys.index(default), optional=optional)
        if advanced:
            parameter.setFlags(parameter.flags() | compat.FLAG_ADVANCED)
        self.addParameter(parameter)

    def choice(self, parameters, name, context):
        """The key chosen for enum ``name``: given as key, as index, or as index text."""
        keys = self.CHOICES[name]
        raw = parameters.get(name)
        if isinstance(raw, str) and raw.strip() in keys:
            return raw.strip()
        return keys[self.parameterAsEnum(parameters, name, context)]

    def checkParameterValues(self, parameters, context):
        translated = dict(parameters)
        for name, keys in self.CHOICES.items():
            raw = translated.get(name)
            if isinstance(raw, str) and raw.strip() and not raw.strip().isdigit():
                if raw.strip() not in keys:
                    return False, de_en(
                        "Unbekannter Wert '{}' für {}. Erlaubt: {}.".format(raw, name, ", ".join(keys)),
                        "Unknown value '{}' for {}. Allowed: {}.".format(raw, name, ", ".join(keys)),
                    )
                translated[name] = keys.index(raw.strip())
        return super().checkParameterValues(translated, context)

    # -- running the core ----------------------------------------------------------------------
    @staticmethod
    def core_call(function, *args, **kwargs):
        """Run a core function; bad input becomes a clear ``QgsProcessingException``, not a traceback."""
        try:
            return function(*args, **kwargs)
        except InputError as error:
            raise QgsProcessingException(str(error)) from None

    def source_or_fail(self, parameters, name, context):
        """The feature source ``name``; a missing or unreadable layer raises a clear error."""
        source = self.parameterAsSource(parameters, name, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, name))
        return source

    def sink_or_fail(self, parameters, name, context, fields, wkb_type, crs):
        """``(sink, dest_id)`` for output ``name``; an unwritable destination raises a clear error."""
        sink, dest_id = self.parameterAsSink(parameters, name, context, fields, wkb_type, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, name))
        return sink, dest_id

    def write_result(self, parameters, name, context, feedback, source, table, result_columns, progress_start):
        """Copy ``source`` into output ``name`` with ``result_columns`` of ``table`` appended.

        Returns the destination id, or ``None`` when the user cancelled.
        """
        columns = frame_kinds(table, result_columns)
        fields, kept, replaced = result_fields(source.fields(), columns)
        if replaced:
            feedback.pushWarning(de_en("Vorhandene Felder werden durch neue Werte ersetzt: ",
                                       "Existing fields are replaced by new values: ") + ", ".join(replaced))
        sink, dest_id = self.sink_or_fail(parameters, name, context, fields, source.wkbType(), source.sourceCrs())
        if not write_with_results(source, sink, fields, kept, table, columns, feedback, (progress_start, 100.0)):
            return None
        return dest_id
