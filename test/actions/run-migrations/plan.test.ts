import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { flywayChecksum } from '../../../actions/run-migrations/src/checksum.ts';
import {
  parseMigrationName,
  sortMigrations,
  type MigrationFile,
} from '../../../actions/run-migrations/src/migration-files.ts';
import { planMigrations } from '../../../actions/run-migrations/src/plan.ts';
import type { HistoryRow } from '../../../actions/run-migrations/src/schema-history.ts';
import { parseVersion, type Version } from '../../../actions/run-migrations/src/version.ts';

function file(script: string, content = `-- ${script}`): MigrationFile {
  const parsed = parseMigrationName(script);
  assert.ok(parsed.kind !== 'unknown');
  return { ...parsed, script, path: `/m/${script}`, content, checksum: flywayChecksum(content) };
}

let rank = 0;
function row(
  f: MigrationFile | { version: string | null; description: string; script: string },
  extra: Partial<HistoryRow> = {},
): HistoryRow {
  const isFile = 'checksum' in f;
  return {
    installedRank: ++rank,
    version: isFile ? (f.version?.text ?? null) : f.version,
    description: f.description,
    type: 'SQL',
    script: f.script,
    checksum: isFile ? f.checksum : 1,
    installedBy: 'ci',
    installedOn: new Date(0),
    executionTime: 1,
    success: true,
    ...extra,
  };
}

const states = (plan: ReturnType<typeof planMigrations>) =>
  plan.infos.map((i) => `${i.version ?? i.description}:${i.state}`);

describe('planMigrations (Flyway states)', () => {
  const v1 = file('V1__a.sql');
  const v2 = file('V2__b.sql');
  const v3 = file('V3__c.sql');
  const r = file('R__view.sql');
  const u = file('U2__b.sql');
  const files = sortMigrations([v3, u, r, v1, v2]);

  test('empty history: everything pending, undo never', () => {
    const plan = planMigrations(files, [], { outOfOrder: false });
    assert.deepEqual(
      plan.pending.map((f) => f.script),
      ['V1__a.sql', 'V2__b.sql', 'V3__c.sql', 'R__view.sql'],
    );
    assert.deepEqual(states(plan), ['1:pending', '2:pending', '3:pending', 'view:pending', '2:undo']);
    assert.equal(plan.schemaVersion, '');
  });

  test('applied, ignored (lower than applied) and future rows', () => {
    rank = 0;
    const rows = [row(v1), row(v3), row({ version: '9', description: 'later', script: 'V9__later.sql' })];
    const plan = planMigrations([v1, v2, v3], rows, { outOfOrder: false });
    assert.deepEqual(states(plan), ['1:success', '2:ignored', '3:success', '9:future']);
    assert.equal(plan.pending.length, 0);
    assert.equal(plan.schemaVersion, '9');
    assert.equal(plan.errors.length, 1);
    assert.match(plan.errors[0] ?? '', /2 \(V2__b\.sql\)/);
    const outOfOrder = planMigrations([v1, v2, v3], rows, { outOfOrder: true });
    assert.deepEqual(
      outOfOrder.pending.map((f) => f.script),
      ['V2__b.sql'],
    );
  });

  test('missing file, checksum and description mismatch are errors naming the script', () => {
    rank = 0;
    const rows = [row(v1, { checksum: 42 }), row(v2, { description: 'old' }), row(v3)];
    const plan = planMigrations([v1, v2, file('V4__d.sql')], rows, { outOfOrder: false });
    assert.deepEqual(states(plan), ['1:success', '2:success', '4:pending', '3:missing']);
    assert.deepEqual(
      plan.errors.map((e) => e.split(':')[0]),
      [
        'Migration checksum mismatch for migration version 1 (V1__a.sql)',
        'Migration description mismatch for migration version 2 (V2__b.sql)',
        'Detected applied migration not resolved locally',
      ],
    );
  });

  test('failed rows come first in the errors and say repair', () => {
    rank = 0;
    const plan = planMigrations([v1, v2], [row(v1), row(v2, { success: false })], { outOfOrder: false });
    assert.deepEqual(states(plan), ['1:success', '2:failed']);
    assert.match(plan.errors[0] ?? '', /^Detected failed migration to version 2 .*repair/);
  });

  test('repeatables: outdated when changed, superseded rows kept, target skips them', () => {
    rank = 0;
    const old = { ...r, checksum: 7 };
    const rows = [row(v1), row(old), row(old)];
    const plan = planMigrations([v1, r], rows, { outOfOrder: false });
    assert.deepEqual(states(plan), ['1:success', 'view:superseded', 'view:outdated']);
    assert.deepEqual(
      plan.pending.map((f) => f.script),
      ['R__view.sql'],
    );
    const target: Version = parseVersion('1') as Version;
    const targeted = planMigrations([v1, v2, r], rows, { outOfOrder: false, target });
    assert.deepEqual(states(targeted), [
      '1:success',
      '2:above-target',
      'view:superseded',
      'view:above-target',
    ]);
    assert.equal(targeted.pending.length, 0);
  });

  test('baseline: versions up to it are below-baseline, not pending', () => {
    rank = 0;
    const baseline = row(
      { version: '2', description: '<< Flyway Baseline >>', script: '<< Flyway Baseline >>' },
      { type: 'BASELINE', checksum: null },
    );
    const plan = planMigrations([v1, v2, v3], [baseline], { outOfOrder: false });
    assert.deepEqual(states(plan), ['1:below-baseline', '2:baseline', '3:pending']);
    assert.equal(plan.schemaVersion, '2');
    assert.deepEqual(plan.errors, []);
  });
});
