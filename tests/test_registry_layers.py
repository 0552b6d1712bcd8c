"""How geo/ and registry/ hang together: imports in one direction, file names in one module, one text form."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from territoires.registry import files
from territoires.registry.check import code_exists, known_codes
from territoires.registry.loader import actors_text, parse_actors
from territoires.registry.storage import load_registry
from territoires.settings import REPO_ROOT

from synthetic import write_registry

PACKAGE = REPO_ROOT / "src" / "territoires"
LAYERED = ("geo", "registry", "io")
# Function-level imports allowed in these packages, each for a stated reason (never to dodge a cycle).
LAZY = {
    # SQLAlchemy takes ~0.3 s to import: only a database registry pays for it.
    ("registry/storage.py", "territoires.registry.database"),
}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def is_module(dotted: str) -> bool:
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports(path: Path) -> tuple[set[str], set[str]]:
    """The ``territoires`` modules ``path`` imports at module level, and those it imports inside functions."""
    top, inner = set(), set()

    def names(node: ast.Import | ast.ImportFrom) -> set[str]:
        if isinstance(node, ast.Import):
            return {a.name for a in node.names}
        # ``from territoires.geo import reader`` imports the module territoires.geo.reader
        return {f"{node.module}.{a.name}" if is_module(f"{node.module}.{a.name}") else node.module for a in node.names}

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found = {n for n in names(node) if n.startswith("territoires")}
            (top if node.col_offset == 0 else inner).update(found)
    return top, inner


def layered_modules() -> list[Path]:
    return sorted(p for pkg in LAYERED for p in (PACKAGE / pkg).glob("*.py"))


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the import graph, as the list of modules along it, or None."""
    state: dict[str, str] = {}  # module -> "visiting" | "done"

    def visit(m: str, trail: list[str]) -> list[str] | None:
        if state.get(m) == "visiting":
            return [*trail[trail.index(m) :], m]
        if state.get(m) == "done" or m not in graph:
            return None
        state[m] = "visiting"
        for dep in sorted(graph[m]):
            cycle = visit(dep, [*trail, m])
            if cycle:
                return cycle
        state[m] = "done"
        return None

    return next((c for m in sorted(graph) if (c := visit(m, []))), None)


def test_no_import_cycle_and_no_import_hidden_in_a_function():
    graph = {}
    for path in layered_modules():
        top, inner = imports(path)
        rel = str(path.relative_to(PACKAGE))
        hidden = {m for m in inner if (rel, m) not in LAZY}
        assert not hidden, f"{rel} importe dans une fonction : {sorted(hidden)}"
        graph[module_name(path)] = {m for m in top if m != module_name(path)}
    cycle = find_cycle(graph)
    assert cycle is None, "cycle d'imports : " + " → ".join(cycle)
    # The direction the package docstring states: names, then parsing, then where the registry lives.
    assert "territoires.registry.storage" not in graph["territoires.registry.loader"]
    assert "territoires.registry.loader" not in graph["territoires.registry.files"]


def test_the_checks_see_cycles_and_hidden_imports(tmp_path):
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "d": {"a", "c"}}) is None
    (tmp_path / "m.py").write_text("from territoires.registry import storage\n\ndef f():\n    import territoires.x\n")
    top, inner = imports(tmp_path / "m.py")
    assert top == {"territoires.registry.storage"} and inner == {"territoires.x"}


def literals(path: Path) -> list[str]:
    """String constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


def test_registry_file_names_are_spelled_in_files_only():
    names = [
        *files.TABLES,
        *files.REFERENCE_TABLES,
        files.CHANGELOG_FILE,
        *(name for name, _ in files.DOWNLOADS.values()),
    ]
    copies = [
        f"{path.relative_to(PACKAGE)} : {text!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "registry" / "files.py"
        for text in literals(path)
        if any(name in text for name in names)
    ]
    assert not copies, "noms de fichiers du registre recopiés hors de registry/files.py :\n" + "\n".join(copies)


def test_text_form_round_trips(app_dir):
    actors = load_registry(app_dir).actors
    text = actors_text(actors)
    assert text.map(lambda v: isinstance(v, str)).all().all()
    assert text.loc[text["id"] == "p1", ["test_pole", "figures", "new_member"]].iloc[0].tolist() == [
        "true",
        "",
        "false",
    ]
    back = parse_actors(text.replace("", None), "aller-retour")
    pd.testing.assert_frame_equal(back.reset_index(drop=True), actors.reset_index(drop=True))


def test_known_codes_and_2012_intercommunalities(store_dir):
    write_registry(store_dir)  # the EPTs are the registry's reference table
    known = known_codes(store_dir)
    assert known["ept"] == {"200000099"}
    assert {"01001", "2A004"} <= known["commune"] and known["point"] is known["commune"]
    assert known["national"] == {"FR"} and "82" in known["region_2012"]
    assert code_exists(known, set(), "departement", "2A")
    assert not code_exists(known, set(), "commune", "99999")
    assert not code_exists(known, set(), "epci", "240100001")
    assert code_exists(known, {"240100001"}, "epci", "240100001")  # a 2012 SIREN of the perimeters table
    assert not code_exists(known, {"240100001"}, "commune", "240100001")


@pytest.mark.parametrize("fmt", list(files.DOWNLOADS))
def test_every_download_has_a_name_and_a_media_type(fmt):
    name, mime = files.DOWNLOADS[fmt]
    assert name.endswith(f".{fmt}") and "/" in mime


def test_contact_patterns_find_addresses_and_nothing_else():
    import re

    from territoires.registry.schema import EMAIL, PHONE

    assert re.search(EMAIL, "écrire à contact@rtes.fr") and re.search(EMAIL, "jean.dupont+x@mairie-lille.fr")
    assert not re.search(EMAIL, "a@b") and not re.search(EMAIL, "@rtes.fr sans nom")
    assert not re.search(EMAIL, "a" * 100_000)  # bench/patterns.py times this on 1 MB
    assert re.search(PHONE, "tél. 03 20 12 34 56") and not re.search(PHONE, "en 2012, 30 000 €")
