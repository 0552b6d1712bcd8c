"""``territoires staff …``: the local staff accounts that may import from the dashboard."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from territoires import fmt
from territoires.cli.common import app, err, fail, out
from territoires.errors import TerritoiresError

staff_app = typer.Typer(
    help="Comptes du personnel (mots de passe gardés en empreintes Argon2) : seuls eux importent depuis le tableau "
    "de bord.",
    no_args_is_help=True,
)
app.add_typer(staff_app, name="staff")

PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Lire le mot de passe sur l'entrée standard (scripts), sans l'afficher."),
]


def _password(from_stdin: bool, confirm: bool) -> str:
    """The password, never echoed: typed twice at a terminal, or one line of standard input."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Mot de passe", hide_input=True)
    if confirm and typer.prompt("Le même mot de passe, encore une fois", hide_input=True) != first:
        raise TerritoiresError("Les deux mots de passe diffèrent : rien n'a été enregistré.", todo="recommencer.")
    return first


@staff_app.command("add")
def staff_add(name: str, password_stdin: PasswordStdin = False) -> None:
    """Créer un compte du personnel (ou lui donner un nouveau mot de passe)."""
    from territoires import staff
    from territoires.settings import staff_file

    try:
        staff.check_name(name)  # before asking for the password, not after
        key = staff.add(name, _password(password_stdin, confirm=True))
    except TerritoiresError as exc:
        fail(exc)
    out.print(f"✓ Compte « {key} » enregistré dans {staff_file()}.", highlight=False, markup=False)


@staff_app.command("remove")
def staff_remove(name: str) -> None:
    """Supprimer un compte du personnel."""
    from territoires import staff

    try:
        existed = staff.remove(name)
    except TerritoiresError as exc:
        fail(exc)
    if not existed:
        err.print("Aucun compte de ce nom.", highlight=False, markup=False)
        raise typer.Exit(1)
    out.print("Compte supprimé.", highlight=False)


@staff_app.command("list")
def staff_list() -> None:
    """Lister les comptes du personnel (noms et dates de création, jamais les empreintes)."""
    from territoires import staff

    try:
        found = staff.accounts()
    except TerritoiresError as exc:
        fail(exc)
    if not found:
        out.print("Aucun compte. Créer le premier : territoires staff add NOM", highlight=False, markup=False)
        return
    for key, account in sorted(found.items()):
        created = fmt.date_time(account.get("created"))  # the server's time, said in France's
        out.print(f"{key}\t{'créé le ' + created if created else ''}", highlight=False, markup=False)


@staff_app.command("check")
def staff_check(name: str, password_stdin: PasswordStdin = False) -> None:
    """Vérifier un mot de passe (les échecs comptent : après trois, chaque essai attend davantage)."""
    from territoires import staff

    try:
        result = staff.authenticate(name, _password(password_stdin, confirm=False))
    except TerritoiresError as exc:
        fail(exc)
    if not result.ok:
        err.print(result.reason, highlight=False, markup=False)
        raise typer.Exit(1)
    out.print("Mot de passe correct.", highlight=False)
