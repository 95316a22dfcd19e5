"""Counts with their nouns as people write them: "1 case", "2 cases", never "1 cases"."""

from __future__ import annotations


def counted(n, noun: str) -> str:
    """`noun` is the singular ("case", plural by adding "s") or "singular,plural"
    ("person,people"); a number that is not whole is plural ("1.5 hours")."""
    singular, _, plural = noun.partition(",")
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"
