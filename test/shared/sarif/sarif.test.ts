import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { mergeLogs, GANTRY_FINGERPRINT, toolSlug } from '../../../shared/src/sarif/merge.ts';
import { splitForUpload, CODE_SCANNING_LIMITS } from '../../../shared/src/sarif/split.ts';
import {
  severityOf,
  severityFromScore,
  parseSeverity,
  levelForSeverity,
} from '../../../shared/src/sarif/severity.ts';
import { listFindings, sortFindings, findingAnnotations } from '../../../shared/src/sarif/findings.ts';
import { redactLog, REDACTED } from '../../../shared/src/sarif/redact.ts';
import { newRun, type Log, type Result } from '../../../shared/src/sarif/types.ts';
import { sarifSchemaErrors } from './validate.ts';

function result(ruleId: string, file: string, line: number, extra: Partial<Result> = {}): Result {
  return {
    ruleId,
    message: { text: `${ruleId} at ${file}:${line}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: file }, region: { startLine: line } } }],
    ...extra,
  };
}

function log(tool: string, results: Result[]): Log {
  return { version: '2.1.0', runs: [newRun({ name: tool, version: '1.0.0' }, results)] };
}

describe('severity mapping (GitHub code scanning bands)', () => {
  test('security-severity scores map to bands at 9.0, 7.0 and 4.0', () => {
    assert.deepEqual([10, 9.0, 8.9, 7.0, 6.9, 4.0, 3.9, 0.1, 0].map(severityFromScore), [
      'critical',
      'critical',
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
      'none',
    ]);
  });

  test("a result's score wins over its rule's, which wins over the level", () => {
    const rule = {
      id: 'R',
      properties: { 'security-severity': '7.5' },
      defaultConfiguration: { level: 'note' as const },
    };
    assert.equal(
      severityOf({ message: { text: '' }, properties: { 'security-severity': '9.8' } }, rule),
      'critical',
    );
    assert.equal(severityOf({ message: { text: '' } }, rule), 'high');
    assert.equal(
      severityOf({ message: { text: '' } }, { id: 'R', defaultConfiguration: { level: 'note' } }),
      'low',
    );
    assert.equal(severityOf({ message: { text: '' } }), 'medium', 'level defaults to warning');
    assert.equal(severityOf({ message: { text: '' }, level: 'error' }), 'high');
  });

  test('tool severity words are parsed, unknown words are not', () => {
    assert.equal(parseSeverity('CRITICAL'), 'critical');
    assert.equal(parseSeverity('moderate'), 'medium');
    assert.equal(parseSeverity('info'), 'low');
    assert.equal(parseSeverity('bogus'), undefined);
    assert.equal(levelForSeverity('critical'), 'error');
    assert.equal(levelForSeverity('medium'), 'warning');
    assert.equal(levelForSeverity('low'), 'note');
  });
});

describe('mergeLogs', () => {
  test('one run per tool with a stable category, rules de-duplicated and ruleIndex re-pointed', () => {
    const a = log('Trivy', [result('CVE-1', 'package-lock.json', 1)]);
    const b: Log = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'gitleaks', rules: [{ id: 'aws-key' }, { id: 'generic' }] } },
          artifacts: [{ location: { uri: 'src/config.ts' } }],
          results: [
            {
              ruleIndex: 1,
              message: { text: 'secret' },
              locations: [{ physicalLocation: { artifactLocation: { index: 0 }, region: { startLine: 3 } } }],
              partialFingerprints: { commitSha: 'abc' },
            },
          ],
        },
      ],
    };
    const c = log('Trivy', [result('CVE-2', 'go.sum', 4), result('CVE-1', 'yarn.lock', 2)]);
    const merged = mergeLogs([a, b, c], 'gantry-security-scan');
    assert.deepEqual(
      merged.runs.map((run) => [run.tool.driver.name, run.automationDetails?.id, run.results?.length]),
      [
        ['Trivy', 'gantry-security-scan/trivy/', 3],
        ['gitleaks', 'gantry-security-scan/gitleaks/', 1],
      ],
    );
    const trivy = merged.runs[0]!;
    assert.deepEqual(
      trivy.tool.driver.rules?.map((rule) => rule.id),
      ['CVE-1', 'CVE-2'],
    );
    assert.deepEqual(
      trivy.results?.map((r) => [r.ruleId, r.ruleIndex]),
      [
        ['CVE-1', 0],
        ['CVE-2', 1],
        ['CVE-1', 0],
      ],
    );
    const leak = merged.runs[1]!.results![0]!;
    assert.equal(leak.ruleId, 'generic');
    assert.equal(leak.locations?.[0]?.physicalLocation?.artifactLocation?.uri, 'src/config.ts');
    assert.deepEqual(leak.partialFingerprints, { commitSha: 'abc' }, 'existing fingerprints are kept');
    assert.deepEqual(sarifSchemaErrors(merged), []);
  });

  test('results without fingerprints get a stable gantry/v1 fingerprint that ignores the line', () => {
    const first = mergeLogs([log('eslint', [result('no-eval', 'a.js', 3)])], 'c').runs[0]!.results![0]!;
    const moved = mergeLogs(
      [log('eslint', [{ ...result('no-eval', 'a.js', 9), message: { text: 'no-eval at a.js:3' } }])],
      'c',
    ).runs[0]!.results![0]!;
    const other = mergeLogs([log('eslint', [result('no-eval', 'b.js', 3)])], 'c').runs[0]!.results![0]!;
    assert.match(first.partialFingerprints?.[GANTRY_FINGERPRINT] ?? '', /^[0-9a-f]{32}:1$/);
    assert.equal(
      moved.partialFingerprints?.[GANTRY_FINGERPRINT],
      first.partialFingerprints?.[GANTRY_FINGERPRINT],
    );
    assert.notEqual(
      other.partialFingerprints?.[GANTRY_FINGERPRINT],
      first.partialFingerprints?.[GANTRY_FINGERPRINT],
    );
    const twins = mergeLogs([log('eslint', [result('x', 'a.js', 1), result('x', 'a.js', 1)])], 'c').runs[0]!
      .results!;
    assert.notEqual(
      twins[0]!.partialFingerprints?.[GANTRY_FINGERPRINT],
      twins[1]!.partialFingerprints?.[GANTRY_FINGERPRINT],
    );
  });

  test('the inputs are not modified', () => {
    const input = log('tool', [result('r', 'f', 1)]);
    const before = JSON.stringify(input);
    mergeLogs([input], 'cat');
    assert.equal(JSON.stringify(input), before);
  });

  test('tool names become category segments', () => {
    assert.equal(toolSlug('ESLint (security)'), 'eslint-security');
    assert.equal(toolSlug('///'), 'tool');
  });
});

describe('splitForUpload at code scanning limits', () => {
  test('over 25,000 results and over 20 runs split into valid uploads within the limits', () => {
    const logs: Log[] = [];
    for (let t = 0; t < 22; t++) logs.push(log(`tool-${t}`, [result('r', `f${t}.js`, 1)]));
    const big: Result[] = [];
    for (let i = 0; i < 26_000; i++) big.push(result(`rule-${i % 7}`, `src/file-${i % 300}.ts`, i + 1));
    logs.push(log('big', big));
    const merged = mergeLogs(logs, 'scan');
    const uploads = splitForUpload(merged);
    const runs = uploads.flatMap((upload) => upload.log.runs);
    assert.equal(uploads.length, 2, '24 runs (23 tools, one split in two) need two files');
    for (const upload of uploads) {
      assert.ok(upload.log.runs.length <= CODE_SCANNING_LIMITS.maxRunsPerFile);
      assert.ok(upload.gzip.length <= CODE_SCANNING_LIMITS.maxGzipBytes);
      for (const run of upload.log.runs) assert.ok((run.results?.length ?? 0) <= 25_000);
      const categories = upload.log.runs.map((run) => run.automationDetails?.id);
      assert.equal(new Set(categories).size, categories.length, 'one run per category in an upload');
      assert.deepEqual(sarifSchemaErrors(upload.log), []);
      assert.deepEqual(JSON.parse(gunzipSync(upload.gzip).toString('utf8')), upload.log);
    }
    assert.equal(
      runs.reduce((n, run) => n + (run.results?.length ?? 0), 0),
      26_022,
      'no result lost',
    );
    const bigParts = runs.filter((run) => run.tool.driver.name === 'big');
    assert.deepEqual(
      bigParts.map((run) => [run.automationDetails?.id, run.results?.length]),
      [
        ['scan/big/', 25_000],
        ['scan/big/part-2/', 1_000],
      ],
    );
  });

  test('a file over the gzip limit is split again, by runs and then by results', () => {
    const results: Result[] = [];
    for (let i = 0; i < 400; i++)
      results.push(
        result(`rule-${i}`, `f${i}.js`, i + 1, { message: { text: `${i} `.repeat(50) + Math.random() } }),
      );
    const merged = mergeLogs([log('a', results.slice(0, 200)), log('b', results.slice(200))], 'c');
    const limits = { maxRunsPerFile: 20, maxResultsPerRun: 25_000, maxGzipBytes: 8_000 };
    const uploads = splitForUpload(merged, limits);
    assert.ok(uploads.length > 2);
    for (const upload of uploads)
      assert.ok(upload.gzip.length <= limits.maxGzipBytes, `${upload.gzip.length}`);
    assert.equal(
      uploads.flatMap((u) => u.log.runs).reduce((n, r) => n + (r.results?.length ?? 0), 0),
      400,
    );
  });

  test('one result over the gzip limit cannot be uploaded and says so', () => {
    const merged = mergeLogs(
      [log('a', [result('r', 'f', 1, { message: { text: 'x'.repeat(5000) + Math.random() } })])],
      'c',
    );
    assert.throws(
      () => splitForUpload(merged, { maxRunsPerFile: 20, maxResultsPerRun: 10, maxGzipBytes: 10 }),
      /cannot be uploaded/,
    );
  });
});

describe('findings and annotations', () => {
  test('findings are sorted most severe first and annotated with file and line', () => {
    const merged = mergeLogs(
      [
        log('eslint', [
          result('a', 'x.js', 5, { level: 'note' }),
          result('b', 'y.js', 2, { level: 'error' }),
        ]),
        log('trivy', [result('CVE-9', 'lock.json', 1, { properties: { 'security-severity': '9.8' } })]),
      ],
      'c',
    );
    const findings = sortFindings(listFindings(merged));
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.severity]),
      [
        ['CVE-9', 'critical'],
        ['b', 'high'],
        ['a', 'low'],
      ],
    );
    const annotations = findingAnnotations(findings, 'app');
    assert.deepEqual(annotations[1], {
      level: 'error',
      message: 'b at y.js:2',
      title: 'eslint b (high)',
      file: 'app/y.js',
      startLine: 2,
    });
    assert.equal(annotations[2]?.level, 'notice');
  });
});

describe('redactLog', () => {
  test('known secret values are replaced everywhere and secret snippets blanked', () => {
    const secret = 'AKIAIOSFODNN7EXAMPLEKEY';
    const input = log('gitleaks', [
      result('aws-access-token', 'config.env', 2, {
        message: { text: `AWS key ${secret} found` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'config.env' },
              region: { startLine: 2, snippet: { text: 'KEY=AKIA…' } },
            },
          },
        ],
      }),
    ]);
    input.runs.push(
      newRun({ name: 'eslint' }, [result('no-x', 'a.js', 1, { message: { text: `unrelated ${secret}` } })]),
    );
    const blanked = redactLog(input, [secret]);
    assert.equal(blanked, 1);
    const text = JSON.stringify(input);
    assert.ok(!text.includes(secret));
    assert.ok(!text.includes('KEY=AKIA'));
    assert.equal(input.runs[0]!.results![0]!.message.text, `AWS key ${REDACTED} found`);
    assert.equal(input.runs[1]!.results![0]!.message.text, `unrelated ${REDACTED}`);
  });
});

describe('writeSarifFile', () => {
  test('writes exactly what JSON.stringify would, streaming run by run', async () => {
    const { writeSarifFile } = await import('../../../shared/src/sarif/write.ts');
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'gantry-sarif-write-'));
    try {
      const big: Result[] = [];
      for (let i = 0; i < 5_000; i++) big.push(result(`r${i % 3}`, `f${i}.ts`, i + 1));
      const merged = mergeLogs(
        [log('a', big), log('b', []), { version: '2.1.0', runs: [{ tool: { driver: { name: 'c' } } }] }],
        'cat',
      );
      const file = path.join(dir, 'out.sarif');
      await writeSarifFile(file, merged);
      assert.equal(await readFile(file, 'utf8'), JSON.stringify(merged));
      await writeSarifFile(file, { version: '2.1.0', runs: [] });
      assert.equal(await readFile(file, 'utf8'), '{"version":"2.1.0","runs":[]}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
