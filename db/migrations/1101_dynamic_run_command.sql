-- Hydra's dynamic RunCommand: a project and a jobset each opt in (the server option must be on too);
-- a finished runCommandHook.* build's own executable is then run as a notification.
ALTER TABLE projects ADD COLUMN enable_dynamic_run_command boolean NOT NULL DEFAULT false;
ALTER TABLE jobsets ADD COLUMN enable_dynamic_run_command boolean NOT NULL DEFAULT false;
ALTER TABLE notification_deliveries DROP CONSTRAINT notification_deliveries_kind_check;
ALTER TABLE notification_deliveries ADD CONSTRAINT notification_deliveries_kind_check
  CHECK (kind IN ('webhook', 'run_command', 'dynamic_run_command', 'github_status', 'gitea_status'));
