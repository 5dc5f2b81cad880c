/**
 * The fields of a task definition ECS knows, to warn about a typo in a template (`memmory`) while still
 * keeping unknown fields (ECS may know fields newer than this list; see keep-unknown-fields.ts). Lists
 * from the ECS API reference: RegisterTaskDefinition request members and ContainerDefinition members
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html).
 */

/** RegisterTaskDefinition request members (plus `tags`, which Gantry passes alongside). */
export const TASK_DEFINITION_FIELDS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'tags',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const;

/** ContainerDefinition members. */
export const CONTAINER_FIELDS = [
  'name',
  'image',
  'repositoryCredentials',
  'cpu',
  'memory',
  'memoryReservation',
  'links',
  'portMappings',
  'essential',
  'restartPolicy',
  'entryPoint',
  'command',
  'environment',
  'environmentFiles',
  'mountPoints',
  'volumesFrom',
  'linuxParameters',
  'secrets',
  'dependsOn',
  'startTimeout',
  'stopTimeout',
  'versionConsistency',
  'hostname',
  'user',
  'workingDirectory',
  'disableNetworking',
  'privileged',
  'readonlyRootFilesystem',
  'dnsServers',
  'dnsSearchDomains',
  'extraHosts',
  'dockerSecurityOptions',
  'interactive',
  'pseudoTerminal',
  'dockerLabels',
  'ulimits',
  'logConfiguration',
  'healthCheck',
  'systemControls',
  'resourceRequirements',
  'firelensConfiguration',
  'credentialSpecs',
] as const;

/** Levenshtein distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, index) => index);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/**
 * The known field nearest to `field`, if it is close enough to be a typo (edit distance ≤ 2, and less
 * than a third of the name).
 * @returns the field's correct name, or undefined when none is close
 */
export function nearestField(field: string, known: readonly string[]): string | undefined {
  let best: { name: string; cost: number } | undefined;
  for (const name of known) {
    const cost = distance(field, name);
    if (best === undefined || cost < best.cost) best = { name, cost };
  }
  if (best === undefined || best.cost === 0) return undefined;
  return best.cost <= 2 && best.cost < Math.max(2, field.length / 3) ? best.name : undefined;
}

/**
 * Lists the fields of a task-definition document ECS does not know, with the known field each looks like.
 * @param document a normalized task definition (top level and `containerDefinitions[]`)
 * @returns one line per unknown field, e.g. `containerDefinitions[0].memmory (did you mean memory?)`;
 *   fields close to no known one are listed without a suggestion
 */
export function unknownFields(document: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const check = (record: Record<string, unknown>, known: readonly string[], where: string): void => {
    for (const key of Object.keys(record)) {
      if (known.includes(key)) continue;
      const near = nearestField(key, known);
      lines.push(`${where}${key}${near === undefined ? '' : ` (did you mean ${near}?)`}`);
    }
  };
  check(document, TASK_DEFINITION_FIELDS, '');
  const containers = document['containerDefinitions'];
  if (Array.isArray(containers))
    containers.forEach((container, index) => {
      if (typeof container === 'object' && container !== null && !Array.isArray(container))
        check(container as Record<string, unknown>, CONTAINER_FIELDS, `containerDefinitions[${index}].`);
    });
  return lines;
}
