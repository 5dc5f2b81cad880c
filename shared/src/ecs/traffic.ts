/**
 * ALB weighted forwarding for blue/green: reading and setting the weights of the target groups a
 * listener's default action (or a listener rule) forwards to, and the colour bookkeeping Gantry keeps in
 * tags on that listener or rule.
 *
 * A forward action with `ForwardConfig.TargetGroups` (weights 0–999) splits traffic
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#forward-actions);
 * other actions of the listener/rule (authenticate-*, their `Order`) and the stickiness config are kept.
 */
import type { Action, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ConfigurationError } from '../errors.ts';

/** The lazily loaded ELBv2 SDK module. */
export async function elbSdk(): Promise<typeof import('@aws-sdk/client-elastic-load-balancing-v2')> {
  return import('@aws-sdk/client-elastic-load-balancing-v2');
}

/** Where the weighted forward lives: a listener's default action, or a rule's action. */
export interface TrafficLocation {
  listenerArn: string;
  /** When set, the rule's forward action is used instead of the listener's default action. */
  ruleArn?: string;
}

/** Target group ARN → share of traffic in percent (0–100; the shares add up to 100). */
export type Weights = Map<string, number>;

/**
 * Tag keys Gantry writes on the listener (or rule) it shifts. An empty value means cleared (AddTags cannot
 * remove a key; readers treat '' as absent). `canaryPaused` holds the percentage on a canary that
 * deploy-bluegreen paused (`pause-at`); a later `action: promote` or `abort` continues it, and whatever
 * returns all traffic to the stable colour (abort, a failed promote step, the rollback action) clears it.
 */
export const TRAFFIC_TAGS = {
  activeColor: 'gantry:active-color',
  previousColor: 'gantry:previous-color',
  activeTargetGroup: 'gantry:active-target-group',
  previousTargetGroup: 'gantry:previous-target-group',
  activeTaskDefinition: 'gantry:active-task-definition',
  previousTaskDefinition: 'gantry:previous-task-definition',
  canaryPaused: 'gantry:canary-paused',
} as const;

function resourceArn(location: TrafficLocation): string {
  return location.ruleArn !== undefined && location.ruleArn !== '' ? location.ruleArn : location.listenerArn;
}

function describeLocation(location: TrafficLocation): string {
  return location.ruleArn ? `rule ${location.ruleArn}` : `listener ${location.listenerArn}`;
}

/**
 * Reads the actions of the listener (default actions) or rule.
 * @throws ConfigurationError when the listener/rule does not exist or has no forward action
 */
export async function readActions(
  elb: ElasticLoadBalancingV2Client,
  location: TrafficLocation,
): Promise<Action[]> {
  const sdk = await elbSdk();
  let actions: Action[] | undefined;
  try {
    if (location.ruleArn) {
      const response = await elb.send(new sdk.DescribeRulesCommand({ RuleArns: [location.ruleArn] }));
      actions = response.Rules?.[0]?.Actions;
    } else {
      const response = await elb.send(
        new sdk.DescribeListenersCommand({ ListenerArns: [location.listenerArn] }),
      );
      actions = response.Listeners?.[0]?.DefaultActions;
    }
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'ListenerNotFoundException' || name === 'RuleNotFoundException')
      throw new ConfigurationError(`${describeLocation(location)} was not found: check the ARN and region`);
    throw error;
  }
  if (actions === undefined) throw new ConfigurationError(`${describeLocation(location)} was not found`);
  if (!actions.some((action) => action.Type === 'forward'))
    throw new ConfigurationError(`${describeLocation(location)} has no forward action to shift`);
  return actions;
}

/**
 * The weights of the forward action, in percent of the total.
 * @returns target group ARN → percent (rounded; a plain `TargetGroupArn` forward is 100)
 */
export function weightsOf(actions: Action[]): Weights {
  const forward = actions.find((action) => action.Type === 'forward');
  const groups = forward?.ForwardConfig?.TargetGroups;
  if (groups === undefined || groups.length === 0)
    return new Map(forward?.TargetGroupArn ? [[forward.TargetGroupArn, 100]] : []);
  const total = groups.reduce((sum, group) => sum + (group.Weight ?? 1), 0);
  return new Map(
    groups.map((group) => [
      group.TargetGroupArn ?? '',
      total === 0 ? 0 : Math.round(((group.Weight ?? 1) * 100) / total),
    ]),
  );
}

/**
 * Sets the weights of the forward action (ModifyListener default actions or ModifyRule actions), keeping
 * the other actions, their order and the stickiness configuration.
 * @param weights target group ARN → percent; every target group of the pair should be listed (0 allowed)
 */
export async function setWeights(
  elb: ElasticLoadBalancingV2Client,
  location: TrafficLocation,
  actions: Action[],
  weights: Weights,
): Promise<Action[]> {
  const sdk = await elbSdk();
  const next: Action[] = actions.map((action) => {
    if (action.Type !== 'forward') return action;
    const forward: Action = {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [...weights].map(([arn, weight]) => ({ TargetGroupArn: arn, Weight: weight })),
        ...(action.ForwardConfig?.TargetGroupStickinessConfig === undefined
          ? {}
          : { TargetGroupStickinessConfig: action.ForwardConfig.TargetGroupStickinessConfig }),
      },
    };
    if (action.Order !== undefined) forward.Order = action.Order;
    return forward;
  });
  if (location.ruleArn)
    await elb.send(new sdk.ModifyRuleCommand({ RuleArn: location.ruleArn, Actions: next }));
  else
    await elb.send(
      new sdk.ModifyListenerCommand({ ListenerArn: location.listenerArn, DefaultActions: next }),
    );
  return next;
}

/** Reads Gantry's tags on the listener/rule. */
export async function readTrafficTags(
  elb: ElasticLoadBalancingV2Client,
  location: TrafficLocation,
): Promise<Record<string, string>> {
  const sdk = await elbSdk();
  const response = await elb.send(new sdk.DescribeTagsCommand({ ResourceArns: [resourceArn(location)] }));
  const out: Record<string, string> = {};
  for (const tag of response.TagDescriptions?.[0]?.Tags ?? [])
    if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  return out;
}

/** Writes Gantry's tags on the listener/rule (AddTags replaces values of existing keys). */
export async function writeTrafficTags(
  elb: ElasticLoadBalancingV2Client,
  location: TrafficLocation,
  tags: Record<string, string>,
): Promise<void> {
  const sdk = await elbSdk();
  await elb.send(
    new sdk.AddTagsCommand({
      ResourceArns: [resourceArn(location)],
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

/** Health of a target group's targets. */
export interface TargetGroupHealth {
  healthy: number;
  total: number;
  /** `id: state (reason)` for targets that are not healthy. */
  problems: string[];
}

/** DescribeTargetHealth of one target group. */
export async function targetGroupHealth(
  elb: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
): Promise<TargetGroupHealth> {
  const sdk = await elbSdk();
  const response = await elb.send(new sdk.DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  const descriptions = response.TargetHealthDescriptions ?? [];
  const problems: string[] = [];
  let healthy = 0;
  for (const description of descriptions) {
    const state = description.TargetHealth?.State ?? 'unknown';
    if (state === 'healthy') healthy++;
    else
      problems.push(
        `${description.Target?.Id ?? '?'}: ${state}${description.TargetHealth?.Reason ? ` (${description.TargetHealth.Reason})` : ''}`,
      );
  }
  return { healthy, total: descriptions.length, problems };
}

/** A short name for a target group ARN (`targetgroup/web-blue/…` → `web-blue`). */
export function targetGroupName(arn: string): string {
  return /targetgroup\/([^/]+)/.exec(arn)?.[1] ?? arn;
}
