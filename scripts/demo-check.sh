#!/usr/bin/env bash
# The demo as a new user meets it (npm test runs this): a fresh clone in a private directory (mode
# 0700, as /root is on Debian), `npm run demo`; within 90 s of healthy a succeeded build is visible
# through fc_demo_admin_key and on the dashboard's home page; the read-only key gets 403 on a write;
# Ctrl-C (SIGINT to the demo's process group, as a terminal sends it) leaves no process of the clone.
# The installed node_modules are hard-linked into the clone (setup then has nothing to install).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
say() { printf 'demo-check: %s\n' "$*"; }
fail() {
  say "FAILED: $*"
  [ -f "${log:-}" ] && tail -n 40 "$log" | cut -c1-300
  exit 1
}

private=$(mktemp -d /tmp/fc-demo-check.XXXXXX) # mktemp makes it mode 0700
chmod 0700 "$private"
clone=$private/fc
log=$private/demo.log
demo_pid=
cleanup() {
  if [ -n "$demo_pid" ] && kill -0 "$demo_pid" 2>/dev/null; then kill -KILL -- "-$demo_pid" 2>/dev/null || true; fi
  local data
  data=$(sed -n 's/.*(data in \(\/var\/lib\/fc-demo\/[0-9a-f]*\)\/pg).*/\1/p' "$log" 2>/dev/null | head -n1)
  [ -n "$data" ] && rm -rf "$data"
  rm -rf "$private"
}
trap cleanup EXIT

git clone --quiet "$src" "$clone"
# Hard links when the clone is on the same file system, a copy otherwise.
copy() { cp -al "$1" "$2" 2>/dev/null || { rm -rf "$2" && cp -a "$1" "$2"; }; }
copy "$src/node_modules" "$clone/node_modules"
if [ -d "$src/.tools/node" ]; then mkdir -p "$clone/.tools" && copy "$src/.tools/node" "$clone/.tools/node"; fi

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
source "$src/scripts/ensure-node.sh"
port=$(free_port)
pg_port=$(free_port)
fc=http://127.0.0.1:$port
admin='Authorization: Bearer fc_demo_admin_key'

say "npm run demo in $clone (port $port)"
(cd "$clone" && FC_DEMO_PORT=$port FC_DEMO_PG_PORT=$pg_port exec setsid npm run demo) >"$log" 2>&1 &
demo_pid=$!

deadline=$((SECONDS + 300))
until curl -sf "$fc/health" >/dev/null; do
  kill -0 "$demo_pid" 2>/dev/null || fail "the demo exited before it was healthy"
  [ $SECONDS -lt $deadline ] || fail "not healthy within 300 s"
  sleep 1
done
healthy=$SECONDS
say "healthy"

deadline=$((healthy + 90))
until curl -sf -H "$admin" "$fc/api/v1/builds?status=succeeded&limit=1" | grep -q '"status":"succeeded"'; do
  [ $SECONDS -lt $deadline ] || fail "no succeeded build through fc_demo_admin_key within 90 s of healthy"
  sleep 2
done
say "a succeeded build after $((SECONDS - healthy)) s"
home=$(curl -sf "$fc/")
grep -q 'succeeded' <<<"$home" || fail "the dashboard's home page shows no succeeded build"
grep -q 'hello' <<<"$home" || fail "the dashboard's home page does not show the demo's hello job"
say "the dashboard's home page shows it"

code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$fc/api/v1/projects" \
  -H 'Authorization: Bearer fc_demo_readonly_key' -H 'Content-Type: application/json' \
  -d '{"name": "should-fail", "repository_url": "https://example.com"}')
[ "$code" = 403 ] || fail "the read-only key's write answered $code, not 403"
say "the read-only key's write: 403"

# The README's demo calls, as printed (on this run's port).
calls=$(sed -n '/<!-- demo-curl:start -->/,/<!-- demo-curl:end -->/p' "$clone/README.md" | sed '1,2d;$d' | sed '$d')
[ -n "$calls" ] || fail "README.md has no demo-curl block"
out=$(bash -euo pipefail -c "${calls//localhost:3000/127.0.0.1:$port}") || fail "the README's demo calls failed: $out"
json=${out%???} # the JSON answers, without the last call's status code
jq -se 'map(objects) | any(.status? == "ok" and .database? == "ok")' <<<"$json" >/dev/null ||
  fail "the README's health check did not say ok: $out"
jq -se 'map(objects) | any(.name? == "my-project") and any(.items? | arrays | any(.name == "my-project"))' \
  <<<"$json" >/dev/null ||
  fail "the README's create-project call did not create my-project: $out"
[ "${out: -3}" = 403 ] || fail "the README's read-only write did not answer 403: $out"
say "the README's demo calls answer as documented"

# Every process the demo started (its descendants, in their own process groups too).
descendants() {
  local pids=$1 all=$1 next
  while [ -n "$pids" ]; do
    next=$(for p in $pids; do cat "/proc/$p/task/"*/children 2>/dev/null; done | tr ' ' '\n' | grep -v '^$' || true)
    all="$all $next"
    pids=$next
  done
  echo "$all"
}
started=$(descendants "$demo_pid")
kill -INT -- "-$demo_pid"
alive() { for p in $started; do if [ -d "/proc/$p" ]; then printf ' %s' "$p"; fi; done; }
deadline=$((SECONDS + 60))
while [ -n "$(alive)" ] && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
demo_pid=
left=$(alive)
for d in /proc/[0-9]*; do
  if cat "$d/cmdline" 2>/dev/null | tr "\\0" " " | grep -qF "$clone" || readlink "$d/cwd" 2>/dev/null | grep -qF "$clone"; then
    left="$left ${d#/proc/}"
  fi
done
[ -z "$left" ] || fail "processes left after SIGINT:$(for p in $left; do printf '\n  %s %s' "$p" "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"; done)"
grep -q 'stopping PostgreSQL' "$log" || fail "the demo did not stop PostgreSQL after the daemons"
say "SIGINT stopped everything"
