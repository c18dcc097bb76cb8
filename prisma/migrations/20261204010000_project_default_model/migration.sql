-- A project's default model: used by requests that name none (POST /v1/responses).
ALTER TABLE "projects" ADD COLUMN "default_model" TEXT;
