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
    # The images' configuration is in the poms (checked on the built images by test_deploy_images.py);
    # make passes the goal, the registry, the tag, the base and the commit to both modules.
    lines = [l for l in dry.stdout.replace("\\\n", " ").splitlines() if "jib:" in l]
    assert [("-pl serving" in l, "-pl jobs -Pspark-image" in l) for l in lines] == [(True, False), (False, True)]
    for line in lines:
        assert "jib:buildTar" in line and "-Dimage.registry=r.example -Dimage.tag=t1" in line
        assert "-Dimage.base=eclipse-temurin:17-jre" in line and re.search(r"-Dgit\.commit=[0-9a-f]{40}", line)
    push = subprocess.run(["make", "-n", "images", "JIB_GOAL=build"], cwd=ROOT, capture_output=True, text=True)
    assert push.returncode == 0 and push.stdout.count("jib:build ") == 2
    assert subprocess.run(["make", "-n", ".tools/bin/kustomize-v5.7.1"], cwd=ROOT, capture_output=True).returncode == 0
