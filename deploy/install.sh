#!/usr/bin/env bash
# Installs (or removes) Reclaim on a Debian gateway: the app as a release under /opt/reclaim,
# the service user, /etc/reclaim, /var/lib/reclaim, the udev rules and the systemd unit.
# Idempotent: a second run with the same inputs changes nothing and says so.
# deploy/README.md explains the layout; `deploy/install.sh --help` lists the options.
set -euo pipefail
# Modes below are set explicitly; this keeps the directories made on the way (mkdir -p) readable.
umask 022

usage() {
  cat <<'EOF'
Usage: deploy/install.sh [options]

Installs the staged app (this checkout after `npm ci && npm run build && npm prune --omit=dev`)
as a release under PREFIX/releases/NAME and points PREFIX/current at it.

  --source DIR         staged app to install (default: the checkout this script is in)
  --prefix DIR         application directory (default: /opt/reclaim)
  --root DIR           install into DIR as if it were / (an image, a test); implies
                       systemctl --root and systemd-sysusers --root, and no udevadm
  --release NAME       release name (default: "version" from the app's package.json)
  --node PATH          node for ExecStart (default: `command -v node`)
  --config FILE        config to install as /etc/reclaim/reclaim.yaml if there is none yet
  --keep N             releases to keep, current and previous included (default: 3)
  --force              replace an installed release of the same name whose files differ
  --start              start the service (restart it if the release changed)
  --no-systemctl       do not call systemctl or udevadm
  --no-useradd         do not create the user and groups, and do not chown
  --skip-notify-check  install even if the sd_notify package (unix-dgram) does not load
  --rollback           point current back at the previous release (and restart if running)
  --uninstall          remove the app, unit, rules and user links; keep config and data
  --purge              with --uninstall: also remove /etc/reclaim, /var/lib/reclaim
  -h, --help           this text
EOF
}

# ---- options ------------------------------------------------------------------------------
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE=$(cd "$here/.." && pwd)
PREFIX=/opt/reclaim
ROOT=
RELEASE=
NODE=
CONFIG_SRC=
KEEP=3
FORCE=0
START=0
SYSTEMCTL=1
USERADD=1
NOTIFY_CHECK=1
ACTION=install
PURGE=0

need_arg() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then echo "install.sh: $1 needs a value" >&2; exit 2; fi
}
while [ $# -gt 0 ]; do
  case "$1" in
    --source) need_arg "$@"; SOURCE=$2; shift ;;
    --prefix) need_arg "$@"; PREFIX=$2; shift ;;
    --root) need_arg "$@"; ROOT=$2; shift ;;
    --release) need_arg "$@"; RELEASE=$2; shift ;;
    --node) need_arg "$@"; NODE=$2; shift ;;
    --config) need_arg "$@"; CONFIG_SRC=$2; shift ;;
    --keep) need_arg "$@"; KEEP=$2; shift ;;
    --force) FORCE=1 ;;
    --start) START=1 ;;
    --no-systemctl) SYSTEMCTL=0 ;;
    --no-useradd) USERADD=0 ;;
    --skip-notify-check) NOTIFY_CHECK=0 ;;
    --rollback) ACTION=rollback ;;
    --uninstall) ACTION=uninstall ;;
    --purge) PURGE=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

PREFIX=${PREFIX%/}
# rm -rf PREFIX on --uninstall: refuse anything shallower than /opt/reclaim.
case "$PREFIX" in /*/*) ;; *) echo "install.sh: --prefix must be an absolute path two levels deep or more: $PREFIX" >&2; exit 2 ;; esac
case "$KEEP" in '' | *[!0-9]* | 0 | 1) echo "install.sh: --keep must be a number >= 2" >&2; exit 2 ;; esac
if [ "$PURGE" = 1 ] && [ "$ACTION" != uninstall ]; then echo "install.sh: --purge goes with --uninstall" >&2; exit 2; fi
if [ -n "$ROOT" ]; then
  mkdir -p "$ROOT"
  ROOT=$(cd "$ROOT" && pwd)
  [ "$ROOT" != / ] || ROOT=
fi

# Paths on the target system ($R... is where they are written).
R=$ROOT
APP=$R$PREFIX
ETC=$R/etc/reclaim
DATA=$R/var/lib/reclaim
UNIT=$R/etc/systemd/system/reclaim.service
RULES_DIR=$R/etc/udev/rules.d
SYSUSERS=$R/etc/sysusers.d/reclaim.conf
BIN_LINK=$R/usr/local/bin/reclaim

changes=0
say() { echo "install.sh: $*"; }
changed() { changes=$((changes + 1)); say "$*"; }
die() { echo "install.sh: error: $*" >&2; exit 1; }

# ---- small idempotent steps -------------------------------------------------------------------

# The numeric id of a group in the target's /etc/group (the host's NSS would be wrong
# under --root).
gid_of() { if [ "$1" = root ]; then echo 0; else awk -F: -v g="$1" '$1 == g { print $3 }' "$R/etc/group" 2>/dev/null || true; fi; }
uid_of() { if [ "$1" = root ]; then echo 0; else awk -F: -v u="$1" '$1 == u { print $3 }' "$R/etc/passwd" 2>/dev/null || true; fi; }

# own PATH USER GROUP: sets the owner where users are managed and both names exist.
own() {
  [ "$USERADD" = 1 ] || return 0
  local uid gid
  uid=$(uid_of "$2"); gid=$(gid_of "$3")
  [ -n "$uid" ] && [ -n "$gid" ] || return 0
  if [ "$(stat -c %u:%g "$1")" != "$uid:$gid" ]; then
    chown -h "$uid:$gid" "$1"
    changed "owner of ${1#"$R"} set to $2:$3"
  fi
}

# ensure_dir MODE PATH [USER GROUP]
ensure_dir() {
  if [ ! -d "$2" ]; then
    mkdir -p "$2"
    chmod "$1" "$2"
    changed "created ${2#"$R"}"
  elif [ "$(stat -c %a "$2")" != "${1#0}" ]; then
    chmod "$1" "$2"
    changed "mode of ${2#"$R"} set to $1"
  fi
  [ $# -lt 4 ] || own "$2" "$3" "$4"
}

# put_file MODE SRC DEST: writes DEST only if its content or mode differ.
put_file() {
  if [ -f "$3" ] && cmp -s "$2" "$3"; then
    if [ "$(stat -c %a "$3")" != "${1#0}" ]; then chmod "$1" "$3"; changed "mode of ${3#"$R"} set to $1"; fi
    return 0
  fi
  mkdir -p "$(dirname "$3")"
  install -m "$1" "$2" "$3.new.$$"
  mv -f "$3.new.$$" "$3"
  changed "installed ${3#"$R"}"
}

# keep_file MODE SRC DEST: a file the operator may edit (config, udev rule): installed when
# absent, never overwritten.
keep_file() {
  if [ ! -e "$3" ]; then
    put_file "$@"
  elif ! cmp -s "$2" "$3"; then
    say "kept your ${3#"$R"} (the shipped version is $2)"
  fi
}

# put_link TARGET LINK: points LINK at TARGET, atomically, unless it already does.
put_link() {
  if [ -L "$2" ] && [ "$(readlink "$2")" = "$1" ]; then return 0; fi
  mkdir -p "$(dirname "$2")"
  ln -sfn "$1" "$2.new.$$"
  mv -fT "$2.new.$$" "$2"
  changed "linked ${2#"$R"} -> $1"
}

remove() {
  local p
  for p in "$@"; do
    if [ -e "$p" ] || [ -L "$p" ]; then
      rm -rf -- "$p"
      changed "removed ${p#"$R"}"
    fi
  done
}

systemctl_() {
  [ "$SYSTEMCTL" = 1 ] || return 0
  if [ -n "$R" ]; then systemctl --root="$R" "$@"; else systemctl "$@"; fi
}

# ---- install ----------------------------------------------------------------------------------

# What a release holds. bin, dist, node_modules and package.json are required.
RELEASE_ITEMS=(bin dist config deploy node_modules package.json package-lock.json README.md)

stage_release() {
  local src=$1 dest=$2 item
  mkdir -p "$dest"
  for item in "${RELEASE_ITEMS[@]}"; do
    [ -e "$src/$item" ] || continue
    cp -a "$src/$item" "$dest/"
  done
}

# True when release directory $2 holds exactly the release items of $1.
same_release() {
  local src=$1 dest=$2 item
  for item in "${RELEASE_ITEMS[@]}"; do
    if [ -e "$src/$item" ] || [ -e "$dest/$item" ]; then
      diff -rq --no-dereference "$src/$item" "$dest/$item" >/dev/null 2>&1 || return 1
    fi
  done
  return 0
}

check_source() {
  local item
  for item in bin/reclaim.js dist/src/cli/main.js package.json node_modules; do
    [ -e "$SOURCE/$item" ] || die "$SOURCE/$item is missing: stage the app first (npm ci && npm run build && npm prune --omit=dev)"
  done
}

check_node() {
  [ -n "$NODE" ] || NODE=$(command -v node || true)
  [ -n "$NODE" ] || die "node not found: install Node.js 20 or pass --node PATH"
  case "$NODE" in /*) ;; *) die "--node must be an absolute path: $NODE" ;; esac
  # Under --root the node that runs later is the target's; check the host's only without it.
  if [ -z "$R" ]; then
    local major
    major=$("$NODE" -p 'process.versions.node.split(".")[0]') || die "$NODE does not run"
    [ "$major" -ge 20 ] || die "$NODE is Node.js $major; Reclaim needs 20 or later"
  fi
}

# Type=notify needs the sd_notify transport: without it systemd never hears READY=1 and
# stops the service when TimeoutStartSec runs out. Better to fail here than at 3 a.m.
check_notify() {
  local release=$1
  [ "$NOTIFY_CHECK" = 1 ] || return 0
  # As the service will: from the release, without this shell's NODE_PATH.
  if ! (cd "$release" && env -u NODE_PATH "$NODE" -e 'require("unix-dgram")' >/dev/null 2>&1); then
    # Under --root the target may be another CPU than this machine: warn only.
    [ -z "$R" ] || { say "warning: unix-dgram does not load here; make sure it does on the target"; return 0; }
    die "the sd_notify package unix-dgram does not load in $release (not installed, or built for another Node.js or CPU): run 'npm rebuild unix-dgram' where the app was staged (needs g++, make, python3), or pass --skip-notify-check and change the unit to Type=simple without WatchdogSec= (deploy/README.md)"
  fi
}

# in_group GROUP USER: USER is a listed member of GROUP in the target's /etc/group.
in_group() { awk -F: -v g="$1" -v u="$2" '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) found = 1 } END { exit !found }' "$R/etc/group" 2>/dev/null; }
# True when the user exists and belongs to dialout and gpio (those of them that exist).
users_present() {
  [ -n "$(uid_of reclaim)" ] && [ -n "$(gid_of gpio)" ] || return 1
  local g
  for g in dialout gpio; do
    [ -z "$(gid_of "$g")" ] || in_group "$g" reclaim || return 1
  done
}

install_users() {
  put_file 0644 "$SOURCE/deploy/sysusers/reclaim.conf" "$SYSUSERS"
  [ "$USERADD" = 1 ] || return 0
  # Nothing to do (systemd-sysusers would still touch /etc).
  if users_present; then return 0; fi
  if command -v systemd-sysusers >/dev/null 2>&1; then
    local before after
    before=$(cat "$R/etc/passwd" "$R/etc/group" 2>/dev/null || true)
    # The config file is named by its path on this machine; --root says where to write.
    if [ -n "$R" ]; then systemd-sysusers --root="$R" "$SYSUSERS" >/dev/null; else systemd-sysusers "$SYSUSERS" >/dev/null; fi
    after=$(cat "$R/etc/passwd" "$R/etc/group" 2>/dev/null || true)
    [ "$before" = "$after" ] || changed "created the user reclaim and its groups (systemd-sysusers)"
  elif [ -z "$R" ]; then
    getent group gpio >/dev/null || { groupadd --system gpio; changed "created group gpio"; }
    if ! getent passwd reclaim >/dev/null; then
      useradd --system --user-group --home-dir /var/lib/reclaim --no-create-home --shell /usr/sbin/nologin reclaim
      changed "created user reclaim"
    fi
    local g
    for g in dialout gpio; do
      if getent group "$g" >/dev/null && ! id -nG reclaim | tr ' ' '\n' | grep -qx "$g"; then
        usermod -a -G "$g" reclaim
        changed "added reclaim to group $g"
      fi
    done
  else
    die "--root needs systemd-sysusers to create the user (or pass --no-useradd)"
  fi
}

install_config() {
  ensure_dir 0750 "$ETC" root reclaim
  local src=$CONFIG_SRC
  if [ -z "$src" ] && [ -f "$SOURCE/config/production-template.yaml" ]; then src=$SOURCE/config/production-template.yaml; fi
  if [ -n "$src" ]; then
    [ -f "$src" ] || die "--config $src: no such file"
    keep_file 0640 "$src" "$ETC/reclaim.yaml"
    own "$ETC/reclaim.yaml" root reclaim
  elif [ ! -e "$ETC/reclaim.yaml" ]; then
    say "no config yet: write /etc/reclaim/reclaim.yaml (start from $PREFIX/current/config/) before starting the service"
  fi
  # The users file (OPC UA and control-socket users): the app's template when it ships one,
  # else an empty list. Never overwritten.
  if [ -f "$SOURCE/config/users-template.yaml" ]; then
    keep_file 0640 "$SOURCE/config/users-template.yaml" "$ETC/users.yaml"
  elif [ ! -e "$ETC/users.yaml" ]; then
    local tmp
    tmp=$(mktemp)
    printf '%s\n' "# Reclaim users (OPC UA and control socket): add them with the reclaim CLI." "users: []" >"$tmp"
    put_file 0640 "$tmp" "$ETC/users.yaml"
    rm -f "$tmp"
  fi
  own "$ETC/users.yaml" root reclaim
}

install_release() {
  local name=$1 dir=$APP/releases/$1
  ensure_dir 0755 "$APP"
  ensure_dir 0755 "$APP/releases"
  if [ -d "$dir" ]; then
    if ! same_release "$SOURCE" "$dir"; then
      [ "$FORCE" = 1 ] || die "release $name is already installed with other files: pass --release NAME for a new one, or --force to replace it"
      local old=$APP/releases/.$name.old.$$
      mv "$dir" "$old"
      stage_release "$SOURCE" "$APP/releases/.$name.new.$$"
      mv "$APP/releases/.$name.new.$$" "$dir"
      rm -rf "$old"
      changed "replaced release $name"
    fi
  else
    stage_release "$SOURCE" "$APP/releases/.$name.new.$$"
    mv "$APP/releases/.$name.new.$$" "$dir"
    changed "installed release $name"
  fi
  check_notify "$dir"
  local cur=
  [ -L "$APP/current" ] && cur=$(readlink "$APP/current")
  if [ "$cur" != "releases/$name" ]; then
    [ -z "$cur" ] || put_link "$cur" "$APP/previous"
    put_link "releases/$name" "$APP/current"
    release_changed=1
  fi
}

# Keeps the newest KEEP releases (by install time), never current or previous.
prune_releases() {
  local cur prev n=0 d base
  cur=$(readlink "$APP/current" 2>/dev/null || true)
  prev=$(readlink "$APP/previous" 2>/dev/null || true)
  while IFS= read -r d; do
    base=releases/$(basename "$d")
    if [ "$base" = "$cur" ] || [ "$base" = "$prev" ]; then n=$((n + 1)); continue; fi
    n=$((n + 1))
    [ "$n" -le "$KEEP" ] || remove "$d"
  done < <(find "$APP/releases" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%T@ %p\n' | sort -rn | cut -d' ' -f2-)
}

install_unit() {
  local tmp
  tmp=$(mktemp)
  sed -e "s#/opt/reclaim#$PREFIX#g" -e "s#/usr/bin/node#$NODE#g" "$SOURCE/deploy/systemd/reclaim.service" >"$tmp"
  local before=$changes
  put_file 0644 "$tmp" "$UNIT"
  rm -f "$tmp"
  if [ "$changes" != "$before" ] && [ -z "$R" ]; then systemctl_ daemon-reload; fi
  if [ "$SYSTEMCTL" = 1 ] && ! systemctl_ -q is-enabled reclaim.service 2>/dev/null; then
    systemctl_ -q enable reclaim.service
    changed "enabled reclaim.service"
  fi
}

install_udev() {
  local before=$changes f
  for f in "$SOURCE"/deploy/udev/*.rules; do
    keep_file 0644 "$f" "$RULES_DIR/$(basename "$f")"
  done
  if [ "$changes" != "$before" ] && [ "$SYSTEMCTL" = 1 ] && [ -z "$R" ] && command -v udevadm >/dev/null 2>&1; then
    udevadm control --reload
    udevadm trigger --action=add --subsystem-match=usb-serial --subsystem-match=tty --subsystem-match=gpio
  fi
}

do_install() {
  check_source
  check_node
  [ -n "$RELEASE" ] || RELEASE=$(sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' "$SOURCE/package.json" | head -n 1)
  [ -n "$RELEASE" ] || die "no --release given and no version in $SOURCE/package.json"
  case "$RELEASE" in *[!A-Za-z0-9._+-]*) die "--release may hold only letters, digits and . _ + -: $RELEASE" ;; esac
  [ -d "$R/etc" ] || mkdir -p "$R/etc"
  release_changed=0
  install_users
  install_release "$RELEASE"
  prune_releases
  install_config
  ensure_dir 0750 "$DATA" reclaim reclaim
  put_link "$PREFIX/current/bin/reclaim.js" "$BIN_LINK"
  install_udev
  install_unit
  if [ "$START" = 1 ] && [ "$SYSTEMCTL" = 1 ] && [ -z "$R" ]; then
    if [ "$release_changed" = 1 ] || ! systemctl -q is-active reclaim.service; then
      systemctl restart reclaim.service
      changed "started reclaim.service"
    fi
  fi
  if [ "$changes" = 0 ]; then say "nothing to change: release $RELEASE is installed"; else say "done: release $RELEASE, $changes change(s)"; fi
}

do_rollback() {
  [ -L "$APP/previous" ] || die "no previous release to roll back to"
  local cur prev
  cur=$(readlink "$APP/current")
  prev=$(readlink "$APP/previous")
  [ -d "$APP/$prev" ] || die "previous release $prev is gone"
  put_link "$prev" "$APP/current"
  put_link "$cur" "$APP/previous"
  if [ "$SYSTEMCTL" = 1 ] && [ -z "$R" ] && systemctl -q is-active reclaim.service; then
    systemctl restart reclaim.service
    changed "restarted reclaim.service"
  fi
  say "current is now $prev (was $cur)"
}

do_uninstall() {
  if [ "$SYSTEMCTL" = 1 ] && [ -e "$UNIT" ]; then
    if [ -z "$R" ]; then systemctl stop reclaim.service 2>/dev/null || true; fi
    if systemctl_ -q is-enabled reclaim.service 2>/dev/null; then
      systemctl_ -q disable reclaim.service
      changed "disabled reclaim.service"
    fi
  fi
  remove "$UNIT" "$BIN_LINK" "$RULES_DIR/99-reclaim-rs485.rules" "$RULES_DIR/99-reclaim-gpio.rules" "$APP"
  if [ "$SYSTEMCTL" = 1 ] && [ -z "$R" ]; then systemctl daemon-reload; fi
  if [ "$PURGE" = 1 ]; then
    remove "$ETC" "$DATA" "$SYSUSERS"
    # The user stays in /etc/passwd: its uid may still own files elsewhere (backups),
    # and systemd-sysusers never deletes users either.
  elif [ -d "$ETC" ] || [ -d "$DATA" ]; then
    say "kept /etc/reclaim and /var/lib/reclaim (--purge removes them)"
  fi
  if [ "$changes" = 0 ]; then say "nothing to remove"; else say "removed: $changes change(s)"; fi
}

case "$ACTION" in
  install) do_install ;;
  rollback) do_rollback ;;
  uninstall) do_uninstall ;;
esac
