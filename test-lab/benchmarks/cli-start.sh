# usage: sh cli-start.sh CMD...  -- runs CMD 10 times; prints the wall and CPU (user+sys) seconds of each run, sorted
runs=$(mktemp)
for i in 1 2 3 4 5 6 7 8 9 10; do /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1; done > "$runs"
echo "wall: $(awk '{print $1}' "$runs" | sort -n | tr '\n' ' ')"
echo "cpu:  $(awk '{printf "%.2f\n", $2+$3}' "$runs" | sort -n | tr '\n' ' ')"
rm -f "$runs"
