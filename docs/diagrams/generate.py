"""Writes the architecture diagrams of docs/diagrams/ as SVG (run: python docs/diagrams/generate.py).

The SVGs are committed; python/tests/test_deploy_diagrams.py checks they match this script and renders
each to PNG with headless Chromium. Solid arrows carry data, dashed arrows carry control.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
PALETTE = {  # fill, stroke
    "grey": ("#f4f5f7", "#6b7280"), "blue": ("#e8f0fe", "#1a56db"), "green": ("#e7f6ec", "#15803d"),
    "red": ("#fdecec", "#c81e1e"), "amber": ("#fff6e0", "#b45309"), "purple": ("#f1ebfd", "#6d28d9"),
    "teal": ("#e6f6f6", "#0f766e"),
}


class Diagram:
    def __init__(self, width: int, height: int, title: str, subtitle: str):
        self.w, self.h, self.parts, self.boxes = width, height, [], {}
        self.text(width / 2, 34, title, size=22, weight="bold")
        self.text(width / 2, 58, subtitle, size=13, fill="#4b5563")

    def text(self, x, y, s, size=13, weight="normal", fill="#111827", anchor="middle", italic=False):
        style = ' font-style="italic"' if italic else ""
        self.parts.append(f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
                          f'text-anchor="{anchor}"{style}>{escape(s)}</text>')

    def zone(self, x, y, w, h, label, color="grey"):
        fill, stroke = PALETTE[color]
        self.parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="14" fill="{fill}" fill-opacity="0.45" '
                          f'stroke="{stroke}" stroke-dasharray="6 4" stroke-width="1.2"/>')
        self.text(x + 12, y + 20, label, size=13, weight="bold", fill=stroke, anchor="start")

    def box(self, key, x, y, w, h, title, lines=(), color="grey"):
        fill, stroke = PALETTE[color]
        self.boxes[key] = (x, y, w, h)
        self.parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="{stroke}" '
                          f'stroke-width="1.6"/>')
        top = y + h / 2 - (len(lines) * 15) / 2 + 4
        self.text(x + w / 2, top, title, size=13.5, weight="bold", fill="#111827")
        for i, line in enumerate(lines):
            self.text(x + w / 2, top + 16 + i * 15, line, size=11.5, fill="#374151")

    def anchor(self, key, side):
        x, y, w, h = self.boxes[key]
        return {"l": (x, y + h / 2), "r": (x + w, y + h / 2), "t": (x + w / 2, y), "b": (x + w / 2, y + h)}[side]

    def arrow(self, a, b, label="", kind="data", via=(), color="#374151", label_at=0.5, dy=-6):
        """a, b: (box key, side) or a point; via: elbow points. kind: data (solid) or control (dashed)."""
        p0 = self.anchor(*a) if isinstance(a[0], str) else a
        p1 = self.anchor(*b) if isinstance(b[0], str) else b
        points = [p0, *via, p1]
        dash = ' stroke-dasharray="7 5"' if kind == "control" else ""
        marker = "ctl" if kind == "control" else "data"
        path = " ".join(f"{x:.0f},{y:.0f}" for x, y in points)
        self.parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.7"{dash} '
                          f'marker-end="url(#{marker})"/>')
        if label:
            seg = max(range(len(points) - 1), key=lambda i: abs(points[i + 1][0] - points[i][0]) + abs(points[i + 1][1] - points[i][1]))
            (x0, y0), (x1, y1) = points[seg], points[seg + 1]
            lx, ly = x0 + (x1 - x0) * label_at, y0 + (y1 - y0) * label_at
            self.parts.append(f'<text x="{lx:.0f}" y="{ly + dy:.0f}" font-size="11" fill="{color}" text-anchor="middle" '
                              f'paint-order="stroke" stroke="#ffffff" stroke-width="4">{escape(label)}</text>')

    def legend(self, x, y, extra=()):
        self.parts.append(f'<rect x="{x}" y="{y}" width="250" height="{56 + 18 * len(extra)}" rx="6" fill="#ffffff" stroke="#9ca3af"/>')
        self.arrow((x + 12, y + 18), (x + 62, y + 18))
        self.text(x + 72, y + 22, "data flow", size=11.5, anchor="start")
        self.arrow((x + 12, y + 40), (x + 62, y + 40), kind="control")
        self.text(x + 72, y + 44, "control flow (triggers, deploys, alerts)", size=11.5, anchor="start")
        for i, (color, label) in enumerate(extra):
            fill, stroke = PALETTE[color]
            self.parts.append(f'<rect x="{x + 12}" y="{y + 54 + 18 * i}" width="50" height="12" rx="3" fill="{fill}" stroke="{stroke}"/>')
            self.text(x + 72, y + 64 + 18 * i, label, size=11.5, anchor="start")

    def svg(self) -> str:
        defs = ('<defs>'
                '<marker id="data" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
                '<path d="M0,0 L10,5 L0,10 z" fill="#374151"/></marker>'
                '<marker id="ctl" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
                '<path d="M0,0 L10,5 L0,10" fill="none" stroke="#374151" stroke-width="1.6"/></marker></defs>')
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.w}" height="{self.h}" viewBox="0 0 {self.w} {self.h}" '
                f'font-family="{FONT}">\n<rect width="100%" height="100%" fill="#ffffff"/>\n{defs}\n'
                + "\n".join(self.parts) + "\n</svg>\n")


def architecture() -> Diagram:
    d = Diagram(1400, 930, "Health Predict: architecture",
                "Data sources, storage, compute and orchestration, tracking, serving, monitoring, CI/CD and infrastructure")
    d.zone(20, 80, 200, 440, "Data sources")
    d.box("uci", 35, 120, 170, 70, "UCI Diabetes 130-US", ["101,766 encounters", "jobs download"], "grey")
    d.box("synthetic", 35, 215, 170, 70, "Synthetic encounters", ["1M–10M rows", "jobs generate"], "grey")
    d.box("sample", 35, 310, 170, 70, "Bundled sample", ["data/sample (5,000 rows)", "make demo"], "grey")

    d.zone(245, 80, 240, 440, "Storage (s3a:// or file://)", "amber")
    d.box("raw", 260, 120, 210, 70, "S3 raw bucket", ["raw CSV as delivered"], "amber")
    d.box("processed", 260, 230, 210, 90, "S3 processed bucket", ["Parquet: initial split, future,", "batches, scores, drift reports"], "amber")
    d.box("artifacts", 260, 400, 210, 80, "S3 MLflow artifacts", ["PipelineModel (MLflow format),", "plots, model cards"], "amber")

    d.zone(510, 80, 370, 440, "Compute and orchestration", "blue")
    d.box("airflow", 530, 115, 330, 75, "Airflow", ["training DAG · drift / retraining DAG", "SparkSubmitOperator or SparkKubernetesOperator"], "blue")
    d.box("spark", 530, 245, 330, 150, "Spark 4.1 jobs (one jar, picocli CLI)", [
        "split · tune (ASHA, FAIR pools) · register", "score · next-batch · drift",
        "local[*], a Spark cluster, or Kubernetes", "via the Spark operator (SparkApplication)"], "blue")
    d.box("operator", 530, 425, 330, 60, "Kubeflow Spark operator", ["driver + executor pods, dynamic allocation"], "blue")

    d.zone(905, 80, 210, 440, "Tracking and registry", "purple")
    d.box("mlflow", 920, 130, 180, 120, "MLflow server", ["experiments, runs,", "sweep parent/child runs,", "model registry:", "aliases champion / previous"], "purple")
    d.box("postgres", 920, 300, 180, 60, "PostgreSQL", ["MLflow + Airflow metadata"], "purple")

    d.zone(1140, 80, 240, 440, "Serving (Kubernetes)", "green")
    d.box("clients", 1160, 115, 200, 55, "Clients", ["hospital systems, batch callers"], "grey")
    d.box("ingress", 1160, 205, 200, 55, "ALB Ingress / NodePort", ["TLS, /health/ready checks"], "green")
    d.box("serving", 1160, 300, 200, 120, "health-predict-serving", ["Javalin, row scorer (µs/row)", "2–10 pods, HPA, PDB", "/predict · /predict/batch", "/metrics · /admin/reload"], "green")

    d.zone(905, 550, 475, 230, "Monitoring", "red")
    d.box("prometheus", 920, 590, 200, 75, "Prometheus", ["ServiceMonitor scrapes /metrics", "PrometheusRule alerts"], "red")
    d.box("pushgateway", 920, 690, 200, 70, "Pushgateway", ["hp_dataset_drift_share", "from the drift job"], "red")
    d.box("alertmanager", 1160, 590, 200, 75, "Alertmanager / Grafana", ["drift > 0.3 for 1 h, p95 > 1 s,", "5xx > 5 %, no model loaded"], "red")

    d.zone(20, 550, 860, 230, "CI/CD and infrastructure", "teal")
    d.box("actions", 40, 595, 200, 80, "GitHub Actions", ["every push: make test", "main: build, push, deploy"], "teal")
    d.box("jib", 275, 595, 180, 80, "Jib images", ["serving · jobs (Spark base)", "no Docker daemon"], "teal")
    d.box("ecr", 490, 595, 160, 80, "Amazon ECR", ["scan on push", "immutable tags"], "teal")
    d.box("rollout", 685, 595, 175, 80, "kubectl rollout", ["kustomize overlay, smoke", "test, undo on failure"], "teal")
    d.box("terraform", 40, 700, 820, 60, "Terraform / OpenTofu (iac/)", [
        "S3 buckets · ECR · IAM (least privilege, IRSA, GitHub OIDC) · single EC2 host (MLflow, Airflow, PostgreSQL, Minikube) · optional EKS"], "teal")

    d.arrow(("uci", "r"), ("raw", "l"), "CSV", label_at=0.5)
    d.arrow(("synthetic", "r"), (260, 175), via=[(232, 250), (232, 175)])
    d.arrow(("sample", "r"), (260, 180), via=[(240, 345), (240, 180)], label="file://", label_at=0.5, dy=14)
    d.arrow(("raw", "r"), (530, 262), via=[(497, 155), (497, 262)], label="read", label_at=0.35, dy=-4)
    d.arrow((530, 300), (470, 300), label="Parquet", dy=-6)
    d.arrow(("airflow", "b"), ("spark", "t"), "submit jobs", kind="control", label_at=0.5, dy=4)
    d.arrow(("operator", "t"), ("spark", "b"), "runs pods", kind="control", dy=4)
    d.arrow((860, 290), (920, 200), via=[(890, 290), (890, 200)], label="runs, models", label_at=0.5, dy=-6)
    d.arrow(("mlflow", "b"), ("postgres", "t"), "metadata", dy=4)
    d.arrow((920, 235), ("artifacts", "b"), via=[(893, 235), (893, 503), (365, 503)], label="artifacts", label_at=0.3, dy=-4)
    d.arrow(("mlflow", "r"), (1160, 335), via=[(1125, 190), (1125, 335)], label="champion", label_at=0.35, dy=-4)
    d.arrow(("clients", "b"), ("ingress", "t"), "POST /predict", dy=4)
    d.arrow(("ingress", "b"), ("serving", "t"))
    d.arrow(("serving", "b"), (1020, 590), via=[(1260, 530), (1020, 530)], label="/metrics scrape", label_at=0.5)
    d.arrow((800, 485), ("pushgateway", "l"), via=[(800, 530), (890, 530), (890, 725)], label="drift share", label_at=0.45, dy=-6)
    d.arrow(("pushgateway", "t"), ("prometheus", "b"))
    d.arrow(("prometheus", "r"), ("alertmanager", "l"), "alerts", kind="control")
    d.arrow((1310, 590), (860, 150), via=[(1310, 545), (872, 545), (872, 150)], kind="control", label="alert → retrain", label_at=0.25, dy=-6)
    d.arrow(("actions", "r"), ("jib", "l"), "build", kind="control")
    d.arrow(("jib", "r"), ("ecr", "l"), "push")
    d.arrow(("ecr", "r"), ("rollout", "l"), "pull")
    d.arrow(("rollout", "t"), (1160, 400), via=[(772, 560), (1135, 560), (1135, 400)], kind="control", label="rolling update", label_at=0.3)
    d.legend(20, 805, [("blue", "training compute"), ("green", "serving"), ("red", "monitoring")])
    d.text(1380, 915, "Solid arrows: data; dashed: control. Source: docs/diagrams/generate.py", size=11, fill="#6b7280", anchor="end")
    return d


def data_pipeline() -> Diagram:
    d = Diagram(1400, 560, "Health Predict: data pipeline",
                "raw → clean → 20/80 split → storage → features (inside the model, shared by training and serving)")
    d.box("raw", 20, 110, 190, 120, "Raw CSV", ["50 columns, '?' for missing", "file:// or s3a://", "UCI, synthetic or sample"], "grey")
    d.box("clean", 250, 95, 230, 150, "Clean (split job)", ["schema and value checks", "per row and column", "bad rows kept with reason", "(rejected/ + counts)", "no silent drops"], "amber")
    d.box("split", 520, 80, 250, 180, "20 / 80 split", ["20 % initial patients,", "patient-disjoint:", "train 70 % · validation 15 %", "· test 15 %", "80 % future encounters,", "in encounter order"], "blue")
    d.box("storage", 810, 95, 240, 150, "Storage (Parquet)", ["…/split/initial/{train,", "validation,test}", "…/split/future", "manifest.json (counts, hashes)", "atomic commit"], "amber")
    d.box("features", 1090, 80, 290, 180, "Features (PipelineModel)", ["Java feature functions:", "ICD-9 → diagnosis group,", "age band, visit counts,", "medication changes;", "indexers + one-hot +", "assembler + classifier"], "green")
    d.arrow(("raw", "r"), ("clean", "l"), "read")
    d.arrow(("clean", "r"), ("split", "l"), "valid rows")
    d.arrow(("split", "r"), ("storage", "l"), "write")
    d.arrow(("storage", "r"), ("features", "l"), "fit / transform")
    d.box("batches", 520, 330, 250, 90, "next-batch", ["cuts batch k of the future data", "cursor in a small JSON state"], "red")
    d.box("drift", 810, 330, 240, 90, "drift", ["batch k vs reference (train)", "KS / chi-square / PSI / JS"], "red")
    d.box("tune", 1090, 330, 290, 90, "tune · register · score · serving", ["one artifact: the fitted PipelineModel", "row scorer calls the same functions"], "green")
    d.arrow((895, 245), ("batches", "t"), via=[(895, 290), (645, 290)], label="future", label_at=0.5)
    d.arrow(("batches", "r"), ("drift", "l"), "batch k")
    d.arrow(("drift", "r"), ("tune", "l"), "retrain", kind="control")
    d.arrow(("features", "b"), ("tune", "t"), "model")
    d.arrow((365, 245), (365, 425), label="rejected rows + reasons", label_at=0.6, dy=0)
    d.text(365, 445, "…/split/rejected (CSV with reason)", size=11.5, fill="#374151")
    d.legend(20, 470, [])
    d.text(1380, 545, "Source: docs/diagrams/generate.py", size=11, fill="#6b7280", anchor="end")
    return d


def model_lifecycle() -> Diagram:
    d = Diagram(1400, 700, "Health Predict: model lifecycle",
                "training (blue) → deployment (green) → monitoring and retraining (red)")
    d.zone(20, 80, 440, 470, "Training", "blue")
    d.box("data", 40, 120, 180, 70, "Split data", ["initial train / validation"], "blue")
    d.box("sweep", 250, 120, 190, 70, "tune: ASHA sweep", ["parallel trials on Spark"], "blue")
    d.box("runs", 250, 240, 190, 80, "MLflow runs", ["parent + child per trial,", "metric at every rung"], "blue")
    d.box("refit", 40, 240, 180, 80, "Best trial at R", ["one PipelineModel,", "test metrics"], "blue")
    d.box("register", 40, 380, 400, 120, "register: champion / challenger gate", [
        "candidate vs champion on the same held-out test rows", "promote only if better by --margin and above floors",
        "optional human approval · audit log · model card"], "blue")

    d.zone(490, 80, 420, 470, "Deployment", "green")
    d.box("alias", 510, 120, 380, 70, "Registry alias champion → version N", ["previous → N-1 (rollback restores it)"], "green")
    d.box("reload", 510, 240, 380, 80, "Serving reloads the champion", ["poll (RELOAD_POLL_SECONDS) or POST /admin/reload;", "ready only with a model loaded"], "green")
    d.box("ab", 510, 380, 180, 120, "A/B", ["challenger share", "split or shadow", "by patient hash"], "green")
    d.box("rollout", 710, 380, 180, 120, "Image rollout", ["CI: Jib → ECR →", "kubectl rollout,", "smoke test,", "undo on failure"], "green")

    d.zone(940, 80, 440, 470, "Monitoring and retraining", "red")
    d.box("metrics", 960, 120, 400, 70, "Prometheus metrics and alerts", ["latency p95, error rate, hp_model_loaded, predictions"], "red")
    d.box("batch", 960, 240, 190, 80, "next-batch", ["new encounters"], "red")
    d.box("driftjob", 1170, 240, 190, 80, "drift job", ["share of drifted", "features, perf drift"], "red")
    d.box("decision", 960, 380, 400, 120, "DRIFT_DETECTED ?", ["yes: retrain on reference + accumulated batches", "(Airflow branch; alert if share > 0.3 for 1 h)",
                                                             "no: keep the champion"], "red")

    d.arrow(("data", "r"), ("sweep", "l"))
    d.arrow(("sweep", "b"), ("runs", "t"), "log")
    d.arrow(("runs", "l"), ("refit", "r"), "best")
    d.arrow(("refit", "b"), (130, 380), label="model", label_at=0.5)
    d.arrow((440, 440), (510, 155), via=[(475, 440), (475, 155)], label="promote", label_at=0.5, kind="control")
    d.arrow(("alias", "b"), ("reload", "t"), "models:/…@champion")
    d.arrow((600, 320), ("ab", "t"), label="", label_at=0.5)
    d.arrow(("rollout", "t"), (800, 320), kind="control")
    d.arrow(("reload", "r"), (960, 155), via=[(925, 280), (925, 155)], label="metrics", label_at=0.5)
    d.arrow(("batch", "r"), ("driftjob", "l"))
    d.arrow(("driftjob", "b"), (1265, 380), label="report", label_at=0.5)
    d.arrow(("decision", "b"), ("data", "l"), via=[(1160, 590), (30, 590), (30, 155)], kind="control",
            label="retrain: tune on reference + accumulated batches", label_at=0.5, color="#c81e1e")
    d.legend(20, 615, [])
    d.text(1380, 690, "Source: docs/diagrams/generate.py", size=11, fill="#6b7280", anchor="end")
    return d


DIAGRAMS = {"architecture.svg": architecture, "data-pipeline.svg": data_pipeline, "model-lifecycle.svg": model_lifecycle}


def main():
    for name, build in DIAGRAMS.items():
        (HERE / name).write_text(build().svg())
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
