# NixOS module: services.fc runs fc-server, fc-evaluator and fc-queue-runner (each can be turned off,
# for builder machines and head nodes) against one PostgreSQL database, migrating it first. Every
# configuration key is a typed option under `settings` (nix/settings-options.nix, generated from the
# configuration schema), rendered to fc.toml; secrets go in `environmentFile` as FC_* variables.
{ self }:
{ config, lib, pkgs, ... }:
let
  cfg = config.services.fc;
  inherit (lib) mkDefault mkEnableOption mkIf mkOption types;
  toml = pkgs.formats.toml { };
  settingsOptions = import ./settings-options.nix { inherit lib; };
  # TOML has no null: a key left null (no default) is not written, so FC's own default applies.
  configFile = toml.generate "fc.toml" (lib.filterAttrsRecursive (_: v: v != null) cfg.settings);
  stateDir = "/var/lib/fc";
  gcRootsDir = cfg.settings.gc.gc_roots_dir;
  localDatabase = cfg.database.createLocally;

  hardening = {
    User = "fc";
    Group = "fc";
    StateDirectory = "fc";
    StateDirectoryMode = "0750";
    UMask = "0027";
    NoNewPrivileges = true;
    PrivateTmp = true;
    PrivateDevices = true;
    ProtectSystem = "strict";
    ProtectHome = true;
    ProtectClock = true;
    ProtectHostname = true;
    ProtectKernelLogs = true;
    ProtectKernelModules = true;
    ProtectKernelTunables = true;
    ProtectControlGroups = true;
    ProtectProc = "invisible";
    RestrictAddressFamilies = [ "AF_UNIX" "AF_INET" "AF_INET6" ];
    RestrictNamespaces = true;
    RestrictRealtime = true;
    RestrictSUIDSGID = true;
    LockPersonality = true;
    MemoryDenyWriteExecute = false; # Node's JIT
    SystemCallArchitectures = "native";
    CapabilityBoundingSet = "";
    ReadWritePaths = [ stateDir ];
  };

  daemon = { description, program, usesNix ? false }: {
    inherit description;
    wantedBy = [ "multi-user.target" ];
    requires = [ "fc-migrate.service" ];
    after = [ "network-online.target" "fc-migrate.service" ] ++ lib.optional usesNix "nix-daemon.socket";
    wants = [ "network-online.target" ] ++ lib.optional usesNix "nix-daemon.socket";
    environment = {
      FC_CONFIG_FILE = configFile;
      # Through the Nix daemon: it owns the store, builds in its sandbox as the nixbld users.
      NIX_REMOTE = "daemon";
    };
    path = lib.optionals usesNix [ config.nix.package pkgs.git pkgs.openssh ];
    serviceConfig = hardening // {
      ExecStart = "${cfg.package}/bin/${program}";
      EnvironmentFile = lib.optional (cfg.environmentFile != null) cfg.environmentFile;
      Restart = "on-failure";
      RestartSec = 5;
      # fc-queue-runner drains for 10 s, then hands running builds back to the queue.
      TimeoutStopSec = 60;
      KillMode = "mixed";
      ReadWritePaths = hardening.ReadWritePaths
        # "-": a path that does not exist on this machine is skipped rather than failing the unit.
        ++ lib.optionals usesNix [ "-/nix/var/nix/daemon-socket" "-${builtins.dirOf gcRootsDir}" ];
    };
  };
in
{
  options.services.fc = {
    enable = mkEnableOption "FC, continuous integration for Nix";

    package = mkOption {
      type = types.package;
      default = self.packages.${pkgs.stdenv.hostPlatform.system}.server;
      defaultText = lib.literalExpression "fc.packages.\${system}.server";
      description = "The FC package whose fc-server, fc-evaluator and fc-queue-runner run (every FC package holds all four programs).";
    };

    migratePackage = mkOption {
      type = types.package;
      default = self.packages.${pkgs.stdenv.hostPlatform.system}.migrate-cli;
      defaultText = lib.literalExpression "fc.packages.\${system}.migrate-cli";
      description = "The package whose fc-migrate applies the database migrations before the daemons start.";
    };

    server.enable = mkOption {
      type = types.bool;
      default = true;
      description = "Run fc-server (API, dashboard, binary cache).";
    };
    evaluator.enable = mkOption {
      type = types.bool;
      default = true;
      description = "Run fc-evaluator (fetches jobsets' inputs and evaluates them with Nix).";
    };
    queueRunner.enable = mkOption {
      type = types.bool;
      default = true;
      description = "Run fc-queue-runner (builds with the local Nix daemon and its remote builders).";
    };

    database.createLocally = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Create a local PostgreSQL database `fc` owned by the `fc` user (peer authentication over the
        socket) and point settings.database.url at it. Set to false on builder machines, with
        settings.database.url (or FC_DATABASE__URL in environmentFile) naming the head node's database.
      '';
    };

    settings = mkOption {
      type = types.submodule {
        freeformType = toml.type;
        options = lib.mapAttrs
          (section: options: mkOption {
            type = types.submodule { inherit options; };
            default = { };
            description = "The [${section}] section of fc.toml.";
          })
          settingsOptions;
      };
      default = { };
      description = "FC's configuration, written to fc.toml (config/fc.toml in FC's source documents every key).";
      example = lib.literalExpression ''
        {
          server.port = 3000;
          queue_runner.workers = 8;
          logs.compress = true;
        }
      '';
    };

    environmentFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      example = "/run/secrets/fc.env";
      description = ''
        File of FC_<SECTION>__<KEY>=value lines for secrets, which must not be in the world-readable
        Nix store: FC_DATABASE__URL (with a password), FC_SERVER__SESSION_SECRET, FC_SERVER__API_KEY,
        FC_NOTIFICATIONS__GITHUB_TOKEN, FC_NOTIFICATIONS__GITEA_TOKEN, and the per-owner token tables
        FC_NOTIFICATIONS__GITHUB_AUTHORIZATION / FC_NOTIFICATIONS__GITEA_AUTHORIZATION (JSON objects).
        They override settings. The owners a single token is for (github_token_owners,
        gitea_token_owners) are not secret: set them in settings.
      '';
    };
  };

  config = mkIf cfg.enable {
    users.users.fc = {
      isSystemUser = true;
      group = "fc";
      home = stateDir;
      description = "FC continuous integration";
    };
    users.groups.fc = { };

    # The queue runner passes build settings (timeouts, remote builders) to the daemon. ("root" is
    # named too: a definition replaces the option's default rather than adding to it.)
    nix.settings.trusted-users = lib.mkIf cfg.queueRunner.enable [ "root" "fc" ];

    # For the command-line tools (fc-server create-api-key, fc-migrate status).
    environment.systemPackages = [ cfg.package ];
    environment.etc."fc/fc.toml".source = configFile;

    services.fc.settings = {
      database.url = mkIf localDatabase (mkDefault "postgresql:///fc?host=/run/postgresql");
      logs.log_dir = mkDefault "${stateDir}/logs";
      evaluator.work_dir = mkDefault "${stateDir}/evaluator";
      queue_runner.work_dir = mkDefault "${stateDir}/queue-runner";
    };

    services.postgresql = mkIf localDatabase {
      enable = true;
      ensureDatabases = [ "fc" ];
      ensureUsers = [{ name = "fc"; ensureDBOwnership = true; }];
    };

    systemd.tmpfiles.rules = lib.optional cfg.queueRunner.enable "d ${builtins.dirOf gcRootsDir} 0755 fc fc - -";

    # Migrations first: a daemon refuses to start on a schema it does not know.
    systemd.services.fc-migrate = {
      description = "FC database migrations";
      wantedBy = [ "multi-user.target" ];
      requires = lib.optional localDatabase "postgresql.service";
      after = [ "network-online.target" ] ++ lib.optional localDatabase "postgresql.service";
      wants = [ "network-online.target" ];
      environment.FC_CONFIG_FILE = configFile;
      serviceConfig = hardening // {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = "${cfg.migratePackage}/bin/fc-migrate up";
        EnvironmentFile = lib.optional (cfg.environmentFile != null) cfg.environmentFile;
      };
    };

    systemd.services.fc-server = mkIf cfg.server.enable (daemon {
      description = "FC server (API, dashboard, binary cache)";
      program = "fc-server";
      # The binary cache and product downloads read the local store.
      usesNix = true;
    });
    systemd.services.fc-evaluator = mkIf cfg.evaluator.enable (daemon {
      description = "FC evaluator";
      program = "fc-evaluator";
      usesNix = true;
    });
    systemd.services.fc-queue-runner = mkIf cfg.queueRunner.enable (daemon {
      description = "FC queue runner";
      program = "fc-queue-runner";
      usesNix = true;
    });
  };
}
