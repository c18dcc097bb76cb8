-- CreateTable
CREATE TABLE "projects" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "projects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "name" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "assistants" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "name" TEXT,
    "description" TEXT,
    "model" TEXT NOT NULL,
    "instructions" TEXT,
    "tools" JSONB NOT NULL DEFAULT '[]',
    "tool_resources" JSONB,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "temperature" DOUBLE PRECISION,
    "top_p" DOUBLE PRECISION,
    "response_format" JSONB,
    "reasoning_effort" TEXT,

    CONSTRAINT "assistants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "threads" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "tool_resources" JSONB,
    "metadata" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "threads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "thread_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "role" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "content" JSONB NOT NULL DEFAULT '[]',
    "attachments" JSONB,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "incomplete_details" JSONB,
    "completed_at" TIMESTAMP(3),
    "incomplete_at" TIMESTAMP(3),
    "assistant_id" TEXT,
    "run_id" TEXT,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "thread_id" TEXT NOT NULL,
    "assistant_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL,
    "required_action" JSONB,
    "last_error" JSONB,
    "expires_at" TIMESTAMP(3),
    "started_at" TIMESTAMP(3),
    "cancelled_at" TIMESTAMP(3),
    "failed_at" TIMESTAMP(3),
    "completed_at" TIMESTAMP(3),
    "incomplete_details" JSONB,
    "model" TEXT NOT NULL,
    "instructions" TEXT NOT NULL DEFAULT '',
    "tools" JSONB NOT NULL DEFAULT '[]',
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "usage" JSONB,
    "temperature" DOUBLE PRECISION,
    "top_p" DOUBLE PRECISION,
    "max_prompt_tokens" INTEGER,
    "max_completion_tokens" INTEGER,
    "truncation_strategy" JSONB,
    "tool_choice" JSONB,
    "parallel_tool_calls" BOOLEAN NOT NULL DEFAULT true,
    "response_format" JSONB,
    "reasoning_effort" TEXT,
    "include" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "event_seq" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_steps" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "thread_id" TEXT NOT NULL,
    "assistant_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "step_details" JSONB NOT NULL,
    "last_error" JSONB,
    "expired_at" TIMESTAMP(3),
    "cancelled_at" TIMESTAMP(3),
    "failed_at" TIMESTAMP(3),
    "completed_at" TIMESTAMP(3),
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "usage" JSONB,

    CONSTRAINT "run_steps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "files" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "filename" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "mime_type" TEXT NOT NULL,
    "storage_key" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3),

    CONSTRAINT "files_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "vector_stores" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "name" TEXT NOT NULL DEFAULT '',
    "description" TEXT,
    "status" TEXT NOT NULL DEFAULT 'completed',
    "usage_bytes" BIGINT NOT NULL DEFAULT 0,
    "expires_after_days" INTEGER,
    "expires_at" TIMESTAMP(3),
    "last_active_at" TIMESTAMP(3),
    "metadata" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "vector_stores_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "vector_store_files" (
    "vector_store_id" TEXT NOT NULL,
    "file_id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "batch_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL DEFAULT 'in_progress',
    "usage_bytes" BIGINT NOT NULL DEFAULT 0,
    "last_error" JSONB,
    "chunking_strategy" JSONB,
    "attributes" JSONB,

    CONSTRAINT "vector_store_files_pkey" PRIMARY KEY ("vector_store_id","file_id")
);

-- CreateTable
CREATE TABLE "vector_store_file_batches" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "vector_store_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL DEFAULT 'in_progress',

    CONSTRAINT "vector_store_file_batches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"("hash");

-- CreateIndex
CREATE INDEX "api_keys_project_id_idx" ON "api_keys"("project_id");

-- CreateIndex
CREATE INDEX "assistants_project_id_seq_idx" ON "assistants"("project_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "assistants_seq_key" ON "assistants"("seq");

-- CreateIndex
CREATE INDEX "threads_project_id_seq_idx" ON "threads"("project_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "threads_seq_key" ON "threads"("seq");

-- CreateIndex
CREATE INDEX "messages_thread_id_seq_idx" ON "messages"("thread_id", "seq");

-- CreateIndex
CREATE INDEX "messages_run_id_idx" ON "messages"("run_id");

-- CreateIndex
CREATE UNIQUE INDEX "messages_seq_key" ON "messages"("seq");

-- CreateIndex
CREATE INDEX "runs_thread_id_seq_idx" ON "runs"("thread_id", "seq");

-- CreateIndex
CREATE INDEX "runs_thread_id_status_idx" ON "runs"("thread_id", "status");

-- CreateIndex
CREATE INDEX "runs_status_expires_at_idx" ON "runs"("status", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "runs_seq_key" ON "runs"("seq");

-- CreateIndex
CREATE INDEX "run_steps_run_id_seq_idx" ON "run_steps"("run_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "run_steps_seq_key" ON "run_steps"("seq");

-- CreateIndex
CREATE INDEX "files_project_id_purpose_seq_idx" ON "files"("project_id", "purpose", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "files_seq_key" ON "files"("seq");

-- CreateIndex
CREATE INDEX "vector_stores_project_id_seq_idx" ON "vector_stores"("project_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "vector_stores_seq_key" ON "vector_stores"("seq");

-- CreateIndex
CREATE INDEX "vector_store_files_vector_store_id_seq_idx" ON "vector_store_files"("vector_store_id", "seq");

-- CreateIndex
CREATE INDEX "vector_store_files_batch_id_idx" ON "vector_store_files"("batch_id");

-- CreateIndex
CREATE UNIQUE INDEX "vector_store_files_seq_key" ON "vector_store_files"("seq");

-- CreateIndex
CREATE INDEX "vector_store_file_batches_vector_store_id_seq_idx" ON "vector_store_file_batches"("vector_store_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "vector_store_file_batches_seq_key" ON "vector_store_file_batches"("seq");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assistants" ADD CONSTRAINT "assistants_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "threads" ADD CONSTRAINT "threads_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_thread_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_thread_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_steps" ADD CONSTRAINT "run_steps_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_steps" ADD CONSTRAINT "run_steps_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "files" ADD CONSTRAINT "files_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vector_stores" ADD CONSTRAINT "vector_stores_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vector_store_files" ADD CONSTRAINT "vector_store_files_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vector_store_files" ADD CONSTRAINT "vector_store_files_vector_store_id_fkey" FOREIGN KEY ("vector_store_id") REFERENCES "vector_stores"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vector_store_files" ADD CONSTRAINT "vector_store_files_file_id_fkey" FOREIGN KEY ("file_id") REFERENCES "files"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vector_store_files" ADD CONSTRAINT "vector_store_files_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "vector_store_file_batches"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vector_store_file_batches" ADD CONSTRAINT "vector_store_file_batches_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vector_store_file_batches" ADD CONSTRAINT "vector_store_file_batches_vector_store_id_fkey" FOREIGN KEY ("vector_store_id") REFERENCES "vector_stores"("id") ON DELETE CASCADE ON UPDATE CASCADE;

