-- A response that runs code counts one code interpreter session, however many calls and
-- workers (a takeover) it took, as a run does (the run's index is on run_id).
CREATE UNIQUE INDEX "usage_records_response_code_interpreter_session_key" ON "usage_records" ("response_id")
  WHERE "kind" = 'code_interpreter_sessions';
