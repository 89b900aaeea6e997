-- A user's sessions are ended when their password changes or the user is deleted: find them by
-- the user id passport keeps in the session.
CREATE INDEX session_user_idx ON session (((sess -> 'passport' ->> 'user')));

-- Failed logins per user name and per client address (rate-limiter-flexible's PostgreSQL store:
-- key, points spent in the window, end of the window in Unix milliseconds).
CREATE TABLE login_failures (
  key    varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
