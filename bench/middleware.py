"""Server-side timing of each request, for the benchmark only (bench/settings_bench.py).

Adds `X-Bench-Cpu-Ms` (the worker thread's CPU time: Python work, not waiting for the
database or for a CPU shared with other processes), `X-Bench-Wall-Ms` and `X-Bench-Queries`
(SQL statements run). On a machine shared with other work, wall latency measures the
neighbours too; CPU time per request does much less so.
"""

from __future__ import annotations

import time

from django.db import connection


class BenchTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = [0]

        def count(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        started, cpu = time.perf_counter(), time.thread_time()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response["X-Bench-Cpu-Ms"] = f"{(time.thread_time() - cpu) * 1000:.2f}"
        response["X-Bench-Wall-Ms"] = f"{(time.perf_counter() - started) * 1000:.2f}"
        response["X-Bench-Queries"] = str(queries[0])
        return response
