"""Robotic platforms as data: what kind of system each is, its NICE status, and its docking
steps where they differ from the generic "Port placement and docking" step of a procedure.

Sources: NICE HTE21, "Robot-assisted surgery for soft tissue procedures: early value
assessment" (2025), which lists the systems that may be used while evidence is generated;
the manufacturers' set-up guides for the docking sequences. The da Vinci Si is no longer
sold and is not in HTE21, but training labs still use it.
"""

from __future__ import annotations

from rastrack.reference.models import Platform

HTE21 = "NICE HTE21 (2025): may be used while more evidence is generated"

# code -> (type, NICE status, docking steps in order)
PLATFORMS: dict[str, tuple[str, str, list[str]]] = {
    Platform.DAVINCI_XI: ("Multi-port, single patient-side cart", HTE21,
                          ["Patient positioning", "Port placement", "Targeting with the overhead boom",
                           "Arm docking to the cannulas", "Instrument insertion under vision"]),
    Platform.DAVINCI_X: ("Multi-port, single patient-side cart", HTE21,
                         ["Patient positioning", "Port placement", "Cart driven in on the approach axis",
                          "Arm docking to the cannulas", "Instrument insertion under vision"]),
    Platform.DAVINCI_5: ("Multi-port, single patient-side cart, force feedback", HTE21,
                         ["Patient positioning", "Port placement", "Targeting with the overhead boom",
                          "Arm docking to the cannulas", "Instrument insertion under vision"]),
    Platform.DAVINCI_SI: ("Multi-port, single patient-side cart (no longer sold)",
                          "Not in NICE HTE21 (withdrawn from sale; still used in training labs)",
                          ["Patient positioning", "Port placement", "Cart driven in along the set-up joint line",
                           "Arm-by-arm docking with set-up joint clutching", "Instrument insertion under vision"]),
    Platform.DAVINCI_SP: ("Single-port", HTE21,
                          ["Patient positioning", "Single multichannel cannula placement",
                           "Boom docking to the cannula", "Instrument and camera deployment"]),
    Platform.VERSIUS: ("Modular, one bedside cart per arm", HTE21,
                       ["Patient positioning", "Port placement", "Bedside cart positioning per port",
                        "Arm attachment and port fulcrum setting", "Instrument insertion under vision"]),
    Platform.HUGO: ("Modular, one arm cart per arm", HTE21,
                    ["Patient positioning", "Port placement", "Arm cart placement by docking and tilt angles",
                     "Arm docking to the cannulas", "Instrument insertion under vision"]),
    Platform.SENHANCE: ("Modular, laparoscopic-style with haptic feedback", HTE21,
                        ["Patient positioning", "Port placement", "Arm cart positioning",
                         "Fulcrum calibration at each port", "Instrument insertion under vision"]),
    Platform.DEXTER: ("Modular, open console, switches between robotic and laparoscopic", HTE21,
                      ["Patient positioning", "Port placement", "Patient cart positioning",
                       "Arm docking with the sterile interface", "Instrument insertion under vision"]),
    Platform.OTHER: ("Other", "", []),
}


def platform_facts() -> list[dict]:
    return [{"code": code, "name": Platform(code).label, "type": kind, "nice_status": nice, "docking_steps": steps}
            for code, (kind, nice, steps) in PLATFORMS.items()]
