#!/bin/bash
# Entry point of the health-predict-jobs image, written for Spark on Kubernetes' container contract:
# Spark (and the Spark operator) start the driver pod with `driver <spark-submit arguments>` and the
# executor pods with `executor`, the executor's settings in SPARK_* environment variables. Any other
# first argument runs as a plain command (e.g. `java -version`, `bash`).
#
# It differs from the script in Apache Spark's images on purpose:
#   - no spark-submit / spark-class shell scripts: the driver's java command is built by Spark's own
#     launcher library (org.apache.spark.launcher.Main, what bin/spark-class runs), so spark.driver.memory,
#     spark.driver.extraJavaOptions and Spark's Java 17 module flags apply exactly as with spark-submit;
#   - no tini: the JVM runs as PID 1 (it handles SIGTERM itself; Java jobs start no child processes);
#   - /etc/passwd is not written at run time (the image's files belong to root): the image ships an
#     entry for its user 185 (spark), which Hadoop's login needs; a pod must not pick another runAsUser.
set -euo pipefail

: "${SPARK_HOME:=/opt/spark}"
: "${JAVA_HOME:?JAVA_HOME is not set: the base image must declare it}"
export SPARK_HOME
export SPARK_SCALA_VERSION="${SPARK_SCALA_VERSION:-2.13}"

classpath="${SPARK_CONF_DIR:-$SPARK_HOME/conf}"
[[ -n "${HADOOP_CONF_DIR:-}" ]] && classpath="$classpath:$HADOOP_CONF_DIR"
classpath="$classpath:$SPARK_HOME/jars/*"
[[ -n "${SPARK_EXTRA_CLASSPATH:-}" ]] && classpath="$classpath:$SPARK_EXTRA_CLASSPATH"
[[ -n "${SPARK_DIST_CLASSPATH:-}" ]] && classpath="$classpath:$SPARK_DIST_CLASSPATH"

case "${1:-}" in
  driver)
    shift
    launcher() {
      "$JAVA_HOME/bin/java" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main \
        org.apache.spark.deploy.SparkSubmit \
        --conf "spark.driver.bindAddress=${SPARK_DRIVER_BIND_ADDRESS:-0.0.0.0}" \
        --deploy-mode client "$@"
      printf '%d\0' $?
    }
    # The launcher prints notes line by line, then a line holding only NUL, then the driver's command with
    # each argument ended by NUL; we append its exit status the same way.
    command=()
    delimiter=$'\n'
    while IFS= read -r -d "$delimiter" arg; do
      if [[ -z "$delimiter" ]]; then
        command+=("$arg")
      elif [[ -z "$arg" ]]; then
        delimiter=''  # the NUL line (bash drops the NUL byte): arguments follow
      else
        echo "$arg" >&2
      fi
    done < <(launcher "$@")
    status=none
    (( ${#command[@]} > 0 )) && status="${command[${#command[@]}-1]}"
    if [[ "$status" != 0 || ${#command[@]} -lt 2 ]]; then
      echo "entrypoint: Spark's launcher failed (status $status); see above" >&2
      exit 1
    fi
    unset 'command[-1]'
    exec "${command[@]}"
    ;;
  executor)
    shift
    # Spark passes the executor's JVM options as SPARK_JAVA_OPT_0, SPARK_JAVA_OPT_1, ... in that order.
    java_opts=()
    while IFS= read -r line; do java_opts+=("${line#*=}"); done < <(
      env | grep '^SPARK_JAVA_OPT_[0-9]*=' | sort -t_ -k4 -n || true)
    exec "$JAVA_HOME/bin/java" "${java_opts[@]}" \
      -Xms"${SPARK_EXECUTOR_MEMORY:?}" -Xmx"$SPARK_EXECUTOR_MEMORY" -cp "$classpath" \
      org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend \
      --driver-url "${SPARK_DRIVER_URL:?}" --executor-id "${SPARK_EXECUTOR_ID:?}" \
      --cores "${SPARK_EXECUTOR_CORES:?}" --app-id "${SPARK_APPLICATION_ID:?}" \
      --hostname "${SPARK_EXECUTOR_POD_IP:?}" --resourceProfileId "${SPARK_RESOURCE_PROFILE_ID:-0}" \
      --podName "${SPARK_EXECUTOR_POD_NAME:-$HOSTNAME}"
    ;;
  "")
    echo "usage: driver <spark-submit arguments> | executor | <command> [args...]" >&2
    exit 2
    ;;
  *)
    exec "$@"
    ;;
esac
