"""Toolbox help texts: each method in plain words, with its formula and a literature reference.

German is the first language; the English text is shown when QGIS runs in English.
"""

from .base import de_en

INDEX_DE = """
<p><b>Wozu?</b> Ein Sozialindex fasst mehrere Sozialindikatoren (z. B. SGB-II-Quote, Arbeitslosenquote,
Kinderarmut) zu einer Zahl je Quartier zusammen, um die Quartiere mit dem größten Unterstützungsbedarf zu finden –
so wie das Berliner „Monitoring Soziale Stadtentwicklung" oder das Hamburger „Sozialmonitoring".</p>
<p><b>So wird gerechnet</b></p>
<ol>
<li>Nur <i>bewertete</i> Quartiere zählen für Mittelwerte und Streuungen: Quartiere unter der
Mindesteinwohnerzahl (Standard 300) oder mit fehlenden Werten werden nicht bewertet; der Grund steht im Feld
<code>note</code>.</li>
<li>Richtung: Alle Indikatoren kommen in die Liste „Indikatoren“. Wer dort auch in „Davon umgekehrt“ steht
(höher = weniger Bedarf, z. B. Abiturquote), bekommt das umgekehrte Vorzeichen. Ein Feld nur unter
„umgekehrt“ ist ein Fehler. Eine negative Einwohnerzahl ebenfalls; leer oder 0 heißt: nicht bewertet.</li>
<li>Normierung je Indikator: <b>z-Wert</b> z = (x − Mittelwert) / Standardabweichung (Gesamtheit, wie im MSS;
oder Stichprobe); <b>Min-Max</b> 100·(x − min)/(max − min); <b>Perzentilrang</b> 0–100; <b>Referenzwert</b>
100·(x − r)/|r|.</li>
<li>Zusammenfassung: <b>Summe</b> Σ wᵢ·zᵢ, <b>gewichteter Mittelwert</b> Σ wᵢ·zᵢ / Σ wᵢ oder
<b>geometrisches Mittel</b> Π vᵢ^(wᵢ/Σw) (nur mit Min-Max oder Perzentilen, auf der Skala 1–100).
Gewichte: Standard alle 1.</li>
<li>Die Summe wird (Standard) erneut z-standardisiert: der Index hat dann Mittelwert 0 und Standardabweichung 1;
1 heißt „eine Standardabweichung mehr Bedarf als der Durchschnitt".</li>
<li>Klassen: nach Standardabweichungen (Standard −1,5 / −0,5 / 0,5 / 1,5), Quantilen, natürlichen Brüchen
(exakte optimale Einteilung nach Fisher 1958), gleichen Intervallen oder eigenen Grenzen. Grenzregel: ein Wert
genau auf einer Grenze gehört zur unteren Klasse (Klasse c enthält b₍c−1₎ &lt; x ≤ b_c). Höhere Klasse = mehr
Bedarf.</li>
</ol>
<p><b>Ergebnis</b>: alle Eingabefelder, je Indikator der normierte Wert (<code>z_…</code> bzw. <code>n_…</code>),
<code>index_value</code>, <code>index_rank</code> (1 = größter Bedarf), <code>index_class</code>,
<code>index_label</code>, <code>rated</code>, <code>note</code>. Die verwendeten Parameter stehen in der Ausgabe
METHOD (für den Bericht).</p>
<p><b>Auswahllisten in Skripten</b>: statt der Nummer geht der Schlüssel in eckigen Klammern, z. B.
<code>NORMALIZATION=minmax</code>, <code>CLASSIFICATION=jenks</code>.</p>
<p>Literatur: OECD/JRC (2008): Handbook on Constructing Composite Indicators. Senatsverwaltung für
Stadtentwicklung Berlin: Monitoring Soziale Stadtentwicklung, Indikatorenheft 2021. Fisher, W. D. (1958): On
grouping for maximum homogeneity. JASA 53, 789–798.</p>
"""

INDEX_EN = """
<p><b>What for?</b> A social index combines several indicators (e.g. welfare rate, unemployment, child poverty)
into one number per district to find the districts with the greatest need, as Berlin's "Monitoring Soziale
Stadtentwicklung" and Hamburg's "Sozialmonitoring" do.</p>
<p><b>How it is computed</b></p>
<ol>
<li>Only <i>rated</i> districts count for means and spreads: districts below the minimum population (default
300) or with missing values are not rated; the reason is in the field <code>note</code>.</li>
<li>Direction: every indicator goes into the list "Indicators". Those also listed under "Of these, reversed"
(higher = less need, e.g. the share of school leavers with Abitur) get the opposite sign. A field listed only
as reversed is an error, and so is a negative population; empty or 0 means: not rated.</li>
<li>Normalisation per indicator: <b>z-score</b> z = (x − mean) / SD (population SD as in the MSS, or sample SD);
<b>min-max</b> 100·(x − min)/(max − min); <b>percentile rank</b> 0–100; <b>reference</b> 100·(x − r)/|r|.</li>
<li>Aggregation: <b>sum</b> Σ wᵢ·zᵢ, <b>weighted mean</b> Σ wᵢ·zᵢ / Σ wᵢ, or <b>geometric mean</b> Π vᵢ^(wᵢ/Σw)
(only with min-max or percentiles, on the 1–100 scale). Default weights are all 1.</li>
<li>By default the sum is z-standardised again: the index has mean 0 and SD 1; 1 means "one standard deviation
more need than average".</li>
<li>Classes: standard deviations (default −1.5 / −0.5 / 0.5 / 1.5), quantiles, natural breaks (the exact optimal
partition of Fisher 1958), equal intervals or manual breaks. Boundary rule: a value exactly on a break belongs to
the lower class (class c holds b₍c−1₎ &lt; x ≤ b_c). Higher class = more need.</li>
</ol>
<p><b>Result</b>: all input fields, per indicator the normalised value (<code>z_…</code> or <code>n_…</code>),
<code>index_value</code>, <code>index_rank</code> (1 = greatest need), <code>index_class</code>,
<code>index_label</code>, <code>rated</code>, <code>note</code>. The parameters used are in the output METHOD
(for the report).</p>
<p><b>Choices in scripts</b>: instead of the number you may write the key shown in brackets, e.g.
<code>NORMALIZATION=minmax</code>, <code>CLASSIFICATION=jenks</code>.</p>
<p>References: OECD/JRC (2008): Handbook on Constructing Composite Indicators. Senate Department for Urban
Development Berlin: Monitoring Soziale Stadtentwicklung, Indikatorenheft 2021. Fisher, W. D. (1958): On grouping
for maximum homogeneity. JASA 53, 789–798.</p>
"""

MSS_DE = """
<p><b>Wozu?</b> Das Verfahren des Berliner „Monitoring Soziale Stadtentwicklung" (MSS): ein
<b>Status-Index</b> beschreibt die soziale Lage heute, ein <b>Dynamik-Index</b> ihre Veränderung in zwei Jahren.
Zusammen zeigen sie, wo sich Benachteiligung verfestigt oder verschärft.</p>
<p><b>So wird gerechnet</b> (MSS, Indikatorenheft 2021, Kap. 4): je Indikator z = (x − Mittelwert) / SD über die
bewerteten Quartiere (ungewichteter Mittelwert, Standardabweichung der Gesamtheit); die z-Werte der
Status-Indikatoren (bzw. Dynamik-Indikatoren) werden addiert und die Summe erneut standardisiert. Dynamik-Indikatoren
sind Veränderungen in Prozentpunkten; sie können aus zwei Feldern (aktuell, zwei Jahre früher) berechnet werden.
Quartiere unter der Mindesteinwohnerzahl (Standard 300) werden nicht bewertet.</p>
<p><b>Klassen</b> – Status: 1 „hoch" z &lt; −1; 2 „mittel" −1 ≤ z ≤ 1; 3 „niedrig" 1 &lt; z ≤ 1,5; 4 „sehr niedrig"
z &gt; 1,5. Dynamik: 1 „positiv" z &lt; −1; 2 „stabil" −1 ≤ z ≤ 1; 3 „negativ" z &gt; 1. Der Gesamtindex kombiniert
beide (z. B. „Status niedrig, Dynamik negativ"); <code>aufmerksamkeit</code> markiert Gebiete mit besonderem
Aufmerksamkeitsbedarf.</p>
<p><b>Karte</b>: die zwölf Gruppen des Gesamtindex (Code <code>gesamt_code</code>, z. B. „3-"), wie in den Karten
des MSS: der Status bestimmt den Farbton (hoch blau, mittel beige, niedrig orange, sehr niedrig purpurrot), die
Dynamik die Tiefe (positiv hell, stabil mittel, negativ dunkel). Ohne Dynamik-Indikatoren nach Status-Klasse.</p>
<p>Literatur: Senatsverwaltung für Stadtentwicklung und Wohnen Berlin (2021): Monitoring Soziale
Stadtentwicklung 2021, Indikatorenheft.</p>
"""

MSS_EN = """
<p><b>What for?</b> The method of Berlin's social monitoring (MSS): a <b>status index</b> describes today's social
situation, a <b>dynamic index</b> its change over two years. Together they show where disadvantage persists or
deepens.</p>
<p><b>How it is computed</b> (MSS Indikatorenheft 2021, ch. 4): per indicator z = (x − mean) / SD over the rated
districts (unweighted mean, population SD); the z-values of the status (resp. dynamic) indicators are summed and
the sum is standardised again. Dynamic indicators are changes in percentage points; they can be computed from two
fields (current, two years earlier). Districts below the minimum population (default 300) are not rated.</p>
<p><b>Classes</b> – status: 1 "high" z &lt; −1; 2 "medium" −1 ≤ z ≤ 1; 3 "low" 1 &lt; z ≤ 1.5; 4 "very low"
z &gt; 1.5. Dynamics: 1 "positive" z &lt; −1; 2 "stable" −1 ≤ z ≤ 1; 3 "negative" z &gt; 1. The overall index
combines both (e.g. "status low, dynamics negative"); <code>aufmerksamkeit</code> flags areas needing particular
attention.</p>
<p><b>Map</b>: the twelve groups of the overall index (code <code>gesamt_code</code>, e.g. "3-"), as in the MSS
maps: the status sets the hue (high blue, medium beige, low orange, very low purple-red), the dynamics the depth
(positive light, stable medium, negative dark). Without dynamic indicators by status class.</p>
<p>Reference: Senate Department for Urban Development and Housing Berlin (2021): Monitoring Soziale
Stadtentwicklung 2021, Indikatorenheft.</p>
"""

RATES_DE = """
<p><b>Wozu?</b> Aus Fallzahlen (z. B. Personen in SGB II) und Bezugsgrößen (z. B. Einwohner unter 65) werden
Quoten in Prozent: Quote = 100 · Fälle / Bezugsgröße.</p>
<p><b>Kleine Quartiere</b>: Ist die Bezugsgröße kleiner als der Mindestwert (Standard 300), ist die Quote
zufallsanfällig; das Quartier wird als „nicht bewertet" markiert, die Rohquote bleibt in <code>…_roh</code>.</p>
<p><b>Statistische Geheimhaltung</b>: Liegt die Fallzahl über 0, aber unter der Mindestfallzahl (Standard 3), wird
für das Quartier gar keine Quote ausgegeben (auch keine Roh- oder geglättete Quote): ein oder zwei Fälle ließen
sich Personen zuordnen. Die Stadtquote rechnet sie mit.</p>
<p><b>Empirische Bayes-Glättung</b> (optional, „global EB" nach Marshall 1991): kleine Quartiere werden zur
Stadtquote m hin gezogen, große kaum: EB = m + C·(r − m) mit C = s² / (s² + m/n); s² ist die echte Streuung der
Quoten zwischen den Quartieren (geschätzt als gewichtete Varianz minus m/n̄). Ergebnis in <code>…_eb</code>.</p>
<p><b>Karte</b>: die erste Quote in fünf Klassen mit möglichst gleich vielen Quartieren, höhere Quote dunkler;
nicht bewertete Quartiere grau.</p>
<p>Literatur: Marshall, R. J. (1991): Mapping disease and mortality rates using empirical Bayes estimators.
Applied Statistics 40(2), 283–294.</p>
"""

RATES_EN = """
<p><b>What for?</b> Turns counts (e.g. people on welfare) and denominators (e.g. residents under 65) into rates in
percent: rate = 100 · count / denominator.</p>
<p><b>Small districts</b>: where the denominator is below the minimum (default 300) the rate is noisy; the
district is marked "not rated", the raw rate stays in <code>…_roh</code>.</p>
<p><b>Statistical confidentiality</b>: where the count is above 0 but below the minimum case number (default 3),
no rate of the district is given at all (neither raw nor smoothed): one or two cases could be traced to persons.
The city rate still counts them.</p>
<p><b>Empirical Bayes smoothing</b> (optional, global EB after Marshall 1991): small districts are pulled towards
the city rate m, large ones hardly: EB = m + C·(r − m) with C = s² / (s² + m/n); s² is the true between-district
variance of the rates (weighted variance minus m/n̄). Result in <code>…_eb</code>.</p>
<p><b>Map</b>: the first rate in five classes of near equal counts, higher rate darker; districts not rated
grey.</p>
<p>Reference: Marshall, R. J. (1991): Mapping disease and mortality rates using empirical Bayes estimators.
Applied Statistics 40(2), 283–294.</p>
"""

DIAGNOSTICS_DE = """
<p><b>Wozu?</b> Prüft, ob ein Sozialindex auf sicheren Füßen steht, bevor er in den Rat geht.</p>
<ul>
<li>Je Indikator: Anzahl, fehlende Werte, Mittelwert, Standardabweichung, Spannweite, Schiefe, Ausreißer
(|z| &gt; 3).</li>
<li>Korrelationen: ein Hinweis je Gruppe fast gleicher Indikatoren (r &gt; 0,9: was sie gemeinsam messen, zählt
doppelt; Schwelle wie in der JRC-Software COINr) und je Indikator, der gegen die anderen läuft (r &lt; −0,1 nach
Berücksichtigung der Richtung: Richtung prüfen).</li>
<li>Cronbachs Alpha: misst, ob die Indikatoren ein gemeinsames Merkmal messen (ab 0,7, Nunnally 1978). Ein hohes
Alpha neben fast gleichen Indikatoren ist kein Widerspruch: Alpha ist hoch, weil sie eng zusammenhängen.</li>
<li>Hauptkomponentenanalyse: erklärte Varianz und Ladungen; daraus vorgeschlagene Gewichte.</li>
<li><b>Robustheit</b>: der Index wird unter anderen vertretbaren Entscheidungen neu berechnet (andere
Normierungen, gleiche statt PCA-Gewichte, zufällig veränderte Gewichte, jeweils ein Indikator weggelassen). Je
Quartier: mittlerer Rang, Rangspanne (5–95 %) und wie oft es in der Klasse mit dem höchsten Bedarf landet. Ein
Quartier, das fast immer oben landet, ist ein sicherer Kandidat; eines mit großer Spanne hängt an der
Methodenwahl.</li>
</ul>
<p>Ergebnis: eine Tabelle je Quartier und eine barrierearme HTML-Zusammenfassung. Mit „Lesbare Indikatornamen“
(„q_alo=Arbeitslosenquote; …“) und „Quartiersname“ zeigt sie Namen statt Feldnamen und Kennungen. Die Karte färbt die Quartiere nach dem
Urteil <code>robust</code>: robust (Rangspanne bis 10 % der bewerteten Quartiere) hell, mäßig robust (bis 25 %)
mittel, unsicher dunkel – dort hängt die Einstufung an der Methodenwahl.</p>
<p>Literatur: OECD/JRC (2008): Handbook on Constructing Composite Indicators, Kap. 1.7 (Unsicherheits- und
Sensitivitätsanalyse). Saisana, M., Saltelli, A., Tarantola, S. (2005), JRSS A 168(2), 307–323.</p>
"""

DIAGNOSTICS_EN = """
<p><b>What for?</b> Checks whether a social index stands on firm ground before it goes to the council.</p>
<ul>
<li>Per indicator: count, missing values, mean, SD, range, skewness, outliers (|z| &gt; 3).</li>
<li>Correlations: one hint per group of near-identical indicators (r &gt; 0.9: what they share counts twice;
threshold as in the JRC's COINr software) and per indicator pulling against the others (r &lt; −0.1 after the
direction: check the direction).</li>
<li>Cronbach's alpha: whether the indicators measure one common trait (0.7 or more, Nunnally 1978). A high alpha
next to near-identical indicators is no contradiction: alpha is high because they correlate.</li>
<li>Principal component analysis: explained variance and loadings, and weights suggested from them.</li>
<li><b>Robustness</b>: the index is recomputed under other reasonable choices (other normalisations, equal instead
of PCA weights, randomly perturbed weights, leaving one indicator out). Per district: median rank, rank interval
(5–95 %) and how often it lands in the top-need class. A district almost always on top is a safe candidate; one
with a wide interval depends on the method.</li>
</ul>
<p>Result: a table per district and an accessible HTML summary. With "Readable indicator names"
("q_alo=Unemployment rate; …") and "Quarter name field" it shows names instead of field names and IDs. The map colours the districts by the verdict
<code>robust</code>: robust (rank interval up to 10 % of the rated districts) light, moderately robust (up to 25 %)
medium, uncertain dark – there the rating depends on the choice of method.</p>
<p>References: OECD/JRC (2008): Handbook on Constructing Composite Indicators, ch. 1.7 (uncertainty and
sensitivity analysis). Saisana, M., Saltelli, A., Tarantola, S. (2005), JRSS A 168(2), 307–323.</p>
"""


def index_help():
    return de_en(INDEX_DE, INDEX_EN)


def mss_help():
    return de_en(MSS_DE, MSS_EN)


def rates_help():
    return de_en(RATES_DE, RATES_EN)


def diagnostics_help():
    return de_en(DIAGNOSTICS_DE, DIAGNOSTICS_EN)
