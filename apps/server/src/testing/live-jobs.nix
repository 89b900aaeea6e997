# Jobs for the dashboard's live specs: a build that logs slowly, one with products, one that fails and
# one that needs it.
# `nonce` makes every run build fresh paths; `marker` is printed so a spec can tell its lines apart.
{ nonce ? "0", marker ? "LINE" }:
let
  mk = name: script: builtins.derivation {
    name = "${name}-${nonce}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" script ];
  };
in rec {
  # Prints a line, then another every second, so a follower sees the log grow while it runs.
  slow = mk "slow" ''
    i=1
    while [ $i -le 4 ]; do echo "${marker}-$i"; /bin/sleep 1; i=$((i+1)); done
    echo "${marker}-done" > $out
  '';
  # Runs until cancelled.
  sleeper = mk "sleeper" ''echo "${marker}-sleeping"; exec /bin/sleep 600'';
  withProducts = mk "with-products" ''
    /bin/mkdir -p $out/nix-support $out/doc
    echo "${marker}" > $out/doc/report.html
    echo "plain text ${marker}" > $out/notes.txt
    echo "doc report $out/doc/report.html" >> $out/nix-support/hydra-build-products
    echo "file text $out/notes.txt" >> $out/nix-support/hydra-build-products
  '';
  fails = mk "fails" ''echo "${marker}-failing"; exit 1'';
  dependsOnFails = mk "depends-on-fails" "echo ${fails} > $out";
}
