/**
 * Field validation in the Kubernetes API stand-in: finds fields an object sets that its kind does not declare,
 * as the API server does for `fieldValidation=Strict` (an error) and `Warn` (a `Warning` header), the default
 * since 1.27 (https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation). The declared
 * fields are those of the API's protobuf messages (protobuf-schema.ts), whose field names are the JSON names.
 */
import { isMap, itemKey, mergeKeyOf } from './patch.ts';
import { PROTO_MESSAGES } from './protobuf-schema.ts';
import type { ResourceInfo } from './resources.ts';

const PACKAGE: Record<string, string> = {
  '': 'k8s.io.api.core.v1',
  apps: 'k8s.io.api.apps.v1',
  batch: 'k8s.io.api.batch.v1',
};

/** Messages whose JSON form is not an object of their proto fields (they encode as strings, numbers, any JSON). */
const OPAQUE = new Set([
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'k8s.io.apimachinery.pkg.api.resource.Quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  'k8s.io.apimachinery.pkg.runtime.RawExtension',
]);

/** Go structs embedded with `json:",inline"`: their fields appear on the parent in JSON. */
const INLINE = new Set(['volumeSource', 'handler', 'ephemeralContainerCommon', 'localObjectReference']);

function declared(type: string): Map<string, { ftype: string; repeated: number }> {
  const out = new Map<string, { ftype: string; repeated: number }>();
  for (const [name, ftype, repeated] of Object.values(PROTO_MESSAGES[type] ?? {})) {
    if (INLINE.has(name)) for (const [k, v] of declared(ftype)) out.set(k, v);
    else out.set(name, { ftype, repeated });
  }
  return out;
}

interface Found {
  /** `spec.template.spec.containers[0].imagee` (strict decoding's form). */
  path: string;
  /** `.spec.template.spec.containers[name="web"].imagee` (server-side apply's form). */
  applyPath: string;
}

function keyText(item: unknown, field: string, list: unknown[], index: number): string {
  const keys = mergeKeyOf(field, list);
  if (!keys || !isMap(item)) return `[${index}]`;
  const id = JSON.parse(itemKey(item, keys)) as Record<string, unknown>;
  return `[${Object.entries(id)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}]`;
}

function walk(
  type: string,
  value: unknown,
  path: string,
  applyPath: string,
  out: Found[],
  prune: boolean,
): void {
  if (OPAQUE.has(type) || !isMap(value)) return;
  const schema = PROTO_MESSAGES[type];
  if (!schema) return;
  const fields = declared(type);
  for (const [key, child] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    const applyHere = `${applyPath}.${key}`;
    const field = fields.get(key);
    if (!field) {
      out.push({ path: here, applyPath: applyHere });
      if (prune) delete value[key];
      continue;
    }
    if (field.ftype.startsWith('map<')) {
      const valueType = field.ftype.slice(4, -1).split(',')[1] ?? '';
      if (valueType.includes('.') && isMap(child)) {
        for (const [k, v] of Object.entries(child))
          walk(valueType, v, `${here}[${k}]`, `${applyHere}.${k}`, out, prune);
      }
      continue;
    }
    if (!field.ftype.includes('.')) continue;
    if (field.repeated && Array.isArray(child)) {
      child.forEach((item, i) =>
        walk(field.ftype, item, `${here}[${i}]`, `${applyHere}${keyText(item, key, child, i)}`, out, prune),
      );
    } else walk(field.ftype, child, here, applyHere, out, prune);
  }
}

function find(info: ResourceInfo, obj: unknown, prune: boolean): Found[] {
  const type = `${PACKAGE[info.group] ?? ''}.${info.kind}`;
  if (!PROTO_MESSAGES[type] || !isMap(obj)) return [];
  const out: Found[] = [];
  const { apiVersion, kind } = obj;
  delete obj.apiVersion;
  delete obj.kind;
  try {
    walk(type, obj, '', '', out, prune);
  } finally {
    if (apiVersion !== undefined) obj.apiVersion = apiVersion;
    if (kind !== undefined) obj.kind = kind;
  }
  return out;
}

/**
 * Server-side apply's form of the undeclared fields of an applied configuration
 * (`.spec.template.spec.containers[name="web"].imagee`): an apply with any of them fails (500 "field not
 * declared in schema") whatever fieldValidation says, as on a real API server.
 */
export function undeclaredForApply(info: ResourceInfo, obj: unknown): string[] {
  return find(info, obj, false).map((f) => f.applyPath);
}

/**
 * The paths (`spec.template.spec.containers[0].imagee`) of fields `obj` sets that its kind does not declare;
 * [] for kinds the schema does not cover. With `prune`, also removes them from `obj` (in place), as the API
 * server drops unknown fields when it decodes an object.
 */
export function unknownFields(info: ResourceInfo, obj: unknown, prune = false): string[] {
  return find(info, obj, prune).map((f) => f.path);
}
