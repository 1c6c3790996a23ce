"""spark-operator/: the SparkApplications are valid against the operator's CRD schemas and run our jar right.

The CRDs (spark-operator/crds/, sparkoperator.k8s.io/v1beta2) are applied the way the API
server does with strict field validation; RBAC and ConfigMap are checked against the official Kubernetes
schemas. The arguments are checked against the jobs CLI itself (`bin/health-predict <job> --help`).
"""
import copy
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from deploy_support import ROOT, key_of, kustomize_build, validate_builtin_object, validate_crd_object

SPARK_KINDS = {"SparkApplication", "ScheduledSparkApplication"}
POM = ET.parse(ROOT / "pom.xml").getroot()
NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def pom_property(name):
    return POM.find(f"m:properties/m:{name}", NS).text


@pytest.fixture(scope="module")
def docs():
    return kustomize_build(ROOT / "spark-operator")


def apps(docs):
    """(name, SparkApplicationSpec) of every application, scheduled ones through their template."""
    for d in docs:
        if d["kind"] == "SparkApplication":
            yield d["metadata"]["name"], d["spec"]
        elif d["kind"] == "ScheduledSparkApplication":
            yield d["metadata"]["name"], d["spec"]["template"]


def validate(d):
    return validate_crd_object(d) if d["kind"] in SPARK_KINDS else validate_builtin_object(d)


def test_every_object_is_valid(docs):
    kinds = sorted(key_of(d) for d in docs)
    assert kinds == ["ConfigMap/health-predict-jobs-config", "Namespace/health-predict-jobs",
                     "Role/health-predict-spark-driver", "RoleBinding/health-predict-spark-driver",
                     "ScheduledSparkApplication/health-predict-drift", "ServiceAccount/health-predict-spark",
                     "SparkApplication/health-predict-register", "SparkApplication/health-predict-split",
                     "SparkApplication/health-predict-tune"]
    assert {key_of(d): validate(d) for d in docs} == {key_of(d): [] for d in docs}


@pytest.mark.parametrize("label, mutate, expected", [
    ("unknown top-level field", lambda s: s.__setitem__("drivers", {}), "'drivers' was unexpected"),
    ("unknown nested field", lambda s: s["driver"]["envFrom"][0]["configMapRef"].__setitem__("nmae", "x"), "'nmae' was unexpected"),
    ("enum", lambda s: s.__setitem__("type", "Jaava"), "'Jaava' is not one of"),
    ("type", lambda s: s["driver"].__setitem__("cores", "1"), "'1' is not of type 'integer'"),
    ("required", lambda s: s.pop("mainApplicationFile"), "'mainApplicationFile' is a required property"),
    ("minimum", lambda s: s["restartPolicy"].__setitem__("onFailureRetryInterval", 0), "less than the minimum of 1"),
    ("dynamic allocation field", lambda s: s.__setitem__("dynamicAllocation", {"enabled": True, "maxExecutor": 2}), "'maxExecutor' was unexpected"),
])
def test_a_wrong_field_is_rejected(docs, label, mutate, expected):
    for d in docs:
        if d["kind"] not in SPARK_KINDS:
            continue
        broken = copy.deepcopy(d)
        mutate(broken["spec"] if d["kind"] == "SparkApplication" else broken["spec"]["template"])
        errors = validate_crd_object(broken)
        assert any(expected in e for e in errors), f"{label} in {key_of(d)}: {errors}"


def test_a_scheduled_application_needs_a_schedule(docs):
    scheduled = copy.deepcopy(next(d for d in docs if d["kind"] == "ScheduledSparkApplication"))
    scheduled["spec"].pop("schedule")
    assert any("'schedule' is a required property" in e for e in validate_crd_object(scheduled))
    scheduled["spec"]["schedule"] = 6
    assert any("is not of type 'string'" in e for e in validate_crd_object(scheduled))


def test_every_application_runs_the_jobs_jar_with_java17_flags(docs):
    flags = " ".join(pom_property("spark.java17.flags").split())
    for name, spec in apps(docs):
        assert spec["type"] == "Java" and spec["mode"] == "cluster", name
        assert spec["sparkVersion"] == pom_property("spark.version"), name
        assert spec["mainClass"] == "org.healthpredict.jobs.HealthPredictCli", name
        assert spec["mainApplicationFile"] == "local:///opt/health-predict/health-predict-jobs.jar", name
        assert spec["image"].startswith("health-predict-jobs:"), name
        assert spec["sparkConf"]["spark.driver.extraJavaOptions"] == flags, name
        assert spec["sparkConf"]["spark.executor.extraJavaOptions"] == flags, name
        assert spec["driver"]["serviceAccount"] == "health-predict-spark", name
        for role in ("driver", "executor"):
            refs = spec[role]["envFrom"]
            assert {"configMapRef": {"name": "health-predict-jobs-config"}} in refs, name
            assert {"secretRef": {"name": "health-predict-s3", "optional": True}} in refs, name


def test_mlflow_and_s3_settings_come_from_the_cluster(docs):
    config = next(d for d in docs if d["kind"] == "ConfigMap")
    assert config["data"]["MLFLOW_TRACKING_URI"].startswith("http")
    sa = next(d for d in docs if d["kind"] == "ServiceAccount")
    assert "eks.amazonaws.com/role-arn" in sa["metadata"]["annotations"]
    for name, spec in apps(docs):
        provider = spec["sparkConf"]["spark.hadoop.fs.s3a.aws.credentials.provider"]
        assert provider == "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider", name
        assert all(not a.startswith("s3://") for a in spec["arguments"]), "Hadoop reads s3a://"


def test_driver_may_manage_its_executors_and_nothing_more(docs):
    role = next(d for d in docs if d["kind"] == "Role")
    binding = next(d for d in docs if d["kind"] == "RoleBinding")
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "health-predict-spark",
                                    "namespace": "health-predict-jobs"}]
    pods = next(r for r in role["rules"] if "pods" in r["resources"])
    assert {"create", "delete", "get", "list", "watch"} <= set(pods["verbs"])
    assert all("*" not in r["verbs"] and "*" not in r["resources"] and "secrets" not in r["resources"]
               for r in role["rules"])


def test_tune_shares_elastic_executors_between_trials(docs):
    spec = dict(apps(docs))["health-predict-tune"]
    assert spec["sparkConf"]["spark.scheduler.mode"] == "FAIR"
    dyn = spec["dynamicAllocation"]
    assert dyn["enabled"] and dyn["shuffleTrackingEnabled"] and dyn["minExecutors"] <= dyn["maxExecutors"]
    assert spec["sparkUIOptions"]["servicePort"] == 4040
    assert spec["restartPolicy"]["type"] == "Never", "a crashed sweep is resumed with --resume, not restarted"


def test_drift_check_is_scheduled_daily_without_overlap(docs):
    scheduled = next(d for d in docs if d["kind"] == "ScheduledSparkApplication")["spec"]
    assert re.fullmatch(r"\S+ \S+ \S+ \S+ \S+", scheduled["schedule"])
    assert scheduled["concurrencyPolicy"] == "Forbid"
    assert scheduled["template"]["arguments"][0] == "drift"


def cli_help(*args):
    out = subprocess.run([str(ROOT / "bin" / "health-predict"), *args, "--help"],
                         capture_output=True, text=True, timeout=120)
    return out.returncode, out.stdout + out.stderr


@pytest.mark.parametrize("app", ["health-predict-split", "health-predict-tune", "health-predict-register",
                                 "health-predict-drift"])
def test_arguments_are_options_the_job_accepts(docs, app):
    if not (ROOT / "jobs" / "target" / "health-predict-jobs.jar").exists():
        raise RuntimeError("jobs jar not built; run `make build` first")
    arguments = dict(apps(docs))[app]["arguments"]
    subcommand, options = arguments[0], [a for a in arguments[1:] if a.startswith("--")]
    commands = re.findall(r"^  ([a-z-]+)  ", cli_help("--help")[1], flags=re.M)
    assert subcommand in commands, commands
    code, text = cli_help(subcommand)
    assert code == 0, text
    for option in options:
        assert re.search(re.escape(option) + r"[=\s\]]", text), f"{app}: {subcommand} has no option {option}"
