"""The CLI reference (docs/cli.md) is the real --help output of every command, so docs cannot drift from code.

Each section headed "#### `bin/<launcher> [subcommand] --help`" must hold, in its code block, exactly what
that command prints. Regenerate them all with `python3 scripts/readme-cli.py` after `make build`.
"""
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECTION = re.compile(r"^#### `(bin/[^`]+ --help)`\n\n```\n(.*?)```", re.MULTILINE | re.DOTALL)


def sections():
    return SECTION.findall((ROOT / "docs" / "cli.md").read_text())


def test_the_reference_covers_every_subcommand():
    documented = {cmd for cmd, _ in sections()}
    top = subprocess.run(["bin/health-predict", "--help"], cwd=ROOT, capture_output=True, text=True, check=True)
    listed = re.findall(r"^  ([a-z][a-z-]+)\s", top.stdout.split("Commands:")[1].split("\n\n")[0], re.MULTILINE)
    assert listed, top.stdout
    expected = {f"bin/health-predict {c} --help" for c in listed} | {"bin/health-predict --help",
                                                                       "bin/health-predict-serve --help"}
    assert expected - documented == set(), "docs/cli.md lacks --help sections"


@pytest.mark.parametrize("command,documented", sections(), ids=[c for c, _ in sections()])
def test_each_section_is_the_commands_help(command, documented):
    # A clean environment: the service's defaults come from variables (MLFLOW_TRACKING_URI, PORT...) that
    # other tests' fixtures set in this process, and the README documents the defaults without them.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JAVA_HOME", "LANG", "TMPDIR")}
    out = subprocess.run(command.split(), cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == documented.strip(), f"docs/cli.md section for `{command}` is stale; run python3 scripts/readme-cli.py"
