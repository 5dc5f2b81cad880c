import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  buildFailureReply,
  buildMessage,
  escapeMrkdwn,
  LIMITS,
  splitText,
  truncate,
  type Block,
  type MessageInput,
  type SlackMessage,
} from '../../../actions/notify/src/message.ts';
import { readRunContext } from '../../../actions/notify/src/run-context.ts';
import type { Status } from '../../../actions/notify/src/status.ts';

const run = readRunContext({
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_REF_NAME: 'main',
  GITHUB_ACTOR: 'octocat',
  GITHUB_RUN_ID: '1001',
  GITHUB_RUN_NUMBER: '7',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_WORKFLOW: 'pipeline',
  GITHUB_SERVER_URL: 'https://github.com',
});

function input(overrides: Partial<MessageInput> = {}): MessageInput {
  return {
    status: 'success',
    run,
    environment: 'production',
    environmentUrl: 'https://app.example.com',
    version: 'v1.4.2',
    image: '',
    message: '',
    details: new Map(),
    ...overrides,
  };
}

function texts(block: Block): string[] {
  if (block.type === 'header') return [block.text.text];
  if (block.type === 'section')
    return [...(block.text ? [block.text.text] : []), ...(block.fields ?? []).map((f) => f.text)];
  if (block.type === 'context') return block.elements.map((e) => e.text);
  return [];
}

/** Checks every Block Kit limit the builder promises. */
function assertWithinLimits(message: SlackMessage): void {
  assert.ok(message.blocks.length <= LIMITS.blocks, `${message.blocks.length} blocks`);
  assert.ok(message.text.length <= LIMITS.fallbackText);
  let total = 0;
  for (const block of message.blocks) {
    if (block.type === 'header') assert.ok(block.text.text.length <= LIMITS.headerText, 'header too long');
    if (block.type === 'section') {
      assert.ok(block.text !== undefined || (block.fields ?? []).length > 0, 'empty section');
      if (block.text)
        assert.ok(block.text.text.length <= LIMITS.sectionText, `section ${block.text.text.length}`);
      assert.ok((block.fields ?? []).length <= LIMITS.fieldsPerSection, 'too many fields');
      for (const field of block.fields ?? [])
        assert.ok(field.text.length <= LIMITS.fieldText, 'field too long');
    }
    if (block.type === 'context') assert.ok(block.elements.length <= LIMITS.contextElements);
    for (const text of texts(block)) {
      assert.ok(text.length > 0, 'empty text');
      total += text.length;
    }
  }
  assert.ok(total <= LIMITS.totalText, `total text ${total}`);
}

describe('buildMessage: one message per status', () => {
  const cases: { status: Status; header: string }[] = [
    { status: 'started', header: ':rocket: Deploying acme/app v1.4.2 to production' },
    { status: 'success', header: ':white_check_mark: Deployed acme/app v1.4.2 to production' },
    { status: 'failure', header: ':x: Deploy failed: acme/app v1.4.2 to production' },
    { status: 'cancelled', header: ':no_entry_sign: Deploy cancelled: acme/app v1.4.2 to production' },
    { status: 'rolled-back', header: ':rewind: Rolled back: acme/app v1.4.2 in production' },
  ];
  for (const { status, header } of cases) {
    test(`${status} → "${header}"`, () => {
      const message = buildMessage(input({ status }));
      assertWithinLimits(message);
      assert.deepEqual(message.blocks[0], {
        type: 'header',
        text: { type: 'plain_text', text: header, emoji: true },
      });
      assert.equal(message.text, header);
    });
  }
});

test('buildMessage shows repository, ref, commit link, actor, environment link, version, image, details and run link', () => {
  const message = buildMessage(
    input({
      image: 'registry.example.com/app@sha256:abc',
      details: new Map([
        ['Smoke test', 'passed'],
        ['Migrations', '3 applied'],
      ]),
    }),
  );
  assertWithinLimits(message);
  assert.deepEqual(message.blocks[1], {
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: '*Repository*\n<https://github.com/acme/app|acme/app>' },
      { type: 'mrkdwn', text: '*Ref*\n`main`' },
      {
        type: 'mrkdwn',
        text: '*Commit*\n<https://github.com/acme/app/commit/0123456789abcdef0123456789abcdef01234567|0123456>',
      },
      { type: 'mrkdwn', text: '*Actor*\noctocat' },
      { type: 'mrkdwn', text: '*Environment*\n<https://app.example.com|production>' },
      { type: 'mrkdwn', text: '*Version*\n`v1.4.2`' },
      { type: 'mrkdwn', text: '*Image*\n`registry.example.com/app@sha256:abc`' },
      { type: 'mrkdwn', text: '*Smoke test*\npassed' },
      { type: 'mrkdwn', text: '*Migrations*\n3 applied' },
    ],
  });
  assert.deepEqual(message.blocks.at(-1), {
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: '<https://github.com/acme/app/actions/runs/1001/attempts/2|pipeline #7>' },
    ],
  });
});

test('user values are escaped: no mentions or links can be injected through details', () => {
  const message = buildMessage(input({ details: new Map([['<!channel>', 'a & b <https://evil|x>']]) }));
  const fields = message.blocks.flatMap(texts).join('\n');
  assert.match(fields, /\*&lt;!channel&gt;\*\na &amp; b &lt;https:\/\/evil\|x&gt;/);
  assert.doesNotMatch(fields, /<!channel>/);
});

describe('long text is split or truncated to the block limits, never rejected', () => {
  const line = (i: number): string => `line ${i}: ${'x'.repeat(90)}`;
  const cases: { name: string; build: () => SlackMessage; check: (m: SlackMessage) => void }[] = [
    {
      name: 'a 7 000-character message becomes several sections split at line breaks',
      build: () => buildMessage(input({ message: Array.from({ length: 70 }, (_, i) => line(i)).join('\n') })),
      check: (m) => {
        const sections = m.blocks.filter((b) => b.type === 'section' && b.text !== undefined);
        assert.equal(sections.length, 3);
        const joined = sections.map((b) => (b.type === 'section' ? (b.text?.text ?? '') : '')).join('\n');
        assert.equal(joined, Array.from({ length: 70 }, (_, i) => line(i)).join('\n'));
      },
    },
    {
      name: 'a 200 000-character message is cut with a note saying how much was left out',
      build: () =>
        buildMessage(input({ message: Array.from({ length: 2000 }, (_, i) => line(i)).join('\n') })),
      check: (m) =>
        assert.match(
          m.blocks.flatMap(texts).join('\n'),
          /… \d+ more characters not shown; see the run log\._/,
        ),
    },
    {
      name: 'one 50 000-character word is split anywhere',
      build: () => buildMessage(input({ message: 'y'.repeat(50_000) })),
      check: (m) => assert.ok(m.blocks.length > 3),
    },
    {
      name: 'a 300-character version is cut in the header with an ellipsis',
      build: () => buildMessage(input({ version: 'v'.repeat(300) })),
      check: (m) => {
        const header = m.blocks[0];
        assert.ok(
          header?.type === 'header' && header.text.text.endsWith('…') && header.text.text.length === 150,
        );
      },
    },
    {
      name: '35 details (41 fields with the run fields) become sections of at most 10 fields',
      build: () =>
        buildMessage(
          input({
            details: new Map(Array.from({ length: 35 }, (_, i) => [`check ${i}`, 'ok'] as [string, string])),
          }),
        ),
      check: (m) => {
        const fieldCounts = m.blocks
          .map((b) => (b.type === 'section' ? (b.fields ?? []).length : 0))
          .filter((n) => n > 0);
        assert.deepEqual(fieldCounts, [10, 10, 10, 10, 1]); // 6 run fields + 35 details
      },
    },
    {
      name: 'a 5 000-character detail value is cut to the 2 000-character field limit',
      build: () => buildMessage(input({ details: new Map([['log', 'z'.repeat(5_000)]]) })),
      check: (m) =>
        assert.ok(m.blocks.flatMap(texts).some((t) => t.startsWith('*log*\nzzz') && t.endsWith('…'))),
    },
    {
      name: '500 long details are capped and the context says how many were left out',
      build: () =>
        buildMessage(
          input({
            details: new Map(
              Array.from({ length: 500 }, (_, i) => [`k${i}`, 'v'.repeat(200)] as [string, string]),
            ),
          }),
        ),
      check: (m) =>
        assert.match(
          m.blocks.at(-1)?.type === 'context' ? (texts(m.blocks.at(-1) as Block)[0] ?? '') : '',
          /\d+ more details not shown/,
        ),
    },
    {
      name: 'the failure thread reply follows the same limits',
      build: () =>
        buildFailureReply(
          input({
            status: 'failure',
            message: 'e'.repeat(40_000),
            details: new Map([['Failed check', '/health 503']]),
          }),
        ),
      check: (m) =>
        assert.equal(m.blocks[0]?.type === 'section' ? m.blocks[0].text?.text : '', '*:x: Failure details*'),
    },
  ];
  for (const { name, build, check } of cases) {
    test(name, () => {
      const message = build();
      assertWithinLimits(message);
      check(message);
    });
  }
});

describe('splitText and truncate', () => {
  test('a code block cut by a split is closed and reopened', () => {
    const text =
      '```\n' +
      Array.from({ length: 100 }, (_, i) => `stack frame ${i} ${'-'.repeat(40)}`).join('\n') +
      '\n```';
    const chunks = splitText(text, 1000);
    assert.ok(chunks.length > 1);
    for (const chunk of chunks) {
      assert.ok(chunk.length <= 1000);
      assert.equal((chunk.split('```').length - 1) % 2, 0, `unbalanced fences in: ${chunk.slice(0, 40)}`);
    }
  });
  test('blank text gives no chunks', () => assert.deepEqual(splitText('  \n ', 100), []));
  const truncations: [string, number, string][] = [
    ['short', 10, 'short'],
    ['abcdefghij', 5, 'abcd…'],
    ['ab😀cd', 4, 'ab…'],
    ['a &amp; b', 6, 'a…'],
    ['see <https://example.com|link> now', 12, 'see…'],
  ];
  for (const [text, max, expected] of truncations)
    test(`truncate(${JSON.stringify(text)}, ${max}) → ${JSON.stringify(expected)}`, () => {
      const out = truncate(text, max);
      assert.equal(out, expected);
      assert.ok(out.length <= max);
    });
  test('escapeMrkdwn escapes &, < and >', () => assert.equal(escapeMrkdwn('<a & b>'), '&lt;a &amp; b&gt;'));
});
