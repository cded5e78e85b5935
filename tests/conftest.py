"""Shared test set-up.

The repository root is the plugin folder. Unit tests import the pure core as ``sozialraum.core``
(root on ``sys.path``); QGIS tests load the whole plugin as a package through its real entry
point (see ``tests/qgis/conftest.py``).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_BERLIN = ROOT.parent / "shared" / "data" / "berlin"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

try:  # property tests draw the same examples on every run, so CI and a developer see the same result
    from hypothesis import settings

    settings.register_profile("sozialraum", derandomize=True, deadline=None)
    settings.load_profile("sozialraum")
except ImportError:  # the core tests also run without hypothesis installed
    pass
