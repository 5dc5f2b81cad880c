/**
 * A scripted ECS endpoint on loopback (a stand-in for the ECS API where moto cannot play a timed rollout), speaking the ECS JSON protocol (awsJson1_1: POST /, the operation
 * in `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`). It plays one rolling deployment
 * whose moment of stability is known: before `stableAt` the new deployment is IN_PROGRESS next to the
 * old one, from `stableAt` on it is the only deployment, COMPLETED, running its desired count — the
 * condition both Gantry's watcher and the SDK's `servicesStable` waiter accept. It records every request
 * (operation, parsed body, time), so benchmarks count DescribeServices calls and tests read the exact JSON
 * a client sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  operation: string;
  body: Record<string, unknown>;
  /** `performance.now()` when the request arrived. */
  at: number;
}

export interface ScriptedEcs {
  endpoint: string;
  calls: RecordedCall[];
  /** `performance.now()` from which the service is stable; set by UpdateService (+ `stableAfterUpdateMs`) or by hand. */
  stableAt: number | undefined;
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const td = (family: string, revision: number): string =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;

/**
 * Starts the endpoint.
 * @param options.stableAfterUpdateMs milliseconds after UpdateService at which the rollout completes
 * @param options.desiredCount tasks the service wants (default 2)
 */
export async function startScriptedEcs(
  options: {
    stableAfterUpdateMs?: number;
    desiredCount?: number;
    family?: string;
    /** The first UpdateService's rollout ends FAILED (circuit breaker) with two stopped tasks; later ones complete. */
    failFirstRollout?: boolean;
  } = {},
): Promise<ScriptedEcs> {
  const desired = options.desiredCount ?? 2;
  const family = options.family ?? 'web';
  const calls: RecordedCall[] = [];
  let revision = 1;
  let running = td(family, 1);
  let previous = td(family, 1);
  let updatedAt: number | undefined;
  let deployments = 1;
  let failing = false;
  const state: ScriptedEcs = {
    endpoint: '',
    calls,
    stableAt: undefined,
    close: async () => undefined,
  };

  const service = (): Record<string, unknown> => {
    const now = performance.now();
    const steady = state.stableAt === undefined || now >= state.stableAt;
    const start = updatedAt ?? now;
    const fraction =
      state.stableAt === undefined ? 1 : Math.min(1, (now - start) / Math.max(1, state.stableAt - start));
    const id = `ecs-svc/${deployments}`;
    if (failing && steady)
      return {
        serviceName: 'web',
        status: 'ACTIVE',
        taskDefinition: running,
        desiredCount: desired,
        runningCount: desired,
        deployments: [
          {
            id,
            status: 'PRIMARY',
            taskDefinition: running,
            desiredCount: desired,
            runningCount: 0,
            pendingCount: 0,
            failedTasks: 2,
            rolloutState: 'FAILED',
            rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          },
          {
            id: 'ecs-svc/old',
            status: 'ACTIVE',
            taskDefinition: previous,
            desiredCount: desired,
            runningCount: desired,
          },
        ],
        events: [],
      };
    const newDeployment = {
      id,
      status: 'PRIMARY',
      taskDefinition: running,
      desiredCount: desired,
      runningCount: steady ? desired : Math.min(desired - 1, Math.floor(fraction * desired)),
      pendingCount: steady ? 0 : desired - Math.min(desired - 1, Math.floor(fraction * desired)),
      failedTasks: 0,
      rolloutState: steady ? 'COMPLETED' : 'IN_PROGRESS',
      rolloutStateReason: steady
        ? 'ECS deployment ecs-svc/2 completed.'
        : 'ECS deployment ecs-svc/2 in progress.',
      createdAt: (Date.now() - 60_000) / 1000,
    };
    const oldDeployment = {
      id: 'ecs-svc/old',
      status: 'ACTIVE',
      taskDefinition: previous,
      desiredCount: desired,
      runningCount: desired,
      pendingCount: 0,
      rolloutState: 'COMPLETED',
    };
    return {
      serviceName: 'web',
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/bench/web`,
      status: 'ACTIVE',
      taskDefinition: running,
      desiredCount: desired,
      runningCount: steady ? desired : newDeployment.runningCount + desired,
      pendingCount: 0,
      deployments: steady ? [newDeployment] : [newDeployment, oldDeployment],
      events: [],
    };
  };

  const handlers: Record<string, (body: Record<string, unknown>) => unknown> = {
    DescribeServices: () => ({ services: [service()], failures: [] }),
    DescribeTaskDefinition: (body) => ({
      taskDefinition: {
        taskDefinitionArn: String(body['taskDefinition']).startsWith('arn:')
          ? body['taskDefinition']
          : running,
        family,
        revision,
        status: 'ACTIVE',
        containerDefinitions: [
          { name: 'web', image: 'registry.example/web:1', essential: true, memory: 256 },
        ],
      },
      tags: [],
    }),
    RegisterTaskDefinition: (body) => {
      revision++;
      return {
        taskDefinition: { ...body, taskDefinitionArn: td(family, revision), revision, status: 'ACTIVE' },
      };
    },
    TagResource: () => ({}),
    UpdateService: (body) => {
      previous = running;
      running = String(body['taskDefinition']);
      updatedAt = performance.now();
      deployments++;
      failing = options.failFirstRollout === true && deployments === 2;
      if (options.stableAfterUpdateMs !== undefined) state.stableAt = updatedAt + options.stableAfterUpdateMs;
      return { service: service() };
    },
    ListTasks: (body) =>
      options.failFirstRollout === true &&
      body['startedBy'] === 'ecs-svc/2' &&
      body['desiredStatus'] === 'STOPPED'
        ? { taskArns: [1, 2].map((n) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/bench/task${n}`) }
        : { taskArns: [] },
    DescribeTasks: (body) => ({
      tasks: ((body['tasks'] as string[] | undefined) ?? []).map((taskArn) => ({
        taskArn,
        lastStatus: 'STOPPED',
        stoppedReason: 'Essential container in task exited',
        stoppedAt: Date.now() / 1000,
        containers: [{ name: 'web', exitCode: 1, reason: 'Error: DATABASE_URL is not set' }],
      })),
      failures: [],
    }),
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.split('.').pop() ?? '';
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        // recorded as empty
      }
      calls.push({ operation, body, at: performance.now() });
      const handler = handlers[operation];
      const headers = {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': String(calls.length),
      };
      if (handler === undefined) {
        response.writeHead(400, headers);
        response.end(
          JSON.stringify({ __type: 'UnknownOperationException', message: `${operation} is not scripted` }),
        );
        return;
      }
      response.writeHead(200, headers);
      response.end(JSON.stringify(handler(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
