-- CreateIndex
CREATE INDEX "files_expires_at_idx" ON "files"("expires_at");
