"""Sample simulator exports (CSV) read by tests/accreditation/logbook/test_simulator_import.py."""
