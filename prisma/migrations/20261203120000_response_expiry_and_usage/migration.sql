-- Responses expire as runs do: past expires_at, one that has not ended is failed by the sweep.
ALTER TABLE "responses" ADD COLUMN "expires_at" TIMESTAMP(3);
CREATE INDEX "responses_status_expires_at_idx" ON "responses"("status", "expires_at");

-- A response's model call is metered under its id, as a run's step is under the run's.
ALTER TABLE "usage_records" ADD COLUMN "response_id" TEXT;
