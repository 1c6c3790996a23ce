#!/usr/bin/env bash
# make bench-serving: the scoring service under wrk, row path beside Spark's transform path, for
# the tuned champion and the reference forest (100 trees, depth 8). Writes $WORK/report.md.
#   scripts/bench-serving.sh [--help]
# Environment: WORK (default out/bench-serving), MLFLOW_URI (default http://127.0.0.1:5000),
# CHAMPION_URI (default models:/HealthPredict@champion; `make demo` registers it), DURATION (seconds
# per wrk run, default 15), REPEATS (runs per figure, median reported; default 3), CONNECTIONS (16).
set -euo pipefail
if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
WORK="${WORK:-out/bench-serving}"
MLFLOW_URI="${MLFLOW_URI:-http://127.0.0.1:5000}"
CHAMPION_URI="${CHAMPION_URI:-models:/HealthPredict@champion}"
DURATION="${DURATION:-15}"
REPEATS="${REPEATS:-3}"
CONNECTIONS="${CONNECTIONS:-16}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"

if ! command -v wrk >/dev/null; then
  echo "bench-serving: installing wrk (Debian package)"
  if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && apt-get install -y -qq wrk; else sudo apt-get update -qq && sudo apt-get install -y -qq wrk; fi
fi

source bin/lib/java-flags.sh
test_cp="serving/target/test-classes:serving/target/classes:$(cat serving/target/classpath-test.txt)"
echo "bench-serving: preparing inputs in $WORK"
SPARK_LOCAL_IP=127.0.0.1 java "${spark_java_flags[@]}" -Xmx4g -Dlog4j2.configurationFile="$root/conf/log4j2.properties" \
  -cp "$test_cp" org.healthpredict.serving.bench.BenchInputs "$WORK"

port=18080
server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT

# start_server <label> <model uri> <scorer>: starts in the background of this shell (not a subshell,
# so stop_server can stop it), waits for /health/ready, sets $ready to the seconds from JVM start.
start_server() {
  local label="$1" uri="$2" scorer="$3" log="$WORK/server-$1-$3.log"
  port=$((port + 1))
  MLFLOW_TRACKING_URI="$MLFLOW_URI" bin/health-predict-serve --model-uri "$uri" --scorer "$scorer" \
    --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 1200); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then
      sleep 0.5
      ready=$(sed -n 's/.*ready in \([0-9.]*\) s.*/\1/p' "$log" | head -1)
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "bench-serving: the $label server ($scorer) did not become ready; see $log" >&2
  tail -20 "$log" >&2
  exit 1
}

# run_wrk <threads> <connections> <body file> <path>: REPEATS runs, prints the median run's RESULT fields.
run_wrk() {
  local threads="$1" conns="$2" body="$3" path="$4" results=()
  BODY_FILE="$body" wrk -t"$threads" -c"$conns" -d3s -s scripts/wrk-post.lua "http://127.0.0.1:$port$path" >/dev/null
  for _ in $(seq 1 "$REPEATS"); do
    results+=("$(BODY_FILE="$body" wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency -s scripts/wrk-post.lua \
      "http://127.0.0.1:$port$path" | sed -n 's/^RESULT //p')")
  done
  printf '%s\n' "${results[@]}" | sort -t= -k2 -g | sed -n "$(( (REPEATS + 1) / 2 ))p"
}

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

report="$WORK/report.md"
{
  echo "# bench-serving ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk ${DURATION}s x $REPEATS, median run)"
  echo
  echo "| model | path | ready (s) | requests/s | p50 ms | p99 ms | errors | row/transform |"
  echo "|---|---|---|---|---|---|---|---|"
} >"$report"
batch_lines=()

for label in champion forest; do
  uri="$CHAMPION_URI"
  [[ "$label" == forest ]] && uri="$WORK/model-rf"
  echo "bench-serving: $label ($uri), row path"
  start_server "$label" "$uri" row
  row=$(run_wrk 2 "$CONNECTIONS" "$WORK/record.json" /predict)
  batch=$(run_wrk 1 2 "$WORK/batch-1000.json" /predict/batch)
  version=$(curl -fsS "http://127.0.0.1:$port/model" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p' | head -1)
  stop_server
  echo "bench-serving: $label, transform path"
  row_ready="$ready"
  start_server "$label" "$uri" transform
  transform=$(run_wrk 2 4 "$WORK/record.json" /predict)
  stop_server
  ratio=$(awk -v a="$(field rps "$row")" -v b="$(field rps "$transform")" 'BEGIN { printf "%.0f", a / b }')
  name="$label"
  [[ "$label" == champion ]] && name="champion (version $version)"
  echo "| $name | row | $row_ready | $(field rps "$row") | $(field p50_ms "$row") | $(field p99_ms "$row") | $(field errors "$row")/$(field non2xx "$row") | ${ratio}x |" >>"$report"
  echo "| $name | transform | $ready | $(field rps "$transform") | $(field p50_ms "$transform") | $(field p99_ms "$transform") | $(field errors "$transform")/$(field non2xx "$transform") | |" >>"$report"
  batch_lines+=("| $name | $(field rps "$batch") | $(awk -v r="$(field rps "$batch")" 'BEGIN { printf "%.0f", r * 1000 }') | $(field p50_ms "$batch") | $(field p99_ms "$batch") |")
done

{
  echo
  echo "POST /predict/batch with 1,000 records (1 thread, 2 connections):"
  echo
  echo "| model | batches/s | records/s | p50 ms | p99 ms |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${batch_lines[@]}"
  echo
  echo "Command: make bench-serving (scripts/bench-serving.sh); wrk -t2 -c$CONNECTIONS on the row path, -t2 -c4 on transform."
} >>"$report"
cat "$report"
