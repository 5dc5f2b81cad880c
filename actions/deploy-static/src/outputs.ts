/** deploy-static outputs: typed, written in one place. */
import * as core from '@actions/core';

export interface Outputs {
  /** Objects uploaded (or restored, with `rollback`); with `dry-run`, that would be. */
  uploaded: number;
  deleted: number;
  unchanged: number;
  /** '' when no invalidation was made. */
  'invalidation-id': string;
  /** Where the site is served: the distribution's domain, else the bucket's S3 URL. */
  url: string;
}

/** Sets every output (counts as decimal strings). */
export function writeOutputs(outputs: Outputs): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, String(value));
}
