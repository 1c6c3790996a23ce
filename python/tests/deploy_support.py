"""Helpers for the deployment tests: project-local tools, kustomize builds and schema validation.

Kubernetes' own kinds are checked against the official OpenAPI schemas (kubernetes-validate bundles them
as JSON Schema, in a strict variant that rejects unknown fields). Custom resources are checked against
the openAPIV3Schema of their CustomResourceDefinition the way the API server does with
fieldValidation=Strict (kubectl's default): types, enums, required fields, int-or-string, nullable, and
an unknown field anywhere is an error unless the schema preserves unknown fields there.
"""
from __future__ import annotations

import copy
import importlib.util
import os
import sys
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools" / "bin"
# The operator's CRDs, kept in the repository (spark-operator/crds/, copied from the reference schemas this
# project was given) so a clean clone validates on its own; SPARK_OPERATOR_CRDS points elsewhere if wanted.
SPARK_OPERATOR_CRDS = Path(os.environ.get("SPARK_OPERATOR_CRDS", ROOT / "spark-operator" / "crds"))
# The oldest release the manifests support (preStop `sleep` is on by default from 1.30) and the newest
# one the bundled schemas know.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")


def tool(name: str) -> Path:
    """A tool built by `make deploy-tools`; fails loudly when it is missing."""
    path = TOOLS / name
    if not path.exists():
        raise RuntimeError(f"{path} is missing: run `make deploy-tools` (make test does it)")
    return path


def kustomize_build(directory: Path) -> list[dict]:
    out = subprocess.run([str(tool("kustomize")), "build", str(directory)], capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError(f"kustomize build {directory} failed:\n{out.stderr}")
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def _to_json_schema(node, path="#"):
    """Structural CRD schema → JSON Schema with the API server's strict unknown-field rule."""
    if isinstance(node, list):
        return [_to_json_schema(n, path) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {k: _to_json_schema(v, f"{path}/{k}") for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = _to_json_schema(value, path)
        elif key.startswith("x-kubernetes-") or key in ("nullable", "description", "default", "example"):
            continue
        else:
            out[key] = copy.deepcopy(value)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if (node.get("type") == "object" and "properties" in node and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


_DNS1123_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
# What the API server checks of a custom resource's metadata before the CRD schema applies.
_OBJECT_META = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "maxLength": 253, "pattern": _DNS1123_SUBDOMAIN},
        "namespace": {"type": "string", "maxLength": 63, "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
        "labels": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 63}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def crd_validator(crd_file: Path) -> tuple[str, str, jsonschema.protocols.Validator]:
    """(apiVersion, kind, validator) for the served version of a CRD file."""
    crd = yaml.safe_load(crd_file.read_text())
    spec = crd["spec"]
    version = next(v for v in spec["versions"] if v.get("served") and v.get("storage"))
    api_version = f"{spec['group']}/{version['name']}"
    schema = _to_json_schema(version["schema"]["openAPIV3Schema"])
    schema["properties"]["apiVersion"] = {"const": api_version}
    schema["properties"]["kind"] = {"const": spec["names"]["kind"]}
    schema["properties"]["metadata"] = _OBJECT_META
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata", "spec"})
    schema.setdefault("properties", {})
    jsonschema.Draft7Validator.check_schema(schema)
    return api_version, spec["names"]["kind"], jsonschema.Draft7Validator(schema)


@lru_cache(maxsize=None)
def spark_operator_validators() -> dict[tuple[str, str], jsonschema.protocols.Validator]:
    files = sorted(SPARK_OPERATOR_CRDS.glob("*.yaml"))
    if not files:
        raise RuntimeError(f"no CRDs in {SPARK_OPERATOR_CRDS} (spark-operator/crds/ in the repository)")
    validators = {}
    for f in files:
        api_version, kind, validator = crd_validator(f)
        validators[(api_version, kind)] = validator
    return validators


def _path(error: jsonschema.ValidationError) -> str:
    return "/".join(str(p) for p in error.absolute_path) or "(root)"


def validate_crd_object(doc: dict) -> list[str]:
    validator = spark_operator_validators().get((doc.get("apiVersion"), doc.get("kind")))
    if validator is None:
        return [f"no CRD schema for {doc.get('apiVersion')} {doc.get('kind')}"]
    return [f"{_path(e)}: {e.message}" for e in sorted(validator.iter_errors(doc), key=str)]


def validate_builtin_object(doc: dict) -> list[str]:
    """Strict check of a built-in kind against the official schema of every supported release."""
    errors = []
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            errors.append(f"k8s {version}: {_path(e)}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError as e:
            errors.append(f"k8s {version}: no schema for {doc.get('apiVersion')} {doc.get('kind')}: {e}")
    return errors


def monitoring_check(docs: list[dict], tmp_path: Path) -> subprocess.CompletedProcess:
    """Runs the Prometheus Operator check (operator's Go types + Prometheus' rule parser) on docs."""
    f = tmp_path / "monitoring.yaml"
    f.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return subprocess.run([str(tool("monitoring-check")), str(f)], capture_output=True, text=True)


def key_of(doc: dict) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def is_hashed_name(name: str, base: str) -> bool:
    return re.fullmatch(re.escape(base) + r"-[a-z0-9]{10}", name) is not None


def load_module(path, name):
    """Loads a script as a module under its own name: docs/dags/generate.py and docs/diagrams/generate.py
    share a file name, and one pytest session imports both."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module
