#!/usr/bin/env bash
# Removes what install-agent.sh and install-controller.sh installed. See --help and docs/INSTALL.md.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/install-common.sh
source "$(dirname "$(readlink -f "$0")")/lib/install-common.sh"

usage() {
  cat <<EOF
Usage: $prog [OPTIONS]

Stops and disables drover-agent.service and drover-controller.service, stops the agent's
containers, and removes the units and /opt/drover. The configuration (/etc/drover) and the data
dirs stay, so that installing again picks up where it left off, unless --purge is given.
Running it again changes nothing.

Options:
  --purge      also remove /etc/drover, the data dirs named in agent.yaml and controller.yaml
               (and the default ones), and the drover user and group
  --root DIR   remove from a staged root made with --root DIR; nothing is stopped
  -h, --help   this help

Exit codes: 0 done, 1 failed, 2 bad usage.
EOF
}

purge=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --purge) purge=true; shift ;;
    --root) need_value "$@"; set_root "$2"; shift 2 ;;
    *) usage_error "unknown option: $1" ;;
  esac
done
if ! staged && [[ $EUID -ne 0 ]]; then
  die "run it as root (or with --root DIR for a staged root)"
fi

units=(drover-agent.service drover-controller.service)

# The agent unit's KillMode=process leaves containers running when the agent stops, so they are
# signalled through the unit's control group first; the agent exits on the same SIGTERM.
stop_units() {
  local unit
  if staged; then
    return
  fi
  if ! systemd_running; then
    step "systemd is not running here, so nothing was stopped"
    note "stop any drover agent, controller and container processes yourself: ps -u drover"
    return
  fi
  for unit in "${units[@]}"; do
    if ! systemctl cat "$unit" >/dev/null 2>&1; then
      continue
    fi
    step "Stopping and disabling $unit"
    if [[ $unit == drover-agent.service ]] && systemctl is-active --quiet "$unit"; then
      systemctl kill --kill-whom=all --signal=SIGTERM "$unit" 2>/dev/null \
        || systemctl kill --kill-who=all --signal=SIGTERM "$unit" || true
      for _ in $(seq 1 30); do
        systemctl is-active --quiet "$unit" || break
        sleep 1
      done
    fi
    systemctl disable --now "$unit" || warn "could not stop or disable $unit"
    if [[ $unit == drover-agent.service ]]; then
      # Containers that outlived their SIGTERM.
      systemctl kill --kill-whom=all --signal=SIGKILL "$unit" 2>/dev/null || true
    fi
    changed=$((changed + 1))
  done
}

# The dataDir of an installed YAML file, as the installers write it.
data_dir_of() {
  local file
  file=$(target "$1")
  [[ -f $file ]] || return 0
  sed -n "s/^dataDir: *'\{0,1\}\([^']*\)'\{0,1\} *$/\1/p" "$file" | head -n 1
}

remove_data_dir() {
  local dir=${1%/}
  [[ -n $dir ]] || return 0
  # Never a system directory, whatever a hand-edited file says.
  if (check_data_dir dataDir "$dir") >/dev/null 2>&1; then
    remove_path "$dir"
  else
    warn "kept $dir: not a path that --purge removes"
  fi
}

remove_user() {
  step "Removing the drover user and group"
  if staged; then
    local file
    for file in /etc/passwd /etc/shadow /etc/group /etc/gshadow; do
      file=$(target "$file")
      if [[ -f $file ]] && grep -q '^drover:' "$file"; then
        sed -i '/^drover:/d' "$file"
        changed=$((changed + 1))
        note "removed drover from $file"
      fi
    done
    return
  fi
  if getent passwd drover >/dev/null; then
    userdel drover || die "could not remove the user drover (does it still run processes?)"
    changed=$((changed + 1))
    note "user drover removed"
  fi
  if getent group drover >/dev/null; then
    groupdel drover
    changed=$((changed + 1))
    note "group drover removed"
  fi
}

stop_units

step "Removing the units and /opt/drover"
for unit in "${units[@]}"; do
  remove_path "/etc/systemd/system/multi-user.target.wants/$unit"
  remove_path "/etc/systemd/system/$unit.d"
  remove_path "/etc/systemd/system/$unit"
done
remove_path /opt/drover
if systemd_running; then
  systemctl daemon-reload
  systemctl reset-failed "${units[@]}" 2>/dev/null || true
fi

if $purge; then
  step "Removing the configuration and the data"
  agent_data=$(data_dir_of /etc/drover/agent.yaml)
  controller_data=$(data_dir_of /etc/drover/controller.yaml)
  remove_data_dir "$agent_data"
  remove_data_dir "$controller_data"
  remove_path /var/lib/drover/agent
  remove_path /var/lib/drover/controller
  if [[ -d $(target /var/lib/drover) ]] && [[ -z $(ls -A "$(target /var/lib/drover)") ]]; then
    remove_path /var/lib/drover
  fi
  remove_path /etc/drover
  remove_user
else
  step "Kept the configuration (/etc/drover) and the data; --purge removes them"
fi

if ((changed == 0)); then
  step "Done; nothing needed removing"
else
  step "Done"
fi
