#!/usr/bin/env bash
# Native-memory soak: runs `selfsup bench train` for many steps and samples its resident set size
# from outside (/proc/PID/status, once a second), then prints the RSS slope over the second half of
# the run in MB per 1,000 steps (least squares over the samples; seconds turned into steps with
# the run's median step time).
#   bash bench/soak.sh OUT_DIR mlp 20000 [threads]
#   bash bench/soak.sh OUT_DIR small-resnet 2000 [threads]
# Writes OUT_DIR/BACKBONE-STEPS.rss.csv (seconds,rss_kb) and OUT_DIR/BACKBONE-STEPS.json (bench train's line).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$1"; backbone="$2"; steps="$3"; threads="${4:-2}"
mkdir -p "$out"
"$root/selfsup" --version > /dev/null   # build first, so that the PID sampled is the JVM
name="$out/$backbone-$steps"
"$root/selfsup" bench train --backbone "$backbone" --batch-size 256 --steps "$steps" \
    --threads "$threads" --json > "$name.log" 2>&1 &
launcher=$!
# the launcher execs java: the PID stays the same once the JVM is up
start=$(date +%s.%N)
echo "seconds,rss_kb" > "$name.rss.csv"
while kill -0 "$launcher" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$launcher/status" 2>/dev/null || true)
  now=$(date +%s.%N)
  [ -n "$rss" ] && echo "$(echo "$now - $start" | bc),$rss" >> "$name.rss.csv"
  sleep 1
done
wait "$launcher"
tail -n 1 "$name.log" > "$name.json"
python3 - "$name.rss.csv" "$name.json" <<'PY'
import csv, json, sys
rows = [(float(r["seconds"]), int(r["rss_kb"])) for r in csv.DictReader(open(sys.argv[1]))]
result = json.loads(open(sys.argv[2]).read())
step_s = result["median_step_ms"] / 1000
half = rows[len(rows) // 2:]
n = len(half)
mx = sum(t for t, _ in half) / n
my = sum(r for _, r in half) / n
slope_kb_per_s = sum((t - mx) * (r - my) for t, r in half) / sum((t - mx) ** 2 for t, _ in half)
print(json.dumps({"backbone": result["model"], "steps": result["steps"], "threads": result["threads"],
                  "median_step_ms": result["median_step_ms"], "samples": len(rows),
                  "rss_first_mb": round(rows[0][1] / 1024), "rss_half_mb": round(half[0][1] / 1024),
                  "rss_last_mb": round(rows[-1][1] / 1024), "rss_max_mb": round(max(r for _, r in rows) / 1024),
                  "slope_mb_per_1000_steps_second_half": round(slope_kb_per_s * step_s * 1000 / 1024, 3)}))
PY
