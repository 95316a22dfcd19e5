"""Which platform a session trains on, and how many seats its equipment gives.

- Equipment has a type and (unless platform-neutral) a platform. A session's platform is the
  one given, else the one its robotic equipment shares; robotic equipment of another
  platform is refused (a Versius trainer does not train a Hugo surgeon).
- Seats come from units: for the robotic kinds (simulation, console practice) only robotic
  units count, so a laparoscopic box trainer is never a robotic seat; other kinds count every
  unit named; a team session's role seats are people, so its equipment does not bound them.
"""

from __future__ import annotations

from labs.models import ROBOTIC_SEAT_KINDS, Equipment
from rastrack.reference.models import Platform


def session_platform(platform: str, kit: list[Equipment]) -> tuple[str, dict[str, list[str]]]:
    """The session's platform and any errors (per field)."""
    if platform and platform not in Platform.values:
        return "", {"platform": [f"Choose one of: {', '.join(Platform.values)}."]}
    named = sorted({e.platform for e in kit if e.platform and e.is_robotic})
    if platform:
        wrong = [e for e in kit if e.is_robotic and e.platform and e.platform != platform]
        if wrong:
            return platform, {"equipment": [
                f"{e.model} is {e.get_platform_display()} equipment: it does not train on "
                f"{Platform(platform).label}." for e in wrong]}
        return platform, {}
    if len(named) > 1:
        return "", {"platform": [
            f"The equipment named is for several platforms ({', '.join(Platform(p).label for p in named)}): "
            "name the session's platform and its equipment."]}
    return (named[0] if named else ""), {}


def seat_units_problem(*, kind: str, kit: list[Equipment], seats: int, team: bool) -> str | None:
    """Why `seats` is more than the equipment gives, or None."""
    if not kit or team:
        return None
    if kind in ROBOTIC_SEAT_KINDS:
        units = sum(e.count for e in kit if e.is_robotic)
        if seats > units:
            return (f"The equipment named has {units} robotic unit(s) available (a laparoscopic box trainer is "
                    f"not a robotic seat): the session can offer at most {units} seat(s).")
        return None
    units = sum(e.count for e in kit)
    if seats > units:
        return (f"The equipment named has {units} available unit(s): the session can offer at most {units} "
                "seat(s).")
    return None
