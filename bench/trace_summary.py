#!/usr/bin/env python3
"""Sums a libtorch profiler trace (`selfsup bench train --profile TRACE.json`) by operator.

usage: python3 bench/trace_summary.py TRACE.json [--steps N] [--top K]

Self time is an event's duration less that of the events nested inside it on the same thread,
so the rows add up to the time the profiled thread spent in libtorch. With --steps (the number
of timed steps that were profiled) the figures are per step.
"""
import argparse
import collections
import json


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("trace")
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with open(args.trace) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    events = [e for e in events if e.get("ph") == "X"]
    by_thread = collections.defaultdict(list)
    for e in events:
        by_thread[e.get("tid")].append(e)
    self_us, total_us, calls = collections.Counter(), collections.Counter(), collections.Counter()
    for thread_events in by_thread.values():
        thread_events.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []
        for e in thread_events:
            while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
                stack.pop()
            if stack:
                self_us[stack[-1]["name"]] -= e["dur"]
            self_us[e["name"]] += e["dur"]
            total_us[e["name"]] += e["dur"]
            calls[e["name"]] += 1
            stack.append(e)
    n = args.steps
    print("in libtorch: %.1f ms per step" % (sum(self_us.values()) / 1000 / n))
    print("%10s %10s %7s  %s" % ("self ms", "total ms", "calls", "operator"))
    for name, us in self_us.most_common(args.top):
        print("%10.1f %10.1f %7d  %s" % (us / 1000 / n, total_us[name] / 1000 / n,
                                          calls[name] / n, name))


if __name__ == "__main__":
    main()
