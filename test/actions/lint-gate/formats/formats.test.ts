import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GCC_PATTERN,
  parseCheckstyle,
  parseEslintJson,
  parseWithPattern,
} from '../../../../actions/lint-gate/src/formats/formats.ts';
import {
  parseCobertura,
  parseIstanbulSummary,
  parseLcov,
  readCoverage,
} from '../../../../actions/lint-gate/src/coverage.ts';
import { decide } from '../../../../actions/lint-gate/src/gate.ts';
import { parseLinters } from '../../../../actions/lint-gate/src/linters.ts';
import { listFindings } from '../../../../shared/src/sarif/findings.ts';
import { ConfigurationError, InputError } from '../../../../shared/src/errors.ts';
import type { Run } from '../../../../shared/src/sarif/types.ts';
import { sarifSchemaErrors } from '../../../shared/sarif/validate.ts';

const project = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../fixtures/lint-gate/project',
);
const rows = (run: Run): unknown[][] =>
  listFindings({ version: '2.1.0', runs: [run] }).map((f) => [
    f.file,
    f.startLine,
    f.startColumn,
    f.level,
    f.ruleId,
    f.message,
  ]);

describe('output formats → SARIF', () => {
  test('ESLint JSON: severity 2 is an error, 1 a warning, fatal parse errors are errors', () => {
    const run = parseEslintJson(
      JSON.stringify([
        {
          filePath: '/w/a.js',
          messages: [
            {
              ruleId: 'no-unused-vars',
              severity: 2,
              message: 'unused',
              line: 3,
              column: 7,
              endLine: 3,
              endColumn: 13,
            },
          ],
        },
        {
          filePath: '/w/b.js',
          messages: [
            { ruleId: null, fatal: true, severity: 2, message: 'Parsing error', line: 1, column: 1 },
            { ruleId: 'no-console', severity: 1, message: 'console', line: 2, column: 1 },
          ],
        },
      ]),
    );
    assert.deepEqual(rows(run), [
      ['/w/a.js', 3, 7, 'error', 'no-unused-vars', 'unused'],
      ['/w/b.js', 1, 1, 'error', 'parse-error', 'Parsing error'],
      ['/w/b.js', 2, 1, 'warning', 'no-console', 'console'],
    ]);
    assert.deepEqual(sarifSchemaErrors({ version: '2.1.0', runs: [run] }), []);
    assert.throws(() => parseEslintJson('Oops: config error', 'eslint'), /not ESLint JSON/);
  });

  test('Checkstyle XML: files, lines, severities and sources', async () => {
    const run = await parseCheckstyle(
      `<?xml version="1.0" encoding="utf-8"?><checkstyle version="4.3">
        <file name="src/a.css"><error line="4" column="2" severity="error" message="Unexpected unknown property &quot;colr&quot;" source="property-no-unknown"/></file>
        <file name="src/b.css"><error line="9" column="1" severity="warning" message="Expected indentation" source="indentation"/><error line="10" severity="info" message="note"/></file>
      </checkstyle>`,
      'stylelint',
    );
    assert.deepEqual(rows(run), [
      ['src/a.css', 4, 2, 'error', 'property-no-unknown', 'Unexpected unknown property "colr"'],
      ['src/b.css', 9, 1, 'warning', 'indentation', 'Expected indentation'],
      ['src/b.css', 10, undefined, 'note', 'stylelint', 'note'],
    ]);
    await assert.rejects(parseCheckstyle('<results/>', 'x'), /not Checkstyle XML/);
  });

  test('GCC lines: file:line:col: level: message [code]; other lines ignored', () => {
    const run = parseWithPattern(
      [
        'scripts/deploy.sh:3:1: warning: unused_setting appears unused. [SC2034]',
        'src/main.c:10:5: error: expected ‘;’ before ‘}’ token',
        'lib.py:7: note: hello',
        'In file included from x.h',
        '\u001b[31msrc/x.c:1:1: fatal error: no such file\u001b[0m',
      ].join('\n'),
      GCC_PATTERN,
      'gcc',
    );
    assert.deepEqual(rows(run), [
      ['scripts/deploy.sh', 3, 1, 'warning', 'SC2034', 'unused_setting appears unused.'],
      ['src/main.c', 10, 5, 'error', 'gcc', 'expected ‘;’ before ‘}’ token'],
      ['lib.py', 7, undefined, 'note', 'gcc', 'hello'],
      ['src/x.c', 1, 1, 'error', 'gcc', 'no such file'],
    ]);
  });

  test('a problem-matcher regex with named groups; no severity group means error', () => {
    const run = parseWithPattern(
      'ERR src/a.rb@12 Style/Foo: bad\nok\n',
      /^ERR (?<file>\S+)@(?<line>\d+) (?<code>[\w/]+): (?<message>.+)$/,
      'rubocop',
    );
    assert.deepEqual(rows(run), [['src/a.rb', 12, undefined, 'error', 'Style/Foo', 'bad']]);
  });
});

describe('linters input', () => {
  test('presets, preset mappings with args, command entries and the short form', () => {
    const specs = parseLinters([
      'eslint',
      { preset: 'tsc', args: '-p tsconfig.build.json' },
      { name: 'stylelint', run: 'npx stylelint "**/*.css" -f unix', format: 'gcc' },
      {
        name: 'custom',
        run: './lint.sh',
        format: 'regex',
        pattern: '^(?<file>[^:]+):(?<line>\\d+) (?<message>.+)$',
      },
      { 'go-vet': 'go vet ./...' },
    ]);
    assert.deepEqual(
      specs.map((s) => (s.kind === 'preset' ? [s.name, s.preset, s.args] : [s.name, s.run, s.format])),
      [
        ['eslint', 'eslint', []],
        ['tsc', 'tsc', ['-p', 'tsconfig.build.json']],
        ['stylelint', 'npx stylelint "**/*.css" -f unix', 'gcc'],
        ['custom', './lint.sh', 'regex'],
        ['go-vet', 'go vet ./...', 'gcc'],
      ],
    );
    assert.deepEqual(
      parseLinters('eslint, prettier\ntsc').map((s) => s.name),
      ['eslint', 'prettier', 'tsc'],
    );
  });

  test('bad entries are input errors that name the entry', () => {
    const inputError = (pattern: RegExp) => (e: unknown) =>
      e instanceof InputError && pattern.test(e.message);
    assert.throws(
      () => parseLinters(['eslnt']),
      inputError(/Input 'linters': entry 1: "eslnt" is not a preset/),
    );
    assert.throws(
      () => parseLinters([{ name: 'x', run: 'y', format: 'junit' }]),
      inputError(/format "junit" is not one of eslint-json, sarif, checkstyle, gcc, regex/),
    );
    assert.throws(
      () => parseLinters([{ name: 'x', run: 'y', format: 'regex', pattern: '(' }]),
      inputError(/not a valid regular expression/),
    );
    assert.throws(
      () => parseLinters([{ name: 'x', run: 'y', format: 'regex', pattern: '(?<file>.+)' }]),
      inputError(/needs a \(\?<message>…\) group/),
    );
    assert.throws(() => parseLinters([{ name: 'x', format: 'gcc' }]), inputError(/needs run: <command>/));
    assert.throws(() => parseLinters(['eslint', 'eslint']), inputError(/listed twice/));
  });
});

describe('coverage reports', () => {
  test('lcov: LF/LH summed over records, DA lines when a record has no summary', () => {
    assert.deepEqual(parseLcov('SF:a\nLF:10\nLH:7\nend_of_record\nSF:b\nDA:1,1\nDA:2,0\nend_of_record\n'), {
      format: 'lcov',
      covered: 8,
      total: 12,
      percent: (8 / 12) * 100,
    });
  });

  test('the three fixture formats are recognised from their content', async () => {
    const lcov = await readCoverage(path.join(project, 'coverage/lcov.info'));
    assert.deepEqual([lcov.format, lcov.covered, lcov.total, lcov.percent], ['lcov', 6, 8, 75]);
    const istanbul = await readCoverage(path.join(project, 'coverage/coverage-summary.json'));
    assert.deepEqual(
      [istanbul.format, istanbul.covered, istanbul.total, istanbul.percent],
      ['istanbul-summary', 171, 200, 85.5],
    );
    const cobertura = await readCoverage(path.join(project, 'coverage/cobertura.xml'));
    assert.deepEqual([cobertura.format, cobertura.covered, cobertura.total], ['cobertura', 97, 120]);
    assert.equal(cobertura.percent.toFixed(2), '80.83');
  });

  test('Cobertura with only line-rate; broken reports are configuration errors', async () => {
    assert.equal((await parseCobertura('<coverage line-rate="0.5"></coverage>')).percent, 50);
    assert.throws(() => parseIstanbulSummary({ total: {} }), ConfigurationError);
    await assert.rejects(readCoverage(path.join(project, 'nope.info')), /coverage-file .* does not exist/);
    await assert.rejects(readCoverage(path.join(project, 'package.json')), /no total\.lines/);
  });
});

describe('gate', () => {
  const base = { failOn: 'error' as const, maxWarnings: -1, coverageThreshold: 80, failures: [] };
  test('fail-on error / warning / never', () => {
    const counts = { errors: 1, warnings: 2, notes: 3 };
    assert.deepEqual(decide({ ...base, counts }).reasons, ['1 error']);
    assert.deepEqual(decide({ ...base, counts: { ...counts, errors: 0 } }).passed, true);
    assert.deepEqual(decide({ ...base, failOn: 'warning', counts: { ...counts, errors: 0 } }).reasons, [
      '2 warnings (fail-on: warning)',
    ]);
    assert.deepEqual(decide({ ...base, failOn: 'never', counts }).passed, true);
  });
  test('max-warnings and coverage apply whatever fail-on says', () => {
    const counts = { errors: 0, warnings: 3, notes: 0 };
    const coverage = { format: 'lcov' as const, covered: 75, total: 100, percent: 75 };
    assert.deepEqual(decide({ ...base, failOn: 'never', maxWarnings: 2, counts, coverage }).reasons, [
      '3 warnings, more than max-warnings 2',
      'line coverage 75.00 % is below the threshold of 80 %',
    ]);
    assert.equal(
      decide({ ...base, maxWarnings: 3, counts, coverage: { ...coverage, percent: 80 } }).passed,
      true,
    );
  });
});

describe('getInputs (lint-gate)', () => {
  test('the linters input as a YAML list, as one preset per line, or comma-separated', async () => {
    const { getInputs } = await import('../../../../actions/lint-gate/src/inputs.ts');
    const names = (value: string): string[] => {
      process.env['INPUT_LINTERS'] = value;
      try {
        return getInputs().linters.map((spec) => spec.name);
      } finally {
        delete process.env['INPUT_LINTERS'];
      }
    };
    assert.deepEqual(names('- eslint\n- name: x\n  run: y\n'), ['eslint', 'x']);
    assert.deepEqual(names('eslint\nprettier\n# not now: tsc\n'), ['eslint', 'prettier']);
    assert.deepEqual(names('eslint, shellcheck'), ['eslint', 'shellcheck']);
    assert.throws(() => names(''), /Input 'linters': a value is required/);
  });
});
