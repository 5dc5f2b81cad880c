/**
 * workflows-templates/pipeline-kubernetes.yml's production choice, evaluated with the offline runner's own
 * expression engine (tools/pipeline/expressions.ts, GitHub's expression language): the strategy follows the
 * PRODUCTION_STRATEGY variable (rolling by default), the metrics-provider turns to prometheus — and with it
 * the four rollback triggers — when PROMETHEUS_URL is set, a manual run promotes or aborts the paused
 * canary, and only a push that passed staging and the production approval, or a manual run, reaches
 * production. The run itself (promote through the offline runner) is in k8s-canary.integration.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../testkit/bundle-runner.ts';
import {
  asString,
  evaluateCondition,
  evaluateExpression,
  type EvaluationScope,
} from '../../tools/pipeline/expressions.ts';

interface Job {
  if?: string;
  with?: Record<string, unknown>;
  concurrency?: { group?: string };
}
interface Workflow {
  on: {
    workflow_dispatch?: { inputs?: Record<string, { type?: string; options?: string[]; default?: string }> };
  };
  jobs: Record<string, Job>;
}

const load = (file: string): Workflow => parse(readFileSync(path.join(repoRoot, file), 'utf8')) as Workflow;
const template = load('workflows-templates/pipeline-kubernetes.yml');
const production = template.jobs['deploy-production'] ?? {};

const scope = (contexts: Record<string, unknown>): EvaluationScope =>
  ({ contexts: { inputs: {}, vars: {}, ...contexts } }) as unknown as EvaluationScope;
/** The value production passes for `input`, its `${{ }}` evaluated under `contexts`. */
const given = (input: string, contexts: Record<string, unknown> = {}): string => {
  const text = String(production.with?.[input] ?? '');
  const expression = /^\$\{\{(.*)\}\}$/s.exec(text.trim())?.[1];
  // as the runner renders a with: value: null (an unset variable) is ''
  return expression === undefined ? text : asString(evaluateExpression(expression, scope(contexts)));
};

describe('pipeline-kubernetes.yml: production offers the canary', () => {
  test.each([
    [{}, 'rolling'],
    [{ PRODUCTION_STRATEGY: 'canary' }, 'canary'],
    [{ PRODUCTION_STRATEGY: 'rolling' }, 'rolling'],
  ])('vars %j → strategy %s', (vars, strategy) => {
    expect(given('strategy', { vars })).toBe(strategy);
  });

  test.each([
    [{}, 'none', ''],
    [
      { PROMETHEUS_URL: 'http://prometheus.monitoring:9090' },
      'prometheus',
      'http://prometheus.monitoring:9090',
    ],
  ])(
    'vars %j → metrics-provider %s (the four triggers on with a provider: no analysis-checks given)',
    (vars, provider, url) => {
      expect(given('metrics-provider', { vars })).toBe(provider);
      expect(given('prometheus-url', { vars })).toBe(url);
      expect(production.with?.['analysis-checks']).toBeUndefined();
      expect(String(given('metrics-selector'))).toContain('{{track}}');
    },
  );

  test('a manual run promotes or aborts; a push deploys a new canary, paused at CANARY_PAUSE_AT when set', () => {
    const action = template.on.workflow_dispatch?.inputs?.['action'];
    expect(action?.type).toBe('choice');
    expect(action?.options).toEqual(['promote', 'abort']);
    expect(given('canary-action', { inputs: { action: 'abort' } })).toBe('abort');
    expect(given('canary-action', { inputs: { action: 'promote' } })).toBe('promote');
    expect(given('canary-action', { inputs: {} })).toBe('deploy');
    expect(given('canary-pause-at', { vars: { CANARY_PAUSE_AT: '25' } })).toBe('25');
    expect(given('canary-pause-at', { vars: {} })).toBe('');
  });

  test.each([
    ['workflow_dispatch', 'skipped', 'skipped', true],
    ['push', 'success', 'success', true],
    ['push', 'success', 'failure', false],
    ['push', 'failure', 'skipped', false],
    ['push', 'skipped', 'skipped', false],
  ])(
    '%s with staging %s and the production approval %s → production runs: %s',
    (event, staging, approval, runs) => {
      const contexts = {
        github: { event_name: event, event: { repository: { default_branch: 'main' } } },
        needs: { 'deploy-staging': { result: staging }, 'approve-production': { result: approval } },
      };
      expect(evaluateCondition(String(production.if), scope(contexts))).toBe(runs);
      // CI is skipped on a manual run only
      expect(evaluateCondition(String(template.jobs['ci']?.if), scope(contexts))).toBe(
        event !== 'workflow_dispatch',
      );
    },
  );

  test('every input production passes is an input of gantry-deploy-k8s.yml', () => {
    const reusable = parse(
      readFileSync(path.join(repoRoot, '.github/workflows/gantry-deploy-k8s.yml'), 'utf8'),
    ) as {
      on: { workflow_call: { inputs: Record<string, unknown> } };
    };
    const known = Object.keys(reusable.on.workflow_call.inputs);
    for (const input of Object.keys(production.with ?? {})) expect(known, input).toContain(input);
  });
});
