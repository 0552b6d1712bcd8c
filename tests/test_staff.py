"""Staff accounts: Argon2 hashes, passwords never echoed nor stored, failed sign-ins throttled."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from territoires import staff
from territoires.cli import app
from territoires.errors import TerritoiresError

PASSWORD = "une phrase de passe assez longue"


@pytest.fixture
def accounts_file(tmp_path, monkeypatch):
    path = tmp_path / "staff" / "comptes.json"
    monkeypatch.setenv("TERRITOIRES_STAFF_FILE", str(path))
    return path


def test_add_keeps_an_argon2id_hash_only(accounts_file):
    assert not staff.configured()
    assert staff.add("Alice", PASSWORD) == "alice"
    text = accounts_file.read_text(encoding="utf-8")
    assert "$argon2id$" in text and PASSWORD not in text
    assert accounts_file.stat().st_mode & 0o777 == 0o600
    assert staff.configured()
    assert staff.authenticate("ALICE", PASSWORD).ok


@pytest.mark.parametrize(("name", "password"), [("a", PASSWORD), ("al ice", PASSWORD), ("alice", "court")])
def test_bad_names_and_short_passwords_are_refused_in_french(accounts_file, name, password):
    with pytest.raises(TerritoiresError, match=r"invalide|trop court"):
        staff.add(name, password)
    assert not accounts_file.exists()


def test_wrong_passwords_are_refused_then_throttled(accounts_file):
    staff.add("alice", PASSWORD)
    t = 1_000_000.0
    for i in range(staff.FREE_FAILURES):
        result = staff.authenticate("alice", "pas le bon", now=t + i)
        assert not result.ok and "incorrect" in result.reason
    # Throttled: even the right password waits, and is not checked.
    held = staff.authenticate("alice", PASSWORD, now=t + staff.FREE_FAILURES)
    assert not held.ok and "Trop d'essais" in held.reason and held.wait_s > 0
    # Each further failure doubles the wait.
    later = t + staff.FREE_FAILURES + held.wait_s + 1
    again = staff.authenticate("alice", "toujours pas", now=later)
    assert not again.ok and again.wait_s == 2 * staff.BASE_WAIT_S
    assert staff.authenticate("alice", PASSWORD, now=later + again.wait_s + 1).ok
    # A success resets the count.
    assert staff.authenticate("alice", "faux", now=later + 100).wait_s == 0


def test_an_unknown_name_looks_like_a_wrong_password(accounts_file):
    staff.add("alice", PASSWORD)
    assert staff.authenticate("mallory", PASSWORD).reason == staff.authenticate("alice", "faux").reason


def test_cli_add_list_check_remove(accounts_file):
    runner = CliRunner()
    r = runner.invoke(app, ["staff", "add", "bob", "--password-stdin"], input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert PASSWORD not in r.output and "bob" in r.output
    r = runner.invoke(app, ["staff", "list"])
    assert "bob" in r.output and "argon2" not in r.output
    r = runner.invoke(app, ["staff", "check", "bob", "--password-stdin"], input="faux\n")
    assert r.exit_code == 1 and "incorrect" in r.output
    r = runner.invoke(app, ["staff", "check", "bob", "--password-stdin"], input=PASSWORD + "\n")
    assert r.exit_code == 0
    r = runner.invoke(app, ["staff", "add", "bob"], input="court\ncourt\n")
    assert r.exit_code == 1 and "trop court" in r.output and "Traceback" not in r.output
    assert "court" not in r.output.split("Mot de passe")[0]
    r = runner.invoke(app, ["staff", "remove", "bob"])
    assert r.exit_code == 0 and not staff.configured()


def test_a_damaged_accounts_file_is_said_in_french(accounts_file):
    accounts_file.parent.mkdir(parents=True)
    accounts_file.write_text("{pas du json", encoding="utf-8")
    r = CliRunner().invoke(app, ["staff", "list"])
    assert r.exit_code == 1 and "illisible" in r.output and "Traceback" not in r.output
    assert not staff.configured()


def test_another_client_cannot_lock_a_colleague_out(accounts_file):
    staff.add("karim", PASSWORD)
    t = 2_000_000.0
    for i in range(staff.FREE_FAILURES + 2):
        staff.authenticate("karim", "essai hostile", client="203.0.113.9", now=t + i)
    assert "Trop d'essais" in staff.authenticate("karim", PASSWORD, client="203.0.113.9", now=t + 6).reason
    assert staff.authenticate("karim", PASSWORD, client="192.0.2.1", now=t + 6).ok
    # From many addresses together, the name itself is throttled.
    for i in range(staff.NAME_FREE_FAILURES):
        staff.authenticate("karim", "essai", client=f"198.51.100.{i}", now=t + 10 + i)
    assert not staff.authenticate("karim", PASSWORD, client="192.0.2.1", now=t + 31).ok


@pytest.mark.parametrize(
    ("user", "listed", "expected"),
    [
        ({"is_logged_in": True, "email": "Alice@Exemple.fr"}, "alice@exemple.fr, bob@exemple.fr", "alice@exemple.fr"),
        ({"is_logged_in": True, "email": "mallory@exemple.fr"}, "alice@exemple.fr", None),
        ({"is_logged_in": False}, "alice@exemple.fr", None),
        ({"is_logged_in": True, "email": "alice@exemple.fr"}, "", None),  # no list: nobody writes
    ],
)
def test_openid_connect_staff_are_the_listed_addresses(monkeypatch, user, listed, expected):
    """With a provider configured, who is staff: signed in by it, and listed (the provider itself is not
    reachable here; this checks the rule applied to what st.user says)."""
    import types

    from territoires.ui import staff as staff_ui

    monkeypatch.setattr(staff_ui, "_oidc", lambda: True)
    monkeypatch.setattr(staff_ui, "st", types.SimpleNamespace(user=user))
    monkeypatch.setenv("TERRITOIRES_STAFF_EMAILS", listed)
    assert staff_ui.current() == expected
