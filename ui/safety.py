"""Nothing the plugin does in a slot may take QGIS down.

PyQt aborts the whole program (``qFatal``) when a Python exception leaves a slot or a virtual method that
Qt calls (``isComplete``, ``validatePage`` …) and no ``sys.excepthook`` catches it; in QGIS that closes the
user's session with unsaved work. Every slot, task callback and Qt override of the plugin is wrapped in
:func:`guarded`: an exception is written with its traceback to the message log ("Sozialraum") and shown
in plain words in the message bar, and the slot returns ``fallback`` instead.
"""

import functools
import inspect
import traceback

from qgis.core import Qgis, QgsMessageLog

from ..sozialraum.core.errors import de_en

LOG_TAG = "Sozialraum"


def _message_bar():
    """The QGIS message bar, or None (``qgis_process``, scripts and tests without an interface)."""
    try:
        from qgis.utils import iface
    except ImportError:
        return None
    return iface.messageBar() if iface is not None else None


def report_exception(where, error):
    """Log ``error`` (raised in ``where``) with its traceback and tell the user in the message bar."""
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    QgsMessageLog.logMessage("{}:\n{}".format(where, details), LOG_TAG, Qgis.MessageLevel.Critical)
    text = de_en("Interner Fehler in {} ({}: {}). Die Einzelheiten stehen im Protokoll unter „{}“; bitte "
                 "melden Sie ihn.", "Internal error in {} ({}: {}). The details are in the log under “{}”; "
                 "please report it.").format(where, type(error).__name__, error, LOG_TAG)
    try:
        bar = _message_bar()
        if bar is not None:
            bar.pushMessage("Sozialraum", text, Qgis.MessageLevel.Critical, 0)
    except Exception:  # noqa: BLE001 -- the log has it; the message bar itself must not raise from here
        pass
    return text


def _positional_capacity(function):
    """How many positional arguments ``function`` takes (None: any number). A signal may carry more
    arguments than its slot takes (``triggered(checked)`` to ``open()``): PyQt drops the extra ones for a
    plain slot, and so must the wrapper that stands in for it."""
    parameters = inspect.signature(function).parameters.values()
    if any(p.kind == p.VAR_POSITIONAL for p in parameters):
        return None
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


def guarded(function=None, *, fallback=None):
    """Decorator: ``function`` never raises; an exception is reported (:func:`report_exception`) and
    ``fallback`` returned. Use as ``@guarded`` or ``@guarded(fallback=False)``."""
    if function is None:
        return functools.partial(guarded, fallback=fallback)

    accepted = _positional_capacity(function)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args[:accepted], **kwargs)
        except Exception as error:  # noqa: BLE001 -- nothing may leave a slot into Qt
            report_exception(function.__qualname__, error)
            return fallback

    return wrapper
