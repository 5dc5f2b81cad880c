/**
 * Container image references, as the OCI distribution grammar defines them
 * (https://github.com/distribution/reference/blob/main/reference.go):
 * `[domain[:port]/]path[:tag][@algorithm:hex]`.
 */
import { InputError } from '../errors.ts';
import type { ImageSpec } from './render.ts';
import { quote } from '../output.ts';

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?)`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** The parts of an image reference. */
export interface ImageReference {
  /** Repository name including the registry, e.g. `123.dkr.ecr.us-east-1.amazonaws.com/web`. */
  name: string;
  tag?: string;
  /** `sha256:…` */
  digest?: string;
}

/**
 * Parses an image reference.
 * @param text e.g. `ghcr.io/acme/web@sha256:…`, `registry:5000/web:1.2.3`, `nginx`
 * @returns its parts, or undefined when `text` is not a valid reference (upper-case repository, spaces,
 *   a digest that is not hex, a name longer than 255 characters…)
 */
export function parseImageReference(text: string): ImageReference | undefined {
  const match = REFERENCE.exec(text);
  if (match === null) return undefined;
  const [, name = '', tag, digest] = match;
  if (name.length > 255) return undefined;
  const reference: ImageReference = { name };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  return reference;
}

/**
 * Reads an `image` input: one reference, or `CONTAINER=IMAGE` lines (one per container).
 * @param inputName the input, for errors (e.g. `image`)
 * @returns the spec rendering uses
 * @throws InputError for an empty value, a reference that is not valid, a repeated container, or several
 *   lines without `CONTAINER=`
 */
export function parseImageInput(text: string, inputName: string): ImageSpec {
  const example = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:<64 hex digits>';
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0) throw new InputError(inputName, 'a value is required but none was given', example);
  const check = (reference: string, where: string): string => {
    if (parseImageReference(reference) === undefined)
      throw new InputError(inputName, `${where}${quote(reference)} is not a valid image reference`, example);
    return reference;
  };
  if (!lines.some((line) => line.includes('='))) {
    if (lines.length > 1)
      throw new InputError(inputName, 'several images need one CONTAINER=IMAGE line each', `web=${example}`);
    return { kind: 'one', image: check(lines[0] ?? '', '') };
  }
  const images = new Map<string, string>();
  lines.forEach((line, index) => {
    const equals = line.indexOf('=');
    if (equals <= 0)
      throw new InputError(
        inputName,
        `line ${index + 1} (${quote(line)}) is not CONTAINER=IMAGE`,
        `web=${example}`,
      );
    const container = line.slice(0, equals).trim();
    if (images.has(container))
      throw new InputError(inputName, `container ${quote(container)} is given twice`);
    images.set(container, check(line.slice(equals + 1).trim(), `line ${index + 1}: `));
  });
  return { kind: 'per-container', images };
}
