-- A response's `include[]` (extra output fields asked for) and `truncation` strategy.
ALTER TABLE "responses" ADD COLUMN "include" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "responses" ADD COLUMN "truncation" TEXT NOT NULL DEFAULT 'disabled';
