/**
 * `npm run demo -- --platform kubernetes` end to end (built bundles, offline runner, Kubernetes API
 * stand-in, local Slack/PagerDuty/GitHub receivers): green for a good release; with --bad-release the
 * rollback restores the previous image, Slack and PagerDuty are told and the demo exits red.
 */
import { describe, expect, test } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runKubernetesDemo } from '../../../tools/demo/kubernetes.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('Kubernetes demo', () => {
  test('a good release goes live', async () => {
    const lines: string[] = [];
    const result = await runKubernetesDemo({ repoRoot, quiet: true, print: (line) => lines.push(line) });
    expect(result.exitCode, lines.join('\n')).toBe(0);
    expect(result.finalImage).toBe('registry.local/hello-service:1.1.0');
    expect(result.slackMessages).toBe(1);
  });
  test('--bad-release: rolled back to 1.0.0, Slack and PagerDuty told, red', async () => {
    const lines: string[] = [];
    const result = await runKubernetesDemo({
      repoRoot,
      badRelease: true,
      quiet: true,
      print: (line) => lines.push(line),
    });
    expect(result.exitCode).toBe(1);
    expect(result.finalImage).toBe('registry.local/hello-service:1.0.0');
    expect(result.pagerDutyEvents).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(/Slack .*:x: Deploy failed/);
  });
});
