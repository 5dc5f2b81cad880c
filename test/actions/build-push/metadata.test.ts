import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '../../../shared/src/errors.ts';
import { readGitHubContext, type GitHubContext } from '../../../actions/build-push/src/github-context.ts';
import {
  computeLabels,
  computeTags,
  parseImage,
  sanitizeTag,
  validateTag,
} from '../../../actions/build-push/src/metadata.ts';

const SHA = '860c1904a1ce19322e91ac35af1ab07466440c37';
const base: GitHubContext = {
  eventName: 'push',
  ref: 'refs/heads/main',
  sha: SHA,
  repository: 'acme/app',
  serverUrl: 'https://github.com',
};

describe('computeTags: contexts → tags (like metadata-action)', () => {
  const cases: {
    name: string;
    context: Partial<GitHubContext>;
    explicit?: string[];
    defaultBranch?: string;
    tags: string[];
  }[] = [
    { name: 'push to the default branch', context: {}, tags: ['main', 'latest', 'sha-860c190'] },
    {
      name: 'push to the default branch named in the payload',
      context: { ref: 'refs/heads/trunk', defaultBranch: 'trunk' },
      tags: ['trunk', 'latest', 'sha-860c190'],
    },
    {
      name: 'default-branch input overrides the payload',
      context: { ref: 'refs/heads/trunk', defaultBranch: 'trunk' },
      defaultBranch: 'develop',
      tags: ['trunk', 'sha-860c190'],
    },
    {
      name: 'push to another branch: no latest',
      context: { ref: 'refs/heads/dev' },
      tags: ['dev', 'sha-860c190'],
    },
    {
      name: 'branch with slashes and odd characters is sanitised',
      context: { ref: 'refs/heads/feature/Login#2' },
      tags: ['feature-Login-2', 'sha-860c190'],
    },
    {
      name: 'branch starting with a dash loses it',
      context: { ref: 'refs/heads/-wip/x' },
      tags: ['wip-x', 'sha-860c190'],
    },
    {
      name: 'semver release tag v1.2.3',
      context: { ref: 'refs/tags/v1.2.3' },
      tags: ['1.2.3', '1.2', '1', 'latest', 'sha-860c190'],
    },
    {
      name: 'semver release tag without v',
      context: { ref: 'refs/tags/2.0.10' },
      tags: ['2.0.10', '2.0', '2', 'latest', 'sha-860c190'],
    },
    {
      name: 'pre-release: full version only, no latest, no major/minor',
      context: { ref: 'refs/tags/v1.2.3-rc.1' },
      tags: ['1.2.3-rc.1', 'sha-860c190'],
    },
    {
      name: 'major 0: no bare 0 tag',
      context: { ref: 'refs/tags/v0.4.1' },
      tags: ['0.4.1', '0.4', 'latest', 'sha-860c190'],
    },
    {
      name: 'build metadata is not part of the version',
      context: { ref: 'refs/tags/v1.2.3+build.5' },
      tags: ['1.2.3', '1.2', '1', 'latest', 'sha-860c190'],
    },
    {
      name: 'a git tag that is not semver is used sanitised',
      context: { ref: 'refs/tags/release/2024-05' },
      tags: ['release-2024-05', 'sha-860c190'],
    },
    {
      name: 'pull request',
      context: { eventName: 'pull_request', ref: 'refs/pull/42/merge', pullRequestNumber: 42 },
      tags: ['pr-42', 'sha-860c190'],
    },
    {
      name: 'pull_request_target from the base branch still tags pr-<n>, never latest',
      context: { eventName: 'pull_request_target', ref: 'refs/heads/main', pullRequestNumber: 7 },
      tags: ['pr-7', 'sha-860c190'],
    },
    {
      name: 'explicit tags are appended, duplicates dropped',
      context: { ref: 'refs/heads/dev' },
      explicit: ['stable', 'dev', 'v2'],
      tags: ['dev', 'sha-860c190', 'stable', 'v2'],
    },
    {
      name: 'workflow_dispatch on a branch behaves like a push',
      context: { eventName: 'workflow_dispatch', ref: 'refs/heads/main' },
      tags: ['main', 'latest', 'sha-860c190'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const result = computeTags(
        { ...base, ...c.context },
        {
          auto: true,
          explicit: c.explicit ?? [],
          ...(c.defaultBranch ? { defaultBranch: c.defaultBranch } : {}),
        },
      );
      assert.deepEqual(result.tags, c.tags);
      assert.equal(result.version, c.tags[0]);
    });
  }

  test('auto-tags false: only the explicit tags', () => {
    assert.deepEqual(computeTags(base, { auto: false, explicit: ['a', 'b'] }).tags, ['a', 'b']);
  });

  test('auto-tags false and no tags: an input error on tags', () => {
    assert.throws(
      () => computeTags(base, { auto: false, explicit: [] }),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.equal(error.input, 'tags');
        return true;
      },
    );
  });
});

describe('validateTag: the OCI tag grammar', () => {
  for (const good of ['latest', 'v1.2.3', '_x', '1', 'a'.repeat(128), 'A_b.c-d']) {
    test(`accepts ${good.length > 20 ? `${good.length} characters` : good}`, () => validateTag(good));
  }
  const bad: [string, RegExp][] = [
    ['.hidden', /tag "\.hidden" is not a valid OCI tag: it starts with "\."/],
    ['-x', /tag "-x".*starts with "-"/],
    ['feature/x', /tag "feature\/x".*contains "\/"/],
    ['v1+build', /tag "v1\+build".*contains "\+"/],
    ['a b', /contains " "/],
    ['', /tag ""/],
    ['a'.repeat(129), /129 characters long/],
  ];
  for (const [tag, message] of bad) {
    test(`rejects ${JSON.stringify(tag.slice(0, 20))}, naming it`, () => {
      assert.throws(
        () => validateTag(tag),
        (error: unknown) => {
          assert.ok(error instanceof InputError);
          assert.equal(error.input, 'tags');
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
  test('an explicit bad tag fails computeTags naming it', () => {
    assert.throws(() => computeTags(base, { auto: true, explicit: ['ok', 'no/pe'] }), /tag "no\/pe"/);
  });
});

describe('sanitizeTag', () => {
  const cases: [string, string][] = [
    ['main', 'main'],
    ['feature/x', 'feature-x'],
    ['a//b', 'a-b'],
    ['.x', 'x'],
    ['ümlaut', 'mlaut'],
    ['x'.repeat(200), 'x'.repeat(128)],
    ['///', ''],
  ];
  for (const [input, expected] of cases)
    test(`${input.slice(0, 12)} → ${expected.slice(0, 12)}`, () =>
      assert.equal(sanitizeTag(input), expected));
});

describe('parseImage', () => {
  const cases: [string, { registry: string; repository: string }][] = [
    ['ghcr.io/org/app', { registry: 'ghcr.io', repository: 'org/app' }],
    [
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/app',
      { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', repository: 'app' },
    ],
    ['localhost:5000/team/app', { registry: 'localhost:5000', repository: 'team/app' }],
    ['127.0.0.1:5000/app', { registry: '127.0.0.1:5000', repository: 'app' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['org/app', { registry: 'docker.io', repository: 'org/app' }],
    ['nginx', { registry: 'docker.io', repository: 'library/nginx' }],
    ['reg.example.com/a__b/c-d.e', { registry: 'reg.example.com', repository: 'a__b/c-d.e' }],
  ];
  for (const [image, expected] of cases) {
    test(image, () => assert.deepEqual(parseImage(image), { name: image, ...expected }));
  }
  const bad: [string, RegExp][] = [
    ['ghcr.io/Org/app', /"Org" is not a valid repository path component \(repository names are lower-case\)/],
    ['ghcr.io/org/app:v1', /includes a tag/],
    ['ghcr.io/org/app@sha256:abc', /includes a digest/],
    ['ghcr.io//app', /"" is not a valid/],
    ['ghcr.io/org/-app', /"-app"/],
  ];
  for (const [image, message] of bad) {
    test(`rejects ${image}`, () => {
      assert.throws(
        () => parseImage(image),
        (error: unknown) => {
          assert.ok(error instanceof InputError);
          assert.equal(error.input, 'image');
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

describe('computeLabels: OCI labels', () => {
  const created = new Date('2026-01-02T03:04:05.000Z');
  test('from the context, with the version and the build time', () => {
    const labels = computeLabels({ ...base, description: 'The app', license: 'MIT' }, '1.2.3', created);
    assert.deepEqual(Object.fromEntries(labels), {
      'org.opencontainers.image.title': 'app',
      'org.opencontainers.image.description': 'The app',
      'org.opencontainers.image.url': 'https://github.com/acme/app',
      'org.opencontainers.image.source': 'https://github.com/acme/app',
      'org.opencontainers.image.version': '1.2.3',
      'org.opencontainers.image.created': '2026-01-02T03:04:05.000Z',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.licenses': 'MIT',
    });
  });
  test('missing description and license are left out; extra labels override', () => {
    const labels = computeLabels(
      base,
      'main',
      created,
      new Map([
        ['org.opencontainers.image.title', 'custom'],
        ['team', 'payments'],
      ]),
    );
    assert.equal(labels.get('org.opencontainers.image.title'), 'custom');
    assert.equal(labels.get('team'), 'payments');
    assert.equal(labels.has('org.opencontainers.image.description'), false);
    assert.equal(labels.has('org.opencontainers.image.licenses'), false);
  });
});

describe('readGitHubContext', () => {
  test('reads the env and the event payload (PR number, default branch, description, license)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bp-ctx-'));
    try {
      const event = path.join(dir, 'event.json');
      await writeFile(
        event,
        JSON.stringify({
          number: 9,
          pull_request: { number: 42 },
          repository: {
            default_branch: 'trunk',
            description: 'Payments',
            license: { spdx_id: 'Apache-2.0' },
          },
        }),
      );
      const context = readGitHubContext({
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REF: 'refs/pull/42/merge',
        GITHUB_SHA: SHA,
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_SERVER_URL: 'https://ghe.example.com/',
        GITHUB_EVENT_PATH: event,
      });
      assert.deepEqual(context, {
        eventName: 'pull_request',
        ref: 'refs/pull/42/merge',
        sha: SHA,
        repository: 'acme/app',
        serverUrl: 'https://ghe.example.com',
        pullRequestNumber: 42,
        defaultBranch: 'trunk',
        description: 'Payments',
        license: 'Apache-2.0',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  test('PR number from the ref when there is no payload; NOASSERTION licence dropped', () => {
    const context = readGitHubContext({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/5/merge' });
    assert.equal(context.pullRequestNumber, 5);
    assert.equal(context.license, undefined);
  });
});
