-- Usage metering: every upstream call, written in the same statement as the step it produced.
ALTER TABLE "runs" ADD COLUMN "api_key_id" TEXT;

CREATE TABLE "usage_records" (
    "id" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "api_key_id" TEXT,
    "run_id" TEXT,
    "step_id" TEXT,
    "kind" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "input_tokens" INTEGER NOT NULL DEFAULT 0,
    "input_cached_tokens" INTEGER NOT NULL DEFAULT 0,
    "output_tokens" INTEGER NOT NULL DEFAULT 0,
    "requests" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "usage_records_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "usage_records_kind_created_at_idx" ON "usage_records"("kind", "created_at");
