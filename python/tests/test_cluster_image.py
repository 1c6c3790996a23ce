"""scripts/oci-image.py: the image tars the local cluster (scripts/cluster.sh) imports, since it cannot pull.

Checked as containerd reads an OCI image layout: every blob is named by its digest and sized as stated, the
manifest points at the config and the layer, the config's diff_id is the digest of the uncompressed layer, and
the index names the image (io.containerd.image.name, which `ctr images import` uses). The layer holds the file
at its path with its mode; the same inputs give byte-identical tars (same digests on every machine).
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile

from deploy_support import ROOT

SCRIPT = ROOT / "scripts" / "oci-image.py"


def _build(tmp_path, out_name="img.tar"):
    binary = tmp_path / "app"
    binary.write_bytes(b"#!/bin/sh\necho hi\n")
    binary.chmod(0o755)
    out = tmp_path / out_name
    subprocess.run([sys.executable, str(SCRIPT), "--name", "localhost/app:v1", "--entrypoint", "/bin/app",
                    "--cmd", "serve", "--file", f"{binary}:/bin/app", str(out)], check=True)
    return out


def _blobs(path):
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def _blob(files, digest):
    return files["blobs/sha256/" + digest.split(":", 1)[1]]


def test_layout_digests_and_name(tmp_path):
    files = _blobs(_build(tmp_path))
    assert json.loads(files["oci-layout"]) == {"imageLayoutVersion": "1.0.0"}
    for name, data in files.items():
        if name.startswith("blobs/sha256/"):
            assert hashlib.sha256(data).hexdigest() == name.rsplit("/", 1)[1]
    (entry,) = json.loads(files["index.json"])["manifests"]
    assert entry["annotations"]["io.containerd.image.name"] == "localhost/app:v1"
    assert entry["platform"] == {"architecture": "amd64", "os": "linux"}
    manifest_b = _blob(files, entry["digest"])
    assert len(manifest_b) == entry["size"]
    manifest = json.loads(manifest_b)
    config_b = _blob(files, manifest["config"]["digest"])
    assert len(config_b) == manifest["config"]["size"]
    config = json.loads(config_b)
    assert config["config"]["Entrypoint"] == ["/bin/app"] and config["config"]["Cmd"] == ["serve"]
    (layer,) = manifest["layers"]
    assert layer["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"
    blob = _blob(files, layer["digest"])
    assert len(blob) == layer["size"]
    diff = gzip.decompress(blob)
    assert config["rootfs"]["diff_ids"] == ["sha256:" + hashlib.sha256(diff).hexdigest()]
    with tarfile.open(fileobj=io.BytesIO(diff)) as tar:
        assert tar.getmember("bin").isdir()
        app = tar.getmember("bin/app")
        assert app.isfile() and app.mode == 0o755 and app.uid == 0
        assert tar.extractfile(app).read() == b"#!/bin/sh\necho hi\n"


def test_same_inputs_same_bytes(tmp_path):
    assert _build(tmp_path, "a.tar").read_bytes() == _build(tmp_path, "b.tar").read_bytes()


def test_cluster_script_parses():
    subprocess.run(["bash", "-n", str(ROOT / "scripts" / "cluster.sh")], check=True)
