/**
 * The statuses notify reports and what each one means to every channel: the Slack emoji and title, the
 * GitHub commit status state, the GitHub deployment status state and the PagerDuty event action.
 */

/** What happened to the deploy. */
export type Status = 'started' | 'success' | 'failure' | 'cancelled' | 'rolled-back';

/** Every status, in the order action.yml lists them. */
export const STATUSES: readonly Status[] = ['started', 'success', 'failure', 'cancelled', 'rolled-back'];

/** GitHub commit status states (REST "Create a commit status": error, failure, pending, success). */
export type CommitState = 'error' | 'failure' | 'pending' | 'success';

/** GitHub deployment status states used here (REST "Create a deployment status"). */
export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

interface StatusMeaning {
  /** Slack emoji shortcode shown in the header. */
  emoji: string;
  /** A verb phrase for titles: "Deploying", "Deployed"… */
  verb: string;
  commitState: CommitState;
  deploymentState: DeploymentState;
  /** PagerDuty Events API v2 event_action in a production environment, or none. */
  pagerduty?: 'trigger' | 'resolve';
  /** Whether the status is bad news (thread reply with details, red in summaries). */
  bad: boolean;
}

const MEANINGS: Record<Status, StatusMeaning> = {
  started: {
    emoji: ':rocket:',
    verb: 'Deploying',
    commitState: 'pending',
    deploymentState: 'in_progress',
    bad: false,
  },
  success: {
    emoji: ':white_check_mark:',
    verb: 'Deployed',
    commitState: 'success',
    deploymentState: 'success',
    pagerduty: 'resolve',
    bad: false,
  },
  failure: {
    emoji: ':x:',
    verb: 'Deploy failed',
    commitState: 'failure',
    deploymentState: 'failure',
    pagerduty: 'trigger',
    bad: true,
  },
  cancelled: {
    emoji: ':no_entry_sign:',
    verb: 'Deploy cancelled',
    commitState: 'error',
    deploymentState: 'error',
    bad: false,
  },
  'rolled-back': {
    emoji: ':rewind:',
    verb: 'Rolled back',
    commitState: 'failure',
    deploymentState: 'failure',
    pagerduty: 'trigger',
    bad: true,
  },
};

/**
 * What a status means to each channel.
 * @returns emoji, title verb, commit status state, deployment status state, PagerDuty action (trigger on
 *   failure/rolled-back, resolve on success, none otherwise) and whether it is bad news
 */
export function meaningOf(status: Status): StatusMeaning {
  return MEANINGS[status];
}

/**
 * Maps the workflow's `job.status` (success, failure, cancelled — GitHub's job context) to a status.
 * @returns the status, or undefined for any other text
 */
export function statusFromJobStatus(jobStatus: string): Status | undefined {
  switch (jobStatus.trim().toLowerCase()) {
    case 'success':
      return 'success';
    case 'failure':
      return 'failure';
    case 'cancelled':
      return 'cancelled';
    default:
      return undefined;
  }
}
