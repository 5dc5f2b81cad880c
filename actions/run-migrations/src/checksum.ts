/**
 * Flyway's migration checksum, computed exactly as Flyway computes it so that a history table written by
 * Flyway validates here and vice versa.
 *
 * Upstream: flyway/flyway `flyway-core/src/main/java/org/flywaydb/core/internal/resolver/ChecksumCalculator.java`
 * (`calculateChecksumForResource`; in recent releases the same body lives in `LoadableResource.calculateChecksum`):
 * a `java.util.zip.CRC32` is fed, line by line, the UTF-8 bytes of each line as `BufferedReader.readLine()`
 * returns it — without its terminator (`\n`, `\r\n` or a lone `\r`) — after `BomFilter.FilterBomFromString`
 * removed a U+FEFF byte-order mark from the first line only; the result is `(int) crc32.getValue()`, a
 * signed 32-bit integer, which is what the `checksum` column stores. Consequences: line endings and blank
 * lines do not change the checksum; trailing whitespace, comments and letter case do.
 */
import { crc32 } from 'node:zlib';

const BOM = '\uFEFF';

/**
 * Splits text into lines as Java's `BufferedReader.readLine()` does: terminators are `\n`, `\r\n` and a
 * lone `\r`; a final terminator does not start another line; empty text has no lines.
 * @returns the lines without their terminators
 */
export function javaLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (/[\r\n]$/.test(text)) lines.pop();
  return lines;
}

/**
 * Flyway's checksum of a migration script.
 * @param content the file's bytes (decoded as UTF-8, Flyway's default `encoding`; invalid sequences become
 *                U+FFFD as Java's decoder does) or its text
 * @returns the CRC-32 as a signed 32-bit integer (−2³¹ … 2³¹−1), as Flyway stores it
 */
export function flywayChecksum(content: Uint8Array | string): number {
  const text =
    typeof content === 'string' ? content : new TextDecoder('utf-8', { ignoreBOM: true }).decode(content);
  const lines = javaLines(text);
  let crc = 0;
  lines.forEach((line, index) => {
    const bytes = Buffer.from(index === 0 && line.startsWith(BOM) ? line.slice(1) : line, 'utf8');
    crc = crc32(bytes, crc);
  });
  return crc | 0;
}
