# Health Predict: the entry points a person types.
#   make demo   split the bundled sample, run a short ASHA sweep, register the winner in MLflow, check the
#               first batch of future encounters for drift, start the scoring service and call /predict
#   make test   build and run every test (Java and Python)
#   make help   list every target
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

MVN ?= mvn -B -ntp
PYTHON ?= python3
VENV := .venv
VENV_STAMP := $(VENV)/.installed-$(shell sha256sum python/requirements.txt | cut -c1-12)
JOBS := bin/health-predict
JOBS_JAR := jobs/target/health-predict-jobs.jar
BENCH_JAR := benchmarks/target/health-predict-benchmarks.jar
MLFLOW_PORT ?= 5000
MLFLOW_URI := http://127.0.0.1:$(MLFLOW_PORT)
OUT ?= out

.PHONY: help venv build test test-java test-python test-deploy deploy-tools chromium iac-validate images images-test demo mlflow-start mlflow-stop bench-data bench-hpo bench-drift bench-drift-detection bench-quality bench-serving-jmh bench-serving bench-soak serve airflow clean cluster-tools spark-operator cluster-deps cluster-up cluster-down cluster-smoke cluster-serving cluster-split test-k8s

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

venv: $(VENV_STAMP) ## create the Python virtual environment with pinned MLflow and pytest

$(VENV_STAMP): python/requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10+ is required, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r python/requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

build: ## compile and package the jobs jar (no tests)
	$(MVN) -q install -DskipTests

test: venv test-java test-python ## build and run every test

test-java:
	$(MVN) install

test-python: venv deploy-tools images-test
	@if compgen -G "python/tests/test_*.py" >/dev/null; then $(VENV)/bin/pytest -q --durations=25 --ignore=python/tests/k8s python/tests; else echo "no Python tests yet"; fi

# Deployment tools (docs/deploy.md), built with Go from the Go module proxy into a project-local folder.
TOOLS := .tools/bin
KUSTOMIZE_VERSION := v5.7.1
KUSTOMIZE := $(TOOLS)/kustomize-$(KUSTOMIZE_VERSION)
deploy-tools: $(KUSTOMIZE) $(TOOLS)/monitoring-check $(TOOLS)/tofu chromium ## build kustomize, OpenTofu and the Prometheus-rule checker into .tools/bin

# Headless Chromium renders the diagrams in the tests (Debian's package; set CHROMIUM to use another).
chromium:
	@command -v $${CHROMIUM:-chromium} >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; } || \
	  { echo "Chromium is needed for the diagram tests: apt-get install chromium (or set CHROMIUM)"; exit 1; }

$(KUSTOMIZE):
	mkdir -p $(TOOLS)
	GOBIN=$(abspath $(TOOLS))/kustomize.tmp go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)
	mv $(TOOLS)/kustomize.tmp/kustomize $@ && rmdir $(TOOLS)/kustomize.tmp
	ln -sfn $(notdir $@) $(TOOLS)/kustomize

$(TOOLS)/monitoring-check: $(wildcard k8s/tools/monitoring-check/*.go) k8s/tools/monitoring-check/go.mod k8s/tools/monitoring-check/go.sum
	cd k8s/tools/monitoring-check && go build -o $(abspath $@) .

# OpenTofu's go.mod has a replace directive, so `go install ...@version` refuses it: iac/tools pins and builds it.
$(TOOLS)/tofu: iac/tools/go.mod iac/tools/go.sum
	cd iac/tools && go build -o $(abspath $@) github.com/opentofu/opentofu/cmd/tofu

# Container images with Jib (no Docker daemon; docs/deploy.md). Their configuration is in serving/pom.xml,
# jobs/pom.xml and the parent pom's pluginManagement; this passes the base, the name and the commit.
# JIB_GOAL=build pushes to IMAGE_REGISTRY (CI: ECR); JIB_GOAL=buildTar writes <module>/target/jib-image.tar.
# IMAGE_BASE is a maintained JRE image from a registry; images-test uses a local tar:// base instead.
JIB_GOAL ?= buildTar
IMAGE_BASE ?= eclipse-temurin:17-jre
IMAGE_REGISTRY ?= local
IMAGE_TAG ?= $(shell git rev-parse --short=12 HEAD)
JIB_PROPS = -Dimage.base=$(IMAGE_BASE) -Dimage.registry=$(IMAGE_REGISTRY) -Dimage.tag=$(IMAGE_TAG) \
  -Dgit.commit=$(shell git rev-parse HEAD)
# serving: ServingMain on the JRE. jobs: a Spark home from the jars Maven resolves (profile spark-image copies
# them to jobs/target/spark-jars, emptied first so no stale version is left), the entry point and the jar.
define jib_images
	$(MVN) -q -pl serving jib:$(JIB_GOAL) $(JIB_PROPS)
	rm -rf jobs/target/spark-jars
	$(MVN) -q -pl jobs -Pspark-image dependency:copy-dependencies@spark-jars \
	  dependency:copy-dependencies@spark-jars-runtime jib:$(JIB_GOAL) $(JIB_PROPS)
endef
images: build ## build the serving and jobs images with Jib (JIB_GOAL=build pushes to IMAGE_REGISTRY)
	$(jib_images)

# The tests' base image (no registry here): a JRE on a minimal Debian root file system, made from Debian's
# packages by scripts/jib-base-image.py (mmdebstrap; about 2 minutes) once, then kept in .tools/.
JIB_BASE_TAR := .tools/jib-base/debian-bookworm-jre17.tar
$(JIB_BASE_TAR): scripts/jib-base-image.py
	$(PYTHON) scripts/jib-base-image.py $@

images-test: IMAGE_BASE = tar://$(abspath $(JIB_BASE_TAR))
images-test: $(JIB_BASE_TAR) ## both image tars on the Debian JRE base, from what is built (what the image tests check)
	@[[ -f $(JOBS_JAR) && -d serving/target/classes ]] || $(MAKE) --no-print-directory build
	$(jib_images)

# A single-node Kubernetes cluster built from source (scripts/cluster.sh). k8s.io/kubernetes replaces its staging
# modules with ./staging, so `go install …@version` refuses it: k8s/tools/cluster/go.mod pins them. Static binaries
# (CGO off, like the release's), named by version; ldflags give them the version `kubectl version` shows.
K8S_VERSION := v1.34.4
K8S_BINS := kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl kube-proxy
K8S_LDFLAGS := -s -w $(foreach p,k8s.io/component-base/version k8s.io/client-go/pkg/version,\
  -X $(p).gitVersion=$(K8S_VERSION) -X $(p).gitMajor=1 -X $(p).gitMinor=34 -X $(p).gitTreeState=clean)
cluster-tools: $(foreach b,$(K8S_BINS),$(TOOLS)/$(b)-$(K8S_VERSION)) ## build Kubernetes (apiserver, controller-manager, scheduler, kubelet, kubectl, kube-proxy) into .tools/bin

$(TOOLS)/%-$(K8S_VERSION): k8s/tools/cluster/go.mod k8s/tools/cluster/go.sum
	mkdir -p $(TOOLS)
	cd k8s/tools/cluster && CGO_ENABLED=0 go build -ldflags '$(K8S_LDFLAGS)' -o $(abspath $@) k8s.io/kubernetes/cmd/$*
	ln -sfn $(notdir $@) $(TOOLS)/$*

# The Kubeflow Spark operator's controller for `scripts/cluster.sh operator`, built from the Go module proxy like the
# cluster, and the CRDs of the same release beside it (the repository's spark-operator/crds are validation schemas).
SPARK_OPERATOR_VERSION := v2.4.0
SPARK_OPERATOR := $(TOOLS)/spark-operator-$(SPARK_OPERATOR_VERSION)
SPARK_OPERATOR_CRDS := .tools/spark-operator-crds-$(SPARK_OPERATOR_VERSION)
spark-operator: $(SPARK_OPERATOR) ## build the Spark operator into .tools/bin, its CRDs into .tools/spark-operator-crds-<version>

$(SPARK_OPERATOR): k8s/tools/spark-operator/go.mod k8s/tools/spark-operator/go.sum
	mkdir -p $(TOOLS) $(SPARK_OPERATOR_CRDS)
	cd k8s/tools/spark-operator && CGO_ENABLED=0 go build -trimpath -o $(abspath $@) \
	  -ldflags '-s -w -X github.com/kubeflow/spark-operator/v2.version=$(SPARK_OPERATOR_VERSION:v%=%)' \
	  github.com/kubeflow/spark-operator/v2/cmd/operator && \
	  install -m 644 "$$(go list -m -f '{{.Dir}}' github.com/kubeflow/spark-operator/v2)"/config/crd/bases/*.yaml \
	  $(abspath $(SPARK_OPERATOR_CRDS))/
	ln -sfn $(notdir $@) $(TOOLS)/spark-operator

cluster-up: cluster-tools ## start the single-node cluster (root; .cluster/, kubeconfig .cluster/kubeconfig)
	scripts/cluster.sh up

cluster-smoke: ## run a pod from a locally made image on the cluster and print its logs
	scripts/cluster.sh smoke

cluster-serving: ## run serving/target/jib-image.tar (make images) as a pod on the cluster
	scripts/cluster.sh serving

cluster-split: ## split the sample with Spark executors as pods on the cluster (jobs/target/jib-image.tar; output .cluster/spark-io/split)
	mkdir -p .cluster/spark-io && cp data/sample/diabetic_data_sample.csv .cluster/spark-io/in.csv && rm -rf .cluster/spark-io/split
	scripts/cluster.sh spark split --input $(CURDIR)/.cluster/spark-io/in.csv --output $(CURDIR)/.cluster/spark-io/split

cluster-down: ## stop the cluster and clean its mounts, bridge and kernel settings
	scripts/cluster.sh down

cluster-deps: ## install the cluster's Debian packages (containerd, runc, CNI plugins, etcd, ...) when missing (root)
	@command -v containerd >/dev/null && command -v etcd >/dev/null && [[ -x /usr/lib/cni/bridge ]] || scripts/cluster.sh deps

# Minutes and root: starts the cluster, runs Spark jobs on executor pods (client mode, and a SparkApplication through
# the Spark operator) and the serving pod against a real MLflow, applies the minikube overlay and lets the deployment
# DAG roll the Deployment forward and back (real kubectl), stops the cluster. Not part of `make test` (make test-python
# leaves python/tests/k8s out; without the cluster tools these tests fail, they never skip).
test-k8s: venv cluster-deps cluster-tools spark-operator $(KUSTOMIZE) images-test ## end-to-end tests on the local cluster (root; builds and installs what it needs)
	$(VENV)/bin/pytest -q -s --durations=0 python/tests/k8s

iac-validate: $(TOOLS)/tofu ## tofu init + validate of iac/ (needs the OpenTofu registry for the AWS provider; not on CI)
	cd iac && ../$(TOOLS)/tofu init -backend=false -input=false && ../$(TOOLS)/tofu validate

test-deploy: venv deploy-tools images-test ## check the image tars, validate k8s/, spark-operator/ and iac/, render the diagrams, run the notebook
	$(VENV)/bin/pytest -q python/tests/test_deploy_*.py

mlflow-start: venv ## start the local MLflow server (port 5000 or MLFLOW_PORT), data in .mlflow/
	MLFLOW_PORT=$(MLFLOW_PORT) scripts/mlflow-server.sh start

mlflow-stop: ## stop the local MLflow server
	MLFLOW_PORT=$(MLFLOW_PORT) scripts/mlflow-server.sh stop

DEMO_TRIALS ?= 9
DEMO_MODEL ?= HealthPredict
DEMO_BATCH ?= 1000
# 60% of the sample as initial data (train / validation / test), so the test rows hold enough
# readmissions (about 45) for the gate's comparisons to mean something; the rest is future batches.
DEMO_INITIAL_FRACTION ?= 0.6
demo: venv build mlflow-start ## split, short ASHA sweep, register behind the gate, drift on the next batch, serve + /predict
	$(JOBS) split --input data/sample/diabetic_data_sample.csv --output $(OUT)/split --initial-fraction $(DEMO_INITIAL_FRACTION)
	@echo "Spark UI while the sweep runs: http://127.0.0.1:4040 (jobs are labelled 'trial N · rung K · <config>')"
	$(JOBS) tune --data $(OUT)/split --space conf/spaces/quick.yaml --max-trials $(DEMO_TRIALS) --max-concurrent 2 \
	  --tracking-uri $(MLFLOW_URI) --experiment health-predict-demo | tee $(OUT)/tune.log
	run=$$(sed -n 's/^tune: OK run=\([0-9a-f]*\) .*/\1/p' $(OUT)/tune.log); \
	  $(JOBS) register --run $$run --name $(DEMO_MODEL) --tracking-uri $(MLFLOW_URI) | tee $(OUT)/register.log
	@echo "Simulating new data: the first batch of the future encounters, checked for drift against the training data"
	rm -rf $(OUT)/batches $(OUT)/drift
	$(JOBS) next-batch --future $(OUT)/split/future --batch-size $(DEMO_BATCH) --state $(OUT)/batches/cursor.json \
	  --out $(OUT)/batches | tee $(OUT)/next-batch.log
	@# The gate may refuse the sweep's model (the reason is in register.log): then there is no champion to
	@# check for prediction drift or to serve, and only data drift is checked.
	if grep -q ' champion=none ' $(OUT)/register.log; then model_args=(); else \
	  model_args=(--performance-reference $(OUT)/split/initial/test --model models:/$(DEMO_MODEL)@champion); fi; \
	$(JOBS) drift --reference $(OUT)/split/initial/train --current $(OUT)/batches/batch-00001 "$${model_args[@]}" \
	  --report $(OUT)/drift/batch-00001 --tracking-uri $(MLFLOW_URI) | tee $(OUT)/drift.log
	if grep -q ' champion=none ' $(OUT)/register.log; then echo "no champion: the scoring service is not started"; \
	  else scripts/demo-serve.sh $(MLFLOW_URI) $(DEMO_MODEL) $(OUT); fi
	@echo
	@echo "Demo done."
	@grep -E '^register: (untuned baseline|candidate run)' $(OUT)/register.log | sed 's/^register: /  gate input:     /'
	@grep -B1 '^register: OK' $(OUT)/register.log | head -n 1 | sed 's/^register: /  gate reason:    /'
	@sed -n 's/^register: OK name=\([^ ]*\) version=\([0-9]*\) decision=\([A-Z_]*\) champion=\([^ ]*\) \(.*\)/  registry:       \1 version \2 \3; champion is version \4 (\5)/p' $(OUT)/register.log
	@echo "  MLflow UI:      $(MLFLOW_URI)  (experiment 'health-predict-demo': the sweep run, one child run per trial,"
	@echo "                  sweep/rung_plot.png, sweep/trials.csv, model_card.md and the model; Models tab: $(DEMO_MODEL))"
	@echo "  split outputs:  $(OUT)/split  (manifest: $(OUT)/split/manifest.json); stop MLflow with 'make mlflow-stop'"
	@echo "  drift:          batch 1 of $(OUT)/split/future: $$(tail -n 1 $(OUT)/drift.log); report $(abspath $(OUT))/drift/batch-00001/report.html"
	@echo "                  (also in MLflow, experiment 'health-predict-monitoring'); next batch: bin/health-predict next-batch … (see README)"
	@echo "  serving:        'make serve' runs the scoring service on the champion (http://127.0.0.1:8080/openapi.json)"

serve: build mlflow-start ## run the scoring service on models:/$(DEMO_MODEL)@champion (port 8080; Ctrl-C drains and stops)
	MLFLOW_TRACKING_URI=$(MLFLOW_URI) MODEL_URI=$${MODEL_URI:-models:/$(DEMO_MODEL)@champion} bin/health-predict-serve

# Airflow with the project's DAGs (docs/airflow.md): state in .airflow/, UI on :$(AIRFLOW_PORT)
# (8080 is the scoring service's); spark-submit and airflow from the venv.
AIRFLOW_PORT ?= 8088
airflow: venv build mlflow-start ## run Airflow standalone with the DAGs of dags/ (UI on :8088, Ctrl-C stops)
	AIRFLOW_HOME=$(abspath .airflow) AIRFLOW__CORE__DAGS_FOLDER=$(abspath dags) AIRFLOW__CORE__LOAD_EXAMPLES=false \
	  AIRFLOW__API__PORT=$(AIRFLOW_PORT) AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:$(AIRFLOW_PORT)/execution/ \
	  AIRFLOW_VAR_HEALTH_PREDICT_MLFLOW_URI=$(MLFLOW_URI) \
	  PATH=$(abspath $(VENV)/bin):$$PATH $(VENV)/bin/airflow standalone

BENCH_SIZES ?= 100000,300000,1000000
BENCH_REPEATS ?= 5
bench-data: build ## generate 100k..1M rows; time split and the feature pipeline (report in out/bench/)
	HP_CLASSPATH=$(BENCH_JAR) HP_MAIN=org.healthpredict.bench.DataBenchmark HP_DRIVER_MEMORY=$${HP_DRIVER_MEMORY:-8g} \
	  $(JOBS) $(BENCH_SIZES) $(BENCH_REPEATS) $(OUT)/bench

DRIFT_BENCH_SIZES ?= 100000,300000,1000000
DRIFT_BENCH_REPEATS ?= 3
bench-drift: build ## drift report of N vs N generated rows, 100k..1M: wall time, peak heap (report in out/bench-drift/)
	HP_CLASSPATH=$(BENCH_JAR) HP_MAIN=org.healthpredict.bench.DriftBenchmark HP_DRIVER_MEMORY=$${HP_DRIVER_MEMORY:-2g} \
	  $(JOBS) $(DRIFT_BENCH_SIZES) $(DRIFT_BENCH_REPEATS) $(OUT)/bench-drift

DETECTION_ROWS ?= 50000
DETECTION_BATCH ?= 5000
DETECTION_DRIFT_FREE_RUNS ?= 20
bench-drift-detection: build ## per conf/drift/ spec and 20 drift-free runs: batches to detection, false alarms, defaults vs PSI (report in out/bench-drift-detection/)
	HP_CLASSPATH=$(BENCH_JAR) HP_MAIN=org.healthpredict.bench.DriftDetectionBenchmark HP_DRIVER_MEMORY=$${HP_DRIVER_MEMORY:-4g} \
	  $(JOBS) $(DETECTION_ROWS) $(DETECTION_BATCH) $(DETECTION_DRIFT_FREE_RUNS) $(OUT)/bench-drift-detection

HPO_INPUT ?= data/sample/diabetic_data_sample.csv
HPO_CONFIGS ?= 27
HPO_SEED ?= 42
HPO_THROUGHPUT_TRIALS ?= 9
HPO_SPACE ?= default
HPO_CONCURRENCY ?= 2
HPO_MLFLOW_PORT ?= 5057
HPO_REPORT ?= hpo-benchmark.md
# The oracle/ of a generated input (generate writes it): adds test scores as fractions of the oracle.
HPO_ORACLE ?=
HPO_WORK ?= $(OUT)/bench-hpo
bench-hpo: venv build ## MLlib TrainValidationSplit grid vs ASHA on the same sampled configs (report in out/bench/)
	@[[ -f $(HPO_WORK)/split/manifest.json ]] || $(JOBS) split --input $(HPO_INPUT) --output $(HPO_WORK)/split
	@mkdir -p $(HPO_WORK)/mlflow/artifacts
	MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false $(VENV)/bin/mlflow server \
	  --backend-store-uri sqlite:///$(abspath $(HPO_WORK))/mlflow/mlflow.db \
	  --artifacts-destination $(abspath $(HPO_WORK))/mlflow/artifacts --serve-artifacts \
	  --host 127.0.0.1 --port $(HPO_MLFLOW_PORT) --workers 1 >$(HPO_WORK)/mlflow/server.log 2>&1 & mlflow_pid=$$!; \
	trap 'kill $$mlflow_pid' EXIT; \
	for _ in $$(seq 1 120); do curl -fsS -m 2 http://127.0.0.1:$(HPO_MLFLOW_PORT)/health >/dev/null 2>&1 && break; sleep 1; done; \
	HP_CLASSPATH=$(BENCH_JAR) HP_MAIN=org.healthpredict.bench.HpoBenchmark HP_DRIVER_MEMORY=$${HP_DRIVER_MEMORY:-6g} \
	  $(JOBS) $(abspath $(HPO_WORK))/split http://127.0.0.1:$(HPO_MLFLOW_PORT) $(HPO_CONFIGS) $(HPO_SEED) \
	  $(HPO_THROUGHPUT_TRIALS) $(OUT)/bench $(HPO_SPACE) $(HPO_CONCURRENCY) $(HPO_REPORT) $(HPO_ORACLE)

QUALITY_SEEDS ?= 1,2,3,4,5
QUALITY_BUDGET ?= 240
bench-quality: venv build ## tune vs untuned train per family vs scikit-learn LR, LightGBM, Optuna+LightGBM on 5 patient splits (report in out/bench/)
	$(VENV)/bin/python python/bench/quality.py --seeds $(QUALITY_SEEDS) --budget $(QUALITY_BUDGET) --concurrency 2 \
	  --work $(OUT)/bench-quality --report $(OUT)/bench/quality-benchmark.md

# One JVM fork per model and method (JMH 1.37; forks inherit these JVM flags): about 3 minutes on 2 cores.
bench-serving-jmh: ## JMH: µs per record, row scorer vs Spark's predictProbability per family (serving/target/bench/)
	$(MVN) -q install -DskipTests -pl serving -am
	@mkdir -p serving/target/bench
	source bin/lib/java-flags.sh; export SPARK_LOCAL_IP=$${SPARK_LOCAL_IP:-127.0.0.1}; \
	  java "$${spark_java_flags[@]}" -Xmx3g -Dlog4j2.configurationFile=$(abspath conf/log4j2.properties) \
	  -cp "serving/target/test-classes:serving/target/classes:$$(cat serving/target/classpath-test.txt)" \
	  org.healthpredict.serving.scoring.RowScorerBench serving/target/bench | tee serving/target/bench/row-scorer-jmh.log

bench-serving: build mlflow-start ## wrk against /predict and /predict/batch: row path vs Spark transform, champion and reference forest
	@curl -fsS "$(MLFLOW_URI)/api/2.0/mlflow/registered-models/alias?name=$(DEMO_MODEL)&alias=champion" >/dev/null \
	  || { echo "bench-serving: no champion of $(DEMO_MODEL) yet; running make demo first"; $(MAKE) demo; }
	MLFLOW_URI=$(MLFLOW_URI) CHAMPION_URI=models:/$(DEMO_MODEL)@champion WORK=$(OUT)/bench-serving scripts/bench-serving.sh

# The service process for SOAK_MINUTES against a private MLflow server, at SOAK_RATE open-loop /predict requests per
# second, with a reload every SOAK_RELOAD_SECONDS and MLflow stopped SOAK_OUTAGE_SECONDS in the middle; SOAK_ARGS
# passes more flags (SOAK_ARGS=--help lists them). The harness fits the two models with Spark first (about a minute).
SOAK_MINUTES ?= 10
SOAK_RATE ?= 500
SOAK_RELOAD_SECONDS ?= 30
SOAK_OUTAGE_SECONDS ?= 60
SOAK_ARGS ?=
bench-soak: venv build ## soak: 10 min of fixed-rate /predict, reload every 30 s, MLflow down 60 s; p99 and RSS per minute (out/bench-soak/)
	source bin/lib/java-flags.sh; export SPARK_LOCAL_IP=$${SPARK_LOCAL_IP:-127.0.0.1}; \
	  java "$${spark_java_flags[@]}" -Xmx2g -Dlog4j2.configurationFile=$(abspath conf/log4j2.properties) \
	  -cp "serving/target/test-classes:serving/target/classes:$$(cat serving/target/classpath-test.txt)" \
	  org.healthpredict.serving.bench.SoakBenchmark --minutes $(SOAK_MINUTES) --rate $(SOAK_RATE) \
	  --reload-seconds $(SOAK_RELOAD_SECONDS) --outage-seconds $(SOAK_OUTAGE_SECONDS) --work $(OUT)/bench-soak $(SOAK_ARGS)

clean: ## remove build outputs and demo outputs (keeps .venv and .mlflow)
	$(MVN) -q clean
	rm -rf $(OUT)
