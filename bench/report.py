"""Markdown tables from benchmark results: `python bench/report.py bench/results/<file>.json ...`.

With two files (before, after) it prints them side by side for the endpoints both have.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def load(path: str) -> dict:
    return json.loads(Path(path).read_text())


def one(data: dict) -> str:
    lines = ["| endpoint | clients | requests | p50 ms | p95 ms | p99 ms | req/s | errors | p95 / floor p95 "
             "| server CPU p50 ms | queries |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in data["results"]:
        ratio = r.get("ratio_p95")
        lines.append(
            f"| {r['name']} | {r['clients']} | {r['requests']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
            f"{'' if r.get('rps') is None else r['rps']} | {r.get('errors', '')} | {'' if ratio is None else ratio} | "
            f"{r.get('server_cpu_p50_ms', '')} | {','.join(map(str, r.get('queries', [])))} |")
    return "\n".join(lines)


def compare(before: dict, after: dict) -> str:
    b = {r["name"]: r for r in before["results"]}
    lines = ["| endpoint | p50 ms before → after | p95 ms before → after | req/s before → after "
             "| server CPU p50 ms before → after | queries before → after |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in after["results"]:
        old = b.get(r["name"])
        if not old or r["name"].endswith("_floor"):
            continue
        lines.append(
            f"| {r['name']} | {old['p50_ms']} → {r['p50_ms']} | {old['p95_ms']} → {r['p95_ms']} | "
            f"{old.get('rps') or ''} → {r.get('rps') or ''} | {old.get('server_cpu_p50_ms', '')} → "
            f"{r.get('server_cpu_p50_ms', '')} | {','.join(map(str, old.get('queries', [])))} → "
            f"{','.join(map(str, r.get('queries', [])))} |")
    return "\n".join(lines)


if __name__ == "__main__":
    files = sys.argv[1:]
    if len(files) == 2:
        print(compare(load(files[0]), load(files[1])))
    else:
        for f in files:
            print(f"\n{f}\n")
            print(one(load(f)))
