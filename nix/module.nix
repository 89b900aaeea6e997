# NixOS module: services.fc runs fc-server, fc-evaluator and fc-queue-runner against one database,
# migrating it first. Settings are written to fc.toml; secrets stay in files (environmentFile).
{ self }:
{ config, lib, pkgs, ... }:
let
  cfg = config.services.fc;
  toml = pkgs.formats.toml { };
  configFile = toml.generate "fc.toml" cfg.settings;
  common = {
    after = [ "network.target" "postgresql.service" "fc-migrate.service" ];
    requires = [ "fc-migrate.service" ];
    wantedBy = [ "multi-user.target" ];
    environment = { FC_CONFIG_FILE = configFile; };
    path = [ config.nix.package pkgs.git ];
    serviceConfig = {
      User = "fc";
      Group = "fc";
      StateDirectory = "fc";
      Restart = "on-failure";
      EnvironmentFile = lib.mkIf (cfg.environmentFile != null) cfg.environmentFile;
    };
  };
in
{
  options.services.fc = {
    enable = lib.mkEnableOption "FC, continuous integration for Nix";
    package = lib.mkOption {
      type = lib.types.package;
      default = self.packages.${pkgs.stdenv.hostPlatform.system}.fc;
      description = "The FC package.";
    };
    settings = lib.mkOption {
      type = toml.type;
      default = { };
      description = "fc.toml settings (see config/fc.toml for every key).";
    };
    environmentFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      description = "File of FC_* variables for secrets (FC_SERVER__API_KEY, FC_NOTIFICATIONS__GITHUB_TOKEN, ...).";
    };
    createLocalDatabase = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = "Create a local PostgreSQL database `fc` owned by the `fc` user.";
    };
  };

  config = lib.mkIf cfg.enable {
    users.users.fc = { isSystemUser = true; group = "fc"; home = "/var/lib/fc"; };
    users.groups.fc = { };
    nix.settings.trusted-users = [ "fc" ];

    services.fc.settings = {
      database.url = lib.mkDefault "postgres:///fc?host=/run/postgresql";
      logs.log_dir = lib.mkDefault "/var/lib/fc/logs";
      evaluator.work_dir = lib.mkDefault "/var/lib/fc/evaluator";
      queue_runner.work_dir = lib.mkDefault "/var/lib/fc/queue-runner";
    };

    services.postgresql = lib.mkIf cfg.createLocalDatabase {
      enable = true;
      ensureDatabases = [ "fc" ];
      ensureUsers = [{ name = "fc"; ensureDBOwnership = true; }];
    };

    systemd.services.fc-migrate = common // {
      requires = [ ];
      after = [ "postgresql.service" ];
      serviceConfig = common.serviceConfig // { Type = "oneshot"; RemainAfterExit = true; Restart = "no"; };
      script = "${cfg.package}/bin/fc-migrate up";
    };
    systemd.services.fc-server = common // { script = "exec ${cfg.package}/bin/fc-server"; };
    systemd.services.fc-evaluator = common // { script = "exec ${cfg.package}/bin/fc-evaluator"; };
    systemd.services.fc-queue-runner = common // { script = "exec ${cfg.package}/bin/fc-queue-runner"; };
  };
}
