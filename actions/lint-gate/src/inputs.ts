/**
 * The inputs of lint-gate, read in one place (action.yml documents each).
 */
import path from 'node:path';
import { InputError } from '../../../shared/src/errors.ts';
import {
  getBoolean,
  getDocument,
  getDuration,
  getEnum,
  getInteger,
  getList,
  getPath,
  getString,
  containPath,
} from '../../../shared/src/inputs.ts';
import { parseLinters, type LinterSpec } from './linters.ts';
import { quote } from '../../../shared/src/output.ts';

export const FAIL_ON = ['error', 'warning', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface Inputs {
  linters: LinterSpec[];
  'working-directory': string;
  'fail-on': FailOn;
  /** -1: no limit. */
  'max-warnings': number;
  'coverage-file': string;
  /** Percent, 0–100. */
  'coverage-threshold': number;
  'sarif-file': string;
  category: string;
  annotate: boolean;
  /** Milliseconds per linter. */
  timeout: number;
}

function threshold(): number {
  const raw = getString('coverage-threshold', { default: '80' }).replace(/%$/, '');
  const value = Number(raw);
  if (raw === '' || !Number.isFinite(value) || value < 0 || value > 100)
    throw new InputError('coverage-threshold', `${quote(raw)} is not a percentage between 0 and 100`, '80');
  return value;
}

/**
 * Reads and validates every input.
 * @throws InputError for the first bad input
 */
export function getInputs(): Inputs {
  const document = getDocument('linters', { required: true, example: '- eslint\n- prettier\n- tsc' });
  // A YAML list (or mapping entries) is parsed as such; plain text — `eslint, prettier` or one preset per
  // line, which YAML would fold into one line — is read as a list of preset names.
  const value = Array.isArray(document?.value) ? document.value : getList('linters', { required: true });
  const dir = getPath('working-directory', { default: '.', example: 'packages/web' });
  const coverageFile = getString('coverage-file', { singleLine: true });
  // coverage-file is relative to working-directory, and must stay in the workspace too.
  if (coverageFile !== '')
    containPath('coverage-file', path.resolve(dir, coverageFile), { example: 'coverage/lcov.info' });
  return {
    linters: parseLinters(value),
    'working-directory': dir,
    'fail-on': getEnum('fail-on', FAIL_ON, { default: 'error' }),
    'max-warnings': getInteger('max-warnings', { default: -1, min: -1 }) ?? -1,
    'coverage-file': coverageFile,
    'coverage-threshold': threshold(),
    'sarif-file': getPath('sarif-file', { kind: 'output', example: 'reports/lint.sarif' }),
    category: getString('category', { default: 'lint-gate', singleLine: true }),
    annotate: getBoolean('annotate', { default: true }),
    timeout: getDuration('timeout', { default: '10m', min: 1_000 }) ?? 600_000,
  };
}
