#!/usr/bin/env python3
"""Writes docs/cli.md, the CLI reference, from the real --help of every command.

Run after changing any option: `make build && python3 scripts/readme-cli.py`. The test
python/tests/test_readme_cli.py fails while the reference differs from the commands.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI_MD = ROOT / "docs" / "cli.md"
HEADING = """# CLI reference

Every command's `--help`, exactly as it prints it: `python/tests/test_readme_cli.py` runs each one and
compares, and `python3 scripts/readme-cli.py` (after `make build`) writes this page again.
"""


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
    CLI_MD.write_text(reference())
    print(f"{CLI_MD.relative_to(ROOT)}: CLI reference rewritten")

if __name__ == "__main__":
    main()
