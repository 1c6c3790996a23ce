#!/usr/bin/env python3
"""Builds the JRE base image the image tests hand to Jib as `tar://` (no registry is reachable here).

A minimal Debian root file system with OpenJDK 17's headless JRE, made from Debian's packages by
mmdebstrap (maintainer scripts run, so `java` alternatives and the Java trust store are set up as on a
real Debian), packed as a one-layer image in `docker save` format with an image config that matches
what eclipse-temurin:17-jre declares (JAVA_HOME, PATH, LANG; no user, no entrypoint).

    scripts/jib-base-image.py OUT.tar [--suite bookworm] [--mirror URL]

The real build uses eclipse-temurin:17-jre from a registry instead (README, "Deploy").
Needs root (mmdebstrap's root mode chroots to run the maintainer scripts) and mmdebstrap, which it
installs with apt-get when missing.
"""
import argparse
import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

PACKAGES = ["openjdk-17-jre-headless", "ca-certificates"]
# Documentation, manuals and translations are not needed in a container; /usr/share/man/man1 must
# exist all the same, or the JRE's postinst fails creating its alternatives' manual links.
DPKG_OPTS = ["path-exclude=/usr/share/man/*", "path-exclude=/usr/share/doc/*",
             "path-include=/usr/share/doc/*/copyright", "path-exclude=/usr/share/locale/*",
             "path-exclude=/usr/share/info/*"]


def ensure_mmdebstrap():
    if shutil.which("mmdebstrap"):
        return
    if os.geteuid() != 0:
        sys.exit("jib-base-image: mmdebstrap is missing; install it with 'apt-get install mmdebstrap'")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "mmdebstrap"], check=True, env=env)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--suite", default="bookworm")
    parser.add_argument("--mirror", default="http://deb.debian.org/debian")
    args = parser.parse_args()
    ensure_mmdebstrap()
    arch = subprocess.run(["dpkg", "--print-architecture"], check=True, capture_output=True,
                          text=True).stdout.strip()
    java_home = f"/usr/lib/jvm/java-17-openjdk-{arch}"
    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with tempfile.TemporaryDirectory(dir=os.path.dirname(out)) as work:
        rootfs = os.path.join(work, "layer.tar")
        command = ["mmdebstrap", "--variant=essential", "--include=" + ",".join(PACKAGES),
                   "--setup-hook=mkdir -p \"$1\"/usr/share/man/man1",
                   *[f"--dpkgopt={o}" for o in DPKG_OPTS], args.suite, rootfs, args.mirror]
        subprocess.run(command, check=True)
        diff_id = "sha256:" + sha256_file(rootfs)
        created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        config = {
            "architecture": arch,
            "os": "linux",
            "created": created,
            "config": {
                "Env": [f"JAVA_HOME={java_home}",
                        f"PATH={java_home}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "LANG=C.UTF-8"],
                "Labels": {"org.healthpredict.base": f"debian:{args.suite} + " + " ".join(PACKAGES)},
            },
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [{"created": created, "created_by": " ".join(command[:-2] + [args.suite])}],
        }
        config_bytes = json.dumps(config, indent=1, sort_keys=True).encode()
        config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
        layer_name = diff_id.split(":")[1] + "/layer.tar"
        manifest = [{"Config": config_name, "RepoTags": [f"health-predict/debian-{args.suite}-jre:17"],
                     "Layers": [layer_name]}]
        partial = out + ".partial"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as image:
            for name, data in ((config_name, config_bytes),
                               ("manifest.json", json.dumps(manifest, indent=1).encode())):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                image.addfile(info, io.BytesIO(data))
            image.add(rootfs, arcname=layer_name)
        os.replace(partial, out)  # a crashed build leaves no half-written base behind
    print(f"jib-base-image: {out} ({os.path.getsize(out) / 1e6:.0f} MB, {diff_id[:19]}…, JAVA_HOME={java_home})")


if __name__ == "__main__":
    main()
