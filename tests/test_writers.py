"""Two staff writing at once lose nothing, a kill leaves the registry and its log agreeing, a stale preview is refused.

On the files and on a real PostgreSQL (the ``backend`` fixture). "CLI" is the real command in its own
process; "form" is what the Données page does (a preview first, the import of that preview later).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from territoires.registry import importer
from territoires.registry.files import ACTORS_FILE, CHANGELOG_FILE, COMMIT_MARK, JOURNAL_DIR
from territoires.registry.loader import actors_text
from territoires.registry.storage import FileStore, StaleRegistryError, open_store

PAIRS = 20
CLI = [str(Path(sys.executable).parent / "territoires")]


def pole_file(tmp_path: Path, tag: str) -> Path:
    """A one-row staff file adding a pole with its own id."""
    p = tmp_path / f"{tag}.csv"
    p.write_text(
        f"identifiant;type;nom;niveau;code;citation\nptce-{tag};ptce_pole;Pôle {tag};commune;01007;Lancement {tag}\n",
        encoding="utf-8",
    )
    return p


def cli_import(path: Path, base: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.Popen(
        [*CLI, "data", "import", str(path), "--data-dir", str(base)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def form_import(
    base: Path,
    path: Path,
    results: list,
    *,
    hold: threading.Event | None = None,
    planned: threading.Event | None = None,
) -> None:
    """The Données page: a preview, (a pause while the other writer works), then the import of that
    preview; a stale preview is refused, and the user asks for a new one, as the page says."""
    store = open_store(base)
    for _ in range(10):
        plan = importer.plan(store, path, origin="formulaire", base=base, author="alice")
        if planned is not None:
            planned.set()
        if hold is not None:
            hold.wait(60)
            hold = None
        try:
            importer.apply(store, plan)
            results.append("écrit")
            return
        except StaleRegistryError:
            results.append("périmé")
    results.append("abandon")


def replayed(initial: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """The registry rebuilt from its first state and the change log alone."""
    text = actors_text(initial).set_index("id", drop=False)
    for e in log.itertuples(index=False):
        changes = json.loads(e.changes)
        if e.action == "added":
            text.loc[e.id] = pd.Series(changes)
        else:
            for field, (_old, new) in changes.items():
                text.at[e.id, field] = new
    return text.sort_index()


def assert_log_matches(base: Path, initial: pd.DataFrame) -> None:
    store = open_store(base)
    now = actors_text(store.load().actors).set_index("id", drop=False).sort_index()
    again = replayed(initial, store.changelog())
    pd.testing.assert_frame_equal(again[now.columns].fillna(""), now.fillna(""), check_dtype=False)


def test_cli_and_cli_at_once_lose_nothing(app_dir, backend, tmp_path):
    initial = open_store(app_dir).load().actors
    for i in range(PAIRS):
        a, b = cli_import(pole_file(tmp_path, f"a{i}"), app_dir), cli_import(pole_file(tmp_path, f"b{i}"), app_dir)
        for proc in (a, b):
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, out + err
            assert "Traceback" not in err
    ids = set(open_store(app_dir).load().actors["id"])
    assert {f"ptce-{s}{i}" for s in "ab" for i in range(PAIRS)} <= ids
    log = open_store(app_dir).changelog()
    assert len(log) == 2 * PAIRS and set(log["action"]) == {"added"}
    assert_log_matches(app_dir, initial)


def test_cli_and_form_at_once_lose_nothing(app_dir, backend, tmp_path):
    initial = open_store(app_dir).load().actors
    for i in range(PAIRS):
        results: list[str] = []
        # Every other pair, the form's preview is made before the command writes and imported after:
        # the stale preview must be refused, then a new one written. The others simply race.
        hold = threading.Event() if i % 2 == 0 else None
        planned = threading.Event()
        form = threading.Thread(
            target=form_import,
            args=(app_dir, pole_file(tmp_path, f"f{i}"), results),
            kwargs={"hold": hold, "planned": planned},
        )
        form.start()
        if hold is not None:
            planned.wait(60)
        cli = cli_import(pole_file(tmp_path, f"c{i}"), app_dir)
        out, err = cli.communicate(timeout=120)
        if hold is not None:
            hold.set()
        form.join(120)
        assert cli.returncode == 0, out + err
        assert results[-1] == "écrit", results
        if hold is not None:
            assert results[0] == "périmé", results
    ids = set(open_store(app_dir).load().actors["id"])
    assert {f"ptce-{s}{i}" for s in "fc" for i in range(PAIRS)} <= ids
    log = open_store(app_dir).changelog()
    assert len(log) == 2 * PAIRS
    assert set(log.loc[log["origin"] == "formulaire", "author"]) == {"alice"}
    assert all(a.startswith("cli:") for a in log.loc[log["origin"] == "cli", "author"])
    assert_log_matches(app_dir, initial)


def test_a_stale_preview_is_refused_and_writes_nothing(app_dir, backend, tmp_path):
    store = open_store(app_dir)
    seen = importer.plan(store, pole_file(tmp_path, "vu"), base=app_dir)
    importer.apply(store, importer.plan(store, pole_file(tmp_path, "autre"), base=app_dir))
    before = (actors_text(store.load().actors), len(store.changelog()))
    with pytest.raises(StaleRegistryError, match="modifié par quelqu'un d'autre"):
        importer.apply(store, seen)
    after = (actors_text(store.load().actors), len(store.changelog()))
    pd.testing.assert_frame_equal(before[0], after[0])
    assert before[1] == after[1]


def test_a_kill_after_the_commit_mark_is_finished_at_the_next_read(app_dir, tmp_path, monkeypatch):
    """Simulate a kill between the commit mark and the moves: the journal holds the new state."""
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    store = FileStore(app_dir)
    plan = importer.plan(store, pole_file(tmp_path, "tue"), base=app_dir)
    monkeypatch.setattr(FileStore, "_recover", lambda self: [])  # the process dies before moving the files
    store.write(plan.actors, plan.entries)
    monkeypatch.undo()
    journal = app_dir / "registry" / JOURNAL_DIR
    assert (journal / COMMIT_MARK).exists() and (journal / ACTORS_FILE).exists()
    assert "ptce-tue" not in set(pd.read_csv(app_dir / "registry" / ACTORS_FILE, dtype=str)["id"])
    reg = FileStore(app_dir).load()  # the next start
    assert "ptce-tue" in set(reg.actors["id"])
    assert set(FileStore(app_dir).changelog()["id"]) == {"ptce-tue"}
    assert not journal.exists() and not list((app_dir / "registry").glob(".*.tmp"))


def test_a_kill_before_the_commit_mark_leaves_the_old_registry(app_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    reg_dir = app_dir / "registry"
    before = {p.name: p.read_bytes() for p in reg_dir.iterdir() if p.is_file()}
    journal = reg_dir / JOURNAL_DIR
    journal.mkdir()
    (journal / ACTORS_FILE).write_text("moitié d'un fichier", encoding="utf-8")
    (reg_dir / f".{CHANGELOG_FILE}.abc.tmp").write_text("reste", encoding="utf-8")
    FileStore(app_dir).load()
    assert not journal.exists() and not list(reg_dir.glob(".*.tmp"))
    assert {p.name: p.read_bytes() for p in reg_dir.iterdir() if p.is_file()} == before


def test_a_registry_that_cannot_be_written_gives_a_french_error_and_stays(app_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("TERRITOIRES_DATABASE_URL", raising=False)
    store = FileStore(app_dir)
    plan = importer.plan(store, pole_file(tmp_path, "ro"), base=app_dir)
    reg_dir = app_dir / "registry"
    before = {p.name: p.read_bytes() for p in reg_dir.iterdir() if p.is_file()}

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission non accordée", str(reg_dir / JOURNAL_DIR))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(Exception, match="Impossible d'écrire le registre") as info:
        importer.apply(store, plan)
    assert "droits d'écriture" in str(info.value)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in reg_dir.iterdir() if p.is_file()} == before
