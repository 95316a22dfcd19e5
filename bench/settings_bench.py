"""Settings of the benchmark server: the real settings, plus the floor views' URLs and a
timing middleware (bench/middleware.py) that reports each request's server CPU time.

The environment (set by bench/run.py) makes them production-like: DEBUG off, a random
SECRET_KEY, Redis (db 4) as cache, no HTTPS redirect (the bench talks plain HTTP on
127.0.0.1) and throttles high enough not to refuse the load.
"""

from rastrack.settings import *  # noqa: F403
from rastrack.settings import INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

ROOT_URLCONF = "bench.floor_urls"
MIDDLEWARE = ["bench.middleware.BenchTimingMiddleware", *MIDDLEWARE]
