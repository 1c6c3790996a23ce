#!/usr/bin/env bash
# A real Spark standalone cluster on loopback: one master and N workers from the venv's PySpark
# (spark-class; the same Spark as the pom), for running the jobs and the DAGs against spark://.
#   scripts/spark-standalone.sh start|stop|status
#   scripts/spark-standalone.sh kill-worker N    lose worker N as a node would: kill -9 of its JVM and its
#                                                executors' JVMs at once, no goodbye to the master or driver
#   scripts/spark-standalone.sh start-worker N   start worker N again (the lost node comes back)
# Environment: SPARK_STANDALONE_DIR (state and logs, default out/spark-standalone), SPARK_MASTER_PORT
# (default 7077), SPARK_MASTER_WEBUI_PORT (default 8090), SPARK_WORKERS (default 2),
# SPARK_WORKER_CORES (default 1), SPARK_WORKER_MEMORY (default 2g), VENV (default .venv).
# `start` waits until every worker has registered and prints the master URL as its last line.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${SPARK_STANDALONE_DIR:-$root/out/spark-standalone}"
port="${SPARK_MASTER_PORT:-7077}"
ui="${SPARK_MASTER_WEBUI_PORT:-8090}"
workers="${SPARK_WORKERS:-2}"
venv="${VENV:-$root/.venv}"
master="spark://127.0.0.1:$port"
spark_class="$venv/bin/spark-class"
export SPARK_LOCAL_IP=127.0.0.1 SPARK_MASTER_HOST=127.0.0.1
# spark-class finds its jars through SPARK_HOME: the pyspark package of the venv.
[[ -x "$venv/bin/python" ]] && export SPARK_HOME="${SPARK_HOME:-$("$venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')}"

alive_workers() {
  curl -fsS -m 2 "http://127.0.0.1:$ui/json/" 2>/dev/null | python3 -c \
    'import json,sys; print(sum(w["state"] == "ALIVE" for w in json.load(sys.stdin)["workers"]))' 2>/dev/null || echo -1
}
daemon() {  # name, then the class and its arguments; pid in $dir/<name>.pid, log in $dir/<name>.log
  local name="$1"; shift
  nohup "$spark_class" "$@" >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}
start_worker() {  # N
  mkdir -p "$dir/work-$1"
  daemon "worker-$1" org.apache.spark.deploy.worker.Worker "$master" --host 127.0.0.1 --webui-port 0 \
    --cores "${SPARK_WORKER_CORES:-1}" --memory "${SPARK_WORKER_MEMORY:-2g}" --work-dir "$dir/work-$1"
}
stop_all() {
  local pidfile
  for pidfile in "$dir"/worker-*.pid "$dir"/master.pid; do
    [[ -f "$pidfile" ]] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

case "${1:-}" in
  start)
    [[ -x "$spark_class" ]] || { echo "spark-standalone: $spark_class not found; run 'make venv' (PySpark)" >&2; exit 1; }
    if [[ "$(alive_workers)" -ge 0 ]]; then echo "spark-standalone: a master already answers on :$ui" >&2; exit 1; fi
    mkdir -p "$dir"
    daemon master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port "$ui"
    for i in $(seq 1 "$workers"); do start_worker "$i"; done
    for _ in $(seq 1 120); do
      if [[ "$(alive_workers)" -ge "$workers" ]]; then
        echo "spark-standalone: master UI http://127.0.0.1:$ui, $workers workers, logs in $dir"
        echo "$master"; exit 0
      fi
      for pidfile in "$dir"/master.pid "$dir"/worker-*.pid; do
        if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
          echo "spark-standalone: $(basename "$pidfile" .pid) exited; last lines of its log:" >&2
          tail -20 "${pidfile%.pid}.log" >&2; stop_all; exit 1
        fi
      done
      sleep 1
    done
    echo "spark-standalone: $workers workers did not register in 120 s; see $dir/*.log" >&2; stop_all; exit 1 ;;
  kill-worker)
    pidfile="$dir/worker-${2:?usage: $0 kill-worker N}.pid"
    [[ -f "$pidfile" ]] || { echo "spark-standalone: no worker $2 in $dir" >&2; exit 1; }
    pid="$(cat "$pidfile")"
    # The executors are the worker's child JVMs; one kill -9 for all, so none outlives the node.
    executors="$(pgrep -P "$pid" | tr '\n' ' ' || true)"
    kill -9 "$pid" $executors
    rm -f "$pidfile"
    echo "spark-standalone: killed worker $2 (pid $pid) and its executors (pids ${executors:-none})" ;;
  start-worker)
    [[ -f "$dir/worker-${2:?usage: $0 start-worker N}.pid" ]] && kill -0 "$(cat "$dir/worker-$2.pid")" 2>/dev/null \
      && { echo "spark-standalone: worker $2 is running" >&2; exit 1; }
    start_worker "$2"
    # Its own log, not the master's count: the master may not have dropped the lost worker yet.
    for _ in $(seq 1 120); do
      if grep -q "Successfully registered with master" "$dir/worker-$2.log"; then
        echo "spark-standalone: worker $2 registered"; exit 0
      fi
      sleep 1
    done
    echo "spark-standalone: worker $2 did not register in 120 s; see $dir/worker-$2.log" >&2; exit 1 ;;
  stop)
    stop_all; echo "spark-standalone: stopped" ;;
  status)
    n="$(alive_workers)"
    if [[ "$n" -ge 0 ]]; then echo "spark-standalone: $master with $n alive workers"; else echo "spark-standalone: not running"; exit 1; fi ;;
  *)
    echo "usage: $0 start|stop|status|kill-worker N|start-worker N" >&2; exit 2 ;;
esac
