-- Webhook deliveries received in the last day, so a replayed one triggers nothing: keyed by the
-- forge's delivery id (X-GitHub-Delivery, X-Gitea-Delivery) and by the hash of the signed body (the
-- delivery id is not signed, so a replay with a new id is still known by its body).
CREATE TABLE webhook_deliveries (
  key         text PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_received_at_idx ON webhook_deliveries (received_at);
