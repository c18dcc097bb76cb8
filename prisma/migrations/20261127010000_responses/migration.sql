-- CreateTable
CREATE TABLE "responses" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "api_key_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "instructions" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "temperature" DOUBLE PRECISION,
    "top_p" DOUBLE PRECISION,
    "max_output_tokens" INTEGER,
    "tools" JSONB NOT NULL DEFAULT '[]',
    "tool_choice" JSONB NOT NULL DEFAULT '"auto"',
    "parallel_tool_calls" BOOLEAN NOT NULL DEFAULT true,
    "text" JSONB NOT NULL DEFAULT '{"format":{"type":"text"}}',
    "store" BOOLEAN NOT NULL DEFAULT true,
    "background" BOOLEAN NOT NULL DEFAULT false,
    "previous_response_id" TEXT,
    "conversation_id" TEXT,
    "usage" JSONB,
    "error" JSONB,
    "incomplete_details" JSONB,
    "completed_at" TIMESTAMP(3),
    "started_at" TIMESTAMP(3),
    "event_seq" INTEGER NOT NULL DEFAULT 0,
    "lease_id" TEXT,
    "heartbeat_at" TIMESTAMP(3),

    CONSTRAINT "responses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "response_items" (
    "id" TEXT NOT NULL,
    "response_id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "response_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "response_events" (
    "response_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "project_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "response_events_pkey" PRIMARY KEY ("response_id","seq")
);

-- CreateTable
CREATE TABLE "conversations" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "metadata" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "conversations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversation_items" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "conversation_id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "conversation_items_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "responses_project_id_created_at_idx" ON "responses"("project_id", "created_at");

-- CreateIndex
CREATE INDEX "responses_previous_response_id_idx" ON "responses"("previous_response_id");

-- CreateIndex
CREATE UNIQUE INDEX "response_items_response_id_kind_position_key" ON "response_items"("response_id", "kind", "position");

-- CreateIndex
CREATE INDEX "conversations_project_id_created_at_idx" ON "conversations"("project_id", "created_at");

-- CreateIndex
CREATE INDEX "conversation_items_conversation_id_seq_idx" ON "conversation_items"("conversation_id", "seq");

-- AddForeignKey
ALTER TABLE "responses" ADD CONSTRAINT "responses_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "responses" ADD CONSTRAINT "responses_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "response_items" ADD CONSTRAINT "response_items_response_id_fkey" FOREIGN KEY ("response_id") REFERENCES "responses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "response_events" ADD CONSTRAINT "response_events_response_id_fkey" FOREIGN KEY ("response_id") REFERENCES "responses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversation_items" ADD CONSTRAINT "conversation_items_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
