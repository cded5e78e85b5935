"""The Sozialraum-Assistent: ``plan`` (pure choices and steps), ``runner``, ``pages`` and ``wizard``."""
