/**
 * shared/src/pushgateway.ts: the text exposition of health results, label escaping, the base64url grouping
 * path and credentials taken off the URL. The push itself runs against the real Pushgateway in
 * test/actions/smoke-test/pushgateway.integration.test.ts.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { clearMasks, registerMask } from '../../shared/src/output.ts';
import {
  escapeLabelValue,
  groupingUrl,
  labelSafeName,
  renderHealthMetrics,
  splitCredentials,
} from '../../shared/src/pushgateway.ts';

afterEach(() => clearMasks());

describe('escapeLabelValue (exposition format: \\\\, \\", \\n)', () => {
  test.each([
    ['plain', 'plain'],
    ['say "hi"', 'say \\"hi\\"'],
    ['C:\\path', 'C:\\\\path'],
    ['two\nlines', 'two\\nlines'],
    ['crlf\r\nand cr\r', 'crlf\\nand cr\\n'],
    ['\\"\n', '\\\\\\"\\n'],
  ])('%j → %j', (value, escaped) => {
    expect(escapeLabelValue(value)).toBe(escaped);
  });
});

describe('labelSafeName', () => {
  test('a URL keeps origin and path, not userinfo, query or fragment', () => {
    expect(labelSafeName('https://user:pw@app.example.com:8443/health?token=abc#x')).toBe(
      'https://app.example.com:8443/health',
    );
  });
  test('a name holding a registered secret is redacted', () => {
    registerMask('s3cret');
    expect(labelSafeName('db s3cret check')).toBe('db *** check');
  });
  test('a plain name stays', () => {
    expect(labelSafeName('database')).toBe('database');
  });
});

describe('groupingUrl (https://github.com/prometheus/pushgateway#url)', () => {
  test('every value base64url-encoded, an empty value as "=", a base path kept', () => {
    const url = groupingUrl(
      'https://gw.example.com/push/',
      'gantry/health',
      new Map([
        ['environment', 'prod/eu'],
        ['service', ''],
      ]),
    );
    expect(url).toBe(
      `https://gw.example.com/push/metrics/job@base64/${Buffer.from('gantry/health').toString('base64url')}` +
        `/environment@base64/${Buffer.from('prod/eu').toString('base64url')}/service@base64/=`,
    );
  });
  test.each([['job'], ['__name'], ['1abc'], ['with-dash']])('grouping label %j is refused', (name) => {
    expect(() => groupingUrl('http://gw', 'j', new Map([[name, 'x']]))).toThrow(/grouping label/);
  });
  test('an empty job is refused', () => {
    expect(() => groupingUrl('http://gw', '', new Map())).toThrow(/job name is empty/);
  });
});

describe('splitCredentials', () => {
  test('userinfo becomes a Basic Authorization value, the URL loses it', () => {
    const split = splitCredentials('https://al%40ce:p%3Ass@gw.example.com:9091');
    expect(split.url).toBe('https://gw.example.com:9091/');
    expect(split.authorization).toBe(`Basic ${Buffer.from('al@ce:p:ss').toString('base64')}`);
  });
  test('no userinfo, no header', () => {
    expect(splitCredentials('http://gw:9091')).toEqual({ url: 'http://gw:9091/' });
  });
});

describe('renderHealthMetrics', () => {
  test('HELP/TYPE per family, one sample per check, no timestamps, duplicates told apart', () => {
    const text = renderHealthMetrics(
      [
        { check: 'health', kind: 'http', passed: true, latencyMs: 12, attempts: 1 },
        { check: 'db', kind: 'tcp', passed: false, attempts: 3 },
        { check: 'db', kind: 'tcp', passed: true, latencyMs: 2, attempts: 1 },
      ],
      1_700_000_000_500,
    );
    expect(text.split('\n')).toEqual([
      '# HELP gantry_health_up Whether the health check passed in the last run (1) or failed (0).',
      '# TYPE gantry_health_up gauge',
      'gantry_health_up{check="health",kind="http"} 1',
      'gantry_health_up{check="db",kind="tcp"} 0',
      'gantry_health_up{check="db #2",kind="tcp"} 1',
      '# HELP gantry_health_check_duration_seconds Latency of the last attempt of the health check that got an answer, in seconds.',
      '# TYPE gantry_health_check_duration_seconds gauge',
      'gantry_health_check_duration_seconds{check="health",kind="http"} 0.012',
      'gantry_health_check_duration_seconds{check="db #2",kind="tcp"} 0.002',
      '# HELP gantry_health_check_attempts Attempts the health check took in the last run (retries included).',
      '# TYPE gantry_health_check_attempts gauge',
      'gantry_health_check_attempts{check="health",kind="http"} 1',
      'gantry_health_check_attempts{check="db",kind="tcp"} 3',
      'gantry_health_check_attempts{check="db #2",kind="tcp"} 1',
      '# HELP gantry_health_checks_failed Health checks that failed in the last run.',
      '# TYPE gantry_health_checks_failed gauge',
      'gantry_health_checks_failed 1',
      '# HELP gantry_health_last_run_timestamp_seconds When the last health run ended, Unix time in seconds.',
      '# TYPE gantry_health_last_run_timestamp_seconds gauge',
      'gantry_health_last_run_timestamp_seconds 1700000000.5',
      '',
    ]);
  });
});
