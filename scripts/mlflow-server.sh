#!/usr/bin/env bash
# Starts, stops or reports the local MLflow tracking server used by `make demo`.
#   scripts/mlflow-server.sh start|stop|status
# State lives in .mlflow/ (SQLite backend, artifacts served through the server's artifact proxy).
# Environment: MLFLOW_PORT (default 5000), MLFLOW_HOST (address to bind, default 127.0.0.1; e.g. the local
# cluster's pod bridge 10.244.0.1 so pods reach it), MLFLOW_STATE (state folder, default .mlflow).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${MLFLOW_PORT:-5000}"
host="${MLFLOW_HOST:-127.0.0.1}"
state="${MLFLOW_STATE:-$root/.mlflow}"
pidfile="$state/server.pid"
url="http://${host/#0.0.0.0/127.0.0.1}:$port"

running() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
healthy() { curl -fsS -m 2 "$url/health" >/dev/null 2>&1; }

case "${1:-}" in
  start)
    if healthy; then echo "mlflow: already serving at $url"; exit 0; fi
    mkdir -p "$state/artifacts"
    # No background job runner: it starts ~8 extra Python processes this server never needs.
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false nohup "$root/.venv/bin/mlflow" server \
      --backend-store-uri "sqlite:///$state/mlflow.db" \
      --artifacts-destination "$state/artifacts" --serve-artifacts \
      --host "$host" --port "$port" --workers 1 >"$state/server.log" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 120); do
      if healthy; then echo "mlflow: serving at $url (log: $state/server.log)"; exit 0; fi
      running || { echo "mlflow: server exited; last lines of $state/server.log:" >&2; tail -20 "$state/server.log" >&2; exit 1; }
      sleep 1
    done
    echo "mlflow: no answer at $url after 120 s; see $state/server.log" >&2; exit 1 ;;
  stop)
    if running; then kill "$(cat "$pidfile")"; rm -f "$pidfile"; echo "mlflow: stopped"; else echo "mlflow: not running"; fi ;;
  status)
    if healthy; then echo "mlflow: serving at $url"; else echo "mlflow: not running at $url"; exit 1; fi ;;
  *)
    echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
