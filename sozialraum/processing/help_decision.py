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
<p>Literatur: Pukelsheim, F. (2017): Proportional Representation. Springer, Kap. 5 (Hare-Niemeyer).
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
<p>References: Pukelsheim, F. (2017): Proportional Representation. Springer, ch. 5 (Hare-Niemeyer). Ministry of
Schools and Education NRW (2021): school social index (positions by index level).</p>
"""


def allocation_help():
    return de_en(ALLOCATION_DE, ALLOCATION_EN)
