#!/usr/bin/env bash
# A single-node Kubernetes cluster on this machine, built from source, for trying the project's manifests and
# images without a cloud or a registry:  scripts/cluster.sh up | down | status | smoke | serving | import TAR...
#
#   up      certificates, etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd (with a pause
#           image made here), the kubelet and kube-proxy; waits for the node to be Ready and writes .cluster/kubeconfig
#   down    deletes the pods, stops every process it started, unmounts what they mounted, deletes the bridge, removes
#           kube-proxy's iptables rules and puts back the kernel settings the kubelet, kube-proxy and the bridge change
#   status  the processes, the node and the pods
#   smoke   runs a pod from an image made here (k8s/tools/cluster/hello) and prints its logs
#   serving runs the serving image (a Jib tar, default serving/target/jib-image.tar) as a pod: k8s/cluster/serving-pod.yaml
#   spark   a jobs command (split, tune, ...) through spark-submit in client mode, executors as pods (see spark())
#   import  imports image tars (docker or OCI archives, e.g. jobs/target/jib-image.tar) into the cluster's containerd
#   operator starts the Kubeflow Spark operator's controller (make spark-operator) here, beside the control plane, with
#           its CRDs; it submits the SparkApplications of namespace health-predict-jobs with the venv's spark-submit
#
# Needs root, cgroup v1 or v2, and Debian's containerd, runc, containernetworking-plugins, etcd-server, iptables
# (`scripts/cluster.sh deps` installs them), gcc and Go; the Kubernetes binaries come from `make cluster-tools`
# (k8s/tools/cluster/go.mod). No image is pulled: the sandbox image is Kubernetes' pause.c compiled here.
#
# Everything lives under .cluster/ (CLUSTER_DIR): certificates, etcd's data, containerd's root and state, runc's
# state, the kubelet's root, logs (.cluster/logs), pid files. Outside it, while it runs: containerd's shim sockets
# (/run/containerd/s), the CNI result cache (/var/lib/cni/results), the kubelet's /var/log/containers links, cgroups
# under kubepods/, a bridge (hp-cni0), the kubelet's iptables chains (KUBE-FIREWALL drops packets to 127/8 from
# other sources), kube-proxy's (Services) and kernel settings (vm.overcommit_memory, kernel.panic,
# kernel.panic_on_oops, ip_forward, route_localnet); `down` removes or puts back each.
# It listens on loopback and on the pod bridge's gateway only: etcd on 127.0.0.1:2379/2380, the API server on
# 10.244.0.1:6443 (the gateway, so that pods reach it as the `kubernetes` Service, 10.96.0.1:443, the way Spark's
# driver pods and the operator's do), the kubelet on 127.0.0.1:10250/10248, the controller manager and the scheduler
# on 127.0.0.1:10257/10259, kube-proxy's health and metrics on 127.0.0.1:10256/10249, the Spark operator's probes on
# 127.0.0.1:10261. Pods get 10.244.0.0/24 on the bridge, which `up` creates before the API server binds to it.
# kube-proxy (iptables mode) routes Services from this host: cluster IPs (10.96.0.0/16) and NodePorts on 127.0.0.1.
# There is no DNS: pods name the API server and the host by IP.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
D="${CLUSTER_DIR:-$ROOT/.cluster}"
K8S_VERSION="${K8S_VERSION:-v1.34.4}"
BIN="${CLUSTER_BIN:-$ROOT/.tools/bin}"
PAUSE_IMAGE="localhost/pause:3.10.1"
HELLO_IMAGE="localhost/hello:v1"
NODE="$(hostname | tr '[:upper:]' '[:lower:]')"
POD_CIDR="10.244.0.0/24"
SERVICE_CIDR="10.96.0.0/16"
BRIDGE="hp-cni0"
GATEWAY="${POD_CIDR%.0/24}.1" # the bridge's address: this host as the pods see it
APISERVER="https://$GATEWAY:6443"
SPARK_OPERATOR_VERSION="${SPARK_OPERATOR_VERSION:-v2.4.0}"
JOBS_NS="health-predict-jobs" # where Spark's driver and executor pods run (spark-operator/)
SOCK="$D/containerd/containerd.sock"
# kube-proxy sets route_localnet so NodePorts answer on 127.0.0.1 (the kubelet's KUBE-FIREWALL then drops packets to
# 127/8 that come from elsewhere)
SYSCTLS="vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
kernel.keys.root_maxbytes net.ipv4.ip_forward net.ipv4.conf.all.route_localnet"

log() { printf '%s cluster: %s\n' "$(date -u +%T)" "$*" >&2; }
die() { log "$*"; exit 1; }
kctl() { "$BIN/kubectl-$K8S_VERSION" --kubeconfig "$D/kubeconfig" "$@"; }
ctrk() { ctr --address "$SOCK" -n k8s.io "$@"; }

deps() {
  local pkgs=(containerd runc containernetworking-plugins etcd-server iptables conntrack socat gcc libc6-dev openssl)
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
}

check() {
  [[ $(id -u) = 0 ]] || die "needs root (containerd, the kubelet and the bridge do)"
  local b
  for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl kube-proxy; do
    [[ -x $BIN/$b-$K8S_VERSION ]] || die "$BIN/$b-$K8S_VERSION missing: make cluster-tools"
  done
  for b in containerd containerd-shim-runc-v2 ctr runc etcd openssl gcc go iptables; do
    command -v "$b" >/dev/null || die "$b missing: scripts/cluster.sh deps"
  done
  [[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] ||
    die "CNI plugins missing in /usr/lib/cni: scripts/cluster.sh deps"
  # the kubelet refuses a loopback node IP, so it listens on 127.0.0.1 and the API server reaches it by host name
  getent ahostsv4 "$NODE" | awk '{print $1}' | grep -q '^127\.' ||
    die "host name $NODE does not resolve to a 127.x address (/etc/hosts): the API server could not reach the kubelet"
}

# --- certificates ------------------------------------------------------------------------------------------
# One CA signs everything (EC P-256 keys); etcd is reached over plain HTTP on loopback.
cert() { # name subject extensions...
  local name=$1 subj=$2; shift 2
  # kept while its subject alternative names and usages are the ones asked for (a changed address gets a new one)
  [[ -f $D/pki/$name.crt && $(cat "$D/pki/$name.ext" 2>/dev/null) == "$(printf '%s\n' "$@")" ]] && return
  openssl ecparam -name prime256v1 -genkey -noout -out "$D/pki/$name.key" 2>/dev/null
  openssl req -new -key "$D/pki/$name.key" -subj "$subj" -out "$D/pki/$name.csr" 2>/dev/null
  printf '%s\n' "$@" > "$D/pki/$name.ext"
  openssl x509 -req -in "$D/pki/$name.csr" -CA "$D/pki/ca.crt" -CAkey "$D/pki/ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile "$D/pki/$name.ext" -out "$D/pki/$name.crt" 2>/dev/null
  rm -f "$D/pki/$name.csr"
}

pki() {
  mkdir -p "$D/pki" && chmod 700 "$D/pki"
  if [[ ! -f $D/pki/ca.crt ]]; then
    openssl ecparam -name prime256v1 -genkey -noout -out "$D/pki/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$D/pki/ca.key" -subj "/CN=health-predict-cluster-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$D/pki/ca.crt" 2>/dev/null
  fi
  local client="extendedKeyUsage=clientAuth" ku="keyUsage=critical,digitalSignature,keyEncipherment"
  cert apiserver "/CN=kube-apiserver" "$ku" "extendedKeyUsage=serverAuth" \
    "subjectAltName=IP:127.0.0.1,IP:$GATEWAY,IP:${SERVICE_CIDR%.0/*}.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$ku" "$client"
  cert admin "/O=system:masters/CN=kubernetes-admin" "$ku" "$client"
  cert controller-manager "/CN=system:kube-controller-manager" "$ku" "$client"
  cert scheduler "/CN=system:kube-scheduler" "$ku" "$client"
  cert kubelet-client "/O=system:nodes/CN=system:node:$NODE" "$ku" "$client"
  cert kube-proxy "/CN=system:kube-proxy" "$ku" "$client" # bound to system:node-proxier by the default RBAC
  cert kubelet-server "/CN=$NODE" "$ku" "extendedKeyUsage=serverAuth" "subjectAltName=DNS:$NODE,DNS:localhost,IP:127.0.0.1"
  if [[ ! -f $D/pki/sa.key ]]; then
    openssl ecparam -name prime256v1 -genkey -noout -out "$D/pki/sa.key" 2>/dev/null
    openssl ec -in "$D/pki/sa.key" -pubout -out "$D/pki/sa.pub" 2>/dev/null
  fi
  local n
  for n in admin controller-manager scheduler kubelet-client kube-proxy; do kubeconfig "$n"; done
  cp "$D/kubeconfig-admin" "$D/kubeconfig"
}

kubeconfig() { # name: a kubeconfig with the embedded client certificate
  local b64="base64 -w0"
  cat > "$D/kubeconfig-$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: health-predict
  cluster:
    server: $APISERVER
    certificate-authority-data: $($b64 < "$D/pki/ca.crt")
users:
- name: $1
  user:
    client-certificate-data: $($b64 < "$D/pki/$1.crt")
    client-key-data: $($b64 < "$D/pki/$1.key")
contexts:
- name: health-predict
  context: {cluster: health-predict, user: $1}
current-context: health-predict
EOF
  chmod 600 "$D/kubeconfig-$1"
}

# --- processes ---------------------------------------------------------------------------------------------
start() { # name command...: runs in its own session, pid in run/, output in logs/
  local name=$1; shift
  if running "$name"; then log "$name already running (pid $(cat "$D/run/$name.pid"))"; return; fi
  setsid "$@" >> "$D/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$D/run/$name.pid"
  log "$name started (pid $!, log $D/logs/$name.log)"
}

running() { [[ -f $D/run/$1.pid ]] && kill -0 "$(cat "$D/run/$1.pid")" 2>/dev/null; }

stop() {
  local name=$1 pid i
  [[ -f $D/run/$name.pid ]] || return 0
  pid=$(cat "$D/run/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { log "$name did not stop on TERM: KILL"; kill -KILL "$pid"; }
    log "$name stopped (pid $pid)"
  fi
  rm -f "$D/run/$name.pid"
}

wait_for() { # what seconds command...
  local what=$1 secs=$2 i; shift 2
  for ((i = 0; i < secs * 2; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  die "$what not ready after ${secs}s (logs in $D/logs)"
}

port_free() { ! ss -Htln "sport = :$1" | grep -q .; }

# --- images ------------------------------------------------------------------------------------------------
# Kubernetes' pause.c (from the k8s.io/kubernetes module the binaries are built from), compiled static.
pause_image() {
  local out="$D/images/pause.tar"
  [[ -f $out ]] && return
  mkdir -p "$D/images" "$D/build"
  local src
  src=$(cd "$ROOT/k8s/tools/cluster" && go mod download -json "k8s.io/kubernetes" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  gcc -Os -Wall -Werror -static -DVERSION="v3.10.1-hp" -o "$D/build/pause" "$src/build/pause/linux/pause.c"
  python3 "$ROOT/scripts/oci-image.py" --name "$PAUSE_IMAGE" --entrypoint /pause --file "$D/build/pause:/pause" "$out"
}

hello_image() {
  local out="$D/images/hello.tar"
  mkdir -p "$D/images" "$D/build"
  (cd "$ROOT/k8s/tools/cluster" && CGO_ENABLED=0 go build -o "$D/build/hello" ./hello)
  python3 "$ROOT/scripts/oci-image.py" --name "$HELLO_IMAGE" --entrypoint /hello --file "$D/build/hello:/hello" "$out"
}

import() {
  local t
  for t in "$@"; do
    log "importing $t"
    ctrk images import --all-platforms "$t"
  done
}

# --- configuration -----------------------------------------------------------------------------------------
write_configs() {
  mkdir -p "$D/containerd" "$D/cni/net.d" "$D/cni/ipam" "$D/kubelet" "$D/logs/pods"
  cat > "$D/containerd/config.toml" <<EOF
version = 2
root = "$D/containerd/root"
state = "$D/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$D/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  netns_mounts_under_state_dir = true
  # the kubelet asks for oom_score_adj -998 (sandboxes) / -997 (Guaranteed pods); lowering it needs CAP_SYS_RESOURCE,
  # which this machine's root does not have (runc init then dies: "can't get final child's PID from pipe: EOF")
  restrict_oom_score_adj = $( [[ $(( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24 & 1 )) = 1 ]] && echo false || echo true)
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$D/containerd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$D/cni/net.d"
EOF
  cat > "$D/cni/net.d/10-health-predict.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "health-predict",
  "plugins": [
    {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "$D/cni/ipam", "ranges": [[{"subnet": "$POD_CIDR"}]],
              "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "loopback"}
  ]
}
EOF
  cat > "$D/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: 10250
healthzBindAddress: 127.0.0.1
healthzPort: 10248
readOnlyPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $D/pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $D/pki/kubelet-server.crt
tlsPrivateKeyFile: $D/pki/kubelet-server.key
containerRuntimeEndpoint: unix://$SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
podLogsDir: $D/logs/pods
podCIDR: $POD_CIDR
resolvConf: /etc/resolv.conf
# this machine's disk is shared with builds: evict on nearly-full only, and never garbage-collect images by usage
evictionHard: {memory.available: 200Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
EOF
  mkdir -p "$D/kube-proxy"
  # NodePorts on loopback only, like everything else here; conntrack: 0 leaves the host's table size and timeouts as
  # they are (kube-proxy would raise them)
  cat > "$D/kube-proxy/config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $D/kubeconfig-kube-proxy}
hostnameOverride: $NODE
mode: iptables
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [127.0.0.0/8]
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

# --- up / down / status ------------------------------------------------------------------------------------
up() {
  check
  local t0=$SECONDS p
  mkdir -p "$D/run" "$D/logs" "$D/etcd"
  local any=
  for p in etcd containerd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
    running "$p" && any=1
  done
  if [[ -z $any ]]; then # a fresh start: the ports must be free
    for p in 2379 2380 6443 10250 10248 10257 10259 10256 10249; do port_free "$p" || die "port $p is in use"; done
  fi
  [[ -f $D/sysctl.saved ]] || for p in $SYSCTLS; do echo "$p=$(sysctl -n "$p")"; done > "$D/sysctl.saved"
  pki
  write_configs
  pause_image

  start etcd etcd --name default --data-dir "$D/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster default=http://127.0.0.1:2380 --quota-backend-bytes 2147483648
  start containerd containerd --config "$D/containerd/config.toml"
  wait_for etcd 60 curl -fsS http://127.0.0.1:2379/health

  local pki=$D/pki
  bridge
  start kube-apiserver "$BIN/kube-apiserver-$K8S_VERSION" \
    --bind-address="$GATEWAY" --advertise-address="$GATEWAY" --secure-port=6443 --etcd-servers=http://127.0.0.1:2379 \
    --client-ca-file="$pki/ca.crt" --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$pki/apiserver-kubelet-client.key" --kubelet-certificate-authority="$pki/ca.crt" \
    --kubelet-preferred-address-types=Hostname \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction --allow-privileged=true --profiling=false
  wait_for kube-apiserver 120 kctl get --raw /readyz

  start kube-controller-manager "$BIN/kube-controller-manager-$K8S_VERSION" \
    --kubeconfig="$D/kubeconfig-controller-manager" --authentication-kubeconfig="$D/kubeconfig-controller-manager" \
    --authorization-kubeconfig="$D/kubeconfig-controller-manager" --bind-address=127.0.0.1 --leader-elect=false \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --use-service-account-credentials=true --service-cluster-ip-range="$SERVICE_CIDR" --profiling=false
  start kube-scheduler "$BIN/kube-scheduler-$K8S_VERSION" \
    --kubeconfig="$D/kubeconfig-scheduler" --authentication-kubeconfig="$D/kubeconfig-scheduler" \
    --authorization-kubeconfig="$D/kubeconfig-scheduler" --bind-address=127.0.0.1 --leader-elect=false \
    --profiling=false

  wait_for containerd 60 ctrk version
  ctrk images ls -q | grep -qx "$PAUSE_IMAGE" || import "$D/images/pause.tar"

  start kubelet "$BIN/kubelet-$K8S_VERSION" --config="$D/kubelet/config.yaml" \
    --kubeconfig="$D/kubeconfig-kubelet-client" --root-dir="$D/kubelet/root" --cert-dir="$D/kubelet/pki" \
    --hostname-override="$NODE"
  wait_for "node $NODE" 180 node_ready
  # after the node exists: kube-proxy reads the node's addresses for NodePorts
  start kube-proxy "$BIN/kube-proxy-$K8S_VERSION" --config="$D/kube-proxy/config.yaml"
  wait_for kube-proxy 60 curl -fsS http://127.0.0.1:10256/healthz
  log "node $NODE Ready, Services routed, $((SECONDS - t0))s after up; kubeconfig: $D/kubeconfig"
}

# The pod bridge with the gateway's address, made before the API server binds to that address; the CNI bridge plugin
# takes it over as it is when the first pod starts.
bridge() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  ip -4 addr show dev "$BRIDGE" | grep -q "inet $GATEWAY/" || ip addr add "$GATEWAY/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

node_ready() {
  [[ $(kctl get node "$NODE" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) = True ]]
}

down() {
  [[ -d $D ]] || { log "nothing to stop ($D does not exist)"; return; }
  # the controllers first, so no ReplicaSet, Job or SparkApplication replaces the pods deleted next
  stop spark-operator
  stop kube-proxy
  stop kube-controller-manager
  stop kube-scheduler
  if running kube-apiserver && running kubelet; then
    log "deleting the pods (the kubelet stops them, and tears their sandboxes and networks down)"
    kctl delete pods --all --all-namespaces --wait=true --timeout=90s >/dev/null 2>&1 || true
  fi
  local n
  for n in kubelet kube-apiserver etcd; do stop "$n"; done
  if running containerd; then # what is left (pods the kubelet did not stop): kill, then remove sandboxes and all
    local t
    for t in $(ctrk tasks ls -q 2>/dev/null); do ctrk tasks kill -s SIGKILL "$t" 2>/dev/null || true; done
    sleep 1
    for t in $(ctrk tasks ls -q 2>/dev/null); do ctrk tasks delete -f "$t" 2>/dev/null || true; done
    for t in $(ctrk containers ls -q 2>/dev/null); do ctrk containers delete "$t" 2>/dev/null || true; done
  fi
  stop containerd
  # shims that outlived containerd serve our socket: find them by it, end them by pid
  local f cmd
  for f in /proc/[0-9]*/cmdline; do
    cmd=$(tr '\0' ' ' < "$f" 2>/dev/null) || continue
    [[ $cmd == *containerd-shim-runc-v2*"-address $SOCK "* ]] || continue
    f=${f%/cmdline}; kill -KILL "${f#/proc/}" 2>/dev/null && log "shim ${f#/proc/} killed" || true
  done
  # mounts under .cluster (pod volumes, netns, overlay rootfs, shm), deepest first
  local m
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(findmnt -rn -o TARGET | grep -F "$D/" | sort -r)
  rm -rf "$D/cni/ipam" # no container is left: no address is in use
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link delete "$BRIDGE" && log "bridge $BRIDGE deleted"
  rm -f /var/lib/cni/results/health-predict-* 2>/dev/null || true
  find /var/log/containers -type l -lname "$D/*" -delete 2>/dev/null || true
  rmdir /var/log/containers /var/lib/cni/results /var/lib/cni /run/containerd/s /run/containerd/runc/k8s.io \
    /run/containerd/runc /run/containerd 2>/dev/null || true
  # the kubelet's cgroups, leaves first (empty once the pods are gone)
  local c
  for c in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d $c ]] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  # kube-proxy's iptables rules (its Service chains and the jumps to them), then the kubelet's chains: canaries,
  # the hint, and KUBE-FIREWALL (jumped to from INPUT and OUTPUT)
  if [[ -x $BIN/kube-proxy-$K8S_VERSION ]]; then
    "$BIN/kube-proxy-$K8S_VERSION" --cleanup >> "$D/logs/kube-proxy.log" 2>&1 && log "kube-proxy rules removed" ||
      log "kube-proxy --cleanup failed (see $D/logs/kube-proxy.log)"
  fi
  local ipt tbl ch
  for ipt in iptables ip6tables; do
    while "$ipt" -t filter -D INPUT -j KUBE-FIREWALL 2>/dev/null; do :; done
    while "$ipt" -t filter -D OUTPUT -j KUBE-FIREWALL 2>/dev/null; do :; done
    for tbl in mangle nat filter; do
      for ch in KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT KUBE-FIREWALL; do
        "$ipt" -t "$tbl" -F "$ch" 2>/dev/null && "$ipt" -t "$tbl" -X "$ch" 2>/dev/null || true
      done
    done
  done
  if [[ -f $D/sysctl.saved ]]; then
    while IFS='=' read -r k v; do sysctl -qw "$k=$v" || true; done < "$D/sysctl.saved"
    rm -f "$D/sysctl.saved"
    log "kernel settings put back"
  fi
  log "down (state kept in $D; rm -rf it for a fresh cluster)"
}

status() {
  local n
  for n in etcd containerd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy spark-operator; do
    if running "$n"; then printf '%-24s running (pid %s)\n' "$n" "$(cat "$D/run/$n.pid")"
    else printf '%-24s stopped\n' "$n"; fi
  done
  if running kube-apiserver; then kctl get nodes -o wide; kctl get pods -A -o wide; fi
}

smoke() {
  local t0=$SECONDS
  hello_image
  import "$D/images/hello.tar"
  wait_for "service account default/default" 60 kctl get serviceaccount default
  kctl delete pod hello --ignore-not-found --wait=true >/dev/null
  kctl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata: {name: hello}
spec:
  restartPolicy: Never
  containers:
  - name: hello
    image: $HELLO_IMAGE
    imagePullPolicy: Never
    env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
EOF
  wait_for "pod hello" 120 pod_succeeded hello
  kctl get pod hello -o wide
  kctl logs hello
  log "pod hello Succeeded $((SECONDS - t0))s after smoke started"
}

# The serving image built by `make images` (Jib tar) as one pod; live once its startup probe passes. Ready only with
# a model, which needs MLflow: without it the service answers /health/live and reports "no model loaded yet".
serving() {
  local tar=${1:-$ROOT/serving/target/jib-image.tar} image
  [[ -f $tar ]] || die "$tar missing: make images (JIB_GOAL=buildTar)"
  image=$(tar -xOf "$tar" manifest.json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["RepoTags"][0])')
  import "$tar"
  wait_for "service account default/default" 60 kctl get serviceaccount default
  kctl delete pod serving --ignore-not-found --wait=true >/dev/null
  sed -e "s#image: IMAGE#image: $image#" -e "s#http://10.244.0.1:5000#${MLFLOW_URI:-http://10.244.0.1:5000}#" \
    "$ROOT/k8s/cluster/serving-pod.yaml" | kctl apply -f -
  wait_for "pod serving (started: startup probe passed)" 300 pod_started serving
  kctl get pod serving -o wide
  kctl logs serving --tail=5
  log "serving is live; try: kubectl --kubeconfig $D/kubeconfig port-forward pod/serving 8080:8080"
}

# A jobs command through spark-submit in client mode, as the DAGs submit: the driver runs here, bound to the pod
# bridge's gateway (10.244.0.1) so executors reach it; executors are pods of the jobs image (a Jib tar, default
# jobs/target/jib-image.tar, imported if missing) in namespace health-predict-jobs under the service account of
# spark-operator/rbac.yaml. Paths are shared through a hostPath: SPARK_IO (default .cluster/spark-io) is mounted at
# the same path in every executor, so --input/--output under it mean the same files to the driver and the executors.
#   SPARK_IO=... JOBS_TAR=... EXECUTORS=2 scripts/cluster.sh spark split --input $SPARK_IO/in.csv --output $SPARK_IO/split
# spark-submit comes from the venv (pyspark, the pom's Spark version) unless SPARK_SUBMIT is set. Executors are
# followed by polling, not watches: the API server refuses the client's watches ("the required storage feature
# RequestWatchProgress is disabled": Debian's etcd 3.4.23 lacks progress notifications).
spark() {
  local tar=${JOBS_TAR:-$ROOT/jobs/target/jib-image.tar} image io=${SPARK_IO:-$D/spark-io} ns=$JOBS_NS
  local submit=${SPARK_SUBMIT:-$ROOT/.venv/bin/spark-submit} jar=$ROOT/jobs/target/health-predict-jobs.jar
  local flags
  [[ -f $tar ]] || die "$tar missing: make images (JIB_GOAL=buildTar)"
  [[ -f $jar ]] || die "$jar missing: mvn package"
  [[ -x $submit ]] || die "$submit missing: make venv"
  image=$(tar -xOf "$tar" manifest.json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["RepoTags"][0])')
  ctrk images ls -q | grep -qx "docker.io/$image" || import "$tar"
  ip -4 addr show "$BRIDGE" 2>/dev/null | grep -q "inet $GATEWAY/" ||
    die "no bridge $BRIDGE with $GATEWAY: scripts/cluster.sh up"
  mkdir -p "$io" && chmod 1777 "$io" # executors run as the image's user 185
  jobs_namespace
  kctl -n "$ns" apply -f "$ROOT/spark-operator/rbac.yaml" >/dev/null
  wait_for "service account $ns/health-predict-spark" 60 kctl -n "$ns" get serviceaccount health-predict-spark
  source "$ROOT/bin/lib/java-flags.sh"
  flags="${spark_java_flags[*]} -Dlog4j2.configurationFile=$ROOT/conf/log4j2.properties"
  # Directories the driver (root) makes under SPARK_IO, such as an output's _temporary, must be writable by the
  # executors' user: umask 0 here and for Hadoop's local file system. pyspark's spark-submit finds SPARK_HOME with
  # the `python3` on PATH: the venv's.
  umask 0
  PATH=$(dirname "$submit"):$PATH KUBECONFIG=$D/kubeconfig SPARK_LOCAL_IP=$GATEWAY "$submit" \
    --master "k8s://$APISERVER" --deploy-mode client --name "hp-${1:-job}" \
    --class org.healthpredict.jobs.HealthPredictCli \
    --conf spark.kubernetes.namespace="$ns" \
    --conf spark.kubernetes.container.image="$image" \
    --conf spark.kubernetes.container.image.pullPolicy=Never \
    --conf spark.kubernetes.authenticate.executor.serviceAccountName=health-predict-spark \
    --conf spark.kubernetes.executor.podNamePrefix="hp-${1:-job}" \
    --conf spark.executor.instances="${EXECUTORS:-2}" --conf spark.executor.cores=1 \
    --conf spark.executor.memory="${EXECUTOR_MEMORY:-1g}" --conf spark.kubernetes.executor.request.cores=250m \
    --conf spark.driver.host="$GATEWAY" --conf spark.driver.bindAddress="$GATEWAY" \
    --conf spark.driver.port=7078 --conf spark.driver.blockManager.port=7079 \
    --conf spark.kubernetes.executor.volumes.hostPath.io.mount.path="$io" \
    --conf spark.kubernetes.executor.volumes.hostPath.io.options.path="$io" \
    --conf spark.driver.extraJavaOptions="$flags" --conf spark.executor.extraJavaOptions="${spark_java_flags[*]}" \
    --conf spark.hadoop.fs.permissions.umask-mode=000 \
    --conf spark.kubernetes.executor.enableApiWatcher=false --conf spark.kubernetes.executor.apiPollingInterval=5s \
    --conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false --conf spark.sql.shuffle.partitions=8 \
    --driver-memory "${HP_DRIVER_MEMORY:-2g}" \
    "$jar" "$@"
}

# The Kubeflow Spark operator's controller (make spark-operator), run here beside the other controllers with the admin
# kubeconfig, watching namespace health-predict-jobs. It turns each SparkApplication into a cluster-mode spark-submit
# (the venv's pyspark: the pom's Spark version) and follows the driver pod into the application's state. Its CRDs are
# the ones of the same release. Its admission webhook is not run: what the webhook would add to the pods (envFrom,
# securityContext, hostAliases, volumes other than spark-local-dir-*, ...) is missing here, while what the controller
# passes to spark-submit (image, arguments, resources, sparkConf, service account, labels) applies.
# This cluster's own settings go in a spark-defaults.conf of the operator's SPARK_CONF_DIR, so the applications stay
# the ones a real cluster runs: no DNS, so the driver pod names the API server by the `kubernetes` Service's IP and
# executors the driver by its pod IP; watches are refused (see spark()), so pods are polled.
operator() {
  local bin=$BIN/spark-operator-$SPARK_OPERATOR_VERSION crds=$ROOT/.tools/spark-operator-crds-$SPARK_OPERATOR_VERSION
  local python=${SPARK_PYTHON:-$ROOT/.venv/bin/python} spark_home conf=$D/spark-operator/conf
  [[ -x $bin && -d $crds ]] || die "$bin missing: make spark-operator"
  [[ -x $python ]] || die "$python missing: make venv"
  running kube-apiserver || die "the cluster is not up: scripts/cluster.sh up"
  spark_home=$("$python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
  mkdir -p "$conf"
  cat > "$conf/spark-defaults.conf" <<EOF
spark.kubernetes.driver.master https://${SERVICE_CIDR%.0/*}.1:443
spark.kubernetes.executor.useDriverPodIP true
spark.kubernetes.executor.enableApiWatcher false
spark.kubernetes.executor.apiPollingInterval 5s
EOF
  # server-side: the CRDs are larger than client-side apply's annotation allows
  kctl apply --server-side --force-conflicts -f "$crds" >/dev/null
  kctl wait --for condition=established --timeout=60s -f "$crds" >/dev/null
  jobs_namespace
  start spark-operator env SPARK_HOME="$spark_home" SPARK_CONF_DIR="$conf" PATH="$(dirname "$python"):$PATH" \
    KUBECONFIG="$D/kubeconfig" KUBERNETES_SERVICE_HOST="$GATEWAY" KUBERNETES_SERVICE_PORT=6443 \
    "$bin" controller start --namespaces="$JOBS_NS" --controller-threads=2 --leader-election=false \
    --enable-ui-service=false --metrics-bind-address=0 --health-probe-bind-address=127.0.0.1:10261 \
    --zap-encoder=console
  wait_for spark-operator 60 curl -fsS http://127.0.0.1:10261/readyz
  log "spark-operator $SPARK_OPERATOR_VERSION watching namespace $JOBS_NS (log $D/logs/spark-operator.log)"
}

jobs_namespace() { kctl create namespace "$JOBS_NS" --dry-run=client -o yaml | kctl apply -f - >/dev/null; }

pod_started() { [[ $(kctl get pod "$1" -o jsonpath='{.status.containerStatuses[0].started}') = true ]]; }

pod_succeeded() { [[ $(kctl get pod "$1" -o jsonpath='{.status.phase}') = Succeeded ]]; }

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  smoke) smoke ;;
  import) shift; import "$@" ;;
  serving) shift; serving "$@" ;;
  spark) shift; spark "$@" ;;
  operator) operator ;;
  deps) deps ;;
  *) echo "usage: $0 up|down|status|smoke|serving [TAR]|spark JOB ARGS...|operator|import TAR...|deps" >&2; exit 2 ;;
esac
