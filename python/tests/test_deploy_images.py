"""The Jib images (`make images-test`: serving/target/jib-image.tar, jobs/target/jib-image.tar).

No Docker engine or registry exists here, so the images are built on a JRE base assembled from Debian's
packages (scripts/jib-base-image.py) and checked the way a runtime would see them:
- the image config: non-root user, entrypoint, JVM flags, exposed port, environment, labels (version and
  git commit), and the size budget stated in docs/deploy.md;
- the file system the layers make: the Spark home of the jobs image, passwd entries, permissions;
- running them: every layer unpacked into a root file system, the entrypoint started with the config's
  user, environment and working directory under chroot (with /proc and /etc/hosts, as a container runtime
  provides): the service answers its health endpoints; the jobs image runs a real `split` as a Spark
  driver and starts Spark's Kubernetes executor backend.
The config checker is also shown to reject broken configs.
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import _free_port
from deploy_support import ROOT

IMAGES = {"serving": ROOT / "serving" / "target" / "jib-image.tar",
          "jobs": ROOT / "jobs" / "target" / "jib-image.tar"}
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
SAMPLE = ROOT / "data" / "sample" / "diabetic_data_sample.csv"


def pom_property(name: str) -> str:
    return re.search(rf"<{re.escape(name)}>([^<]+)</{re.escape(name)}>", (ROOT / "pom.xml").read_text()).group(1)


def project_version() -> str:
    text = (ROOT / "pom.xml").read_text()
    return re.search(r"<artifactId>health-predict-parent</artifactId>\s*<version>([^<]+)</version>", text).group(1)


def spark_java_flags() -> list[str]:
    """The JVM flags the launchers use (bin/lib/java-flags.sh), the list the serving entrypoint must carry."""
    body = (ROOT / "bin" / "lib" / "java-flags.sh").read_text().split("spark_java_flags=(", 1)[1].split(")", 1)[0]
    return body.split()


def git_head() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.strip()


def size_budget_mb() -> dict[str, int]:
    """The budgets as docs/deploy.md states them: 'Size budget ... serving ≤ N MB, jobs ≤ M MB'."""
    line = next(l for l in DEPLOY_DOC.read_text().splitlines() if "Size budget" in l)
    return {name: int(re.search(rf"{name}[^0-9]*≤\s*(\d+)\s*MB", line).group(1)) for name in IMAGES}


class Image:
    """One `docker save`-format tar as Jib writes it: manifest, config and gzipped layers."""

    def __init__(self, path: Path):
        if not path.is_file():
            raise RuntimeError(f"{path} is missing: run `make images-test` (make test does it)")
        self.path = path
        with tarfile.open(path) as tar:
            self.manifest = json.load(tar.extractfile("manifest.json"))[0]
            self.config = json.load(tar.extractfile(self.manifest["Config"]))

    def layers(self):
        with tarfile.open(self.path) as outer:
            for name in self.manifest["Layers"]:
                with tarfile.open(fileobj=outer.extractfile(name), mode="r:*") as layer:
                    yield layer

    @lru_cache(maxsize=None)
    def files(self) -> dict[str, tarfile.TarInfo]:
        """Path → entry of the file system the layers make (later layers win), and the unpacked size."""
        entries: dict[str, tarfile.TarInfo] = {}
        for layer in self.layers():
            for member in layer:
                entries["/" + member.name.lstrip("./")] = member
        return entries

    def unpacked_bytes(self) -> int:
        return sum(m.size for m in self.files().values() if m.isfile())

    def unpack(self, into: Path):
        for layer in self.layers():
            # Our own images, into a fresh directory: keep every mode as is (/tmp 1777, work-dir 777), which
            # the safer filters would clear, and absolute symlinks, which resolve inside the chroot.
            layer.extractall(into, filter="fully_trusted")


@lru_cache(maxsize=None)
def load(name: str) -> Image:
    return Image(IMAGES[name])


SPECS = {
    "serving": {
        "user": "10001:10001",
        "entrypoint_head": ["java", "-XX:MaxRAMPercentage=75"],
        "entrypoint_tail": ["-cp", "@/app/jib-classpath-file", "org.healthpredict.serving.ServingMain"],
        # The throughput collector, as bin/health-predict-serve runs it (docs/benchmarks.md, bench-serving).
        "jvm_flags": spark_java_flags() + ["-XX:+UseParallelGC"],
        "ports": {"8080/tcp"},
        "env": {"PORT": "8080"},
        "labels": {"org.healthpredict.health.liveness": "/health/live",
                   "org.healthpredict.health.readiness": "/health/ready"},
    },
    "jobs": {
        "user": "185:185",
        "entrypoint": ["/opt/entrypoint.sh"],
        "ports": set(),
        "env": {"SPARK_HOME": "/opt/spark"},
        "labels": {"org.healthpredict.spark.version": pom_property("spark.version"),
                   "org.healthpredict.jobs.jar": "/opt/health-predict/health-predict-jobs.jar"},
    },
}


def config_problems(config: dict, spec: dict, version: str, commit: str) -> list[str]:
    """Everything in an image config that differs from what the deployment expects ([] when right)."""
    problems = []
    c = config.get("config", {})
    user = c.get("User") or ""
    if user != spec["user"]:
        problems.append(f"user is {user!r}, expected {spec['user']!r}")
    if not re.fullmatch(r"[1-9][0-9]*(:[1-9][0-9]*)?", user):
        problems.append(f"user {user!r} is not a numeric non-root UID (runAsNonRoot needs one)")
    entrypoint = c.get("Entrypoint") or []
    if "entrypoint" in spec and entrypoint != spec["entrypoint"]:
        problems.append(f"entrypoint is {entrypoint}, expected {spec['entrypoint']}")
    if "entrypoint_head" in spec and entrypoint[:len(spec["entrypoint_head"])] != spec["entrypoint_head"]:
        problems.append(f"entrypoint starts {entrypoint[:2]}, expected {spec['entrypoint_head']}")
    if "entrypoint_tail" in spec and entrypoint[-len(spec["entrypoint_tail"]):] != spec["entrypoint_tail"]:
        problems.append(f"entrypoint ends {entrypoint[-3:]}, expected {spec['entrypoint_tail']}")
    missing_flags = [f for f in spec.get("jvm_flags", []) if f not in entrypoint]
    if missing_flags:
        problems.append(f"JVM flags missing from the entrypoint: {missing_flags}")
    if c.get("Cmd"):
        problems.append(f"unexpected Cmd {c['Cmd']}")
    ports = set(c.get("ExposedPorts") or {})
    if ports != spec["ports"]:
        problems.append(f"exposed ports {sorted(ports)}, expected {sorted(spec['ports'])}")
    env = dict(e.split("=", 1) for e in c.get("Env") or [])
    for key, value in spec["env"].items():
        if env.get(key) != value:
            problems.append(f"env {key}={env.get(key)!r}, expected {value!r}")
    if not env.get("JAVA_HOME") or f"{env.get('JAVA_HOME')}/bin" not in env.get("PATH", ""):
        problems.append("JAVA_HOME unset or its bin not on PATH")
    labels = c.get("Labels") or {}
    expected = {"org.opencontainers.image.version": version, "org.opencontainers.image.revision": commit,
                **spec["labels"]}
    for key, value in expected.items():
        if labels.get(key) != value:
            problems.append(f"label {key}={labels.get(key)!r}, expected {value!r}")
    return problems


@pytest.fixture(scope="module", params=sorted(IMAGES))
def image(request):
    return request.param, load(request.param)


def test_image_config_is_what_the_deployment_expects(image):
    name, img = image
    assert config_problems(img.config, SPECS[name], project_version(), git_head()) == []
    assert img.config["os"] == "linux" and img.config["architecture"] in ("amd64", "arm64")


def test_config_check_rejects_broken_configs():
    """The checker is not vacuous: each broken field of the real configs is reported."""
    version, commit = project_version(), git_head()
    serving = load("serving").config
    jobs = load("jobs").config

    def broken(config, change):
        config = copy.deepcopy(config)
        change(config["config"])
        return config

    cases = [
        (serving, SPECS["serving"], lambda c: c.update(User="0"), "non-root"),
        (serving, SPECS["serving"], lambda c: c.pop("User"), "user is ''"),
        (jobs, SPECS["jobs"], lambda c: c.update(User="root"), "non-root"),
        (serving, SPECS["serving"], lambda c: c.pop("ExposedPorts"), "exposed ports"),
        (serving, SPECS["serving"], lambda c: c.update(ExposedPorts={"8081/tcp": {}}), "exposed ports"),
        (serving, SPECS["serving"], lambda c: c["Entrypoint"].remove("-XX:MaxRAMPercentage=75"), "entrypoint starts"),
        (serving, SPECS["serving"], lambda c: c["Entrypoint"].remove("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"),
         "JVM flags missing"),
        (serving, SPECS["serving"], lambda c: c["Entrypoint"].__setitem__(-1, "Other"), "entrypoint ends"),
        (jobs, SPECS["jobs"], lambda c: c.update(Entrypoint=["java", "-jar", "x.jar"]), "entrypoint is"),
        (jobs, SPECS["jobs"], lambda c: c["Labels"].update({"org.opencontainers.image.revision": "unknown"}),
         "org.opencontainers.image.revision"),
        (serving, SPECS["serving"], lambda c: c["Labels"].pop("org.opencontainers.image.version"),
         "org.opencontainers.image.version"),
        (jobs, SPECS["jobs"], lambda c: c.update(Env=[e for e in c["Env"] if not e.startswith("SPARK_HOME=")]),
         "env SPARK_HOME"),
    ]
    for config, spec, change, expected in cases:
        problems = config_problems(broken(config, change), spec, version, commit)
        assert any(expected in p for p in problems), (expected, problems)


def test_images_fit_the_size_budget_in_the_readme(image):
    name, img = image
    budget = size_budget_mb()[name]
    compressed = img.path.stat().st_size / 1e6
    print(f"{name}: {compressed:.0f} MB compressed (budget {budget} MB), {img.unpacked_bytes() / 1e6:.0f} MB unpacked")
    assert compressed <= budget, f"{name} image is {compressed:.0f} MB, over the budget in docs/deploy.md of {budget} MB"


def test_serving_file_system():
    files = load("serving").files()
    assert "/app/classes/org/healthpredict/serving/ServingMain.class" in files
    libs = [p for p in files if p.startswith("/app/libs/")]
    for jar in ("javalin-", f"spark-mllib_2.13-{pom_property('spark.version')}.jar", "prometheus-metrics-core-"):
        assert any(jar in p for p in libs), jar
    assert "/app/conf/log4j2.properties" in files
    assert files["/app/jib-classpath-file"].isfile()


def test_jobs_file_system_is_a_spark_home():
    files = load("jobs").files()
    spark = pom_property("spark.version")
    entrypoint = files["/opt/entrypoint.sh"]
    assert entrypoint.mode & 0o777 == 0o755
    assert files["/opt/spark/work-dir"].isdir() and files["/opt/spark/work-dir"].mode & 0o777 == 0o777
    assert "/opt/spark/RELEASE" in files, "Spark's launcher looks for jars/ beside RELEASE"
    assert files["/opt/health-predict/health-predict-jobs.jar"].size > 1_000_000
    jars = {Path(p).name for p in files if p.startswith("/opt/spark/jars/")}
    assert {f"spark-core_2.13-{spark}.jar", f"spark-kubernetes_2.13-{spark}.jar",
            f"spark-mllib_2.13-{spark}.jar", f"hadoop-aws-{pom_property('hadoop.version')}.jar"} <= jars
    # Exactly the Spark jars bin/health-predict runs with (same versions), none missing.
    provided = {Path(p).name for p in (ROOT / "jobs" / "target" / "classpath-provided.txt").read_text().strip().split(":")}
    assert provided - jars == set()
    assert not any(j.startswith(("health-predict-", "picocli-")) for j in jars), "those live in the jobs jar"


# ---- running the images -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rootfs(tmp_path_factory):
    """Unpacks an image once per module; gives the root file system and the config."""
    if os.geteuid() != 0:
        pytest.fail("running the images needs root (chroot into the unpacked image); CI runs as root")
    made = {}

    def unpack(name):
        if name not in made:
            img = load(name)
            root = tmp_path_factory.mktemp(f"rootfs-{name}")
            img.unpack(root)
            # What a container runtime provides: /etc/hosts naming the host, /proc (mounted per run).
            (root / "etc" / "hosts").write_text(f"127.0.0.1 localhost {socket.gethostname()}\n")
            made[name] = (root, img.config["config"])
        return made[name]

    yield unpack
    for root, _ in made.values():
        shutil.rmtree(root, ignore_errors=True)


def container_command(root: Path, config: dict, args: list[str] | None = None, env: dict | None = None,
                      entrypoint: list[str] | None = None) -> list[str]:
    """The process a runtime starts: entrypoint + args as the config's user, env and working directory."""
    environment = dict(e.split("=", 1) for e in config.get("Env", []))
    environment.update(env or {})
    return ["unshare", "--mount", "--pid", "--fork", "--kill-child", f"--mount-proc={root}/proc",
            "chroot", f"--userspec={config['User']}", str(root),
            "/usr/bin/env", "-i", "-C", config.get("WorkingDir") or "/",
            *[f"{k}={v}" for k, v in environment.items()],
            *(entrypoint or config["Entrypoint"]), *(args or [])]


def test_passwd_names_the_image_user(rootfs):
    """Hadoop's login fails with 'Invalid UID' for a UID without a passwd entry."""
    for name in IMAGES:
        root, config = rootfs(name)
        uid = config["User"].split(":")[0]
        entries = (root / "etc" / "passwd").read_text().splitlines()
        assert any(e.split(":")[2] == uid for e in entries), (name, entries)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_serving_image_starts_and_answers_its_health_endpoints(rootfs, tmp_path):
    root, config = rootfs("serving")
    port = _free_port()
    log = tmp_path / "serving.log"
    # No model here: the service must still come up live (not ready) and say why the model did not load.
    command = container_command(root, config, env={"PORT": str(port), "HOST": "127.0.0.1",
                                                   "MODEL_URI": "/models/absent", "SHUTDOWN_DELAY_SECONDS": "1"})
    with open(log, "w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        live = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                live = get(f"http://127.0.0.1:{port}/health/live")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(1)
        assert live and live[0] == 200, (live, log.read_text()[-3000:])
        ready = get(f"http://127.0.0.1:{port}/health/ready")
        assert ready[0] == 503 and "no model" in ready[1], ready
        for _ in range(60):  # the first load attempt runs in the background
            if "model load" in log.read_text():
                break
            time.sleep(1)
        text = log.read_text()
        assert "model load" in text, text[-3000:]
        assert "Invalid UID" not in text, "Hadoop could not name the image's user"
        assert f"listening on http://127.0.0.1:{port}" in text
    finally:
        # As a runtime stops a container: SIGTERM to its PID 1, the JVM (unshare itself ignores SIGTERM).
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        pids = children.read_text().split() if children.exists() else []
        for pid in pids:
            os.kill(int(pid), signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert pids, "the service's JVM was not running"
    assert proc.returncode in (0, 143), (proc.returncode, log.read_text()[-3000:])  # SIGTERM: drained and stopped


def test_jobs_image_runs_split_as_a_spark_driver(rootfs):
    """`driver <spark-submit args>`, as Spark on Kubernetes starts the driver pod, on the bundled sample."""
    root, config = rootfs("jobs")
    shutil.copy(SAMPLE, root / "tmp" / "sample.csv")
    args = ["driver", "--master", "local[1]", "--conf", "spark.ui.enabled=false",
            "--class", "org.healthpredict.jobs.HealthPredictCli",
            "local:///opt/health-predict/health-predict-jobs.jar",
            "split", "--input", "file:///tmp/sample.csv", "--output", "file:///tmp/split"]
    # On Kubernetes, Spark sets SPARK_DRIVER_BIND_ADDRESS to the pod's IP; here the loopback.
    run = subprocess.run(container_command(root, config, args, env={"SPARK_DRIVER_BIND_ADDRESS": "127.0.0.1",
                                                                     "SPARK_LOCAL_IP": "127.0.0.1"}),
                         capture_output=True, text=True, timeout=400)
    assert run.returncode == 0, run.stderr[-4000:]
    assert re.search(r"^split: OK read=\d+ ", run.stdout, re.M), run.stdout
    assert (root / "tmp" / "split" / "manifest.json").is_file()


def test_jobs_image_starts_spark_kubernetes_executor_backend(rootfs):
    """`executor` with the variables Spark sets on executor pods: the backend starts, applies the
    SPARK_JAVA_OPT_n options and memory, and dials the driver (absent here, so it gives up)."""
    root, config = rootfs("jobs")
    port = _free_port()  # nothing listens there
    env = {"SPARK_JAVA_OPT_0": "-XX:+PrintCommandLineFlags", "SPARK_JAVA_OPT_1": "-Dspark.test.option=1",
           "SPARK_EXECUTOR_MEMORY": "300m", "SPARK_DRIVER_URL": f"spark://CoarseGrainedScheduler@127.0.0.1:{port}",
           "SPARK_EXECUTOR_ID": "1", "SPARK_EXECUTOR_CORES": "1", "SPARK_APPLICATION_ID": "spark-test",
           "SPARK_EXECUTOR_POD_IP": "127.0.0.1", "SPARK_RESOURCE_PROFILE_ID": "0",
           "SPARK_EXECUTOR_POD_NAME": "test-exec-1", "SPARK_LOCAL_IP": "127.0.0.1"}
    run = subprocess.run(container_command(root, config, ["executor"], env=env), capture_output=True, text=True,
                         timeout=300)
    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert "-XX:MaxHeapSize=314572800" in output and "-XX:+PrintCommandLineFlags" in output, output[-3000:]
    assert "KubernetesExecutorBackend: Started daemon" in output, output[-3000:]
    assert f"Failed to connect to /127.0.0.1:{port}" in output, output[-3000:]


def test_jobs_entrypoint_passes_other_commands_through(rootfs):
    root, config = rootfs("jobs")
    run = subprocess.run(container_command(root, config, ["java", "-version"]), capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and 'version "17' in run.stderr, run.stderr
    bad = subprocess.run(container_command(root, config, []), capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "usage:" in bad.stderr
