"""What a draft version changes against the version it was copied from: what was added,
changed and removed. Items are matched by what stays stable across versions: a standard by
its code, a competency by its key, a module by its title, a component by its key, a
requirement by its component's key and its type. A draft made from nothing is all added.
Four queries per version, whatever its size."""

from __future__ import annotations

from dataclasses import dataclass, field

from curriculum.models import (
    Competency,
    Component,
    Framework,
    Module,
    Pathway,
    Requirement,
    Standard,
)
from curriculum.rules import params_of


@dataclass(frozen=True)
class Changed:
    item: str
    field: str
    before: str
    after: str


@dataclass
class Comparison:
    base: Framework | Pathway | None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


Items = dict[tuple, tuple[str, dict[str, str]]]  # key -> (label, {field label: value})


def _framework_items(framework: Framework) -> Items:
    items: Items = {}
    for s in Standard.objects.filter(framework=framework).order_by("order", "code"):
        items[("standard", s.code)] = (f"Standard {s.code} {s.title}", {
            "Title": s.title, "Domain": s.get_domain_display(), "Description": s.description})
    for c in Competency.objects.filter(framework=framework).select_related("standard").order_by("order", "code"):
        items[("competency", c.key)] = (f"Competency {c.code} {c.title}", {
            "Code": c.code, "Title": c.title, "Standard": c.standard.code, "Descriptors": c.descriptors})
    return items


def _requirement_text(requirement: Requirement) -> str:
    params = params_of(requirement)
    params.pop("competency", None)  # an id of this framework version: the key says which one
    return ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in params.items() if value not in (None, "", []))


def _pathway_items(pathway: Pathway) -> Items:
    items: Items = {}
    for m in Module.objects.filter(pathway=pathway).order_by("order", "id"):
        items[("module", m.title)] = (f"Module {m.title}", {"Description": m.description})
    for c in Component.objects.filter(module__pathway=pathway).select_related("module").order_by("order", "id"):
        items[("component", str(c.key))] = (f"Component {c.title}", {
            "Title": c.title, "Kind": c.get_kind_display(), "Module": c.module.title, "Description": c.description})
    for r in (Requirement.objects.filter(component__module__pathway=pathway)
              .select_related("component", "competency").order_by("id")):
        items[("requirement", str(r.component.key), r.type)] = (
            f"Requirement {r.get_type_display().lower()} of {r.component.title}", {"Parameters": _requirement_text(r)})
    return items


def _diff(base, old: Items, new: Items) -> Comparison:
    result = Comparison(base=base)
    for key, (label, values) in new.items():
        if key not in old:
            result.added.append(label)
            continue
        before = old[key][1]
        result.changed += [Changed(item=label, field=name, before=before.get(name, ""), after=value)
                           for name, value in values.items() if before.get(name, "") != value]
    result.removed = [label for key, (label, _values) in old.items() if key not in new]
    return result


def framework_compare(framework: Framework) -> Comparison:
    base = framework.created_from
    return _diff(base, _framework_items(base) if base else {}, _framework_items(framework))


def pathway_compare(pathway: Pathway) -> Comparison:
    base = pathway.created_from
    return _diff(base, _pathway_items(base) if base else {}, _pathway_items(pathway))
