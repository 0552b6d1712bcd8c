"""The fiche of Grenoble on the real store and registry (skipped when data/geo is not built)."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from territoires.cli import app

pytestmark = pytest.mark.realdata
runner = CliRunner()


def test_grenoble_is_covered_by_its_region_departement_metropole_and_itself(real_store, tmp_path):
    r = runner.invoke(app, ["fiche", "--level", "commune", "--code", "38185", "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["name"] == "Grenoble"
    covering = [m["id"] for m in doc["members_covering"]]
    for member in ("m-reg-82", "m-dep-38", "m-epci-grenoble-alpes-metropole", "m-ville-grenoble"):
        assert member in covering, member
    # Artis is placed in the Métropole as a whole: more widely than the city, not in it.
    assert "init-artis" in [a["id"] for a in doc["actors_wider"]]
    out = tmp_path / "grenoble.pdf"
    r = runner.invoke(app, ["fiche", "--level", "commune", "--code", "38185", "--format", "pdf", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", out.read_bytes())) == 1  # one A4 page
