{
  description = "FC: continuous integration for Nix, a replacement for Hydra";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: rec {
        fc = pkgs.callPackage ./nix/package.nix { };
        default = fc;
      });

      nixosModules.fc = import ./nix/module.nix { inherit self; };
      nixosModules.default = self.nixosModules.fc;

      # nixos-rebuild build-vm --flake .#demo: FC with a local PostgreSQL, on port 3000.
      nixosConfigurations.demo = nixpkgs.lib.nixosSystem {
        system = "x86_64-linux";
        modules = [ self.nixosModules.fc ./nix/demo-vm.nix ];
      };

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell { packages = [ pkgs.nodejs_24 pkgs.nix pkgs.git pkgs.postgresql ]; };
      });
    };
}
