"""The toolbox help: one document per algorithm and language, shown well in the dialog and in qgis_process, and
explaining every field an algorithm writes (found by running each algorithm on the bundled demo town)."""

import html
import importlib
import os
import re
import subprocess
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsVectorLayer

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "musterstadt.gpkg"
INDICATORS = ["q_sgb2_2024", "q_alo_2024", "q_kinder_sgb2_2024", "q_alleinerz_2024", "q_grusi_2024"]


def layer(name):
    return "{}|layername={}".format(DEMO, name)


@pytest.fixture(scope="module")
def helps(plugin):
    return importlib.import_module("sozialraum_plugin.sozialraum.processing.help")


@pytest.fixture(scope="module")
def algorithms(plugin):
    provider = QgsApplication.processingRegistry().providerById("sozialraum")
    return {algorithm.name(): algorithm for algorithm in provider.algorithms()}


@pytest.fixture(scope="module")
def written(plugin, tmp_path_factory):
    """``{(algorithm, output): [fields]}``: the fields each algorithm writes beyond those of its input layer."""
    import processing

    folder = tmp_path_factory.mktemp("help")
    quarters = layer("quartiere")
    runs = [
        ("districtindex", {"INPUT": quarters, "ID_FIELD": "quartier_id", "INDICATORS": INDICATORS,
                           "POPULATION_FIELD": "ew_gesamt"}, ("OUTPUT",), quarters),
        ("statusdynamicindex", {"INPUT": quarters, "ID_FIELD": "quartier_id", "STATUS_INDICATORS": INDICATORS,
                                "DYNAMIC_PAIRS": [f for n in INDICATORS for f in (n, n.replace("_2024", "_2022"))],
                                "POPULATION_FIELD": "ew_gesamt"}, ("OUTPUT",), quarters),
        ("indexdiagnostics", {"INPUT": quarters, "ID_FIELD": "quartier_id", "INDICATORS": INDICATORS,
                              "POPULATION_FIELD": "ew_gesamt", "N_RANDOM": 20,
                              "OUTPUT_HTML": str(folder / "pruefung.html")}, ("OUTPUT",), quarters),
        ("indicatorrates", {"INPUT": quarters, "ID_FIELD": "quartier_id",
                            "RATES": ["sgb2_2024", "ew_gesamt", "quote_sgb2"]}, ("OUTPUT",), quarters),
        ("servicecoverage", {"DISTRICTS": quarters, "ID_FIELD": "quartier_id", "TARGET_POPULATION_FIELD": "ew_u6",
                             "SERVICES": layer("kitas"), "CAPACITY_FIELD": "plaetze", "DEMAND": layer("adressen"),
                             "DEMAND_FIELD": "ew_u6", "DISTANCE": "300, 1000", "NETWORK": layer("wege"),
                             "METHOD": "2sfca", "NORM": 0.6}, ("OUTPUT", "OUTPUT_DEMAND"),
         {"OUTPUT": quarters, "OUTPUT_DEMAND": layer("adressen")}),
        ("catchments", {"SERVICES": layer("kitas"), "NAME_FIELD": "name", "DISTANCE": "300, 500",
                        "NETWORK": layer("wege"), "DEMAND": layer("adressen"), "DEMAND_FIELD": "ew_u6"},
         ("OUTPUT",), layer("kitas")),
        ("checknetwork", {"NETWORK": layer("wege")}, ("OUTPUT", "OUTPUT_PROBLEMS"), layer("wege")),
    ]
    found = {}
    results = {}
    for name, parameters, outputs, source in runs:
        parameters = dict(parameters, **{key: str(folder / "{}_{}.gpkg".format(name, key.lower()))
                                        for key in outputs})
        results[name] = processing.run("sozialraum:" + name, parameters)
        for key in outputs:
            copied = source[key] if isinstance(source, dict) else source
            inputs = set(QgsVectorLayer(copied, "in", "ogr").fields().names())
            fields = QgsVectorLayer(results[name][key], "out", "ogr").fields().names()
            found[(name, key)] = [f for f in fields if f not in inputs and f != "fid"]
    index = results["districtindex"]["OUTPUT"]
    chained = [
        ("needcoverage", {"NEED": index, "NEED_ID_FIELD": "quartier_id", "NEED_FIELD": "index_class",
                          "NEED_MODE": "classes", "N_NEED_CLASSES": 5, "COVERAGE": results["servicecoverage"]["OUTPUT"],
                          "COVERAGE_ID_FIELD": "quartier_id", "COVERAGE_FIELD": "versorgung_klasse",
                          "COVERAGE_MODE": "classes"}, ("OUTPUT",)),
        ("allocation", {"INPUT": index, "ID_FIELD": "quartier_id", "POPULATION_FIELD": "ew_u15",
                        "NEED_FIELD": "index_class", "METHOD": "tiers", "FACTORS": "1, 1.2, 1.5, 2, 3",
                        "BUDGET": 1000.0}, ("OUTPUT", "OUTPUT_TABLE")),
        ("hotspots", {"INPUT": index, "ID_FIELD": "quartier_id", "FIELD": "index_value", "PERMUTATIONS": 99,
                      "POPULATION_FIELD": "ew_gesamt", "INDICATORS": INDICATORS}, ("OUTPUT", "OUTPUT_AREAS")),
    ]
    inputs = set(QgsVectorLayer(index, "in", "ogr").fields().names())
    for name, parameters, outputs in chained:
        parameters = dict(parameters, **{key: str(folder / "{}_{}.gpkg".format(name, key.lower()))
                                        for key in outputs})
        result = processing.run("sozialraum:" + name, parameters)
        for key in outputs:
            fields = QgsVectorLayer(result[key], "out", "ogr").fields().names()
            found[(name, key)] = [f for f in fields if f not in inputs and f != "fid"]
    return found


def generic(field):
    """The way the help writes a family of fields: an indicator's name as "…", a distance as "<m>", the name of a
    rate given by the user as "<name>"."""
    field = re.sub(r"^quote_sgb2", "<name>", field)
    for indicator in sorted(INDICATORS + ["index_value"], key=len, reverse=True):
        field = field.replace(indicator, "…")
    return re.sub(r"(?<=_)\d+$", "<m>", field)


def test_every_field_an_algorithm_writes_is_explained_in_its_help(written, helps):
    missing = []
    for (name, output), fields in written.items():
        for lang in ("de", "en"):
            text = html.unescape(helps.help_html(name, lang))
            for field in fields:
                if "<code>{}</code>".format(field) not in text and "<code>{}</code>".format(generic(field)) not in text:
                    missing.append("{} {} ({}): {}".format(name, output, lang, field))
    assert not missing, "\n".join(missing)
    assert len(written) == 14 and all(written.values()), sorted(written)  # every layer output of the provider


def test_the_dialog_gets_the_help_on_one_line_and_lists_keep_their_numbers(algorithms, helps):
    for name, algorithm in algorithms.items():
        text = algorithm.shortHelpString()
        assert text and "\n" not in text, name  # QGIS makes a paragraph of every line break
        assert not text.startswith("<h1>"), name  # the dialog shows the title itself
    assert "<ol>" in helps.help_html("districtindex", "de") and "<li>" in helps.help_html("districtindex", "de")


def test_every_algorithm_has_a_help_page_description_and_tags_in_both_languages(algorithms, helps):
    for name, algorithm in algorithms.items():
        for lang in ("de", "en"):
            path = helps.help_file(name, lang)
            assert path.endswith("{}.{}.html".format(name, lang)) and os.path.exists(path)
            document = Path(path).read_text(encoding="utf-8")
            assert '<html lang="{}">'.format(lang) in document and "<title>" in document
            assert helps.short_description(name, lang).endswith(".") and len(helps.help_tags(name, lang)) >= 3
        assert algorithm.helpUrl().startswith("file://") and algorithm.helpUrl().endswith(".html")
        assert algorithm.shortDescription() and algorithm.tags()


def test_plain_text_help_numbers_lists_and_has_no_tags(helps):
    text = helps.help_text("districtindex", "de")
    assert not re.search(r"</?(p|ol|ul|li|b|i|code)>", text) and "&lt;" not in text and "&amp;" not in text
    assert re.search(r"^1\. Nur bewertete Quartiere", text, re.MULTILINE)
    assert re.search(r"^2\. Richtung", text, re.MULTILINE)
    assert "b₍c−1₎ < x ≤ b_c" in text  # entities decoded


def test_qgis_process_prints_the_help_as_plain_text(plugin, tmp_path):
    from test_qgis_process import qgis_process_command

    plugins = tmp_path / "config" / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    (plugins / "sozialraum").symlink_to(ROOT, target_is_directory=True)
    ini = tmp_path / "config" / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nsozialraum=true\n", encoding="utf-8")
    env = dict(os.environ, QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "config"), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([qgis_process_command(), "help", "sozialraum:districtindex"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "<p>" not in done.stdout and "<li>" not in done.stdout and "<code>" not in done.stdout
    assert re.search(r"^1\. ", done.stdout, re.MULTILINE)
