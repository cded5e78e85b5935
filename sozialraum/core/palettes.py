"""Colours and legend words of the result maps, defined once for the QGIS styles and the report.

Need x coverage (3 x 3, bivariate). Stevens' (2015) construction – one light corner, one hue per
variable, both together the darkest cell – with the four corners taken from ColorBrewer and the
cells between them interpolated bilinearly in CIELAB (as Teuling et al. 2011 build 2-D colour
maps, so neighbouring cells are equally far apart):

* low need, good coverage (1-1): light grey ``#eeeeee`` (nothing to do reads as background);
* high need, good coverage (3-1): orange ``#f1a340`` (ColorBrewer PuOr);
* low need, poor coverage (1-3): blue ``#67a9cf`` (ColorBrewer RdBu);
* high need, poor coverage (3-3), priority 1: dark purple ``#3f007d`` (ColorBrewer Purples), the
  darkest and most saturated cell, so the quarters to act on first stand out.

Orange against blue is the contrast the red-green colour vision deficiencies keep; the tests check
with the simulation of Machado, Oliveira & Fernandes (2009) that every two of the nine colours stay
at least 15 CIELAB units apart for normal vision, protanopia, deuteranopia and tritanopia.

Status x dynamics (4 x 3, Berlin's Monitoring Soziale Stadtentwicklung): as in the MSS maps the
status class sets the hue, from calm for a high status to red for a very low one, and the dynamics
the depth within it (positive light, stable medium, negative dark). The MSS's green for "hoch" is
blue here and its red a purple-red (ColorBrewer Blues, a beige, Oranges, RdPu), so the four status
classes of one dynamic class stay at least 10 CIELAB units apart for each of the three colour vision
deficiencies (tested); twelve colours cannot all keep that distance for them, light and dark steps
of neighbouring hues come closer.

Stevens, J. (2015): Bivariate Choropleth Maps: A How-to Guide. joshuastevens.net/cartography.
Teuling, A. J., Stöckli, R., Seneviratne, S. I. (2011): Bivariate colour maps for visualizing
climate data. International Journal of Climatology 31(9), 1408-1412.
"""

from .errors import language

#: ``(need 1..3 low..high, coverage 1..3 good..poor) -> colour``
NEED_COVERAGE_COLORS = {
    (1, 1): "#eeeeee", (1, 2): "#afcbdf", (1, 3): "#67a9cf",
    (2, 1): "#f7c898", (2, 2): "#af8fa1", (2, 3): "#5b5ca6",
    (3, 1): "#f1a340", (3, 2): "#a25368", (3, 3): "#3f007d",
}
NEED_WORDS = {1: ("gering", "low"), 2: ("mittel", "medium"), 3: ("hoch", "high")}
COVERAGE_WORDS = {1: ("gut", "good"), 2: ("mittel", "medium"), 3: ("gering", "poor")}
#: quarters without a type: white, hatched in grey on the map
NO_TYPE_COLOR = "#ffffff"
NO_TYPE_HATCH_COLOR = "#969696"

#: ``(status 1..4 hoch..sehr niedrig, dynamics 1..3 positiv..negativ) -> colour``
STATUS_DYNAMIC_COLORS = {
    (1, 1): "#deebf7", (1, 2): "#9ecae1", (1, 3): "#4292c6",
    (2, 1): "#f7f4e6", (2, 2): "#e8dfb8", (2, 3): "#cdbb7a",
    (3, 1): "#fdd0a2", (3, 2): "#fd8d3c", (3, 3): "#d94801",
    (4, 1): "#fa9fb5", (4, 2): "#dd3497", (4, 3): "#7a0177",
}

#: allocation minus watering can, from much less (blue) to much more (red) (ColorBrewer RdBu)
ALLOCATION_DIFFERENCE_COLORS = ("#2166ac", "#92c5de", "#f4a582", "#b2182b")
#: local Moran's I types: HH dark red, HL light red, LH light blue, LL dark blue (ColorBrewer RdBu), ns light grey
HOTSPOT_TYPE_COLORS = {"HH": "#b2182b", "HL": "#f4a582", "LH": "#92c5de", "LL": "#2166ac", "ns": "#eeeeee"}

#: robustness of a quarter's rank: robust, moderately robust, uncertain (light = no doubt, dark = look again)
ROBUSTNESS_COLORS = ("#fff7bc", "#fec44f", "#d95f0e")

#: catchments, the smallest distance darkest (ColorBrewer GnBu)
CATCHMENT_RAMP = "GnBu"

#: checked path network: the largest part, a separate part (stands out)
NETWORK_COLORS = ("#737373", "#d95f0e")
#: places to check in the path network, by kind (ColorBrewer Dark2)
CROSSING_COLOR, OVERLAP_COLOR, DEAD_END_COLOR = "#7570b3", "#e7298a", "#d95f02"
#: demand points: a service in reach, none in reach (stands out)
DEMAND_COLORS = ("#9ecae1", "#d95f0e")


def need_coverage_grid(lang=None):
    """The nine need x coverage cells row by row as the 3 x 3 legend reads: ``[(need, coverage, code,
    label, colour)]``; first row high need (coverage poor, medium, good), last row low need. So the
    first cell is priority 1 (``"3-3"``) and the last the lightest (``"1-1"``); ``code`` is the
    typology's ``typ_code``, ``label`` e.g. "Bedarf hoch · Versorgung gering" in ``lang`` (default:
    the current language)."""
    english = (lang or language()) == "en"
    template = "need {} · coverage {}" if english else "Bedarf {} · Versorgung {}"
    cells = []
    for need in (3, 2, 1):
        for coverage in (3, 2, 1):
            label = template.format(NEED_WORDS[need][english], COVERAGE_WORDS[coverage][english])
            cells.append((need, coverage, "{}-{}".format(need, coverage), label,
                          NEED_COVERAGE_COLORS[(need, coverage)]))
    return cells
