import { afterEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { getInputs } from '../../../actions/security-scan/src/inputs.ts';
import { InputError } from '../../../shared/src/errors.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';

const set = (inputs: Record<string, string>): void => {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
};
afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
});

describe('security-scan inputs', () => {
  test('defaults: threshold high, secrets block, the ignore file under .gantry, no upload', async () => {
    set({ scanners: 'gitleaks, npm-audit' });
    const inputs = await getInputs(createCaptureLogger());
    assert.deepEqual(
      inputs.scanners.map((s) => s.kind),
      ['gitleaks', 'npm-audit'],
    );
    assert.equal(inputs['severity-threshold'], 'high');
    assert.equal(inputs['fail-on-secrets'], true);
    assert.equal(inputs['ignore-file'], '.gantry/security-ignore.yml');
    assert.equal(inputs['upload-sarif'], false);
    assert.equal(inputs['wait-for-processing'], true);
    assert.equal(inputs.timeout, 900_000);
  });

  test('one scanner per line when there are several lines, so a glob may hold commas', async () => {
    set({ scanners: 'trivy-fs\nsarif:reports/{lint,codeql}.sarif\n' });
    const inputs = await getInputs(createCaptureLogger());
    assert.deepEqual(
      inputs.scanners.map((s) => s.argument ?? s.kind),
      ['trivy-fs', 'reports/{lint,codeql}.sarif'],
    );
  });

  test('tool-versions: version, or version and SHA-256; anything else is an input error', async () => {
    const sha = 'a'.repeat(64);
    set({
      scanners: 'trivy-fs',
      'tool-versions': `trivy=v0.70.0@sha256:${sha.toUpperCase()}\ngitleaks=8.30.1`,
    });
    const inputs = await getInputs(createCaptureLogger());
    assert.deepEqual(Object.fromEntries(inputs['tool-versions']), {
      trivy: { version: '0.70.0', sha256: sha },
      gitleaks: { version: '8.30.1' },
    });
    set({ 'tool-versions': 'trivy=latest' });
    await assert.rejects(
      getInputs(createCaptureLogger()),
      (e: unknown) =>
        e instanceof InputError && /Input 'tool-versions': "trivy=latest" is not/.test(e.message),
    );
    set({ 'tool-versions': `trivy=0.69.3@sha256:${'a'.repeat(63)}` });
    await assert.rejects(getInputs(createCaptureLogger()), InputError);
  });

  test('upload-sarif needs a token; the token is masked first', async () => {
    set({ scanners: 'gitleaks', 'upload-sarif': 'true' });
    await assert.rejects(
      getInputs(createCaptureLogger()),
      /Input 'github-token': upload-sarif is true but no token was given/,
    );
    set({ 'github-token': 'ghs_maskedTokenValue1' });
    const logger = createCaptureLogger();
    await getInputs(logger);
    logger.info('token is ghs_maskedTokenValue1');
    assert.equal(logger.text(), 'token is ***');
  });

  test('bad threshold and tool-mirror values name the input', async () => {
    set({ scanners: 'gitleaks', 'severity-threshold': 'severe' });
    await assert.rejects(
      getInputs(createCaptureLogger()),
      /Input 'severity-threshold': "severe" is not one of critical, high, medium, low, none/,
    );
    set({ 'severity-threshold': 'low', 'tool-mirror': 'ftp://mirror' });
    await assert.rejects(
      getInputs(createCaptureLogger()),
      /Input 'tool-mirror': "ftp:\/\/mirror" is not an http\(s\) URL/,
    );
  });
});
