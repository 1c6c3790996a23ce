#!/usr/bin/env bash
# The last step of `make demo`: start the scoring service on the registered champion, wait until
# it is ready, send one real encounter to POST /predict, print the answer, stop the service.
#   scripts/demo-serve.sh <mlflow uri> <model name> <log dir>
set -euo pipefail
if [[ $# -ne 3 || "$1" == "--help" ]]; then
  echo "usage: scripts/demo-serve.sh <mlflow uri> <model name> <log dir>" >&2
  exit 2
fi
mlflow_uri="$1" model="$2" logs="$3"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${DEMO_SERVE_PORT:-8080}"
log="$logs/serve.log"
mkdir -p "$logs"
MLFLOW_TRACKING_URI="$mlflow_uri" MODEL_URI="models:/$model@champion" PORT="$port" HOST=127.0.0.1 \
  "$root/bin/health-predict-serve" >"$log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "serve: the service exited; see $log" >&2; tail -20 "$log" >&2; exit 1; }
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "serve: not ready after 60 s; see $log" >&2; exit 1; }
echo "serve: $(sed -n 's/.*\(ready in [0-9.]* s\).*/\1/p' "$log" | head -1) on http://127.0.0.1:$port (models:/$model@champion)"
echo "serve: POST /predict with conf/examples/predict-request.json ->"
curl -fsS -X POST -H 'Content-Type: application/json' --data-binary @"$root/conf/examples/predict-request.json" \
  "http://127.0.0.1:$port/predict"
echo
