# The demo as a NixOS VM (the FC README's): PostgreSQL and all three daemons, the demo API keys
# seeded, port 3000 forwarded to the host. `nix build .#demo-vm && ./result/bin/run-fc-demo-vm`, then
# http://localhost:3000 (QEMU_NET_OPTS="hostfwd=tcp::8080-:3000" to use another host port).
{ config, lib, pkgs, ... }:
let
  keys = [
    { token = "fc_demo_admin_key"; name = "demo admin"; role = "admin"; }
    { token = "fc_demo_readonly_key"; name = "demo read-only"; role = "read-only"; }
  ];
  # Keys are stored as the SHA-256 of the token, as fc-server create-api-key stores them.
  insertKey = k:
    let hash = builtins.hashString "sha256" k.token;
    in ''
      INSERT INTO api_keys (name, key_hash, key_prefix, role)
      SELECT '${k.name}', decode('${hash}', 'hex'), '${builtins.substring 0 10 k.token}', '${k.role}'
      WHERE NOT EXISTS (SELECT 1 FROM api_keys WHERE key_hash = decode('${hash}', 'hex'));
    '';
in
{
  networking.hostName = "fc-demo";
  system.stateVersion = "25.05";

  services.fc = {
    enable = true;
    settings = {
      server.host = "0.0.0.0";
      server.port = 3000;
      server.session_secret = "fc-demo-session-secret"; # a demo only: real secrets go in environmentFile
      evaluator.poll_interval = 10;
    };
  };

  # Only in the demo: fixed, publicly known keys.
  systemd.services.fc-demo-seed = {
    description = "Seed FC's demo API keys";
    wantedBy = [ "multi-user.target" ];
    requires = [ "fc-migrate.service" ];
    after = [ "fc-migrate.service" ];
    before = [ "fc-server.service" ];
    path = [ config.services.postgresql.package ];
    serviceConfig = {
      Type = "oneshot";
      RemainAfterExit = true;
      User = "fc";
    };
    script = ''
      psql -d fc -v ON_ERROR_STOP=1 <<'SQL'
      ${lib.concatMapStrings insertKey keys}
      SQL
    '';
  };

  networking.firewall.allowedTCPPorts = [ 3000 ];
  virtualisation = {
    forwardPorts = [{ from = "host"; host.port = 3000; guest.port = 3000; }];
    graphics = false;
    memorySize = 2048;
    diskSize = 4096;
  };
  services.getty.autologinUser = "root";
  environment.systemPackages = [ pkgs.curl pkgs.jq ];
}
