# FC's demo jobset (copied into the demo's own git repository by `npm run demo`). Each job shows one
# thing: a success, a failure, products and metrics, an aggregate, and a slow build whose log grows.
let
  job = name: script: extra:
    builtins.derivation ({
      inherit name;
      system = builtins.currentSystem;
      builder = "/bin/sh";
      args = [ "-c" script ];
      PATH = "/usr/bin:/bin";
    } // extra);
in
{
  hello = job "hello-1.0" ''
    echo "Hello from FC's demo"
    echo hello > $out
  '' { };

  broken = job "broken-1.0" ''
    echo "this job fails on purpose"
    exit 1
  '' { };

  report = job "report-1.0" ''
    mkdir -p $out/nix-support
    echo '<h1>FC demo report</h1><p>Products are files a build offers for download.</p>' > $out/report.html
    echo 'fc-demo 1.0' > $out/fc-demo-1.0.tar
    echo "doc report $out/report.html" >> $out/nix-support/hydra-build-products
    echo "file source-dist $out/fc-demo-1.0.tar" >> $out/nix-support/hydra-build-products
    echo 'coverage 87 %' >> $out/nix-support/hydra-metrics
    echo 'testsPassed 42' >> $out/nix-support/hydra-metrics
    echo 'report-1.0' > $out/nix-support/hydra-release-name
    echo "wrote the report and its metrics"
  '' { };

  slow = job "slow-1.0" ''
    i=1
    while [ $i -le 60 ]; do
      echo "slow build: step $i of 60"
      sleep 1
      i=$((i+1))
    done
    echo done > $out
  '' { };

  release = job "release-1.0" "mkdir -p $out" {
    _hydraAggregate = true;
    constituents = [ "hello" "report" ];
  };
}
