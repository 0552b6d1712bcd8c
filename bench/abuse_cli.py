"""The command-line cases of bench/abuse.py: hostile staff files given to ``territoires data import``,
the change log printed by ``territoires data changes``, exports to impossible targets."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from abuse_env import Ctx, Run, cli, finish_cli, shown, start_cli
from abuse_files import HEADER, ROWS_10K, csv_bytes, rows, valid_codes, zip_bomb

TRACEBACK = "Traceback"
LIMIT_RE = r"limite\s*(de\s*)?4[\s\u202f]?000|4[\s\u202f]?000 caractères"


def message(run: Run) -> str:
    """What the user saw: the error (stderr), the refused rows and the counts (stdout)."""
    out = run.out.decode("utf-8", "replace").splitlines()
    keep = [ln for ln in out if ln.strip().startswith(("✗", "!"))][:2] + [ln for ln in out if "ajout(s)" in ln][:1]
    err = run.err.decode("utf-8", "replace")
    if "Erreur :" in err:  # the error itself, not the progress display before it
        err = err[err.index("Erreur :") :]
    return shown(" | ".join(p for p in [*keep[:-1], err.strip(), *keep[-1:]] if p) or "\n".join(out))


def outcome(run: Run, *, refused: bool, expect: str) -> dict:
    """The common part of a CLI case: exit code as expected, ``expect`` (a regex) said, no traceback."""
    text = run.text
    said = re.search(expect, text, re.IGNORECASE) is not None
    clean = (run.code != 0 if refused else run.code == 0) and said and TRACEBACK not in text
    return {
        "refused_cleanly": clean if refused else ("handled" if clean else False),
        "message": message(run),
        "seconds": run.seconds,
        "peak_mb": run.peak_mb,
        "exit_code": run.code,
        "checks": {"expected_message": said, "no_traceback": TRACEBACK not in text},
    }


def imp(ctx: Ctx, path: Path, *extra: str) -> Run:
    return cli(ctx.ws, "data", "import", str(path), "--data-dir", str(ctx.ws.data), *extra)


def put(ctx: Ctx, name: str, data: bytes) -> Path:
    p = ctx.ws.files / name
    p.write_bytes(data)
    return p


def actors_cells(ctx: Ctx) -> list[dict[str, str]]:
    with (ctx.ws.data / "registry" / "actors.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ----------------------------------------------------------------------------------------- cases
def concurrent(ctx: Ctx) -> dict:
    """Deux « territoires data import » en même temps (enregistrements différents) : tous écrits, rien de perdu."""
    ids = {tag: [f"ptce-abus-{tag}{i}" for i in range(5)] for tag in "ab"}
    files = {tag: put(ctx, f"{tag}.csv", csv_bytes(rows(ids[tag]))) for tag in "ab"}
    started = [
        start_cli(ctx.ws, ["data", "import", str(f), "--data-dir", str(ctx.ws.data)], t) for t, f in files.items()
    ]
    runs = [finish_cli(s) for s in started]
    present = {a["id"] for a in actors_cells(ctx)}
    wanted = {i for v in ids.values() for i in v}
    r = outcome(runs[0], refused=False, expect="Registre mis à jour")
    other = outcome(runs[1], refused=False, expect="Registre mis à jour")
    r.update(
        refused_cleanly="handled" if r["refused_cleanly"] and other["refused_cleanly"] else False,
        message=shown(
            f"{len(wanted & present)}/10 identifiants présents ; " + message(runs[0]) + " ‖ " + message(runs[1])
        ),
        seconds=max(x.seconds for x in runs),
        peak_mb=max(x.peak_mb for x in runs),
        exit_codes=[x.code for x in runs],
        expect_new_log_lines=10,
    )
    r["checks"]["all_ids_written"] = wanted <= present
    return r


def duplicate_ids(ctx: Ctx) -> dict:
    """Le même identifiant deux fois dans un fichier : refusé (code 1), rien d'écrit."""
    p = put(ctx, "doublons.csv", csv_bytes(rows(["ptce-abus-d", "ptce-abus-d"])))
    return outcome(imp(ctx, p), refused=True, expect="déjà donné ligne 2")


def huge_note(ctx: Ctx) -> dict:
    """Une note de 1 Mo dans une cellule (CLI) : refusée avec la limite, bien en moins de 10 s."""
    p = put(ctx, "note.csv", csv_bytes(rows(["ptce-abus-n"], notes="x" * 1_000_000)))
    return outcome(imp(ctx, p), refused=True, expect=LIMIT_RE)


def big_csv(ctx: Ctx) -> dict:
    """Un CSV de 4,9 Mo (≈ 1 230 lignes valides, chacune avec une note de 3 900 caractères) : traité ou refusé vite."""
    row = len(csv_bytes(rows(["ptce-abus-g0000"], notes="n" * 3900))) - len(HEADER)
    n = (4_900_000 - len(HEADER)) // row  # ≈ 1 230 rows: 4.9 MB within one row
    data = csv_bytes(rows([f"ptce-abus-g{i:04}" for i in range(n)], notes="n" * 3900))
    p = put(ctx, "gros.csv", data)
    run = imp(ctx, p)
    r = outcome(run, refused=run.code != 0, expect=r"Registre mis à jour|Erreur|refusée")
    r["file_bytes"] = len(data)
    if run.code == 0:
        r["expect_new_log_lines"] = n
    return r


def zip_bomb_cli(ctx: Ctx) -> dict:
    """Bombe XLSX (≈ 1 Mo de zip, 1 Go une fois décompressé) donnée à « data import » : refusée avant décompression."""
    bomb = zip_bomb(ctx.ws.files)
    r = outcome(imp(ctx, bomb), refused=True, expect="décompressé")
    r["file_bytes"] = bomb.stat().st_size
    if "limite 21 Mo" in r["message"]:
        r["note"] = "la limite MAX_XLSX_UNCOMPRESSED (20 Mio) est annoncée « 21 Mo » (division par 1e6)"
    return r


def lying_zip_bomb_cli(ctx: Ctx) -> dict:
    """La même bombe XLSX, ses tailles déclarées falsifiées (10 ko) : refusée sans tout décompresser."""
    bomb = zip_bomb(ctx.ws.files, lie=True)
    return outcome(imp(ctx, bomb), refused=True, expect=r"illisible|refusé|Erreur")


def rows_10k(ctx: Ctx) -> dict:
    """10 000 lignes valides (codes de communes réels) : traitées en quelques secondes."""
    codes = valid_codes(ctx.ws.data)
    ids = [f"ptce-abus-m{i:05}" for i in range(ROWS_10K)]
    p = put(ctx, "dix-mille.csv", csv_bytes(rows(ids, codes=codes)))
    r = outcome(imp(ctx, p), refused=False, expect="Registre mis à jour")
    present = {a["id"] for a in actors_cells(ctx)}
    r["checks"]["all_ids_written"] = set(ids) <= present
    r["expect_new_log_lines"] = ROWS_10K
    return r


def rows_10001(ctx: Ctx) -> dict:
    """10 001 lignes : refusé avec la limite (10 000 lignes)."""
    codes = valid_codes(ctx.ws.data)
    p = put(ctx, "dix-mille-une.csv", csv_bytes(rows([f"ptce-abus-o{i:05}" for i in range(ROWS_10K + 1)], codes=codes)))
    return outcome(imp(ctx, p), refused=True, expect=r"plus de 10[\s\u202f]?000 lignes")


def rows_100k(ctx: Ctx) -> dict:
    """100 000 lignes courtes (moins de 5 Mo) : refusé avec la limite."""
    body = "".join(f"ptce_pole;P{i};commune;01007;L\n" for i in range(100_000))
    data = ("type;nom;niveau;code;citation\n" + body).encode()
    assert len(data) < 5 * 2**20
    r = outcome(imp(ctx, put(ctx, "cent-mille.csv", data)), refused=True, expect=r"plus de 10[\s\u202f]?000 lignes")
    r["file_bytes"] = len(data)
    return r


def control_characters(ctx: Ctx) -> dict:
    """Nom avec NUL, ESC et U+202E importé (CLI) : nettoyé et signalé ; la page Données garde ses 3 téléchargements."""
    from abuse_web import donnees_still_work, ready

    ready(ctx)  # the page's time below is this import's reload only
    name = "Pôle\x00 ctl\x1b[31m rouge\u202e fin"
    run = imp(ctx, put(ctx, "controle.csv", csv_bytes(rows(["ptce-abus-c"], names=[name]))))
    r = outcome(run, refused=False, expect="caractère.s. de contrôle retiré")
    raw = (ctx.ws.data / "registry" / "actors.csv").read_text(encoding="utf-8")
    r["checks"]["no_control_in_actors"] = not any(c in raw for c in "\x00\x1b\u202e")
    page = donnees_still_work(ctx)
    r["checks"].update(page.pop("checks"))
    r["server_peak_mb"] = page.pop("peak_mb")
    r["peak_mb"] = max(r["peak_mb"], r["server_peak_mb"])
    r.update(page, expect_new_log_lines=1)
    return r


def formula(ctx: Ctx) -> dict:
    """Un nom formule =HYPERLINK("http://x","y") : enregistré tel quel, aucune cellule ne commence par = + - @."""
    name = '=HYPERLINK("http://x","y")'
    run = imp(
        ctx, put(ctx, "formule.csv", csv_bytes(rows(["ptce-abus-f"], names=[name], quote="+cité", notes="@SUM(A1)")))
    )
    r = outcome(run, refused=False, expect="Registre mis à jour")
    leading = []
    for file in ("actors.csv", "changelog.csv"):
        with (ctx.ws.data / "registry" / file).open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                leading += [f"{file}: {c[:60]}" for c in row if c[:1] in ("=", "+", "-", "@")]
    from territoires.registry.storage import open_store

    stored = open_store(ctx.ws.data).load().actors.set_index("id").at["ptce-abus-f", "name"]
    r["checks"].update(stored_as_written=stored == name, no_cell_leads_with_formula=not leading)
    r.update(leading_cells=leading[:5], expect_new_log_lines=1)
    return r


def changes_markup(ctx: Ctx) -> dict:
    """Balises Rich et séquence ANSI dans un nom importé ([/x], ESC]0;pwned BEL) : « data changes » sort 0, sans ESC."""
    name = "[/x] Pôle \x1b]0;pwned\x07 [bold]gras[/bold]"
    run = imp(ctx, put(ctx, "rich.csv", csv_bytes(rows(["ptce-abus-r"], names=[name]))))
    shown_run = cli(ctx.ws, "data", "changes", "--data-dir", str(ctx.ws.data))
    r = outcome(shown_run, refused=False, expect=re.escape("[/x]"))
    r["checks"].update(imported=run.code == 0, no_esc_byte=b"\x1b" not in shown_run.out + shown_run.err)
    r.update(message=shown(shown_run.out.decode("utf-8", "replace").splitlines()[-1]), expect_new_log_lines=1)
    return r


def changes_raw_escape(ctx: Ctx) -> dict:
    """Journal modifié à la main (ESC, BEL, CSI 8 bits, balises Rich bruts) : « data changes » sort 0, sans ESC."""
    log = ctx.ws.data / "registry" / "changelog.csv"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if not log.exists():
        w.writerow(["at", "action", "id", "kind", "name", "changes", "origin", "file", "author"])
    w.writerow(
        [
            "2026-01-01T00:00:00+00:00",
            "added\x1b[2J",
            "ptce-abus-e",
            "ptce_pole",
            "\x1b]0;pwned\x07[/x]\x9b31m\x1b[2J[link=file:///etc/passwd]lien[/link]",
            "{}",
            "cli",
            "e.csv",
            "x",
        ]
    )
    with log.open("a", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())
    run = cli(ctx.ws, "data", "changes", "--data-dir", str(ctx.ws.data))
    r = outcome(run, refused=False, expect=re.escape("[/x]"))
    r["checks"].update(no_esc_byte=b"\x1b" not in run.out + run.err, no_c1_csi="\x9b" not in run.text)
    r.update(message=shown(run.out.decode("utf-8", "replace")), expect_new_log_lines=1, bench_edits_registry=True)
    return r


def blank_file(ctx: Ctx) -> dict:
    """Un fichier de lignes blanches seulement : erreur française."""
    return outcome(imp(ctx, put(ctx, "blanc.csv", b"\n\n   \n\t\n\r\n")), refused=True, expect="vide")


def utf16_file(ctx: Ctx) -> dict:
    """Un fichier UTF-16 avec BOM, valide : importé."""
    data = csv_bytes(rows(["ptce-abus-u"], names=["Pôle UTF-16 é à"])).decode("utf-8").encode("utf-16")
    r = outcome(imp(ctx, put(ctx, "utf16.csv", data)), refused=False, expect="Registre mis à jour")
    r["expect_new_log_lines"] = 1
    return r


def malformed_csv(ctx: Ctx) -> dict:
    """Un CSV mal formé (un guillemet jamais fermé) : erreur française."""
    data = (
        HEADER + "ptce-abus-a;ptce_pole;Pôle;commune;01007;Lancement;\n"
        'ptce-abus-x;ptce_pole;"Pôle ouvert;commune;01007;Lancement;\n'
    ).encode()
    return outcome(imp(ctx, put(ctx, "casse.csv", data)), refused=True, expect=r"mal formé")


def ragged_csv(ctx: Ctx) -> dict:
    """Un CSV dont une ligne a 12 champs au lieu de 7 : erreur française."""
    data = (
        HEADER + "ptce-abus-a;ptce_pole;Pôle;commune;01007;Lancement;\nptce-abus-y;a;b;c;d;e;f;g;h;i;j;k\n"
    ).encode()
    r = outcome(imp(ctx, put(ctx, "inegal.csv", data)), refused=True, expect=r"Erreur")
    if "Colonne inconnue" in r["message"]:
        r["note"] = (
            "le séparateur « ; » n'est pas reconnu (csv.Sniffer échoue sur les lignes inégales, repli sur « , ») : "
            "le message dit « Colonne inconnue » pour tout l'en-tête au lieu de « CSV mal formé, ligne 3 »"
        )
    return r


def binary_file(ctx: Ctx) -> dict:
    """Un fichier binaire (octets aléatoires) nommé .csv : erreur française."""
    import random

    data = bytes(random.Random(14).randrange(256) for _ in range(200_000))
    return outcome(imp(ctx, put(ctx, "binaire.csv", data)), refused=True, expect="Erreur")


def export_to_directory(ctx: Ctx) -> dict:
    """« territoires export html -o <un dossier> » : erreur française, code 1."""
    run = cli(ctx.ws, "export", "html", "-o", str(ctx.ws.files), "--data-dir", str(ctx.ws.data))
    return outcome(run, refused=True, expect="Erreur")


def export_to_proc(ctx: Ctx) -> dict:
    """« territoires export html -o /proc/version » : erreur française, code 1."""
    before = Path("/proc/version").read_bytes()
    run = cli(ctx.ws, "export", "html", "-o", "/proc/version", "--data-dir", str(ctx.ws.data))
    r = outcome(run, refused=True, expect="Erreur")
    r["checks"]["proc_version_unchanged"] = Path("/proc/version").read_bytes() == before
    return r
