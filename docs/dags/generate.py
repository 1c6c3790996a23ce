"""Draws the three Airflow DAGs of dags/ as SVG graphs, from the DAGs themselves (run with the venv's
Python, which has Airflow: `.venv/bin/python docs/dags/generate.py`; `--json FILE` writes the structure).

The DAG files are loaded the way Airflow's DAG processor loads them (a DagBag over dags/), so the
pictures show the real task ids, edges, operators, trigger rules and trigger targets. The SVGs are
committed; python/tests/test_dags_structure.py checks they are current and renders them in Chromium.
"""
from __future__ import annotations

import json
import os
import sys
from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DAGS = ROOT / "dags"
DAG_IDS = ["health_predict_training", "health_predict_monitoring_retraining", "health_predict_deployment"]
HEAVY = ["mlflow", "pyspark", "pandas", "numpy", "pyarrow", "kubernetes", "sklearn"]
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
KINDS = {  # kind: (fill, stroke, legend)
    "spark": ("#e8f0fe", "#1a56db", "spark-submit of the jobs jar"),
    "branch": ("#fff6e0", "#b45309", "branch"),
    "trigger": ("#f1ebfd", "#6d28d9", "triggers another DAG"),
    "bash": ("#e7f6ec", "#15803d", "shell command"),
    "python": ("#e6f6f6", "#0f766e", "Python task"),
    "empty": ("#f4f5f7", "#6b7280", "end / join"),
}


def structure() -> dict:
    """Every DAG in dags/ as plain data: tasks, edges, operators, trigger rules, params, import errors."""
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "false")
    from airflow.dag_processing.dagbag import BundleDagBag

    bag = BundleDagBag(dag_folder=str(DAGS), bundle_path=DAGS, bundle_name="dags-folder")
    dags = {}
    for dag_id, dag in sorted(bag.dags.items()):
        tasks = {}
        for t in dag.tasks:
            name = type(t).__name__
            kind = ("spark" if name == "JobSubmitOperator" else "branch" if "Branch" in name
                    else "trigger" if name == "TriggerDagRunOperator" else "bash" if name == "BashOperator"
                    else "empty" if name == "EmptyOperator" else "python")
            tasks[t.task_id] = {
                "operator": name, "kind": kind, "downstream": sorted(t.downstream_task_ids),
                "trigger_rule": str(getattr(t.trigger_rule, "value", t.trigger_rule)),
                "job": getattr(t, "job", None), "trigger_dag_id": getattr(t, "trigger_dag_id", None),
                "conn_id": getattr(t, "_conn_id", None) if kind == "spark" else None,
            }
        dags[dag_id] = {"description": dag.description, "schedule": str(dag.schedule) if dag.schedule else None,
                        "params": sorted(dag.params.keys()), "max_active_runs": dag.max_active_runs,
                        "fileloc": str(Path(dag.fileloc).relative_to(ROOT)), "tasks": tasks}
    return {"dags": dags, "import_errors": {str(k): v for k, v in bag.import_errors.items()},
            "heavy_modules_loaded": [m for m in HEAVY if m in sys.modules]}


def _layers(tasks: dict) -> list[list[str]]:
    """Longest-path layering, then each layer ordered by the mean position of its parents (fewer crossings)."""
    parents = {t: [p for p in tasks if t in tasks[p]["downstream"]] for t in tasks}
    depth: dict[str, int] = {}

    def level(t: str) -> int:
        if t not in depth:
            depth[t] = 1 + max((level(p) for p in parents[t]), default=-1)
        return depth[t]

    for t in sorted(tasks):
        level(t)
    layers: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for t in sorted(tasks, key=lambda t: (depth[t], t)):
        layers[depth[t]].append(t)
    position = {t: i for i, t in enumerate(layers[0])}
    for layer in layers[1:]:
        layer.sort(key=lambda t: (sum(position[p] for p in parents[t]) / max(1, len(parents[t])), t))
        for i, t in enumerate(layer):
            position[t] = i
    return layers


def _subtitle(task: dict) -> str:
    if task["kind"] == "spark":
        label = f"spark-submit · {task['job']}"
    elif task["kind"] == "trigger":
        label = f"→ {task['trigger_dag_id']}"
    else:
        label = {"branch": "branch", "bash": "Bash", "empty": "Empty", "python": "Python"}[task["kind"]]
    return label if task["trigger_rule"] == "all_success" else f"{label} · {task['trigger_rule']}"


def svg(dag_id: str, dag: dict) -> str:
    tasks = dag["tasks"]
    layers = _layers(tasks)
    box_w, box_h, gap_x, gap_y, top, left = 200, 54, 64, 26, 96, 30
    rows = max(len(layer) for layer in layers)
    width = left * 2 + len(layers) * box_w + (len(layers) - 1) * gap_x
    height = top + rows * box_h + (rows - 1) * gap_y + 90
    area = rows * box_h + (rows - 1) * gap_y
    boxes = {}
    for i, layer in enumerate(layers):
        column_h = len(layer) * box_h + (len(layer) - 1) * gap_y
        for j, t in enumerate(layer):
            boxes[t] = (left + i * (box_w + gap_x), top + (area - column_h) / 2 + j * (box_h + gap_y))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#374151"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="36" font-size="20" font-weight="bold" fill="#111827">{escape(dag_id)}</text>',
        f'<text x="{left}" y="60" font-size="13" fill="#4b5563">{escape(dag["description"] or "")} '
        f'(schedule: {escape(dag["schedule"] or "none, by hand or triggered")})</text>',
    ]
    for t in sorted(tasks):
        x0, y0 = boxes[t]
        for d in tasks[t]["downstream"]:
            x1, y1 = boxes[d]
            a, b = (x0 + box_w, y0 + box_h / 2), (x1, y1 + box_h / 2)
            mid = (a[0] + b[0]) / 2
            dash = ' stroke-dasharray="6 4"' if tasks[d]["trigger_rule"] != "all_success" else ""
            parts.append(f'<path d="M{a[0]:.0f},{a[1]:.0f} C{mid:.0f},{a[1]:.0f} {mid:.0f},{b[1]:.0f} '
                         f'{b[0] - 2:.0f},{b[1]:.0f}" fill="none" stroke="#374151" stroke-width="1.6"{dash} '
                         f'marker-end="url(#arrow)"/>')
    for t in sorted(tasks):
        x, y = boxes[t]
        fill, stroke, _ = KINDS[tasks[t]["kind"]]
        parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{box_w}" height="{box_h}" rx="8" fill="{fill}" '
                     f'stroke="{stroke}" stroke-width="1.6"/>')
        parts.append(f'<text x="{x + box_w / 2:.0f}" y="{y + 23:.0f}" font-size="14" font-weight="bold" '
                     f'fill="#111827" text-anchor="middle">{escape(t)}</text>')
        parts.append(f'<text x="{x + box_w / 2:.0f}" y="{y + 41:.0f}" font-size="11.5" fill="#374151" '
                     f'text-anchor="middle">{escape(_subtitle(tasks[t]))}</text>')
    x, y = left, height - 30
    for kind, (fill, stroke, label) in KINDS.items():
        if not any(task["kind"] == kind for task in tasks.values()):
            continue
        parts.append(f'<rect x="{x}" y="{y - 12}" width="16" height="16" rx="3" fill="{fill}" stroke="{stroke}"/>')
        parts.append(f'<text x="{x + 22}" y="{y + 1}" font-size="12" fill="#374151">{escape(label)}</text>')
        x += 40 + 7 * len(label)
    parts.append(f'<text x="{x}" y="{y + 1}" font-size="12" fill="#374151">dashed arrow: the task runs under a '
                 f'trigger rule other than all_success</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> None:
    data = structure()
    if "--json" in sys.argv:  # --json FILE (Airflow logs to stdout while it loads the DAGs)
        Path(sys.argv[sys.argv.index("--json") + 1]).write_text(json.dumps(data, indent=1, sort_keys=True))
        return
    if data["import_errors"]:
        raise SystemExit(f"DAG import errors: {data['import_errors']}")
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for dag_id in DAG_IDS:
        (out / f"{dag_id}.svg").write_text(svg(dag_id, data["dags"][dag_id]))
        print(f"wrote {out / (dag_id + '.svg')}")


if __name__ == "__main__":
    main()
