/**
 * Kubernetes protobuf request bodies (magic `k8s\0` + runtime.Unknown) decoded by the stand-in. The bodies are
 * built here with a minimal protobuf writer from the field numbers of k8s.io/api's generated.proto.
 */
import { describe, expect, test } from 'vitest';
import { decodeKubernetesProtobuf } from '../../../testkit/kubernetes-standin/protobuf.ts';

function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}
const str = (field: number, s: string | Buffer): Buffer => {
  const b = Buffer.isBuffer(s) ? s : Buffer.from(s);
  return Buffer.concat([varint((field << 3) | 2), varint(b.length), b]);
};
const int = (field: number, n: number): Buffer => Buffer.concat([varint(field << 3), varint(n)]);
const msg = (field: number, ...parts: Buffer[]): Buffer => str(field, Buffer.concat(parts));
const entry = (field: number, k: string, v: string): Buffer => msg(field, str(1, k), str(2, v));

describe('decodeKubernetesProtobuf', () => {
  test('a Job as kubectl create job sends it', () => {
    const job = Buffer.concat([
      msg(1, str(1, 'migrate'), str(3, 'default'), entry(11, 'team', 'db'), msg(8)), // metadata, zero creationTimestamp
      msg(
        2, // spec
        int(7, 0), // backoffLimit 0 (a pointer field: kept)
        msg(
          6, // template
          msg(1, str(2, '')), // metadata with an empty generateName: dropped
          msg(
            2, // PodSpec
            msg(
              2,
              str(1, 'migrate'),
              str(2, 'registry.local/migrations:1'),
              str(3, 'sh'),
              str(3, '-c'),
              str(3, 'exit 0'),
              int(16, 0),
            ),
            str(3, 'Never'),
            int(11, 0), // hostNetwork false (not a pointer): dropped
          ),
        ),
      ),
      msg(3), // status
    ]);
    const unknown = Buffer.concat([
      msg(1, str(1, 'batch/v1'), str(2, 'Job')),
      str(2, job),
      str(3, ''),
      str(4, ''),
    ]);
    const body = Buffer.concat([Buffer.from('k8s\0', 'binary'), unknown]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: 'default', labels: { team: 'db' } },
      spec: {
        backoffLimit: 0,
        template: {
          metadata: {},
          spec: {
            containers: [
              { name: 'migrate', image: 'registry.local/migrations:1', command: ['sh', '-c', 'exit 0'] },
            ],
            restartPolicy: 'Never',
          },
        },
      },
      status: {},
    });
  });

  test('Secret data (map<string, bytes>) comes out base64, IntOrString and Quantity as JSON scalars', () => {
    const secret = Buffer.concat([
      msg(1, str(1, 'db')),
      msg(2, str(1, 'password'), str(2, 's3cret')),
      str(3, 'Opaque'),
    ]);
    const body = Buffer.concat([
      Buffer.from('k8s\0', 'binary'),
      msg(1, str(1, 'v1'), str(2, 'Secret')),
      str(2, secret),
    ]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      data: { password: Buffer.from('s3cret').toString('base64') },
      type: 'Opaque',
    });
    const port = msg(1, int(3, 80), msg(4, int(1, 1), str(3, 'http'))); // ServiceSpec.ports[0]: port 80, targetPort "http"
    const svc = Buffer.concat([msg(1, str(1, 'web')), msg(2, port)]);
    const svcBody = Buffer.concat([
      Buffer.from('k8s\0', 'binary'),
      msg(1, str(1, 'v1'), str(2, 'Service')),
      str(2, svc),
    ]);
    expect(decodeKubernetesProtobuf(svcBody)).toMatchObject({
      spec: { ports: [{ port: 80, targetPort: 'http' }] },
    });
  });

  test('no magic, or a kind it does not know, is a 400', () => {
    expect(() => decodeKubernetesProtobuf(Buffer.from('{}'))).toThrow(expect.objectContaining({ code: 400 }));
    const body = Buffer.concat([
      Buffer.from('k8s\0', 'binary'),
      msg(1, str(1, 'example.com/v1'), str(2, 'Widget')),
    ]);
    expect(() => decodeKubernetesProtobuf(body)).toThrow(expect.objectContaining({ code: 400 }));
  });
});
