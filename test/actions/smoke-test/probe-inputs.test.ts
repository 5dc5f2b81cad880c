import { describe, expect, test } from 'vitest';
import { parseChecksDocument } from '../../../actions/smoke-test/src/inputs.ts';
import { splitProbes } from '../../../actions/smoke-test/src/probe-inputs.ts';
import { parseDocumentText } from '../../../shared/src/inputs.ts';

const doc = (text: string) => parseDocumentText(text, { input: 'checks' });

describe('splitProbes', () => {
  test('tcp and ecs-service items become probes; HTTP items stay, with their own line numbers', () => {
    const document = doc(
      [
        '- name: database',
        '  tcp: db.internal:5432',
        '- ecs-service: { cluster: app-production, service: app }',
        '- url: https://app.example.com/health',
        '- url: not a url',
      ].join('\n'),
    );
    const { http, probes } = splitProbes(document);
    expect(probes).toEqual([
      { kind: 'tcp', name: 'database', host: 'db.internal', port: 5432 },
      { kind: 'ecs-service', name: 'app-production/app', cluster: 'app-production', service: 'app' },
    ]);
    expect(http).toBeDefined();
    // the bad URL is item 2 of the HTTP view, but line 5 of the text
    expect(() => parseChecksDocument(http!)).toThrow(/Input 'checks': line 5: check 2 "url"/);
  });

  test('only probes: no HTTP view; no probes: the document as it is', () => {
    expect(splitProbes(doc('- tcp: "[::1]:6379"')).http).toBeUndefined();
    expect(splitProbes(doc('- tcp: "[::1]:6379"')).probes[0]).toMatchObject({ host: '::1', port: 6379 });
    const plain = doc('- url: https://a.example/health');
    expect(splitProbes(plain).http).toBe(plain);
  });

  test.each([
    ['- tcp: db.internal', /line 1: check 1 "tcp": "db.internal" is not host:port/],
    ['- tcp: db:70000', /is not host:port/],
    ['- ecs-service: { cluster: app }', /line 1: check 1 "ecs-service" needs exactly cluster and service/],
    ['- tcp: db:5432\n  expect-status: 200', /line 2: check 1 has "expect-status"/],
    ['- tcp: db:5432\n  ecs-service: { cluster: a, service: b }', /has both "tcp" and "ecs-service"/],
  ])('%j fails naming the line', (text, message) => {
    expect(() => splitProbes(doc(text))).toThrow(message);
  });
});
