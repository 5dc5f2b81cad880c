/**
 * Parts shared by the integration test files of one vitest run (started by testkit/vitest-global-setup.ts),
 * for use inside tests only. Outside vitest, or when the shared part could not start, each call starts a
 * part of its own, as testkit/moto.ts does.
 */
import { inject } from 'vitest';
import './vitest-global-setup.ts';
import { motoHandle, startMoto, type Moto } from './moto.ts';

/**
 * The run's shared moto server (MOTO_ECS_SERVICE_RUNNING=2). Use names of your own (clusters, services,
 * repositories): other test files use the same server. `stop()` releases this file's client only.
 */
export async function sharedMoto(): Promise<Moto> {
  const endpoint = inject('gantryMotoEndpoint');
  if (endpoint === undefined || endpoint === '') return startMoto({ runningTasks: 2 });
  return motoHandle(
    endpoint,
    () => '',
    async () => undefined,
  );
}
