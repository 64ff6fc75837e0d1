#!/usr/bin/env bash
# Installs the Drover node agent as a systemd service. Run it as root; see --help and docs/INSTALL.md.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/install-common.sh
source "$(dirname "$(readlink -f "$0")")/lib/install-common.sh"

usage() {
  cat <<EOF
Usage: $prog [OPTIONS]

Installs the Drover node agent: checks for Java 17 or newer, creates the drover user and group,
copies bin/drover and the jars to /opt/drover, writes /etc/drover/agent.yaml from the options,
installs drover-agent.service and, where systemd runs, enables and starts it. Running it again
with the same options changes nothing; with other options it rewrites agent.yaml (the old one
is kept as agent.yaml.bak) and restarts the agent. Containers keep running across the restart.

Options:
  --controller HOST:PORT   gRPC address of the controller (default 127.0.0.1:7400)
  --name NAME              name of this node (default: the hostname)
  --ports LOW-HIGH         instance ports of this node (default 20000-32000); must lie outside
                           the kernel's net.ipv4.ip_local_port_range
  --data-dir DIR           the agent's state and container logs (default /var/lib/drover/agent)
  --join-token TOKEN       token to join the controller with, stored as joinToken
  --ca-fingerprint SHA256  SHA-256 of the controller's CA certificate (64 hex digits, colons
                           allowed), stored as caFingerprint in lowercase without colons
                           With these two the agent joins over TLS on its first start and
                           keeps its node certificate in DATADIR/tls (docs/SECURITY.md).
  --jar PATH               the drover-cli.jar to install, with its lib/ beside it (default: this
                           tree's, built first in a source checkout when missing or stale)
  --root DIR               install into DIR as a staged root (packaging, tests): every path is
                           under DIR, the drover user goes into DIR/etc/passwd and group if they
                           exist there, and nothing is started
  -h, --help               this help

Java: JAVA (a java binary) or JAVA_HOME, else the java on the PATH; when one is set, it is
written to /etc/drover/agent.env for the service. Exit codes: 0 done, 1 failed, 2 bad usage.
EOF
}

controller=127.0.0.1:7400
name=""
ports=""
data_dir=/var/lib/drover/agent
join_token=""
ca_fingerprint=""
jar_flag=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --controller) need_value "$@"; controller=$2; shift 2 ;;
    --name) need_value "$@"; name=$2; shift 2 ;;
    --ports) need_value "$@"; ports=$2; shift 2 ;;
    --data-dir) need_value "$@"; data_dir=$2; shift 2 ;;
    --join-token) need_value "$@"; join_token=$2; shift 2 ;;
    --ca-fingerprint) need_value "$@"; ca_fingerprint=$2; shift 2 ;;
    --jar) need_value "$@"; jar_flag=$2; shift 2 ;;
    --root) need_value "$@"; set_root "$2"; shift 2 ;;
    *) usage_error "unknown option: $1" ;;
  esac
done

check_host_port --controller "$controller"
if [[ -n $name ]] && [[ ${#name} -gt 63 || ! $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]]; then
  usage_error "--name $name: 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit"
fi
if [[ -n $ports ]]; then
  if [[ ! $ports =~ ^([0-9]{1,5})-([0-9]{1,5})$ ]] \
    || ((10#${BASH_REMATCH[1]} < 1 || 10#${BASH_REMATCH[2]} > 65535 || 10#${BASH_REMATCH[1]} > 10#${BASH_REMATCH[2]})); then
    usage_error "--ports $ports: expected LOW-HIGH with 1 <= LOW <= HIGH <= 65535, such as 20000-32000"
  fi
  low=$((10#${BASH_REMATCH[1]}))
  high=$((10#${BASH_REMATCH[2]}))
  # The agent refuses such a range at start; say so now, while the flag is at hand.
  if ! staged && read -r eph_low eph_high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null \
    && ((low <= eph_high && high >= eph_low)); then
    usage_error "--ports $ports: overlaps the kernel's ephemeral port range $eph_low-$eph_high (net.ipv4.ip_local_port_range); choose a range outside it"
  fi
fi
check_data_dir --data-dir "$data_dir"
data_dir=${data_dir%/}
if [[ -n $join_token && ! $join_token =~ ^[A-Za-z0-9._~+/=-]{1,512}$ ]]; then
  usage_error "--join-token: expected 1-512 letters, digits or . _ ~ + / = -"
fi
if [[ -n $ca_fingerprint ]]; then
  hex=${ca_fingerprint//:/}
  if [[ ! $hex =~ ^[0-9A-Fa-f]{64}$ ]]; then
    usage_error "--ca-fingerprint $ca_fingerprint: expected a SHA-256 as 64 hex digits (colons allowed)"
  fi
  ca_fingerprint=${hex,,}
fi
if ! staged && [[ $EUID -ne 0 ]]; then
  die "run it as root (or with --root DIR to stage the files)"
fi

check_java
find_jar "$jar_flag"
ensure_user
install_programs "$jar"

step "Writing the configuration"
make_dir /etc/drover root root 0755
write_generated /etc/drover/agent.yaml root drover 0640 < <(
  echo "# Written by install-agent.sh from its options; running it again with other options"
  echo "# rewrites this file and keeps the old one as agent.yaml.bak. Every key: README.md."
  echo "controller: $(yaml_quote "$controller")"
  echo "dataDir: $(yaml_quote "$data_dir")"
  if [[ -n $name ]]; then echo "name: $(yaml_quote "$name")"; fi
  if [[ -n $ports ]]; then echo "ports: $(yaml_quote "$ports")"; fi
  if [[ -n $join_token || -n $ca_fingerprint ]]; then
    echo "# Traded for a node certificate on the first start (docs/SECURITY.md)."
    if [[ -n $join_token ]]; then echo "joinToken: $(yaml_quote "$join_token")"; fi
    if [[ -n $ca_fingerprint ]]; then echo "caFingerprint: $(yaml_quote "$ca_fingerprint")"; fi
  fi
)
write_once /etc/drover/agent.env root drover 0640 < <(
  echo "# Environment of drover-agent.service, as KEY=VALUE lines. Any setting of agent.yaml can"
  echo "# also be given here as a DROVER_* variable (see README.md), which wins over the file."
  echo "# The installer writes this file only when it is missing."
  if [[ -n ${JAVA:-} ]]; then
    echo "JAVA=$JAVA"
  elif [[ -n ${JAVA_HOME:-} ]]; then
    echo "JAVA_HOME=$JAVA_HOME"
  else
    echo "#JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java"
  fi
  echo "#DROVER_AGENT_JAVA_OPTS=-XX:+UseSerialGC -Xms16m -Xmx64m -XX:TieredStopAtLevel=1 -Xss512k -XX:ReservedCodeCacheSize=32m -XX:PerfDataSamplingInterval=1000"
)

step "Creating the data dir"
make_parent "$(dirname "$data_dir")"
make_dir "$data_dir" drover drover 0750

install_unit drover-agent.service "$data_dir" /var/lib/drover/agent "/tmp /var/tmp"
start_unit drover-agent.service
if ((changed == 0)); then
  step "Done; nothing needed changing"
else
  step "Done"
fi
