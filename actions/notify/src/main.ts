/**
 * notify's flow: read the inputs, then tell each configured channel — Slack (Web API and/or webhook),
 * PagerDuty, the GitHub commit status and the GitHub deployment — independently. A channel that still
 * fails after retries is a warning; the step fails only with `fail-on-error: true`. Outputs and the
 * summary are written before that failure is raised.
 */
import * as core from '@actions/core';
import { settleWithin } from '../../../shared/src/deadline.ts';
import { formatDurationInput } from '../../../shared/src/duration.ts';
import { describeThrown } from '../../../shared/src/errors.ts';
import { coreLogger, type Logger } from '../../../shared/src/logger.ts';
import { printPlanned, type PlannedRequest } from './delivery.ts';
import {
  commitStatusRequest,
  createOctokit,
  defaultContext,
  plannedCommitStatus,
  plannedDeployment,
  setCommitStatus,
  updateDeployment,
  type DeploymentInput,
} from './github.ts';
import { getInputs, type Inputs } from './inputs.ts';
import { buildFailureReply, buildMessage, title, type MessageInput } from './message.ts';
import { pagerDutyEvent, plannedPagerDuty, sendPagerDutyEvent } from './pagerduty.ts';
import { channelLabel, writeSummary, type ChannelName, type ChannelResult } from './report.ts';
import { readRunContext, type RunContext } from './run-context.ts';
import { plannedSlackApi, plannedSlackWebhook, postToSlackApi, postToSlackWebhook } from './slack.ts';
import { meaningOf } from './status.ts';

/** What the flow needs from its surroundings (tests pass their own). */
export interface RunDependencies {
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  setOutput?: (name: string, value: string) => void;
}

/** One channel's work: returns its result, or throws to be reported as failed. */
type ChannelTask = () => Promise<Omit<ChannelResult, 'channel'>>;

interface Flow {
  inputs: Inputs;
  run: RunContext;
  production: boolean;
  message: MessageInput;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  secrets: string[];
  outputs: Map<string, string>;
  octokit?: ReturnType<typeof createOctokit>;
}

/**
 * Runs the notify action.
 * @throws InputError for bad inputs (before anything is sent); Error naming the failed channels when
 *   `fail-on-error` is true and a channel still failed after retries
 */
export async function run(dependencies: RunDependencies = {}): Promise<void> {
  const logger = dependencies.logger ?? coreLogger;
  const env = dependencies.env ?? process.env;
  const setOutput = dependencies.setOutput ?? ((name: string, value: string) => core.setOutput(name, value));

  const inputs = await getInputs(logger);
  const run = readRunContext(env, inputs.sha);
  const production =
    inputs.environment !== '' && inputs['production-environments'].includes(inputs.environment.toLowerCase());
  const message: MessageInput = {
    status: inputs.status,
    run,
    environment: inputs.environment,
    environmentUrl: inputs['environment-url'],
    version: inputs.version,
    image: inputs.image,
    message: inputs.message,
    details: inputs.details,
    title: inputs.title,
  };
  const flow: Flow = {
    inputs,
    run,
    production,
    message,
    logger,
    env,
    secrets: [
      inputs['slack-token'],
      inputs['slack-webhook'],
      inputs['pagerduty-routing-key'],
      inputs['github-token'],
    ].filter((secret) => secret !== ''),
    outputs: new Map([['status', inputs.status]]),
  };
  logger.info(`${title(message)}${inputs['dry-run'] ? ' (dry run: nothing is sent)' : ''}`);

  const tasks = channelTasks(flow);
  const results: ChannelResult[] = [];
  if (tasks.length === 0)
    logger.warning(
      'No channel to notify: give slack-token + slack-channel, slack-webhook, pagerduty-routing-key or github-token',
    );
  // Every channel at once, all bounded by one deadline: a slow or unreachable channel never delays another.
  results.push(
    ...(await settleWithin(
      tasks.map(
        ([channel, task]) =>
          () =>
            notifyChannel(channel, task, logger),
      ),
      inputs.timeout,
      (index): ChannelResult => {
        const channel = tasks[index]?.[0] ?? 'slack';
        const reason = `no answer within the step's timeout of ${formatDurationInput(inputs.timeout)}`;
        logger.warning(`${channelLabel(channel)} was not notified: ${reason}`);
        return { channel, outcome: 'failed', detail: reason };
      },
    )),
  );

  const notified = results.filter((r) => r.outcome === 'notified').map((r) => r.channel);
  const failed = results.filter((r) => r.outcome === 'failed').map((r) => r.channel);
  flow.outputs.set('notified', notified.join(','));
  flow.outputs.set('failed', failed.join(','));
  for (const name of ['slack-ts', 'slack-channel', 'pagerduty-dedup-key', 'deployment-id'])
    if (!flow.outputs.has(name)) flow.outputs.set(name, '');
  // core.setOutput (shared/src/core.ts) redacts every registered secret: no value reaches the file unmasked.
  for (const [name, value] of flow.outputs) setOutput(name, value);
  await writeSummary(`Notify: ${title(message).replace(/^:[a-z_]+: /, '')}`, results);

  if (failed.length > 0) {
    const list = failed.map(channelLabel).join(', ');
    if (inputs['fail-on-error'])
      throw new Error(`Not notified after retries: ${list} (fail-on-error is true; see the warnings above)`);
    logger.info(`Not notified: ${list}; the step stays green (set fail-on-error: true to fail it)`);
  }
}

/** Runs one channel's task, turning a failure into a warning and a `failed` result. */
async function notifyChannel(
  channel: ChannelName,
  task: ChannelTask,
  logger: Logger,
): Promise<ChannelResult> {
  try {
    const done: ChannelResult = { channel, ...(await task()) };
    logger.info(`${channelLabel(channel)}: ${done.outcome === 'skipped' ? 'skipped, ' : ''}${done.detail}`);
    return done;
  } catch (error) {
    const reason = describeThrown(error);
    logger.warning(`${channelLabel(channel)} was not notified: ${reason}`);
    return { channel, outcome: 'failed', detail: reason };
  }
}

/** The channels this call uses, in the order they are reported. */
function channelTasks(flow: Flow): [ChannelName, ChannelTask][] {
  const { inputs } = flow;
  const tasks: [ChannelName, ChannelTask][] = [];
  if (inputs['slack-token'] !== '') tasks.push(['slack', () => slackApi(flow)]);
  if (inputs['slack-webhook'] !== '') tasks.push(['slack-webhook', () => slackWebhook(flow)]);
  if (inputs['pagerduty-routing-key'] !== '') tasks.push(['pagerduty', () => pagerDuty(flow)]);
  if (inputs['github-token'] !== '') {
    tasks.push(['commit-status', () => commitStatus(flow)]);
    tasks.push(['deployment', () => deployment(flow)]);
  }
  return tasks;
}

function dryRun(flow: Flow, requests: PlannedRequest[]): Omit<ChannelResult, 'channel'> {
  printPlanned(requests, flow.secrets, flow.logger);
  return {
    outcome: 'dry-run',
    detail: `${requests.length} request${requests.length === 1 ? '' : 's'} printed, none sent`,
  };
}

async function slackApi(flow: Flow): Promise<Omit<ChannelResult, 'channel'>> {
  const { inputs, logger } = flow;
  const bad = meaningOf(inputs.status).bad;
  const options = {
    channel: inputs['slack-channel'],
    ts: inputs['slack-ts'],
    apiUrl: inputs['slack-api-url'],
    message: buildMessage(flow.message),
    ...(bad ? { threadReply: buildFailureReply(flow.message) } : {}),
  };
  if (inputs['dry-run']) return dryRun(flow, plannedSlackApi(options));
  const result = await postToSlackApi({ ...options, token: inputs['slack-token'], logger });
  flow.outputs.set('slack-ts', result.ts);
  flow.outputs.set('slack-channel', result.channel);
  const what = result.updated ? `updated message ${result.ts}` : `posted message ${result.ts}`;
  return {
    outcome: 'notified',
    detail: `${what} in ${result.channel}${result.threadTs === undefined ? '' : ' and replied in its thread'}`,
    links: result.permalink === undefined ? [] : [{ url: result.permalink, label: 'message' }],
  };
}

async function slackWebhook(flow: Flow): Promise<Omit<ChannelResult, 'channel'>> {
  const message = buildMessage(flow.message);
  const url = flow.inputs['slack-webhook'];
  if (flow.inputs['dry-run']) return dryRun(flow, plannedSlackWebhook(url, message));
  await postToSlackWebhook(url, message, flow.logger);
  return { outcome: 'notified', detail: 'posted the message' };
}

async function pagerDuty(flow: Flow): Promise<Omit<ChannelResult, 'channel'>> {
  const { inputs } = flow;
  const event = pagerDutyEvent({
    ...flow.message,
    routingKey: inputs['pagerduty-routing-key'],
    severity: inputs['pagerduty-severity'],
    dedupKey: inputs['pagerduty-dedup-key'],
    production: flow.production,
  });
  if ('skip' in event) return { outcome: 'skipped', detail: event.skip };
  const url = inputs['pagerduty-api-url'];
  flow.outputs.set('pagerduty-dedup-key', event.dedup_key);
  if (inputs['dry-run']) return dryRun(flow, plannedPagerDuty(url, event));
  const dedupKey = await sendPagerDutyEvent(url, event, flow.logger);
  flow.outputs.set('pagerduty-dedup-key', dedupKey);
  return {
    outcome: 'notified',
    detail: `${event.event_action === 'trigger' ? `triggered (${event.payload?.severity ?? ''})` : 'resolved'} dedup_key ${dedupKey}`,
  };
}

function apiUrl(flow: Flow): string {
  return (flow.env['GITHUB_API_URL'] || 'https://api.github.com').replace(/\/+$/, '');
}

/** GitHub needs the repository and commit the runner describes; without them the channel cannot work. */
function requireRepository(run: RunContext): void {
  if (run.owner === '' || run.repo === '') throw new Error('GITHUB_REPOSITORY is not set to owner/repo');
  if (run.sha === '') throw new Error('no commit: GITHUB_SHA is not set and the sha input is empty');
}

/** One Octokit per run, shared by the commit status and the deployment. */
function octokit(flow: Flow): ReturnType<typeof createOctokit> {
  flow.octokit ??= createOctokit(flow.inputs['github-token'], apiUrl(flow), flow.logger);
  return flow.octokit;
}

async function commitStatus(flow: Flow): Promise<Omit<ChannelResult, 'channel'>> {
  const { inputs, run } = flow;
  if (!inputs['commit-status']) return { outcome: 'skipped', detail: 'commit-status is false' };
  requireRepository(run);
  const context = inputs['commit-status-context'] || defaultContext(inputs.environment);
  const request = commitStatusRequest(run, inputs.status, context, inputs.environment, inputs.version);
  if (inputs['dry-run']) return dryRun(flow, plannedCommitStatus(apiUrl(flow), request));
  await setCommitStatus(await octokit(flow), request, flow.logger);
  return {
    outcome: 'notified',
    detail: `${context}: ${request.state} on ${run.sha.slice(0, 7)}`,
    links: run.commitUrl === '' ? [] : [{ url: run.commitUrl, label: `commit ${run.sha.slice(0, 7)}` }],
  };
}

async function deployment(flow: Flow): Promise<Omit<ChannelResult, 'channel'>> {
  const { inputs, run } = flow;
  if (!inputs.deployment) return { outcome: 'skipped', detail: 'deployment is false' };
  if (inputs.environment === '') return { outcome: 'skipped', detail: 'no environment given' };
  requireRepository(run);
  const input: DeploymentInput = {
    run,
    status: inputs.status,
    environment: inputs.environment,
    environmentUrl: inputs['environment-url'],
    version: inputs.version,
    image: inputs.image,
    deploymentId: inputs['deployment-id'],
    description: inputs['deployment-description'],
    production: flow.production,
  };
  if (inputs['deployment-id'] !== '') flow.outputs.set('deployment-id', inputs['deployment-id']);
  if (inputs['dry-run']) return dryRun(flow, plannedDeployment(apiUrl(flow), input));
  const result = await updateDeployment(await octokit(flow), input, flow.logger, (id) =>
    flow.outputs.set('deployment-id', String(id)),
  );
  flow.outputs.set('deployment-id', String(result.id));
  const superseded =
    result.superseded.length === 0 ? '' : `; marked ${result.superseded.join(', ')} inactive`;
  return {
    outcome: 'notified',
    detail: `deployment ${result.id} to ${inputs.environment}: ${meaningOf(inputs.status).deploymentState}${superseded}`,
    links: [
      { url: result.url, label: `${inputs.environment} deployments` },
      ...(inputs['environment-url'] === ''
        ? []
        : [{ url: inputs['environment-url'], label: inputs['environment-url'] }]),
    ],
  };
}
