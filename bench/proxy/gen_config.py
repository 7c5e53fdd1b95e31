#!/usr/bin/env python3
"""Writes the proxy benchmark's declarative config (Kong's _format_version 3.0, JSON).

usage: gen_config.py ROUTES UPSTREAM_PORT OUT.json
ROUTES = 1: one route `/` to the upstream. ROUTES = N > 1: N routes of three kinds (exact
hosts, prefix paths under wildcard hosts, regex paths), spread over 50 services, and the
request the benchmark sends (Host: bench.example.com, GET /bench/...) matches the last one.
"""
import json
import sys

routes, port, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
services = [{"name": f"s{i}", "url": f"http://127.0.0.1:{port}/"} for i in range(50 if routes > 1 else 1)]
config = {"_format_version": "3.0", "services": services}
if routes == 1:
    services[0]["routes"] = [{"name": "r0", "paths": ["/"]}]
else:
    for s in services:
        s["routes"] = []
    for i in range(routes - 1):
        kind = i % 3
        if kind == 0:
            r = {"hosts": [f"h{i}.example.com"], "paths": [f"/p{i}"]}
        elif kind == 1:
            r = {"hosts": [f"*.w{i}.example.net"], "paths": [f"/api/v{i}/"]}
        else:
            r = {"paths": [rf"~/r{i}/(?<id>\d+)/items$"]}
        r["name"] = f"r{i}"
        services[i % len(services)]["routes"].append(r)
    # The route the load hits: declared last, host + prefix like most real routes.
    services[-1]["routes"].append({"name": "target", "hosts": ["bench.example.com"],
                                   "paths": ["/bench"]})
with open(out, "w") as f:
    json.dump(config, f)
