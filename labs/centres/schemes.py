"""The accreditation schemes RASTrack starts with, and their criteria as data.

- ERUS-style robotic host centre (EAU Robotic Urology Section, host-centre criteria for its
  modular training programme): at least two robotic surgeons with more than 250 console
  cases, at least one accredited robotic trainer on site, a robotic system for training.
- RCS England-style accredited course (3 years, annual monitoring): the course ran at least
  once in the year with accredited faculty.
- Skills lab training centre: sessions run and a robotic system or simulator available.

Programme admins change them in the audited Django admin; this loader only creates rows
that are missing, so it never overwrites an admin's edit.
"""

from __future__ import annotations

SCHEMES = [
    ("erus-host-centre", "ERUS-style robotic host centre", "centre", 3,
     "Host centre for modular console training: experienced robotic surgeons and a system to train on.",
     [("surgeons_over_250_cases", 2, "At least two robotic surgeons with more than 250 console cases"),
      ("accredited_trainers", 1, "At least one accredited robotic trainer"),
      ("robotic_systems", 1, "A robotic system available for training")]),
    ("rcs-accredited-course", "RCS England-style accredited course", "course", 3,
     "An accredited course (e.g. train-the-trainer or a platform course), monitored each year.",
     [("sessions_run", 1, "The course ran at least once in the year"),
      ("accredited_trainers", 2, "At least two accredited faculty teach it")]),
    ("skills-lab-centre", "Accredited robotic skills lab", "centre", 3,
     "A regional lab that trains on robotic simulators and dry-lab robots.",
     [("sessions_run", 12, "At least twelve training sessions in the year"),
      ("robotic_systems", 1, "A robotic system or console simulator for training")]),
]


def load_schemes(scheme_model, criterion_model) -> None:
    for code, name, applies_to, years, description, criteria in SCHEMES:
        scheme, _ = scheme_model.objects.get_or_create(
            code=code, defaults={"name": name, "applies_to": applies_to, "period_years": years,
                                 "description": description})
        for figure, minimum, text in criteria:
            criterion_model.objects.get_or_create(scheme=scheme, figure=figure,
                                                  defaults={"minimum": minimum, "description": text})
