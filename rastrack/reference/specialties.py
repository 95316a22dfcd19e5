"""Surgical specialties: the ten JCST specialties plus obstetrics and gynaecology, with the
general-surgery subspecialties, and the codes RASTrack used before (still accepted wherever a
specialty is given or filtered on, and shown beside the new ones as `legacy_specialty`)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Specialty(models.TextChoices):
    CARDIOTHORACIC = "cardiothoracic", "Cardiothoracic surgery"
    GENERAL = "general", "General surgery"
    NEUROSURGERY = "neurosurgery", "Neurosurgery"
    ORAL_MAXILLOFACIAL = "oral_maxillofacial", "Oral and maxillofacial surgery"
    OTOLARYNGOLOGY = "otolaryngology", "Otolaryngology"
    PAEDIATRIC = "paediatric", "Paediatric surgery"
    PLASTIC = "plastic", "Plastic surgery"
    TRAUMA_ORTHOPAEDIC = "trauma_orthopaedic", "Trauma and orthopaedic surgery"
    UROLOGY = "urology", "Urology"
    VASCULAR = "vascular", "Vascular surgery"
    OBSTETRICS_GYNAECOLOGY = "obstetrics_gynaecology", "Obstetrics and gynaecology"


class Subspecialty(models.TextChoices):
    """General surgery's subspecialties (empty for the other specialties)."""

    COLORECTAL = "colorectal", "Colorectal"
    UPPER_GI = "upper_gi", "Upper GI"
    HPB = "hpb", "Hepato-pancreato-biliary"
    ENDOCRINE = "endocrine", "Endocrine"
    BARIATRIC = "bariatric", "Bariatric"
    BREAST = "breast", "Breast"
    TRANSPLANT = "transplant", "Transplant"


# The seven codes of the first catalogue -> (specialty, subspecialty).
LEGACY: dict[str, tuple[str, str]] = {
    "urology": ("urology", ""),
    "colorectal": ("general", "colorectal"),
    "gynaecology": ("obstetrics_gynaecology", ""),
    "general_upper_gi": ("general", "upper_gi"),
    "hpb": ("general", "hpb"),
    "thoracic": ("cardiothoracic", ""),
    "ent": ("otolaryngology", ""),
}
LEGACY_OF = {new: old for old, new in LEGACY.items()}
LEGACY_LABELS = {
    "colorectal": "Colorectal", "gynaecology": "Gynaecology", "general_upper_gi": "General and upper GI",
    "hpb": "Hepato-pancreato-biliary", "thoracic": "Thoracic", "ent": "Ear, nose and throat",
}


def specialty_choices_with_legacy() -> list[tuple[str, str]]:
    """What an input accepts: today's specialties, then the old codes."""
    return [*Specialty.choices, *[(code, f"{label} (old code)") for code, label in LEGACY_LABELS.items()]]


def split_specialty(code: str, subspecialty: str = "") -> tuple[str, str]:
    """(specialty, subspecialty) of a code, old or new; an unknown code comes back as given."""
    if code in LEGACY and code not in Specialty.values:
        return LEGACY[code]
    if code == "urology":
        return code, ""
    return code, subspecialty


def legacy_code(specialty: str, subspecialty: str = "") -> str:
    """The old code of a (specialty, subspecialty), or the specialty when it had none."""
    return LEGACY_OF.get((specialty, subspecialty), LEGACY_OF.get((specialty, ""), specialty))


def specialty_q(code: str, *, specialty_field: str, subspecialty_field: str) -> Q:
    """A filter on a specialty given old or new: `colorectal` is general surgery's colorectal
    subspecialty; `general` is all of general surgery."""
    if not code:
        return Q()
    specialty, subspecialty = split_specialty(code)
    q = Q(**{specialty_field: specialty})
    if subspecialty:
        q &= Q(**{subspecialty_field: subspecialty})
    return q
