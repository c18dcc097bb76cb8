-- Processes cache resolved API keys for a few seconds. Any change to a key (revocation,
-- deletion, by whatever means) tells every process to drop that cache at once.
CREATE FUNCTION notify_api_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('assistants_api_keys_changed', '');
  RETURN NULL;
END $$;

CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON "api_keys"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_api_key_change();
