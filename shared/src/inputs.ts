/**
 * Typed action inputs. Every action reads its inputs through these functions only (in its `inputs.ts`),
 * and a bad value throws an {@link InputError} that names the input, says what is wrong and shows a good
 * value. Values are read with `@actions/core.getInput`, i.e. from `INPUT_<NAME>` where the runner
 * upper-cases the name and turns spaces into `_` (hyphens stay).
 */
import * as core from '@actions/core';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument as parseYamlDocument, type Document } from 'yaml';
import { formatDurationInput, MAX_DURATION_MS, parseDuration } from './duration.ts';
import { InputError } from './errors.ts';
import { quote, truncate } from './output.ts';

/** Options common to the readers: `required` fails on an empty value; `default` stands in for one. */
export interface ReadOptions<T> {
  required?: boolean;
  default?: T;
}

/** Control characters no input may hold: C0 except tab, LF and CR; DEL; C1; Unicode line separators. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * The raw, trimmed value of an input ('' when unset).
 * @throws InputError when the value holds a control character other than tab, LF or CR (NUL, ESC, BEL …:
 *   never meant, and able to hide or colour text in the log)
 */
export function rawInput(name: string): string {
  const value = core.getInput(name, { trimWhitespace: true });
  const control = FORBIDDEN_CONTROL.exec(value);
  if (control !== null)
    throw new InputError(
      name,
      `${quote(value)} contains a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}) at position ${control.index + 1}`,
    );
  return value;
}

function missing(name: string, example: string): InputError {
  return new InputError(name, 'a value is required but none was given', example);
}

/** Options of {@link getString}. */
export interface StringOptions extends ReadOptions<string> {
  example?: string;
  /** Reject line breaks (names, identifiers, single values). */
  singleLine?: boolean;
  /** What the value must match, e.g. ECS names `/^[A-Za-z0-9_-]{1,255}$/`; checked on a given value. */
  pattern?: RegExp;
  /** What `pattern` means, for the error, e.g. `an ECS cluster name (letters, digits, - and _)`. */
  patternName?: string;
}

/**
 * A string input.
 * @returns the trimmed value, `options.default` when empty, or '' when neither
 * @throws InputError when `required` and empty, when `singleLine` and the value has a line break, or when
 *   it does not match `pattern`
 */
export function getString(name: string, options: StringOptions = {}): string {
  const value = rawInput(name);
  if (value !== '') {
    if (options.singleLine === true && /[\r\n]/.test(value))
      throw new InputError(
        name,
        `${quote(value)} spans several lines; one line is expected`,
        options.example,
      );
    if (options.pattern !== undefined && !options.pattern.test(value))
      throw new InputError(
        name,
        `${quote(value)} is not ${options.patternName ?? `a value matching ${String(options.pattern)}`}`,
        options.example,
      );
    return value;
  }
  if (options.required === true) throw missing(name, options.example ?? 'a non-empty value');
  return options.default ?? '';
}

/**
 * A strict boolean: `true`/`True`/`TRUE` or `false`/`False`/`FALSE` (YAML 1.2 core schema, as
 * `core.getBooleanInput`), nothing else — `yes`, `1` and typos are errors, not silent `false`.
 * @throws InputError for any other value, or when `required` and empty
 */
export function getBoolean(name: string, options: ReadOptions<boolean> = {}): boolean {
  const value = rawInput(name);
  if (value === '') {
    if (options.default !== undefined) return options.default;
    if (options.required === true) throw missing(name, 'true');
    return false;
  }
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(name, `${quote(value)} is not a boolean; use true or false`, 'true');
}

/**
 * An integer within an optional inclusive range.
 * @throws InputError for a non-integer, out-of-range value, or when `required` and empty
 */
export function getInteger(
  name: string,
  options: ReadOptions<number> & { min?: number; max?: number } = {},
): number | undefined {
  const value = rawInput(name);
  const example = String(options.min ?? options.default ?? 1);
  if (value === '') {
    if (options.required === true && options.default === undefined) throw missing(name, example);
    return options.default;
  }
  if (!/^[+-]?\d+$/.test(value)) throw new InputError(name, `${quote(value)} is not a whole number`, example);
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new InputError(name, `${quote(value)} is too large`, example);
  if (options.min !== undefined && number < options.min) {
    throw new InputError(name, `${number} is below the minimum of ${options.min}`, String(options.min));
  }
  if (options.max !== undefined && number > options.max) {
    throw new InputError(name, `${number} is above the maximum of ${options.max}`, String(options.max));
  }
  return number;
}

/**
 * A duration such as `90s`, `10m`, `1h30m` or `500ms`, returned in milliseconds.
 * Every duration has an upper bound: `options.max`, else {@link MAX_DURATION_MS} (5 days, the longest a
 * self-hosted job may run; GitHub-hosted jobs end after 6 h), never more than a Node timer can hold
 * (2^31-1 ms ≈ 24.8 days; a longer `setTimeout` fires at once with a TimeoutOverflowWarning).
 * @param options.default a duration string (as in action.yml), e.g. `15m`
 * @param options.min/max bounds in milliseconds
 * @throws InputError for a value that is not a duration or out of bounds, naming the bound
 */
export function getDuration(
  name: string,
  options: { required?: boolean; default?: string; min?: number; max?: number } = {},
): number | undefined {
  let value = rawInput(name);
  if (value === '') {
    if (options.default === undefined) {
      if (options.required === true) throw missing(name, '10m');
      return undefined;
    }
    value = options.default;
  }
  const ms = parseDuration(value);
  if (ms === undefined) {
    const hint = /^\d+(\.\d+)?$/.test(value) ? ' (add a unit: s, m or h)' : '';
    throw new InputError(
      name,
      `${quote(value)} is not a duration${hint}`,
      /^\d+$/.test(value) ? `${value}s` : '90s, 10m or 1h',
    );
  }
  const max = Math.min(options.max ?? MAX_DURATION_MS, MAX_DURATION_MS);
  if (options.min !== undefined && ms < options.min) {
    throw new InputError(
      name,
      `${quote(value)} is shorter than the minimum of ${formatDurationInput(options.min)}`,
      formatDurationInput(options.min),
    );
  }
  if (ms > max) {
    throw new InputError(
      name,
      `${quote(value)} is longer than the maximum of ${formatDurationInput(max)}`,
      formatDurationInput(max),
    );
  }
  return ms;
}

/**
 * A list: items separated by newlines or commas, trimmed; empty items and lines starting with `#` are
 * dropped.
 * @param options.separator `'newline-or-comma'` (default) or `'newline'` for items that may hold commas
 * @throws InputError when `required` and the list is empty
 */
export function getList(
  name: string,
  options: { required?: boolean; separator?: 'newline-or-comma' | 'newline'; example?: string } = {},
): string[] {
  const value = rawInput(name);
  const lines = value.split(/\r?\n/).filter((line) => !line.trim().startsWith('#'));
  const items = (options.separator === 'newline' ? lines : lines.flatMap((line) => line.split(',')))
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0 && options.required === true) throw missing(name, options.example ?? 'one, two');
  return items;
}

/**
 * A `KEY=VALUE` map, one pair per line (the value may contain `=`; blank lines and `#` comments are
 * skipped). Order is kept.
 * @param options.keyPattern what a key must match (default: not empty, no whitespace)
 * @throws InputError naming the line number for a line without `=`, a bad key or a repeated key
 */
export function getMap(
  name: string,
  options: { required?: boolean; keyPattern?: RegExp; example?: string } = {},
): Map<string, string> {
  const example = options.example ?? 'LOG_LEVEL=info';
  const value = rawInput(name);
  const map = new Map<string, string>();
  const keyPattern = options.keyPattern ?? /^\S+$/;
  value.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const equals = line.indexOf('=');
    if (equals <= 0)
      throw new InputError(name, `line ${index + 1} (${quote(line)}) is not KEY=VALUE`, example);
    const key = line.slice(0, equals).trim();
    if (!keyPattern.test(key))
      throw new InputError(name, `line ${index + 1}: ${quote(key)} is not a valid key`, example);
    if (map.has(key))
      throw new InputError(name, `line ${index + 1}: key ${quote(key)} is given twice`, example);
    map.set(key, line.slice(equals + 1).trim());
  });
  if (map.size === 0 && options.required === true) throw missing(name, example);
  return map;
}

/**
 * One of a fixed set of values (case-sensitive, as written in action.yml).
 * @throws InputError listing the allowed values
 */
export function getEnum<T extends string>(
  name: string,
  allowed: readonly T[],
  options: ReadOptions<T> = {},
): T {
  const value = rawInput(name);
  if (value === '') {
    if (options.default !== undefined) return options.default;
    throw missing(name, allowed[0] ?? '');
  }
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(name, `${quote(value)} is not one of ${allowed.join(', ')}`, allowed[0]);
}

/** A parsed JSON/YAML document that can point back at the line of any value in it. */
export interface ParsedDocument {
  /** The document as plain data. */
  value: unknown;
  /**
   * Where the value at `path` starts in the text (1-based line and column), or the nearest existing
   * parent's position; undefined when the document is empty.
   */
  locate(path: readonly (string | number)[]): { line: number; column: number } | undefined;
}

/**
 * Parses JSON or YAML text (JSON is YAML, so one parser reads both) keeping positions.
 * @param source names the text in errors, e.g. `Input 'checks'` or a file path
 * @throws InputError-like Error naming `source`, the line and column of the first syntax error
 */
export function parseDocumentText(text: string, source: { input?: string; file?: string }): ParsedDocument {
  const lineCounter = new LineCounter();
  const document: Document = parseYamlDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = document.errors[0];
  if (first !== undefined) {
    const pos = lineCounter.linePos(first.pos[0]);
    const problem = `not valid YAML/JSON at line ${pos.line}, column ${pos.col}: ${truncate(first.message.split('\n')[0] ?? '')}`;
    if (source.input !== undefined) throw new InputError(source.input, problem);
    throw new Error(`${source.file ?? 'document'}: ${problem}`);
  }
  return {
    value: document.toJS({ maxAliasCount: 100 }) as unknown,
    locate(path) {
      for (let length = path.length; length >= 0; length--) {
        const node = document.getIn(path.slice(0, length), true) as
          { range?: [number, number, number] } | undefined;
        const offset = node?.range?.[0];
        if (offset !== undefined) {
          const pos = lineCounter.linePos(offset);
          return { line: pos.line, column: pos.col };
        }
        if (length === 0 && (isMap(document.contents) || isSeq(document.contents))) {
          const start = document.contents.range?.[0] ?? 0;
          const pos = lineCounter.linePos(start);
          return { line: pos.line, column: pos.col };
        }
      }
      return undefined;
    },
  };
}

/**
 * A JSON or YAML document input.
 * @returns the parsed document, or undefined when the input is empty and not required
 * @throws InputError naming the line and column of a syntax error, or when `required` and empty
 */
export function getDocument(
  name: string,
  options: { required?: boolean; example?: string } = {},
): ParsedDocument | undefined {
  const value = core.getInput(name, { trimWhitespace: false });
  if (value.trim() === '') {
    if (options.required === true)
      throw missing(name, options.example ?? '- url: https://example.com/health');
    return undefined;
  }
  return parseDocumentText(value, { input: name });
}

/** Options of {@link getPath} and {@link containPath}. */
export interface PathOptions {
  required?: boolean;
  /** Used when the input is empty (relative to the workspace like a value). */
  default?: string;
  /** `input` (default): must resolve inside GITHUB_WORKSPACE; `output`: inside it or RUNNER_TEMP. */
  kind?: 'input' | 'output';
  /** A good value for the error, e.g. `db/migration`. */
  example?: string;
}

/** The folder paths resolve against and must stay in: GITHUB_WORKSPACE, else the working directory. */
export function workspaceRoot(): string {
  return path.resolve(process.env['GITHUB_WORKSPACE'] || process.cwd());
}

/**
 * Resolves a path the way the file system will, symlinks included, even when it does not exist yet: the
 * real path (`realpath`) of its nearest existing ancestor, with the missing rest appended.
 */
function realResolve(absolute: string): string {
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return path.join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return absolute;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative))
  );
}

/**
 * Checks that a path value stays inside the workspace (or, for outputs, RUNNER_TEMP), following `..` and
 * symlinks — a symlink in the workspace that points to /etc does not let a value reach /etc.
 * @param name  the input the value came from, for the error
 * @param value a path relative to GITHUB_WORKSPACE, or absolute
 * @returns the absolute path (as written, resolved against the workspace; not the symlink-resolved one)
 * @throws InputError naming the input when the path resolves outside
 */
export function containPath(name: string, value: string, options: PathOptions = {}): string {
  const root = workspaceRoot();
  const absolute = path.resolve(root, value);
  const real = realResolve(absolute);
  const roots = [realResolve(root)];
  const runnerTemp = process.env['RUNNER_TEMP'];
  if (options.kind === 'output' && runnerTemp) roots.push(realResolve(path.resolve(runnerTemp)));
  if (roots.some((allowed) => isInside(allowed, real))) return absolute;
  const where = options.kind === 'output' ? 'the workspace or RUNNER_TEMP' : 'the workspace';
  throw new InputError(
    name,
    `${quote(value)} resolves to ${quote(real)}, outside ${where} (${root})`,
    options.example ?? (options.kind === 'output' ? 'reports/result.json' : 'path/in/the/repository'),
  );
}

/**
 * A path input, contained in GITHUB_WORKSPACE (see {@link containPath}); `kind: 'output'` also allows
 * RUNNER_TEMP, for files the action writes.
 * @returns the absolute path, or '' when the input is empty and there is no default
 * @throws InputError naming the input when empty and `required`, or when the path escapes
 */
export function getPath(name: string, options: PathOptions = {}): string {
  const value = getString(name, {
    singleLine: true,
    ...(options.example === undefined ? {} : { example: options.example }),
  });
  const chosen = value === '' ? (options.default ?? '') : value;
  if (chosen === '') {
    if (options.required === true) throw missing(name, options.example ?? 'path/in/the/repository');
    return '';
  }
  return containPath(name, chosen, options);
}

/**
 * A list of paths (see {@link getList}), each contained like {@link getPath}.
 * @returns absolute paths, in order
 * @throws InputError naming the input for the first path that escapes
 */
export function getPathList(
  name: string,
  options: PathOptions & { separator?: 'newline-or-comma' | 'newline' } = {},
): string[] {
  const items = getList(name, {
    ...(options.required === true ? { required: true } : {}),
    ...(options.separator === undefined ? {} : { separator: options.separator }),
    ...(options.example === undefined ? {} : { example: options.example }),
  });
  return items.map((item) => containPath(name, item, options));
}
