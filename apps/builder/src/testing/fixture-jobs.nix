# Jobs for the queue runner's integration specs. `nonce` makes every spec run build fresh paths.
{ nonce ? "0" }:
let
  mk = name: script: extra: builtins.derivation ({
    name = "${name}-${nonce}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" script ];
  } // extra);
  fails = mk "fails" "echo FAILING-BUILD-SAYS-BYE; exit 1" { };
  hangs = mk "hangs" "echo hanging; exec /bin/sleep 300" { };
  # Fails after a few seconds: builds that need it are queued while it runs.
  failsSlowly = mk "fails-slowly" "echo FAILING-SLOWLY; /bin/sleep 3; exit 1" { };
  # Fails after ten seconds: builds that need it start running (and wait on its lock) meanwhile.
  failsLater = mk "fails-later" "echo FAILING-LATER; /bin/sleep 10; exit 1" { };
in rec {
  succeeds = mk "succeeds" ''
    echo SUCCESS-BUILD-SAYS-HI
    /bin/mkdir -p $out/nix-support
    echo hello > "$out/some text.txt"
    echo plain > $out/text.txt
    echo 'doc readme "'$out'/some text.txt"' >> $out/nix-support/hydra-build-products
    echo "file text $out/text.txt" >> $out/nix-support/hydra-build-products
    echo 'lineCoverage 18 %' >> $out/nix-support/hydra-metrics
    echo 'maxResident 27 KiB' >> $out/nix-support/hydra-metrics
    echo 'succeeds-1.0' > $out/nix-support/hydra-release-name
  '' { };
  plainDir = mk "plain-dir" "/bin/mkdir $out; echo x > $out/x" { };
  inherit fails;
  dependsOnFailure = mk "depends-on-failure" "echo ${fails} > $out" { };
  inherit failsSlowly;
  dependsOnSlowFailure = mk "depends-on-slow-failure" "echo ${failsSlowly} > $out" { };
  inherit failsLater;
  dependsOnLaterFailure = mk "depends-on-later-failure" "echo ${failsLater} > $out" { };
  failedWithOutput = mk "failed-with-output" ''
    /bin/mkdir -p $out/nix-support
    : > $out/nix-support/failed
  '' { };
  # Hangs silently: meta.timeout / meta.maxSilent end it.
  inherit hangs;
  dependsOnHang = mk "depends-on-hang" "echo ${hangs} > $out" { };
  chatty = mk "chatty" ''
    i=0
    while [ $i -lt 3000 ]; do echo "line $i of a very chatty builder that fills the log quickly"; i=$((i+1)); done
    echo > $out
  '' { };
  bigOutput = mk "big-output" "/usr/bin/head -c 3000000 /dev/zero > $out" { };
  # For cancel and kill specs: a recognisable long sleep.
  sleeper = mk "sleeper" "echo sleeping; exec /bin/sleep 3${nonce}" { };
  # Finishes after a few seconds (drain, SIGKILL recovery).
  short = mk "short" "echo short-start; /bin/sleep 3; echo short-end; echo done > $out" { };
  # Logs a line a second for eight seconds: a running build's log read while it grows.
  ticker = mk "ticker" ''
    i=1
    while [ $i -le 8 ]; do echo "tick-$i"; /bin/sleep 1; i=$((i+1)); done
    echo done > $out
  '' { };
  ticker2 = mk "ticker2" ''
    i=1
    while [ $i -le 8 ]; do echo "tock-$i"; /bin/sleep 1; i=$((i+1)); done
    echo done > $out
  '' { };
  # The database outage spec: a build that logs a line a second for 90 s (it outlasts a 60 s outage),
  # and two that end 15 s after they start (during the outage), one built, one failed.
  outlasting = mk "outlasting" ''
    i=1
    while [ $i -le 90 ]; do echo "outlasting-$i"; /bin/sleep 1; i=$((i+1)); done
    echo done > $out
  '' { };
  endsInOutage = mk "ends-in-outage" "echo ends-in-outage-start; /bin/sleep 15; echo ends-in-outage-end; echo done > $out" { };
  failsInOutage = mk "fails-in-outage" "echo fails-in-outage-start; /bin/sleep 15; echo fails-in-outage-end; exit 1" { };
  quick = n: mk "quick-${toString n}" "echo ${toString n} > $out" { };
  quick1 = quick 1;
  quick2 = quick 2;
  quick3 = quick 3;
  quick4 = quick 4;
  # Only a remote builder can build it.
  remoteArch = mk "remote-arch" "echo > $out" { system = "fc-remote-arch"; };
  # An aggregate whose derivation does not refer to its constituents (they are linked by job name).
  aggregateByName = mk "aggregate-by-name" "/bin/mkdir $out" { _hydraAggregate = true; };
  aggregate = mk "aggregate" ''
    /bin/mkdir $out
    echo ${quick1} ${quick2} > $out/constituents
  '' { _hydraAggregate = true; };
}
