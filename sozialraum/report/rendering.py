"""Jinja2 rendering shared by every HTML output: autoescaping, strict variables, number formats.

Every value is escaped (a district called ``<script>`` shows as text). Templates are looked up in
the plugin's ``resources/templates`` folder; nothing refers to the web.

User templates (a folder chosen in ``sozialraum:report``) run in jinja2's sandbox and may only
include files from their own folder. A mistake in a template (an unknown variable, a syntax
error, a forbidden call) becomes an :class:`~sozialraum.core.errors.InputError` that names the
template file, the line and what is wrong.
"""

import math
import os

import jinja2
import jinja2.sandbox

from ..core.errors import InputError, de_en, language

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "resources", "templates")


def to_float(value):
    """``value`` as float; NaN for NULL (None, pandas' NA) and for text that is no number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def number(value, digits=2, lang=None):
    """``1234.5`` -> ``'1.234,50'`` in German, ``'1,234.50'`` in English; NaN/None -> ``'–'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = "{:,.{}f}".format(float(value), digits)
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = text[1:]  # -0,00 -> 0,00
    if (lang or language()) == "de":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def translator(lang=None):
    """``t(de, en)`` for a fixed language (``None`` = the current message language)."""
    if lang is None:
        return de_en
    return (lambda de, en: en) if lang == "en" else (lambda de, en: de)


class FolderLoader(jinja2.FileSystemLoader):
    """Loads templates from one folder only: no ``..``, no absolute paths, no links leading out."""

    def __init__(self, folder):
        super().__init__(folder)
        self.root = os.path.realpath(folder)

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        if os.path.commonpath([real, self.root]) != self.root:
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


def environment(folder=TEMPLATE_DIR, lang=None, sandboxed=False):
    """A jinja2 environment on ``folder`` with autoescaping and errors for undefined variables.

    ``lang`` fixes the language of ``t()``, ``lang()`` and the ``num`` filter (default: the
    current message language); ``sandboxed`` runs templates in jinja2's sandbox.
    """
    cls = jinja2.sandbox.SandboxedEnvironment if sandboxed else jinja2.Environment
    env = cls(
        loader=FolderLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = (lambda value, digits=2: number(value, digits, lang)) if lang else number
    env.globals["t"] = translator(lang)
    env.globals["lang"] = (lambda: lang) if lang else language
    return env


def render(template_name, folder=TEMPLATE_DIR, **values):
    """Render ``template_name`` from ``folder`` with ``values``."""
    return environment(folder).get_template(template_name).render(**values)


def _template_position(error, folder):
    """``(file, line)`` of the template frame where ``error`` was raised (jinja2 rewrites tracebacks)."""
    root = os.path.realpath(folder)
    position = (getattr(error, "name", None) or getattr(error, "filename", None), getattr(error, "lineno", None))
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename and os.path.realpath(filename).startswith(root + os.sep):
            position = (os.path.relpath(os.path.realpath(filename), root), tb.tb_lineno)
        tb = tb.tb_next
    return position


def render_template(template_name, folder, values, lang=None, sandboxed=True):
    """Render ``template_name`` from ``folder``; template mistakes become a clear :class:`InputError`.

    The message names the template file (relative to ``folder``), the line and, for an unknown
    variable, the variable.
    """
    env = environment(folder, lang=lang, sandboxed=sandboxed)
    try:
        return env.get_template(template_name).render(**values)
    except jinja2.TemplateNotFound as error:
        raise InputError(
            "Vorlage '{}' nicht im Vorlagenordner {} gefunden (Vorlagen dürfen nur Dateien aus ihrem eigenen "
            "Ordner einbinden).".format(error.name, folder),
            "Template '{}' not found in the template folder {} (templates may only include files from their "
            "own folder).".format(error.name, folder),
        ) from None
    except jinja2.TemplateSyntaxError as error:
        name, line = _template_position(error, folder)
        raise InputError(
            "Syntaxfehler in der Vorlage '{}', Zeile {}: {}.".format(name or template_name, line, error.message),
            "Syntax error in the template '{}', line {}: {}.".format(name or template_name, line, error.message),
        ) from None
    except jinja2.UndefinedError as error:
        name, line = _template_position(error, folder)
        raise InputError(
            "Die Vorlage '{}' (Zeile {}) verwendet eine Variable, die es nicht gibt: {}. Bitte den Namen "
            "prüfen (verfügbar: siehe Hilfe des Algorithmus).".format(name or template_name, line, error.message),
            "The template '{}' (line {}) uses a variable that does not exist: {}. Please check the name "
            "(available: see the algorithm's help).".format(name or template_name, line, error.message),
        ) from None
    except jinja2.sandbox.SecurityError as error:
        name, line = _template_position(error, folder)
        raise InputError(
            "Die Vorlage '{}' (Zeile {}) versucht etwas, das Vorlagen nicht dürfen: {}.".format(
                name or template_name, line, error),
            "The template '{}' (line {}) tries something templates may not do: {}.".format(
                name or template_name, line, error),
        ) from None
