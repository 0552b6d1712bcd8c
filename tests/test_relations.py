"""Relations (who works with whom): their schema and refusals, their import, the log and « as of »."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from typer.testing import CliRunner

from territoires.cli import app
from territoires.dataset import load_dataset
from territoires.errors import DataFileError
from territoires.registry import importer
from territoires.registry import relations as rel
from territoires.registry.changes import as_of
from territoires.registry.storage import load_registry, open_store

from synthetic import HOSTILE, RELATIONS, ROWS, relation, write_registry


def write(base, relations):
    return write_registry(base, ROWS, relations=relations)


def test_the_synthetic_relations_load_with_their_ends(store_dir):
    write_registry(store_dir)
    ds = load_dataset(store_dir)
    r = ds.relations.set_index("id")
    assert len(r) == 3  # those of RELATIONS whose two ends are in ROWS
    assert (r.at["rel-1", "from_name"], r.at["rel-1", "to_name"], r.at["rel-1", "to_level"]) == (
        "Rhône-Alpes",
        "Pôle X",
        "region_2012",
    )
    assert r.at["rel-1", "amount"] == 1_000_000 and r.at["rel-1", "amount_text"] == "1\u202f000\u202f000 €"
    assert r.at["rel-1", "directed"] and not r.at["rel-3", "directed"]  # « partenaire » goes both ways
    assert r.at["rel-3", "source_quote"] == HOSTILE  # kept as data, never interpreted
    assert rel.sentence(r.loc["rel-2"].to_dict() | {"id": "rel-2"}) == "Ain soutient Pôle X — à l'étude"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"type": "aime"}, "type"),
        ({"to_id": "m-ville-gexx"}, "candidats : m-ville-gex (Gex)"),
        ({"to_id": "m-reg-82"}, "à lui-même"),
        ({"amount": "12", "unit": "", "amount_kind": "exact"}, "sans unité"),
        ({"amount": "douze", "unit": "€", "amount_kind": "exact"}, "montant"),
        ({"amount": "12", "unit": "€", "amount_kind": ""}, "exact ou approché"),
        ({"amount": "", "amount_kind": "", "unit": "€"}, "sans montant"),
        ({"status": "peut-être"}, "status"),
        ({"year": "l'an dernier"}, "year"),
        ({"source_quote": ""}, "source_quote"),
    ],
)
def test_a_bad_relation_is_refused_naming_the_file_line_and_reason(store_dir, change, expected):
    bad = {**RELATIONS[0], **change}
    d = write(store_dir, [bad])
    with pytest.raises(DataFileError) as exc:
        load_registry(store_dir)
    msg = str(exc.value)
    assert "relations.csv" in msg and expected in msg, msg
    assert d.joinpath("relations.csv").exists()


def test_a_relation_given_twice_is_refused(store_dir):
    write(store_dir, [RELATIONS[0], {**RELATIONS[0], "id": "rel-9"}])
    with pytest.raises(DataFileError, match="déjà donnée"):
        load_registry(store_dir)


def test_a_missing_relations_file_says_what_to_do(store_dir):
    d = write(store_dir, RELATIONS[:3])
    (d / "relations.csv").unlink()
    with pytest.raises(DataFileError) as exc:
        load_registry(store_dir)
    assert "relations.csv" in str(exc.value) and "git checkout" in str(exc.value)


def test_data_check_counts_the_relations_by_type(app_dir):
    r = CliRunner().invoke(app, ["data", "check", "--data-dir", str(app_dir)])
    assert "Relations : 4 (" in r.output and "cofinance 1" in r.output, r.output


# ------------------------------------------------------------------------------------------- imports
IMPORT = (
    "de;vers;type;montant;unité;année;citation\n"
    "Gex;Pôle des Monts;finance;5000;€;2012;La ville apporte 5 000 €\n"
    "m-dep-01;PLES de Gex;partenaire;;;;Partenariat\n"
    "Gex;Pôle des Mont;soutient;;;;Ligne refusée\n"
)


def staff(tmp_path, text=IMPORT, name="relations.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def files_of(base):
    return {p.name: p.read_bytes() for p in (base / "registry").glob("*") if p.is_file()}


def test_an_unknown_end_blocks_the_import_and_lists_candidates(app_dir, backend, tmp_path):
    store = open_store(app_dir)
    before = (files_of(app_dir), store.load().relations.to_csv())
    plan = importer.plan(store, staff(tmp_path), base=app_dir)
    assert [a["name"] for a in plan.report.added] == ["Gex finance Pôle des Monts", "Ain partenaire PLES de Gex"]
    (rej,) = plan.report.rejected
    assert rej["row"] == 4 and "extrémité inconnue" in rej["reason"]
    assert "candidats : p1 (Pôle des Monts)" in rej["reason"]
    assert not importer.apply(store, plan).written
    assert (files_of(app_dir), open_store(app_dir).load().relations.to_csv()) == before
    r = CliRunner().invoke(app, ["data", "import", str(staff(tmp_path)), "--data-dir", str(app_dir)])
    assert r.exit_code == 1 and "rien n'a été écrit" in r.output


def test_a_valid_import_writes_relations_and_logs_them(app_dir, backend, tmp_path):
    text = "\n".join(IMPORT.splitlines()[:3]) + "\n"
    store = open_store(app_dir)
    n_before = len(store.load().relations)
    report = importer.apply(store, importer.plan(store, staff(tmp_path, text), base=app_dir))
    assert report.written
    reg = open_store(app_dir).load()
    assert len(reg.relations) == n_before + 2
    new = reg.relations.set_index("id").loc[[a["id"] for a in report.added]]
    assert set(new["from_id"]) == {"m-ville-gex", "m-dep-01"}
    assert new["amount"].max() == 5000 and set(new["status"]) == {"en place"}
    log = open_store(app_dir).changelog()
    assert list(log["kind"].tail(2)) == ["relation", "relation"]
    # The same file again changes nothing (each row is found by its ends, type and year).
    again = importer.plan(open_store(app_dir), staff(tmp_path, text), base=app_dir)
    assert not again.report.added and len(again.report.unchanged) == 2
    # The registry as it was before the import has not these relations.
    past = as_of(reg, log.assign(at="2999-01-01T00:00:00+00:00"), "2100-01-01")
    assert len(past.relations) == n_before


def test_an_ambiguous_name_is_refused_with_the_records_it_names(app_dir, tmp_path):
    text = "from_id,to_id,type,source_quote\nSaint-Martin,Pôle des Monts,soutient,citation\n"
    rows = [r for r in csv.DictReader((app_dir / "registry" / "actors.csv").open(encoding="utf-8"))]
    rows.append({**rows[0], "id": "m-ville-sm2", "name": "Saint-Martin", "code": "01003"})
    write_registry(app_dir, rows)
    plan = importer.plan(open_store(app_dir), staff(tmp_path, text), base=app_dir)
    (rej,) = plan.report.rejected
    assert "plusieurs enregistrements" in rej["reason"] and "m-ville-sm2" in rej["reason"]


def test_an_unknown_column_in_a_relations_file_is_refused(app_dir, tmp_path):
    text = "de;vers;type;couleur\nGex;Pôle des Monts;finance;rouge\n"
    r = CliRunner().invoke(app, ["data", "import", str(staff(tmp_path, text)), "--data-dir", str(app_dir)])
    assert r.exit_code == 1 and "couleur" in r.output


def test_relations_text_round_trips(store_dir):
    write(store_dir, RELATIONS[:3])
    reg = load_registry(store_dir)
    text = rel.relations_text(reg.relations)
    assert list(text.columns) == rel.COLUMNS
    assert text.loc[text["id"] == "rel-1", "amount"].item() == "1000000"
    assert pd.isna(reg.relations.set_index("id").at["rel-2", "amount"])


def test_relation_helper_builds_every_column():
    r = relation("rel-x", "a", "soutient", "b")
    assert list(r) == rel.COLUMNS


def test_a_database_from_before_the_relations_is_given_them(app_dir, backend):
    """A database seeded before relations.csv: its relations are seeded from the files, with the records
    they name that it lacks (logged as a migration), and the registry loads."""
    if backend != "postgresql":
        pytest.skip("une base PostgreSQL seulement")
    import sqlalchemy as sa

    store = open_store(app_dir)
    with store.engine.begin() as conn:
        conn.execute(sa.text('DROP TABLE "relations"'))
        conn.execute(sa.text("DELETE FROM actors WHERE id = 'p4'"))
    store.engine.dispose()
    again = open_store(app_dir)
    reg = again.load()
    assert len(reg.relations) == 4 and "p4" in set(reg.actors["id"])
    log = again.changelog()
    assert log[log["origin"] == "migration"]["id"].tolist() == ["p4"]
