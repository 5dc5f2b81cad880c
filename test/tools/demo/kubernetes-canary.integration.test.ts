/**
 * `npm run demo -- --canary --platform kubernetes [--bad-release]` end to end (the built bundles, the
 * Kubernetes API stand-in, a real Prometheus): a good release ends promoted, a bad one rolled back at 5 %.
 */
import { describe, expect, test } from 'vitest';
import { runKubernetesCanaryDemo } from '../../../tools/demo/kubernetes-canary.ts';

describe('the Kubernetes canary demo', () => {
  test('a good release is promoted: the analysis passes and the command exits 0', async () => {
    const result = await runKubernetesCanaryDemo({ quiet: true });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['analysis-verdict']).toBe('pass');
    expect(result.outputs['canary-weight']).toBe('0');
    expect(result.outputs['images']).toBe('web=registry.local/hello-service:1.1.0');
  }, 180_000);

  test('a bad release is stopped at 5 % on error-rate and the route goes back to 100 % stable', async () => {
    const result = await runKubernetesCanaryDemo({ badRelease: true, quiet: true });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['analysis-failed-check']).toBe('error-rate');
    expect(result.outputs['analysis-failed-step']).toBe('5%');
    expect(result.outputs['images']).toBe('web=registry.local/hello-service:1.0.0');
    expect(result.crossingToStableMs).toBeGreaterThanOrEqual(0);
  }, 180_000);
});
