"""The ``territoires`` command line.

Every command prints French messages; on a problem it says what, where and what
to do, and exits non-zero without a traceback. The commands live in ``geo``, ``data``
and ``views``; ``common`` holds what they share.
"""

from __future__ import annotations

import os
import sys

from territoires.cli import data, fiche, geo, serving, staff, views  # noqa: F401 — importing them registers their commands
from territoires.cli.common import app, err, plain

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("Interrompu. Les fichiers en place n'ont pas été modifiés.", highlight=False)
        sys.exit(130)
    except BrokenPipeError:  # `territoires data changes | head`: the reader has had enough, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        sys.exit(1)
    except OSError as exc:
        # A file the system refused where no command expected it (permission, full disk…): said in
        # French, without a traceback; the writes are atomic, so nothing is left half-written.
        where = f"\nEmplacement : {plain(exc.filename)}" if exc.filename else ""
        err.print(f"[bold red]Erreur :[/] fichier inaccessible ({plain(exc.strerror or exc)}).{where}", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
