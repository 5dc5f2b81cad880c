/**
 * Linter output formats turned into SARIF 2.1.0 runs: ESLint's JSON formatter, Checkstyle XML, the
 * GCC-style `file:line:col: level: message` line, and a problem-matcher-style regular expression with
 * named groups. (Native SARIF needs no conversion.) Each function returns one run for the linter.
 */
import { newRun, type Level, type Result, type Run } from '../../../../shared/src/sarif/types.ts';

/** A finding as most line formats give it. */
export interface LineFinding {
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  level: Level;
  ruleId?: string;
  message: string;
}

/** A positive integer from a string or number, else undefined. */
function positive(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isInteger(number) && number > 0 ? number : undefined;
}

/**
 * Maps a tool's severity word to a SARIF level: error/fatal/failure → error; warning/warn → warning;
 * info/note/notice/style/hint → note. Unknown words are warnings.
 */
export function levelFromWord(word: string | undefined): Level {
  const value = (word ?? '').trim().toLowerCase();
  if (['error', 'err', 'fatal', 'failure', 'e'].includes(value)) return 'error';
  if (['info', 'information', 'note', 'notice', 'style', 'hint', 'convention', 'refactor'].includes(value))
    return 'note';
  return 'warning';
}

/**
 * A SARIF run for one linter from line findings.
 * @param tool the linter's name (becomes `tool.driver.name`)
 */
export function runFromFindings(
  tool: string,
  findings: readonly LineFinding[],
  informationUri?: string,
): Run {
  const results: Result[] = findings.map((finding) => {
    const result: Result = {
      ruleId: finding.ruleId ?? tool,
      level: finding.level,
      message: { text: finding.message },
    };
    if (finding.file !== undefined && finding.file !== '') {
      const region: NonNullable<
        NonNullable<NonNullable<Result['locations']>[number]['physicalLocation']>['region']
      > = {};
      if (finding.line !== undefined) region.startLine = finding.line;
      if (finding.column !== undefined) region.startColumn = finding.column;
      if (finding.endLine !== undefined && finding.line !== undefined && finding.endLine >= finding.line)
        region.endLine = finding.endLine;
      if (
        finding.endColumn !== undefined &&
        finding.column !== undefined &&
        (region.endLine === undefined || region.endLine === region.startLine
          ? finding.endColumn > finding.column
          : true)
      )
        region.endColumn = finding.endColumn;
      result.locations = [
        {
          physicalLocation: {
            artifactLocation: { uri: finding.file },
            ...(Object.keys(region).length === 0 ? {} : { region }),
          },
        },
      ];
    }
    return result;
  });
  return newRun({ name: tool, ...(informationUri === undefined ? {} : { informationUri }) }, results);
}

/**
 * ESLint's `--format json` output: `[{filePath, messages: [{ruleId, severity: 1|2, message, line, column,
 * endLine, endColumn, fatal}]}]` (https://eslint.org/docs/latest/use/formatters/#json).
 * Severity 2 (and fatal parse errors) are errors, 1 warnings.
 * @throws Error when the text is not that JSON
 */
export function parseEslintJson(text: string, tool = 'ESLint'): Run {
  let files: unknown;
  try {
    files = JSON.parse(text);
  } catch {
    throw new Error(`${tool}: output is not ESLint JSON (expected the json formatter's array)`);
  }
  if (!Array.isArray(files)) throw new Error(`${tool}: output is not ESLint JSON (expected an array)`);
  const findings: LineFinding[] = [];
  for (const file of files as { filePath?: string; messages?: Record<string, unknown>[] }[]) {
    for (const message of file.messages ?? []) {
      const finding: LineFinding = {
        file: file.filePath ?? '',
        level: message['severity'] === 2 || message['fatal'] === true ? 'error' : 'warning',
        message: String(message['message'] ?? ''),
      };
      if (typeof message['ruleId'] === 'string') finding.ruleId = message['ruleId'];
      else if (message['fatal'] === true) finding.ruleId = 'parse-error';
      const line = positive(message['line']);
      const column = positive(message['column']);
      const endLine = positive(message['endLine']);
      const endColumn = positive(message['endColumn']);
      if (line !== undefined) finding.line = line;
      if (column !== undefined) finding.column = column;
      if (endLine !== undefined) finding.endLine = endLine;
      if (endColumn !== undefined) finding.endColumn = endColumn;
      findings.push(finding);
    }
  }
  return runFromFindings(tool, findings, 'https://eslint.org');
}

/**
 * Checkstyle XML: `<checkstyle><file name="…"><error line="" column="" severity="error|warning|info"
 * message="" source="rule"/></file></checkstyle>` (the format of Checkstyle's XMLLogger, which ESLint,
 * stylelint, ktlint, detekt, PHP_CodeSniffer and others also write).
 * @throws Error when the text has no `<checkstyle>` root
 */
export async function parseCheckstyle(text: string, tool: string): Promise<Run> {
  const { XMLParser } = await import('fast-xml-parser'); // loaded on use: keeps the cold start short
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'file' || name === 'error',
  });
  const document = parser.parse(text) as {
    checkstyle?: { file?: { name?: string; error?: Record<string, string>[] }[] };
  };
  if (document.checkstyle === undefined)
    throw new Error(`${tool}: output is not Checkstyle XML (no <checkstyle> root)`);
  const findings: LineFinding[] = [];
  for (const file of document.checkstyle.file ?? []) {
    for (const error of file.error ?? []) {
      const finding: LineFinding = {
        file: file.name ?? '',
        level: levelFromWord(error['severity']),
        message: error['message'] ?? '',
      };
      if (error['source'] !== undefined && error['source'] !== '') finding.ruleId = error['source'];
      const line = positive(error['line']);
      const column = positive(error['column']);
      if (line !== undefined) finding.line = line;
      if (column !== undefined) finding.column = column;
      findings.push(finding);
    }
  }
  return runFromFindings(tool, findings);
}

/** ANSI colour escape sequences (ESC [ … m), which some tools print even when piped. */
// eslint-disable-next-line no-control-regex -- matching the ESC control character is the point
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

/** GCC's diagnostic line: `file:line[:column]: level: message [rule]` (https://gcc.gnu.org/onlinedocs/gcc/Diagnostic-Message-Formatting-Options.html). */
export const GCC_PATTERN =
  /^(?<file>[^:\n]+):(?<line>\d+)(?::(?<column>\d+))?:\s*(?:(?<severity>fatal error|error|warning|note|info|style)\s*:\s*)?(?<message>.+?)(?:\s+\[(?<code>[^\]]+)\])?$/;

/**
 * Lines matched by a regular expression with named groups `file`, `line`, `column`, `endLine`,
 * `endColumn`, `severity`, `code` and `message` (as a GitHub problem matcher's pattern, with names in
 * place of group numbers: https://github.com/actions/toolkit/blob/main/docs/problem-matchers.md).
 * Lines that do not match are ignored. `message` is required in the pattern.
 * @param defaultLevel the level when the pattern has no `severity` group or it is empty
 */
export function parseWithPattern(
  text: string,
  pattern: RegExp,
  tool: string,
  defaultLevel: Level = 'error',
): Run {
  const findings: LineFinding[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(ANSI_COLOUR, '');
    const groups = pattern.exec(line)?.groups;
    if (groups === undefined || groups['message'] === undefined) continue;
    const finding: LineFinding = {
      level:
        groups['severity'] === undefined || groups['severity'] === ''
          ? defaultLevel
          : levelFromWord(groups['severity'].replace(/^fatal /, '')),
      message: groups['message'].trim(),
    };
    if (groups['file'] !== undefined) finding.file = groups['file'].trim();
    if (groups['code'] !== undefined) finding.ruleId = groups['code'];
    for (const key of ['line', 'column', 'endLine', 'endColumn'] as const) {
      const value = positive(groups[key]);
      if (value !== undefined) finding[key] = value;
    }
    findings.push(finding);
  }
  return runFromFindings(tool, findings);
}
