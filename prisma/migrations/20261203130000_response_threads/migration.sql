-- AlterTable
ALTER TABLE "responses" ADD COLUMN "thread_id" TEXT;

-- CreateIndex
CREATE INDEX "responses_thread_id_idx" ON "responses"("thread_id");

-- AddForeignKey
ALTER TABLE "responses" ADD CONSTRAINT "responses_thread_id_fkey" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE SET NULL ON UPDATE CASCADE;
