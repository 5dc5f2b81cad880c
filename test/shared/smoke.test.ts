import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { parseDocumentText } from '../../shared/src/inputs.ts';
import { createCaptureLogger } from '../../shared/src/logger.ts';
import { runSmokeChecks, simpleCheck, statusMatches, valueAtPath } from '../../shared/src/smoke.ts';
import { parseChecksDocument, parseStatusPatterns } from '../../actions/smoke-test/src/inputs.ts';
import { freePort } from '../../testkit/process.ts';
import { startLate, startScenarioServer, type TestServer } from '../../testkit/http-scenarios.ts';

describe('status and JSON path matching', () => {
  test('statusMatches by code and class', () => {
    assert.equal(statusMatches(204, ['2xx']), true);
    assert.equal(statusMatches(301, ['2xx', '301']), true);
    assert.equal(statusMatches(500, ['2xx', '404']), false);
  });
  test('parseStatusPatterns accepts numbers, classes and lists, rejects the rest', () => {
    assert.deepEqual(parseStatusPatterns(200), ['200']);
    assert.deepEqual(parseStatusPatterns('200, 2XX'), ['200', '2xx']);
    assert.deepEqual(parseStatusPatterns([200, '3xx']), ['200', '3xx']);
    assert.equal(parseStatusPatterns('ok'), undefined);
    assert.equal(parseStatusPatterns(99), undefined);
  });
  test('valueAtPath walks dots, brackets and indexes', () => {
    const doc = { status: 'ok', data: { items: [{ id: 7 }] }, 'content-type': 'x' };
    assert.deepEqual(valueAtPath(doc, '$.data.items[0].id'), { found: true, value: 7 });
    assert.deepEqual(valueAtPath(doc, 'data.items.0.id'), { found: true, value: 7 });
    assert.deepEqual(valueAtPath(doc, '$["content-type"]'), { found: true, value: 'x' });
    assert.deepEqual(valueAtPath(doc, 'data.missing'), { found: false });
    assert.throws(() => valueAtPath(doc, 'data..x['), /is not a JSON path/);
  });
});

describe('checks document validation names the line and field', () => {
  const parse = (text: string) => parseChecksDocument(parseDocumentText(text, { input: 'checks' }));
  const cases: [string, string, RegExp][] = [
    [
      'unknown field',
      '- url: http://a/\n  expect_status: 200\n',
      /line 2: check 1 has an unknown field "expect_status"/,
    ],
    ['missing url', '- url: http://a/\n- name: b\n', /line 2: check 2 has no "url"/],
    [
      'bad url',
      '- url: http://a/\n- url: ftp://b/\n',
      /line 2: check 2 "url": "ftp:\/\/b\/" is not an http\(s\) URL/,
    ],
    [
      'bad status',
      '- url: http://a/\n  expect-status: ok\n',
      /line 2: check "http:\/\/a\/" "expect-status": "ok" is not a status/,
    ],
    [
      'bad latency',
      '- url: http://a/\n  name: a\n  max-latency: 500\n',
      /line 3: check "a" "max-latency": 500 is not a duration/,
    ],
    ['bad regex', '- url: http://a/\n  expect-body-regex: "(open"\n', /line 2: check .* "expect-body-regex"/],
    ['not a list', 'url: http://a/\n', /line 1: must be a list of checks/],
    [
      'duplicate names',
      '- url: http://a/\n  name: x\n- url: http://b/\n  name: x\n',
      /line 4: check 2: the name "x" is used twice/,
    ],
    ['bad method', '- url: http://a/\n  method: FETCH\n', /line 2: .*"FETCH" is not an HTTP method/],
  ];
  for (const [label, text, pattern] of cases) {
    test(label, () =>
      assert.throws(
        () => parse(text),
        (error: Error) => /^Input 'checks'/.test(error.message) && pattern.test(error.message),
      ),
    );
  }
  test('a good document becomes checks with defaults', () => {
    const checks = parse(
      'checks:\n  - name: health\n    url: http://a/health\n    expect-status: [200, 204]\n    expect-json: { "$.status": ok }\n    max-latency: 800ms\n    headers: { Accept: application/json }\n',
    );
    assert.deepEqual(checks, [
      {
        name: 'health',
        url: 'http://a/health',
        method: 'GET',
        headers: { Accept: 'application/json' },
        expectStatus: ['200', '204'],
        expectJson: [{ path: '$.status', equals: 'ok' }],
        maxLatencyMs: 800,
      },
    ]);
  });
});

describe('runSmokeChecks against real loopback servers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startScenarioServer({ slowMs: 300 });
  });
  afterAll(() => server.close());
  const options = { timeoutMs: 3_000, retryDelayMs: 50, maxRetryDelayMs: 200, logger: createCaptureLogger() };

  test('healthy passes on the first attempt with status and latency', async () => {
    const [result] = await runSmokeChecks(
      [{ ...simpleCheck(`${server.url}/healthy`), expectJson: [{ path: '$.checks.db', equals: 'up' }] }],
      options,
    );
    assert.equal(result?.passed, true);
    assert.equal(result?.attempts, 1);
    assert.equal(result?.status, 200);
    assert.ok((result?.latencyMs ?? -1) >= 0);
  });
  test('a JSON value that differs fails at once, naming path and values', async () => {
    const [result] = await runSmokeChecks(
      [{ ...simpleCheck(`${server.url}/healthy`), expectJson: [{ path: 'version', equals: '2.0.0' }] }],
      options,
    );
    assert.equal(result?.passed, false);
    assert.equal(result?.attempts, 1);
    assert.equal(result?.reason, 'JSON version is "1.2.3", expected "2.0.0"');
  });
  test('a final attempt cut short by the deadline reports the last answer (500), not the cut-off request', async () => {
    // answers 500 twice, then holds every later request past the deadline
    let requests = 0;
    const held: import('node:http').ServerResponse[] = [];
    const hanging = createServer((_request, response) => {
      requests++;
      if (requests <= 2) response.writeHead(500).end('broken');
      else held.push(response);
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', () => resolve()));
    try {
      const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/health`;
      const [result] = await runSmokeChecks([simpleCheck(url)], {
        timeoutMs: 1_500,
        requestTimeoutMs: 10_000,
        retryDelayMs: 50,
        maxRetryDelayMs: 100,
        logger: createCaptureLogger(),
      });
      assert.equal(result?.passed, false);
      assert.equal(result?.attempts, 3);
      assert.equal(result?.status, 500);
      assert.match(
        result?.reason ?? '',
        /^status 500, expected 2xx \(gave up at the deadline after 3 attempts\)$/,
      );
    } finally {
      for (const response of held) response.destroy();
      hanging.close();
    }
  });
  test('a 404 is not retried', async () => {
    const [result] = await runSmokeChecks([simpleCheck(`${server.url}/not-found`)], options);
    assert.deepEqual(
      [result?.passed, result?.attempts, result?.reason],
      [false, 1, 'status 404, expected 2xx'],
    );
  });
  test('headers and method are sent', async () => {
    const [result] = await runSmokeChecks(
      [
        {
          ...simpleCheck(`${server.url}/echo`),
          method: 'POST',
          headers: { authorization: 'Bearer t' },
          expectJson: [
            { path: 'method', equals: 'POST' },
            { path: 'auth', equals: 'Bearer t' },
          ],
        },
      ],
      options,
    );
    assert.equal(result?.passed, true, result?.reason);
  });
  test('connection refused until a late start is retried and then passes', async () => {
    const port = await freePort();
    const late = startLate(port);
    // Start listening once the first attempt has been refused: no race with a slow machine.
    const logger = createCaptureLogger();
    const info = logger.info;
    logger.info = (message) => {
      info(message);
      if (message.includes('attempt 1 failed (connection refused)')) late.start();
    };
    try {
      const [result] = await runSmokeChecks([simpleCheck(`http://127.0.0.1:${port}/`)], {
        ...options,
        logger,
      });
      assert.equal(result?.passed, true, result?.reason);
      assert.ok((result?.attempts ?? 0) >= 2, `attempts ${result?.attempts}`);
    } finally {
      late.start();
      await (await late.started).close();
    }
  });
  test('concurrency: all results come back in the order given', async () => {
    const checks = ['/healthy', '/slow', '/not-found', '/healthy'].map((p, i) => ({
      ...simpleCheck(`${server.url}${p}`),
      name: `c${i}`,
    }));
    const results = await runSmokeChecks(checks, { ...options, concurrency: 4 });
    assert.deepEqual(
      results.map((r) => [r.name, r.passed]),
      [
        ['c0', true],
        ['c1', true],
        ['c2', false],
        ['c3', true],
      ],
    );
  });
});
