"""The Processing provider ``sozialraum``: registers every algorithm of the plugin."""

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .base import ICON_DIR, de_en


def algorithm_classes():
    """Every algorithm class of the provider (imported here so the provider module stays light)."""
    from .algorithms.allocation import AllocationAlgorithm
    from .algorithms.catchments import CatchmentsAlgorithm
    from .algorithms.check_network import CheckNetworkAlgorithm
    from .algorithms.district_index import DistrictIndexAlgorithm
    from .algorithms.hotspots import HotspotsAlgorithm
    from .algorithms.index_diagnostics import IndexDiagnosticsAlgorithm
    from .algorithms.indicator_rates import IndicatorRatesAlgorithm
    from .algorithms.need_coverage import NeedCoverageAlgorithm
    from .algorithms.report import ReportAlgorithm
    from .algorithms.service_coverage import ServiceCoverageAlgorithm
    from .algorithms.status_dynamic_index import StatusDynamicIndexAlgorithm

    return [IndicatorRatesAlgorithm, DistrictIndexAlgorithm, StatusDynamicIndexAlgorithm, IndexDiagnosticsAlgorithm,
            NeedCoverageAlgorithm, ServiceCoverageAlgorithm, CatchmentsAlgorithm, CheckNetworkAlgorithm,
            AllocationAlgorithm, HotspotsAlgorithm, ReportAlgorithm]


class SozialraumProvider(QgsProcessingProvider):
    """Sozialraum: social indices, service coverage and reports for municipal social planning."""

    def id(self):
        return "sozialraum"

    def name(self):
        return "Sozialraum"

    def longName(self):
        return de_en("Sozialraum – Sozialplanung", "Sozialraum – social planning")

    def icon(self):
        return QIcon(self.svgIconPath())

    def svgIconPath(self):
        return os.path.join(ICON_DIR, "sozialraum.svg")

    def loadAlgorithms(self):
        for algorithm_class in algorithm_classes():
            self.addAlgorithm(algorithm_class())
