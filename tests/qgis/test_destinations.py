"""The shared destination handling (processing/destinations.py, adapters/staging.py) on its own."""

import importlib
import os

import pytest


@pytest.fixture(scope="module")
def destinations(plugin):
    return importlib.import_module("sozialraum_plugin.sozialraum.processing.destinations")


@pytest.fixture(scope="module")
def staging(plugin):
    return importlib.import_module("sozialraum_plugin.sozialraum.adapters.staging")


def test_output_places(destinations, tmp_path):
    existing = tmp_path / "stadt.gpkg"
    existing.write_bytes(b"")
    assert destinations.output_place("memory:") == ("memory", None, None)
    assert destinations.output_place("postgres://dbname='x' table=\"a\".\"b\" (geom)")[0] == "direct"
    assert destinations.output_place("ogr:dbname='{}' table=\"t\" (geom)".format(existing)) == \
        ("table", str(existing), "t")
    assert destinations.output_place("ogr:dbname='/a/O''Neill.gpkg' table=\"x\"\"y\" (geom)") == \
        ("table", "/a/O'Neill.gpkg", 'x"y')
    assert destinations.output_place("{}|layername=q".format(existing)) == ("table", str(existing), "q")
    assert destinations.output_place(str(tmp_path / "neu.gpkg")) == ("file", str(tmp_path / "neu.gpkg"), None)


def test_database_tables_compare_by_server_database_schema_and_table(destinations):
    key = destinations.database_table
    assert key("postgres://dbname='stadt' host=localhost port=5432 table=\"sozial\".\"quartiere\" (geom)") == \
        key("dbname='stadt' host=localhost port=5432 authcfg=abc key='id' srid=25832 table=\"sozial\".\"quartiere\" "
            "(geom)")
    assert key("dbname='stadt' table=\"quartiere\" (geom)")[2] == "public"
    assert key("dbname='stadt' table=\"a\".\"quartiere\"") != key("dbname='stadt' table=\"b\".\"quartiere\"")


def test_staged_shapefile_replaces_every_part_of_the_old_one(staging, tmp_path):
    for suffix in (".shp", ".shx", ".dbf", ".prj", ".qix", ".shp.sozialraum.json"):
        (tmp_path / ("alt" + suffix)).write_text("old")
    (tmp_path / "alt.qml").write_text("the user's own style")
    (tmp_path / "altstadt.shp").write_text("another layer")
    staged = staging.StagedFile(str(tmp_path / "alt.shp"))
    assert os.path.dirname(staged.path) != str(tmp_path) and staged.path.endswith("alt.shp")
    for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        with open(staged.path[:-4] + suffix, "w") as handle:
            handle.write("new")
    assert (tmp_path / "alt.shp").read_text() == "old"  # nothing visible before the commit
    staged.commit()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["alt.cpg", "alt.dbf", "alt.prj", "alt.qml", "alt.shp", "alt.shx", "altstadt.shp"]
    assert (tmp_path / "alt.shp").read_text() == "new" and (tmp_path / "alt.qml").read_text() == "the user's own style"


def test_discarded_file_leaves_the_folder_as_it_was(staging, tmp_path):
    (tmp_path / "bericht.html").write_text("old")
    staged = staging.StagedFile(str(tmp_path / "bericht.html"))
    staging.write_text(staged.path, "half")
    staged.discard()
    assert [p.name for p in tmp_path.iterdir()] == ["bericht.html"] and (tmp_path / "bericht.html").read_text() == "old"


@pytest.mark.parametrize("folder, words", [("fehlt/x.gpkg", "existiert nicht|does not exist"),
                                           ("/proc/x.gpkg", "nicht geschrieben|Cannot write")])
def test_folder_problems_are_clear(staging, tmp_path, folder, words):
    import re

    errors = importlib.import_module("sozialraum_plugin.sozialraum.core.errors")
    with pytest.raises(errors.InputError) as raised:
        staging.StagedFile(folder if folder.startswith("/") else str(tmp_path / folder))
    assert re.search(words, str(raised.value))
