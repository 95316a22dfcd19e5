"""Logbook, assessment, sign-off and the trainer faculty (issues [Faculty], [Logbook], [Sign-off])."""
