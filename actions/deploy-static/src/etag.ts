/**
 * S3 ETags computed locally, to know whether a file differs from the object already in the bucket
 * without downloading it. For an object uploaded in one request the ETag is the hex MD5 of its bytes;
 * for a multipart upload it is the MD5 of the concatenated binary MD5s of the parts, then `-` and the
 * number of parts (`md5-of-md5s-N`); see
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html#large-object-checksums.
 * (Objects encrypted with SSE-KMS/SSE-C have ETags that are not MD5s: they never compare equal, so they
 * are uploaded again.)
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

const MiB = 1024 * 1024;

/**
 * Part size and threshold of Gantry's own multipart uploads: 8 MiB, as `aws s3 sync` / `aws s3 cp` use
 * by default (`multipart_threshold` and `multipart_chunksize`), so objects either tool uploaded compare
 * with the same local ETag.
 */
export const PART_SIZE = 8 * MiB;

/** Part sizes tried when a remote ETag says `-N` parts: the AWS CLI's 8 MiB, the SDK's 5 MiB, 16 MiB. */
const COMMON_PART_SIZES = [8 * MiB, 5 * MiB, 16 * MiB, 15 * MiB, 64 * MiB, 100 * MiB];

/** An ETag without its surrounding quotes, lower-cased. */
export function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
}

/**
 * Reads a file once and computes its ETag(s).
 * @param file an absolute path
 * @param partSizes part sizes (bytes) to compute multipart ETags for, besides the plain MD5
 * @returns `md5` (hex MD5 of the whole file) and `multipart` (part size → `md5-of-md5s-N`)
 */
export async function computeEtags(
  file: string,
  partSizes: readonly number[] = [],
): Promise<{ md5: string; multipart: Map<number, string> }> {
  const whole = createHash('md5');
  const states = partSizes.map((size) => ({
    size,
    filled: 0,
    part: createHash('md5'),
    digests: [] as Buffer[],
  }));
  // Small files are read in one go: a 1 MiB stream buffer per file would cost far more than the file.
  const size = (await stat(file)).size;
  const chunks: AsyncIterable<Buffer> | Buffer[] =
    size <= MiB ? [await readFile(file)] : createReadStream(file, { highWaterMark: MiB });
  for await (const chunk of chunks) {
    const buffer = chunk as Buffer;
    whole.update(buffer);
    for (const state of states) {
      let offset = 0;
      while (offset < buffer.length) {
        const take = Math.min(state.size - state.filled, buffer.length - offset);
        state.part.update(buffer.subarray(offset, offset + take));
        state.filled += take;
        offset += take;
        if (state.filled === state.size) {
          state.digests.push(state.part.digest());
          state.part = createHash('md5');
          state.filled = 0;
        }
      }
    }
  }
  const multipart = new Map<number, string>();
  for (const state of states) {
    if (state.filled > 0) state.digests.push(state.part.digest());
    multipart.set(state.size, multipartEtag(state.digests));
  }
  return { md5: whole.digest('hex'), multipart };
}

/**
 * The multipart ETag from the parts' binary MD5 digests, in part order.
 * @returns `hex(md5(d1 ‖ d2 ‖ … ‖ dN))-N`
 */
export function multipartEtag(partDigests: readonly Buffer[]): string {
  return `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`;
}

/**
 * The part sizes that could have produced a multipart ETag of `parts` parts for an object of `size`
 * bytes: the common ones that give exactly that count, and the size split evenly rounded up to a MiB.
 * @returns part sizes in bytes, without duplicates (empty when `parts` < 1)
 */
export function candidatePartSizes(size: number, parts: number): number[] {
  if (parts < 1) return [];
  const fits = (part: number): boolean => Math.ceil(size / part) === parts || (size === 0 && parts === 1);
  const even = Math.ceil(size / parts / MiB) * MiB;
  return [...new Set([...COMMON_PART_SIZES, even].filter((part) => part > 0 && fits(part)))];
}

/**
 * Whether a local file has the content of an S3 object, by ETag (size compared first, no read when it
 * differs).
 * @param file absolute path; `size` its size in bytes
 * @param remote the object's ETag (quoted or not) and size
 * @returns `same` and the file's hex MD5 when it was read (undefined when the sizes differ)
 */
export async function sameContent(
  file: string,
  size: number,
  remote: { etag: string; size: number },
): Promise<{ same: boolean; md5?: string }> {
  if (size !== remote.size) return { same: false };
  const etag = normalizeEtag(remote.etag);
  const multipart = /^[0-9a-f]{32}-(\d+)$/.exec(etag);
  if (multipart === null) {
    const { md5 } = await computeEtags(file);
    return { same: md5 === etag, md5 };
  }
  const sizes = candidatePartSizes(size, Number(multipart[1]));
  const { md5, multipart: etags } = await computeEtags(file, sizes);
  return { same: [...etags.values()].includes(etag), md5 };
}
