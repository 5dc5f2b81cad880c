/**
 * SARIF 2.1.0 types (OASIS Static Analysis Results Interchange Format,
 * https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), re-exported from DefinitelyTyped's
 * `@types/sarif` (generated from the 2.1.0-rtm.5 JSON schema), plus the few names Gantry adds.
 */
import type { Log, Result, Run } from 'sarif';

export type {
  ArtifactLocation,
  Location,
  Log,
  Message,
  PhysicalLocation,
  PropertyBag,
  Region,
  ReportingDescriptor,
  Result,
  Run,
  Tool,
  ToolComponent,
} from 'sarif';

/** The `$schema` Gantry writes into every log (the OASIS-published schema of SARIF 2.1.0). */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** The SARIF `level` of a result (§3.27.10). */
export type Level = NonNullable<Result['level']>;

/** A new, empty SARIF 2.1.0 log. */
export function emptyLog(): Log {
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [] };
}

/**
 * A run for one tool with its results (rules are derived from the results' rule ids when not given).
 * @param driver the tool's name, version and home page (`informationUri`)
 */
export function newRun(
  driver: { name: string; version?: string; informationUri?: string },
  results: Result[],
  rules: NonNullable<Run['tool']['driver']['rules']> = [],
): Run {
  return {
    tool: {
      driver: {
        name: driver.name,
        ...(driver.version === undefined ? {} : { version: driver.version }),
        ...(driver.informationUri === undefined ? {} : { informationUri: driver.informationUri }),
        rules,
      },
    },
    results,
  };
}
