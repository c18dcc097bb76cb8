-- CreateIndex
CREATE INDEX "vector_stores_expires_at_idx" ON "vector_stores"("expires_at");

