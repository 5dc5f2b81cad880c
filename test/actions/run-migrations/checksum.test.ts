import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { flywayChecksum, javaLines } from '../../../actions/run-migrations/src/checksum.ts';

// Expected values derive from Flyway's algorithm (ChecksumCalculator: CRC-32 of each line's UTF-8 bytes,
// terminators dropped, BOM stripped from the first line, cast to a signed int) and the CRC-32 check value
// of the IEEE polynomial: CRC32("123456789") = 0xCBF43926 = 3421780262 → (int) −873187034;
// CRC32("abc") = 0x352441C2 = 891568578.
const CHECK = -873187034;

describe('flywayChecksum (Flyway ChecksumCalculator)', () => {
  const cases: [string, string | Uint8Array, number][] = [
    ['one line, no terminator', '123456789', CHECK],
    ['LF line ending', '123456789\n', CHECK],
    ['CRLF line ending', '123456789\r\n', CHECK],
    ['lone CR line ending', '123456789\r', CHECK],
    ['lines joined without terminators (LF)', '1234\n56789\n', CHECK],
    ['lines joined without terminators (CRLF)', '1234\r\n56789\r\n', CHECK],
    ['mixed terminators', '12\r\n34\r567\n89', CHECK],
    ['blank lines contribute nothing', '1234\n\n\r\n56789', CHECK],
    ['BOM on the first line is stripped (text)', '\uFEFF123456789\n', CHECK],
    ['BOM on the first line is stripped (bytes)', Buffer.from('\xEF\xBB\xBF123456789\r\n', 'latin1'), CHECK],
    ['positive value stays positive', 'abc', 891568578],
    ['empty file', '', 0],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.equal(flywayChecksum(input), expected));
  }

  test('trailing whitespace changes the checksum (Flyway hashes it)', () => {
    assert.notEqual(flywayChecksum('123456789 \n'), CHECK);
    assert.notEqual(flywayChecksum('123456789\t'), CHECK);
  });

  test('a BOM after the first line is content', () => {
    assert.notEqual(flywayChecksum('1234\n\uFEFF56789'), CHECK);
  });

  test('UTF-8 bytes and decoded text give the same value', () => {
    const text = "INSERT INTO t VALUES ('Grüße – ✓');\r\n";
    assert.equal(flywayChecksum(Buffer.from(text, 'utf8')), flywayChecksum(text));
    assert.equal(flywayChecksum(text), flywayChecksum(text.replace(/\r\n/g, '\n')));
  });

  test('values are signed 32-bit integers', () => {
    for (const text of ['a', 'b', 'select 1;', CHECK.toString()]) {
      const value = flywayChecksum(text);
      assert.ok(Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31);
    }
  });
});

describe('javaLines (BufferedReader.readLine)', () => {
  test('splits like readLine', () => {
    assert.deepEqual(javaLines('a\r\nb\rc\nd'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(javaLines('a\n'), ['a']);
    assert.deepEqual(javaLines('a\n\n'), ['a', '']);
    assert.deepEqual(javaLines('\n'), ['']);
    assert.deepEqual(javaLines(''), []);
  });
});
