"""Toolbox help for the service coverage analysis (Versorgungsanalyse).

German is the first language; the English text is shown when QGIS runs in English.
"""

from .base import de_en

COVERAGE_DE = """
<p><b>Wozu?</b> Zeigt je Quartier, wie gut Einrichtungen (Kitas, Pflegeheime …) die Zielgruppe (z. B. Kinder unter 6)
versorgen: wie viele Plätze im Quartier liegen, wie weit die Menschen zur nächsten Einrichtung haben und wie viele
Plätze sie – über Quartiersgrenzen hinweg – in Reichweite mit anderen teilen.</p>
<p><b>Nachfrage</b>: am besten Nachfragepunkte (Adressen, Gebäude, Rasterzellen) mit ihrer Zielbevölkerung. Sie werden
dem Quartier zugeordnet, in dem sie liegen; Punkte außerhalb aller Quartiere (Gebiet −1, Warnung mit Anzahl) zählen in
keinem Quartier, nutzen aber die Einrichtungen. Ohne Nachfragepunkte steht jedes Quartier für einen Punkt: den
<i>Punkt auf der Fläche</i> (pointOnSurface, liegt immer im Quartier) mit der Zielbevölkerung des Quartiers. Das ist
grob – Entfernungen innerhalb des Quartiers gehen verloren.</p>
<p><b>Entfernungen</b> in Metern, in einem metrischen Koordinatensystem: Layer in anderen Systemen werden in das der
Quartiere umprojiziert; liegen die Quartiere in Grad (z. B. EPSG:4326), wird in ETRS89/UTM 32N bzw. 33N
(EPSG:25832/25833, Deutschland) oder der UTM-Zone der Stadtmitte gerechnet – das Protokoll sagt es. Ohne Wegenetz
zählt die Luftlinie. Mit <b>Wegenetz</b> werden Nachfragepunkte und
Einrichtungen an den nächsten Punkt des nächsten Wegs angebunden (Fangabstand s, Luftlinie); von dort geht es zu
beiden Enden des Wegs (t bzw. L − t Meter entlang des Wegs der Länge L). Entfernung = Fangabstand des Punkts + Weg
bis zu einem Ende + kürzester Weg (Dijkstra) + Weg vom Ende zur Einrichtung + deren Fangabstand; liegen beide am
selben Weg, zählt auch der direkte Weg s<sub>i</sub> + |t<sub>i</sub> − t<sub>j</sub>| + s<sub>j</sub>. Die
Entfernung ist nie kürzer als die Luftlinie. Fangabstände (max./Mittel) stehen im Protokoll, je Punkt im Feld
<code>fangabstand</code> (Abstand zum Weg); zerfällt das Netz in getrennte Teile, sagt eine Warnung, wie viel Nachfrage
auf den kleinen Teilen liegt. Mehrere Entfernungen sind möglich („300, 500, 1000"); die größte ist der Einzugsradius
d0. Alle Grenzen schließen den Grenzwert ein (d ≤ d0).</p>
<p><b>Wegenetz wie aus dem Amt</b>: Wege müssen nicht an Kreuzungen geteilt sein. Linien sind überall verbunden, wo
sie einen Stützpunkt teilen, auch in ihrer Mitte (so liegen OpenStreetMap-Wege und ATKIS vor); Stützpunkte näher als
die Knoten-Toleranz (Standard 0,1 m, 0 = nur gleiche Koordinaten) gelten als ein Ort – wie in QGIS' eigener
Netzwerkanalyse. Linien, die sich ohne gemeinsamen Stützpunkt kreuzen (Brücken, Tunnel), bleiben getrennt.</p>
<p><b>Prüfungen vorab</b>: Jeder Layer braucht ein Koordinatenbezugssystem (sonst: Layereigenschaften › Quelle ›
KBS zuweisen). Ungültige Quartiersflächen (z. B. sich selbst schneidend) richten sich nach der Einstellung
„Ungültige Geometrien filtern“: bei „Ausführung anhalten“ bricht das Werkzeug mit den Namen der Quartiere ab, sonst
werden sie für die Zuordnung repariert (makeValid); die Ausgabe behält die Eingabegeometrie. Abbrechen hinterlässt
keine halben Ergebnisse.</p>
<p><b>Verfahren</b> (<code>METHOD</code>)</p>
<ul>
<li><b>ratio</b> – Versorgungsquote: Plätze im Quartier / Zielbevölkerung. Einrichtungen jenseits der Quartiersgrenze
zählen nicht. Versorgungsgrad = Quote / Richtwert (ohne Richtwert: / Stadtquote).</li>
<li><b>nearest</b> – Entfernung zur nächsten Einrichtung; Versorgungsgrad = Anteil der Zielbevölkerung mit einer
Einrichtung innerhalb d0. Kapazitäten zählen hier nicht.</li>
<li><b>2sfca</b> – Two-Step Floating Catchment Area (Luo &amp; Wang 2003). Schritt 1 je Einrichtung j:
R<sub>j</sub> = S<sub>j</sub> / Σ<sub>i: d<sub>ij</sub> ≤ d0</sub> P<sub>i</sub>·W(d<sub>ij</sub>) (Plätze je Person
im Einzugsbereich); Schritt 2 je Nachfragepunkt i: A<sub>i</sub> = Σ<sub>j: d<sub>ij</sub> ≤ d0</sub>
R<sub>j</sub>·W(d<sub>ij</sub>), mit W = 1. A<sub>i</sub> ist in Plätzen je Person der Zielgruppe. Jeder Platz wird
genau einmal verteilt: Σ<sub>i</sub> P<sub>i</sub>·A<sub>i</sub> = Σ<sub>j</sub> S<sub>j</sub> über alle Einrichtungen
mit Nachfrage in Reichweite. Einrichtungen außerhalb eines Quartiers versorgen Nachfrage darin, wenn sie in Reichweite
liegen.</li>
<li><b>e2sfca</b> – Enhanced 2SFCA (Luo &amp; Qi 2009): W in Stufen. Standard: Drittel von d0 mit den Gewichten 1 /
0,68 / 0,22 (Luo &amp; Qi); mit „E2SFCA: Gewicht je Entfernung" gilt je Entfernungsstufe das angegebene Gewicht
(z. B. Entfernungen „300, 500, 1000" und Gewichte „1, 0,6, 0,2").</li>
<li><b>gaussian</b> – W(d) = (e<sup>−½(d/d0)²</sup> − e<sup>−½</sup>) / (1 − e<sup>−½</sup>): 1 an der
Einrichtung, 0 bei d0 (Dai 2010).</li>
</ul>
<p>Bei den FCA-Verfahren ist der Versorgungsgrad = Erreichbarkeit / Richtwert, ohne Richtwert der Index zum
Stadtmittel. <b>Klassen</b>: 1 gut (Grad ≥ 0,9), 2 mittel (≥ 0,6), 3 gering (darunter); die Grenzen sind einstellbar.
Die Karte färbt Klasse 3 am dunkelsten.</p>
<p><b>Ergebnis je Quartier</b> (alle Eingabefelder und): <code>anzahl_einrichtungen</code>, <code>kapazitaet</code>
(im Quartier), <code>zielbevoelkerung</code>, <code>versorgungsquote</code>, <code>fehlplaetze</code> (Richtwert ×
Zielbevölkerung − Plätze im Quartier), <code>dist_mittel</code> und <code>dist_median</code> (bevölkerungsgewichtet, zur
nächsten Einrichtung, in m), <code>zeit_mittel_min</code>, <code>zeit_median_min</code> (Gehminuten bei der
Gehgeschwindigkeit, Standard 4,5 km/h), <code>anteil_&lt;m&gt;</code> (Anteil der Zielbevölkerung mit einer
Einrichtung innerhalb &lt;m&gt; Metern), <code>anteil_ausser_reichweite</code> (Anteil ohne Einrichtung innerhalb der
größten Entfernung = 1 − <code>anteil_&lt;größte&gt;</code>), mit Wegenetz <code>anteil_ohne_netz</code> (Anteil ohne
Wegverbindung zu irgendeiner Einrichtung; nicht in <code>dist_mittel</code>), <code>erreichbarkeit</code>
(bevölkerungsgewichtetes Mittel von A<sub>i</sub>), <code>erreichbarkeit_index</code> (zum Stadtmittel),
<code>fehlplaetze_erreichbarkeit</code> ((Richtwert − Erreichbarkeit) × Zielbevölkerung), <code>versorgungsgrad</code>,
<code>versorgung_klasse</code>, <code>versorgung_label</code>, <code>hinweis</code> (z. B. Quartier ohne
Zielbevölkerung). Mit Nachfragepunkten und dem Feld der Zielbevölkerung je Quartier gilt für Quote und Fehlplätze die
Quartierszahl, für Entfernungen und Erreichbarkeit die Verteilung auf die Punkte.</p>
<p><b>Ergebnis je Nachfragepunkt</b> (optional): <code>gebiet_id</code> (leer = außerhalb aller Quartiere),
<code>dist_naechste</code>, <code>zeit_naechste_min</code>, <code>naechste_einrichtung</code>,
<code>einrichtungen_&lt;m&gt;</code> (Einrichtungen innerhalb &lt;m&gt; Metern), <code>erreichbarkeit</code>
(0 ohne Einrichtung in Reichweite), <code>erreicht</code>, mit Wegenetz <code>fangabstand</code>; in der
Karte die Punkte ohne Einrichtung in Reichweite groß und dunkelorange obenauf.
Die Parameter stehen in der Ausgabe METHOD (für den Bericht).</p>
<p>Literatur: Luo, W. &amp; Wang, F. (2003): Measures of spatial accessibility to health care in a GIS environment.
Environment and Planning B 30, 865–884. Luo, W. &amp; Qi, Y. (2009): An enhanced two-step floating catchment area
(E2SFCA) method. Health &amp; Place 15, 1100–1107. Dai, D. (2010): Health &amp; Place 16, 1038–1052.</p>
"""

COVERAGE_EN = """
<p><b>What for?</b> Shows per district how well services (day-care centres, care homes …) cover the target group
(e.g. children under 6): how many places lie in the district, how far people have to the nearest service, and how many
places they share with others within reach, across district borders.</p>
<p><b>Demand</b>: best given as demand points (addresses, buildings, grid cells) with their target population. They are
assigned to the district they lie in; points outside all districts (district −1, a warning with their count) count in no
district but do use the services. Without demand points each district is one point: its <i>point on surface</i>
(always inside the district) carrying the district's target population. That is coarse: distances within the district
are lost.</p>
<p><b>Distances</b> in metres, in a metric coordinate system: layers in other systems are reprojected to the districts'
one; if the districts are in degrees (e.g. EPSG:4326) the distances are computed in ETRS89/UTM 32N or 33N
(EPSG:25832/25833, Germany) or the UTM zone of the town centre, and the log says so. Without a network the straight line
counts. With a <b>path network</b> demand points and services are snapped to
the nearest point of the nearest path (snapping distance s, straight line), and from there go to both ends of that
path (t or L − t metres along a path of length L). Distance = snapping distance of the point + the way to an end of
its path + shortest path (Dijkstra) + the way from an end to the service + its snapping distance; for two points on
the same path the direct way s<sub>i</sub> + |t<sub>i</sub> − t<sub>j</sub>| + s<sub>j</sub> counts too. It is
never shorter than the straight line. Snapping distances (max/mean) are in the log, per point in the field
<code>fangabstand</code> (distance to the path); if the network falls apart a warning says how much demand lies on the small parts. Several
distances may be given ("300, 500, 1000"); the largest is the catchment radius d0. Every limit includes the limit
(d ≤ d0).</p>
<p><b>Path networks as cities have them</b>: paths need not be split at crossings. Lines are connected wherever
they share a vertex, also in their middle (as OpenStreetMap ways and ATKIS come); vertices closer than the topology
tolerance (default 0.1 m, 0 = equal coordinates only) are one place, as in QGIS's own network analysis. Lines that
cross without a shared vertex (bridges, tunnels) stay apart.</p>
<p><b>Checks first</b>: every layer needs a coordinate reference system (else: Layer Properties › Source › Assign
CRS). Invalid district areas (e.g. self-intersecting) follow the setting "Invalid features filtering": with "Stop
algorithm execution" the tool stops and names the districts, otherwise they are repaired for the assignment
(makeValid); the output keeps the input geometry. Cancelling leaves no half-written results.</p>
<p><b>Methods</b> (<code>METHOD</code>)</p>
<ul>
<li><b>ratio</b> – supply ratio: places inside the district / target population. Services beyond the border do not
count. Coverage level = ratio / norm (without a norm: / city ratio).</li>
<li><b>nearest</b> – distance to the nearest service; coverage level = share of the target population with a service
within d0. Capacities do not count here.</li>
<li><b>2sfca</b> – two-step floating catchment area (Luo &amp; Wang 2003). Step 1 per service j:
R<sub>j</sub> = S<sub>j</sub> / Σ<sub>i: d<sub>ij</sub> ≤ d0</sub> P<sub>i</sub>·W(d<sub>ij</sub>) (places per person
in the catchment); step 2 per demand point i: A<sub>i</sub> = Σ<sub>j: d<sub>ij</sub> ≤ d0</sub>
R<sub>j</sub>·W(d<sub>ij</sub>), with W = 1. A<sub>i</sub> is in places per person of the target group. Every place is
handed out exactly once: Σ<sub>i</sub> P<sub>i</sub>·A<sub>i</sub> = Σ<sub>j</sub> S<sub>j</sub> over all services with
demand in reach. Services outside a district serve demand inside it when in reach.</li>
<li><b>e2sfca</b> – enhanced 2SFCA (Luo &amp; Qi 2009): W in steps. Default: thirds of d0 with the weights 1 / 0.68 /
0.22 (Luo &amp; Qi); with "E2SFCA: weight per distance" each distance band gets the given weight (e.g. distances
"300, 500, 1000" and weights "1, 0.6, 0.2").</li>
<li><b>gaussian</b> – W(d) = (e<sup>−½(d/d0)²</sup> − e<sup>−½</sup>) / (1 − e<sup>−½</sup>): 1 at the service, 0 at d0
(Dai 2010).</li>
</ul>
<p>For the FCA methods the coverage level = accessibility / norm, without a norm the index to the city mean.
<b>Classes</b>: 1 good (level ≥ 0.9), 2 medium (≥ 0.6), 3 poor (below); the breaks can be changed. The map shows class 3
darkest.</p>
<p><b>Result per district</b> (all input fields and): <code>anzahl_einrichtungen</code>, <code>kapazitaet</code> (inside
the district), <code>zielbevoelkerung</code>, <code>versorgungsquote</code>, <code>fehlplaetze</code> (norm × target
population − places inside), <code>dist_mittel</code> and <code>dist_median</code> (population-weighted, to the nearest
service, in m), <code>zeit_mittel_min</code>, <code>zeit_median_min</code> (walking minutes at the walking speed, default
4.5 km/h), <code>anteil_&lt;m&gt;</code> (share of the target population with a service within &lt;m&gt; metres),
<code>anteil_ausser_reichweite</code> (share with no service within the largest distance = 1 −
<code>anteil_&lt;largest&gt;</code>), with a network <code>anteil_ohne_netz</code> (share with no path to any service at
all; not in <code>dist_mittel</code>), <code>erreichbarkeit</code> (population-weighted mean of A<sub>i</sub>),
<code>erreichbarkeit_index</code> (to the city mean), <code>fehlplaetze_erreichbarkeit</code> ((norm − accessibility) ×
target population), <code>versorgungsgrad</code>, <code>versorgung_klasse</code>, <code>versorgung_label</code>,
<code>hinweis</code> (e.g. a district without target population). With demand points and the districts' target
population field, ratio and missing places use the district figure, distances and accessibility the points.</p>
<p><b>Result per demand point</b> (optional): <code>gebiet_id</code> (empty = outside all districts),
<code>dist_naechste</code>, <code>zeit_naechste_min</code>, <code>naechste_einrichtung</code>,
<code>einrichtungen_&lt;m&gt;</code> (services within &lt;m&gt; metres), <code>erreichbarkeit</code> (0 without a
service in reach), <code>erreicht</code>, with a network <code>fangabstand</code>; on the map the points without
a service in reach large, dark orange and on top. The parameters are in the output
METHOD (for the report).</p>
<p>References: Luo, W. &amp; Wang, F. (2003): Measures of spatial accessibility to health care in a GIS environment.
Environment and Planning B 30, 865–884. Luo, W. &amp; Qi, Y. (2009): An enhanced two-step floating catchment area
(E2SFCA) method. Health &amp; Place 15, 1100–1107. Dai, D. (2010): Health &amp; Place 16, 1038–1052.</p>
"""


def coverage_help():
    return de_en(COVERAGE_DE, COVERAGE_EN)
