/**
 * Counting approvals as GitHub's branch protection counts them ("Required approvals" with "Dismiss stale
 * pull request approvals when new commits are pushed"; docs: "About protected branches" and "About pull
 * request reviews"):
 *
 * - only each reviewer's **latest** decisive review counts: APPROVED, CHANGES_REQUESTED or DISMISSED
 *   (a later COMMENTED review does not change a decision; PENDING reviews are not submitted yet);
 * - an approval counts only when given on the pull request's **final head commit**: an approval of an
 *   older head is stale;
 * - a CHANGES_REQUESTED stands (on any commit) until that reviewer approves or the review is dismissed,
 *   and blocks the pull request;
 * - the author's own reviews and bots' reviews never count;
 * - when `allowed-users` / `allowed-teams` are given, only those people count (the gate decides team
 *   membership before calling {@link countApprovals}, through `isAllowed`).
 */

/** The fields of a pull request the count needs (REST "List pull requests associated with a commit"). */
export interface PullRequestFacts {
  number: number;
  /** The author's login. */
  author: string;
  /** The final head commit: `head.sha`. */
  headSha: string;
  url: string;
}

/** The fields of a review the count needs (REST "List reviews for a pull request"). */
export interface ReviewFacts {
  id: number;
  /** The reviewer's login; '' for a deleted ("ghost") account. */
  login: string;
  /** `User`, `Bot` or `Organization` (REST user `type`). */
  userType: string;
  state: string;
  /** The commit the review was given on (`commit_id`). */
  commitId: string;
  /** ISO 8601; undefined for a PENDING review. */
  submittedAt?: string;
}

/** Why a reviewer's approval did not count. */
export type NotCountedReason = 'author' | 'bot' | 'stale' | 'not-allowed';

/** The verdict for one pull request. */
export interface PullRequestVerdict {
  number: number;
  url: string;
  headSha: string;
  /** Logins whose latest decision is an approval that counts, in review order. */
  approvers: string[];
  /** Logins whose latest decision is CHANGES_REQUESTED (not the author's, not bots'). */
  changesRequestedBy: string[];
  /** Approvals that did not count, with why. */
  notCounted: { login: string; reason: NotCountedReason; commitId?: string }[];
  required: number;
  approved: boolean;
}

/** True for bot accounts: REST `type: Bot`, or a login ending in `[bot]` (GitHub Apps). */
export function isBot(login: string, userType: string): boolean {
  return userType === 'Bot' || /\[bot\]$/i.test(login);
}

const DECISIVE = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

/**
 * Each reviewer's latest decisive review (APPROVED, CHANGES_REQUESTED or DISMISSED), by submission time
 * then id, keyed by lower-cased login. COMMENTED and PENDING reviews are skipped.
 */
export function latestDecisions(reviews: readonly ReviewFacts[]): Map<string, ReviewFacts> {
  const ordered = reviews
    .filter((review) => DECISIVE.has(review.state) && review.login !== '')
    .slice()
    .sort((a, b) => (a.submittedAt ?? '').localeCompare(b.submittedAt ?? '') || a.id - b.id);
  const latest = new Map<string, ReviewFacts>();
  for (const review of ordered) latest.set(review.login.toLowerCase(), review);
  return latest;
}

/**
 * Counts the approvals of one pull request.
 * @param pull the pull request (author, final head)
 * @param reviews all its reviews, in any order (every page)
 * @param required how many distinct approvals are needed (≥ 1)
 * @param isAllowed whether a login may approve (allowed-users/allowed-teams); always true when neither is set
 * @returns the verdict: approved when at least `required` approvals count and no change request stands
 */
export function countApprovals(
  pull: PullRequestFacts,
  reviews: readonly ReviewFacts[],
  required: number,
  isAllowed: (login: string) => boolean,
): PullRequestVerdict {
  const verdict: PullRequestVerdict = {
    number: pull.number,
    url: pull.url,
    headSha: pull.headSha,
    approvers: [],
    changesRequestedBy: [],
    notCounted: [],
    required,
    approved: false,
  };
  const author = pull.author.toLowerCase();
  for (const review of latestDecisions(reviews).values()) {
    const login = review.login;
    if (review.state === 'DISMISSED') continue;
    const self = login.toLowerCase() === author;
    const bot = isBot(login, review.userType);
    if (review.state === 'CHANGES_REQUESTED') {
      if (!self && !bot) verdict.changesRequestedBy.push(login);
      continue;
    }
    if (self) verdict.notCounted.push({ login, reason: 'author' });
    else if (bot) verdict.notCounted.push({ login, reason: 'bot' });
    else if (review.commitId !== pull.headSha)
      verdict.notCounted.push({ login, reason: 'stale', commitId: review.commitId });
    else if (!isAllowed(login)) verdict.notCounted.push({ login, reason: 'not-allowed' });
    else verdict.approvers.push(login);
  }
  verdict.approved = verdict.approvers.length >= required && verdict.changesRequestedBy.length === 0;
  return verdict;
}

/**
 * A one-line explanation of a verdict for logs and the failure message, e.g.
 * `#12: 1 of 2 approvals (alice); changes requested by bob; not counted: carol (stale: approved 1a2b3c4)`.
 */
export function describeVerdict(verdict: PullRequestVerdict): string {
  const parts = [
    `#${verdict.number}: ${verdict.approvers.length} of ${verdict.required} approval(s)` +
      (verdict.approvers.length > 0 ? ` (${verdict.approvers.join(', ')})` : ''),
  ];
  if (verdict.changesRequestedBy.length > 0)
    parts.push(`changes requested by ${verdict.changesRequestedBy.join(', ')}`);
  if (verdict.notCounted.length > 0) {
    const why = verdict.notCounted.map((item) => {
      switch (item.reason) {
        case 'author':
          return `${item.login} (the author)`;
        case 'bot':
          return `${item.login} (a bot)`;
        case 'stale':
          return `${item.login} (stale: approved ${(item.commitId ?? '').slice(0, 7)}, head is ${verdict.headSha.slice(0, 7)})`;
        case 'not-allowed':
          return `${item.login} (not in allowed-users/allowed-teams)`;
      }
      return item.login;
    });
    parts.push(`not counted: ${why.join(', ')}`);
  }
  return parts.join('; ');
}
