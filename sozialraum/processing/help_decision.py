"""Toolbox help for the decision tools: need-based allocation and funding areas from clusters of need.

German is the first language; the English text is shown when QGIS runs in English.
"""

from .base import de_en

ALLOCATION_DE = """
<p><b>Wozu?</b> „Wer das Geld mit der Gießkanne verteilt, gibt allen gleich viel – aber denen, die es am meisten
brauchen, nicht genug.“ Verteilt ein Budget (Euro oder ganze Einheiten wie Stellen) auf die Quartiere eines
Index- oder MSS-Ergebnisses: nach Zielbevölkerung (z. B. Kinder unter 6) und Bedarf – und zeigt daneben, was die
Gießkanne (gleich viel je Kopf) gegeben hätte.</p>
<p><b>So wird gerechnet</b> (N = Budget / kleinste Einheit, z. B. Cent oder Stelle; P = Zielbevölkerung)</p>
<ol>
<li>Bedarfsgewicht f je Quartier: <b>Stufen</b> (<code>tiers</code>): der Faktor seiner Klasse, niedrigster Bedarf
zuerst (z. B. „1, 1.2, 1.5, 2, 3“ für fünf Klassen; die Zahl der Faktoren muss zur Zahl der Klassen passen);
<b>proportional</b>: f = Indexwert − kleinster Indexwert (das Quartier mit dem geringsten Bedarf erhält nichts aus
dem Bedarfsanteil, jedes andere im Verhältnis zum Abstand); <b>Schwelle</b> (<code>threshold</code>): f = 1 ab der
Schwellenklasse, sonst 0. Nicht bewertete Quartiere (leerer Bedarfswert) haben f = 0: sie erhalten nur den
Grundanteil (Feld <code>hinweis</code>, Protokoll).</li>
<li>Exakter Anteil in Einheiten: q = s · N · P / ΣP + (1 − s) · N · P·f / Σ(P·f), mit dem Grundanteil s
(0–1), der zuerst gleich je Kopf verteilt wird. s = 1 ist genau die Gießkanne.</li>
<li>Runden auf ganze Einheiten nach dem Verfahren der größten Reste (Hare-Niemeyer): jedes Quartier erhält den
abgerundeten Anteil, die übrigen Einheiten gehen einzeln an die Quartiere mit den größten Resten (bei gleichem
Rest in der Reihenfolge der IDs). Die Summe ist damit <i>genau</i> das Budget, und kein Quartier liegt eine
Einheit oder mehr von seinem exakten Anteil entfernt.</li>
</ol>
<p><b>Ergebnis</b>: alle Eingabefelder und <code>zuweisung</code>, <code>zuweisung_je_person</code>,
<code>zuweisung_giesskanne</code> (dasselbe Budget gleich je Kopf, ebenso gerundet), <code>differenz</code>
(Zuweisung − Gießkanne), <code>hinweis</code>; auf Wunsch dieselben Spalten als Tabelle ohne Geometrie (z. B.
XLSX). Das Protokoll und der Verfahrensvermerk (für den Bericht) nennen den Anteil des Budgets, der die Quartiere
mit dem höchsten Bedarf erreicht (höchste Klasse; bei „Schwelle“ die geförderten Klassen; bei „proportional“ das
Fünftel mit den höchsten Indexwerten) gegenüber der Gießkanne, und die Konzentrationskurve: Quartiere nach Bedarf
geordnet, Anteil der Zielbevölkerung gegen Anteil des Budgets (Konzentrationsindex 0 = Gießkanne).</p>
<p>Literatur: Pukelsheim, F. (2017): Proportional Representation. Springer (Quotenverfahren: Hare-Niemeyer).
Ministerium für Schule und Bildung NRW (2021): Schulscharfer Sozialindex (Stellen nach Indexstufen).</p>
"""

ALLOCATION_EN = """
<p><b>What for?</b> "Whoever spreads money with a watering can gives everyone the same, but not enough to those who
need it most." Distributes a budget (euros, or whole units such as staff positions) over the quarters of an index
or MSS result, by target population (e.g. children under 6) and need, and shows beside it what the watering can
(the same per head) would have given.</p>
<p><b>How it is computed</b> (N = budget / smallest unit, e.g. cents or positions; P = target population)</p>
<ol>
<li>Need weight f per quarter: <b>tiers</b>: the factor of its class, lowest need first (e.g. "1, 1.2, 1.5, 2, 3"
for five classes; the number of factors must match the number of classes); <b>proportional</b>: f = index value −
smallest index value (the quarter with the least need gets nothing from the need part, every other one in
proportion to its distance); <b>threshold</b>: f = 1 from the threshold class on, else 0. Quarters not rated
(empty need value) have f = 0: they get the base share only (field <code>hinweis</code>, log).</li>
<li>Exact share in units: q = s · N · P / ΣP + (1 − s) · N · P·f / Σ(P·f), with the base share s (0–1)
distributed equally per head first. s = 1 is exactly the watering can.</li>
<li>Rounding to whole units by the largest remainder method (Hare-Niemeyer): every quarter gets its share rounded
down, the units left over go one each to the quarters with the largest remainders (equal remainders in the order
of the IDs). So the sum is <i>exactly</i> the budget, and no quarter lies one unit or more from its exact
share.</li>
</ol>
<p><b>Result</b>: all input fields and <code>zuweisung</code> (allocation), <code>zuweisung_je_person</code>,
<code>zuweisung_giesskanne</code> (the same budget equal per head, rounded the same way), <code>differenz</code>
(allocation − watering can), <code>hinweis</code>; optionally the same columns as a table without geometry (e.g.
XLSX). The log and the method record (for the report) give the share of the budget reaching the quarters of
highest need (top class; for "threshold" the funded classes; for "proportional" the fifth with the highest index
values) against the watering can, and the concentration curve: quarters ordered by need, share of the target
population against share of the budget (concentration index 0 = watering can).</p>
<p>References: Pukelsheim, F. (2017): Proportional Representation. Springer (quota methods: Hare-Niemeyer).
Ministry of Schools and Education NRW (2021): school social index (positions by index level).</p>
"""


def allocation_help():
    return de_en(ALLOCATION_DE, ALLOCATION_EN)


HOTSPOTS_DE = """
<p><b>Wozu?</b> Findet räumliche Häufungen von Bedarf: zusammenhängende Quartiere, die selbst und deren Nachbarn
deutlich über dem Stadtmittel liegen – Kandidaten für eine Gebietskulisse (z. B. für „Starke Quartiere – starke
Menschen“, deren integrierte Handlungskonzepte die Benachteiligung des Gebiets gegenüber der Stadt zeigen
müssen).</p>
<p><b>Nachbarschaft</b>: <b>queen</b> (Standard) – Quartiere, die sich berühren (mindestens ein gemeinsamer Punkt,
auch eine Ecke; GEOS, ohne Fangtoleranz); <b>rook</b> – Quartiere mit einer gemeinsamen Grenze positiver Länge;
<b>distance</b> – Schwerpunkte höchstens DISTANCE Meter entfernt; <b>knn</b> – die K nächsten Schwerpunkte.
Entfernungen brauchen ein projiziertes KBS in Metern. Quartiere ohne Wert im Feld (nicht bewertet) bleiben außen
vor; Quartiere ohne Nachbarn erhalten „ns“ (ein Permutationstest sagt für sie nichts); beide werden im Protokoll
genannt.</p>
<p><b>So wird gerechnet</b> (n bewertete Quartiere, z = (y − Mittelwert) / s mit der Standardabweichung der
Gesamtheit s, k<sub>i</sub> Nachbarn):</p>
<ul>
<li><b>Lokales Moran's I</b> (Anselin 1995, wie PySAL/esda): w<sub>ij</sub> = 1/k<sub>i</sub>,
<code>lisa_i</code> = (n − 1) · z<sub>i</sub> · Σ<sub>j</sub> w<sub>ij</sub> z<sub>j</sub> / Σ z². Typ
<code>lisa_typ</code> nach den Vorzeichen von z<sub>i</sub> und dem Mittel der Nachbarn: HH (hoch, Nachbarn hoch),
LL, HL, LH; „ns“ wenn nicht signifikant.</li>
<li><b>Pseudo-p-Wert</b> <code>lisa_p</code> (bedingte Permutation): R-mal (PERMUTATIONS, Standard 999) werden die
k<sub>i</sub> Nachbarn durch zufällig gezogene andere Quartiere ersetzt; p = (min(#Sim ≥ Beob., #Sim &lt; Beob.) + 1)
/ (R + 1). Die Zufallszahlen kommen aus numpys PCG64 mit SEED (Standard 12345): dasselbe SEED gibt dieselben
p-Werte. Ein Quartier genau auf dem Mittelwert erhält p = 1.</li>
<li><b>Getis-Ord Gi*</b> (Ord &amp; Getis 1995) mit binären Gewichten einschließlich des Quartiers selbst,
W* = k<sub>i</sub> + 1: <code>gi_z</code> = (Σ<sub>j∈N(i)∪i</sub> y<sub>j</sub> − W*·Mittelwert) /
(s · √((n·W* − W*²)/(n − 1))), <code>gi_p</code> der zweiseitige p-Wert der Normalverteilung.</li>
<li>Signifikant bei p ≤ ALPHA (Standard 0,05); mit FDR nach Benjamini-Hochberg: die größte Schwelle p<sub>(m)</sub>
≤ m · ALPHA / M über die M getesteten Quartiere (empfohlen, wenn viele Quartiere getestet werden).</li>
<li><code>cluster_id</code>: signifikante HH-Quartiere, die Nachbarn sind, bilden ein Gebiet (1 = das größte).</li>
</ul>
<p><b>Gebiete</b> (OUTPUT_AREAS): jedes Gebiet als eine Fläche mit <code>anzahl_quartiere</code>,
<code>quartiere</code> (IDs), <code>bevoelkerung</code> und je Indikator dem einwohnergewichteten Wert im Gebiet
(<code>…_gebiet</code>), in der Stadt (<code>…_stadt</code>) und der Abweichung (<code>…_abw</code>) – für die
Gebietsabgrenzung eines integrierten Handlungskonzepts.</p>
<p>Literatur: Anselin, L. (1995): Local indicators of spatial association – LISA. Geographical Analysis 27(2),
93–115. Ord, J. K. &amp; Getis, A. (1995): Local spatial autocorrelation statistics. Geographical Analysis 27(4),
286–306. Benjamini, Y. &amp; Hochberg, Y. (1995), JRSS B 57(1), 289–300. Rey, S. J. &amp; Anselin, L. (2007):
PySAL. Review of Regional Studies 37(1), 5–27.</p>
"""

HOTSPOTS_EN = """
<p><b>What for?</b> Finds spatial clusters of need: contiguous quarters that, with their neighbours, lie well above
the city mean – candidates for a funding area (e.g. for "Starke Quartiere – starke Menschen", whose integrated action
plans must show that the area is disadvantaged compared with the city).</p>
<p><b>Neighbours</b>: <b>queen</b> (default) – quarters that touch (at least one shared point, a corner too; GEOS,
no snapping tolerance); <b>rook</b> – quarters sharing a boundary of positive length; <b>distance</b> – centroids at
most DISTANCE metres apart; <b>knn</b> – the K nearest centroids. Distances need a projected CRS in metres.
Quarters without a value in the field (not rated) are left out; quarters without neighbours get "ns" (a
permutation test means nothing for them); both are named in the log.</p>
<p><b>How it is computed</b> (n rated quarters, z = (y − mean) / s with the population SD s, k<sub>i</sub>
neighbours):</p>
<ul>
<li><b>Local Moran's I</b> (Anselin 1995, as PySAL/esda): w<sub>ij</sub> = 1/k<sub>i</sub>, <code>lisa_i</code> =
(n − 1) · z<sub>i</sub> · Σ<sub>j</sub> w<sub>ij</sub> z<sub>j</sub> / Σ z². Type <code>lisa_typ</code> by the signs
of z<sub>i</sub> and the neighbours' mean: HH (high among high), LL, HL, LH; "ns" when not significant.</li>
<li><b>Pseudo p-value</b> <code>lisa_p</code> (conditional permutation): R times (PERMUTATIONS, default 999) the
k<sub>i</sub> neighbours are replaced by randomly drawn other quarters; p = (min(#sim ≥ obs, #sim &lt; obs) + 1) /
(R + 1). Random numbers come from numpy's PCG64 seeded with SEED (default 12345): the same SEED gives the same
p-values. A quarter exactly at the mean gets p = 1.</li>
<li><b>Getis-Ord Gi*</b> (Ord &amp; Getis 1995) with binary weights including the quarter itself,
W* = k<sub>i</sub> + 1: <code>gi_z</code> = (Σ<sub>j∈N(i)∪i</sub> y<sub>j</sub> − W*·mean) /
(s · √((n·W* − W*²)/(n − 1))), <code>gi_p</code> its two-sided normal p-value.</li>
<li>Significant at p ≤ ALPHA (default 0.05); with FDR by Benjamini-Hochberg: the largest p<sub>(m)</sub> ≤ m ·
ALPHA / M over the M quarters tested (advisable when many quarters are tested).</li>
<li><code>cluster_id</code>: significant HH quarters that are neighbours form one area (1 = the largest).</li>
</ul>
<p><b>Areas</b> (OUTPUT_AREAS): each area as one polygon with <code>anzahl_quartiere</code> (number of quarters),
<code>quartiere</code> (IDs), <code>bevoelkerung</code> (population) and per indicator the population-weighted value
in the area (<code>…_gebiet</code>), in the city (<code>…_stadt</code>) and the difference (<code>…_abw</code>) –
for the area delineation of an integrated action plan.</p>
<p>References: Anselin, L. (1995): Local indicators of spatial association – LISA. Geographical Analysis 27(2),
93–115. Ord, J. K. &amp; Getis, A. (1995): Local spatial autocorrelation statistics. Geographical Analysis 27(4),
286–306. Benjamini, Y. &amp; Hochberg, Y. (1995), JRSS B 57(1), 289–300. Rey, S. J. &amp; Anselin, L. (2007):
PySAL. Review of Regional Studies 37(1), 5–27.</p>
"""


def hotspots_help():
    return de_en(HOTSPOTS_DE, HOTSPOTS_EN)
