"""Every form class of the product (the web forms of every context), for the tests that walk
them all: the wording of refusals, `maxlength` and `accept`."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms

PRODUCT = ("rastrack", "curriculum", "accreditation", "labs", "dashboards")
_FORM_MODULES = {"forms", "views", "filters"}


def product_forms() -> list[type[forms.BaseForm]]:
    """The form classes defined in the product's forms, *_forms, views and filters modules."""
    for package in PRODUCT:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if any(part in info.name for part in (".migrations", ".management")):
                continue
            leaf = info.name.rsplit(".", 1)[-1]
            if leaf in _FORM_MODULES or leaf.endswith("_forms"):
                importlib.import_module(info.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted({c for c in subclasses(forms.BaseForm) if c.__module__.startswith(PRODUCT)},
                  key=lambda c: f"{c.__module__}.{c.__qualname__}")
