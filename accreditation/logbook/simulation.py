"""Simulator exercises: their metrics, benchmarks and pass rules, and judging a session.

Simulators share no scale, so each exercise carries its own metrics (`metrics`: a list of
{"name", "unit", "better": "higher"|"lower", "benchmark"}) and one of two pass rules:

- `all_metrics`: every metric at its benchmark (at or above it when higher is better, at or
  below it when lower is better). FRS-style: the benchmark is the experts' mean.
- `overall_score`: the simulator's own overall score (0-100) at `score_threshold` or above,
  for simulators that give one (the da Vinci Skills Simulator and SimNow).

A session is judged once, when it is recorded, against the benchmarks of that moment, which
it keeps (`SimulatorSession.benchmarks`): a programme admin's later edit applies to sessions
recorded after it and never rewrites a past result.

The catalogue the data migration seeds is `CATALOGUE` below. Its benchmarks are starting
values shaped on published expert means; a programme sets its own (the admin edits them).
"""

from __future__ import annotations

import decimal
from typing import Any

# unit -> (lowest, highest) a value may take
UNITS: dict[str, tuple[decimal.Decimal, decimal.Decimal]] = {
    "s": (decimal.Decimal(0), decimal.Decimal(36000)),
    "cm": (decimal.Decimal(0), decimal.Decimal(100000)),
    "count": (decimal.Decimal(0), decimal.Decimal(10000)),
    "%": (decimal.Decimal(0), decimal.Decimal(100)),
    "score": (decimal.Decimal(0), decimal.Decimal(100)),
}
BETTER = ("higher", "lower")
MAX_METRICS = 12


def _number(value: Any) -> decimal.Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def metric_definition_errors(metrics: Any) -> list[str]:
    """What is wrong with an exercise's list of metrics (empty: nothing)."""
    if not isinstance(metrics, list) or not metrics:
        return ["List the exercise's metrics: [{\"name\", \"unit\", \"better\", \"benchmark\"}]."]
    if len(metrics) > MAX_METRICS:
        return [f"At most {MAX_METRICS} metrics."]
    errors: list[str] = []
    names: set[str] = set()
    for i, metric in enumerate(metrics, start=1):
        if not isinstance(metric, dict) or set(metric) - {"name", "unit", "better", "benchmark"}:
            errors.append(f"Metric {i}: give exactly name, unit, better and benchmark.")
            continue
        name = metric.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 60:
            errors.append(f"Metric {i}: name it (at most 60 characters).")
        elif name in names:
            errors.append(f"Metric {i}: “{name}” is listed twice.")
        else:
            names.add(name)
        unit = metric.get("unit")
        if unit not in UNITS:
            errors.append(f"Metric {i}: the unit is one of {', '.join(UNITS)}.")
        if metric.get("better") not in BETTER:
            errors.append(f"Metric {i}: better is “higher” or “lower”.")
        benchmark = _number(metric.get("benchmark"))
        if benchmark is None:
            errors.append(f"Metric {i}: the benchmark is a number.")
        elif unit in UNITS and not UNITS[unit][0] <= benchmark <= UNITS[unit][1]:
            low, high = UNITS[unit]
            errors.append(f"Metric {i}: a benchmark in {unit} is from {low} to {high}.")
    return errors


def benchmarks_of(exercise) -> dict[str, Any]:
    """What a session keeps of its exercise's rules when it is recorded."""
    threshold = exercise.score_threshold
    return {"pass_rule": exercise.pass_rule,
            "score_threshold": str(threshold) if threshold is not None else None,
            "metrics": [dict(m) for m in exercise.metrics]}


def check_metric_values(exercise, values: Any) -> tuple[dict[str, float], dict[str, list[str]]]:
    """(clean values, errors keyed `metrics.<name>` or `metrics`) for a session of `exercise`.

    Every metric of the exercise is required; a name it does not have is refused.
    """
    errors: dict[str, list[str]] = {}
    if not isinstance(values, dict):
        return {}, {"metrics": ["Give the metrics as an object: {\"<name>\": number}."]}
    defined = {m["name"]: m for m in exercise.metrics}
    clean: dict[str, float] = {}
    for name in values:
        if name not in defined:
            errors.setdefault("metrics", []).append(
                f"“{name}” is not a metric of {exercise.name} (it has {', '.join(defined)}).")
    for name, metric in defined.items():
        key = f"metrics.{name}"
        if name not in values or values[name] in (None, ""):
            errors[key] = [f"Enter {name} ({metric['unit']})."]
            continue
        number = _number(values[name])
        low, high = UNITS[metric["unit"]]
        if number is None:
            errors[key] = [f"{name} is a number ({metric['unit']})."]
        elif not low <= number <= high:
            errors[key] = [f"{name} is from {low} to {high} {metric['unit']}."]
        else:
            clean[name] = float(number)
    return clean, errors


def meets(benchmarks: dict[str, Any], metrics: dict[str, float], score) -> bool:
    """Whether a session passes by the rules it was recorded under."""
    if benchmarks.get("pass_rule") == "overall_score":
        threshold = _number(benchmarks.get("score_threshold"))
        return score is not None and threshold is not None and decimal.Decimal(str(score)) >= threshold
    for metric in benchmarks.get("metrics", []):
        value = metrics.get(metric["name"])
        if value is None:
            return False
        benchmark = float(metric["benchmark"])
        if (value < benchmark) if metric["better"] == "higher" else (value > benchmark):
            return False
    return True


def metrics_for_score(exercise, score: float) -> dict[str, float]:
    """Believable metric values for an overall score (the demo world and the bench): at the
    benchmark near 80, worse below it, better above."""
    lag = (80 - score) / 40  # 0 at 80; 0.5 at 60; negative above 80
    values = {}
    for metric in exercise.metrics:
        benchmark = float(metric["benchmark"])
        if metric["unit"] == "count":
            value = max(0.0, round(benchmark + lag * 4))
        elif metric["better"] == "lower":
            value = round(max(0.0, benchmark * (1 + lag)), 1)
        else:
            value = round(min(100.0, benchmark * (1 - lag / 2)), 1)
        values[metric["name"]] = value
    return values


# --- The catalogue the data migration seeds ------------------------------------------------------


def _m(name: str, unit: str, better: str, benchmark) -> dict[str, Any]:
    return {"name": name, "unit": unit, "better": better, "benchmark": benchmark}


def _vr(time_s, economy_cm, collisions=2, force_s=3, out_of_view_cm=5, drops=None) -> list[dict[str, Any]]:
    """The metrics the da Vinci-style virtual trainers report for a task."""
    metrics = [_m("time", "s", "lower", time_s), _m("economy_of_motion", "cm", "lower", economy_cm),
               _m("instrument_collisions", "count", "lower", collisions),
               _m("excessive_force", "s", "lower", force_s),
               _m("instruments_out_of_view", "cm", "lower", out_of_view_cm)]
    if drops is not None:
        metrics.append(_m("drops", "count", "lower", drops))
    return metrics


# code -> (simulator, platform, name, frs_task, pass_rule, score_threshold, metrics)
CATALOGUE: dict[str, tuple[str, str, str, bool, str, int | None, list[dict[str, Any]]]] = {
    # The FRS psychomotor tasks (on the FRS dome, any robot): time and errors at the experts'
    # mean, two consecutive trials.
    "frs-ball-placement": ("other", "", "FRS: Ball placement", True, "all_metrics", None,
                           [_m("time", "s", "lower", 190), _m("drops", "count", "lower", 0),
                            _m("instrument_collisions", "count", "lower", 1)]),
    "frs-suture-knot-tying": ("other", "", "FRS: Suturing and knot tying", True, "all_metrics", None,
                              [_m("time", "s", "lower", 320), _m("knot_slips", "count", "lower", 0),
                               _m("needle_drops", "count", "lower", 0)]),
    "frs-fourth-arm-cutting": ("other", "", "FRS: Fourth arm cutting", True, "all_metrics", None,
                               [_m("time", "s", "lower", 180), _m("cut_accuracy", "%", "higher", 90),
                                _m("instrument_collisions", "count", "lower", 1)]),
    "frs-puzzle-piece-dissection": ("other", "", "FRS: Puzzle piece dissection", True, "all_metrics", None,
                                    [_m("time", "s", "lower", 300), _m("line_deviation", "count", "lower", 1),
                                     _m("dome_damage", "count", "lower", 0)]),
    # da Vinci Skills Simulator (on an Si, X or Xi console): the simulator's overall score.
    "dvss-ring-walk-3": ("davinci_skills", "davinci_xi", "Ring Walk 3", False, "overall_score", 80,
                         _vr(150, 350, drops=0)),
    "dvss-pick-and-place": ("davinci_skills", "davinci_xi", "Pick and Place", False, "overall_score", 80,
                            _vr(60, 180, drops=0)),
    "dvss-peg-board-2": ("davinci_skills", "davinci_xi", "Peg Board 2", False, "overall_score", 80,
                         _vr(100, 250, drops=0)),
    "dvss-camera-targeting-2": ("davinci_skills", "davinci_xi", "Camera Targeting 2", False, "overall_score", 80,
                                _vr(120, 200)),
    "dvss-energy-switching-1": ("davinci_skills", "davinci_xi", "Energy Switching 1", False, "overall_score", 80,
                                _vr(110, 220)),
    "dvss-suture-sponge-1": ("davinci_skills", "davinci_xi", "Suture Sponge 1", False, "overall_score", 80,
                             _vr(240, 400, drops=1)),
    "dvss-thread-the-rings": ("davinci_skills", "davinci_xi", "Thread the Rings", False, "overall_score", 80,
                              _vr(200, 380, drops=1)),
    # SimNow (da Vinci Xi / X / 5 virtual trainer).
    "simnow-ring-walk-2": ("simnow", "davinci_xi", "Ring Walk 2", False, "overall_score", 80, _vr(140, 320, drops=0)),
    "simnow-pick-and-place": ("simnow", "davinci_xi", "Pick and Place", False, "overall_score", 80,
                              _vr(60, 180, drops=0)),
    "simnow-energy-dissection-1": ("simnow", "davinci_xi", "Energy Dissection 1", False, "overall_score", 80,
                                   _vr(260, 300)),
    "simnow-suture-sponge-2": ("simnow", "davinci_xi", "Suture Sponge 2", False, "overall_score", 80,
                               _vr(260, 420, drops=1)),
    # Mimic dV-Trainer (MScore): every metric at the expert benchmark.
    "mimic-pick-and-place": ("mimic_dv_trainer", "davinci_xi", "Pick and Place", False, "all_metrics", None,
                             _vr(60, 170, drops=0)),
    "mimic-peg-board-1": ("mimic_dv_trainer", "davinci_xi", "Peg Board 1", False, "all_metrics", None,
                          _vr(90, 230, drops=0)),
    "mimic-ring-and-rail-1": ("mimic_dv_trainer", "davinci_xi", "Ring and Rail 1", False, "all_metrics", None,
                              _vr(160, 300, drops=0)),
    "mimic-suture-sponge-1": ("mimic_dv_trainer", "davinci_xi", "Suture Sponge 1", False, "all_metrics", None,
                              _vr(250, 410, drops=1)),
    "mimic-thread-the-rings": ("mimic_dv_trainer", "davinci_xi", "Thread the Rings", False, "all_metrics", None,
                               _vr(210, 380, drops=1)),
    # RobotiX Mentor (Surgical Science).
    "robotix-camera-control": ("robotix_mentor", "davinci_xi", "Basic Skills: Camera Control", False,
                               "all_metrics", None,
                               [_m("time", "s", "lower", 120), _m("camera_path_length", "cm", "lower", 150),
                                _m("targets_missed", "count", "lower", 0)]),
    "robotix-peg-transfer": ("robotix_mentor", "davinci_xi", "Peg Transfer", False, "all_metrics", None,
                             [_m("time", "s", "lower", 150), _m("path_length", "cm", "lower", 400),
                              _m("drops", "count", "lower", 1), _m("instrument_collisions", "count", "lower", 2)]),
    "robotix-vessel-energy-dissection": ("robotix_mentor", "davinci_xi", "Vessel Energy Dissection", False,
                                         "all_metrics", None,
                                         [_m("time", "s", "lower", 300), _m("bleeding_volume", "count", "lower", 5),
                                          _m("instrument_collisions", "count", "lower", 3)]),
    # Versius Trainer (CMR Surgical).
    "versius-ring-transfer": ("versius_trainer", "versius", "Ring Transfer", False, "all_metrics", None,
                              _vr(140, 320, drops=0)),
    "versius-pegboard": ("versius_trainer", "versius", "Pegboard", False, "all_metrics", None,
                         _vr(110, 260, drops=0)),
    "versius-suture-pad": ("versius_trainer", "versius", "Suture Pad", False, "all_metrics", None,
                           _vr(280, 430, drops=1)),
    # Hugo RAS simulator (Medtronic).
    "hugo-ring-walk": ("hugo_simulator", "hugo", "Ring Walk", False, "all_metrics", None, _vr(150, 340, drops=0)),
    "hugo-camera-targeting": ("hugo_simulator", "hugo", "Camera Targeting", False, "all_metrics", None,
                              _vr(120, 210)),
    "hugo-energy-dissection": ("hugo_simulator", "hugo", "Energy Dissection", False, "all_metrics", None,
                               _vr(270, 310)),
}


# code -> (name, simulator, example, mapping). The generic one is RASTrack's own; the others
# are shaped on what the vendors' exports show, not verified vendor layouts (README).
EXPORT_FORMATS: dict[str, tuple[str, str, bool, dict[str, Any]]] = {
    "generic": ("Generic: exercise, date, minutes, score and one column per metric", "", False,
                {"exercise": "exercise", "date": "date", "minutes": "minutes", "score": "score", "metrics": "*"}),
    "mimic-mscore-example": (
        "Mimic MScore export (example layout)", "mimic_dv_trainer", True,
        {"exercise": "Exercise Name", "date": "Date", "date_format": "%m/%d/%Y", "minutes": "Duration (min)",
         "score": "Overall Score",
         "metrics": {"time": "Time to Complete (sec)", "economy_of_motion": "Economy of Motion (cm)",
                     "instrument_collisions": "Instrument Collisions",
                     "excessive_force": "Excessive Instrument Force (sec)",
                     "instruments_out_of_view": "Instruments Out of View (cm)", "drops": "Drops"},
         "exercises": {"Pick and Place": "mimic-pick-and-place", "Peg Board 1": "mimic-peg-board-1",
                       "Ring and Rail 1": "mimic-ring-and-rail-1", "Suture Sponge 1": "mimic-suture-sponge-1",
                       "Thread the Rings": "mimic-thread-the-rings"}}),
    "dvss-example": (
        "da Vinci Skills Simulator export (example layout)", "davinci_skills", True,
        {"exercise": "Exercise", "date": "Completed", "date_format": "%d/%m/%Y", "minutes": "Minutes",
         "score": "Overall Score (%)",
         "metrics": {"time": "Time (s)", "economy_of_motion": "Economy of Motion (cm)",
                     "instrument_collisions": "Instrument Collisions",
                     "excessive_force": "Excessive Force (s)",
                     "instruments_out_of_view": "Instruments Out of View (cm)", "drops": "Drops"},
         "exercises": {"Ring Walk 3": "dvss-ring-walk-3", "Pick and Place": "dvss-pick-and-place",
                       "Peg Board 2": "dvss-peg-board-2", "Camera Targeting 2": "dvss-camera-targeting-2",
                       "Energy Switching 1": "dvss-energy-switching-1", "Suture Sponge 1": "dvss-suture-sponge-1",
                       "Thread the Rings": "dvss-thread-the-rings"}}),
}


def load_simulator_catalogue(exercise_model, format_model) -> None:
    """Create the starting exercises and export formats that are missing. Idempotent, and
    never overwrites a row that exists (benchmarks are a programme's to edit).

    Takes the models so that a data migration can pass its historical models.
    """
    for code, (simulator, platform, name, frs, rule, threshold, metrics) in CATALOGUE.items():
        exercise_model.objects.get_or_create(code=code, defaults={
            "simulator": simulator, "platform": platform, "name": name, "frs_task": frs,
            "pass_rule": rule, "score_threshold": threshold, "metrics": metrics})
    for code, (name, simulator, example, mapping) in EXPORT_FORMATS.items():
        format_model.objects.get_or_create(code=code, defaults={
            "name": name, "simulator": simulator, "example": example, "mapping": mapping})
