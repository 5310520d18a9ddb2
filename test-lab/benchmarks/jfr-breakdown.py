#!/usr/bin/env python3
"""Where lacd's sampled Java CPU goes, by area (issue 20).

    jfr print --events jdk.ExecutionSample --stack-depth 64 lacd.jfr > samples.txt
    python3 test-lab/benchmarks/jfr-breakdown.py samples.txt [from-HH:MM:SS to-HH:MM:SS]

Each execution sample is put in the first area (in the order below) that one of its frames matches, looking from the
top of the stack (the running method) down: so a sample in the RADIUS codec called from the session goes to "RADIUS",
one in logback called from the PPPoE server goes to "logging". JIT compiler and GC threads are not Java threads and
never appear in jdk.ExecutionSample: StormBenchmark prints their CPU from /proc/<pid>/task.
"""
import re
import sys
from collections import Counter

# (area, regex on a frame "package.Class.method"), first match from the top of the stack wins
AREAS = [
    ("logging", r"^(ch\.qos\.logback|org\.slf4j)\."),
    ("metrics", r"^(io\.micrometer|io\.prometheus|org\.lacd\.daemon\.metrics)\."),
    ("management API / JSON", r"^(com\.fasterxml|org\.lacd\.daemon\.(api|management))\."),
    ("RADIUS accounting", r"^org\.lacd\.radius\..*(Acct|Accounting|Spool)"),
    ("RADIUS codec + client", r"^org\.lacd\.radius\."),
    ("crypto (MD5, cookies, SecureRandom)", r"^(sun\.security|java\.security|javax\.crypto|org\.lacd\.pppoe\.discovery\.CookieSigner)"),
    ("L2TP control (tunnel, session, transport, codec)", r"^org\.lacd\.l2tp\.(Tunnel|Session|transport|wire|L2tpEngine\.(on|handle)Control)"),
    ("L2TP data path", r"^org\.lacd\.l2tp\."),
    ("PPPoE discovery", r"^org\.lacd\.pppoe\.(PppoeServer\.(onDiscovery|onPadi|onPadr|onPadt|send|limitReached)|wire\.PppoeDiscovery|discovery\.)"),
    ("PPP LCP", r"^org\.lacd\.pppoe\.ppp\.Lcp|^org\.lacd\.pppoe\.wire\.Lcp"),
    ("PPP CHAP/PAP", r"^org\.lacd\.pppoe\.ppp\.|^org\.lacd\.pppoe\.wire\.(Chap|Pap)"),
    ("PPPoE receive / ports", r"^org\.lacd\.pppoe\."),
    ("subscriber session (daemon)", r"^org\.lacd\.daemon\.session\."),
    ("other lacd", r"^org\.lacd\."),
    ("Netty I/O", r"^io\.netty\."),
    ("pcap / JNA", r"^(org\.pcap4j|com\.sun\.jna)\."),
]
COMPILED = [(a, re.compile(r)) for a, r in AREAS]


def events(path):
    """Yields (time, frames) per jdk.ExecutionSample event of `jfr print`."""
    time, frames, in_stack = None, [], False
    for line in open(path, encoding="utf-8", errors="replace"):
        s = line.strip()
        if s.startswith("jdk.ExecutionSample"):
            if frames or time:
                yield time, frames
            time, frames, in_stack = None, [], False
        elif s.startswith("startTime ="):
            m = re.search(r"(\d\d:\d\d:\d\d)", s)
            time = m.group(1) if m else None
        elif s.startswith("stackTrace = ["):
            in_stack = True
        elif in_stack and s.startswith("]"):
            in_stack = False
        elif in_stack and s and s != "...":
            frames.append(s.split("(")[0].split(" line:")[0].strip())
    if frames or time:
        yield time, frames


def main():
    path = sys.argv[1]
    lo = sys.argv[2] if len(sys.argv) > 3 else None
    hi = sys.argv[3] if len(sys.argv) > 3 else None
    areas, tops, n = Counter(), Counter(), 0
    for time, frames in events(path):
        if lo and time and not (lo <= time <= hi):
            continue
        n += 1
        area = "JDK / other"
        for f in frames:
            hit = next((a for a, r in COMPILED if r.search(f)), None)
            if hit:
                area = hit
                break
        areas[area] += 1
        if frames:
            tops[frames[0]] += 1
    print(f"{n} samples")
    print("| area | samples | share |")
    print("|---|---|---|")
    for a, c in areas.most_common():
        print(f"| {a} | {c} | {100.0 * c / max(1, n):.1f} % |")
    print()
    print("top 25 running methods:")
    for f, c in tops.most_common(25):
        print(f"  {c:6d}  {100.0 * c / max(1, n):5.1f} %  {f}")


if __name__ == "__main__":
    main()
