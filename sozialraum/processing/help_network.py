"""Toolbox help for sozialraum:checknetwork (Wegenetz prüfen)."""

from .base import de_en

CHECK_DE = """
<p><b>Wozu?</b> Bevor Entfernungen entlang eines Wegenetzes zählen, zeigt dieses Werkzeug, wo das Netz nicht
zusammenhängt – wie es die Versorgungsanalyse und die Einzugsbereiche sehen.</p>
<p><b>So wird das Netz gebaut</b>: Linien sind überall verbunden, wo sie einen Stützpunkt teilen, auch in ihrer Mitte
(OpenStreetMap-Wege, ATKIS); Stützpunkte näher als die Knoten-Toleranz (Standard 0,1 m) gelten als ein Ort. Jede Linie
wird an ihren Knoten in Kanten geteilt.</p>
<p><b>Was geprüft wird</b></p>
<ul>
<li><b>Getrennte Teile</b> (Zusammenhangskomponenten): Wer auf einem kleinen Teil wohnt, erreicht nur, was auf diesem
Teil liegt. Mit Nachfragepunkten steht im Protokoll, welcher Anteil der Nachfrage an welchem Teil hängt (jeder Punkt
am nächsten Weg angebunden, wie in der Versorgungsanalyse).</li>
<li><b>Offene Enden</b> (Knoten, an denen nur eine Kante endet) mit dem Abstand zum nächsten anderen Weg: wenige
Zentimeter oder Meter sind meist eine Digitalisierlücke, keine Sackgasse.</li>
<li><b>Kreuzungen ohne gemeinsamen Stützpunkt</b>: zwei Wege kreuzen oder berühren sich, wo keiner einen Stützpunkt
hat. Brücken und Tunnel sehen so aus und sind richtig; auf gleicher Ebene fehlt dort ein Knoten.</li>
</ul>
<p><b>Ergebnis</b>: das Netz an seinen Knoten geteilt (Felder <code>kante</code>, <code>linie_nr</code> – die Linie
der Eingabe in Lesereihenfolge –, <code>komponente</code> – 0 = größter Teil –, <code>im_hauptnetz</code>,
<code>laenge_m</code>), optional die auffälligen Stellen als Punkte (<code>art</code>, <code>komponente</code>,
<code>abstand_m</code> bei offenen Enden). Die Eingabe bleibt unverändert. Karte: der größte Teil dünn grau,
getrennte Teile dick orange obenauf; die Stellen nach Art gefärbt.</p>
"""

CHECK_EN = """
<p><b>What for?</b> Before distances along a path network count, this tool shows where the network does not hang
together – as the coverage analysis and the catchments see it.</p>
<p><b>How the network is built</b>: lines are connected wherever they share a vertex, also in their middle
(OpenStreetMap ways, ATKIS); vertices closer than the topology tolerance (default 0.1 m) are one place. Every line is
cut at its nodes into edges.</p>
<p><b>What is checked</b></p>
<ul>
<li><b>Separate parts</b> (connected components): people living on a small part reach only what lies on that part.
With demand points the log says which share of the demand hangs on which part (each point attached to the nearest
path, as in the coverage analysis).</li>
<li><b>Dead ends</b> (nodes where a single edge ends) with the distance to the nearest other path: a few centimetres
or metres are usually a digitising gap, not a cul-de-sac.</li>
<li><b>Crossings without a shared vertex</b>: two paths cross or touch where neither has a vertex. Bridges and
tunnels look like this and are right; at ground level a node is missing there.</li>
</ul>
<p><b>Result</b>: the network split at its nodes (fields <code>kante</code>, <code>linie_nr</code> – the input line in
reading order –, <code>komponente</code> – 0 = the largest part –, <code>im_hauptnetz</code>, <code>laenge_m</code>),
optionally the places to check as points (<code>art</code>, <code>komponente</code>, <code>abstand_m</code> for dead
ends). The input is not changed. Map: the largest part thin grey, separate parts thick orange on top; the
places by kind.</p>
"""


def check_network_help():
    return de_en(CHECK_DE, CHECK_EN)
