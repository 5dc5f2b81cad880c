/**
 * Reading a task-definition template file named by an input (JSON or YAML; the output of
 * `aws ecs describe-task-definition` as is).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, describeThrown } from '../errors.ts';
import { parseDocumentText } from '../inputs.ts';
import { normalizeTemplate, type TaskDefinitionDocument } from './render.ts';
import { quote } from '../output.ts';

/**
 * Loads and normalizes a template file.
 * @param file a path, relative to `GITHUB_WORKSPACE` (or the working directory)
 * @param inputName the input that named it, for errors
 * @returns the normalized document (read-only fields dropped, unknown fields kept)
 * @throws InputError when the file cannot be read, does not parse, or is not a task definition
 */
export function loadTemplateFile(file: string, inputName: string): TaskDefinitionDocument {
  const full = path.resolve(process.env['GITHUB_WORKSPACE'] ?? process.cwd(), file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    throw new InputError(
      inputName,
      `cannot read ${quote(file)}: ${describeThrown(error)}`,
      'ecs/task-definition.json',
    );
  }
  try {
    return normalizeTemplate(parseDocumentText(text, { file }).value, file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(inputName, describeThrown(error));
  }
}
