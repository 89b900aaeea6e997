-- Row counts that fc-server's /metrics reports (the FC README's fc_builds_total, fc_builds_pending,
-- ... fc_remote_builders_total) without counting a million rows per scrape. Statement-level triggers
-- append one delta row per changed count and statement to row_count_deltas (appends take no lock on a
-- shared row, so the evaluator's long recording transaction never blocks a queue runner finishing a
-- build); the scrape folds the deltas into row_counts (compactRowCounts) and reads the sums.
CREATE TABLE row_counts (
  name  text PRIMARY KEY,
  value bigint NOT NULL
);

CREATE TABLE row_count_deltas (
  name  text NOT NULL,
  delta bigint NOT NULL
);

-- Which count a build is in: pending (queued, not started), running, succeeded (status 0) or failed
-- (finished with any other status).
CREATE FUNCTION build_count_bucket(finished boolean, build_status smallint, started_at timestamptz)
  RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN NOT finished AND started_at IS NULL THEN 'builds_pending'
    WHEN NOT finished THEN 'builds_running'
    WHEN build_status = 0 THEN 'builds_succeeded'
    ELSE 'builds_failed'
  END
$$;

CREATE FUNCTION builds_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO row_count_deltas (name, delta)
  SELECT k.name, count(*) FROM new_rows n,
    LATERAL (VALUES ('builds'), (build_count_bucket(n.finished, n.build_status, n.started_at))) k(name)
  GROUP BY k.name;
  RETURN NULL;
END
$$;

CREATE FUNCTION builds_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO row_count_deltas (name, delta)
  SELECT k.name, -count(*) FROM old_rows o,
    LATERAL (VALUES ('builds'), (build_count_bucket(o.finished, o.build_status, o.started_at))) k(name)
  GROUP BY k.name;
  RETURN NULL;
END
$$;

CREATE FUNCTION builds_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO row_count_deltas (name, delta)
  SELECT name, sum(delta) FROM (
    SELECT build_count_bucket(o.finished, o.build_status, o.started_at) AS name, -1 AS delta FROM old_rows o
    UNION ALL
    SELECT build_count_bucket(n.finished, n.build_status, n.started_at), 1 FROM new_rows n
  ) changes
  GROUP BY name HAVING sum(delta) <> 0;
  RETURN NULL;
END
$$;

-- Tables counted whole: projects, evaluations, channels, remote builders.
CREATE FUNCTION rows_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO row_count_deltas (name, delta) SELECT TG_TABLE_NAME, count(*) FROM new_rows HAVING count(*) > 0;
  RETURN NULL;
END
$$;

CREATE FUNCTION rows_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO row_count_deltas (name, delta) SELECT TG_TABLE_NAME, -count(*) FROM old_rows HAVING count(*) > 0;
  RETURN NULL;
END
$$;

-- TRUNCATE (tests, a reset): the table's counts are zero.
CREATE FUNCTION rows_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM row_count_deltas WHERE name = TG_TABLE_NAME OR (TG_TABLE_NAME = 'builds' AND name LIKE 'builds\_%');
  UPDATE row_counts SET value = 0 WHERE name = TG_TABLE_NAME OR (TG_TABLE_NAME = 'builds' AND name LIKE 'builds\_%');
  RETURN NULL;
END
$$;

CREATE TRIGGER builds_count_insert AFTER INSERT ON builds
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION builds_count_insert();
CREATE TRIGGER builds_count_update AFTER UPDATE ON builds
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION builds_count_update();
CREATE TRIGGER builds_count_delete AFTER DELETE ON builds
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION builds_count_delete();
CREATE TRIGGER builds_count_truncate AFTER TRUNCATE ON builds
  FOR EACH STATEMENT EXECUTE FUNCTION rows_count_truncate();

CREATE TRIGGER projects_count_insert AFTER INSERT ON projects
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rows_count_insert();
CREATE TRIGGER projects_count_delete AFTER DELETE ON projects
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rows_count_delete();
CREATE TRIGGER projects_count_truncate AFTER TRUNCATE ON projects
  FOR EACH STATEMENT EXECUTE FUNCTION rows_count_truncate();

CREATE TRIGGER evaluations_count_insert AFTER INSERT ON evaluations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rows_count_insert();
CREATE TRIGGER evaluations_count_delete AFTER DELETE ON evaluations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rows_count_delete();
CREATE TRIGGER evaluations_count_truncate AFTER TRUNCATE ON evaluations
  FOR EACH STATEMENT EXECUTE FUNCTION rows_count_truncate();

CREATE TRIGGER channels_count_insert AFTER INSERT ON channels
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rows_count_insert();
CREATE TRIGGER channels_count_delete AFTER DELETE ON channels
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rows_count_delete();
CREATE TRIGGER channels_count_truncate AFTER TRUNCATE ON channels
  FOR EACH STATEMENT EXECUTE FUNCTION rows_count_truncate();

CREATE TRIGGER remote_builders_count_insert AFTER INSERT ON remote_builders
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rows_count_insert();
CREATE TRIGGER remote_builders_count_delete AFTER DELETE ON remote_builders
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rows_count_delete();
CREATE TRIGGER remote_builders_count_truncate AFTER TRUNCATE ON remote_builders
  FOR EACH STATEMENT EXECUTE FUNCTION rows_count_truncate();

-- The counts of the rows already there (the only full count, once, here).
INSERT INTO row_counts (name, value)
SELECT k.name, coalesce(c.n, 0) FROM (VALUES ('builds'), ('builds_pending'), ('builds_running'),
    ('builds_succeeded'), ('builds_failed'), ('projects'), ('evaluations'), ('channels'), ('remote_builders')) k(name)
LEFT JOIN (
  SELECT 'builds' AS name, count(*) AS n FROM builds
  UNION ALL SELECT build_count_bucket(finished, build_status, started_at), count(*) FROM builds
    GROUP BY build_count_bucket(finished, build_status, started_at)
  UNION ALL SELECT 'projects', count(*) FROM projects
  UNION ALL SELECT 'evaluations', count(*) FROM evaluations
  UNION ALL SELECT 'channels', count(*) FROM channels
  UNION ALL SELECT 'remote_builders', count(*) FROM remote_builders
) c ON c.name = k.name;
