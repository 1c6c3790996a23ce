"""docs/diagrams/: the SVGs are what generate.py writes, name the services, and render in Chromium."""
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from deploy_support import ROOT, load_module

DIAGRAMS = ROOT / "docs" / "diagrams"
NAMES = ["architecture", "data-pipeline", "model-lifecycle"]
SVG = "{http://www.w3.org/2000/svg}"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def texts(name):
    root = ET.parse(DIAGRAMS / f"{name}.svg").getroot()
    return " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


def test_committed_svgs_are_what_generate_writes(tmp_path):
    generate = load_module(DIAGRAMS / "generate.py", "diagrams_generate")
    for file, build in generate.DIAGRAMS.items():
        assert (DIAGRAMS / file).read_text() == build().svg(), f"{file} is stale: run python3 docs/diagrams/generate.py"


@pytest.mark.parametrize("name, required", [
    ("architecture", ["Data sources", "S3", "Airflow", "Spark", "MLflow", "PostgreSQL", "health-predict-serving",
                      "Prometheus", "Alertmanager", "GitHub Actions", "Jib", "ECR", "Terraform", "Kubeflow Spark operator"]),
    ("data-pipeline", ["Raw CSV", "Clean", "20 / 80 split", "Storage (Parquet)", "Features", "patient-disjoint"]),
    ("model-lifecycle", ["Training", "Deployment", "Monitoring and retraining", "ASHA", "champion", "DRIFT_DETECTED"]),
])
def test_diagrams_are_labelled_with_services_and_flows(name, required):
    text = texts(name)
    for label in required:
        assert label in text, f"{name}: missing {label!r}"
    svg = (DIAGRAMS / f"{name}.svg").read_text()
    assert 'marker-end="url(#data)"' in svg and 'marker-end="url(#ctl)"' in svg, "data and control arrows"


def test_lifecycle_colours_training_blue_deployment_green_monitoring_red():
    svg = (DIAGRAMS / "model-lifecycle.svg").read_text()
    for zone, stroke in [("Training", "#1a56db"), ("Deployment", "#15803d"), ("Monitoring and retraining", "#c81e1e")]:
        assert re.search(rf'fill="{stroke}" text-anchor="start">{zone}<', svg), zone


def test_readme_snippet_embeds_every_diagram_with_a_caption():
    snippet = (DIAGRAMS / "README_DIAGRAMS.md").read_text()
    for name in NAMES:
        assert re.search(rf"!\[[^\]]+\]\(docs/diagrams/{name}\.svg\)\n\n\*[A-Z]", snippet), name
    assert "docs/diagrams/architecture.svg" in (ROOT / "README.md").read_text(), "README has a Diagrams section"


@pytest.mark.parametrize("name", NAMES)
def test_renders_to_a_non_empty_png_in_headless_chromium(name, tmp_path):
    svg = DIAGRAMS / f"{name}.svg"
    root = ET.parse(svg).getroot()
    width, height = int(root.get("width")), int(root.get("height"))
    png = tmp_path / f"{name}.png"
    out = subprocess.run([os.environ.get("CHROMIUM", "chromium"), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                          f"--window-size={width},{height}", f"--screenshot={png}", svg.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert png.exists(), out.stderr[-2000:]
    image = Image.open(png).convert("RGB")
    assert image.size == (width, height)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 200, "rendered image is (nearly) blank"
    # Something is drawn across the whole canvas, not just a corner.
    small = image.resize((8, 8))
    assert sum(1 for x in range(8) for y in range(8) if small.getpixel((x, y)) != (255, 255, 255)) >= 20
