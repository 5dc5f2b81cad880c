/**
 * Expression evaluation with GitHub's own libraries: `@actions/expressions` lexes, parses and evaluates
 * `${{ }}` expressions; `@actions/workflow-parser` has already turned every templated string of a workflow
 * into a BasicExpressionToken (`'a ${{ x }} b'` → `format('a {0} b', x)`). This module walks those
 * template tokens and evaluates them against the run's contexts, adding the runner's status functions
 * (`success()`, `failure()`, `always()`, `cancelled()`) and `hashFiles()`.
 * Contexts: https://docs.github.com/en/actions/reference/workflows-and-actions/contexts
 */
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { TokenType, type Token } from '@actions/expressions/lexer';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { createHash } from 'node:crypto';
import { globSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { workflowParser } from './parser.ts';

/** A JSON value (what contexts hold and what evaluation returns). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The status the status functions read: the job's (for steps) or the needed jobs' (for jobs). */
export interface StatusState {
  /** success(): nothing before has failed. */
  success: boolean;
  /** failure(): something before has failed. */
  failure: boolean;
  /** cancelled(): the run was cancelled. */
  cancelled: boolean;
}

/** Contexts by name (github, env, vars, secrets, inputs, steps, needs, job, jobs, runner, matrix, strategy). */
export type Contexts = Record<string, Json>;

const CONTEXT_NAMES = [
  'github',
  'env',
  'vars',
  'secrets',
  'inputs',
  'steps',
  'needs',
  'job',
  'jobs',
  'runner',
  'matrix',
  'strategy',
];

/** Thrown when an expression cannot be parsed or evaluated; names the expression. */
export class ExpressionFailure extends Error {
  constructor(expression: string, cause: unknown) {
    super(`Cannot evaluate \${{ ${expression} }}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ExpressionFailure';
  }
}

function toData(value: Json | undefined): data.ExpressionData {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData;
}

function fromData(value: data.ExpressionData): Json {
  return JSON.parse(JSON.stringify(value, data.replacer) ?? 'null') as Json;
}

/**
 * `hashFiles(patterns…)`: SHA-256 of the SHA-256 of each matched file, in path order, as the runner
 * computes it (empty string when nothing matches). Patterns are globs relative to `workspace`.
 */
export function hashFiles(workspace: string, patterns: string[]): string {
  const files = new Set<string>();
  for (const pattern of patterns) {
    for (const match of globSync(pattern, { cwd: workspace })) {
      const full = path.join(workspace, match);
      if (statSync(full).isFile()) files.add(full);
    }
  }
  if (files.size === 0) return '';
  const outer = createHash('sha256');
  for (const file of [...files].sort())
    outer.update(createHash('sha256').update(readFileSync(file)).digest());
  return outer.digest('hex');
}

function statusFunctions(status: StatusState, workspace: string): Map<string, FunctionDefinition> {
  const constant = (name: string, value: () => boolean): FunctionDefinition => ({
    name,
    minArgs: 0,
    maxArgs: 0,
    call: () => new data.BooleanData(value()),
  });
  const functions = new Map<string, FunctionDefinition>();
  functions.set(
    'success',
    constant('success', () => status.success && !status.cancelled),
  );
  functions.set(
    'failure',
    constant('failure', () => status.failure),
  );
  functions.set(
    'always',
    constant('always', () => true),
  );
  functions.set(
    'cancelled',
    constant('cancelled', () => status.cancelled),
  );
  functions.set('hashfiles', {
    name: 'hashFiles',
    minArgs: 1,
    maxArgs: 255,
    call: (...args) =>
      new data.StringData(
        hashFiles(
          workspace,
          args.map((arg) => arg.coerceString()),
        ),
      ),
  });
  return functions;
}

/** What an evaluation needs besides the expression: contexts, status, and the workspace for hashFiles. */
export interface EvaluationScope {
  contexts: Contexts;
  status?: StatusState;
  workspace?: string;
}

const DEFAULT_STATUS: StatusState = { success: true, failure: false, cancelled: false };

/**
 * The content of a YAML block scalar from its source text (what the parser keeps as the format string of a
 * multi-line `run: |` holding `${{ }}`): indentation of the first non-empty line removed from every line,
 * `>` folding of plain lines, and chomping (`|`/`>` clip to one final newline, `-` strip, `+` keep).
 * YAML 1.2 §8.1: https://yaml.org/spec/1.2.2/#81-block-scalar-headers
 */
export function blockScalarContent(source: string, header: string): string {
  const lines = source.split('\n');
  const explicit = /[1-9]/.exec(header);
  const first = lines.find((line) => line.trim() !== '') ?? '';
  const indent = explicit !== null ? Number(explicit[0]) : first.length - first.trimStart().length;
  let body = lines.map((line) =>
    line.slice(0, indent).trim() === '' ? line.slice(indent) : line.trimStart(),
  );
  if (header.startsWith('>')) {
    const folded: string[] = [];
    for (const line of body) {
      const previous = folded.length > 0 ? folded[folded.length - 1] : undefined;
      if (
        previous !== undefined &&
        previous !== '' &&
        line !== '' &&
        !/^\s/.test(line) &&
        !/^\s/.test(previous)
      )
        folded[folded.length - 1] = `${previous} ${line}`;
      else folded.push(line);
    }
    body = folded;
  }
  const text = body.join('\n');
  if (header.includes('+')) return text;
  const stripped = text.replace(/\n+$/, '');
  return header.includes('-') ? stripped : `${stripped}\n`;
}

/**
 * Lexes with the library's lexer and repairs its STRING tokens: @actions/expressions 0.3.61 un-escapes only
 * the first `''` of a string literal (`value.replace("''", "'")` in lexer.js), so the value is taken again from
 * the token's own lexeme. For a block scalar (`blockScalarHeader`), the format string the workflow parser
 * built from the YAML source is reduced to the scalar's content (see blockScalarContent).
 */
function lex(expression: string, blockScalarHeader?: string): Token[] {
  const tokens = new Lexer(expression).lex().tokens;
  for (const token of tokens)
    if (token.type === TokenType.STRING) token.value = token.lexeme.slice(1, -1).replaceAll("''", "'");
  const [call, open, literal] = tokens;
  if (
    blockScalarHeader !== undefined &&
    call?.type === TokenType.IDENTIFIER &&
    call.lexeme.toLowerCase() === 'format' &&
    open?.type === TokenType.LEFT_PAREN &&
    literal?.type === TokenType.STRING
  )
    literal.value = blockScalarContent(String(literal.value), blockScalarHeader);
  return tokens;
}

function evaluateData(
  expression: string,
  scope: EvaluationScope,
  blockScalarHeader?: string,
): data.ExpressionData {
  try {
    const functions = statusFunctions(scope.status ?? DEFAULT_STATUS, scope.workspace ?? process.cwd());
    const tokens = lex(expression, blockScalarHeader);
    const tree = new Parser(tokens, CONTEXT_NAMES, [...functions.values()]).parse();
    const context = toData(scope.contexts as Json) as data.Dictionary;
    return new Evaluator(tree, context, functions).evaluate();
  } catch (error) {
    throw new ExpressionFailure(expression, error);
  }
}

/**
 * Evaluates one expression (without `${{ }}`) to a JSON value.
 * @throws ExpressionFailure when it does not parse or evaluate
 */
export function evaluateExpression(expression: string, scope: EvaluationScope): Json {
  return fromData(evaluateData(expression, scope));
}

/**
 * Evaluates an `if:` condition (already wrapped in `success() && (…)` by the parser where it names no
 * status function) to its truthiness, with the expression language's own coercion.
 */
export function evaluateCondition(expression: string, scope: EvaluationScope): boolean {
  const result = evaluateData(expression, scope);
  switch (result.kind) {
    case data.Kind.Boolean:
      return (result as data.BooleanData).value;
    case data.Kind.Null:
      return false;
    case data.Kind.Number:
      return result.number() !== 0 && !Number.isNaN(result.number());
    case data.Kind.String:
      return result.coerceString() !== '';
    default:
      return true;
  }
}

/**
 * Evaluates a template token (literal, expression, sequence or mapping) to a JSON value.
 * @throws ExpressionFailure for an expression that fails
 */
export function evaluateToken(token: TemplateToken | undefined, scope: EvaluationScope): Json {
  if (token === undefined) return null;
  const wp = workflowParser;
  if (wp.isBasicExpression(token)) {
    const header = token.originalExpressions !== undefined ? token.blockScalarHeader : undefined;
    return fromData(evaluateData(token.expression, scope, header));
  }
  if (wp.isString(token)) return token.value;
  if (wp.isBoolean(token)) return token.value;
  if (wp.isNumber(token)) return token.value;
  if (wp.isSequence(token)) {
    const items: Json[] = [];
    for (let i = 0; i < token.count; i++) items.push(evaluateToken(token.get(i), scope));
    return items;
  }
  if (wp.isMapping(token)) {
    const result: Record<string, Json> = {};
    for (const pair of token)
      result[asString(evaluateToken(pair.key, scope))] = evaluateToken(pair.value, scope);
    return result;
  }
  return null;
}

/** A value as the runner puts it in an env variable or input: strings as they are, others as JSON. */
export function asString(value: Json): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 2);
}

/** Evaluates a mapping token (env, with, outputs) to string values. */
export function evaluateStringMap(
  token: TemplateToken | undefined,
  scope: EvaluationScope,
): Record<string, string> {
  const value = evaluateToken(token, scope);
  const result: Record<string, string> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return result;
  for (const [key, item] of Object.entries(value)) result[key] = asString(item);
  return result;
}
