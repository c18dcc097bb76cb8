-- Locks a thread for adding messages and tells what stands in the way, in one round trip:
-- NULL when the thread (of the project) does not exist, the id of an active run when one is,
-- '' when a message may be added. The lock is held until the caller's transaction ends.
-- A VOLATILE function's statements each take a fresh snapshot, so the active-run read comes
-- after the lock is granted and sees a run committed by the transaction it waited for (a
-- subquery of the caller's statement would read from before the wait and miss it).
CREATE FUNCTION lock_thread_for_messages(p_thread_id text, p_project_id text, p_active_statuses text[])
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  blocker text;
BEGIN
  PERFORM 1 FROM threads WHERE id = p_thread_id AND project_id = p_project_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT id INTO blocker FROM runs
   WHERE thread_id = p_thread_id AND status = ANY (p_active_statuses)
   LIMIT 1;
  RETURN COALESCE(blocker, '');
END
$$;
