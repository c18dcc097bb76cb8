-- Per-project upstreams: providers (credentials encrypted with SECRETS_KEY) and model routes.
CREATE TABLE "upstream_providers" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "base_url" TEXT NOT NULL,
    "secrets" TEXT,
    "header_names" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "upstream_providers_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "upstream_providers_seq_key" ON "upstream_providers"("seq");
CREATE INDEX "upstream_providers_project_id_idx" ON "upstream_providers"("project_id");
ALTER TABLE "upstream_providers" ADD CONSTRAINT "upstream_providers_project_id_fkey"
    FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "model_routes" (
    "project_id" TEXT NOT NULL,
    "match" TEXT NOT NULL,
    "prefix" BOOLEAN NOT NULL DEFAULT false,
    "seq" BIGSERIAL NOT NULL,
    "provider_id" TEXT NOT NULL,
    "upstream_model" TEXT,
    CONSTRAINT "model_routes_pkey" PRIMARY KEY ("project_id", "match", "prefix")
);
CREATE UNIQUE INDEX "model_routes_seq_key" ON "model_routes"("seq");
ALTER TABLE "model_routes" ADD CONSTRAINT "model_routes_project_id_fkey"
    FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "model_routes" ADD CONSTRAINT "model_routes_provider_id_fkey"
    FOREIGN KEY ("provider_id") REFERENCES "upstream_providers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "projects" ADD COLUMN "allowed_models" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
