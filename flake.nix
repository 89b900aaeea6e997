{
  description = "FC: continuous integration for Nix, a replacement for Hydra";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      # Every package is the same build (all four programs); each names its own main program, as the
      # FC README's examples use them (fc.packages.x86_64-linux.server, .migrate-cli).
      withMain = pkg: program: pkg.overrideAttrs (old: { meta = old.meta // { mainProgram = program; }; });
      demoSystem = system: nixpkgs.lib.nixosSystem {
        inherit system;
        modules = [
          "${nixpkgs}/nixos/modules/virtualisation/qemu-vm.nix"
          self.nixosModules.default
          ./nix/demo-vm.nix
        ];
      };
    in
    {
      packages = forAllSystems (pkgs:
        let fc = pkgs.callPackage ./nix/package.nix { };
        in {
          inherit fc;
          server = withMain fc "fc-server";
          evaluator = withMain fc "fc-evaluator";
          queue-runner = withMain fc "fc-queue-runner";
          migrate-cli = withMain fc "fc-migrate";
          default = fc;
          # nix build .#demo-vm && ./result/bin/run-fc-demo-vm
          demo-vm = (demoSystem pkgs.stdenv.hostPlatform.system).config.system.build.vm;
        });

      nixosModules.fc = import ./nix/module.nix { inherit self; };
      nixosModules.default = self.nixosModules.fc;

      # nixos-rebuild build-vm --flake .#demo works too.
      nixosConfigurations.demo = demoSystem "x86_64-linux";

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [ pkgs.nodejs_24 pkgs.nix pkgs.git pkgs.postgresql pkgs.jq pkgs.curl ];
        };
      });

      checks = forAllSystems (pkgs: {
        package = self.packages.${pkgs.stdenv.hostPlatform.system}.fc;
        # Boots the demo VM's configuration: migrations before the daemons, all three running, the
        # demo keys seeded, the read-only key refused a write.
        demo = pkgs.testers.runNixOSTest {
          name = "fc-demo";
          nodes.machine = { imports = [ self.nixosModules.default ./nix/demo-vm.nix ]; };
          testScript = ''
            machine.wait_for_unit("fc-migrate.service")
            machine.wait_for_unit("fc-server.service")
            machine.wait_for_unit("fc-evaluator.service")
            machine.wait_for_unit("fc-queue-runner.service")
            machine.wait_for_unit("fc-demo-seed.service")
            machine.wait_for_open_port(3000)
            machine.succeed("curl -sf localhost:3000/health | jq -e '.status == \"ok\"'")
            machine.succeed(
              "curl -sf -X POST localhost:3000/api/v1/projects -H 'Authorization: Bearer fc_demo_admin_key'"
              + " -H 'Content-Type: application/json' -d '{\"name\": \"vm\", \"repository_url\": \"https://example.com/vm.git\"}'"
            )
            code = machine.succeed(
              "curl -s -o /dev/null -w '%{http_code}' -X POST localhost:3000/api/v1/projects"
              + " -H 'Authorization: Bearer fc_demo_readonly_key' -H 'Content-Type: application/json'"
              + " -d '{\"name\": \"no\", \"repository_url\": \"https://example.com/no.git\"}'"
            )
            assert code == "403", code
          '';
        };
      });
    };
}
