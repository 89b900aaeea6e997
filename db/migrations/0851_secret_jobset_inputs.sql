-- A secret input's value (a token, a password) is shown only to those who may edit the project, and
-- evaluations keep only its hash among their input revisions.
ALTER TABLE jobset_inputs ADD COLUMN secret boolean NOT NULL DEFAULT false;
