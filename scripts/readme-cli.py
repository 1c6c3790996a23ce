#!/usr/bin/env python3
"""Rewrites the README's "## CLI reference" section from the real --help of every command.

Run after changing any option: `make build && python3 scripts/readme-cli.py`. The test
python/tests/test_readme_cli.py fails while the section differs from the commands.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADING = "## CLI reference\n"


def help_of(command):
    # Without the service's variables (MLFLOW_TRACKING_URI, PORT...): the README shows the built-in defaults.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JAVA_HOME", "LANG", "TMPDIR")}
    out = subprocess.run(command.split(), cwd=ROOT, capture_output=True, text=True, check=True, env=env)
    return out.stdout.rstrip("\n")


def subcommands():
    top = help_of("bin/health-predict --help")
    return re.findall(r"^  ([a-z][a-z-]+)\s", top.split("Commands:")[1].split("\n\n")[0], re.MULTILINE)


def reference():
    commands = ["bin/health-predict --help"] + [f"bin/health-predict {c} --help" for c in subcommands()]
    commands.append("bin/health-predict-serve --help")
    parts = [HEADING]
    for command in commands:
        parts.append(f"\n#### `{command}`\n\n```\n{help_of(command)}\n```\n")
    return "".join(parts)


def main():
    if len(sys.argv) > 1:
        print(__doc__.strip())
        return
    readme = ROOT / "README.md"
    text = readme.read_text()
    start = text.index(HEADING)
    end = text.find("\n## ", start + len(HEADING))
    tail = "" if end < 0 else text[end:]
    readme.write_text(text[:start] + reference() + tail)
    print("README.md: CLI reference rewritten")


if __name__ == "__main__":
    main()
