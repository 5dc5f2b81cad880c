/**
 * The inputs of security-scan, read in one place (action.yml documents each).
 */
import path from 'node:path';
import { InputError } from '../../../shared/src/errors.ts';
import {
  getBoolean,
  getDuration,
  getEnum,
  getInteger,
  getList,
  getMap,
  getPath,
  getString,
  containPath,
  rawInput,
} from '../../../shared/src/inputs.ts';
import { getSecret } from '../../../shared/src/secret-inputs.ts';
import type { Logger } from '../../../shared/src/logger.ts';
import { parseScanner, type ScannerSpec } from './scanners.ts';
import { quote } from '../../../shared/src/output.ts';

export const THRESHOLDS = ['critical', 'high', 'medium', 'low', 'none'] as const;
export type SeverityThreshold = (typeof THRESHOLDS)[number];

/** A tool version override from `tool-versions`: `<tool>=<version>[@sha256:<hex>]`. */
export interface ToolOverride {
  version: string;
  sha256?: string;
}

/** `scan` runs the scanners; `summary` sums up the repository's code-scanning alerts (alert-summary.ts). */
export const MODES = ['scan', 'summary'] as const;
export type Mode = (typeof MODES)[number];

export interface Inputs {
  mode: Mode;
  /** mode summary: the period summed up, in whole days (1–90). */
  'summary-days': number;
  /** Empty in mode summary. */
  scanners: ScannerSpec[];
  'working-directory': string;
  'severity-threshold': SeverityThreshold;
  'fail-on-secrets': boolean;
  'ignore-file': string;
  /** Honour the tools' own SARIF `suppressions` (inSource comments, external baselines) in the gate. */
  'honor-suppressions': boolean;
  'upload-sarif': boolean;
  'wait-for-processing': boolean;
  'github-token': string;
  category: string;
  'sarif-file': string;
  'tool-versions': Map<string, ToolOverride>;
  'tool-mirror': string;
  annotate: boolean;
  /** Milliseconds. */
  timeout: number;
}

function parseToolVersions(): Map<string, ToolOverride> {
  const overrides = new Map<string, ToolOverride>();
  for (const [tool, value] of getMap('tool-versions', { example: 'trivy=0.69.3@sha256:<64 hex digits>' })) {
    const match = /^v?([0-9][0-9A-Za-z.+-]*)(?:@sha256:([0-9a-fA-F]{64}))?$/.exec(value);
    if (match === null)
      throw new InputError(
        'tool-versions',
        `"${tool}=${value}" is not <tool>=<version> or <tool>=<version>@sha256:<64 hex digits>`,
        'gitleaks=8.30.1@sha256:551f6fc83ea457d62a0d98237cbad105af8d557003051f41f3e7ca7b3f2470eb',
      );
    const override: ToolOverride = { version: match[1] ?? value };
    if (match[2] !== undefined) override.sha256 = match[2].toLowerCase();
    overrides.set(tool, override);
  }
  return overrides;
}

/**
 * Reads and validates every input; the token is masked before anything else.
 * @throws InputError for the first bad input
 */
export async function getInputs(logger: Logger): Promise<Inputs> {
  const token = await getSecret('github-token', { logger });
  const mode = getEnum('mode', MODES, { default: 'scan' });
  const summaryDays = getInteger('summary-days', { default: 7, min: 1, max: 90 }) ?? 7;
  if (mode === 'summary' && token === '')
    throw new InputError(
      'github-token',
      'mode summary reads the code-scanning alerts and needs a token',
      '${{ github.token }}',
    );
  // One entry per line when there are several lines (a sarif:<glob> may contain commas), else commas.
  const multiline = rawInput('scanners').includes('\n');
  const scanners = getList('scanners', {
    required: mode === 'scan',
    example: 'trivy-fs, gitleaks, npm-audit',
    separator: multiline ? 'newline' : 'newline-or-comma',
  }).map((item) => parseScanner(item));
  const uploadSarif = getBoolean('upload-sarif', { default: false });
  if (uploadSarif && token === '')
    throw new InputError(
      'github-token',
      'upload-sarif is true but no token was given',
      '${{ github.token }}',
    );
  const mirror = getString('tool-mirror');
  if (mirror !== '' && !/^https?:\/\/[^\s]+$/.test(mirror))
    throw new InputError(
      'tool-mirror',
      `${quote(mirror)} is not an http(s) URL`,
      'https://mirror.example.com/github',
    );
  const dir = getPath('working-directory', { default: '.', example: 'services/api' });
  const ignoreFile = getString('ignore-file', { default: '.gantry/security-ignore.yml', singleLine: true });
  // ignore-file is relative to working-directory, and must stay in the workspace too.
  containPath('ignore-file', path.resolve(dir, ignoreFile), { example: '.gantry/security-ignore.yml' });
  return {
    mode,
    'summary-days': summaryDays,
    scanners,
    'working-directory': dir,
    'severity-threshold': getEnum('severity-threshold', THRESHOLDS, { default: 'high' }),
    'fail-on-secrets': getBoolean('fail-on-secrets', { default: true }),
    'ignore-file': ignoreFile,
    'honor-suppressions': getBoolean('honor-suppressions', { default: true }),
    'upload-sarif': uploadSarif,
    'wait-for-processing': getBoolean('wait-for-processing', { default: true }),
    'github-token': token,
    category: getString('category', { default: 'gantry-security-scan', singleLine: true }),
    'sarif-file': getPath('sarif-file', { kind: 'output', example: 'reports/security.sarif' }),
    'tool-versions': parseToolVersions(),
    'tool-mirror': mirror.replace(/\/+$/, ''),
    annotate: getBoolean('annotate', { default: true }),
    timeout: getDuration('timeout', { default: '15m', min: 1_000 }) ?? 900_000,
  };
}
