/**
 * Typed action inputs. Every action reads its inputs through these functions only (in its `inputs.ts`),
 * and a bad value throws an {@link InputError} that names the input, says what is wrong and shows a good
 * value. Values are read with `@actions/core.getInput`, i.e. from `INPUT_<NAME>` where the runner
 * upper-cases the name and turns spaces into `_` (hyphens stay).
 */
import * as core from '@actions/core';
import { isMap, isSeq, LineCounter, parseDocument as parseYamlDocument, type Document } from 'yaml';
import { parseDuration } from './duration.ts';
import { InputError } from './errors.ts';

/** Options common to the readers: `required` fails on an empty value; `default` stands in for one. */
export interface ReadOptions<T> {
  required?: boolean;
  default?: T;
}

/** The raw, trimmed value of an input ('' when unset). */
export function rawInput(name: string): string {
  return core.getInput(name, { trimWhitespace: true });
}

function missing(name: string, example: string): InputError {
  return new InputError(name, 'a value is required but none was given', example);
}

/**
 * A string input.
 * @returns the trimmed value, `options.default` when empty, or '' when neither
 * @throws InputError when `required` and empty
 */
export function getString(name: string, options: ReadOptions<string> & { example?: string } = {}): string {
  const value = rawInput(name);
  if (value !== '') return value;
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
  throw new InputError(name, `"${value}" is not a boolean; use true or false`, 'true');
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
  if (!/^[+-]?\d+$/.test(value)) throw new InputError(name, `"${value}" is not a whole number`, example);
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new InputError(name, `${value} is too large`, example);
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
 * @param options.default a duration string (as in action.yml), e.g. `15m`
 * @param options.min/max bounds in milliseconds
 * @throws InputError for a value that is not a duration or out of bounds
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
      `"${value}" is not a duration${hint}`,
      /^\d+$/.test(value) ? `${value}s` : '90s, 10m or 1h',
    );
  }
  if (options.min !== undefined && ms < options.min) {
    throw new InputError(name, `${value} is shorter than the minimum of ${options.min} ms`);
  }
  if (options.max !== undefined && ms > options.max) {
    throw new InputError(name, `${value} is longer than the maximum of ${options.max} ms`);
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
    if (equals <= 0) throw new InputError(name, `line ${index + 1} ("${line}") is not KEY=VALUE`, example);
    const key = line.slice(0, equals).trim();
    if (!keyPattern.test(key))
      throw new InputError(name, `line ${index + 1}: "${key}" is not a valid key`, example);
    if (map.has(key)) throw new InputError(name, `line ${index + 1}: key "${key}" is given twice`, example);
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
  throw new InputError(name, `"${value}" is not one of ${allowed.join(', ')}`, allowed[0]);
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
    const problem = `not valid YAML/JSON at line ${pos.line}, column ${pos.col}: ${first.message.split('\n')[0]}`;
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
