"""The command line on hostile data and bad output paths: plain text, French errors, no traceback."""

from __future__ import annotations

import csv
import errno
import io
import os
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from territoires import cli, export
from territoires.cli import app
from territoires.cli.common import FIELD_LIMIT, err, field, out, plain
from territoires.registry.files import CHANGELOG_COLUMNS, registry_dir

from synthetic import app_rows, row, write_registry

runner = CliRunner()

# Markup that would crash Rich or forge a link, and bytes that would drive the terminal.
HOSTILE = [
    "[/x]",
    "[bold red]",
    "[link=file:///etc/passwd]x[/link]",
    "\x1b]0;pwned\x07",
    "\x1b[31m",
    "\x1b[2J",
    "\u202e",
    "\x00",
    "\x9b31m",  # CSI in one C1 byte
    "Café :coffee:",
    "fin\\",
]
MARKUP = [h for h in HOSTILE if h.startswith("[")]


def assert_inert(output: str) -> None:
    """Nothing in ``output`` drives the terminal, and nothing crashed."""
    assert "Traceback" not in output
    for byte in ("\x1b", "\x07", "\x00", "\x9b", "\u202e"):
        assert byte not in output, repr(output[:500])


def assert_fails_in_french(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Erreur :" in result.output
    for w in words:
        assert w in result.output, result.output
    assert_inert(result.output)


# ------------------------------------------------------------------ the helpers
@pytest.mark.parametrize("value", HOSTILE)
def test_plain_prints_data_as_written_with_controls_made_visible(value):
    console = Console(file=io.StringIO(), emoji=False, highlight=False, width=200)
    console.print(f"[bold]avant[/] {plain(value)} [dim]après[/]")
    shown = console.file.getvalue()
    assert_inert(shown)
    if value in MARKUP:  # markup is shown, not applied
        assert value in shown
    assert shown.startswith("avant ") and shown.endswith(" après\n")


def test_plain_keeps_lines_field_keeps_one_line_and_both_cut_long_values():
    assert plain("a\nb\tc") == "a\nb\tc"
    assert field("a\nb\tc") == "a\\x0ab\\x09c"
    assert plain("\x1b[2J") == "\\x1b[2J"
    assert field("\u202eabc") == "\\u202eabc"
    long = field("N" * 1_000_000)
    assert len(long) == FIELD_LIMIT + 1 and long.endswith("…")
    assert plain(None) == field(None) == ""


def test_the_consoles_never_fail_on_markup_nor_pass_a_control_character(capsys):
    # The net under the helpers, for a string printed without them.
    for console in (out, err):
        console.print("[/x] \x1b]0;pwned\x07 \x1b[2J :coffee:")
    captured = capsys.readouterr()
    assert "[/x]" in captured.out and "[/x]" in captured.err
    assert ":coffee:" in captured.out
    assert_inert(captured.out + captured.err)


# ------------------------------------------------------------------ data changes
def write_changelog(base: Path, rows: list[list[str]]) -> None:
    with open(registry_dir(base) / "changelog.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CHANGELOG_COLUMNS)
        w.writerows([(r + [""] * len(CHANGELOG_COLUMNS))[: len(CHANGELOG_COLUMNS)] for r in rows])


def test_changes_shows_any_stored_string_as_plain_text(app_dir):
    rows = [["2024-01-01T10:00:00", h, f"id{h}", "ptce_pole", f"nom {h}", "", h, f"{h}.csv"] for h in HOSTILE]
    rows += [
        ["2024-01-02T10:00:00", "added", "grand", "ptce_pole", "N" * 1_000_000, "", "cli", "a.csv"],
        ["", "", "", "", "", "", "", ""],  # empty cells
        ["2024-01-03", "added", "x\ny", "ptce_pole", "deux\nlignes", "", "cli", "a.csv"],
    ]
    write_changelog(app_dir, rows)
    r = runner.invoke(app, ["data", "changes", "--data-dir", str(app_dir)])
    assert r.exit_code == 0, r.output
    assert_inert(r.output)
    for h in MARKUP:
        assert f"nom {h}" in r.output
    assert "nom \\x1b]0;pwned\\x07" in r.output
    assert "N" * FIELD_LIMIT + "…" in r.output and "N" * (FIELD_LIMIT + 1) not in r.output
    assert "deux\\x0alignes" in r.output  # a name cannot forge a line of the log
    assert len(r.output.splitlines()) == len(HOSTILE) + 2


@pytest.mark.parametrize("since", ["hier", "2024-13-01", "2024-02-30", "2024/01/01", "20240101", *HOSTILE[:5]])
def test_changes_refuses_a_malformed_date_in_french(app_dir, since):
    r = runner.invoke(app, ["data", "changes", "--since", since, "--data-dir", str(app_dir)])
    assert_fails_in_french(r, "Date invalide", "AAAA-MM-JJ")


def test_changes_since_a_date_filters(app_dir):
    write_changelog(app_dir, [["2024-01-01T10:00:00", "added", "a", "ptce_pole", "Ancien"], ["2024-06-01", "added"]])
    r = runner.invoke(app, ["data", "changes", "--since", "2024-03-01", "--data-dir", str(app_dir)])
    assert r.exit_code == 0, r.output
    assert "Ancien" not in r.output and "2024-06-01" in r.output


# ------------------------------------------------------------------ other commands quoting data
@pytest.mark.parametrize("name", HOSTILE)
def test_errors_quoting_a_file_name_are_plain_text(app_dir, tmp_path, name):
    missing = tmp_path / f"{name.replace('/', '_').replace(chr(0), '_')}.csv"
    r = runner.invoke(app, ["data", "import", str(missing), "--data-dir", str(app_dir)])
    assert_fails_in_french(r, "Fichier introuvable")
    if name in MARKUP:
        assert name.replace("/", "_") in r.output


@pytest.mark.parametrize("kind", HOSTILE[:7])
def test_an_unknown_kind_is_quoted_as_plain_text(app_dir, kind):
    r = runner.invoke(app, ["stats", "--kind", kind, "--data-dir", str(app_dir)])
    assert_fails_in_french(r, "Type d'acteur inconnu")
    if kind in MARKUP:
        assert kind in r.output


@pytest.mark.parametrize("hostile_headers", [True, False], ids=["en-têtes", "noms"])
def test_import_of_a_file_with_hostile_headers_or_names(app_dir, tmp_path, hostile_headers):
    columns = ["type", "nom", "niveau", "commune", "département", "citation"]
    columns += [*MARKUP, "\x1b]0;pwned\x07"] if hostile_headers else []
    rows = [
        ["ptce_pole", f"Pôle {h}", "commune", "Foissiat", "01", "Lancement du pôle"] for h in HOSTILE if h != "\x00"
    ]
    f = tmp_path / "[bold red]\x1b[31m.csv"
    with open(f, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows([columns, *(r + [""] * (len(columns) - 6) for r in rows)])
    r = runner.invoke(app, ["data", "import", str(f), "--dry-run", "--data-dir", str(app_dir)])
    assert r.exit_code in (0, 1), r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert_inert(r.output)
    assert "[bold red]\\x1b[31m.csv" in r.output  # the file's name, as it is
    if not hostile_headers:  # the report names each new actor, as written
        for h in MARKUP:
            assert f"Pôle {h}" in r.output, r.output


def test_check_reports_hostile_names_as_plain_text(store_dir):
    rows = [*app_rows(), row(id="hostile", kind="rtes_member", name="[/x]\x1b[2J", level="commune", code="99999")]
    write_registry(store_dir, rows)
    r = runner.invoke(app, ["data", "check", "--data-dir", str(store_dir)])
    assert r.exit_code == 1, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert_inert(r.output)


# ------------------------------------------------------------------ writing to a bad path
def bad_outputs(tmp_path: Path) -> list[tuple[Path, str]]:
    """Paths that cannot be written, even by root, and the reason the error gives."""
    tmp_path.mkdir()
    a_file = tmp_path / "somefile.txt"
    a_file.write_text("contenu")
    fifo = tmp_path / "tube"
    os.mkfifo(fifo)
    cases = [
        (tmp_path, "c'est un dossier"),
        (a_file / "out.html", "pas un dossier"),
        (fifo, "pas un fichier ordinaire"),
    ]
    if Path("/proc/version").exists():
        cases.append((Path("/proc/version"), "Impossible d'écrire"))
    return cases


@pytest.mark.parametrize(
    "command",
    [["export", "html"], ["export", "png"], ["stats", "--format", "csv"], ["data", "export"]],
    ids=["html", "png", "stats", "data-export"],
)
def test_writing_to_a_bad_path_fails_in_french_and_changes_nothing(app_dir, tmp_path, command):
    for output, why in bad_outputs(tmp_path / command[-1]):
        mine = output.parent.is_dir() and output.is_relative_to(tmp_path)  # not /proc, which changes by itself
        before = sorted(p.name for p in output.parent.iterdir()) if mine else None
        r = runner.invoke(app, [*command, "-o", str(output), "--data-dir", str(app_dir)])
        assert_fails_in_french(r, "Impossible d'écrire le fichier", why)
        if before is not None:  # no temporary file left behind
            assert sorted(p.name for p in output.parent.iterdir()) == before
    assert (tmp_path / command[-1] / "somefile.txt").read_text() == "contenu"


@pytest.fixture
def tmp_subdir(tmp_path):
    d = tmp_path / "sortie"
    d.mkdir()
    yield d
    d.chmod(0o755)


@pytest.mark.skipif(os.geteuid() == 0, reason="root écrit partout : les droits ne l'arrêtent pas")
def test_a_read_only_file_or_folder_is_left_as_it_was(app_dir, tmp_subdir):
    target = tmp_subdir / "carte.html"
    target.write_text("ancienne carte")
    target.chmod(0o444)  # a read-only file: the atomic rename must not replace it
    r = runner.invoke(app, ["export", "html", "-o", str(target), "--data-dir", str(app_dir)])
    assert_fails_in_french(r, "permission refusée")
    target.chmod(0o644)
    tmp_subdir.chmod(0o555)  # a read-only folder
    r = runner.invoke(app, ["export", "html", "-o", str(target), "--data-dir", str(app_dir)])
    assert_fails_in_french(r, "permission refusée")
    assert target.read_text() == "ancienne carte"
    assert [p.name for p in tmp_subdir.iterdir()] == ["carte.html"]


@pytest.mark.parametrize(
    ("code", "why"),
    [
        (errno.EACCES, "permission refusée"),
        (errno.EROFS, "système de fichiers en lecture seule"),
        (errno.EPERM, "immuable"),
        (errno.ENOSPC, "disque plein"),
        (errno.EIO, "erreur du système"),
    ],
)
def test_each_cause_of_a_refused_write_is_said_in_french(app_dir, tmp_path, monkeypatch, code, why):
    # Simulated at the write: as root, chmod or a read-only mount may not stop it here.
    def refused(path, _data):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(export, "write_bytes_atomic", refused)
    target = tmp_path / "stats.csv"
    target.write_text("ancien")
    r = runner.invoke(app, ["stats", "-o", str(target), "--data-dir", str(app_dir)])
    assert_fails_in_french(r, "Impossible d'écrire le fichier", why, str(target))
    assert target.read_text() == "ancien"


def test_an_export_to_a_good_path_replaces_the_file(app_dir, tmp_path):
    target = tmp_path / "stats.csv"
    target.write_text("ancien")
    r = runner.invoke(app, ["stats", "-o", str(target), "--data-dir", str(app_dir)])
    assert r.exit_code == 0, r.output
    assert target.read_text() != "ancien"


def test_html_export_of_an_actor_named_like_a_cdn(store_dir, tmp_path):
    # The check against external resources looks at tags, not at the names in the data.
    extra = row(id="cdn", kind="ptce_pole", name="cdn.exemple [/x]", level="commune", code="01003", precision="commune")
    write_registry(store_dir, [*app_rows(), extra])
    r = runner.invoke(
        app, ["export", "html", "-o", str(tmp_path / "c.html"), "--data-dir", str(store_dir), "--kind", "ptce_pole"]
    )
    assert r.exit_code == 0, r.output
    assert "cdn.exemple" in (tmp_path / "c.html").read_text()


# ------------------------------------------------------------------ the entry point's nets
def run_main(monkeypatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["territoires", *args])
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # Typer installs its own
    with pytest.raises(SystemExit) as exc:
        cli.main()
    return exc.value.code


def test_an_unexpected_os_error_is_said_in_french(monkeypatch, capsys, app_dir):
    from territoires.registry import check

    def refused(*_a, **_k):
        raise PermissionError(13, "Permission denied", "/x/[/x]\x1b[2J")

    monkeypatch.setattr(check, "check_registry", refused)
    assert run_main(monkeypatch, "data", "check", "--data-dir", str(app_dir)) == 1
    captured = capsys.readouterr()
    assert "fichier inaccessible" in captured.err and "[/x]" in captured.err
    assert_inert(captured.out + captured.err)
