-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "heartbeat_at" TIMESTAMP(3),
ADD COLUMN     "lease_id" TEXT;

-- CreateIndex
CREATE INDEX "runs_status_heartbeat_at_idx" ON "runs"("status", "heartbeat_at");

