-- CreateTable
CREATE TABLE "vector_store_chunks" (
    "id" BIGSERIAL NOT NULL,
    "project_id" TEXT NOT NULL,
    "vector_store_id" TEXT NOT NULL,
    "file_id" TEXT NOT NULL,
    "chunk_index" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "token_count" INTEGER NOT NULL,
    "embedding" BYTEA,
    "embedding_model" TEXT,
    -- Hand-edited: Prisma cannot express a generated column. '/', '\', '.', '@' and ':' become
    -- spaces first, so `LISTEN/NOTIFY`, `readme.md` or a URL index as their words instead of one
    -- path/host token that no ordinary query would match. The search query is parsed the same way.
    "tsv" tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, translate("text", '/\.@:', '     '))) STORED,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vector_store_chunks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "vector_store_chunks_vector_store_id_file_id_chunk_index_key" ON "vector_store_chunks"("vector_store_id", "file_id", "chunk_index");

-- CreateIndex (hand-edited: GIN over the generated tsvector, for keyword search)
CREATE INDEX "vector_store_chunks_tsv_idx" ON "vector_store_chunks" USING GIN ("tsv");

-- AddForeignKey
ALTER TABLE "vector_store_chunks" ADD CONSTRAINT "vector_store_chunks_vector_store_id_file_id_fkey" FOREIGN KEY ("vector_store_id", "file_id") REFERENCES "vector_store_files"("vector_store_id", "file_id") ON DELETE CASCADE ON UPDATE CASCADE;

