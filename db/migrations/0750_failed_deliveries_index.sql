-- The admin's list of notification deliveries that failed for good (newest first) reads this index,
-- not every delivered row.
CREATE INDEX notification_deliveries_failed_idx ON notification_deliveries (id) WHERE status = 'failed';
