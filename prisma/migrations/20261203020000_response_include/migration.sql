-- A response's `include[]`: the optional fields its output shows (code_interpreter_call.outputs).
ALTER TABLE "responses" ADD COLUMN "include" TEXT[] NOT NULL DEFAULT '{}';
