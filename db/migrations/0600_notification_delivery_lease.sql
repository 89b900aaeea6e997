-- A notification delivery is claimed with a lease instead of a row lock held across the HTTP call or
-- command: the claim commits at once, the delivery runs outside any transaction, and its outcome is
-- recorded after. A consumer that dies mid-delivery leaves the lease to expire; then a retry claims it.
ALTER TABLE notification_deliveries ADD COLUMN claimed_until timestamptz;
