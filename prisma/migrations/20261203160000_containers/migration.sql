-- Containers of the Responses API's code_interpreter, and their files.
CREATE TABLE "containers" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_active_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_after_minutes" INTEGER NOT NULL DEFAULT 20,
    "memory_limit" TEXT NOT NULL DEFAULT '1g',
    "status" TEXT NOT NULL DEFAULT 'running',

    CONSTRAINT "containers_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "container_files" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "container_id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "storage_key" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "container_files_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "containers_project_id_seq_idx" ON "containers"("project_id", "seq");

-- The sweep's read: running containers by how long they have been idle.
CREATE INDEX "containers_status_last_active_at_idx" ON "containers"("status", "last_active_at");

CREATE UNIQUE INDEX "container_files_container_id_path_key" ON "container_files"("container_id", "path");

CREATE INDEX "container_files_container_id_seq_idx" ON "container_files"("container_id", "seq");

ALTER TABLE "containers" ADD CONSTRAINT "containers_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "container_files" ADD CONSTRAINT "container_files_container_id_fkey" FOREIGN KEY ("container_id") REFERENCES "containers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
