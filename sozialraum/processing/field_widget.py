"""Toolbox dialogs: a field parameter pre-selected by a guess from the chosen layer's field names.

QGIS has no hook for a field's initial value that depends on the layer: for a required field it shows
the first one (often the GeoPackage's ``fid``), for an optional one none. Processing's dialogs create
each parameter's widget with ``WidgetWrapperFactory.create_wrapper``, which takes a class named in the
parameter's metadata, ``{"widget_wrapper": {"class": "<module>.GuessedFieldWrapper", "guess": kind}}``
(set by ``SozialraumAlgorithm.addParameter`` from ``FIELD_GUESSES``; the other keys come as keyword
arguments). :class:`GuessedFieldWrapper` builds QGIS's own C++ widget exactly as the factory does
without that metadata, so the batch dialog and the Model Builder keep the standard widgets; only in
the standard dialog it adds a :class:`_FieldGuess`.

The guess is applied just after QGIS has filled the field list for a newly chosen layer (QGIS links
the field widget to its layer's widget first, so QGIS's own reset to the default comes before the
guess): when the dialog opens, and each time another layer is chosen. A field the user then chooses
stays, also when only "selected features only" changes. Values handed to the dialog
(``processing.execAlgorithmDialog(id, parameters)``, the history, "Paste settings") are set after the
layer they belong to, parameter by parameter in the algorithm's order, so they replace the guess.
Where nothing fits (:mod:`..core.field_guess`) QGIS's choice stays.
"""

from qgis.core import QgsProcessingContext
from qgis.gui import QgsFieldComboBox, QgsGui, QgsProcessingGui
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QObject

from ..adapters.layers import guess_in_fields

STANDARD = QgsProcessingGui.WidgetType.Standard


class GuessedFieldWrapper:
    """Named in a field parameter's metadata; creating it returns QGIS's own widget wrapper (see the module)."""

    def __new__(cls, param, dialog, row=0, col=0, guess=""):
        # Processing's Python plugin: there whenever one of its dialogs asks for a widget
        from processing.gui.wrappers import WidgetWrapperFactory, dialogTypes

        registry = QgsGui.processingGuiRegistry()
        dialog_class = type(dialog).__name__
        if dialog_class == "ModelerParametersDialog":
            wrapper = registry.createModelerParameterWidget(dialog.model, dialog.childId, param, dialog.context)
        else:
            dialog_type = dialogTypes.get(dialog_class, STANDARD)
            wrapper = registry.createParameterWidgetWrapper(param, dialog_type)
            if wrapper is not None and dialog_type == STANDARD and guess:
                _FieldGuess(wrapper, guess)
        if wrapper is None:
            return WidgetWrapperFactory.create_wrapper_from_class(param, dialog, row, col)
        wrapper.setDialog(dialog)
        return wrapper


class _FieldGuess(QObject):
    """Sets the field of ``wrapper`` (QGIS's field widget wrapper, the parent of this object) to the guess
    ``kind`` whenever the layer behind its field list changes."""

    def __init__(self, wrapper, kind):
        super().__init__(wrapper)
        self._wrapper = wrapper
        self._kind = kind
        self._shown = None  # (layer id, field names) the guess was last made for
        link_to_layer = wrapper.postInitialize

        def post_initialize(wrappers):
            link_to_layer(wrappers)  # QGIS's link comes first: its reset to the default must not follow the guess
            self._follow_layer(wrappers)

        # the dialogs call postInitialize from Python once every widget exists: the one moment after QGIS
        # has connected the field list to the layer widget, so this guess runs after QGIS's reset
        wrapper.postInitialize = post_initialize

    def _follow_layer(self, wrappers):
        parent = self._wrapper.parameterDefinition().parentLayerParameterName()
        for other in wrappers:
            definition = getattr(other, "parameterDefinition", None)  # Processing's old Python wrappers have none
            if definition is not None and definition().name() == parent:
                self._guess()
                other.widgetValueHasChanged.connect(self._guess)
                return

    def _guess(self, *_):
        widget = self._wrapper.wrappedWidget()
        if widget is None or not widget.inherits("QgsFieldComboBox"):
            return
        combo = sip.cast(widget, QgsFieldComboBox)
        layer = combo.layer()
        shown = (layer.id() if layer is not None else None, tuple(combo.fields().names()))
        if shown == self._shown:  # the same layer (e.g. only "selected features only" changed): keep the field
            return
        self._shown = shown
        name = guess_in_fields(self._kind, combo.fields())
        if name:
            self._wrapper.setParameterValue(name, QgsProcessingContext())
