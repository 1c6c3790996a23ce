#!/usr/bin/env python3
"""Writes a single-layer OCI image (an image-layout tar that `ctr images import` reads) from local files.

No registry can be reached here, so the cluster's images (the pod sandbox "pause" image, test images) are made
from binaries built on this machine:

    scripts/oci-image.py --name local/pause:3.10.1 --entrypoint /pause --file .cluster/build/pause:/pause out.tar

Each --file is SRC:DST (DST absolute in the image; mode kept from SRC). The layer is a gzip'd tar with fixed
timestamps and owners, so the same inputs give the same digests.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import tarfile

EPOCH = 0


def _layer(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs = set()
        for src, dst in files:
            parts = dst.strip("/").split("/")
            for i in range(1, len(parts)):
                d = "/".join(parts[:i])
                if d not in dirs:
                    dirs.add(d)
                    info = tarfile.TarInfo(d)
                    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, EPOCH
                    tar.addfile(info)
            info = tarfile.TarInfo(dst.strip("/"))
            info.size = os.path.getsize(src)
            info.mode = os.stat(src).st_mode & 0o7777
            info.mtime = EPOCH
            with open(src, "rb") as f:
                tar.addfile(info, f)
    diff = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=EPOCH) as g:
        g.write(diff)
    return diff, gz.getvalue()


def _sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def build(name, entrypoint, cmd, env, files, out):
    diff, blob = _layer(files)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Entrypoint": entrypoint, "Cmd": cmd, "Env": env, "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [_sha(diff)]},
        "history": [{"created_by": "scripts/oci-image.py"}],
    }
    config_b = json.dumps(config, sort_keys=True).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": _sha(config_b),
                   "size": len(config_b)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": _sha(blob),
                    "size": len(blob)}],
    }
    manifest_b = json.dumps(manifest, sort_keys=True).encode()
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": _sha(manifest_b),
            "size": len(manifest_b), "platform": {"architecture": "amd64", "os": "linux"},
            # containerd names the imported image after this annotation (ctr import --index-name is not needed)
            "annotations": {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name},
        }],
    }
    with tarfile.open(out, "w") as tar:
        def add(path, data):
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(data), 0o644, EPOCH
            tar.addfile(info, io.BytesIO(data))
        add("oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        add("index.json", json.dumps(index, sort_keys=True).encode())
        for b in (config_b, manifest_b, blob):
            add("blobs/sha256/" + _sha(b).split(":")[1], b)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--name", required=True, help="image reference, e.g. local/pause:3.10.1")
    p.add_argument("--entrypoint", required=True, help="absolute path in the image")
    p.add_argument("--cmd", action="append", default=[], help="an argument after the entry point (repeatable)")
    p.add_argument("--env", action="append", default=["PATH=/"], help="KEY=VALUE (repeatable)")
    p.add_argument("--file", action="append", required=True, help="SRC:DST (repeatable)")
    p.add_argument("out")
    a = p.parse_args()
    files = [tuple(f.split(":", 1)) for f in a.file]
    build(a.name, [a.entrypoint], a.cmd, a.env, files, a.out)


if __name__ == "__main__":
    main()
