"""Toolbox help of ``sozialraum:report`` (German first, English when QGIS runs in English)."""

from .base import de_en

REPORT_DE = """
<p><b>Wozu?</b> Macht aus einem Ergebnis von <i>Sozialindex</i> oder <i>Status-/Dynamik-Index</i> einen Bericht, den
man weitergeben kann – für Ausschuss, Verwaltung und Öffentlichkeit. Alles läuft offline.</p>
<p><b>Ausgaben</b> (jede kann weggelassen werden):</p>
<ul>
<li><b>HTML</b>: eine einzige Datei, die ohne Internet in jedem Browser öffnet (Karten und Diagramme als SVG
eingebettet). Teile: Zusammenfassung mit Kennzahlen, Karte der Klassen und den Quartieren mit dem größten Bedarf;
Methode – geschrieben aus den Einstellungen, mit denen der Index berechnet wurde (Indikatoren und Richtung,
Gewichte, Normierung, Zusammenfassung, Klassengrenzen, Mindesteinwohnerzahl, Datenstand); sortierbare Rangliste;
ein Steckbrief je Quartier (Lagekarte, Indikatoren gegenüber dem Mittel als Balken, Rang, Klasse, Dynamik,
Versorgung, ein Satz in einfacher Sprache); Anhang mit Datenquellen und den nicht bewerteten Quartieren und dem
Grund.</li>
<li><b>PDF</b> aus dem QGIS-Drucklayout <code>resources/templates/sozialbericht.qpt</code>: Übersichtsseiten und je
Quartier eine Seite mit Karte, Legende, Maßstab, Nordpfeil, Indikatorentabelle, Diagramm, Seitenzahl und Datum.
Die Karten zeichnet QGIS mit den Klassenfarben des Plugins; es wird keine Web-Hintergrundkarte geladen.
Beschriftungen bleiben 2 mm innerhalb des Kartenrahmens und weichen allem aus, was über der Karte liegt (Legende,
Maßstab, Nordpfeil) – auch in eigenen Layoutvorlagen.</li>
<li><b>Reihenfolge der Steckbriefe</b> (HTML und PDF gleich): <i>nach Rang</i> (Voreinstellung) – das Quartier
mit dem größten Bedarf zuerst, bei gleichem Rang nach Name; danach die nicht bewerteten Quartiere und die, deren
Werte geheim bleiben, nach Kennung. <i>Nach Kennung</i> oder <i>nach Name</i> ordnet alle Quartiere
(Ä wie A, ß wie ss; Q2 vor Q10).</li>
<li><b>Tabelle</b> (XLSX oder CSV): eine Zeile je Quartier mit Rang, Klasse, Indikatorwerten und Abweichungen.</li>
</ul>
<p><b>Abweichung vom Mittel</b> je Indikator: d = s · (x − Mittelwert) / Standardabweichung über die bewerteten
Quartiere, s = −1 bei umgekehrten Indikatoren; d &gt; 0 heißt ungünstiger als im Mittel (orange Balken).</p>
<p><b>Eigene Vorlagen</b>: Den Ordner <code>resources/templates/bericht</code> kopieren und anpassen, dann als
<i>Vorlagenordner</i> wählen. <code>bericht.html</code> ist die Hauptvorlage (Jinja2; alle Werte werden
automatisch maskiert); sie darf nur Dateien aus ihrem eigenen Ordner einbinden und läuft in einer Sandbox.
Variablen: <code>report</code> (title, organisation, summary, figures, top, method.paragraphs, indicators,
classes, ranking, quarters (nach Kennung), profiles (in der gewählten Reihenfolge), not_rated, sources …;
je Quartier name, id, rank, klass_text, value_text, facts,
sentence, indicators, locator_svg, bars_svg), <code>defs_svg</code>, <code>overview_svg</code>, <code>logo</code>,
sowie <code>t("deutsch", "english")</code> und der Filter <code>num</code>. Eine unbekannte Variable führt zu einer
Meldung mit Datei, Zeile und Namen. Liegt im Ordner eine Datei <code>sozialbericht.qpt</code>, wird sie für das PDF
verwendet. Im Layout-Designer: alle Seiten außer der letzten bilden die Übersicht, die letzte Seite ist der
Steckbrief, der für jedes Quartier wiederholt wird. Texte kommen aus Variablen (<code>@sr_title</code>,
<code>@sr_summary</code>, <code>@sr_method</code> …) und Feldern der Ebene <code>sozialraum_quartiere</code>.</p>
<p><b>In Skripten</b>: <code>LANGUAGE=en</code> für einen englischen Bericht; <code>PROFILE_ORDER=id</code> (oder
<code>name</code>, Voreinstellung <code>rank</code>) für die Reihenfolge der Steckbriefe; lesbare Indikatornamen mit
<code>INDICATOR_LABELS='q_alo_2024=Arbeitslosenquote (%); q_sgb2_2024=SGB-II-Quote (%)'</code>.</p>
"""

REPORT_EN = """
<p><b>What for?</b> Turns a result of the <i>social index</i> or the <i>status/dynamic index</i> into a report to
hand on – to the council, the administration and the public. Everything runs offline.</p>
<p><b>Outputs</b> (each may be left out):</p>
<ul>
<li><b>HTML</b>: one file that opens in any browser without internet (maps and charts embedded as SVG). Parts:
summary with key figures, a map of the classes and the quarters with the greatest need; the method, written from
the settings that produced the index (indicators and direction, weights, normalisation, aggregation, class breaks,
minimum population, data date); a sortable ranking; one profile per quarter (locator map, indicators against the
average as bars, rank, class, dynamics, coverage, a plain-language sentence); an annex with the data sources and
the quarters not rated and why.</li>
<li><b>PDF</b> from the QGIS print layout <code>resources/templates/sozialbericht.qpt</code>: overview pages and
one page per quarter with map, legend, scale bar, north arrow, indicator table, chart, page number and date. QGIS
draws the maps with the plugin's class colours; no web base map is loaded. Labels stay 2 mm inside the map frame
and clear of everything drawn over the map (legend, scale bar, north arrow) – in own layout templates too.</li>
<li><b>Order of the profiles</b> (the same in HTML and PDF): <i>by rank</i> (default) – the quarter with the
greatest need first, equal ranks by name; after them the quarters not rated and those whose values stay
confidential, by ID. <i>By ID</i> or <i>by name</i> orders all quarters (Ä as A, ß as ss; Q2 before Q10).</li>
<li><b>Table</b> (XLSX or CSV): one row per quarter with rank, class, indicator values and deviations.</li>
</ul>
<p><b>Deviation from the average</b> per indicator: d = s · (x − mean) / standard deviation over the rated
quarters, s = −1 for reversed indicators; d &gt; 0 means less favourable than average (orange bar).</p>
<p><b>Own templates</b>: copy the folder <code>resources/templates/bericht</code>, change it and choose it as the
<i>template folder</i>. <code>bericht.html</code> is the main template (Jinja2; every value is escaped
automatically); it may only include files from its own folder and runs in a sandbox. Variables:
<code>report</code> (title, organisation, summary, figures, top, method.paragraphs, indicators, classes, ranking,
quarters (by ID), profiles (in the order chosen), not_rated, sources …; per quarter name, id, rank, klass_text,
value_text, facts, sentence, indicators,
locator_svg, bars_svg), <code>defs_svg</code>, <code>overview_svg</code>, <code>logo</code>, plus
<code>t("deutsch", "english")</code> and the filter <code>num</code>. An unknown variable gives a message naming the
file, the line and the name. A file <code>sozialbericht.qpt</code> in the folder is used for the PDF. In the
Layout Designer every page but the last is the overview; the last page is the profile repeated for every quarter.
Texts come from variables (<code>@sr_title</code>, <code>@sr_summary</code>, <code>@sr_method</code> …) and fields
of the layer <code>sozialraum_quartiere</code>.</p>
<p><b>In scripts</b>: <code>LANGUAGE=en</code> for an English report; <code>PROFILE_ORDER=id</code> (or
<code>name</code>, default <code>rank</code>) for the order of the profiles; readable indicator names with
<code>INDICATOR_LABELS='q_alo_2024=Unemployment rate (%); q_sgb2_2024=Welfare rate (%)'</code>.</p>
"""


def report_help():
    """The help of the report algorithm in the current language."""
    return de_en(REPORT_DE, REPORT_EN)
