# Shared by install-agent.sh, install-controller.sh and uninstall.sh; sourced, never run.
# Every target path goes through target(), which prefixes the staged root of --root.
# shellcheck shell=bash

prog=$(basename "$0")
src="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
ROOT=""     # the staged root (--root), without a trailing slash; empty for this system
changed=0   # how many files or directories this run created, changed or removed
# Files start private (a config may hold a join token) until their mode is set; directories are
# made with umask 022 (mkdir_p), so that the parents of a data dir stay traversable.
umask 077
mkdir_p() { (umask 022 && mkdir -p -- "$1"); }
# Scratch space outside the target, so that a run that changes nothing touches no directory there.
scratch=$(mktemp -d)
trap 'rm -rf -- "$scratch"' EXIT

# ---- messages ----

step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf '%s: warning: %s\n' "$prog" "$*" >&2; }
die() {
  printf '%s: %s\n' "$prog" "$*" >&2
  exit 1
}
# Bad usage: exit 2, naming the flag.
usage_error() {
  printf '%s: %s\n' "$prog" "$*" >&2
  printf "Run '%s --help' for the options.\n" "$prog" >&2
  exit 2
}

# The value of a flag that takes one: `need_value "$@"` with the flag first.
need_value() {
  if [[ $# -lt 2 || -z $2 || $2 == --* ]]; then
    usage_error "$1 needs a value"
  fi
}

# ---- the staged root ----

set_root() {
  local dir=$1
  [[ -n $dir ]] || usage_error "--root needs a directory"
  mkdir_p "$dir" 2>/dev/null || usage_error "--root $dir: cannot create the directory"
  dir=$(cd -- "$dir" && pwd -P)
  [[ $dir != / ]] || usage_error "--root /: leave --root out to install on this system"
  ROOT=$dir
}

staged() { [[ -n $ROOT ]]; }

target() { printf '%s%s' "$ROOT" "$1"; }

# systemd manages this machine (PID 1 is systemd), so units can be started now.
systemd_running() {
  ! staged && [[ -d /run/systemd/system ]] && [[ $(cat /proc/1/comm 2>/dev/null) == systemd ]]
}

# ---- checks of flag values ----

# HOST:PORT, with [IPv6]:PORT; names the flag when wrong.
check_host_port() {
  local flag=$1 value=$2 port
  if [[ ! $value =~ ^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})$ ]]; then
    usage_error "$flag $value: expected HOST:PORT, such as 10.0.0.10:7400 or [::1]:7400"
  fi
  port=${BASH_REMATCH[3]}
  if ((10#$port < 1 || 10#$port > 65535)); then
    usage_error "$flag $value: the port must be 1-65535"
  fi
}

# An absolute directory that is not a system directory; the uninstaller's --purge removes it.
check_data_dir() {
  local flag=$1 value=$2
  if [[ $value != /* ]]; then
    usage_error "$flag $value: must be an absolute path"
  fi
  if [[ ! $value =~ ^(/[A-Za-z0-9._@+-]+)+/?$ ]] || [[ $value =~ (^|/)\.\.?(/|$) ]]; then
    usage_error "$flag $value: use letters, digits and . _ @ + - between the slashes, no . or .."
  fi
  case "${value%/}" in
    /bin | /boot | /dev | /etc | /home | /lib | /lib64 | /opt | /proc | /root | /run | /sbin | /srv | \
      /sys | /tmp | /usr | /usr/* | /var | /var/lib | /var/tmp | /opt/drover | /opt/drover/* | /etc/drover)
      usage_error "$flag $value: a system directory cannot be a data dir"
      ;;
  esac
}

# ---- Java ----

# The java this machine runs Drover with: JAVA, else JAVA_HOME's, else the PATH's.
find_java() {
  if [[ -n ${JAVA:-} ]]; then
    printf '%s' "$JAVA"
  elif [[ -n ${JAVA_HOME:-} ]]; then
    printf '%s' "$JAVA_HOME/bin/java"
  else
    printf 'java'
  fi
}

check_java() {
  local java version major
  java=$(find_java)
  step "Checking for Java 17 or newer"
  if ! command -v "$java" >/dev/null 2>&1; then
    die "Java 17 or newer is needed and '$java' was not found: install a JDK or JRE (apt-get install openjdk-17-jre-headless), or set JAVA to its java binary or JAVA_HOME to its directory"
  fi
  version=$("$java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
  if [[ $version == 1.* ]]; then
    major=${version#1.}
    major=${major%%.*}
  else
    major=${version%%[.+-]*}
  fi
  if [[ ! $major =~ ^[0-9]+$ ]]; then
    die "cannot tell the version of $java ('$("$java" -version 2>&1 | head -n 1)'); Java 17 or newer is needed"
  fi
  if ((major < 17)); then
    die "Java 17 or newer is needed; $java is Java $version: install a newer one, or set JAVA or JAVA_HOME to it"
  fi
  note "$(command -v "$java"): Java $version"
}

# ---- the drover user ----

user_uid=""   # numeric ids of the drover user and group, once known; empty if not
user_gid=""

# A free id in the system range (below 1000) of the staged root's passwd or group, highest first,
# as useradd --system picks them.
free_system_id() {
  local file=$1 id
  for ((id = 999; id >= 100; id--)); do
    if ! cut -d: -f3 "$file" | grep -qx "$id"; then
      printf '%s' "$id"
      return
    fi
  done
  die "no free system id in $file"
}

ensure_user() {
  step "Creating the drover user and group"
  if staged; then
    local passwd group
    passwd=$(target /etc/passwd)
    group=$(target /etc/group)
    if [[ ! -f $passwd || ! -f $group ]]; then
      note "skipped: $ROOT has no etc/passwd and etc/group; create the drover user where this tree is installed"
      return
    fi
    user_gid=$(awk -F: '$1 == "drover" {print $3}' "$group")
    if [[ -z $user_gid ]]; then
      user_gid=$(free_system_id "$group")
      printf 'drover:x:%s:\n' "$user_gid" >>"$group"
      if [[ -f $(target /etc/gshadow) ]]; then printf 'drover:!::\n' >>"$(target /etc/gshadow)"; fi
      changed=$((changed + 1))
      note "group drover ($user_gid) added to $group"
    fi
    user_uid=$(awk -F: '$1 == "drover" {print $3}' "$passwd")
    if [[ -z $user_uid ]]; then
      user_uid=$user_gid
      if cut -d: -f3 "$passwd" | grep -qx "$user_uid"; then user_uid=$(free_system_id "$passwd"); fi
      printf 'drover:x:%s:%s:Drover:/var/lib/drover:/usr/sbin/nologin\n' "$user_uid" "$user_gid" >>"$passwd"
      if [[ -f $(target /etc/shadow) ]]; then printf 'drover:!*:::::::\n' >>"$(target /etc/shadow)"; fi
      changed=$((changed + 1))
      note "user drover ($user_uid) added to $passwd"
    fi
    note "drover is $user_uid:$user_gid in $ROOT"
    return
  fi
  if ! getent group drover >/dev/null; then
    groupadd --system drover
    changed=$((changed + 1))
    note "group drover created"
  fi
  if ! getent passwd drover >/dev/null; then
    useradd --system --gid drover --home-dir /var/lib/drover --no-create-home \
      --shell /usr/sbin/nologin --comment Drover drover
    changed=$((changed + 1))
    note "user drover created"
  fi
  user_uid=$(id -u drover)
  user_gid=$(getent group drover | cut -d: -f3)
  note "drover is $user_uid:$user_gid"
}

# ---- files ----

# Sets owner (root or drover) and mode of a target path, counting a change only when there is one.
# Without the drover ids (a staged root without passwd) or when not root, the owner stays.
set_owner_mode() {
  local path=$1 owner=$2 group=$3 mode=$4 uid gid
  if [[ $(stat -c '%a' "$path") != "${mode#0}" ]]; then
    chmod "$mode" "$path"
    changed=$((changed + 1))
  fi
  [[ $EUID -eq 0 ]] || return 0
  uid=0
  gid=0
  if [[ $owner == drover ]]; then uid=$user_uid; fi
  if [[ $group == drover ]]; then gid=$user_gid; fi
  [[ -n $uid && -n $gid ]] || return 0
  if [[ $(stat -c '%u:%g' "$path") != "$uid:$gid" ]]; then
    chown "$uid:$gid" "$path"
    changed=$((changed + 1))
  fi
}

# make_dir PATH OWNER GROUP MODE: a target directory.
make_dir() {
  local path
  path=$(target "$1")
  if [[ ! -d $path ]]; then
    mkdir_p "$path"
    changed=$((changed + 1))
    note "created $1"
  fi
  set_owner_mode "$path" "$2" "$3" "$4"
}

# make_parent PATH: a directory the system owns (/opt, /var/lib, ...): created when missing, as
# root's and 0755, and otherwise left as it is.
make_parent() {
  local path
  path=$(target "$1")
  if [[ ! -d $path ]]; then
    mkdir_p "$path"
    changed=$((changed + 1))
    note "created $1"
  fi
}

# install_file SOURCE DEST OWNER GROUP MODE [quiet]: copies when the content differs.
install_file() {
  local from=$1 to
  to=$(target "$2")
  if [[ ! -f $to ]] || ! cmp -s -- "$from" "$to"; then
    cp -- "$from" "$to.new"
    mv -f -- "$to.new" "$to"
    changed=$((changed + 1))
    if [[ -z ${6:-} ]]; then note "installed $2"; fi
  fi
  set_owner_mode "$to" "$3" "$4" "$5"
}

# write_generated DEST OWNER GROUP MODE < CONTENT: a file the installer writes from its flags.
# An existing different file is kept as DEST.bak, so that no hand edit is lost.
write_generated() {
  local to tmp
  to=$(target "$1")
  tmp=$scratch/generated
  cat >"$tmp"
  if [[ ! -f $to ]] || ! cmp -s -- "$tmp" "$to"; then
    if [[ -f $to ]]; then
      cp -p -- "$to" "$to.bak"
      note "$1 differed; the old one is kept as $1.bak"
    fi
    cp -- "$tmp" "$to.new"
    mv -f -- "$to.new" "$to"
    changed=$((changed + 1))
    note "wrote $1"
  fi
  set_owner_mode "$to" "$2" "$3" "$4"
}

# write_once DEST OWNER GROUP MODE < CONTENT: written only when missing (the operator's file).
write_once() {
  local to
  to=$(target "$1")
  if [[ -f $to ]]; then
    cat >/dev/null
    note "kept $1"
  else
    cat >"$to"
    changed=$((changed + 1))
    note "wrote $1"
  fi
  set_owner_mode "$to" "$2" "$3" "$4"
}

# remove_path DEST: removes a target file or tree if present.
remove_path() {
  local path
  path=$(target "$1")
  if [[ -e $path || -L $path ]]; then
    rm -rf -- "$path"
    changed=$((changed + 1))
    note "removed $1"
  fi
}

# A YAML scalar in single quotes: the only escape is '' for '.
yaml_quote() {
  printf "'%s'" "${1//\'/\'\'}"
}

# ---- the programs ----

# Sets jar to the drover-cli.jar to install: --jar's, else a release tree's (drover-cli.jar at the
# top, as in /opt/drover), else the checkout's, which bin/drover builds when missing or stale.
find_jar() {
  jar=$1
  if [[ -n $jar ]]; then
    [[ -f $jar ]] || usage_error "--jar $jar: no such file"
  elif [[ -f $src/drover-cli.jar ]]; then
    jar=$src/drover-cli.jar
  else
    jar=$src/cli/target/drover-cli.jar
    step "Building the jars if they are missing or stale"
    "$src/bin/drover" --version >/dev/null || die "the build failed; see the errors above"
  fi
  [[ -d $(dirname "$jar")/lib ]] || die "$jar has no lib/ directory beside it (its dependencies)"
}

# /opt/drover: bin/drover, drover-cli.jar and lib/, all root's and world-readable.
install_programs() {
  local jar=$1 lib file name before
  step "Installing the programs to /opt/drover"
  make_parent /opt
  make_dir /opt/drover root root 0755
  make_dir /opt/drover/bin root root 0755
  make_dir /opt/drover/lib root root 0755
  install_file "$src/bin/drover" /opt/drover/bin/drover root root 0755
  install_file "$jar" /opt/drover/drover-cli.jar root root 0644
  lib=$(dirname "$jar")/lib
  before=$changed
  for file in "$lib"/*.jar; do
    [[ -e $file ]] || die "$lib holds no jars"
    install_file "$file" "/opt/drover/lib/$(basename "$file")" root root 0644 quiet
  done
  # Jars of an older version that the new one no longer names.
  for file in "$(target /opt/drover/lib)"/*; do
    [[ -e $file ]] || continue
    name=$(basename "$file")
    if [[ ! -f $lib/$name ]]; then remove_path "/opt/drover/lib/$name"; fi
  done
  if ((changed > before)); then note "installed the jars of $lib to /opt/drover/lib"; fi
}

# The unit, and a drop-in when the data dir is not the unit's default.
install_unit() {
  local unit=$1 data_dir=$2 default_dir=$3 extra_paths=$4
  local dropin_dir=/etc/systemd/system/$unit.d
  step "Installing the unit $unit"
  make_parent /etc/systemd/system
  install_file "$src/systemd/$unit" "/etc/systemd/system/$unit" root root 0644
  if [[ ${data_dir%/} == "$default_dir" ]]; then
    remove_path "$dropin_dir/10-data-dir.conf"
    if [[ -d $(target "$dropin_dir") ]] && [[ -z $(ls -A "$(target "$dropin_dir")") ]]; then
      remove_path "$dropin_dir"
    fi
  else
    make_dir "$dropin_dir" root root 0755
    write_generated "$dropin_dir/10-data-dir.conf" root root 0644 <<EOF
# Written by $prog: the data dir is ${data_dir%/}, not $default_dir.
[Service]
ReadWritePaths=
ReadWritePaths=${data_dir%/}${extra_paths:+ $extra_paths}
WorkingDirectory=${data_dir%/}
EOF
  fi
}

# Starts (or restarts, when this run changed something) the unit where systemd runs.
start_unit() {
  local unit=$1 was_active=0 verb
  verb=${unit#drover-}
  verb=${verb%.service}
  if staged; then
    step "Staged in $ROOT; not starting anything"
    return
  fi
  if ! systemd_running; then
    step "systemd is not running here, so $unit was installed but not started"
    note "on a machine booted with systemd: systemctl daemon-reload && systemctl enable --now $unit"
    note "or by hand: runuser -u drover -- /opt/drover/bin/drover $verb --config /etc/drover/$verb.yaml"
    return
  fi
  step "Starting $unit"
  if systemctl is-active --quiet "$unit"; then was_active=1; fi
  systemctl daemon-reload
  systemctl enable --now "$unit"
  if ((was_active && changed > 0)); then
    systemctl restart "$unit"
    note "restarted, to take the changes"
  fi
  note "$(systemctl is-active "$unit" || true); logs: journalctl -u $unit"
}
