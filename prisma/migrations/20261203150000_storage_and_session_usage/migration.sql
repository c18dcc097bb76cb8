-- Usage of vector store storage and code interpreter sessions, in usage_records beside the tokens.
-- kind 'vector_stores': a change of a project's stored bytes (usage_bytes, + or -); the bytes a
-- project stores at an instant are the sum of its changes before it.
-- kind 'code_interpreter_sessions': one row per run that started a sandbox session.
ALTER TABLE "usage_records" ADD COLUMN "usage_bytes" BIGINT NOT NULL DEFAULT 0;

-- A run counts one session, however many calls and workers (a takeover) it took.
CREATE UNIQUE INDEX "usage_records_code_interpreter_session_key" ON "usage_records" ("run_id")
  WHERE "kind" = 'code_interpreter_sessions';

-- Every change of a vector store file's bytes is metered by the database itself: files change
-- in several commands (indexing, failure, detach, batch cancel) and by cascades (a deleted store,
-- file or project), and a trigger sees each of them in the transaction that makes it.
CREATE FUNCTION meter_vector_store_bytes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "usage_records" ("project_id", "kind", "model", "usage_bytes", "requests", "created_at")
  SELECT changes.project_id, 'vector_stores', '', sum(changes.bytes), 0, now() AT TIME ZONE 'UTC'
    FROM (
      SELECT project_id, usage_bytes AS bytes FROM new_rows
      UNION ALL
      SELECT project_id, -usage_bytes FROM old_rows
    ) AS changes
   GROUP BY changes.project_id
  HAVING sum(changes.bytes) <> 0;
  RETURN NULL;
END
$$;

-- Transition tables allow one event per trigger; an empty table stands in for the missing side.
CREATE FUNCTION meter_vector_store_bytes_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "usage_records" ("project_id", "kind", "model", "usage_bytes", "requests", "created_at")
  SELECT project_id, 'vector_stores', '', sum(usage_bytes), 0, now() AT TIME ZONE 'UTC'
    FROM new_rows GROUP BY project_id HAVING sum(usage_bytes) <> 0;
  RETURN NULL;
END
$$;

CREATE FUNCTION meter_vector_store_bytes_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "usage_records" ("project_id", "kind", "model", "usage_bytes", "requests", "created_at")
  SELECT project_id, 'vector_stores', '', -sum(usage_bytes), 0, now() AT TIME ZONE 'UTC'
    FROM old_rows GROUP BY project_id HAVING sum(usage_bytes) <> 0;
  RETURN NULL;
END
$$;

CREATE TRIGGER vector_store_files_bytes_updated AFTER UPDATE ON "vector_store_files"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION meter_vector_store_bytes();
CREATE TRIGGER vector_store_files_bytes_inserted AFTER INSERT ON "vector_store_files"
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION meter_vector_store_bytes_inserted();
CREATE TRIGGER vector_store_files_bytes_deleted AFTER DELETE ON "vector_store_files"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION meter_vector_store_bytes_deleted();

-- What is stored already counts from now on.
INSERT INTO "usage_records" ("project_id", "kind", "model", "usage_bytes", "requests", "created_at")
SELECT project_id, 'vector_stores', '', sum(usage_bytes), 0, now() AT TIME ZONE 'UTC'
  FROM "vector_store_files" GROUP BY project_id HAVING sum(usage_bytes) <> 0;
