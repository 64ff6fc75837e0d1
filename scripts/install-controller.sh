#!/usr/bin/env bash
# Installs the Drover controller as a systemd service. Run it as root; see --help and docs/INSTALL.md.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/install-common.sh
source "$(dirname "$(readlink -f "$0")")/lib/install-common.sh"

usage() {
  cat <<EOF
Usage: $prog [OPTIONS]

Installs the Drover controller: checks for Java 17 or newer, creates the drover user and group,
copies bin/drover and the jars to /opt/drover, writes /etc/drover/controller.yaml from the
options, creates the cluster CA in /etc/drover/tls when there is none (drover tls init), installs
drover-controller.service and, where systemd runs, enables and starts it.
Running it again with the same options changes nothing; with other options it rewrites
controller.yaml (the old one is kept as controller.yaml.bak) and restarts the controller.

Options:
  --listen HOST:PORT   gRPC address for agents and clients (default 0.0.0.0:7400)
  --data-dir DIR       the controller's state (default /var/lib/drover/controller)
  --catalog FILE       the catalog: copied to DIR/catalog.yaml, which the controller watches
                       and 'drover apply' rewrites (an existing different one is kept as
                       catalog.yaml.bak); artifact paths relative to FILE then resolve
                       against DIR, so name jars by absolute path, https URL or blob.
                       Without it the controller starts with no catalog
  --tls-hosts H1,H2    names and addresses agents and clients reach the controller by, written
                       into its certificate with localhost and 127.0.0.1 (default: this host's
                       name, and the --listen host unless it is 0.0.0.0). Used only when the
                       CA is created; an existing CA in /etc/drover/tls is kept as it is
  --jar PATH           the drover-cli.jar to install, with its lib/ beside it (default: this
                       tree's, built first in a source checkout when missing or stale)
  --root DIR           install into DIR as a staged root (packaging, tests): every path is
                       under DIR, the drover user goes into DIR/etc/passwd and group if they
                       exist there, and nothing is started
  -h, --help           this help

Java: JAVA (a java binary) or JAVA_HOME, else the java on the PATH; when one is set, it is
written to /etc/drover/controller.env for the service. Exit codes: 0 done, 1 failed, 2 bad usage.
EOF
}

listen=0.0.0.0:7400
data_dir=/var/lib/drover/controller
catalog=""
jar_flag=""
tls_hosts=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --listen) need_value "$@"; listen=$2; shift 2 ;;
    --data-dir) need_value "$@"; data_dir=$2; shift 2 ;;
    --catalog) need_value "$@"; catalog=$2; shift 2 ;;
    --jar) need_value "$@"; jar_flag=$2; shift 2 ;;
    --tls-hosts) need_value "$@"; tls_hosts=$2; shift 2 ;;
    --root) need_value "$@"; set_root "$2"; shift 2 ;;
    *) usage_error "unknown option: $1" ;;
  esac
done

check_host_port --listen "$listen"
check_data_dir --data-dir "$data_dir"
data_dir=${data_dir%/}
if [[ -n $catalog ]]; then
  [[ -f $catalog && -r $catalog ]] || usage_error "--catalog $catalog: no such readable file"
fi
if [[ -n $tls_hosts && ! $tls_hosts =~ ^[A-Za-z0-9.:_-]+(,[A-Za-z0-9.:_-]+)*$ ]]; then
  usage_error "--tls-hosts $tls_hosts: expected host names or addresses separated by commas"
fi
if [[ -z $tls_hosts ]]; then
  tls_hosts=$(hostname -f 2>/dev/null || hostname)
  listen_host=${listen%:*}
  if [[ $listen_host != 0.0.0.0 && $listen_host != "[::]" && $listen_host != "$tls_hosts" ]]; then
    tls_hosts="$tls_hosts,$listen_host"
  fi
fi
if ! staged && [[ $EUID -ne 0 ]]; then
  die "run it as root (or with --root DIR to stage the files)"
fi

check_java
find_jar "$jar_flag"
ensure_user
install_programs "$jar"

step "Creating the data dir"
make_parent "$(dirname "$data_dir")"
make_dir "$data_dir" drover drover 0750
if [[ -n $catalog ]]; then
  # The controller's own file: it watches it, and 'drover apply' replaces it.
  write_generated "$data_dir/catalog.yaml" drover drover 0640 <"$catalog"
  if grep -Eq 'path: *[^/{ "'"'"']' "$catalog"; then
    warn "$catalog names artifact paths relative to itself; they now resolve against $data_dir: use absolute paths, https URLs or blobs"
  fi
fi

make_dir /etc/drover root root 0755

step "Setting up the cluster CA in /etc/drover/tls"
make_dir /etc/drover/tls root drover 0750
tls_dir=$(target /etc/drover/tls)
if [[ -f $tls_dir/ca.crt ]]; then
  note "kept the existing cluster CA (drover tls init --force replaces it; every node then joins again)"
else
  "$(target /opt/drover/bin/drover)" tls init --dir "$tls_dir" --hosts "$tls_hosts" |
    sed 's/^/    /' || die "drover tls init failed"
  changed=$((changed + 1))
fi
# The controller signs node certificates with ca.key and serves controller.key: it reads both.
# admin.key is the operator's, for drover --ca ca.crt --cert admin.crt --key admin.key.
set_owner_mode "$tls_dir/ca.key" drover drover 0600
set_owner_mode "$tls_dir/controller.key" drover drover 0600
set_owner_mode "$tls_dir/admin.key" root root 0600

step "Writing the configuration"
write_generated /etc/drover/controller.yaml root drover 0640 < <(
  echo "# Written by install-controller.sh from its options; running it again with other options"
  echo "# rewrites this file and keeps the old one as controller.yaml.bak. Every key: README.md."
  echo "listen: $(yaml_quote "$listen")"
  echo "dataDir: $(yaml_quote "$data_dir")"
  echo "tls.dir: /etc/drover/tls"
  if [[ -n $catalog ]]; then echo "catalog.file: $(yaml_quote "$data_dir/catalog.yaml")"; fi
)
write_once /etc/drover/controller.env root drover 0640 < <(
  echo "# Environment of drover-controller.service, as KEY=VALUE lines. Any setting of"
  echo "# controller.yaml can also be given here as a DROVER_* variable (see README.md), which"
  echo "# wins over the file. The installer writes this file only when it is missing."
  if [[ -n ${JAVA:-} ]]; then
    echo "JAVA=$JAVA"
  elif [[ -n ${JAVA_HOME:-} ]]; then
    echo "JAVA_HOME=$JAVA_HOME"
  else
    echo "#JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java"
  fi
  echo "#DROVER_JAVA_OPTS=-XX:+UseSerialGC -Xmx1g"
)

install_unit drover-controller.service "$data_dir" /var/lib/drover/controller ""
start_unit drover-controller.service
if ((changed == 0)); then
  step "Done; nothing needed changing"
else
  step "Done"
fi
