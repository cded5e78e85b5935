"""Toolbox help: one HTML document per algorithm and language, ``resources/help/<name>.<lang>.html``.

Each document is complete (language, title, a one-sentence ``description`` and ``keywords`` in its head), so it
is also the page the dialog's help button opens (:func:`help_url`). What the dialog's help panel shows is its body
without the title, with the line breaks of the file removed: QGIS turns every line break of ``shortHelpString``
into a paragraph break, which cut sentences of hard-wrapped help in two and lost the numbers of lists.
``qgis_process help`` prints the help as plain text instead of HTML tags (:func:`help_text`).

German is the first language; English for every other QGIS locale (``core.errors.language``).
"""

import html
import os
import re
from functools import lru_cache

from qgis.PyQt.QtCore import QUrl

from ..core.errors import language

HELP_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "resources", "help"))
_BLOCK = re.compile(r"</?(p|ol|ul|li|h1|h2|h3|table|tr|div|br)\b[^>]*>", re.IGNORECASE)


def help_file(name, lang=None):
    """The help document of algorithm ``name`` in ``lang`` (default: the current language; German if missing)."""
    lang = lang or language()
    path = os.path.join(HELP_DIR, "{}.{}.html".format(name, lang))
    return path if os.path.exists(path) else os.path.join(HELP_DIR, "{}.de.html".format(name))


@lru_cache(maxsize=None)
def _document(path):
    with open(path, encoding="utf-8") as handle:  # a bundled resource, read only
        return handle.read()


def _body(name, lang):
    document = _document(help_file(name, lang))
    body = document[document.index("<body>") + len("<body>"):document.rindex("</body>")]
    return re.sub(r"<h1>.*?</h1>", "", body, count=1, flags=re.DOTALL).strip()


def help_html(name, lang=None):
    """The help for the dialog's panel: the body of the document on one line (see the module docstring)."""
    return re.sub(r"\s*\n\s*", " ", _body(name, lang))


def help_text(name, lang=None):
    """The help as plain text (for ``qgis_process help``): paragraphs and list items on lines of their own,
    numbered lists numbered, tags removed, entities decoded."""
    body = re.sub(r"\s*\n\s*", " ", _body(name, lang))
    lines, counters = [], []
    for part in re.split(r"(<[^>]+>)", body):
        tag = re.match(r"<(/?)(\w+)", part) if part.startswith("<") else None
        if tag is None:
            if lines:
                lines[-1] += part
            else:
                lines.append(part)
            continue
        closing, kind = tag.group(1) == "/", tag.group(2).lower()
        if kind in ("ol", "ul"):
            if closing:
                counters.pop()
            else:
                counters.append(0 if kind == "ol" else None)
            lines.append("")
        elif kind == "li" and not closing:
            if counters and counters[-1] is not None:
                counters[-1] += 1
                lines.append("{}. ".format(counters[-1]))
            else:
                lines.append("- ")
        elif _BLOCK.match(part):
            lines.append("")
    text = "\n".join(html.unescape(re.sub(r" +", " ", line)).strip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _meta(name, key, lang):
    match = re.search(r'<meta name="{}" content="([^"]*)">'.format(key), _document(help_file(name, lang)))
    return html.unescape(match.group(1)) if match else ""


def short_description(name, lang=None):
    """One sentence on what the algorithm does (the document's ``description``)."""
    return _meta(name, "description", lang)


def help_tags(name, lang=None):
    """Search words for the toolbox (the document's ``keywords``)."""
    return [word.strip() for word in _meta(name, "keywords", lang).split(",") if word.strip()]


def help_url(name, lang=None):
    """The bundled help document as a ``file:`` URL (the dialog's help button opens it, offline)."""
    return QUrl.fromLocalFile(help_file(name, lang)).toString()
