"""Toolbox help for catchments (Einzugsbereiche) and the need x coverage typology.

German is the first language; the English text is shown when QGIS runs in English.
"""

from .base import de_en

CATCHMENTS_DE = """
<p><b>Wozu?</b> Zeigt für jede Einrichtung (Kita, Pflegeheim …) die Fläche, die innerhalb jeder Entfernung
erreichbar ist, als Polygon – und wie viele Menschen der Zielgruppe darin wohnen. Die Einzugsbereiche von QGIS
(„Service area") liefern nur Linien.</p>
<p><b>So wird gerechnet</b></p>
<ul>
<li><b>Luftlinie</b> (ohne Wegenetz): ein Kreis mit Radius t um die Einrichtung (als Vieleck mit 128 Ecken;
die Fläche ist um weniger als 0,05 % kleiner als π·t²).</li>
<li><b>Wegenetz</b> (muss nicht an Kreuzungen geteilt sein: Linien sind überall verbunden, wo sie einen Stützpunkt
teilen, Stützpunkte näher als die Knoten-Toleranz, Standard 0,1 m, gelten als ein Ort; Brücken ohne gemeinsamen
Stützpunkt bleiben getrennt): Die Einrichtung wird an den nächsten Punkt des nächsten Wegs angebunden (Fangabstand b,
Luftlinie). Von diesem Fußpunkt aus wird mit Dijkstra gesucht, wie weit jeder Knoten über das Netz entfernt ist
(d; zu den beiden Enden des eigenen Wegs zuerst entlang des Wegs). Auf dem eigenen Weg ist das Stück bis
t − b Meter vor und hinter dem Fußpunkt erreichbar; von einer anderen Kante der Länge L zwischen den Knoten u
und v der Teil, für den b + d(u) + s ≤ t bzw. b + d(v) + (L − s) ≤ t gilt; Kanten werden an der Stelle
abgeschnitten, an der die Restentfernung aufgebraucht ist. Die erreichbaren Wegstücke und die Anbindung der
Einrichtung (Luftlinie zum Fußpunkt) werden mit der
Pufferbreite (Standard 50 m, für den Weg vom Gehweg zur Haustür) gepuffert und vereinigt. Zum Schluss wird das
Polygon auf den Kreis mit Radius t beschnitten: Was in Luftlinie weiter als t entfernt ist, kann auch über
Wege nicht näher liegen.</li>
<li><b>Bevölkerung im Einzugsbereich</b>: Summe des Bedarfsfelds (z. B. Kinder unter 6) der Nachfragepunkte
(Adressen), die die Einrichtung erreichen – mit derselben Regel wie die Versorgungsanalyse
(sozialraum:servicecoverage): Luftlinie ≤ t bzw. Fangabstand des Punkts + Netzentfernung + Fangabstand der
Einrichtung ≤ t. Grenzen zählen mit (≤). Die Zahl beruht also auf der Entfernung, nicht darauf, ob der Punkt
im gepufferten Polygon liegt.</li>
</ul>
<p><b>Ergebnis</b>: je Einrichtung und Entfernung ein Polygon mit <code>einrichtung_id</code>,
<code>einrichtung_name</code>, <code>schwelle_m</code>, <code>methode</code> (netz/luftlinie),
<code>bevoelkerung</code> (leer ohne Nachfragepunkte), <code>flaeche_ha</code> und <code>hinweis</code>.
<b>Karte</b>: abgestuft nach Entfernung, die kleinste am dunkelsten und obenauf, halbdurchsichtig mit Umriss, so
dass die Karte darunter sichtbar bleibt. Alle Längen in Metern:
Layer in geographischen Koordinaten (Grad) werden vorher in ein metrisches Koordinatensystem umgerechnet.</p>
<p>Literatur: Dijkstra, E. W. (1959): A note on two problems in connexion with graphs. Numerische Mathematik 1,
269–271. Luo, W. &amp; Wang, F. (2003): Measures of spatial accessibility to health care in a GIS environment.
Environment and Planning B 30(6), 865–884.</p>
"""

CATCHMENTS_EN = """
<p><b>What for?</b> Shows for each service (day-care centre, care home …) the area reachable within each
distance as a polygon, and how many people of the target group live inside. QGIS's own service areas only give
lines.</p>
<p><b>How it is computed</b></p>
<ul>
<li><b>Straight line</b> (no network): a circle of radius t around the service (a polygon of 128 corners;
its area is less than 0.05 % below π·t²).</li>
<li><b>Network</b> (need not be split at crossings: lines are connected wherever they share a vertex, vertices
closer than the topology tolerance, default 0.1 m, are one place; bridges without a shared vertex stay apart): the
service is attached to the nearest point of the nearest path (snapping distance b,
straight line). From that foot point Dijkstra finds the network distance d of every node (to the two ends of its own
path first along the path). On its own path the stretch up to t − b metres before and after the foot point is
reachable; of another edge of length L between nodes u and v, the part with b + d(u) + s ≤ t or
b + d(v) + (L − s) ≤ t; edges are cut where the remaining distance runs out. The reachable pieces and the
service's access line (straight to the foot point) are buffered by the buffer width (default
50 m, for the way from the footpath to the front door) and merged. Finally the polygon is clipped to the circle
of radius t: what is farther than t as the crow flies cannot be nearer along paths.</li>
<li><b>Population inside</b>: the sum of the demand field (e.g. children under 6) of the demand points
(addresses) that reach the service, by the same rule as the coverage analysis (sozialraum:servicecoverage):
straight line ≤ t, or snapping distance of the point + network distance + snapping distance of the service ≤ t.
Limits count (≤). So the count rests on the distance, not on whether a point lies in the buffered polygon.</li>
</ul>
<p><b>Result</b>: per service and distance one polygon with <code>einrichtung_id</code>,
<code>einrichtung_name</code>, <code>schwelle_m</code>, <code>methode</code> (netz = network / luftlinie =
straight line), <code>bevoelkerung</code> (empty without demand points), <code>flaeche_ha</code> and
<code>hinweis</code> (note). <b>Map</b>: graduated by distance, the smallest darkest and on top, see-through
with an outline so the map below stays visible. All lengths are
in metres: layers in geographic coordinates (degrees) are reprojected to a metric CRS first.</p>
<p>Literature: Dijkstra, E. W. (1959): A note on two problems in connexion with graphs. Numerische Mathematik 1,
269–271. Luo, W. &amp; Wang, F. (2003): Measures of spatial accessibility to health care in a GIS environment.
Environment and Planning B 30(6), 865–884.</p>
"""

NEED_COVERAGE_DE = """
<p><b>Wozu?</b> Verbindet den Bedarf je Quartier (z. B. Sozialindex) mit der Versorgung (z. B. Ergebnis der
Versorgungsanalyse) zu neun Typen wie „hoher Bedarf, geringe Versorgung" – so sieht man, wo zuerst gehandelt
werden sollte.</p>
<p><b>So wird gerechnet</b></p>
<ol>
<li><b>Bedarf in drei Stufen</b> (1 gering, 2 mittel, 3 hoch). Art „classes": ein Ergebnis mit k Klassen
(z. B. <code>index_class</code> 1..5 des Sozialindex oder <code>status_class</code> 1..4 des MSS-Verfahrens,
höhere Klasse = mehr Bedarf) wird über die Klassenmitte umgerechnet: Stufe = 1 + ⌊3·(c − 0,5)/k⌋; bei k = 5
ergibt das 1, 1, 2, 3, 3. Art „values": Werte (z. B. <code>index_value</code>) werden nach Dritteln
eingeteilt (unteres Drittel ≤ q⅓ → 1, bis q⅔ → 2, darüber → 3).</li>
<li><b>Versorgung in drei Stufen</b> (1 gut, 2 mittel, 3 gering). Art „classes": das Feld enthält schon 1..3,
z. B. <code>versorgung_klasse</code> der Versorgungsanalyse. Art „values": höherer Wert = bessere Versorgung
(z. B. <code>erreichbarkeit_index</code>); das obere Drittel (≥ q⅔) ist „gut", das untere (&lt; q⅓)
„gering". Die Drittel werden über alle Zeilen der jeweiligen Eingabe gebildet.</li>
<li><b>Typ</b> <code>typ_code</code> = „Bedarf-Versorgung" (z. B. 3-3) mit Klartext <code>typ_label</code>.
<b>Priorität</b> 1..9: erst nach Bedarf, dann nach Versorgung, Priorität = 3·(3 − Bedarf) + (3 − Versorgung) + 1.
1 = hoher Bedarf und geringe Versorgung, 9 = geringer Bedarf und gute Versorgung.</li>
<li>Die Quartiere werden über die ID-Felder verbunden (7, 7.0 und „7" gelten als gleich). Quartiere ohne
Versorgungsergebnis oder ohne Bedarfswert bekommen keinen Typ und einen <code>hinweis</code>; IDs, die nur im
Versorgungsergebnis vorkommen, werden als Warnung gemeldet.</li>
</ol>
<p><b>Karte</b>: bivariate Farben (3 × 3, nach Stevens 2015): hoher Bedarf in Orange, geringe Versorgung in Blau,
beides zusammen (Priorität 1) dunkelviolett und am auffälligsten, geringer Bedarf bei guter Versorgung hellgrau;
auch bei Rot-Grün- und Blau-Gelb-Sehschwäche unterscheidbar. Die Legende liest sich Zeile für Zeile wie ein
3 × 3-Raster: „Bedarf hoch · Versorgung gering", „Bedarf hoch · Versorgung mittel", „Bedarf hoch · Versorgung gut",
dann mittlerer und geringer Bedarf – zugleich die Reihenfolge der Priorität.</p>
<p>Literatur: Stevens, J. (2015): Bivariate Choropleth Maps: A How-to Guide. Machado, G. M., Oliveira, M. M.
&amp; Fernandes, L. A. F. (2009): A physiologically-based model for simulation of color vision deficiency. IEEE
TVCG 15(6), 1291–1298.</p>
"""

NEED_COVERAGE_EN = """
<p><b>What for?</b> Combines the need per district (e.g. a social index) with the coverage (e.g. the result of
the coverage analysis) into nine types such as "high need, poor coverage", to show where to act first.</p>
<p><b>How it is computed</b></p>
<ol>
<li><b>Need in three levels</b> (1 low, 2 medium, 3 high). Mode "classes": a result with k classes (e.g.
<code>index_class</code> 1..5 of the social index or <code>status_class</code> 1..4 of the MSS method, higher
class = more need) is mapped by the class centre: level = 1 + ⌊3·(c − 0.5)/k⌋; k = 5 gives 1, 1, 2, 3, 3.
Mode "values": values (e.g. <code>index_value</code>) are split into terciles (≤ q⅓ → 1, up to q⅔ → 2,
above → 3).</li>
<li><b>Coverage in three levels</b> (1 good, 2 medium, 3 poor). Mode "classes": the field already holds 1..3,
e.g. <code>versorgung_klasse</code> of the coverage analysis. Mode "values": higher value = better coverage (e.g.
<code>erreichbarkeit_index</code>); the upper tercile (≥ q⅔) is "good", the lower (&lt; q⅓) "poor". The
terciles are taken over all rows of each input.</li>
<li><b>Type</b> <code>typ_code</code> = "need-coverage" (e.g. 3-3) with the plain label <code>typ_label</code>.
<b>Priority</b> 1..9: need first, then coverage, priority = 3·(3 − need) + (3 − coverage) + 1. 1 = high need and
poor coverage, 9 = low need and good coverage.</li>
<li>Districts are joined by their ID fields (7, 7.0 and "7" count as the same). Districts without a coverage
result or without a need value get no type and a note (<code>hinweis</code>); IDs found only in the coverage
result are reported as a warning.</li>
</ol>
<p><b>Map</b>: bivariate colours (3 × 3, after Stevens 2015): high need in orange, poor coverage in blue, both
together (priority 1) dark purple and most salient, low need with good coverage light grey; distinguishable also
with red-green and blue-yellow colour vision deficiencies. The legend reads row by row like a 3 × 3 grid: "need
high · coverage poor", "need high · coverage medium", "need high · coverage good", then medium and low need – which
is also the order of priority.</p>
<p>Literature: Stevens, J. (2015): Bivariate Choropleth Maps: A How-to Guide. Machado, G. M., Oliveira, M. M.
&amp; Fernandes, L. A. F. (2009): A physiologically-based model for simulation of color vision deficiency. IEEE
TVCG 15(6), 1291–1298.</p>
"""


def catchments_help():
    return de_en(CATCHMENTS_DE, CATCHMENTS_EN)


def need_coverage_help():
    return de_en(NEED_COVERAGE_DE, NEED_COVERAGE_EN)
