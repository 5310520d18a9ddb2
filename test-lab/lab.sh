#!/usr/bin/env bash
# lacd's network-namespace lab: the single entry point.
#
#   bash test-lab/lab.sh demo [--duration SECONDS] [--subscribers N] [--rate R] [--traffic-pps P] [--workers W] [--lns l2tpns] [--prometheus] [--kill-lns]
#       Builds lacd if needed, brings up the lab (subscriber namespace -- lacd namespace -- four LNS namespaces,
#       real FreeRADIUS, lacd, LNS emulators, subscriber emulators; with --lns l2tpns, lns-a1 is a real l2tpns),
#       shows a summary table and runs until Ctrl-C or --duration. Everything is torn down on exit, on Ctrl-C and
#       on failure.
#       --prometheus: also a real Prometheus in lacd's namespace (127.0.0.1:9090 there) scraping lacd with the shipped
#       alert rules; the summary prints its alerts. --kill-lns: kill lns-a1 (reseller A's preferred LNS) once the
#       subscribers are up; with --prometheus, the summary shows LacdHelloTimeouts firing.
#   bash test-lab/lab.sh cleanup PREFIX
#       Removes namespaces named PREFIX* (e.g. lacd-12345-) left by a run that was killed with SIGKILL.
#
# Needs root (network namespaces), Java 17, Maven (first build only) and the packages of test-lab/install-deps.sh.
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$self")/.."

cmd="${1:-demo}"
[ $# -gt 0 ] && shift

if [ "$(id -u)" -ne 0 ]; then
  echo "lab.sh: the lab creates network namespaces: run as root" >&2
  exit 2
fi

remove_namespaces() { # $1: name prefix
  local ns pids
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$1" || true); do
    pids="$(ip netns pids "$ns" 2>/dev/null || true)"
    # shellcheck disable=SC2086
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    rm -rf -- "/etc/netns/$ns"   # an l2tpns LNS's private /etc/l2tpns (bind-mounted by ip netns exec)
    echo "lab.sh: removed namespace $ns"
  done
}

case "$cmd" in
  cleanup)
    [ $# -eq 1 ] && [ -n "$1" ] || { echo "lab.sh: cleanup needs the prefix of the run, e.g. lacd-12345-" >&2; exit 2; }
    remove_namespaces "$1"
    exit 0
    ;;
  demo) ;;
  -h|--help|help)
    sed -n '2,15p' "$self" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "lab.sh: unknown command '$cmd' (expected: demo, cleanup, help)" >&2
    exit 2
    ;;
esac

if [ ! -f lac-daemon/target/lacd.jar ] || [ ! -f test-lab/target/classpath.txt ] || [ ! -d test-lab/target/classes/org/lacd/lab/lab ]; then
  command -v mvn >/dev/null || { echo "lab.sh: Maven (mvn) is needed for the first build" >&2; exit 2; }
  # Not -q: a first build downloads and compiles for a minute or more, and a silent one looks hung. Maven's own
  # progress lines (one per module and plugin) say what it is doing; colour off so no escape codes reach a log.
  echo "lab.sh: first run: building lacd and the lab (mvn -B package -DskipTests; about a minute, more when Maven downloads) ..."
  t0=$(date +%s)
  mvn -B -ntp -Dstyle.color=never package -DskipTests | grep --line-buffered -E '^\[INFO\] (Building |--- |BUILD|Total time)|^\[(ERROR|WARNING)\]' \
    || true
  [ -f lac-daemon/target/lacd.jar ] && [ -f test-lab/target/classpath.txt ] \
    || { echo "lab.sh: the build failed (see above); run 'mvn -B package -DskipTests' for the whole log" >&2; exit 1; }
  echo "lab.sh: built in $(( $(date +%s) - t0 )) s"
fi

# The Java program tears its lab down on exit and on Ctrl-C (shutdown hook); this trap is the safety net for
# anything it could not finish (namespaces carry this shell's pid in their name).
prefix="lacd-$$"
trap 'remove_namespaces "$prefix-"' EXIT
trap 'exit 130' INT TERM

java -cp "test-lab/target/classes:$(cat test-lab/target/classpath.txt)" org.lacd.lab.lab.LabMain "$cmd" --prefix "$prefix" "$@"
