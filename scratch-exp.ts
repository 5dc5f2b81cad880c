import { startKubernetesStandIn } from './testkit/kubernetes-standin/index.ts';
import { KubeConfig } from '@kubernetes/client-node';
import { RequestContext, HttpMethod } from '@kubernetes/client-node';
import { createServer } from 'node:http';
const backend = createServer((req, res) => { res.writeHead(req.url?.startsWith('/fail') ? 500 : 200); res.end('hi ' + req.url); });
await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
const port = (backend.address() as any).port;
const k = await startKubernetesStandIn();
k.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', annotations: { 'stand-in.gantry.dev/proxy-target': `http://127.0.0.1:${port}` } }, spec: { ports: [{ name: 'http', port: 80 }] } } as any);
const kc = new KubeConfig(); kc.loadFromFile(k.kubeconfigPath);
const url = `${k.url}/api/v1/namespaces/default/services/web:http/proxy/health?x=1`;
const ctx = new RequestContext(url, HttpMethod.GET);
await kc.applySecurityAuthentication(ctx);
console.log(Object.keys(ctx.getHeaders()), ctx.getDispatcher()?.constructor.name);
try {
  const r = await fetch(url, { headers: ctx.getHeaders(), dispatcher: ctx.getDispatcher() } as any);
  console.log(r.status, await r.text());
} catch (e) { console.log('global fetch failed', e); }
await k.stop(); backend.close();
