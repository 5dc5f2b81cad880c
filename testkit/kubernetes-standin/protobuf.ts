/**
 * Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into JSON objects, so
 * the stand-in accepts what kubectl's typed clients send on create (`kubectl create job|deployment|secret…`).
 * Format: the 4-byte magic `k8s\0`, then a runtime.Unknown message (typeMeta, raw) whose raw bytes are the
 * object's message (https://kubernetes.io/docs/reference/using-api/api-concepts/#protobuf-encoding).
 * Field numbers come from protobuf-schema.ts (generated from the API's generated.proto files). Zero scalars
 * of non-pointer Go fields are dropped, as the API server's JSON (omitempty) drops them.
 */
import { PROTO_MESSAGES } from './protobuf-schema.ts';
import { badRequest } from './store.ts';

/** The protobuf media type of the Kubernetes API. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

class Reader {
  pos = 0;
  readonly buf: Buffer;
  readonly end: number;
  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    if (this.pos + len > this.end) throw badRequest('protobuf: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw badRequest(`protobuf: unsupported wire type ${wire}`);
  }
}

function scalar(type: string, wire: number, r: Reader): unknown {
  if (wire === 2 && type !== 'string' && type !== 'bytes')
    throw badRequest('protobuf: unexpected length-delimited scalar');
  switch (type) {
    case 'string':
      return r.bytes().toString('utf8');
    case 'bytes':
      return r.bytes().toString('base64');
    case 'bool':
      return r.varint() !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, r.varint()));
    case 'int64':
      return Number(BigInt.asIntN(64, r.varint()));
    case 'uint32':
    case 'uint64':
      return Number(r.varint());
    case 'double': {
      const v = r.buf.readDoubleLE(r.pos);
      r.pos += 8;
      return v;
    }
    case 'float': {
      const v = r.buf.readFloatLE(r.pos);
      r.pos += 4;
      return v;
    }
    default:
      throw badRequest(`protobuf: unsupported scalar type ${type}`);
  }
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

/** Decodes one message of type `type` (a full proto name) into its JSON form. */
export function decodeMessage(type: string, buf: Buffer): unknown {
  const special = decodeSpecial(type, buf);
  if (special !== NOT_SPECIAL) return special;
  const schema = PROTO_MESSAGES[type];
  if (!schema) throw badRequest(`protobuf: the stand-in does not know message ${type}`);
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (r.pos < r.end) {
    const key = Number(r.varint());
    const num = key >>> 3;
    const wire = key & 7;
    const field = schema[num];
    if (!field) {
      r.skip(wire);
      continue;
    }
    const [name, ftype, repeated, keepZero] = field;
    if (ftype.startsWith('map<')) {
      const [kType, vType] = ftype.slice(4, -1).split(',') as [string, string];
      const er = new Reader(r.bytes());
      let k: unknown = '';
      let v: unknown = isMessage(vType) ? {} : '';
      while (er.pos < er.end) {
        const ek = Number(er.varint());
        const en = ek >>> 3;
        const ew = ek & 7;
        if (en === 1) k = scalar(kType, ew, er);
        else if (en === 2) v = isMessage(vType) ? decodeMessage(vType, er.bytes()) : scalar(vType, ew, er);
        else er.skip(ew);
      }
      const map = (out[name] ??= {}) as Record<string, unknown>;
      map[String(k)] = v;
      continue;
    }
    if (isMessage(ftype)) {
      const value = decodeMessage(ftype, r.bytes());
      if (repeated) ((out[name] ??= []) as unknown[]).push(value);
      else if (value !== undefined) out[name] = value;
      continue;
    }
    if (repeated && wire === 2 && ftype !== 'string' && ftype !== 'bytes') {
      const packed = new Reader(r.bytes());
      const list = (out[name] ??= []) as unknown[];
      while (packed.pos < packed.end)
        list.push(scalar(ftype, ftype === 'double' ? 1 : ftype === 'float' ? 5 : 0, packed));
      continue;
    }
    const value = scalar(ftype, wire, r);
    if (repeated) ((out[name] ??= []) as unknown[]).push(value);
    else if (keepZero || !isZero(value)) out[name] = value;
  }
  return out;
}

function isMessage(type: string): boolean {
  return type.includes('.');
}

const NOT_SPECIAL = Symbol('not special');

function fieldsOf(buf: Buffer): Map<number, { wire: number; value: bigint | Buffer }> {
  const r = new Reader(buf);
  const out = new Map<number, { wire: number; value: bigint | Buffer }>();
  while (r.pos < r.end) {
    const key = Number(r.varint());
    const wire = key & 7;
    out.set(key >>> 3, {
      wire,
      value: wire === 2 ? r.bytes() : wire === 0 ? r.varint() : (r.skip(wire), 0n),
    });
  }
  return out;
}

function decodeSpecial(type: string, buf: Buffer): unknown {
  switch (type) {
    case `${META}.Time`:
    case `${META}.MicroTime`: {
      const f = fieldsOf(buf);
      const seconds = Number(BigInt.asIntN(64, (f.get(1)?.value as bigint | undefined) ?? 0n));
      const nanos = Number((f.get(2)?.value as bigint | undefined) ?? 0n);
      if (seconds === 0 && nanos === 0) return undefined;
      const iso = new Date(seconds * 1000).toISOString();
      return type.endsWith('MicroTime')
        ? iso.replace(/\.\d{3}Z$/, `.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`)
        : iso.replace(/\.\d{3}Z$/, 'Z');
    }
    case `${META}.Duration`: {
      const ns = Number((fieldsOf(buf).get(1)?.value as bigint | undefined) ?? 0n);
      return `${ns / 1e9}s`;
    }
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
      return ((fieldsOf(buf).get(1)?.value as Buffer | undefined) ?? Buffer.alloc(0)).toString('utf8');
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
      const f = fieldsOf(buf);
      const kind = Number((f.get(1)?.value as bigint | undefined) ?? 0n);
      if (kind === 1) return ((f.get(3)?.value as Buffer | undefined) ?? Buffer.alloc(0)).toString('utf8');
      return Number(BigInt.asIntN(32, (f.get(2)?.value as bigint | undefined) ?? 0n));
    }
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
    case `${META}.FieldsV1`: {
      const raw = fieldsOf(buf).get(1)?.value as Buffer | undefined;
      if (!raw || raw.length === 0) return undefined;
      try {
        return JSON.parse(raw.toString('utf8'));
      } catch {
        throw badRequest(`protobuf: ${type} does not hold JSON`);
      }
    }
    default:
      return NOT_SPECIAL;
  }
}

const PACKAGES: Record<string, string> = {
  v1: 'k8s.io.api.core.v1',
  'apps/v1': 'k8s.io.api.apps.v1',
  'batch/v1': 'k8s.io.api.batch.v1',
};

/**
 * Decodes a whole request body: magic, runtime.Unknown envelope, then the object (with apiVersion and kind
 * from the envelope's typeMeta). Throws BadRequest for anything else.
 */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw badRequest('protobuf: missing the k8s magic prefix');
  const unknown = decodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', body.subarray(4)) as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: string;
  };
  const apiVersion = unknown.typeMeta?.apiVersion ?? '';
  const kind = unknown.typeMeta?.kind ?? '';
  const pkg = PACKAGES[apiVersion];
  if (!pkg || !PROTO_MESSAGES[`${pkg}.${kind}`])
    throw badRequest(`protobuf: the stand-in cannot decode ${apiVersion} ${kind}`);
  const obj = decodeMessage(`${pkg}.${kind}`, Buffer.from(unknown.raw ?? '', 'base64')) as Record<
    string,
    unknown
  >;
  return { apiVersion, kind, ...obj };
}
