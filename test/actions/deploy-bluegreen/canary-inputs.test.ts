// strategy canary's inputs: every bad value is an InputError naming the input, before any network call
// (no fetch is made: the global fetch is replaced by one that fails the test).
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { getCanaryInputs } from '../../../actions/deploy-bluegreen/src/canary-inputs.ts';
import { sideValues } from '../../../actions/deploy-bluegreen/src/canary.ts';
import { getInputs } from '../../../actions/deploy-bluegreen/src/inputs.ts';
import { InputError } from '../../../shared/src/errors.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';

const saved = { ...process.env };
function setInputs(inputs: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}
const prometheus = {
  'metrics-provider': 'prometheus',
  'prometheus-url': 'http://127.0.0.1:9090',
  'metrics-selector': 'job="web",color="{{color}}"',
};

describe('canary inputs', () => {
  beforeEach(() => {
    vi.stubGlobal('fetch', () => {
      throw new Error('no network call may happen while reading inputs');
    });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    process.env = { ...saved };
  });

  test('defaults: no provider, 5 m window, 1 m interval, no judge', async () => {
    setInputs({});
    expect(await getCanaryInputs(createCaptureLogger())).toMatchObject({
      'metrics-provider': 'none',
      'analysis-window': 300_000,
      'analysis-interval': 60_000,
      'analysis-judge': 'none',
      'judge-pass-score': 95,
      'judge-marginal-score': 75,
    });
  });

  test.each([['ecs' as const], ['kubernetes' as const]])(
    '%s: pause-at must be one of the traffic-steps',
    async (platform) => {
      setInputs({ 'pause-at': '30' });
      const error = await getCanaryInputs(createCaptureLogger(), platform, [5, 25, 100]).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).input).toBe('pause-at');
      expect((error as Error).message).toContain('30 is not one of the traffic-steps (5,25,100)');
      setInputs({ 'pause-at': '25' });
      expect((await getCanaryInputs(createCaptureLogger(), platform, [5, 25, 100]))['pause-at']).toBe(25);
    },
  );

  test('the Datadog keys are masked before use', async () => {
    setInputs({
      'metrics-provider': 'datadog',
      'metrics-selector': 'service:web,color:{{color}}',
      'datadog-api-key': 'dd-api-secret-0001',
      'datadog-application-key': 'dd-app-secret-0002',
    });
    const logger = createCaptureLogger();
    const inputs = await getCanaryInputs(logger);
    logger.info(`${inputs['datadog-api-key']} ${inputs['datadog-application-key']}`);
    expect(logger.text()).toBe('*** ***');
  });

  test.each([
    [
      { 'metrics-provider': 'graphite' },
      'metrics-provider',
      /not one of none, prometheus, cloudwatch, datadog/,
    ],
    [
      { 'metrics-provider': 'prometheus', 'metrics-selector': 'color="{{color}}"' },
      'prometheus-url',
      /required/,
    ],
    [{ ...prometheus, 'prometheus-url': 'ftp://x' }, 'prometheus-url', /not http\(s\)/],
    [
      { ...prometheus, 'prometheus-url': 'http://user:pw@prom:9090' },
      'prometheus-url',
      /credentials in the URL/,
    ],
    [{ ...prometheus, 'metrics-selector': '' }, 'metrics-selector', /need a selector/],
    [
      { ...prometheus, 'metrics-selector': 'job="web"' },
      'metrics-selector',
      /must use \{\{color\}\} or \{\{service\}\}/,
    ],
    [
      { ...prometheus, 'analysis-window': '30s', 'analysis-interval': '1m' },
      'analysis-window',
      /at least the analysis-interval/,
    ],
    [{ ...prometheus, 'analysis-interval': '10' }, 'analysis-interval', /add a unit/],
    [{ ...prometheus, 'analysis-judge': 'kayenta' }, 'analysis-judge', /not one of none, mann-whitney/],
    [{ ...prometheus, 'judge-pass-score': '101' }, 'judge-pass-score', /above the maximum of 100/],
    [
      { ...prometheus, 'judge-pass-score': '70' },
      'judge-marginal-score',
      /must not be above judge-pass-score/,
    ],
    [{ ...prometheus, 'analysis-checks': '- error' }, 'analysis-checks', /"error" is not a ready-made check/],
    [{ 'analysis-checks': '- error-rate' }, 'analysis-checks', /checks need a metrics-provider/],
    [{ 'metrics-provider': 'datadog', 'metrics-selector': 'color:{{color}}' }, 'datadog-api-key', /required/],
    [{ action: 'rollback' }, 'action', /not one of deploy, promote, abort/],
    [{ 'pause-at': '100' }, 'pause-at', /above the maximum of 99/],
  ])('%o → InputError on %s', async (inputs, input, message) => {
    setInputs(inputs);
    const error = await getCanaryInputs(createCaptureLogger()).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe(input);
    expect((error as Error).message).toMatch(message);
  });

  test('strategy canary needs the alb colours and defaults traffic-steps to 5,25,100', () => {
    process.env['AWS_REGION'] = 'us-east-1';
    setInputs({ strategy: 'canary', cluster: 'prod', image: 'registry.example/web:2' });
    expect(() => getInputs()).toThrow(/Input 'listener-arn'/);
    const arn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
    setInputs({
      strategy: 'canary',
      cluster: 'prod',
      image: 'registry.example/web:2',
      'listener-arn': `${arn}:listener/app/web/0123/4567`,
      'blue-service': 'web-blue',
      'green-service': 'web-green',
      'blue-target-group-arn': `${arn}:targetgroup/web-blue/0123`,
      'green-target-group-arn': `${arn}:targetgroup/web-green/0123`,
    });
    expect(getInputs()['traffic-steps']).toEqual([5, 25, 100]);
  });
});

describe('sideValues', () => {
  test('fills the selector and derives the CloudWatch ALB dimensions from the ARNs', () => {
    const arn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
    expect(
      sideValues(
        'job="web",color="{{color}}",svc="{{ service }}"',
        'prod',
        `${arn}:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2`,
        {
          color: 'green',
          service: 'web-green',
          targetGroupArn: `${arn}:targetgroup/web-green/73e2d6bc24d8a067`,
        },
      ),
    ).toEqual({
      selector: 'job="web",color="green",svc="web-green"',
      color: 'green',
      service: 'web-green',
      cluster: 'prod',
      'target-group': 'targetgroup/web-green/73e2d6bc24d8a067',
      'load-balancer': 'app/web/50dc6c495c0c9188',
    });
  });
});
