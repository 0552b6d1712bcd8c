"""Time every validation pattern of the registry on 1 MB of hostile text (issue 14: no super-linear regex).

    .venv/bin/python bench/patterns.py

Prints, for each pattern and each input, the seconds a search takes. A pattern that backtracks
quadratically takes minutes on 1 MB (the old e-mail pattern: 0.6 s on 10 KB, 2 s on 20 KB).
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from territoires.registry import schema

SIZE = 1_000_000
from territoires import safe, staff  # noqa: E402

BUDGET_S = 2.0  # per search of 1 MB; a linear pattern takes milliseconds
INPUTS = {
    "lettres": "a" * SIZE,
    "chiffres": "0" * SIZE,
    "points": "a." * (SIZE // 2),
    "arobase à la fin": "a" * (SIZE - 1) + "@",
    "téléphone presque": "0 1" * (SIZE // 3),
    "adresse web": "http://" + "a" * (SIZE - 7) + " ",
    "tirets": "a-" * (SIZE // 2) + "!",
    "contrôles": "\x1b[" * (SIZE // 2),
}
# Every pattern run on a user's text: the schema's (pandera str_matches), the codes, the import's.
PATTERNS = {
    "EMAIL": schema.EMAIL,
    "PHONE": schema.PHONE,
    "DATE": f"^{schema.DATE}$",
    "ID": r"^[a-z0-9][a-z0-9-]*$",
    "SIREN": r"^[0-9]{9}$",
    "WEBSITE": r"^https?://\S+$",
    **{f"CODE {level}": f"^(?:{p})$" for level, p in schema.CODE_PATTERN_BY_LEVEL.items()},
    "CONTROL": safe.CONTROL.pattern,
    "STAFF NAME": staff.NAME.pattern,
}


def main() -> int:
    worst = 0.0
    for pname, pattern in PATTERNS.items():
        rx = re.compile(pattern)
        for iname, text in INPUTS.items():
            t = time.perf_counter()
            rx.search(text)
            dt = time.perf_counter() - t
            worst = max(worst, dt)
            print(f"{pname:<6} {iname:<18} {dt:8.3f} s")
    print(f"pire : {worst:.3f} s pour {SIZE:,} caractères (budget {BUDGET_S} s)".replace(",", " "))
    return 0 if worst < BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
