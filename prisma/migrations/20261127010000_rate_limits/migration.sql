-- Rate limits per project and model, and a project's monthly budget, enforced on every server
-- instance from these rows (never from per-process state).
CREATE TABLE "project_rate_limits" (
    "project_id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "max_requests_per_1_minute" INTEGER NOT NULL DEFAULT 0,
    "max_tokens_per_1_minute" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "project_rate_limits_pkey" PRIMARY KEY ("project_id", "model")
);
CREATE UNIQUE INDEX "project_rate_limits_seq_key" ON "project_rate_limits"("seq");
ALTER TABLE "project_rate_limits" ADD CONSTRAINT "project_rate_limits_project_id_fkey"
    FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "rate_limit_windows" (
    "project_id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "window_start" TIMESTAMP(3) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "rate_limit_windows_pkey" PRIMARY KEY ("project_id", "model", "window_start")
);

CREATE TABLE "project_budgets" (
    "project_id" TEXT NOT NULL,
    "monthly_token_limit" INTEGER,
    "spend_limit_cents" INTEGER,
    CONSTRAINT "project_budgets_pkey" PRIMARY KEY ("project_id")
);
ALTER TABLE "project_budgets" ADD CONSTRAINT "project_budgets_project_id_fkey"
    FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Tokens per minute and per month are summed per project from here.
CREATE INDEX "usage_records_project_id_created_at_idx" ON "usage_records"("project_id", "created_at");
