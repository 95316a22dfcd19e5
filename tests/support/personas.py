"""The persona fixtures of tests/conftest.py, by name (for tests parametrized over them)."""

PERSONAS = [
    "trainee", "other_trainee", "assigned_trainer", "unassigned_trainer",
    "lab_manager", "lead", "other_lead", "admin",
]
