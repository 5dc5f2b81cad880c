/** approval-gate's outputs, typed, written in one place. */
import * as core from '@actions/core';

export interface Outputs {
  /** `true` when the gate passed. */
  approved: boolean;
  /** Logins whose approvals counted (all pull requests together, or the approval issue). */
  approvers: string[];
  /** Numbers of the pull requests that brought the commit. */
  'pull-requests': number[];
  /** The approval issue's number (`on-no-pull-request: wait`), else undefined. */
  'approval-issue'?: number;
}

/** Sets every output: `approved` (`true`/`false`), `approvers` and `pull-requests` comma-separated. */
export function writeOutputs(outputs: Outputs): void {
  core.setOutput('approved', outputs.approved ? 'true' : 'false');
  core.setOutput('approvers', outputs.approvers.join(','));
  core.setOutput('pull-requests', outputs['pull-requests'].join(','));
  core.setOutput(
    'approval-issue',
    outputs['approval-issue'] === undefined ? '' : String(outputs['approval-issue']),
  );
}
