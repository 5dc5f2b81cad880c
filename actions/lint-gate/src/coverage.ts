/**
 * Line coverage from the three report formats CI tools write: lcov tracefiles, Cobertura XML and
 * Istanbul's `coverage-summary.json`. The format is recognised from the content.
 */
import { readFile } from 'node:fs/promises';
import { ConfigurationError } from '../../../shared/src/errors.ts';

/** Line coverage of a report. */
export interface Coverage {
  format: 'lcov' | 'cobertura' | 'istanbul-summary';
  /** Lines hit and lines found (instrumented). */
  covered: number;
  total: number;
  /** 0–100; 100 when there are no instrumented lines. */
  percent: number;
}

function coverage(format: Coverage['format'], covered: number, total: number): Coverage {
  return { format, covered, total, percent: total === 0 ? 100 : (covered / total) * 100 };
}

/**
 * lcov (geninfo(1) tracefile format, https://manpages.debian.org/lcov/geninfo.1.en.html#TRACEFILE_FORMAT):
 * per `SF:` record, `LF:`/`LH:` (lines found / hit), or the `DA:<line>,<hits>` lines when a record has no
 * summary.
 */
export function parseLcov(text: string): Coverage {
  let covered = 0;
  let total = 0;
  let record = { lf: -1, lh: -1, da: 0, daHit: 0 };
  const flush = (): void => {
    if (record.lf >= 0) {
      total += record.lf;
      covered += Math.max(0, record.lh);
    } else {
      total += record.da;
      covered += record.daHit;
    }
    record = { lf: -1, lh: -1, da: 0, daHit: 0 };
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('LF:')) record.lf = Number(line.slice(3));
    else if (line.startsWith('LH:')) record.lh = Number(line.slice(3));
    else if (line.startsWith('DA:')) {
      record.da++;
      if (Number(line.slice(3).split(',')[1] ?? '0') > 0) record.daHit++;
    } else if (line === 'end_of_record') flush();
  }
  if (record.lf >= 0 || record.da > 0) flush();
  return coverage('lcov', covered, total);
}

/**
 * Cobertura XML (https://github.com/cobertura/cobertura/blob/master/cobertura/src/site/htdocs/xml/coverage-04.dtd):
 * the root `<coverage lines-covered lines-valid line-rate>`; `line-rate` (0–1) when the counts are absent.
 * @throws ConfigurationError when there is no `<coverage>` root
 */
export async function parseCobertura(text: string): Promise<Coverage> {
  const { XMLParser } = await import('fast-xml-parser'); // loaded on use: keeps the cold start short
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
  const root = (parser.parse(text) as { coverage?: Record<string, unknown> }).coverage;
  if (root === undefined) throw new ConfigurationError('Cobertura report has no <coverage> root element');
  const covered = Number(root['lines-covered']);
  const valid = Number(root['lines-valid']);
  if (Number.isFinite(covered) && Number.isFinite(valid) && valid >= 0)
    return coverage('cobertura', covered, valid);
  const rate = Number(root['line-rate']);
  if (!Number.isFinite(rate))
    throw new ConfigurationError('Cobertura report has neither lines-valid nor line-rate');
  return { format: 'cobertura', covered: rate, total: 1, percent: rate * 100 };
}

/**
 * Istanbul's `json-summary` reporter (`coverage-summary.json`,
 * https://istanbul.js.org/docs/advanced/alternative-reporters/#json-summary): `total.lines.{covered,total,pct}`.
 * @throws ConfigurationError when `total.lines` is missing
 */
export function parseIstanbulSummary(value: unknown): Coverage {
  const lines = (value as { total?: { lines?: { covered?: unknown; total?: unknown } } } | null)?.total
    ?.lines;
  const covered = Number(lines?.covered);
  const total = Number(lines?.total);
  if (!Number.isFinite(covered) || !Number.isFinite(total))
    throw new ConfigurationError('coverage-summary.json has no total.lines.covered / total.lines.total');
  return coverage('istanbul-summary', covered, total);
}

/**
 * Reads a coverage report of any of the three formats.
 * @throws ConfigurationError naming the file when it is missing or in no known format
 */
export async function readCoverage(file: string): Promise<Coverage> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConfigurationError(`coverage-file ${file} does not exist (did the test step write it?)`);
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      return parseIstanbulSummary(JSON.parse(trimmed) as unknown);
    } catch (error) {
      if (error instanceof ConfigurationError) throw new ConfigurationError(`${file}: ${error.message}`);
      throw new ConfigurationError(`${file} is not valid JSON`);
    }
  }
  if (trimmed.startsWith('<')) return parseCobertura(trimmed);
  if (/^(TN|SF):/m.test(text)) return parseLcov(text);
  throw new ConfigurationError(
    `${file} is not an lcov, Cobertura XML or Istanbul coverage-summary.json report`,
  );
}
