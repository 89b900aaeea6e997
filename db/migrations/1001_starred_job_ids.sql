-- Starred jobs get an id, so DELETE /api/v1/me/starred-jobs/{id} (the FC README's route) can name one.
ALTER TABLE starred_jobs ADD COLUMN id bigserial NOT NULL UNIQUE;
