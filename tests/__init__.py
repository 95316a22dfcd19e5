"""The test suite (pytest; tests/conftest.py).

This package is imported before anything else of a test run (pytest imports it to import
tests/conftest.py, in the run's first process, before pytest-xdist starts its workers).
Where the machine's environment sets PYTHONDONTWRITEBYTECODE (this one does), no process of
the run would keep the compiled modules, so each xdist worker, and each Celery worker, beat
and manage.py process a test starts, would compile the whole project again, and pytest would
rewrite every test module's asserts again: about half of the suite's collection time and
seconds per started process. The run keeps Python's bytecode cache (__pycache__, ignored by
git) like any Python program, and passes that on to the processes it starts.
"""

import os
import sys

sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
