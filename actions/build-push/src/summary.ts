/**
 * The job summary of a build-push run: image, digest, tags, size, build and push time, builder.
 */
import { formatDuration } from '../../../shared/src/duration.ts';
import { writeSummaryTable } from '../../../shared/src/summary.ts';
import type { Inputs } from './inputs.ts';
import type { BuildPushMetadata } from './main.ts';

/** Bytes for people: `512 B`, `2.2 KiB`, `41.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Appends the run's table to the job summary (no-op without GITHUB_STEP_SUMMARY).
 * @param footer a line under the table, e.g. the total time
 */
export async function writeSummary(
  metadata: BuildPushMetadata,
  inputs: Inputs,
  footer: string,
): Promise<void> {
  const rows: string[][] = [
    ['Image', metadata.image === '' ? inputs.image.name : metadata.image],
    ['Digest', metadata.digest === '' ? '—' : metadata.digest],
    ['Tags', metadata.tags.join(', ')],
    ['Size', metadata.pushed ? formatBytes(metadata.sizeBytes) : '—'],
    ['Build time', formatDuration(metadata.buildSeconds * 1000)],
    ['Push time', formatDuration(metadata.pushSeconds * 1000)],
    ['Builder', metadata.builder === '' ? '—' : metadata.builder],
  ];
  if (metadata.platforms.length > 0) rows.push(['Platforms', metadata.platforms.join(', ')]);
  await writeSummaryTable('build-push', ['', 'Result'], rows, footer);
}
