import { describe, expect, test } from 'vitest';
import {
  escapeCommandData,
  escapeCommandProperty,
  inertLog,
  oneLine,
  quote,
  redact,
  registerMask,
  clearMasks,
} from '../../shared/src/output.ts';

/** Lines of `text` the runner would read as commands (TryParseV2 trims leading space; v1 `##[` anywhere). */
function commandLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => line.trimStart().startsWith('::') || line.includes('##['));
}

describe('inertLog', () => {
  test.each([
    'ok\n::warning::x',
    'ok\r::error::x',
    'ok\r\n   ::add-mask::x',
    '::set-output name=a::b',
    'see ##[warning]x',
    '\t::stop-commands::token',
  ])('%j starts no command', (text) => {
    expect(commandLines(text).length).toBeGreaterThan(0);
    expect(commandLines(inertLog(text))).toEqual([]);
  });
  test('keeps ordinary text and line breaks as they were', () => {
    expect(inertLog('a: b\nhttp://x::1 c')).toBe('a: b\nhttp://x::1 c');
  });
});

describe('command escaping, as @actions/core', () => {
  test('data escapes %, CR and LF', () => {
    expect(escapeCommandData('50%\r\n::error::x')).toBe('50%25%0D%0A::error::x');
  });
  test('properties also escape : and ,', () => {
    expect(escapeCommandProperty('a:b,c')).toBe('a%3Ab%2Cc');
  });
});

describe('quote', () => {
  test('shows control characters as escapes, on one line', () => {
    expect(quote('a\n::warning::x\u001b[31m')).toBe('"a\\n::warning::x\\u001b[31m"');
    expect(oneLine('\u0000')).toBe('\\u0000');
  });
  test('caps a long value at 200 characters and says how many more', () => {
    const quoted = quote('x'.repeat(100_000));
    expect(quoted.length).toBeLessThan(260);
    expect(quoted).toContain('(99800 more characters)');
  });
});

describe('redact', () => {
  test('replaces every registered mask, longest first', () => {
    clearMasks();
    registerMask('abc');
    registerMask('abcdef');
    expect(redact('x abcdef y abc')).toBe('x *** y ***');
    clearMasks();
    expect(redact('abc')).toBe('abc');
  });
});

describe('URL-shaped secrets', () => {
  test('each secret part of a webhook URL is masked, plain path words and the host are not', async () => {
    const { secretFragments } = await import('../../shared/src/secrets.ts');
    const parts = secretFragments(
      'https://user:p%40ss@hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/XyZsecret123?token=abcdef123',
    );
    expect(parts).toEqual(
      expect.arrayContaining([
        'p%40ss',
        'p@ss',
        'T0AAAAAAA/B0BBBBBBB/XyZsecret123',
        'XyZsecret123',
        'abcdef123',
      ]),
    );
    expect(parts).not.toContain('services');
    expect(parts).not.toContain('hooks.slack.com');
  });
});
