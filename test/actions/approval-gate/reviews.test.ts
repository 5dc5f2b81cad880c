import { describe, expect, test } from 'vitest';
import {
  countApprovals,
  describeVerdict,
  isBot,
  latestDecisions,
  type ReviewFacts,
} from '../../../actions/approval-gate/src/reviews.ts';
import { commentDecision } from '../../../actions/approval-gate/src/approval-issue.ts';
import { parseTeams } from '../../../actions/approval-gate/src/inputs.ts';

const HEAD = 'b'.repeat(40);
const OLD = 'a'.repeat(40);
const pull = { number: 7, author: 'dana', headSha: HEAD, url: 'https://github.com/acme/app/pull/7' };
let id = 0;
const review = (login: string, state: string, commitId = HEAD, userType = 'User'): ReviewFacts => {
  id += 1;
  return {
    id,
    login,
    userType,
    state,
    commitId,
    submittedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
  };
};
const anyone = (): boolean => true;

describe('countApprovals', () => {
  test.each([
    [
      'two fresh approvals',
      [review('alice', 'APPROVED'), review('bob', 'APPROVED')],
      2,
      ['alice', 'bob'],
      true,
    ],
    [
      'an approval of an older head is stale',
      [review('alice', 'APPROVED', OLD), review('bob', 'APPROVED')],
      2,
      ['bob'],
      false,
    ],
    [
      'the author approving does not count',
      [review('dana', 'APPROVED'), review('bob', 'APPROVED')],
      2,
      ['bob'],
      false,
    ],
    ['a bot by type', [review('ci', 'APPROVED', HEAD, 'Bot'), review('bob', 'APPROVED')], 2, ['bob'], false],
    ['a bot by login', [review('renovate[bot]', 'APPROVED'), review('bob', 'APPROVED')], 2, ['bob'], false],
    [
      'two approvals by one person count once',
      [review('bob', 'APPROVED'), review('bob', 'APPROVED')],
      2,
      ['bob'],
      false,
    ],
    [
      'a later change request blocks',
      [
        review('alice', 'APPROVED'),
        review('bob', 'APPROVED'),
        review('carol', 'APPROVED'),
        review('carol', 'CHANGES_REQUESTED'),
      ],
      2,
      ['alice', 'bob'],
      false,
    ],
    [
      'a change request then an approval counts',
      [review('carol', 'CHANGES_REQUESTED', OLD), review('carol', 'APPROVED'), review('bob', 'APPROVED')],
      2,
      ['carol', 'bob'],
      true,
    ],
    [
      'a comment after an approval keeps it',
      [review('alice', 'APPROVED'), review('alice', 'COMMENTED'), review('bob', 'APPROVED')],
      2,
      ['alice', 'bob'],
      true,
    ],
    [
      'a dismissed approval does not count',
      [review('alice', 'APPROVED'), review('alice', 'DISMISSED'), review('bob', 'APPROVED')],
      2,
      ['bob'],
      false,
    ],
    [
      'pending reviews are ignored',
      [review('alice', 'PENDING'), review('bob', 'APPROVED')],
      1,
      ['bob'],
      true,
    ],
    [
      'a stale change request still blocks',
      [review('carol', 'CHANGES_REQUESTED', OLD), review('alice', 'APPROVED'), review('bob', 'APPROVED')],
      2,
      ['alice', 'bob'],
      false,
    ],
  ])('%s', (_name, reviews, required, approvers, approved) => {
    const verdict = countApprovals(pull, reviews, required, anyone);
    expect(verdict.approvers).toEqual(approvers);
    expect(verdict.approved).toBe(approved);
  });

  test('the author requesting changes on their own pull request does not block', () => {
    const verdict = countApprovals(
      pull,
      [review('dana', 'CHANGES_REQUESTED'), review('bob', 'APPROVED')],
      1,
      anyone,
    );
    expect(verdict.approved).toBe(true);
    expect(verdict.changesRequestedBy).toEqual([]);
  });

  test('allow-lists: a reviewer not allowed is reported, not counted', () => {
    const verdict = countApprovals(
      pull,
      [review('alice', 'APPROVED'), review('eve', 'APPROVED')],
      2,
      (l) => l === 'alice',
    );
    expect(verdict.approvers).toEqual(['alice']);
    expect(verdict.notCounted).toEqual([{ login: 'eve', reason: 'not-allowed' }]);
  });

  test('logins compare case-insensitively (the author, one person twice)', () => {
    const verdict = countApprovals(
      pull,
      [review('Dana', 'APPROVED'), review('Bob', 'APPROVED'), review('bob', 'APPROVED')],
      1,
      anyone,
    );
    expect(verdict.approvers).toEqual(['bob']);
    expect(verdict.notCounted).toEqual([{ login: 'Dana', reason: 'author' }]);
  });

  test('the explanation names who counted and why the others did not', () => {
    const verdict = countApprovals(
      pull,
      [
        review('alice', 'APPROVED', OLD),
        review('bob', 'APPROVED'),
        review('carol', 'CHANGES_REQUESTED'),
        review('dana', 'APPROVED'),
      ],
      2,
      anyone,
    );
    expect(describeVerdict(verdict)).toBe(
      '#7: 1 of 2 approval(s) (bob); changes requested by carol; not counted: alice (stale: approved aaaaaaa, head is bbbbbbb), dana (the author)',
    );
  });
});

describe('helpers', () => {
  test('latestDecisions orders by submission time, not list order', () => {
    const later = review('alice', 'CHANGES_REQUESTED');
    const earlier = { ...review('alice', 'APPROVED'), submittedAt: '2025-01-01T00:00:00Z' };
    expect(latestDecisions([later, earlier]).get('alice')?.state).toBe('CHANGES_REQUESTED');
  });
  test('isBot', () => {
    expect(isBot('dependabot[bot]', 'User')).toBe(true);
    expect(isBot('ci', 'Bot')).toBe(true);
    expect(isBot('alice', 'User')).toBe(false);
  });
  test.each([
    ['approve', 'approve'],
    ['Approved!', 'approve'],
    ['LGTM\nthanks', 'approve'],
    ['deny', 'deny'],
    ['I approve of this', undefined],
    ['', undefined],
  ])('comment %j decides %s', (body, decision) => {
    expect(commentDecision(body)).toBe(decision);
  });
  test('parseTeams: org/slug and bare slugs of the owner', () => {
    expect(parseTeams(['acme/Release', 'ops', '@acme/sre'], 'acme')).toEqual([
      { org: 'acme', slug: 'release' },
      { org: 'acme', slug: 'ops' },
      { org: 'acme', slug: 'sre' },
    ]);
    expect(() => parseTeams(['a/b/c'], 'acme')).toThrow(/Input 'allowed-teams'.*a\/b\/c/);
  });
});
