import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  candidatePartSizes,
  computeEtags,
  multipartEtag,
  normalizeEtag,
  sameContent,
} from '../../../actions/deploy-static/src/etag.ts';

const MiB = 1024 * 1024;
let dir: string;
let file: string;
let data: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'etag-'));
  data = Buffer.alloc(17 * MiB + 5);
  for (let i = 0; i < data.length; i += 997) data[i] = i % 256;
  file = path.join(dir, 'big.bin');
  await writeFile(file, data);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The documented algorithm, written out on the whole buffer: md5(md5(p1) ‖ … ‖ md5(pN))-N. */
function reference(buffer: Buffer, part: number): string {
  const digests: Buffer[] = [];
  for (let offset = 0; offset < buffer.length; offset += part)
    digests.push(
      createHash('md5')
        .update(buffer.subarray(offset, offset + part))
        .digest(),
    );
  return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}`;
}

describe('ETags', () => {
  test('plain MD5 and multipart ETags for several part sizes in one read', async () => {
    const { md5, multipart } = await computeEtags(file, [8 * MiB, 5 * MiB]);
    expect(md5).toBe(createHash('md5').update(data).digest('hex'));
    expect(multipart.get(8 * MiB)).toBe(reference(data, 8 * MiB));
    expect(multipart.get(8 * MiB)).toMatch(/-3$/);
    expect(multipart.get(5 * MiB)).toBe(reference(data, 5 * MiB));
    expect(multipart.get(5 * MiB)).toMatch(/-4$/);
  });
  test('multipartEtag of one part is not the plain MD5', () => {
    const digest = createHash('md5').update('x').digest();
    expect(multipartEtag([digest])).toBe(`${createHash('md5').update(digest).digest('hex')}-1`);
  });
  test('candidate part sizes give exactly the number of parts', () => {
    expect(candidatePartSizes(17 * MiB + 5, 3)).toContain(8 * MiB);
    expect(candidatePartSizes(17 * MiB + 5, 4)).toContain(5 * MiB);
    expect(candidatePartSizes(17 * MiB + 5, 4)).not.toContain(8 * MiB);
    expect(candidatePartSizes(10, 0)).toEqual([]);
  });
  test('normalizeEtag drops quotes and W/', () => expect(normalizeEtag('W/"ABC-2"')).toBe('abc-2'));
  test('sameContent compares sizes first, then plain or multipart ETags', async () => {
    const size = data.length;
    expect((await sameContent(file, size, { etag: `"${reference(data, 8 * MiB)}"`, size })).same).toBe(true);
    expect((await sameContent(file, size, { etag: reference(data, 5 * MiB), size })).same).toBe(true);
    const md5 = createHash('md5').update(data).digest('hex');
    expect((await sameContent(file, size, { etag: md5, size })).same).toBe(true);
    expect((await sameContent(file, size, { etag: md5.replace(/^./, '0'), size })).same).toBe(false);
    expect(await sameContent(file, size, { etag: md5, size: size + 1 })).toEqual({ same: false });
    // A 7 MiB part size is no candidate for 3 parts: an ETag made with it is not recognised.
    expect((await sameContent(file, size, { etag: reference(data, 7 * MiB), size })).same).toBe(false);
  });
});
