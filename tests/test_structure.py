"""Size limits that keep the code readable: modules of at most 400 lines, functions of at most 80."""

from __future__ import annotations

import ast
from pathlib import Path

from territoires.settings import REPO_ROOT

SRC = REPO_ROOT / "src"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int, int]]:
    """``(qualified name, first line, length)`` of every function or method longer than ``limit`` lines.

    Nested functions and methods are measured too (their lines also count towards their parent's).
    """
    out = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = prefix
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}."
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                length = child.end_lineno - child.lineno + 1
                if length > limit:
                    out.append((name[:-1], child.lineno, length))
            visit(child, name)

    visit(ast.parse(source), "")
    return out


def test_the_measure_finds_long_functions_methods_and_nested_ones():
    source = "\n".join(
        ["def short():", "    return 1", "", "class C:", "    async def long(self):"]
        + [f"        x{i} = {i}" for i in range(80)]
        + ["        def inner():"]
        + [f"            y{i} = {i}" for i in range(81)]
    )
    assert long_functions(source) == [("C.long", 5, 163), ("C.long.inner", 86, 82)]
    assert long_functions("def f():\n" + "\n".join(f"    x{i} = {i}" for i in range(79))) == []  # 80 lines: allowed


def test_no_module_is_longer_than_400_lines():
    too_long = []
    for path in modules():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(REPO_ROOT)}: {n} lignes")
    assert not too_long, f"modules de plus de {MAX_MODULE_LINES} lignes (à découper) :\n" + "\n".join(too_long)


def test_no_function_is_longer_than_80_lines():
    too_long = []
    for path in modules():
        for name, line, n in long_functions(path.read_text(encoding="utf-8")):
            too_long.append(f"{path.relative_to(REPO_ROOT)}:{line} {name}: {n} lignes")
    assert not too_long, f"fonctions de plus de {MAX_FUNCTION_LINES} lignes (à découper) :\n" + "\n".join(too_long)
