-- Build logs in the database, so fc-server reads every log whichever machine's queue runner wrote it,
-- and reads a running build's log while it grows. One header row a log (step_nr 0: the build's own
-- log; n: the log of build step n), and the log's bytes in chunks appended as the build runs.
CREATE TABLE build_logs (
  build_id   bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
  step_nr    integer NOT NULL CHECK (step_nr >= 0),
  -- Uncompressed bytes stored so far (the end of the last chunk).
  size       bigint NOT NULL DEFAULT 0,
  -- Set when the queue runner closed the log: no more bytes come.
  finished   boolean NOT NULL DEFAULT false,
  -- Which queue runner writes it (host name and process id).
  writer     text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (build_id, step_nr)
);

CREATE TABLE build_log_chunks (
  build_id     bigint NOT NULL,
  step_nr      integer NOT NULL,
  -- Where the chunk's first byte is in the uncompressed log, and how many bytes it holds.
  start_offset bigint NOT NULL CHECK (start_offset >= 0),
  length       integer NOT NULL CHECK (length > 0),
  -- 'zstd' (logs.compress) or 'identity'.
  encoding     text NOT NULL CHECK (encoding IN ('zstd', 'identity')),
  data         bytea NOT NULL,
  PRIMARY KEY (build_id, step_nr, start_offset),
  FOREIGN KEY (build_id, step_nr) REFERENCES build_logs (build_id, step_nr) ON DELETE CASCADE
);
