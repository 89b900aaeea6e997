# FC's four programs, built from this repository with the locked npm dependencies.
{ lib, buildNpmPackage, importNpmLock, nodejs_24, makeWrapper, nix, git }:

buildNpmPackage {
  pname = "fc";
  version = (lib.importJSON ../package.json).version;
  src = lib.cleanSource ../.;
  nodejs = nodejs_24;
  npmDeps = importNpmLock { npmRoot = ../.; };
  npmConfigHook = importNpmLock.npmConfigHook;
  nativeBuildInputs = [ makeWrapper ];

  buildPhase = ''
    runHook preBuild
    node scripts/build.mjs
    runHook postBuild
  '';

  installPhase = ''
    runHook preInstall
    # Only the runtime dependencies are installed.
    npm prune --omit=dev --no-audit --no-fund
    mkdir -p $out/lib/fc $out/bin
    cp -r dist db apps node_modules package.json $out/lib/fc/
    for pair in server:fc-server evaluator:fc-evaluator builder:fc-queue-runner migrate:fc-migrate; do
      app=''${pair%%:*}; name=''${pair##*:}
      makeWrapper ${nodejs_24}/bin/node $out/bin/$name \
        --add-flags "--enable-source-maps $out/lib/fc/dist/apps/$app/main.js" \
        --set FC_MIGRATIONS_DIR $out/lib/fc/db/migrations \
        --prefix PATH : ${lib.makeBinPath [ nix git ]}
    done
    runHook postInstall
  '';

  meta = {
    description = "Continuous integration for Nix, a replacement for Hydra";
    license = lib.licenses.mit;
    mainProgram = "fc-server";
  };
}
