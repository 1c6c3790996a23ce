""".github/workflows/ci-cd.yml: tests on every push; on main images, deploy, rollout wait, smoke test, rollback.

GitHub Actions cannot run here; this checks the workflow's structure and that the commands it calls exist
(`make test`, `make images`, the kustomize target), and that secrets appear by name only.
"""
import re
import subprocess

import yaml

from deploy_support import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci-cd.yml"


def load():
    wf = yaml.safe_load(WORKFLOW.read_text())
    return wf, wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key `on` as True


def steps_text(job):
    return "\n".join(s.get("run", "") + " " + str(s.get("uses", "")) for s in job["steps"])


def test_every_push_runs_make_test_and_main_deploys_with_rollback():
    wf, on = load()
    assert "push" in on and "pull_request" in on
    jobs = wf["jobs"]
    assert "make test" in steps_text(jobs["test"])
    assert "refs/heads/main" in jobs["images"]["if"] and jobs["images"]["needs"] == "test"
    assert "make images JIB_GOAL=build" in steps_text(jobs["images"])
    deploy = jobs["deploy"]
    assert deploy["needs"] == "images"
    names = [s.get("name", "") for s in deploy["steps"]]
    text = steps_text(deploy)
    assert "kustomize edit set image" in text and "kubectl apply -f -" in text
    assert "rollout status deployment/health-predict-serving" in text
    assert "/health/ready" in text and "/predict" in text, "smoke test on the real endpoints"
    rollback = deploy["steps"][names.index("Roll back on failure")]
    assert rollback["if"] == "failure()" and "rollout undo" in rollback["run"]


def test_secrets_are_referenced_by_name_only():
    text = WORKFLOW.read_text()
    assert not re.search(r"AKIA[0-9A-Z]{16}", text)
    assert set(re.findall(r"secrets\.([A-Z_]+)", text)) == {"AWS_DEPLOY_ROLE_ARN", "SMOKE_API_KEY"}
    wf, _ = load()
    for job in wf["jobs"].values():
        if "aws-actions/configure-aws-credentials@v4" in steps_text(job):
            assert job["permissions"]["id-token"] == "write", "OIDC, no stored AWS keys"


def test_make_targets_the_workflow_calls_exist():
    dry = subprocess.run(["make", "-n", "images", "IMAGE_REGISTRY=r.example", "IMAGE_TAG=t1"], cwd=ROOT,
                         capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert "-Djib.to.image=r.example/health-predict-serving:t1" in dry.stdout
    assert "-Djib.container.user=10001:10001" in dry.stdout and "-Djib.container.ports=8080" in dry.stdout
    assert "-Djib.to.image=r.example/health-predict-jobs:t1" in dry.stdout
    assert "opt/health-predict/health-predict-jobs.jar" in dry.stdout, "where spark-operator/ looks for the jar"
    assert "org.opencontainers.image.revision=" in dry.stdout
    assert subprocess.run(["make", "-n", ".tools/bin/kustomize-v5.7.1"], cwd=ROOT, capture_output=True).returncode == 0
