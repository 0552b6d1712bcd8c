"""Storyboards (« Diaporama »): the model's checks, both stores, concurrent edits, the shipped one."""

from __future__ import annotations

import json
import os
import threading

import pytest

from territoires.settings import REPO_ROOT
from territoires.state import MapState, from_query, to_query
from territoires.storyboard import (
    DEFAULT_NAME,
    FileStoryboards,
    Slide,
    SqlStoryboards,
    Storyboard,
    StoryboardError,
    dumps,
    parse,
    view_of,
)

SHIPPED = REPO_ROOT / "data" / "storyboards"


def board(*titles: str) -> Storyboard:
    return Storyboard(title="Essai", slides=[Slide(title=t, view="region=82") for t in titles or ("Une",)])


# ------------------------------------------------------------------ the model
def test_a_view_is_the_dashboards_own_link():
    state = MapState(regions=("82",), kinds=("ptce_pole",), test_only=True, presentation=True)
    view = view_of(state)
    assert "presentation" not in view  # always presented: not part of the view
    slide = Slide(title="Rhône-Alpes", view=view)
    assert slide.state == from_query({**to_query(state)})  # the same state back, in presentation
    assert slide.state.presentation
    assert slide.link.startswith("/?") and "presentation=1" in slide.link and "region=82" in slide.link
    assert Slide(title="Grenoble", fiche="commune:38185").link == "/fiche?fiche=commune:38185"


@pytest.mark.parametrize(
    ("slide", "said"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 91}, "title"),
        ({"title": "deux\nlignes"}, "une seule ligne"),
        ({"title": "Vue", "view": "regionn=82"}, "regionn"),
        ({"title": "Vue", "view": "region"}, "mal formés"),
        ({"title": "Vue", "fiche": "commune:<img>"}, "niveau:code"),
        ({"title": "Vue", "fiche": "pays:FR"}, "niveau:code"),
        ({"title": "Vue", "couleur": "rouge"}, "couleur"),
    ],
)
def test_a_bad_slide_is_refused_saying_which_field_and_value(slide, said):
    text = json.dumps({"format": 1, "title": "T", "slides": [{"title": "Bonne"}, slide]})
    with pytest.raises(StoryboardError) as err:
        parse(text, "data/storyboards/essai.json")
    msg = str(err.value)
    assert "diapositive 2" in msg and said in msg and "data/storyboards/essai.json" in msg
    assert "À faire" in msg


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{pas du json", r"JSON lisible \(ligne 1"),
        (json.dumps({"format": 2, "title": "T", "slides": [{"title": "A"}]}), "format"),
        (json.dumps({"format": 1, "title": "T", "slides": []}), r"« slides »\) : au moins 1"),
        (json.dumps({"format": 1, "slides": [{"title": "A"}]}), "champ « title » : champ obligatoire absent"),
        (json.dumps([1, 2]), "ensemble du fichier"),
        ("x" * 300_000, "trop grand"),
    ],
)
def test_a_file_that_is_not_a_storyboard_is_refused_clearly(text, said):
    with pytest.raises(StoryboardError, match=said):
        parse(text, "essai.json")


def test_the_file_reads_back_the_same_and_keeps_accents():
    sb = Storyboard(
        title="Rencontre à Lyon",
        slides=[
            Slide(title="Pôles témoins", figure="4 sur 5 — 80 %", notes="Première ligne\nseconde", view="region=82")
        ],
    )
    text = dumps(sb)
    assert "Pôles témoins" in text and text.endswith("\n")
    assert parse(text, "x") == sb


# ------------------------------------------------------------------ the stores
@pytest.fixture(params=["fichiers", "postgresql"])
def store(request, tmp_path):
    if request.param == "fichiers":
        return FileStoryboards(tmp_path / "storyboards")
    url = os.environ.get("TERRITOIRES_TEST_DATABASE_URL")
    if not url:
        pytest.skip("pas de serveur PostgreSQL (make test le démarre : scripts/start-postgres.sh)")
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text('DROP TABLE IF EXISTS "storyboards"'))
    engine.dispose()
    return SqlStoryboards(url, seed=tmp_path / "vide")


def test_round_trip_move_edit_delete(store):
    assert store.names() == []
    v1 = store.save("essai", board("Une", "Deux"), expected=None)
    sb, v = store.load("essai")
    assert v == v1 and [s.title for s in sb.slides] == ["Une", "Deux"]
    moved = sb.model_copy(update={"slides": sb.slides[::-1]})
    v2 = store.save("essai", moved, expected=v1)
    assert [s.title for s in store.load("essai")[0].slides] == ["Deux", "Une"]
    assert store.names() == ["essai"]
    store.delete("essai", expected=v2)
    assert store.names() == []
    with pytest.raises(StoryboardError, match="Pas de diaporama") as err:
        store.load("essai")
    assert "/" not in str(err.value).split("À faire")[0]  # a name from a link: no server path said back


def test_a_stale_save_is_refused_and_the_other_edit_kept(store):
    v1 = store.save("essai", board("Une"), expected=None)
    store.save("essai", board("Une", "Ajout de Paul"), expected=v1)
    with pytest.raises(StoryboardError, match="modifié par quelqu'un d'autre"):
        store.save("essai", board("Une", "Ajout de Marie"), expected=v1)
    with pytest.raises(StoryboardError, match="modifié par quelqu'un d'autre"):
        store.save("essai", board("Nouveau"), expected=None)  # « new » over an existing one
    with pytest.raises(StoryboardError):
        store.delete("essai", expected=v1)
    assert [s.title for s in store.load("essai")[0].slides] == ["Une", "Ajout de Paul"]


def test_two_staff_saving_at_once_one_wins_nothing_is_mixed(store):
    v1 = store.save("essai", board("Une"), expected=None)
    results: list[str] = []

    def edit(who: str) -> None:
        try:
            store.save("essai", board("Une", who), expected=v1)
            results.append(who)
        except StoryboardError:
            results.append("refusé")

    threads = [threading.Thread(target=edit, args=(f"Équipe {i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r != "refusé"]
    assert len(winners) == 1, results
    assert [s.title for s in store.load("essai")[0].slides] == ["Une", winners[0]]


def test_bad_names_never_reach_a_path_or_a_query(store):
    for name in ("../secret", "Rencontre", "a b", "", "x" * 70, "é"):
        with pytest.raises(StoryboardError, match="Nom de diaporama invalide"):
            store.save(name, board(), expected=None)


def test_a_corrupt_file_is_reported_and_left_as_it_was(tmp_path):
    files = FileStoryboards(tmp_path)
    (tmp_path / "casse.json").write_text('{"format": 1, "title": "T", "slides": [{"titre": "A"}]}', encoding="utf-8")
    before = (tmp_path / "casse.json").read_bytes()
    with pytest.raises(StoryboardError) as err:
        files.load("casse")
    assert "casse.json" in str(err.value) and "titre" in str(err.value)
    assert (tmp_path / "casse.json").read_bytes() == before
    assert files.names() == ["casse"]


def test_the_database_is_seeded_from_the_shipped_files(tmp_path):
    url = os.environ.get("TERRITOIRES_TEST_DATABASE_URL")
    if not url:
        pytest.skip("pas de serveur PostgreSQL")
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text('DROP TABLE IF EXISTS "storyboards"'))
    engine.dispose()
    db = SqlStoryboards(url, seed=SHIPPED)
    assert DEFAULT_NAME in db.names()
    assert db.load(DEFAULT_NAME)[0] == FileStoryboards(SHIPPED).load(DEFAULT_NAME)[0]
    SqlStoryboards(url, seed=SHIPPED)  # a second server: no second copy, no error
    assert db.names().count(DEFAULT_NAME) == 1


# ------------------------------------------------------------------ the shipped storyboard
def test_the_shipped_storyboard_loads_and_tells_the_talk():
    sb, _ = FileStoryboards(SHIPPED).load(DEFAULT_NAME)
    assert len(sb.slides) >= 5
    views = [s.state for s in sb.slides if not s.fiche]
    assert any(st.regions == ("82",) and st.test_only and st.kinds == ("ptce_pole",) for st in views)
    assert any(st.statistic == "per_million" and st.stat_kind == "rtes_member" for st in views)
    assert any(s.fiche for s in sb.slides)
    assert any(st.links and st.regions == ("31",) for st in views)  # the cooperation links, where they are
    assert all(s.figure and s.notes for s in sb.slides)


@pytest.mark.realdata
def test_the_shipped_key_figures_are_the_datas(real_store):
    """The key figures of the shipped storyboard are computed again from the registry and the store."""
    from territoires import stats
    from territoires.dataset import load_dataset

    ds = load_dataset()
    sb, _ = FileStoryboards(SHIPPED).load(DEFAULT_NAME)
    figures = {s.title: s.figure for s in sb.slides}
    members = ds.placed[ds.placed["kind"] == "rtes_member"]
    new = int((members["new_member"].astype(str).str.lower() == "true").sum())
    # The newsletter's list « Adhérents au 31 août 2012 » includes the new members it welcomes.
    assert figures["Le réseau au 31 août 2012"] == (
        f"{len(members)} collectivités adhérentes au 31 août 2012, dont {new} nouvelles"
    )
    notes = next(s.notes for s in sb.slides if s.title == "Le réseau au 31 août 2012")
    assert "neuf" in notes and new == 9
    terr = stats.territories(ds.levels, "region_2012")
    poles = stats.density_table(ds.placed, terr, "ptce_pole").set_index("code")
    total = int(poles["count"].sum())
    ra = poles.loc["82"]
    expected = f"{int(ra['count'])} des {total} pôles PTCE en Rhône-Alpes ({ra['share']:.0%})".replace("%", " %")
    assert figures["Les pôles témoins PTCE en Rhône-Alpes"].startswith(expected)
    assert (
        f"quotient de localisation {ra['location_quotient']:.1f}".replace(".", ",")
        in figures["Les pôles témoins PTCE en Rhône-Alpes"]
    )
    dens = stats.density_table(ds.placed, terr, "rtes_member").sort_values("per_million", ascending=False)
    first, npdc = dens.iloc[0], dens.set_index("code").loc["31"]
    said = figures["Adhérents par million d'habitants"]
    # Two decimals, as the map's legend classes: « 2,99 » there and here, not « 3,0 ».
    assert said.startswith(f"{first['nom']} en tête : {first['per_million']:.2f}".replace(".", ","))  # the highest
    assert f"Nord-Pas-de-Calais : {npdc['per_million']:.2f} ({int(npdc['count'])} adhérents)".replace(".", ",") in said
    from territoires import coopstats

    coop = coopstats.report(ds.relations, ds.levels, "region_2012").table.set_index("code")
    npdc_links = int(coop.loc["31", "relations"])
    assert coop.iloc[:-1]["relations"].idxmax() == "31"  # the région with the most cooperations
    said = figures["Qui coopère avec qui : le Nord-Pas-de-Calais"]
    assert said.startswith(f"{npdc_links} des {len(ds.relations)} coopérations citées par la lettre")
    from territoires.fiche import fiche
    from territoires.state import parse_fiche_key

    profile = next(s for s in sb.slides if s.fiche)
    f = fiche(ds, *parse_fiche_key(profile.fiche))
    assert f.member is not None  # a member territory
    named = {a["name"]: a["kind"] for a in f.actors_in}
    assert named.get("Culture et Coopération") == "ptce_pole"
    assert {"Le Fil", "Le France", "Le Mixeur"} <= set(named)
    assert all(name in profile.figure for name in named)  # every actor of the territory is named


def test_data_check_reads_each_storyboard_and_fails_on_a_bad_one(app_dir, monkeypatch):
    from typer.testing import CliRunner

    from territoires.cli import app

    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    FileStoryboards(app_dir / "storyboards").save("essai", board("Une", "Deux"), expected=None)
    r = CliRunner().invoke(app, ["data", "check", "--data-dir", str(app_dir)])
    assert r.exit_code == 0, r.output
    assert "Diaporama « essai » : 2 vues" in r.output
    (app_dir / "storyboards" / "casse.json").write_text('{"format": 1, "title": "T", "slides": [{}]}', encoding="utf-8")
    r = CliRunner().invoke(app, ["data", "check", "--data-dir", str(app_dir)])
    assert r.exit_code == 1
    assert "casse.json" in r.output and "diapositive 1, champ « title » : champ obligatoire absent" in r.output
