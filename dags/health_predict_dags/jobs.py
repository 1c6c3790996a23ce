"""JobSubmitOperator: one subcommand of the jobs CLI, run by spark-submit on the jobs jar.

It is Airflow's own SparkSubmitOperator (master from the `spark_default` connection, the command line
in the task log and the rendered-template view), plus what the Health Predict jobs need:

* the Java 17 module flags (bin/lib/java-flags.sh) as driver and executor options, the project's
  log4j configuration, the driver bound to loopback in local mode;
* Spark properties from the Variable `health_predict_spark_conf` and S3A settings from the
  connection `health_predict_s3`, resolved when the task runs;
* `local[*]` when no `spark_default` connection exists (the provider would otherwise assume YARN);
* the job's result as XCom: each job prints one `<job>: OK key=value …` line, and `next-batch` / `drift`
  end with a status word (NO_MORE_DATA, DRIFT_DETECTED, NO_DRIFT) that the branches read.
"""
from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from health_predict_dags import settings

STATUS_WORDS = ("NO_MORE_DATA", "DRIFT_DETECTED", "NO_DRIFT")
_TOKEN = re.compile(r"(\w+)=(\S+)")
LOCAL_SPARK_CONN_ID = "health_predict_local_spark"
LOCAL_SPARK_ENV = "AIRFLOW_CONN_" + LOCAL_SPARK_CONN_ID.upper()


def parse_result(job: str, lines: Sequence[str]) -> dict[str, Any]:
    """The job's result from its stdout: the last `<job>: OK …` line as fields, and its status word.

    `tune: OK run=abc trials=6 …` gives {"job": "tune", "ok": "run=abc trials=6 …",
    "fields": {"run": "abc", "trials": "6", …}, "status": "OK"}. A status word printed alone on a line
    (NO_MORE_DATA, DRIFT_DETECTED, NO_DRIFT) becomes "status".
    """
    prefix = f"{job}: OK "
    ok = next((line[len(prefix):].strip() for line in reversed(lines) if line.startswith(prefix)), None)
    status = next((line.strip() for line in reversed(lines) if line.strip() in STATUS_WORDS), None)
    if ok is None and status is None:
        tail = "\n".join(lines[-15:])
        raise ValueError(f"{job} printed neither a '{prefix.strip()}' line nor a status word; last lines:\n{tail}")
    return {"job": job, "ok": ok, "fields": dict(_TOKEN.findall(ok or "")), "status": status or "OK"}


def java_flags(project_dir: str) -> list[str]:
    """The JVM flags Spark needs on Java 17: one list for every launcher, kept in bin/lib/java-flags.sh."""
    path = Path(project_dir) / "bin" / "lib" / "java-flags.sh"
    flags = [line.strip() for line in path.read_text().splitlines() if line.strip().startswith("-")]
    if not flags:
        raise ValueError(f"no JVM flags found in {path}")
    return flags


class JobSubmitOperator(SparkSubmitOperator):
    """Runs `health-predict <job> <args…>` through spark-submit and returns the job's result (see parse_result)."""

    ui_color = "#e8f0fe"

    def __init__(self, *, job: str, job_args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("name", f"health-predict-{job}")
        super().__init__(
            application=settings.var("health_predict_jobs_jar"),
            java_class=settings.CLI_MAIN,
            conn_id=settings.SPARK_CONN_ID,
            # job_args is a list of templated strings or an XComArg resolving to a list (see the DAGs' plan tasks).
            application_args=[job, *job_args] if isinstance(job_args, (list, tuple)) else job_args,
            **kwargs,
        )
        self.job = job
        self._lines: list[str] = []

    def execute(self, context: Any) -> dict[str, Any]:
        args = self.application_args or []
        if isinstance(args, str):  # a JSON list rendered by a template, e.g. from a plan task's XCom
            args = json.loads(args)
        # A template that renders to "" leaves an optional flag out.
        args = [str(a) for a in args if str(a) != ""]
        self.application_args = args if args[:1] == [self.job] else [self.job, *args]
        project = settings.get("health_predict_project_dir")
        flags = " ".join(java_flags(project) + [f"-Dlog4j2.configurationFile={project}/conf/log4j2.properties"])
        conf = {"spark.driver.extraJavaOptions": flags, "spark.executor.extraJavaOptions": flags,
                # Under spark-submit the jobs keep Spark's defaults: no progress bar in task logs, and fewer
                # shuffle partitions than 200 for this data (override both in health_predict_spark_conf).
                "spark.ui.showConsoleProgress": "false", "spark.sql.shuffle.partitions": "8"}
        conf.update(json.loads(settings.get("health_predict_spark_conf") or "{}"))
        conf.update(self.conf or {})
        spark = self._spark_connection()
        master = "local[*]" if spark is None else f"{spark.conn_type}://{spark.host}"
        # A driver on this machine's own cluster talks over loopback; elsewhere Spark picks the address.
        env = {"SPARK_LOCAL_IP": "127.0.0.1"} if re.search(r"local|127\.0\.0\.1|localhost", master) else {}
        env.update(self.env_vars or {})
        conf_s3, env_s3 = self._s3()
        conf.update(conf_s3)
        env.update(env_s3)
        self.conf, self.env_vars = conf, env
        # Not a templated field of the provider's operator: resolved here.
        self._driver_memory = self._driver_memory or settings.get("health_predict_driver_memory")
        self._lines = []
        super().execute(context)
        result = parse_result(self.job, self._lines)
        self.log.info("%s result: %s", self.job, json.dumps(result))
        return result

    def _get_hook(self):
        if self._spark_connection() is None:
            # Without it the provider would assume YARN; an environment connection is what Airflow itself reads.
            os.environ[LOCAL_SPARK_ENV] = json.dumps({"conn_type": "spark", "host": "local[*]"})
            self._conn_id = LOCAL_SPARK_CONN_ID
            self.log.info("no connection %r: spark-submit runs with --master local[*]", settings.SPARK_CONN_ID)
        hook = super()._get_hook()
        process = hook._process_spark_submit_log

        def recording(itr: Iterator[Any]) -> None:
            process(self._tee(itr))

        hook._process_spark_submit_log = recording
        return hook

    def _tee(self, itr: Iterator[Any]) -> Iterator[Any]:
        for line in itr:
            self._lines.append(str(line).rstrip("\n"))
            yield line

    @staticmethod
    def _spark_connection():
        from airflow.sdk import BaseHook

        try:
            return BaseHook.get_connection(settings.SPARK_CONN_ID)
        except Exception:  # AirflowNotFoundException; its module moved between Airflow versions
            return None

    def _s3(self) -> tuple[dict[str, str], dict[str, str]]:
        """S3A settings from the `health_predict_s3` connection; credentials go in the environment, not on the command line."""
        from airflow.sdk import BaseHook

        try:
            conn = BaseHook.get_connection(settings.S3_CONN_ID)
        except Exception:
            return {}, {}
        extra = conn.extra_dejson
        conf, env = {}, {}
        if extra.get("endpoint_url"):
            conf["spark.hadoop.fs.s3a.endpoint"] = extra["endpoint_url"]
        if extra.get("path_style_access"):
            conf["spark.hadoop.fs.s3a.path.style.access"] = "true"
        if conn.login:
            env["AWS_ACCESS_KEY_ID"] = conn.login
            env["AWS_SECRET_ACCESS_KEY"] = conn.password or ""
        return conf, env


def command_line(args: Sequence[str]) -> str:
    """Shell-quoted arguments, for log lines a person can paste."""
    return " ".join(shlex.quote(str(a)) for a in args)
