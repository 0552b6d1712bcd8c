"""Tables as the pages show them: no « None » or « nan » printed in a text cell."""

from __future__ import annotations

import numpy as np
import pandas as pd

from territoires.ui.common import blank_missing, fr_table


def test_missing_text_is_an_empty_cell_and_numbers_stay_numbers():
    df = pd.DataFrame({"name": ["A", None, "C"], "year": [None, "2011-11", np.nan], "n": [1.0, np.nan, 3.0]})
    out = fr_table(df, {"name": "Nom", "year": "Année", "n": "Nombre"})
    assert list(out.columns) == ["Nom", "Année", "Nombre"]
    assert list(out["Nom"]) == ["A", "", "C"] and list(out["Année"]) == ["", "2011-11", ""]
    assert pd.api.types.is_numeric_dtype(out["Nombre"]) and np.isnan(out["Nombre"].iloc[1])
    strings = pd.DataFrame({"a": pd.array(["x", None], dtype="string")})
    assert list(blank_missing(strings)["a"]) == ["x", ""]
    assert blank_missing(pd.DataFrame({"n": [1, 2]})).equals(pd.DataFrame({"n": [1, 2]}))
