-- The FC README's first-admin-key bootstrap, verbatim through psql:
--   INSERT INTO api_keys (name, key_hash, role) VALUES ('admin', '<sha256sum of the key, hex>', 'admin')
-- The hex text arrives in the bytea column as its 64 ASCII characters, and key_prefix is not given.
-- This trigger stores those 64 hex digits as the 32 bytes they spell (a real SHA-256 is 32 bytes, so
-- nothing else has that length), and gives a key inserted without a prefix one made from its hash
-- ("sha256:" and 8 hex digits), since the key itself is unknown to the database.
CREATE FUNCTION api_keys_accept_hex_hash() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF length(NEW.key_hash) = 64 AND encode(NEW.key_hash, 'escape') ~ '^[0-9A-Fa-f]{64}$' THEN
    NEW.key_hash := decode(encode(NEW.key_hash, 'escape'), 'hex');
  END IF;
  IF NEW.key_prefix IS NULL THEN
    NEW.key_prefix := 'sha256:' || left(encode(NEW.key_hash, 'hex'), 8);
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER api_keys_accept_hex_hash
  BEFORE INSERT OR UPDATE OF key_hash, key_prefix ON api_keys
  FOR EACH ROW EXECUTE FUNCTION api_keys_accept_hex_hash();
