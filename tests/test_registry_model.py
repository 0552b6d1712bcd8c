"""The data model says what the text says: labelled figures, status, several places, several bodies, successors."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from territoires.cli import app
from territoires.errors import DataFileError
from territoires.registry import importer, legacy, storage
from territoires.registry.check import check_registry
from territoires.registry.figures import FIGURE_STATUSES, FigureError, readings
from territoires.registry.schema import COLUMNS, STATUSES

from synthetic import ROWS, row, write_registry

HEAD = "identifiant;type;nom;niveau;code;citation"


def with_rows(base, *changes: tuple[str, dict]):
    """The synthetic registry with some records changed (by id) and written."""
    rows = [dict(r) for r in ROWS]
    by_id = {r["id"]: r for r in rows}
    for rid, change in changes:
        if rid in by_id:
            by_id[rid].update(change)
        else:
            rows.append(row(id=rid, **change))
    write_registry(base, rows)
    return base


def problems(base) -> str:
    rep = check_registry(base)
    return "\n".join(rep.problems + rep.unmatched)


def test_columns_are_the_new_shape():
    assert {"figures", "status", "places"} <= set(COLUMNS)
    assert not set(legacy.LEGACY_COLUMNS) & set(COLUMNS)
    assert {k: v for k, v in STATUSES.items() if k} == FIGURE_STATUSES


def test_a_malformed_figures_cell_names_the_record_the_column_and_the_reason(store_dir):
    with_rows(store_dir, ("ptce-x", {"figures": '[{"label": "emplois", "valeur": 3}]'}))
    with pytest.raises(DataFileError) as exc:
        storage.load_registry(store_dir)
    msg = exc.value.message
    assert "'figures'" in msg and "ptce-x" in msg and "clé inconnue « valeur »" in msg and "(lignes 8)" in msg
    with_rows(store_dir, ("ptce-x", {"figures": "[{"}))
    with pytest.raises(DataFileError, match="pas du JSON valide"):
        storage.load_registry(store_dir)


def test_old_columns_in_actors_csv_are_refused_with_what_replaced_them(store_dir):
    d = write_registry(store_dir)
    text = (d / "actors.csv").read_text(encoding="utf-8").splitlines()
    text = [text[0] + ",jobs"] + [line + "," for line in text[1:]]
    (d / "actors.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    rep = check_registry(store_dir)
    assert "Colonnes anciennes jobs" in rep.problems[0] and "figures" in rep.problems[0]


@pytest.mark.parametrize("status", ["planned", "studied", ""])
def test_status_values(store_dir, status):
    with_rows(store_dir, ("ptce-x", {"status": status}))
    assert check_registry(store_dir).ok, problems(store_dir)


def test_places_and_several_represented_bodies_are_accepted(store_dir):
    with_rows(
        store_dir,
        ("ca-x", {"represents": "m-ville-gex; m-dep-01", "places": "departement:01"}),
        ("ptce-x", {"places": "region_2012:82; epci:240100001; national:FR; commune:01004"}),
    )
    assert check_registry(store_dir).ok, problems(store_dir)
    a = storage.load_registry(store_dir).actors.set_index("id")
    assert a.at["ca-x", "represents"] == "m-ville-gex; m-dep-01"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"places": "commune:01999"}, "places : commune 01999 absent(e) de data/geo"),
        ({"places": "departement:1"}, "places : code '1' invalide pour le niveau departement"),
        ({"places": "01004"}, "niveau inconnu"),
        ({"places": "point:01004"}, "niveau inconnu"),
        ({"represents": "m-ville-gex; m-inconnu"}, "represents=m-inconnu (inconnu)"),
        ({"represents": "m-ville-gex; ptce-x"}, "represents=ptce-x (pas une collectivité adhérente)"),
    ],
)
def test_places_and_represents_are_checked(store_dir, change, expected):
    with_rows(store_dir, ("ca-x", change))
    assert not check_registry(store_dir).ok
    assert expected in problems(store_dir)


def test_a_successor_may_be_an_ept_of_the_reference_table(store_dir):
    with_rows(store_dir, ("m-epci-bugey", {"successor_code": "200000099"}))
    assert check_registry(store_dir).ok, problems(store_dir)
    with_rows(store_dir, ("m-epci-bugey", {"successor_code": "200000098"}))
    assert "successeur 200000098 absent des EPCI de data/geo et des EPT du registre" in problems(store_dir)


def test_the_ept_table_is_checked(store_dir):
    d = write_registry(store_dir)
    (d / "ept.csv").write_text("siren,nom,communes\n200000099,EPT,01003;01005\n")
    assert "ept" in check_registry(store_dir).problems[0]
    (d / "ept.csv").write_text("siren,nom,communes\n200000099,EPT,01003 99999\n")
    assert "ept.csv : EPT (200000099) : communes 99999 absentes" in problems(store_dir)


def test_legacy_values_become_labelled_figures():
    figs = legacy.to_figures({"jobs": "332", "capital_eur": "5 500 000", "members": "", "surface_m2": "1,5"})
    assert [(f.label, f.value, f.unit, f.kind) for f in figs] == [
        ("emplois", 332, "emplois", "exact"),
        ("capital", 5_500_000, "€", "exact"),
        ("surface", 1.5, "m²", "exact"),
    ]
    (f,) = legacy.to_figures({"figure_label": "Réponses", "figure_value": "20", "figure_approx": "true"})
    assert (f.label, f.value, f.kind) == ("Réponses", 20, "approx")
    with pytest.raises(FigureError, match="colonne jobs : nombre attendu"):
        legacy.to_figures({"jobs": "beaucoup"})
    # Figures of other labels are kept; one of the same label is replaced.
    cell = legacy.merged('[{"label": "emplois", "value": 1}, {"label": "salariés", "value": 2}]', figs[:1])
    assert readings(cell) == ["salariés : 2", "emplois : 332 emplois"]


@pytest.fixture
def files(app_dir, monkeypatch):
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    return app_dir


def plan_of(base, text: str):
    return importer.plan(storage.open_store(base), "f.csv", data=text.encode("utf-8"), base=base)


def test_an_import_reads_old_columns_as_figures_and_says_so(files):
    p = plan_of(
        files,
        HEAD + ";emplois;membres;figure_label;figure_value;figure_approx\n"
        "p1;ptce_pole;Pôle des Monts;commune;01003;Rapport;42;une quinzaine;;;\n"
        "rf-y;regional_figure;Réponses;national;FR;Rapport;;;Réponses;20;oui\n",
    )
    assert [r["reason"] for r in p.report.rejected] == [
        "colonnes anciennes (jobs, members) : colonne members : nombre attendu, pas « une quinzaine »"
    ]
    p = plan_of(
        files,
        HEAD + ";emplois;membres;figure_label;figure_value;figure_approx\n"
        "p1;ptce_pole;Pôle des Monts;commune;01003;Rapport;42;15;;;\n"
        "rf-y;regional_figure;Réponses;national;FR;Rapport;;;Réponses;20;oui\n",
    )
    assert not p.report.rejected
    text = "\n".join(p.report.lines())
    assert "Colonnes anciennes jobs, members, figure_label, figure_value, figure_approx lues comme chiffres" in text
    assert "ligne 2 (p1) : emplois : 42 emplois ; membres : 15 membres" in text
    assert "ligne 3 (rf-y) : Réponses : environ 20" in text
    importer.apply(storage.open_store(files), p)
    a = storage.load_registry(files).actors.set_index("id")
    assert readings(a.at["p1", "figures"]) == ["emplois : 42 emplois", "membres : 15 membres"]
    assert json.loads(a.at["rf-y", "figures"]) == [{"label": "Réponses", "value": 20, "kind": "approx"}]


def test_an_import_refuses_a_malformed_figures_cell_with_row_column_and_reason(files):
    p = plan_of(
        files,
        HEAD + ";chiffres;statut;lieux\n"
        'p1;ptce_pole;Pôle des Monts;commune;01003;Rapport;"[{""label"": ""x"", ""kind"": ""environ"", ""value"": 1}]"'
        ";;\n"
        'p2;ptce_pole;Pôle du Sud;commune;66001;Rapport;"[{""label"": ""emplois"", ""value"": 3}]"'
        ";planned;departement:01\n"
        "p3;ptce_pole;Pôle 3;commune;01003;Rapport;;fini;\n"
        "p4;ptce_pole;Pôle 4;commune;01003;Rapport;;;commune:01999\n",
    )
    rejected = {r["row"]: r["reason"] for r in p.report.rejected}
    assert set(rejected) == {2, 4, 5}
    assert "colonne figures" in rejected[2] and "p1 : chiffre 1 : nature (kind" in rejected[2]
    assert "valeur non prévue" in rejected[2]
    assert "colonne status" in rejected[4]
    assert "places : commune 01999 absent(e)" in rejected[5]
    (changed,) = p.report.changed
    assert changed["id"] == "p2" and {"figures", "status", "places"} <= set(changed["fields"])


def test_data_check_passes_on_the_new_shape(files):
    r = CliRunner().invoke(app, ["data", "check", "--data-dir", str(files)])
    assert r.exit_code == 0, r.output


@pytest.mark.skipif(not os.environ.get("TERRITOIRES_TEST_DATABASE_URL"), reason="pas de serveur PostgreSQL")
def test_a_database_of_the_old_shape_is_migrated_on_start(app_dir, backend):
    import sqlalchemy as sa

    from territoires.registry.database import SqlStore

    if backend != "postgresql":
        pytest.skip("PostgreSQL seulement")
    url = os.environ["TERRITOIRES_TEST_DATABASE_URL"]
    SqlStore(url, app_dir)  # seeded in the new shape, then taken back to the old one, as a 2012 database was
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for col in ("figures", "status", "places"):
            conn.execute(sa.text(f'ALTER TABLE actors DROP COLUMN "{col}"'))
        for col in legacy.LEGACY_COLUMNS:
            conn.execute(sa.text(f'ALTER TABLE actors ADD COLUMN "{col}" TEXT'))
        conn.execute(sa.text("UPDATE actors SET jobs = '250', members = '15' WHERE id = 'p1'"))
        conn.execute(sa.text("UPDATE actors SET figure_label = 'Réponses', figure_value = '150' WHERE id = 'rf-x'"))
        conn.execute(sa.text("UPDATE actors SET figure_approx = 'true' WHERE id = 'rf-x'"))
        before = conn.execute(sa.text("SELECT version FROM registry_meta")).scalar()
    store = SqlStore(url, app_dir)
    a = store.load().actors.set_index("id")
    assert readings(a.at["p1", "figures"]) == ["emplois : 250 emplois", "membres : 15 membres"]
    assert readings(a.at["rf-x", "figures"]) == ["Réponses : environ 150"]
    with engine.connect() as conn:
        cols = {c["name"] for c in sa.inspect(conn).get_columns("actors")}
        assert {"figures", "status", "places"} <= cols and not cols & set(legacy.LEGACY_COLUMNS)
        assert conn.execute(sa.text("SELECT version FROM registry_meta")).scalar() == before + 1
        kept = conn.execute(sa.text("SELECT actors_csv FROM registry_versions ORDER BY id DESC")).scalar()
    assert "jobs" in kept.splitlines()[0]  # the old shape kept as the previous version
    SqlStore(url, app_dir)  # a second start: nothing left to migrate, nothing changed
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version FROM registry_meta")).scalar() == before + 1
    engine.dispose()


@pytest.mark.skipif(not os.environ.get("TERRITOIRES_TEST_DATABASE_URL"), reason="pas de serveur PostgreSQL")
def test_a_bad_legacy_value_stops_the_migration_and_changes_nothing(app_dir, backend):
    import sqlalchemy as sa

    from territoires.registry.database import SqlStore

    if backend != "postgresql":
        pytest.skip("PostgreSQL seulement")
    url = os.environ["TERRITOIRES_TEST_DATABASE_URL"]
    SqlStore(url, app_dir)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text('ALTER TABLE actors DROP COLUMN "figures"'))
        conn.execute(sa.text('ALTER TABLE actors ADD COLUMN "jobs" TEXT'))
        conn.execute(sa.text("UPDATE actors SET jobs = 'beaucoup' WHERE id = 'p1'"))
    with pytest.raises(DataFileError, match="p1 : colonne jobs : nombre attendu"):
        SqlStore(url, app_dir)
    with engine.connect() as conn:
        cols = {c["name"] for c in sa.inspect(conn).get_columns("actors")}
    assert "jobs" in cols and "figures" not in cols  # rolled back: one transaction
    engine.dispose()
