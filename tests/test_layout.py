"""The test tree's own rules (README "Tests"): test modules and conftest files are never
imported (builders live in tests/builders/, helpers in tests/support/), and the folders
mirror the product's packages."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
# Suites that cut across the product, and the tests' own builders and helpers.
NOT_MIRRORED = {"builders", "support", "security", "faults", "browser"}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, relative ones resolved."""
    package = _module_name(path).rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.append((node.lineno, base))
            # `from tests.x import test_y` imports the module tests.x.test_y when there is one.
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names
                      if (ROOT.joinpath(*base.split("."), alias.name + ".py")).exists()]
    return found


def test_nothing_imports_a_test_module_or_a_conftest():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        for line, module in _imported(path):
            last = module.rsplit(".", 1)[-1]
            if module.startswith("tests.") and (last.startswith("test_") or last == "conftest"):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not offenders, (
        "move what is shared to tests/builders/ (data) or tests/support/ (helpers):\n" + "\n".join(offenders))


def test_the_test_tree_mirrors_the_product_tree():
    folders = sorted(p for p in TESTS.rglob("*") if p.is_dir() and p.name != "__pycache__")
    without_init = [str(p.relative_to(ROOT)) for p in folders if not (p / "__init__.py").exists()]
    assert not without_init, f"every test folder is a package (module names repeat): {without_init}"
    unmirrored = [str(p.relative_to(ROOT)) for p in folders
                  if p.relative_to(TESTS).parts[0] not in NOT_MIRRORED
                  and not (ROOT / p.relative_to(TESTS) / "__init__.py").exists()]
    assert not unmirrored, f"test folders with no product package of the same path: {unmirrored}"
