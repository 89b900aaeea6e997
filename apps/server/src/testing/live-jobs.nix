# Jobs for the dashboard's live specs: a build that logs slowly, one with products, one that fails and
# one that needs it.
# `nonce` makes every run build fresh paths; `marker` is printed so a spec can tell its lines apart.
{ nonce ? "0", marker ? "LINE" }:
let
  # The marker as a file name (a "/" would make it a directory) and as a metric's name (one word).
  fileName = builtins.replaceStrings [ "/" ] [ "_" ] marker;
  metricName = builtins.replaceStrings [ "/" " " ] [ "_" "_" ] marker;
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
  # Products 1 and 2 are files; 3 a file named with markup; 4 a directory (its default file, and a
  # symlink leading out of it); 5 a file without an extension. Metrics and release name carry markup.
  withProducts = mk "with-products" ''
    echo "writing the ${marker} products"
    /bin/mkdir -p $out/nix-support $out/doc $out/site
    echo "${marker}" > $out/doc/report.html
    echo "plain text ${marker}" > $out/notes.txt
    echo "named ${marker}" > "$out/${fileName}.txt"
    echo "<p>site</p>" > $out/site/index.html
    /bin/ln -s /etc/passwd $out/site/leak
    echo "no extension" > $out/README
    echo "doc report $out/doc/report.html" >> $out/nix-support/hydra-build-products
    echo "file text $out/notes.txt" >> $out/nix-support/hydra-build-products
    echo "file text \"$out/${fileName}.txt\"" >> $out/nix-support/hydra-build-products
    echo "doc site $out/site index.html" >> $out/nix-support/hydra-build-products
    echo "file readme $out/README" >> $out/nix-support/hydra-build-products
    echo "${metricName} 42 %" >> $out/nix-support/hydra-metrics
    echo "release ${marker}" > $out/nix-support/hydra-release-name
  '';
  fails = mk "fails" ''echo "${marker}-failing"; exit 1'';
  dependsOnFails = mk "depends-on-fails" "echo ${fails} > $out";
}
