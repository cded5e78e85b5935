"""Jinja2 rendering shared by every HTML output: autoescaping, strict variables, number formats.

Every value is escaped (a district called ``<script>`` shows as text). Templates are looked up in
the plugin's ``resources/templates`` folder; nothing refers to the web.
"""

import math
import os

import jinja2

from ..core.errors import de_en, language

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "resources", "templates")


def number(value, digits=2):
    """``1234.5`` -> ``'1.234,50'`` in German, ``'1,234.50'`` in English; NaN/None -> ``'–'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = "{:,.{}f}".format(float(value), digits)
    if language() == "de":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def environment(folder=TEMPLATE_DIR):
    """A jinja2 environment on ``folder`` with autoescaping and errors for undefined variables."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = number
    env.globals["t"] = de_en
    env.globals["lang"] = language
    return env


def render(template_name, folder=TEMPLATE_DIR, **values):
    """Render ``template_name`` from ``folder`` with ``values``."""
    return environment(folder).get_template(template_name).render(**values)
