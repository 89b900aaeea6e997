# The demo as a VM: `nixos-rebuild build-vm --flake .#demo && ./result/bin/run-*-vm`,
# then http://localhost:3000 (forwarded from the guest).
{ ... }:
{
  services.fc.enable = true;
  services.fc.settings.server = { host = "0.0.0.0"; port = 3000; };
  networking.firewall.allowedTCPPorts = [ 3000 ];
  virtualisation.vmVariant.virtualisation.forwardPorts = [{ from = "host"; host.port = 3000; guest.port = 3000; }];
  users.users.demo = { isNormalUser = true; initialPassword = "demo"; };
  system.stateVersion = "25.05";
}
