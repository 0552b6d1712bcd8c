"""The ``territoires`` command line.

Every command prints French messages; on a problem it says what, where and what
to do, and exits non-zero without a traceback. The commands live in ``geo``, ``data``
and ``views``; ``common`` holds what they share.
"""

from __future__ import annotations

import sys

from territoires.cli import data, geo, views  # noqa: F401 — importing them registers their commands
from territoires.cli.common import app, err

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("Interrompu. Les fichiers en place n'ont pas été modifiés.")
        sys.exit(130)


if __name__ == "__main__":
    main()
