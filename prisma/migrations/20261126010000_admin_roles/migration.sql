-- Roles and the control plane: projects can be archived, keys are admin or project keys, and
-- project keys may belong to a service account. Projects and keys get a `seq` for stable lists.
ALTER TABLE "projects" ADD COLUMN "seq" BIGSERIAL NOT NULL;
ALTER TABLE "projects" ADD COLUMN "archived_at" TIMESTAMP(3);
CREATE UNIQUE INDEX "projects_seq_key" ON "projects"("seq");

CREATE TABLE "service_accounts" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'member',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "service_accounts_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "service_accounts_seq_key" ON "service_accounts"("seq");
CREATE INDEX "service_accounts_project_id_seq_idx" ON "service_accounts"("project_id", "seq");
ALTER TABLE "service_accounts" ADD CONSTRAINT "service_accounts_project_id_fkey"
  FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "api_keys" ADD COLUMN "seq" BIGSERIAL NOT NULL;
ALTER TABLE "api_keys" ADD COLUMN "role" TEXT NOT NULL DEFAULT 'project';
ALTER TABLE "api_keys" ADD COLUMN "service_account_id" TEXT;
ALTER TABLE "api_keys" ADD COLUMN "expires_at" TIMESTAMP(3);
ALTER TABLE "api_keys" ADD COLUMN "suffix" TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX "api_keys_seq_key" ON "api_keys"("seq");
CREATE INDEX "api_keys_service_account_id_idx" ON "api_keys"("service_account_id");
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_service_account_id_fkey"
  FOREIGN KEY ("service_account_id") REFERENCES "service_accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The keys that bootstrap made before roles existed are the admin keys they would be now.
UPDATE "api_keys" SET "role" = 'admin'
  WHERE "project_id" = 'proj_default' AND "name" IN ('API_KEYS', 'generated at first start');

-- Only changes that can refuse a key clear the processes' key caches: `last_used_at` is written
-- as keys are used, and clearing every cache on each of those writes would defeat the cache.
DROP TRIGGER "api_keys_changed" ON "api_keys";
CREATE TRIGGER api_keys_changed AFTER UPDATE OF "revoked_at", "role", "expires_at", "project_id" OR DELETE
  ON "api_keys" FOR EACH STATEMENT EXECUTE FUNCTION notify_api_key_change();
-- An archived project's keys stop working at once, in every process.
CREATE TRIGGER projects_archived AFTER UPDATE OF "archived_at" OR DELETE ON "projects"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_api_key_change();

CREATE TABLE "audit_log_entries" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "actor_api_key_id" TEXT,
    "action" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_log_entries_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "audit_log_entries_seq_key" ON "audit_log_entries"("seq");
