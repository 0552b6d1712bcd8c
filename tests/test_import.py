"""Staff imports, the change log and "as of" views — on the files and on a real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from territoires.cli import app
from territoires.dataset import load_dataset
from territoires.registry import importer
from territoires.registry.database import SqlStore
from territoires.registry.figures import readings
from territoires.registry.storage import FileStore, open_store

STAFF = (
    "type;nom;niveau;commune;département;citation\n"
    "rtes_member;Ville de Foissiat;commune;Foissiat;01;Délibération du conseil municipal\n"
    "ptce_pole;Pôle de la Bresse;commune;Saint-Martin;01;Lancement du pôle\n"
    "ptce_pole;Pôle sans département;commune;Saint-Martin;;Ligne ambiguë\n"
)


def staff_file(tmp_path, text=STAFF, encoding="latin-1", name="adherents.csv"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def state_of(base):
    """What must not change when nothing is written: the registry's files, or the database's tables."""
    store = open_store(base)
    files = {p.name: p.read_bytes() for p in (base / "registry").glob("*") if p.is_file()}
    return files, store.load().actors.to_csv(), len(store.changelog())


def test_store_is_the_one_the_settings_name(app_dir, backend):
    store = open_store(app_dir)
    assert isinstance(store, SqlStore if backend == "postgresql" else FileStore)


def test_a_bad_row_blocks_the_whole_import(app_dir, backend, tmp_path):
    before = state_of(app_dir)
    store = open_store(app_dir)
    plan = importer.plan(store, staff_file(tmp_path), base=app_dir)
    rep = plan.report
    assert [a["name"] for a in rep.added] == ["Ville de Foissiat", "Pôle de la Bresse"]
    (rej,) = rep.rejected
    assert rej["row"] == 4
    assert "ambigu" in rej["reason"] and "01003" in rej["reason"] and "2A004" in rej["reason"]
    assert not importer.apply(store, plan).written
    assert state_of(app_dir) == before
    r = CliRunner().invoke(app, ["data", "import", str(staff_file(tmp_path)), "--data-dir", str(app_dir)])
    assert r.exit_code == 1
    assert "rien n'a été écrit" in r.output
    assert state_of(app_dir) == before


def test_import_valid_rows_then_map_stats_changelog_and_as_of(app_dir, backend, tmp_path):
    r = CliRunner().invoke(
        app, ["data", "import", str(staff_file(tmp_path)), "--only-valid", "--data-dir", str(app_dir)]
    )
    assert r.exit_code == 0, r.output
    ds = load_dataset(app_dir)
    placed = ds.placed.set_index("id")
    member = placed[placed["name"] == "Ville de Foissiat"].iloc[0]
    pole = placed[placed["name"] == "Pôle de la Bresse"].iloc[0]
    assert (member["code"], member["kind"], member["dep"], member["reg_2012"]) == ("01007", "rtes_member", "01", "82")
    assert (pole["code"], pole["kind"]) == ("01003", "ptce_pole")  # Saint-Martin in Ain, not in Corsica
    assert "Pôle sans département" not in set(placed["name"])
    # On the map…
    from territoires.state import MapState
    from territoires.webmap.compose import build_map
    from territoires.webmap.geometry import GeometryCache

    html = build_map(GeometryCache(ds), MapState()).get_root().render()
    assert "Ville de Foissiat" in html and "Pôle de la Bresse" in html
    # …in the statistics…
    from territoires import stats

    terr = stats.territories(ds.levels, "region_2012")
    assert stats.density_table(ds.placed, terr, "ptce_pole").set_index("code").at["82", "count"] >= 2
    # …in the change log, with when, what and from where…
    log = ds.changelog
    assert set(log["name"]) >= {"Ville de Foissiat", "Pôle de la Bresse"}
    assert set(log["origin"]) == {"cli"} and set(log["file"]) == {"adherents.csv"}
    today = dt.date.today().isoformat()
    news = CliRunner().invoke(app, ["data", "changes", "--since", today, "--data-dir", str(app_dir)])
    assert "Pôle de la Bresse" in news.output and "adherents.csv" in news.output
    # …and not in the registry as it was yesterday.
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    old = load_dataset(app_dir, as_of=yesterday)
    assert "Pôle de la Bresse" not in set(old.placed["name"])
    assert len(old.placed) == len(ds.placed) - 2
    # The previous version is kept.
    store = open_store(app_dir)
    if isinstance(store, SqlStore):
        assert store.version_count() == 1
    else:
        assert len(list((app_dir / "registry" / "history").glob("actors-*.csv"))) == 1
    r = CliRunner().invoke(app, ["data", "check", "--data-dir", str(app_dir)])
    assert r.exit_code == 0, r.output


def test_a_change_is_recorded_and_undone_as_of_before(app_dir, backend, tmp_path):
    f = staff_file(
        tmp_path,
        "id,kind,name,level,code,figures,source_section,source_quote\n"
        'p1,ptce_pole,Pôle des Monts,commune,01003,"[{""label"": ""emplois"", ""value"": 42}]",'
        "Rapport 2013,42 emplois\n",
        encoding="utf-8-sig",
        name="maj.csv",
    )
    r = CliRunner().invoke(app, ["data", "import", str(f), "--data-dir", str(app_dir)])
    assert r.exit_code == 0, r.output
    assert "figures" in r.output
    now = load_dataset(app_dir).placed.set_index("id")
    assert readings(now.at["p1", "figures"]) == ["emplois : 42"]
    before = load_dataset(app_dir, as_of="2012-12-31").placed.set_index("id")
    assert pd.isna(before.at["p1", "figures"])


def test_an_old_staff_file_is_read_and_the_report_says_how(app_dir, backend, tmp_path):
    """Former columns (« emplois », « membres ») become labelled figures, in the files or the database."""
    f = staff_file(
        tmp_path,
        "id;type;nom;niveau;code;emplois;membres;citation\np1;ptce_pole;Pôle des Monts;commune;01003;42;15;Rapport\n",
        encoding="utf-8",
        name="ancien.csv",
    )
    r = CliRunner().invoke(app, ["data", "import", str(f), "--data-dir", str(app_dir)])
    assert r.exit_code == 0, r.output
    assert "Colonnes anciennes jobs, members lues comme chiffres (colonne figures)" in r.output
    assert "ligne 2 (p1) : emplois : 42 emplois ; membres : 15 membres" in r.output
    actors = open_store(app_dir).load().actors.set_index("id")
    assert readings(actors.at["p1", "figures"]) == ["emplois : 42 emplois", "membres : 15 membres"]


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_encodings_and_separators_are_detected(app_dir, tmp_path, sep, encoding):
    text = STAFF.replace(";", sep)
    df = importer.read_table(staff_file(tmp_path, text, encoding))
    assert list(df.columns)[:2] == ["type", "nom"]
    assert df.iloc[0, 1] == "Ville de Foissiat"
    assert df.iloc[1, 1] == "Pôle de la Bresse"


def test_utf16_with_bom_is_read(app_dir, tmp_path):
    df = importer.read_table(staff_file(tmp_path, STAFF.replace(";", "\t"), "utf-16"))
    assert list(df.columns) == ["type", "nom", "niveau", "commune", "département", "citation"]
    assert df.iloc[1, 1] == "Pôle de la Bresse"
    assert df.iloc[2, 5] == "Ligne ambiguë"


def test_cp1252_with_semicolons_is_read(app_dir, tmp_path):
    # Œ, ’, € and « » exist in Windows-1252 but not in Latin-1: read as Latin-1 they would be control characters.
    text = "type;nom;niveau;code;citation\nptce_pole;Cœur d’Ain;commune;01003;« 1 000 € par an »\n"
    raw = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    df = importer.read_table(staff_file(tmp_path, text, "cp1252"))
    assert list(df.columns) == ["type", "nom", "niveau", "code", "citation"]
    assert df.iloc[0].tolist() == ["ptce_pole", "Cœur d’Ain", "commune", "01003", "« 1 000 € par an »"]


def test_xlsx_import(app_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    buf = io.BytesIO()
    pd.read_csv(io.StringIO(STAFF), sep=";", dtype=str).head(2).to_excel(buf, index=False)
    f = tmp_path / "adherents.xlsx"
    f.write_bytes(buf.getvalue())
    plan = importer.plan(open_store(app_dir), f, base=app_dir)
    assert len(plan.report.added) == 2 and not plan.report.rejected


def test_dry_run_writes_nothing(app_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    before = state_of(app_dir)
    r = CliRunner().invoke(app, ["data", "import", str(staff_file(tmp_path)), "--dry-run", "--data-dir", str(app_dir)])
    assert "Simulation" in r.output
    assert state_of(app_dir) == before


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("type;nom;niveau;code\npole;X;commune;01003\n", "type inconnu"),
        ("type;nom;niveau;code\nptce_pole;X;commune;99999\n", "absent des contours"),
        ("type;nom;niveau;commune;département\nptce_pole;X;commune;Nulle-Part;01\n", "Commune inconnue"),
        ("type;nom;niveau;code;site\nptce_pole;X;commune;01003;javascript:alert(1)\n", "website"),
        ("type;nom;niveau;code;notes\nptce_pole;X;commune;01003;jean.dupont@example.org\n", "électronique"),
    ],
)
def test_rows_are_refused_with_a_reason(app_dir, tmp_path, monkeypatch, text, reason):
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    plan = importer.plan(open_store(app_dir), staff_file(tmp_path, text, "utf-8"), base=app_dir)
    (rej,) = plan.report.rejected
    assert reason in rej["reason"], rej


def test_unknown_column_and_empty_file(app_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    from territoires.errors import DataFileError

    with pytest.raises(DataFileError, match="Colonne inconnue"):
        importer.plan(open_store(app_dir), staff_file(tmp_path, "type;nom;couleur\nx;y;z\n", "utf-8"), base=app_dir)
    with pytest.raises(DataFileError, match="vide"):
        importer.plan(open_store(app_dir), staff_file(tmp_path, "", "utf-8"), base=app_dir)
