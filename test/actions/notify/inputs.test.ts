import { afterEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { getInputs } from '../../../actions/notify/src/inputs.ts';
import { createCaptureLogger } from '../../../shared/src/logger.ts';
import { actionDefaults, inputEnvName } from '../../../testkit/bundle-runner.ts';

const set: string[] = [];
function given(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries({ ...actionDefaults('notify'), ...inputs })) {
    const key = inputEnvName(name);
    process.env[key] = value;
    set.push(key);
  }
}
afterEach(() => {
  for (const key of set.splice(0)) delete process.env[key];
});

describe('status', () => {
  const cases: [Record<string, string>, string][] = [
    [{ status: 'started' }, 'started'],
    [{ status: 'rolled-back', 'job-status': 'success' }, 'rolled-back'],
    [{ 'job-status': 'success' }, 'success'],
    [{ 'job-status': 'failure' }, 'failure'],
    [{ 'job-status': 'cancelled' }, 'cancelled'],
    [{ 'job-status': 'Failure' }, 'failure'],
  ];
  for (const [inputs, expected] of cases)
    test(`${JSON.stringify(inputs)} → ${expected}`, async () => {
      given(inputs);
      assert.equal((await getInputs(createCaptureLogger())).status, expected);
    });
});

describe('bad inputs name the input and a good value', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { status: 'deployed' },
      /^Input 'status': "deployed" is not one of started, success, failure, cancelled, rolled-back/,
    ],
    [{}, /^Input 'status': no status given and job-status is empty/], // job-status default unevaluated locally
    [{ 'job-status': 'skipped' }, /^Input 'job-status': "skipped" is not success, failure or cancelled/],
    [
      { status: 'success', 'slack-token': 'xoxb-1' },
      /^Input 'slack-channel': slack-token is set but no channel/,
    ],
    [
      { status: 'success', 'slack-ts': '1700000000.1' },
      /^Input 'slack-ts': updating a message needs slack-token/,
    ],
    [
      { status: 'success', 'slack-token': 'xoxb-1', 'slack-channel': 'C1', 'slack-ts': 'yesterday' },
      /is not a Slack message ts/,
    ],
    [
      {
        status: 'success',
        'slack-token': 'xoxb-1',
        'slack-channel': '#deploys',
        'slack-ts': '1700000000.000100',
      },
      /^Input 'slack-channel': "#deploys" is a name, but updating a message \(slack-ts\) needs the channel ID/,
    ],
    [
      { status: 'success', 'environment-url': 'app.example.com' },
      /^Input 'environment-url': "app.example.com" is not a URL/,
    ],
    [
      { status: 'success', 'slack-api-url': 'ftp://slack' },
      /^Input 'slack-api-url': "ftp:\/\/slack" is not an http\(s\) URL/,
    ],
    [
      { status: 'success', 'pagerduty-severity': 'high' },
      /^Input 'pagerduty-severity': "high" is not one of critical, error, warning, info/,
    ],
    [{ status: 'success', 'deployment-id': 'abc' }, /^Input 'deployment-id': "abc" is not a deployment ID/],
    [{ status: 'success', sha: 'main' }, /^Input 'sha': "main" is not a full commit SHA/],
    [{ status: 'success', 'fail-on-error': 'yes' }, /^Input 'fail-on-error': "yes" is not a boolean/],
    [
      { status: 'success', title: 'Health: production failing\n::error::injected' },
      /^Input 'title': .* spans several lines; one line is expected.*Weekly security summary: acme\/app/s,
    ],
    [
      { status: 'success', title: 'Health\u2028::error::injected' },
      /^Input 'title': .* contains a control character \(U\+2028\)/,
    ],
    [
      { status: 'success', title: 'x'.repeat(151) },
      /^Input 'title': is 151 characters; at most 150 fit a Slack header.*Weekly security summary: acme\/app/s,
    ],
    [
      { status: 'success', details: 'no equals sign' },
      /^Input 'details': line 1 \("no equals sign"\) is not KEY=VALUE/,
    ],
  ];
  for (const [inputs, expected] of cases)
    test(`${JSON.stringify(inputs)} → ${expected.source.slice(0, 60)}`, async () => {
      given(inputs);
      await assert.rejects(getInputs(createCaptureLogger()), (error: Error) => {
        assert.equal(error.name, 'InputError');
        assert.match(error.message, expected);
        return true;
      });
    });
});

test('a title of 150 characters is taken as given; empty means the deploy headline', async () => {
  given({ status: 'success', title: 'y'.repeat(150) });
  assert.equal((await getInputs(createCaptureLogger())).title, 'y'.repeat(150));
  given({ status: 'success', title: '' });
  assert.equal((await getInputs(createCaptureLogger())).title, '');
});

test('a bad webhook URL is reported without repeating the secret', async () => {
  given({ status: 'success', 'slack-webhook': 'not-a-url-SECRETPART' });
  await assert.rejects(getInputs(createCaptureLogger()), (error: Error) => {
    assert.match(error.message, /^Input 'slack-webhook': the value is not an http\(s\) URL/);
    assert.ok(!error.message.includes('SECRETPART'));
    return true;
  });
});

test('secrets are masked, unevaluated defaults count as not given, lists are lower-cased', async () => {
  given({
    status: 'success',
    'slack-token': 'xoxb-secret',
    'slack-channel': '#deploys',
    'pagerduty-routing-key': 'routing-secret',
    'production-environments': 'Production\nLive',
    details: 'Smoke test=passed\nURL=https://x.example.com/?a=b',
  });
  const logger = createCaptureLogger();
  const inputs = await getInputs(logger);
  logger.info('token xoxb-secret key routing-secret');
  assert.equal(logger.text().split('\n').at(-1), 'token *** key ***');
  assert.equal(inputs['github-token'], ''); // '${{ github.token }}' not evaluated outside a runner
  assert.equal(inputs.sha, '');
  assert.deepEqual(inputs['production-environments'], ['production', 'live']);
  assert.deepEqual(
    [...inputs.details],
    [
      ['Smoke test', 'passed'],
      ['URL', 'https://x.example.com/?a=b'],
    ],
  );
  assert.equal(inputs['slack-api-url'], 'https://slack.com/api/');
  assert.equal(inputs['pagerduty-api-url'], 'https://events.pagerduty.com/v2/enqueue');
});
