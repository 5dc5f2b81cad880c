import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { findPart, PARTS } from '../../testkit/parts.ts';
import { PACKAGE_LIST, parsePackageList } from '../../testkit/system-packages.ts';
import { shellQuote } from '../../testkit/cli.ts';

describe('the parts table', () => {
  test('one entry per part, each named once and described', () => {
    const names = PARTS.map((part) => part.name);
    expect(new Set(names).size).toBe(names.length);
    for (const part of PARTS) {
      expect(part.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(part.what.length, part.name).toBeGreaterThan(10);
      expect(findPart(part.name)).toBe(part);
    }
    expect(findPart('no-such-part')).toBeUndefined();
  });

  test('every Debian package a part needs is in .ci/system-packages.txt (the one list)', () => {
    const listed = new Set(parsePackageList(readFileSync(PACKAGE_LIST, 'utf8')).map((p) => p.name));
    for (const part of PARTS)
      for (const name of part.packages ?? []) expect(listed, part.name).toContain(name);
  });

  test('exports are quoted for a POSIX shell, quotes included', () => {
    expect(shellQuote('postgres://u:p@127.0.0.1:5432/app')).toBe("'postgres://u:p@127.0.0.1:5432/app'");
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });
});
