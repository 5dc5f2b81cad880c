/**
 * Job-summary tables the ECS actions share: the rollout timeline and the image changes.
 */
import { formatDuration } from '../duration.ts';
import { writeSummaryTable } from '../summary.ts';
import type { TimelineEntry } from './watch.ts';

/**
 * Writes a timeline table (`+12.0s | deployment …: IN_PROGRESS — running 1/2…`). No-op for an empty one.
 * @param title the table heading
 */
export async function writeTimeline(title: string, timeline: TimelineEntry[]): Promise<void> {
  if (timeline.length === 0) return;
  await writeSummaryTable(
    title,
    ['at', 'what happened'],
    timeline.map((entry) => [`+${formatDuration(entry.atMs)}`, entry.text]),
  );
}

/**
 * Writes the image changes per container: before → after.
 * @param before container name → image of the running revision
 * @param after  container name → image of the new revision
 */
export async function writeImageDiff(before: Map<string, string>, after: Map<string, string>): Promise<void> {
  const names = [...new Set([...before.keys(), ...after.keys()])];
  await writeSummaryTable(
    'Images',
    ['container', 'before', 'after', ''],
    names.map((name) => {
      const old = before.get(name) ?? '';
      const now = after.get(name) ?? '';
      return [name, old, now, old === now ? 'unchanged' : 'changed'];
    }),
  );
}
