/**
 * The integration project's vitest globalSetup: starts the parts that integration test files share for
 * the whole run — today one moto server (its state is keyed by cluster, service and load balancer names,
 * which each test file keeps to itself) — and hands their addresses to the workers through vitest's
 * `provide`/`inject` (https://vitest.dev/config/#globalsetup). A part that cannot start here is not
 * provided: each file then starts its own through testkit/shared-parts.ts and fails there, by name, as
 * before.
 */
import type { TestProject } from 'vitest/node';
import { startMoto } from './moto.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared moto server's endpoint ('' when none was started). */
    gantryMotoEndpoint: string;
  }
}

/** Starts the shared parts; returns the teardown that stops them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMoto({ runningTasks: 2 }).catch(() => undefined);
  project.provide('gantryMotoEndpoint', moto?.endpoint ?? '');
  return async () => {
    await moto?.stop();
  };
}
