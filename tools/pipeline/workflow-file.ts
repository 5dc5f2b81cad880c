/**
 * Reads a workflow file with `@actions/workflow-parser`: schema validation, expressions parsed into
 * tokens, and the converted model (jobs, needs, `if:` with the implicit `success() &&`). The converter
 * leaves out some keys the runner needs (`with:`, `shell`, `working-directory`, `timeout-minutes`,
 * `defaults`, `on.workflow_call.outputs`); those are read from the same validated token tree.
 */
import type { WorkflowTemplate } from '@actions/workflow-parser';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { workflowParser } from './parser.ts';

/** A parsed workflow: the converted model and the validated token tree it came from. */
export interface WorkflowFile {
  /** Absolute path of the file. */
  path: string;
  template: WorkflowTemplate;
  root: MappingToken;
}

/** Thrown when a workflow file does not validate against GitHub's workflow schema. */
export class WorkflowFileError extends Error {
  constructor(file: string, messages: string[]) {
    super(`${file} is not a valid workflow:\n  ${messages.join('\n  ')}`);
    this.name = 'WorkflowFileError';
  }
}

/**
 * Parses and validates a workflow file.
 * @param file path of the YAML file
 * @throws WorkflowFileError listing the parser's errors (schema, expressions, needs cycles)
 */
export async function loadWorkflow(file: string): Promise<WorkflowFile> {
  const absolute = path.resolve(file);
  const content = await readFile(absolute, 'utf8');
  const wp = workflowParser;
  const parsed = wp.parseWorkflow(
    { name: path.basename(absolute), content },
    new wp.NoOperationTraceWriter(),
  );
  const parseErrors = parsed.context.errors.getErrors().map((error) => error.message);
  if (parseErrors.length > 0 || parsed.value === undefined) throw new WorkflowFileError(file, parseErrors);
  const template = await wp.convertWorkflowTemplate(parsed.context, parsed.value);
  const errors = [
    ...parsed.context.errors.getErrors().map((e) => e.message),
    ...(template.errors ?? []).map((e) => e.Message),
  ];
  if (errors.length > 0) throw new WorkflowFileError(file, [...new Set(errors)]);
  if (!wp.isMapping(parsed.value)) throw new WorkflowFileError(file, ['the document is not a mapping']);
  return { path: absolute, template, root: parsed.value };
}

/** The value under `key` of a mapping token (undefined when absent or not a mapping). */
export function child(token: TemplateToken | undefined, key: string): TemplateToken | undefined {
  if (token === undefined || !workflowParser.isMapping(token)) return undefined;
  return token.find(key);
}

/** The raw mapping of job `jobId`. */
export function rawJob(workflow: WorkflowFile, jobId: string): TemplateToken | undefined {
  return child(child(workflow.root, 'jobs'), jobId);
}

/** The raw mapping of step `index` of job `jobId`. */
export function rawStep(workflow: WorkflowFile, jobId: string, index: number): TemplateToken | undefined {
  const steps = child(rawJob(workflow, jobId), 'steps');
  if (steps === undefined || !workflowParser.isSequence(steps) || index >= steps.count) return undefined;
  return steps.get(index);
}

/** `on.workflow_call` of the workflow, when it declares one. */
export function workflowCallTrigger(workflow: WorkflowFile): TemplateToken | undefined {
  return child(child(workflow.root, 'on'), 'workflow_call');
}

/** A literal scalar of a mapping as a string (undefined when absent or an expression). */
export function literal(token: TemplateToken | undefined, key: string): string | undefined {
  const value = child(token, key);
  if (value === undefined) return undefined;
  const wp = workflowParser;
  if (wp.isString(value)) return value.value;
  if (wp.isNumber(value) || wp.isBoolean(value)) return String(value.value);
  return undefined;
}
