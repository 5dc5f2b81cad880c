import { describe, expect, test } from 'vitest';
import { gitleaksArgs, parseScanner, trufflehogArgs } from '../../../actions/security-scan/src/scanners.ts';

describe('secret scans over the history', () => {
  test.each([
    ['gitleaks', { kind: 'gitleaks', label: 'gitleaks' }],
    ['gitleaks:history', { kind: 'gitleaks', argument: 'history', label: 'gitleaks:history' }],
    [
      'trufflehog:history:abc123..def456',
      { kind: 'trufflehog', argument: 'history:abc123..def456', label: 'trufflehog:history:abc123..def456' },
    ],
    [
      'gitleaks:history:origin/main...HEAD',
      {
        kind: 'gitleaks',
        argument: 'history:origin/main...HEAD',
        label: 'gitleaks:history:origin/main...HEAD',
      },
    ],
  ])('%s parses', (item, spec) => {
    expect(parseScanner(item)).toEqual(spec);
  });

  test.each(['gitleaks:git', 'gitleaks:history:main', 'gitleaks:history:a..b;rm -rf', 'trufflehog:history:'])(
    '%s is refused naming the input',
    (item) => {
      expect(() => parseScanner(item)).toThrow(
        /Input 'scanners'.*takes no argument but history or history:<base>\.\.<head>/,
      );
    },
  );

  test('gitleaks: dir for the tree, git for the history, --log-opts for a range', () => {
    expect(gitleaksArgs(undefined, '/w', '/t/g.json')[0]).toBe('dir');
    expect(gitleaksArgs('history', '/w', '/t/g.json')).toEqual([
      'git',
      '--report-format',
      'json',
      '--report-path',
      '/t/g.json',
      '--exit-code',
      '0',
      '--no-banner',
      '/w',
    ]);
    expect(gitleaksArgs('history:aaa..bbb', '/w', '/t/g.json')).toContain('--log-opts=aaa..bbb');
  });

  test('trufflehog: filesystem for the tree, git file:// for the history, since-commit/branch for a range', () => {
    expect(trufflehogArgs(undefined, '/w')).toEqual(['filesystem', '/w', '--json', '--no-update']);
    expect(trufflehogArgs('history', '/w')).toEqual(['git', 'file:///w', '--json', '--no-update']);
    expect(trufflehogArgs('history:aaa..bbb', '/w')).toEqual([
      'git',
      'file:///w',
      '--json',
      '--no-update',
      '--since-commit',
      'aaa',
      '--branch',
      'bbb',
    ]);
  });
});
