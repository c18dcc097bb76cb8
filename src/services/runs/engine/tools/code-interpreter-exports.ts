import type { ServiceContext } from '../../../../context.js';
import type { ExportQuota } from '../../../../sandbox/sandbox-config.js';
import { stepDetails } from '../../run-columns.js';

/** Something a call produced that would become a File. */
export interface ExportCandidate {
  /** Its name for the logs: `figure 2`, `/mnt/data/out.csv`. */
  label: string;
  bytes: number;
}

/** The Files this run's earlier code_interpreter calls exported and that still exist. */
export async function exportedByRun(
  ctx: ServiceContext,
  runId: string,
): Promise<{ files: number; bytes: number }> {
  const steps = await ctx.db.runStep.findMany({
    where: { runId },
    select: { id: true, stepDetails: true },
  });
  const fileIds = steps.flatMap((step) => {
    const details = stepDetails(step);
    return details.type !== 'tool_calls'
      ? []
      : details.toolCalls.flatMap((call) =>
          call.type !== 'code_interpreter'
            ? []
            : [
                ...call.files.map((file) => file.fileId),
                ...call.codeInterpreter.outputs.flatMap((output) =>
                  output.type === 'image' ? [output.image.fileId] : [],
                ),
              ],
        );
  });
  if (fileIds.length === 0) {
    return { files: 0, bytes: 0 };
  }
  const sum = await ctx.db.file.aggregate({
    where: { id: { in: fileIds } },
    _count: { _all: true },
    _sum: { bytes: true },
  });
  return { files: sum._count._all, bytes: Number(sum._sum.bytes ?? 0) };
}

/**
 * Which candidates fit the quota, in order (a candidate too large is skipped and later smaller
 * ones still go), and a line for the logs naming what did not (null when everything fits).
 */
export function selectExports<T extends ExportCandidate>(
  candidates: readonly T[],
  quota: ExportQuota,
  before: { files: number; bytes: number },
): { kept: T[]; note: string | null } {
  let files = Math.min(quota.filesPerCall, quota.filesPerRun - before.files);
  let bytes = Math.min(quota.bytesPerCall, quota.bytesPerRun - before.bytes);
  const kept: T[] = [];
  const left: T[] = [];
  for (const candidate of candidates) {
    if (files >= 1 && candidate.bytes <= bytes) {
      kept.push(candidate);
      files -= 1;
      bytes -= candidate.bytes;
    } else {
      left.push(candidate);
    }
  }
  if (left.length === 0) {
    return { kept, note: null };
  }
  const leftBytes = left.reduce((sum, candidate) => sum + candidate.bytes, 0);
  const shown = left.slice(0, 10).map((candidate) => candidate.label);
  const more = left.length > shown.length ? ` and ${left.length - shown.length} more` : '';
  return {
    kept,
    note:
      `[sandbox] ${left.length} output${left.length === 1 ? '' : 's'} (${megabytes(leftBytes)}) ` +
      `not exported as files: ${shown.join(', ')}${more}. Exports are limited to ` +
      `${quota.filesPerCall} files and ${megabytes(quota.bytesPerCall)} per call, ` +
      `${quota.filesPerRun} files and ${megabytes(quota.bytesPerRun)} per run ` +
      `(this run had exported ${before.files} files, ${megabytes(before.bytes)}). ` +
      'Files stay in /mnt/data for later calls.',
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}
