"""notebooks/eda.ipynb runs from top to bottom (jupyter nbconvert --execute) and its findings hold.

The notebook calls the project's ICD-9 grouping through PySpark's JVM, so it needs the jobs jar
(`make build`; make test builds it before the Python tests).
"""
import ast
import subprocess
import sys
from pathlib import Path

import nbformat

from deploy_support import ROOT

NOTEBOOK = ROOT / "notebooks" / "eda.ipynb"


def outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def test_notebook_executes_and_its_findings_hold(tmp_path):
    if not (ROOT / "jobs" / "target" / "health-predict-jobs.jar").exists():
        raise RuntimeError("jobs jar not built; run `make build` first")
    jupyter = Path(sys.executable).with_name("jupyter")
    run = subprocess.run([str(jupyter), "nbconvert", "--to", "notebook", "--execute", str(NOTEBOOK),
                          "--output-dir", str(tmp_path), "--ExecutePreprocessor.timeout=600"],
                         cwd=NOTEBOOK.parent, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    nb = nbformat.read(tmp_path / "eda.ipynb", as_version=4)
    outs = outputs(nb)
    assert not [o for o in outs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outs) >= 6, "every section draws its plot"
    text = "".join(o.get("text", "") for o in outs if o.output_type == "stream" and o.name == "stdout")
    summary = ast.literal_eval(text.split("EDA summary:", 1)[1].strip().splitlines()[0])
    # The findings cell builds on these facts; if the data or the code changes them, it must be rewritten.
    assert 0.08 <= summary["positive_rate"] <= 0.14, "about one in nine is a positive"
    assert summary["weight_missing"] > 0.9, "weight is almost always missing"
    assert summary["inpatient_4plus_rate"] > 2 * summary["inpatient_0_rate"], "prior visits: strongest signal"
    assert summary["diag_groups"] >= 9, "the Java ICD-9 grouping ran"


def test_committed_notebook_carries_real_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "commit the executed notebook (jupyter nbconvert --execute --inplace)"
    assert not [o for o in outputs(nb) if o.output_type == "error"]
    assert any(c.cell_type == "markdown" and c.source.startswith("## Findings") for c in nb.cells)
