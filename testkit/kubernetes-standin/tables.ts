/**
 * Server-side printing for `kubectl get`: the meta.k8s.io/v1 Table the real API server returns when a
 * client asks for `application/json;as=Table;v=v1;g=meta.k8s.io`
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables), with the
 * columns kubectl shows for the kinds the stand-in serves (after kubernetes/pkg/printers/internalversion).
 */
import { isMap } from './patch.ts';
import type { ResourceInfo } from './resources.ts';
import type { KubeObject } from './store.ts';

type Json = Record<string, unknown>;
interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
}

function m(v: unknown): Json {
  return isMap(v) ? v : {};
}

/** Age as kubectl prints it (`5s`, `3m12s`, `2h`, `4d`). */
export function humanAge(fromIso: string | undefined, now = Date.now()): string {
  const t = Date.parse(fromIso ?? '');
  if (!Number.isFinite(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  const min = Math.floor(s / 60);
  if (min < 10) return `${min}m${s % 60}s`;
  if (min < 180) return `${min}m`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

function podStatusText(pod: KubeObject): [string, number] {
  const status = m(pod.status);
  let reason = String(status.phase ?? 'Pending');
  let restarts = 0;
  for (const cs of (status.containerStatuses ?? []) as Json[]) {
    restarts += Number(cs.restartCount ?? 0);
    const state = m(cs.state);
    if (isMap(state.waiting) && state.waiting.reason) reason = String(state.waiting.reason);
    else if (isMap(state.terminated) && state.terminated.reason) reason = String(state.terminated.reason);
  }
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  return [reason, restarts];
}

function columnsAndCells(info: ResourceInfo, obj: KubeObject): [Column[], unknown[]] {
  const name: Column = { name: 'Name', type: 'string', format: 'name' };
  const age: Column = { name: 'Age', type: 'string' };
  const spec = m(obj.spec);
  const status = m(obj.status);
  const created = humanAge(obj.metadata.creationTimestamp);
  switch (info.kind) {
    case 'Pod': {
      const statuses = (status.containerStatuses ?? []) as Json[];
      const total = ((spec.containers ?? []) as unknown[]).length;
      const ready = statuses.filter((s) => s.ready).length;
      const [reason, restarts] = podStatusText(obj);
      return [
        [
          name,
          { name: 'Ready', type: 'string' },
          { name: 'Status', type: 'string' },
          { name: 'Restarts', type: 'string' },
          age,
          { name: 'IP', type: 'string', priority: 1 },
          { name: 'Node', type: 'string', priority: 1 },
        ],
        [
          obj.metadata.name,
          `${ready}/${total}`,
          reason,
          String(restarts),
          created,
          status.podIP ?? '<none>',
          spec.nodeName ?? '<none>',
        ],
      ];
    }
    case 'Deployment': {
      const containers = (m(m(spec.template).spec).containers ?? []) as Json[];
      return [
        [
          name,
          { name: 'Ready', type: 'string' },
          { name: 'Up-to-date', type: 'integer' },
          { name: 'Available', type: 'integer' },
          age,
          { name: 'Containers', type: 'string', priority: 1 },
          { name: 'Images', type: 'string', priority: 1 },
        ],
        [
          obj.metadata.name,
          `${Number(status.readyReplicas ?? 0)}/${Number(spec.replicas ?? 0)}`,
          Number(status.updatedReplicas ?? 0),
          Number(status.availableReplicas ?? 0),
          created,
          containers.map((c) => c.name).join(','),
          containers.map((c) => c.image).join(','),
        ],
      ];
    }
    case 'ReplicaSet':
    case 'StatefulSet':
      return info.kind === 'ReplicaSet'
        ? [
            [
              name,
              { name: 'Desired', type: 'integer' },
              { name: 'Current', type: 'integer' },
              { name: 'Ready', type: 'integer' },
              age,
            ],
            [
              obj.metadata.name,
              Number(spec.replicas ?? 0),
              Number(status.replicas ?? 0),
              Number(status.readyReplicas ?? 0),
              created,
            ],
          ]
        : [
            [name, { name: 'Ready', type: 'string' }, age],
            [
              obj.metadata.name,
              `${Number(status.readyReplicas ?? 0)}/${Number(spec.replicas ?? 0)}`,
              created,
            ],
          ];
    case 'Service': {
      const ports = ((spec.ports ?? []) as Json[])
        .map((p) => `${String(p.port)}/${String(p.protocol ?? 'TCP')}`)
        .join(',');
      return [
        [
          name,
          { name: 'Type', type: 'string' },
          { name: 'Cluster-IP', type: 'string' },
          { name: 'External-IP', type: 'string' },
          { name: 'Port(s)', type: 'string' },
          age,
        ],
        [
          obj.metadata.name,
          spec.type ?? 'ClusterIP',
          spec.clusterIP ?? '<none>',
          '<none>',
          ports || '<none>',
          created,
        ],
      ];
    }
    case 'Job': {
      const conds = (status.conditions ?? []) as Json[];
      const done = conds.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
      return [
        [
          name,
          { name: 'Status', type: 'string' },
          { name: 'Completions', type: 'string' },
          { name: 'Duration', type: 'string' },
          age,
        ],
        [
          obj.metadata.name,
          done ? String(done.type) : 'Running',
          `${Number(status.succeeded ?? 0)}/${Number(spec.completions ?? 1)}`,
          status.startTime
            ? humanAge(
                String(status.startTime),
                Date.parse(String(status.completionTime ?? new Date().toISOString())),
              )
            : '',
          created,
        ],
      ];
    }
    case 'Event': {
      const io = m(obj.involvedObject);
      return [
        [
          { name: 'Last Seen', type: 'string' },
          { name: 'Type', type: 'string' },
          { name: 'Reason', type: 'string' },
          { name: 'Object', type: 'string' },
          { name: 'Message', type: 'string' },
        ],
        [
          humanAge(String(obj.lastTimestamp ?? '')),
          obj.type,
          obj.reason,
          `${String(io.kind).toLowerCase()}/${String(io.name)}`,
          obj.message,
        ],
      ];
    }
    case 'Namespace':
      return [
        [name, { name: 'Status', type: 'string' }, age],
        [obj.metadata.name, status.phase ?? 'Active', created],
      ];
    case 'ConfigMap':
    case 'Secret': {
      const data = Object.keys(m(obj.data)).length + Object.keys(m(obj.binaryData)).length;
      return info.kind === 'Secret'
        ? [
            [name, { name: 'Type', type: 'string' }, { name: 'Data', type: 'integer' }, age],
            [obj.metadata.name, obj.type, data, created],
          ]
        : [
            [name, { name: 'Data', type: 'integer' }, age],
            [obj.metadata.name, data, created],
          ];
    }
    default:
      return [
        [name, age],
        [obj.metadata.name, created],
      ];
  }
}

/** A meta.k8s.io/v1 Table of objects (rows carry PartialObjectMetadata, as with includeObject=Metadata). */
export function toTable(
  info: ResourceInfo,
  objects: KubeObject[],
  resourceVersion: string,
): Record<string, unknown> {
  const probe: KubeObject = { apiVersion: '', kind: info.kind, metadata: {} };
  const [columns] = columnsAndCells(info, objects[0] ?? probe);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => ({
      cells: columnsAndCells(info, o)[1],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
