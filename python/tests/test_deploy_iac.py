"""iac/: OpenTofu formatting and syntax, references, the template, and the security rules of the deployment.

What runs here: `tofu fmt -check` (OpenTofu parses every file; a syntax error or unformatted file fails),
and static checks on the parsed HCL (python-hcl2): every var./local./module./resource reference is
declared, variables and outputs are described, the host's user data renders and passes `bash -n`, and
the buckets, ECR repositories, IAM policies and host follow the rules docs/deploy.md states.
What cannot run here: `tofu init` / `tofu validate` / `plan` need the hashicorp/aws provider binary,
which comes from the OpenTofu registry (unreachable from these machines) and is too large to build from
source in CI. `make iac-validate` runs them on a machine that can reach the registry (docs/deploy.md).
"""
import re
import shutil
import subprocess
from pathlib import Path

import hcl2
import pytest

from deploy_support import ROOT, tool

IAC = ROOT / "iac"
MODULES = [IAC, IAC / "modules" / "eks"]


def unquote(node):
    if isinstance(node, dict):
        return {k.strip('"'): unquote(v) for k, v in node.items() if k != "__comments__"}
    if isinstance(node, list):
        return [unquote(v) for v in node]
    if isinstance(node, str) and len(node) >= 2 and node[0] == node[-1] == '"':
        return node[1:-1]
    return node


def load(module: Path) -> dict:
    """Blocks of one module: {'variable': {name: body}, 'resource': {(type, name): body}, ...}."""
    out = {"variable": {}, "output": {}, "locals": {}, "module": {}, "resource": {}, "data": {}}
    for f in sorted(module.glob("*.tf")):
        parsed = unquote(hcl2.load(f.open()))
        for kind in ("variable", "output", "module"):
            for block in parsed.get(kind, []):
                out[kind].update(block)
        for block in parsed.get("locals", []):
            out["locals"].update(block)
        for kind in ("resource", "data"):
            for block in parsed.get(kind, []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        out[kind][(rtype, name)] = body
    return out


def tofu(*args, cwd=IAC, config=None):
    env = {"TF_CLI_CONFIG_FILE": str(config or "/dev/null"), "PATH": "/usr/bin:/bin", "TF_IN_AUTOMATION": "1"}
    return subprocess.run([str(tool("tofu")), *args], cwd=cwd, capture_output=True, text=True, env=env)


def test_tofu_fmt_check_passes_and_catches_bad_files(tmp_path):
    ok = tofu("fmt", "-check", "-recursive", "-diff", ".")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    copy = tmp_path / "iac"
    shutil.copytree(IAC, copy, ignore=shutil.ignore_patterns(".terraform*", "tools"))
    (copy / "s3.tf").write_text((copy / "s3.tf").read_text().replace("  bucket                  = each", "  bucket = each"))
    assert tofu("fmt", "-check", "-recursive", ".", cwd=copy).returncode != 0
    (copy / "s3.tf").write_text((copy / "s3.tf").read_text() + '\nresource "aws_s3_bucket" "broken" {\n')
    broken = tofu("fmt", "-check", "-recursive", ".", cwd=copy)
    assert broken.returncode != 0 and "Unclosed configuration block" in broken.stderr + broken.stdout


REFERENCE = re.compile(r"(?<![\w./-])(var|local|module|data\.[a-z0-9_]+|aws_[a-z0-9_]+|tls_[a-z0-9_]+)\.([a-z0-9_-]+)")


def undeclared_references(module: Path) -> list[str]:
    blocks = load(module)
    declared = {"var": set(blocks["variable"]), "local": set(blocks["locals"]), "module": set(blocks["module"])}
    for rtype, name in blocks["resource"]:
        declared.setdefault(rtype, set()).add(name)
    for rtype, name in blocks["data"]:
        declared.setdefault(f"data.{rtype}", set()).add(name)
    problems = []
    for f in sorted(module.glob("*.tf")):
        text = re.sub(r"#.*", "", f.read_text())
        text = re.sub(r'(source|version)\s*=\s*"[^"]*"', "", text)
        for kind, name in REFERENCE.findall(text):
            if kind.startswith(("aws_", "tls_")) and not re.search(rf'(resource|data)\s+"{kind}"', text + "".join(
                    p.read_text() for p in module.glob("*.tf"))):
                problems.append(f"{f.name}: {kind}.{name} (no such resource type declared)")
            elif name not in declared.get(kind, set()):
                problems.append(f"{f.name}: {kind}.{name} is not declared")
    return problems


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_every_reference_is_declared(module, tmp_path):
    assert undeclared_references(module) == []
    copy = tmp_path / module.name
    shutil.copytree(module, copy, ignore=shutil.ignore_patterns("tools", "modules", "templates"))
    main = next(copy.glob("main.tf"))
    main.write_text(main.read_text() + '\nlocals {\n  typo = var.regoin\n}\n')
    assert any("var.regoin is not declared" in p for p in undeclared_references(copy))


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_variables_and_outputs_are_described(module):
    blocks = load(module)
    assert blocks["variable"] and blocks["output"]
    for name, body in blocks["variable"].items():
        assert len(body.get("description", "")) > 10, f"variable {name} needs a description"
        assert "type" in body, f"variable {name} needs a type"
    for name, body in blocks["output"].items():
        assert len(body.get("description", "")) > 10, f"output {name} needs a description"


def test_example_tfvars_sets_only_declared_variables():
    declared = set(load(IAC)["variable"])
    example = unquote(hcl2.load((IAC / "terraform.tfvars.example").open()))
    assert set(example) <= declared, set(example) - declared
    assert "0.0.0.0/0" not in example["allowed_cidrs"]


def test_buckets_are_private_versioned_encrypted_and_tls_only():
    r = load(IAC)["resource"]
    assert set(load(IAC)["locals"]["buckets"]) == {"raw", "processed", "mlflow"}
    per_bucket = ["aws_s3_bucket_versioning", "aws_s3_bucket_server_side_encryption_configuration",
                  "aws_s3_bucket_public_access_block", "aws_s3_bucket_policy", "aws_s3_bucket_ownership_controls"]
    for rtype in per_bucket:
        assert r[(rtype, "this")]["for_each"] == "${aws_s3_bucket.this}", rtype
    assert r[("aws_s3_bucket_versioning", "this")]["versioning_configuration"][0]["status"] == "Enabled"
    sse = r[("aws_s3_bucket_server_side_encryption_configuration", "this")]["rule"][0]
    assert sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"] in ("aws:kms", "AES256")
    pab = r[("aws_s3_bucket_public_access_block", "this")]
    assert all(pab[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                         "restrict_public_buckets"))
    tls = load(IAC)["data"][("aws_iam_policy_document", "bucket_tls_only")]["statement"][0]
    assert tls["effect"] == "Deny" and tls["condition"][0]["variable"] == "aws:SecureTransport"


def test_ecr_scans_on_push_and_iam_is_least_privilege():
    blocks = load(IAC)
    ecr = blocks["resource"][("aws_ecr_repository", "this")]
    assert ecr["image_scanning_configuration"][0]["scan_on_push"] is True
    assert set(blocks["locals"]["ecr_repositories"].strip("${}").replace("toset(", "").strip("()[]")
               .replace('"', "").replace(" ", "").split(",")) == {"serving", "jobs"}
    for module in MODULES:
        for (rtype, name), body in load(module)["data"].items():
            if rtype != "aws_iam_policy_document":
                continue
            for st in body.get("statement", []):
                actions = st.get("actions", [])
                assert not any(a == "*" or a.endswith(":*") for a in actions if st.get("effect") != "Deny"), (name, actions)
                if st.get("resources") == ["*"]:
                    assert actions == ["ecr:GetAuthorizationToken"], f"{name}: only ECR login may use resource '*'"


def test_host_is_locked_down():
    blocks = load(IAC)
    host = blocks["resource"][("aws_instance", "host")]
    assert host["metadata_options"][0]["http_tokens"] == "required"
    assert host["root_block_device"][0]["encrypted"] is True
    cidr_rule = blocks["variable"]["allowed_cidrs"]["validation"][0]["condition"]
    assert '"0.0.0.0/0"' in cidr_rule or "0.0.0.0/0" in cidr_rule
    ingress = blocks["resource"][("aws_vpc_security_group_ingress_rule", "host")]
    assert "var.allowed_cidrs" in ingress["for_each"]


def render_user_data() -> str:
    host = (IAC / "host.tf").read_text()
    call = re.search(r'templatefile\("\$\{path.module\}/(templates/[^"]+)", \{(.*?)\}\)', host, re.S)
    template = (IAC / call.group(1)).read_text()
    passed = set(re.findall(r"^\s*([a-z_]+)\s*=", call.group(2), re.M))
    used = set(re.findall(r"(?<!\$)\$\{([a-z_]+)\}", template))
    assert used == passed, f"template uses {sorted(used - passed)} not passed; passed but unused {sorted(passed - used)}"
    assert "%{" not in template
    rendered = re.sub(r"(?<!\$)\$\{([a-z_]+)\}", lambda m: f"value-of-{m.group(1)}", template)
    return rendered.replace("$${", "${")


def test_user_data_renders_to_valid_bash(tmp_path):
    script = tmp_path / "user-data.sh"
    script.write_text(render_user_data())
    check = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    script.write_text(render_user_data().replace("fi\n", "", 1))
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode != 0
    text = render_user_data()
    for service in ("mlflow.service", "airflow.service", "minikube start", "spark-operator", "kube-prometheus-stack"):
        assert service in text
