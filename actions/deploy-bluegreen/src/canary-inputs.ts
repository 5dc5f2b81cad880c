/**
 * The inputs of strategy canary's metric analysis (see action.yml): where the metrics are, which checks
 * judge each step, how long a step is held and how often it is judged. Read and validated before any
 * AWS or metrics call; the checks document is parsed here (with the colours still unknown) so a bad
 * check is an input error, not a failed deployment.
 */
import { parseChecks, type CheckContext } from '../../../shared/src/analysis/checks.ts';
import type { ProviderName } from '../../../shared/src/analysis/types.ts';
import { InputError } from '../../../shared/src/errors.ts';
import {
  getDocument,
  getDuration,
  getEnum,
  getInteger,
  getString,
  type ParsedDocument,
} from '../../../shared/src/inputs.ts';
import { getSecret } from '../../../shared/src/secret-inputs.ts';
import type { Logger } from '../../../shared/src/logger.ts';

export const METRICS_PROVIDERS = ['none', 'prometheus', 'cloudwatch', 'datadog'] as const;
export const JUDGES = ['none', 'mann-whitney'] as const;
export const ACTIONS = ['deploy', 'promote', 'abort'] as const;

export interface CanaryInputs {
  /** deploy a new canary, or promote / abort the one paused by an earlier run. */
  action: (typeof ACTIONS)[number];
  /** Pause after this traffic step passed (a percentage below 100 in traffic-steps), or undefined. */
  'pause-at': number | undefined;
  'metrics-provider': (typeof METRICS_PROVIDERS)[number];
  'prometheus-url': string;
  'datadog-url': string;
  /** Masked already; '' unless the provider is datadog. */
  'datadog-api-key': string;
  'datadog-application-key': string;
  /** Label matchers (Prometheus) or tags (Datadog) with `{{color}}` / `{{service}}` placeholders. */
  'metrics-selector': string;
  'analysis-checks': ParsedDocument | undefined;
  /** Milliseconds each step below 100 % is held and analysed. */
  'analysis-window': number;
  /** Milliseconds between evaluations. */
  'analysis-interval': number;
  'analysis-judge': (typeof JUDGES)[number];
  'judge-pass-score': number;
  'judge-marginal-score': number;
}

function httpUrl(name: string, value: string, example: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InputError(name, `"${value}" is not a URL`, example);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new InputError(name, `"${value}" is not http(s)`, example);
  if (parsed.username !== '' || parsed.password !== '')
    throw new InputError(name, 'credentials in the URL are not accepted', example);
  return value;
}

/**
 * The placeholder values of one side of a Kubernetes canary: `{{color}}` and `{{track}}` are the track
 * (`canary` / `stable`, the `gantry.dev/track` label's values), `{{service}}` and `{{deployment}}` the
 * Deployment's name, `{{namespace}}` and `{{cluster}}` its namespace.
 */
export function kubernetesSideValues(
  selector: string,
  track: 'canary' | 'stable',
  deployment: string,
  namespace: string,
): Record<string, string> {
  return {
    selector: selector
      .replace(/\{\{\s*(color|track)\s*\}\}/g, track)
      .replace(/\{\{\s*(service|deployment)\s*\}\}/g, deployment)
      .replace(/\{\{\s*namespace\s*\}\}/g, namespace),
    color: track,
    track,
    service: deployment,
    deployment,
    namespace,
    cluster: namespace,
    'target-group': '',
    'load-balancer': '',
  };
}

/**
 * The placeholder values used to validate checks before the sides are known (ECS: colours green/blue;
 * Kubernetes: tracks canary/stable of Deployment `web`).
 */
export function placeholderContext(
  provider: ProviderName,
  selector: string,
  intervalMs: number,
  platform: 'ecs' | 'kubernetes' = 'ecs',
): CheckContext {
  if (platform === 'kubernetes')
    return {
      provider,
      intervalMs,
      sides: {
        canary: kubernetesSideValues(selector, 'canary', 'web-canary', 'default'),
        baseline: kubernetesSideValues(selector, 'stable', 'web', 'default'),
      },
    };
  const side = (color: string): Record<string, string> => ({
    selector: selector
      .replace(/\{\{\s*color\s*\}\}/g, color)
      .replace(/\{\{\s*service\s*\}\}/g, `web-${color}`),
    color,
    service: `web-${color}`,
    cluster: 'cluster',
    'target-group': `targetgroup/${color}/0`,
    'load-balancer': 'app/lb/0',
  });
  return { provider, intervalMs, sides: { canary: side('green'), baseline: side('blue') } };
}

/**
 * Reads the analysis inputs (secrets masked first).
 * @param platform whose placeholders the selector and checks may use (Kubernetes adds `{{track}}`,
 *   `{{deployment}}`, `{{namespace}}`)
 * @param trafficSteps the run's `traffic-steps` (percent): `pause-at` must be one of them
 * @throws InputError naming the first bad input; a Vault error for a bad `vault:` reference
 */
export async function getCanaryInputs(
  logger: Logger,
  platform: 'ecs' | 'kubernetes' = 'ecs',
  trafficSteps?: number[],
): Promise<CanaryInputs> {
  const provider = getEnum('metrics-provider', METRICS_PROVIDERS, { default: 'none' });
  const interval = getDuration('analysis-interval', { default: '1m', min: 1_000, max: 3_600_000 }) ?? 60_000;
  const window =
    getDuration('analysis-window', { default: '5m', min: 1_000, max: 24 * 3_600_000 }) ?? 300_000;
  if (window < interval)
    throw new InputError('analysis-window', `must be at least the analysis-interval (${interval} ms)`, '5m');
  const selector = getString('metrics-selector');
  if ((provider === 'prometheus' || provider === 'datadog') && selector === '')
    throw new InputError(
      'metrics-selector',
      'prometheus and datadog need a selector that tells the canary from the baseline',
      provider === 'prometheus' ? 'job="web",color="{{color}}"' : 'service:web,color:{{color}}',
    );
  const distinct =
    platform === 'kubernetes'
      ? /\{\{\s*(color|track|service|deployment)\s*\}\}/
      : /\{\{\s*(color|service)\s*\}\}/;
  if (selector !== '' && !distinct.test(selector))
    throw new InputError(
      'metrics-selector',
      platform === 'kubernetes'
        ? 'must use {{track}} or {{deployment}} so the canary and the baseline differ'
        : 'must use {{color}} or {{service}} so the canary and the baseline differ',
      platform === 'kubernetes' ? 'app="web",track="{{track}}"' : 'job="web",color="{{color}}"',
    );
  const inputs: CanaryInputs = {
    action: getEnum('action', ACTIONS, { default: 'deploy' }),
    'pause-at': getInteger('pause-at', { min: 1, max: 99 }),
    'metrics-provider': provider,
    'prometheus-url':
      provider === 'prometheus'
        ? httpUrl(
            'prometheus-url',
            getString('prometheus-url', { required: true, example: 'http://prometheus:9090' }),
            'http://prometheus:9090',
          )
        : '',
    'datadog-url': httpUrl(
      'datadog-url',
      getString('datadog-url', { default: 'https://api.datadoghq.com' }),
      'https://api.datadoghq.eu',
    ),
    'datadog-api-key': '',
    'datadog-application-key': '',
    'metrics-selector': selector,
    'analysis-checks': getDocument('analysis-checks', { example: '- error-rate\n- latency' }),
    'analysis-window': window,
    'analysis-interval': interval,
    'analysis-judge': getEnum('analysis-judge', JUDGES, { default: 'none' }),
    'judge-pass-score': getInteger('judge-pass-score', { default: 95, min: 0, max: 100 }) ?? 95,
    'judge-marginal-score': getInteger('judge-marginal-score', { default: 75, min: 0, max: 100 }) ?? 75,
  };
  if (inputs['pause-at'] !== undefined && trafficSteps?.includes(inputs['pause-at']) === false)
    throw new InputError(
      'pause-at',
      `${inputs['pause-at']} is not one of the traffic-steps (${trafficSteps.join(',')})`,
      '25',
    );
  if (inputs['judge-marginal-score'] > inputs['judge-pass-score'])
    throw new InputError('judge-marginal-score', 'must not be above judge-pass-score', '75');
  if (provider === 'none') {
    if (inputs['analysis-checks'] !== undefined)
      throw new InputError('analysis-checks', 'checks need a metrics-provider', 'prometheus');
    if (inputs['analysis-judge'] !== 'none')
      throw new InputError('analysis-judge', 'the judge needs a metrics-provider', 'none');
    return inputs;
  }
  parseChecks(
    inputs['analysis-checks']?.value,
    placeholderContext(provider, selector, interval, platform),
    inputs['analysis-checks']?.locate,
  );
  if (provider === 'datadog') {
    inputs['datadog-api-key'] = await getSecret('datadog-api-key', {
      required: true,
      example: '${{ secrets.DD_API_KEY }}',
      logger,
    });
    inputs['datadog-application-key'] = await getSecret('datadog-application-key', {
      required: true,
      example: '${{ secrets.DD_APP_KEY }}',
      logger,
    });
  }
  return inputs;
}
