"""Server-side timing of each request, for the benchmark only (bench/settings_bench.py).

Adds `X-Bench-Cpu-Ms` (the worker thread's CPU time: Python work, not waiting for the
database or for a CPU shared with other processes), `X-Bench-Wall-Ms` and `X-Bench-Queries`
(SQL statements run on any database alias, counted by bench/statements.py). On a machine
shared with other work, wall latency measures the neighbours too; CPU time per request does
much less so.
"""

from __future__ import annotations

import time

from bench.statements import counting_statements


class BenchTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started, cpu = time.perf_counter(), time.thread_time()
        with counting_statements() as statements:
            response = self.get_response(request)
        response["X-Bench-Cpu-Ms"] = f"{(time.thread_time() - cpu) * 1000:.2f}"
        response["X-Bench-Wall-Ms"] = f"{(time.perf_counter() - started) * 1000:.2f}"
        response["X-Bench-Queries"] = str(statements.count)
        return response
