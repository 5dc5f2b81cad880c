export const id = 9331;
export const ids = [9331,2207];
export const modules = {

/***/ 23526:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Fw: () => (/* binding */ createElbv2Client),
/* harmony export */   Qb: () => (/* binding */ isThrottlingError),
/* harmony export */   Zv: () => (/* binding */ resolveRegion),
/* harmony export */   bV: () => (/* binding */ isTransientError),
/* harmony export */   createEcsClient: () => (/* binding */ createEcsClient)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(33904);
/* harmony import */ var _output_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(48502);


const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/**
 * The region to use: the input, else `AWS_REGION`, else `AWS_DEFAULT_REGION`.
 * @param input the `aws-region` input value ('' when not given)
 * @param inputName the input's name for errors (default `aws-region`)
 * @returns a region name such as `us-east-1`
 * @throws InputError when no region is given anywhere, or the value does not look like a region
 */
function resolveRegion(input, inputName = 'aws-region') {
    const fromInput = (input ?? '').trim();
    const region = fromInput || process.env['AWS_REGION'] || process.env['AWS_DEFAULT_REGION'] || '';
    if (region === '')
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(inputName, 'no region given and AWS_REGION is not set', 'us-east-1');
    if (!REGION.test(region))
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(inputName, `${(0,_output_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(region)} is not an AWS region name`, 'us-east-1');
    return region;
}
/**
 * An ECS client for `options.region` (see the module comment for credentials and endpoint).
 * @throws InputError when no region can be found
 */
async function createEcsClient(options = {}) {
    const region = resolveRegion(options.region);
    const { ECSClient } = await Promise.all(/* import() */[__webpack_require__.e(5118), __webpack_require__.e(5861), __webpack_require__.e(212)]).then(__webpack_require__.t.bind(__webpack_require__, 80212, 19));
    return new ECSClient({ region, maxAttempts: options.maxAttempts ?? 3 });
}
/**
 * An Elastic Load Balancing v2 client for `options.region` (see the module comment).
 * @throws InputError when no region can be found
 */
async function createElbv2Client(options = {}) {
    const region = resolveRegion(options.region);
    const { ElasticLoadBalancingV2Client } = await Promise.all(/* import() */[__webpack_require__.e(5118), __webpack_require__.e(5861), __webpack_require__.e(586)]).then(__webpack_require__.t.bind(__webpack_require__, 50586, 19));
    return new ElasticLoadBalancingV2Client({ region, maxAttempts: options.maxAttempts ?? 3 });
}
/** Error names AWS services use for throttling (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). */
const THROTTLING = new Set([
    'Throttling',
    'ThrottlingException',
    'ThrottledException',
    'RequestThrottledException',
    'TooManyRequestsException',
    'ProvisionedThroughputExceededException',
    'TransactionInProgressException',
    'RequestLimitExceeded',
    'BandwidthLimitExceeded',
    'LimitExceededException',
    'RequestThrottled',
    'SlowDown',
    'PriorRequestNotComplete',
    'EC2ThrottledException',
]);
/**
 * True when an SDK error says "slow down": a throttling error name, `$retryable.throttling`, or HTTP 429.
 * Follows the SDK's own classification (`@smithy/service-error-classification`).
 */
function isThrottlingError(error) {
    if (typeof error !== 'object' || error === null)
        return false;
    const shape = error;
    if (typeof shape.name === 'string' && THROTTLING.has(shape.name))
        return true;
    if (shape.$retryable?.throttling === true)
        return true;
    return shape.$metadata?.httpStatusCode === 429;
}
/**
 * True for failures worth another try that are not throttling: HTTP 5xx, and connection errors
 * (reset, refused, timed out) that never reached a response.
 */
function isTransientError(error) {
    if (typeof error !== 'object' || error === null)
        return false;
    const status = error.$metadata?.httpStatusCode;
    if (typeof status === 'number')
        return status >= 500;
    const code = error.code;
    return (typeof code === 'string' &&
        ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'].includes(code));
}


/***/ }),

/***/ 12105:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   D$: () => (/* binding */ ecsNameOptions)
/* harmony export */ });
/* unused harmony exports ECS_CLUSTER, ECS_SERVICE */
/** A cluster name or ARN (`arn:aws:ecs:<region>:<account>:cluster/<name>`). */
const ECS_CLUSTER = /^(?:[A-Za-z0-9_-]{1,255}|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255})$/;
/** A service name or ARN (`…:service/<name>` or `…:service/<cluster>/<name>`). */
const ECS_SERVICE = /^(?:[A-Za-z0-9_-]{1,255}|arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service\/(?:[A-Za-z0-9_-]{1,255}\/)?[A-Za-z0-9_-]{1,255})$/;
/**
 * `getString` options for an ECS cluster or service input: required unless told, one line, the ECS
 * name pattern.
 * @param kind    `cluster` or `service`
 * @param example a good value for the error, e.g. `production`
 */
function ecsNameOptions(kind, example, required = true) {
    return {
        required,
        example,
        singleLine: true,
        pattern: kind === 'cluster' ? ECS_CLUSTER : ECS_SERVICE,
        patternName: `an ECS ${kind} name (1-255 letters, digits, - and _) or ${kind} ARN`,
    };
}


/***/ }),

/***/ 85643:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ writeTimeline),
/* harmony export */   s: () => (/* binding */ writeImageDiff)
/* harmony export */ });
/* harmony import */ var _duration_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(12515);
/* harmony import */ var _summary_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(63083);
/**
 * Job-summary tables the ECS actions share: the rollout timeline and the image changes.
 */


/**
 * Writes a timeline table (`+12.0s | deployment …: IN_PROGRESS — running 1/2…`). No-op for an empty one.
 * @param title the table heading
 */
async function writeTimeline(title, timeline) {
    if (timeline.length === 0)
        return;
    await (0,_summary_js__WEBPACK_IMPORTED_MODULE_1__/* .writeSummaryTable */ .Ss)(title, ['at', 'what happened'], timeline.map((entry) => [`+${(0,_duration_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(entry.atMs)}`, entry.text]));
}
/**
 * Writes the image changes per container: before → after.
 * @param before container name → image of the running revision
 * @param after  container name → image of the new revision
 */
async function writeImageDiff(before, after) {
    const names = [...new Set([...before.keys(), ...after.keys()])];
    await (0,_summary_js__WEBPACK_IMPORTED_MODULE_1__/* .writeSummaryTable */ .Ss)('Images', ['container', 'before', 'after', ''], names.map((name) => {
        const old = before.get(name) ?? '';
        const now = after.get(name) ?? '';
        return [name, old, now, old === now ? 'unchanged' : 'changed'];
    }));
}


/***/ }),

/***/ 47805:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Xl: () => (/* binding */ restoreTaskDefinition),
/* harmony export */   aD: () => (/* binding */ resolveRollbackTarget)
/* harmony export */ });
/* unused harmony exports familyOf, findPreviousRevision */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(33904);
/* harmony import */ var _service_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(22207);
/* harmony import */ var _service_deployment_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(39776);
/* harmony import */ var _watch_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(83402);




/** The family of a task-definition ARN or `family:revision`. */
function familyOf(taskDefinition) {
    return (0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .shortTaskDefinition */ .P5)(taskDefinition).split(':')[0] ?? taskDefinition;
}
async function fromDeploymentHistory(ecs, cluster, service, current, logger) {
    const { ListServiceDeploymentsCommand, DescribeServiceRevisionsCommand } = await (0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .ecsSdk */ .UE)();
    try {
        const listed = await ecs.send(new ListServiceDeploymentsCommand({
            cluster,
            service,
            status: ['SUCCESSFUL', 'ROLLBACK_SUCCESSFUL'],
            maxResults: 20,
        }));
        const deployments = (listed.serviceDeployments ?? [])
            .filter((d) => d.targetServiceRevisionArn !== undefined)
            .sort((a, b) => (b.finishedAt?.getTime() ?? 0) - (a.finishedAt?.getTime() ?? 0));
        if (deployments.length === 0)
            return undefined;
        const revisions = await ecs.send(new DescribeServiceRevisionsCommand({
            serviceRevisionArns: deployments.slice(0, 20).map((d) => d.targetServiceRevisionArn ?? ''),
        }));
        const byArn = new Map((revisions.serviceRevisions ?? []).map((r) => [r.serviceRevisionArn, r.taskDefinition]));
        for (const deployment of deployments) {
            const taskDefinition = byArn.get(deployment.targetServiceRevisionArn);
            if (taskDefinition !== undefined && taskDefinition !== current)
                return taskDefinition;
        }
        return undefined;
    }
    catch (error) {
        logger.info(`The service deployment history is not available (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .describeThrown */ .YI)(error).split('\n')[0] ?? ''}); using Gantry's revision tags`);
        return undefined;
    }
}
async function fromGantryTags(ecs, current, logger, scan = 25) {
    const { ListTaskDefinitionsCommand } = await (0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .ecsSdk */ .UE)();
    const family = familyOf(current);
    const listed = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, sort: 'DESC', maxResults: 100 }));
    const arns = (listed.taskDefinitionArns ?? [])
        .filter((arn) => familyOf(arn) === family && arn !== current)
        .slice(0, scan);
    let best;
    for (const arn of arns) {
        const { tags } = await (0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .describeTaskDefinition */ .oh)(ecs, arn);
        const record = (0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .tagRecord */ .C3)(tags);
        if (record[_service_js__WEBPACK_IMPORTED_MODULE_1__/* .TAGS */ .gp.rollout] !== 'COMPLETED')
            continue;
        const at = record[_service_js__WEBPACK_IMPORTED_MODULE_1__/* .TAGS */ .gp.completedAt] ?? '';
        if (best === undefined || at > best.at)
            best = { arn, at };
    }
    if (best === undefined)
        logger.info(`No earlier revision of ${family} is tagged ${_service_js__WEBPACK_IMPORTED_MODULE_1__/* .TAGS */ .gp.rollout}=COMPLETED`);
    return best?.arn;
}
/**
 * Finds the last revision that completed a rollout before `current` (see the module comment).
 * @param current the task definition ARN the service runs now
 * @returns the revision and its source, or undefined when there is nothing to roll back to
 */
async function findPreviousRevision(ecs, cluster, service, current, logger) {
    const history = await fromDeploymentHistory(ecs, cluster, service, current, logger);
    if (history !== undefined)
        return { taskDefinitionArn: history, source: 'deployment history' };
    const tagged = await fromGantryTags(ecs, current, logger);
    if (tagged !== undefined)
        return { taskDefinitionArn: tagged, source: 'gantry tags' };
    return undefined;
}
/**
 * Resolves the rollback action's `to`: `previous`, a task-definition ARN, `family:revision`, or a bare
 * revision number of the current family.
 * @returns the full ARN to restore and where it came from
 * @throws ConfigurationError when there is nothing to roll back to, or the target is what runs now
 */
async function resolveRollbackTarget(ecs, options) {
    const { cluster, service, current, to, logger } = options;
    let target;
    if (to === 'previous') {
        const found = await findPreviousRevision(ecs, cluster, service, current, logger);
        if (found === undefined)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigurationError */ .j1(`Nothing to roll back to: no revision of ${familyOf(current)} other than the current ` +
                `${(0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .shortTaskDefinition */ .P5)(current)} completed a rollout (checked the service deployment history and ` +
                `the ${_service_js__WEBPACK_IMPORTED_MODULE_1__/* .TAGS */ .gp.rollout} tags). Pass an explicit task definition in 'to' to restore one anyway.`);
        target = found;
    }
    else {
        const reference = /^\d+$/.test(to) ? `${familyOf(current)}:${to}` : to;
        const { taskDefinition } = await (0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .describeTaskDefinition */ .oh)(ecs, reference);
        target = { taskDefinitionArn: taskDefinition.taskDefinitionArn ?? reference, source: `'to: ${to}'` };
    }
    if (target.taskDefinitionArn === current)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ConfigurationError */ .j1(`Nothing to roll back: service ${service} already runs ${(0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .shortTaskDefinition */ .P5)(current)} (from ${target.source})`);
    return target;
}
/**
 * Puts a service back on a task definition and (when `wait`) follows that deployment to its end. When the
 * service's primary deployment already runs the revision (ECS's circuit breaker rolled back on its own),
 * no UpdateService is sent and that deployment is followed instead.
 * On COMPLETED the revision is tagged `gantry:rollout=COMPLETED` (and the reason, when given).
 * @returns the deployment followed and its outcome; a failed outcome is returned, not thrown
 */
async function restoreTaskDefinition(ecs, options) {
    const { cluster, service, taskDefinitionArn, logger } = options;
    const described = await (0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .describeService */ .Jv)(ecs, cluster, service);
    let deploymentId;
    let alreadyRestoring = false;
    const strategy = described.deploymentConfiguration?.strategy ?? 'ROLLING';
    if (strategy !== 'ROLLING')
        return restoreByServiceDeployment(ecs, options, strategy);
    const primary = described.deployments?.find((d) => d.status === 'PRIMARY');
    if (described.taskDefinition === taskDefinitionArn &&
        primary?.taskDefinition === taskDefinitionArn &&
        primary.id !== undefined) {
        alreadyRestoring = true;
        deploymentId = primary.id;
        logger.info(`Service ${service} already runs ${(0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .shortTaskDefinition */ .P5)(taskDefinitionArn)} (deployment ${deploymentId}); following it`);
    }
    else {
        const { deployment } = await (0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .updateService */ .bU)(ecs, { cluster, service, taskDefinition: taskDefinitionArn });
        deploymentId = deployment.id ?? (0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .primaryDeployment */ .sg)(described).id ?? '?';
        logger.info(`UpdateService: ${service} → ${(0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .shortTaskDefinition */ .P5)(taskDefinitionArn)} (deployment ${deploymentId})`);
    }
    if (!options.wait)
        return { deploymentId, alreadyRestoring };
    const outcome = await (0,_watch_js__WEBPACK_IMPORTED_MODULE_3__/* .watchRollout */ .Dl)(ecs, {
        cluster,
        service,
        deploymentId,
        timeoutMs: options.timeoutMs,
        logger,
        prefix: 'rollback: ',
        ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
        ...(options.now === undefined ? {} : { now: options.now }),
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    });
    if (outcome.state === 'COMPLETED')
        await tagRestored(ecs, options);
    return { deploymentId, alreadyRestoring, outcome };
}
async function tagRestored(ecs, options) {
    const tags = {
        [_service_js__WEBPACK_IMPORTED_MODULE_1__/* .TAGS */ .gp.rollout]: 'COMPLETED',
        [_service_js__WEBPACK_IMPORTED_MODULE_1__/* .TAGS */ .gp.completedAt]: new Date().toISOString(),
    };
    if (options.reason !== undefined && options.reason !== '')
        tags[_service_js__WEBPACK_IMPORTED_MODULE_1__/* .TAGS */ .gp.rollbackReason] = options.reason.slice(0, 256);
    await (0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .tagTaskDefinition */ .DY)(ecs, options.taskDefinitionArn, tags, options.logger);
}
/**
 * Restore for services on the BLUE_GREEN/LINEAR/CANARY strategies: UpdateService starts a service
 * deployment, followed through its lifecycle stages. A PAUSE hook on the way is answered CONTINUE — the
 * revision being restored is the one that last completed — and said so in the log.
 */
async function restoreByServiceDeployment(ecs, options, strategy) {
    const { UpdateServiceCommand } = await (0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .ecsSdk */ .UE)();
    const { cluster, service, taskDefinitionArn, logger } = options;
    const now = options.now ?? Date.now;
    const since = new Date(now() - 1_000);
    await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: taskDefinitionArn }));
    const timing = {
        ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
        ...(options.now === undefined ? {} : { now: options.now }),
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    };
    const deadline = now() + (options.wait ? options.timeoutMs : Math.min(options.timeoutMs, 60_000));
    const arn = await (0,_service_deployment_js__WEBPACK_IMPORTED_MODULE_2__/* .findServiceDeployment */ .S)(ecs, cluster, service, since, deadline, timing);
    logger.info(`UpdateService: ${service} → ${(0,_service_js__WEBPACK_IMPORTED_MODULE_1__/* .shortTaskDefinition */ .P5)(taskDefinitionArn)} (${strategy} service deployment ${arn})`);
    if (!options.wait)
        return { deploymentId: arn, alreadyRestoring: false };
    const followed = await (0,_service_deployment_js__WEBPACK_IMPORTED_MODULE_2__/* .followServiceDeployment */ .E)(ecs, {
        serviceDeploymentArn: arn,
        deadline,
        rollbackOnTimeout: false,
        smokeTimeoutMs: 0,
        logger,
        onPause: async () => ({
            passed: true,
            lines: ['rollback to the last revision that completed: continued without checks'],
        }),
        ...timing,
    });
    const state = followed.status === 'SUCCESSFUL' ? 'COMPLETED' : followed.status === 'TIMED_OUT' ? 'TIMED_OUT' : 'FAILED';
    const outcome = {
        state,
        reason: `service deployment ${followed.status}: ${followed.reason}`,
        stoppedTasks: [],
        timeline: followed.timeline,
        describeCalls: followed.describeCalls,
        throttled: 0,
        elapsedMs: followed.timeline.at(-1)?.atMs ?? 0,
    };
    if (state === 'COMPLETED')
        await tagRestored(ecs, options);
    return { deploymentId: arn, alreadyRestoring: false, outcome };
}


/***/ }),

/***/ 39776:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   E: () => (/* binding */ followServiceDeployment),
/* harmony export */   S: () => (/* binding */ findServiceDeployment)
/* harmony export */ });
/* harmony import */ var _aws_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(23526);
/* harmony import */ var _duration_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(12515);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(33904);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(90397);
/* harmony import */ var _service_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(22207);
/* harmony import */ var _watch_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(83402);






/** Terminal statuses of a service deployment. */
const TERMINAL = new Set(['SUCCESSFUL', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED', 'STOPPED']);
/**
 * The service deployment an UpdateService started: the newest one created since `since`, polled until it
 * appears (ListServiceDeployments is eventually consistent).
 * @throws Error when none appears before `deadline`
 */
async function findServiceDeployment(ecs, cluster, service, since, deadline, options = {}) {
    const { ListServiceDeploymentsCommand } = await (0,_service_js__WEBPACK_IMPORTED_MODULE_4__/* .ecsSdk */ .UE)();
    const now = options.now ?? Date.now;
    const wait = options.sleep ?? _retry_js__WEBPACK_IMPORTED_MODULE_3__/* .sleep */ .yy;
    for (;;) {
        const listed = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service, createdAt: { after: since }, maxResults: 10 }));
        const newest = (listed.serviceDeployments ?? []).sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
        if (newest?.serviceDeploymentArn !== undefined)
            return newest.serviceDeploymentArn;
        if (now() >= deadline)
            throw new Error(`No service deployment of ${service} appeared after UpdateService`);
        await wait(Math.min(options.intervalMs ?? (0,_watch_js__WEBPACK_IMPORTED_MODULE_5__/* .defaultPollIntervalMs */ .Gh)(), Math.max(0, deadline - now())));
    }
}
function describeStage(deployment) {
    const target = deployment.targetServiceRevision;
    const counts = target === undefined
        ? ''
        : `; green ${target.runningTaskCount ?? 0}/${target.requestedTaskCount ?? 0} running` +
            (target.requestedTestTrafficWeight === undefined
                ? ''
                : `, test traffic ${target.requestedTestTrafficWeight}%`) +
            (target.requestedProductionTrafficWeight === undefined
                ? ''
                : `, production traffic ${target.requestedProductionTrafficWeight}%`);
    return `stage ${deployment.lifecycleStage ?? '?'} — ${deployment.status ?? '?'}${counts}`;
}
/**
 * Follows a service deployment to a terminal status, answering PAUSE hooks.
 * @returns the outcome; never throws for a failed deployment, only for errors that are not throttling or
 *   transient (and after 5 transient errors in a row)
 */
async function followServiceDeployment(ecs, options) {
    const { DescribeServiceDeploymentsCommand, ContinueServiceDeploymentCommand, StopServiceDeploymentCommand, } = await (0,_service_js__WEBPACK_IMPORTED_MODULE_4__/* .ecsSdk */ .UE)();
    const now = options.now ?? Date.now;
    const wait = options.sleep ?? _retry_js__WEBPACK_IMPORTED_MODULE_3__/* .sleep */ .yy;
    const base = options.intervalMs ?? (0,_watch_js__WEBPACK_IMPORTED_MODULE_5__/* .defaultPollIntervalMs */ .Gh)();
    const started = now();
    const timeline = [];
    const hooks = [];
    const answered = new Set();
    const note = (text) => {
        timeline.push({ atMs: now() - started, text });
        options.logger.info(text);
    };
    let interval = base;
    let describeCalls = 0;
    let transient = 0;
    let last = '';
    let stopped = false;
    let deadline = options.deadline;
    for (;;) {
        let deployment;
        try {
            describeCalls++;
            const response = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [options.serviceDeploymentArn] }));
            deployment = response.serviceDeployments?.[0];
            interval = Math.max(base, Math.floor(interval / 2));
            transient = 0;
        }
        catch (error) {
            if ((0,_aws_js__WEBPACK_IMPORTED_MODULE_0__/* .isThrottlingError */ .Qb)(error)) {
                interval = Math.min(30_000, interval * 2);
                note(`throttled by ECS; next look in ${(0,_duration_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(interval)}`);
            }
            else if ((0,_aws_js__WEBPACK_IMPORTED_MODULE_0__/* .isTransientError */ .bV)(error) && ++transient < 5)
                note(`DescribeServiceDeployments failed (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .describeThrown */ .YI)(error)})`);
            else
                throw error;
        }
        if (deployment !== undefined) {
            const line = describeStage(deployment);
            if (line !== last) {
                last = line;
                note(line);
            }
            const status = deployment.status ?? '';
            if (TERMINAL.has(status))
                return {
                    status,
                    reason: (stopped
                        ? `timed out; Gantry stopped the deployment with a ROLLBACK, which ended ${status}: `
                        : '') + (deployment.statusReason ?? deployment.rollback?.reason ?? status),
                    serviceDeploymentArn: options.serviceDeploymentArn,
                    timeline,
                    hooks,
                    describeCalls,
                };
            for (const hook of deployment.lifecycleHookDetails ?? []) {
                if (hook.targetType !== 'PAUSE' || hook.status !== 'AWAITING_ACTION' || hook.hookId === undefined)
                    continue;
                if (answered.has(hook.hookId))
                    continue;
                answered.add(hook.hookId);
                const stage = deployment.lifecycleStage ?? '?';
                const expiresIn = hook.expiresAt === undefined ? Infinity : hook.expiresAt.getTime() - now() - 5_000;
                const budget = Math.max(1_000, Math.min(options.smokeTimeoutMs, expiresIn, deadline - now()));
                note(`PAUSE hook at ${stage}: running smoke checks (up to ${(0,_duration_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(budget)})`);
                const gate = await options.onPause(hook, stage, budget);
                const action = gate.passed ? 'CONTINUE' : 'ROLLBACK';
                await ecs.send(new ContinueServiceDeploymentCommand({
                    serviceDeploymentArn: options.serviceDeploymentArn,
                    hookId: hook.hookId,
                    action,
                }));
                hooks.push({ hookId: hook.hookId, stage, action, gate });
                note(`ContinueServiceDeployment ${action} at ${stage} (${gate.lines.join('; ')})`);
            }
        }
        if (now() >= deadline) {
            if (stopped || !options.rollbackOnTimeout)
                return {
                    status: 'TIMED_OUT',
                    reason: `timed out waiting for the service deployment; last: ${last}`,
                    serviceDeploymentArn: options.serviceDeploymentArn,
                    timeline,
                    hooks,
                    describeCalls,
                };
            stopped = true;
            note('timeout reached: StopServiceDeployment ROLLBACK');
            await ecs.send(new StopServiceDeploymentCommand({
                serviceDeploymentArn: options.serviceDeploymentArn,
                stopType: 'ROLLBACK',
            }));
            // Give the rollback the time it takes to finish, bounded: 15 minutes.
            deadline = now() + 15 * 60_000;
        }
        await wait(Math.min(interval, Math.max(0, deadline - now())));
    }
}


/***/ }),

/***/ 22207:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  gp: () => (/* binding */ TAGS),
  Jv: () => (/* binding */ describeService),
  oh: () => (/* binding */ describeTaskDefinition),
  UE: () => (/* binding */ ecsSdk),
  sg: () => (/* binding */ primaryDeployment),
  eQ: () => (/* binding */ registerTaskDefinition),
  runUrl: () => (/* binding */ runUrl),
  P5: () => (/* binding */ shortTaskDefinition),
  C3: () => (/* binding */ tagRecord),
  DY: () => (/* binding */ tagTaskDefinition),
  bU: () => (/* binding */ updateService)
});

// UNUSED EXPORTS: tagValue

// EXTERNAL MODULE: ./shared/src/errors.ts
var errors = __webpack_require__(33904);
;// CONCATENATED MODULE: ./shared/src/ecs/keep-unknown-fields.ts
function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/**
 * Adds to `body` every key of `original` it lacks, recursing into objects and same-index array items.
 * Values the serializer wrote are never replaced; `null`/`undefined` in `original` are not added.
 * @returns `body`, changed in place, and the dotted paths that were added
 */
function mergeMissingFields(body, original, path = '') {
    const added = [];
    if (Array.isArray(body) && Array.isArray(original)) {
        body.forEach((item, index) => added.push(...mergeMissingFields(item, original[index], `${path}[${index}]`)));
        return added;
    }
    if (!isRecord(body) || !isRecord(original))
        return added;
    for (const [key, value] of Object.entries(original)) {
        if (value === null || value === undefined)
            continue;
        const where = path === '' ? key : `${path}.${key}`;
        if (!(key in body)) {
            body[key] = value;
            added.push(where);
        }
        else
            added.push(...mergeMissingFields(body[key], value, where));
    }
    return added;
}
/**
 * The serialized JSON body as text: recent SDKs hand the build step a Uint8Array (a byte adapter), older
 * ones a string. @returns undefined for other bodies (streams)
 */
function bodyText(body) {
    if (typeof body === 'string')
        return body;
    if (body instanceof Uint8Array)
        return new TextDecoder().decode(body);
    return undefined;
}
/**
 * Adds the middleware to one command instance (e.g. a RegisterTaskDefinitionCommand).
 * @param original the document the command input was made from, with all its fields
 * @param onAdded called with the paths put back (for a log line), only when there are some
 */
function keepUnknownFields(command, original, onAdded) {
    const middleware = (next) => async (args) => {
        const request = args.request;
        const text = bodyText(request?.body);
        if (request !== undefined && text !== undefined && text.startsWith('{')) {
            const body = JSON.parse(text);
            const added = mergeMissingFields(body, original);
            if (added.length > 0) {
                const json = JSON.stringify(body);
                request.body = json;
                if (request.headers !== undefined)
                    for (const name of Object.keys(request.headers))
                        if (name.toLowerCase() === 'content-length')
                            request.headers[name] = String(Buffer.byteLength(json));
                onAdded?.(added);
            }
        }
        return next(args);
    };
    command.middlewareStack.add(middleware, { step: 'build', name: 'gantryKeepUnknownFields', override: true });
}

;// CONCATENATED MODULE: ./shared/src/ecs/service.ts


/** The lazily loaded ECS SDK module (one import per process). */
async function ecsSdk() {
    return Promise.all(/* import() */[__webpack_require__.e(5118), __webpack_require__.e(5861), __webpack_require__.e(212)]).then(__webpack_require__.t.bind(__webpack_require__, 80212, 19));
}
/** Tag keys Gantry writes on task-definition revisions. */
const TAGS = {
    commit: 'gantry:commit',
    runUrl: 'gantry:run-url',
    /** COMPLETED when a rollout of the revision completed; FAILED when one failed. */
    rollout: 'gantry:rollout',
    /** ISO time the last rollout of the revision completed. */
    completedAt: 'gantry:rollout-completed-at',
    rollbackReason: 'gantry:rollback-reason',
};
function errorName(error) {
    return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
}
/**
 * DescribeServices for one service.
 * @returns the service (status ACTIVE or DRAINING)
 * @throws ConfigurationError when the cluster or the service does not exist or is INACTIVE; SDK errors
 *   otherwise (access denied, network)
 */
async function describeService(ecs, cluster, service) {
    const { DescribeServicesCommand } = await ecsSdk();
    let response;
    try {
        response = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    }
    catch (error) {
        if (errorName(error) === 'ClusterNotFoundException')
            throw new errors/* ConfigurationError */.j1(`ECS cluster "${cluster}" was not found: check the cluster input and region`);
        throw error;
    }
    const found = response.services?.[0];
    if (found === undefined || found.status === 'INACTIVE') {
        const reason = response.failures?.[0]?.reason ?? found?.status ?? 'MISSING';
        throw new errors/* ConfigurationError */.j1(`ECS service "${service}" was not found in cluster "${cluster}" (${reason}): check the service input`);
    }
    return found;
}
/**
 * DescribeTaskDefinition with its tags.
 * @param taskDefinition family, family:revision or ARN
 * @throws ConfigurationError when ECS does not know it
 */
async function describeTaskDefinition(ecs, taskDefinition) {
    const { DescribeTaskDefinitionCommand } = await ecsSdk();
    try {
        const response = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }));
        if (response.taskDefinition === undefined)
            throw new Error('DescribeTaskDefinition returned no task definition');
        return { taskDefinition: response.taskDefinition, tags: response.tags ?? [] };
    }
    catch (error) {
        if (['ClientException', 'InvalidParameterException'].includes(errorName(error)))
            throw new errors/* ConfigurationError */.j1(`Task definition "${taskDefinition}" was not found: ${(0,errors/* describeThrown */.YI)(error)}`);
        throw error;
    }
}
/** `family:revision` of a task-definition ARN (or the text itself when it is not an ARN). */
function shortTaskDefinition(arn) {
    if (arn === undefined || arn === '')
        return '(none)';
    const slash = arn.lastIndexOf('task-definition/');
    return slash === -1 ? arn : arn.slice(slash + 'task-definition/'.length);
}
/**
 * RegisterTaskDefinition from a rendered document, keeping fields the SDK does not model, with tags
 * merged over the document's own.
 * @returns the registered task definition (with its ARN and revision)
 */
async function registerTaskDefinition(ecs, document, tags, logger) {
    const { RegisterTaskDefinitionCommand } = await ecsSdk();
    const own = Array.isArray(document['tags']) ? document['tags'] : [];
    const merged = [
        ...own.filter((tag) => tag.key === undefined || !(tag.key in tags)),
        ...Object.entries(tags)
            .filter(([, value]) => value !== '')
            .map(([key, value]) => ({ key, value })),
    ];
    const request = { ...document, tags: merged };
    const command = new RegisterTaskDefinitionCommand(request);
    keepUnknownFields(command, request, (paths) => logger.info(`Kept fields the SDK does not model yet: ${paths.join(', ')}`));
    const response = await ecs.send(command);
    if (response.taskDefinition?.taskDefinitionArn === undefined)
        throw new Error('RegisterTaskDefinition returned no task definition ARN');
    return response.taskDefinition;
}
/**
 * A tag value ECS accepts: letters, digits, spaces and `+ - = . _ : / @` only, at most 256 characters
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-using-tags.html); others become spaces.
 */
function tagValue(text) {
    return text.replace(/[^\p{L}\p{N} +\-=._:/@]/gu, ' ').slice(0, 256);
}
/**
 * Tags a task-definition revision. Tagging is bookkeeping: a failure is a warning, never a failed step.
 */
async function tagTaskDefinition(ecs, arn, tags, logger) {
    const { TagResourceCommand } = await ecsSdk();
    try {
        await ecs.send(new TagResourceCommand({
            resourceArn: arn,
            tags: Object.entries(tags).map(([key, value]) => ({ key, value: tagValue(value) })),
        }));
    }
    catch (error) {
        logger.warning(`Could not tag ${shortTaskDefinition(arn)}: ${(0,errors/* describeThrown */.YI)(error)}`);
    }
}
/**
 * The deployment an UpdateService started: the PRIMARY one, preferring one that runs `taskDefinitionArn`.
 * @throws Error when the response has no PRIMARY deployment (e.g. an external deployment controller)
 */
function primaryDeployment(service, taskDefinitionArn) {
    const deployments = service.deployments ?? [];
    const primary = deployments.find((d) => d.status === 'PRIMARY' && d.taskDefinition === taskDefinitionArn) ??
        deployments.find((d) => d.status === 'PRIMARY');
    if (primary?.id === undefined)
        throw new errors/* ConfigurationError */.j1(`Service "${service.serviceName ?? '?'}" reports no PRIMARY deployment; its deployment controller ` +
            `(${service.deploymentController?.type ?? 'ECS'}) may not be the ECS rolling controller`);
    return primary;
}
/**
 * UpdateService to a task definition.
 * @returns the updated service and the deployment it started
 */
async function updateService(ecs, update) {
    const { UpdateServiceCommand } = await ecsSdk();
    const response = await ecs.send(new UpdateServiceCommand({
        cluster: update.cluster,
        service: update.service,
        taskDefinition: update.taskDefinition,
        ...(update.desiredCount === undefined ? {} : { desiredCount: update.desiredCount }),
        ...(update.forceNewDeployment === true ? { forceNewDeployment: true } : {}),
        ...(update.deploymentConfiguration === undefined
            ? {}
            : { deploymentConfiguration: update.deploymentConfiguration }),
    }));
    if (response.service === undefined)
        throw new Error('UpdateService returned no service');
    return {
        service: response.service,
        deployment: primaryDeployment(response.service, update.taskDefinition),
    };
}
/** Tags as a plain record. */
function tagRecord(tags) {
    const out = {};
    for (const tag of tags ?? [])
        if (tag.key !== undefined)
            out[tag.key] = tag.value ?? '';
    return out;
}
/**
 * The URL of the workflow run (`$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID`), as the
 * GitHub docs build it; '' outside Actions.
 */
function runUrl() {
    const server = process.env['GITHUB_SERVER_URL'] ?? 'https://github.com';
    const repository = process.env['GITHUB_REPOSITORY'];
    const id = process.env['GITHUB_RUN_ID'];
    return repository === undefined || id === undefined ? '' : `${server}/${repository}/actions/runs/${id}`;
}


/***/ }),

/***/ 83402:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Dl: () => (/* binding */ watchRollout),
/* harmony export */   Gh: () => (/* binding */ defaultPollIntervalMs)
/* harmony export */ });
/* unused harmony exports stoppedTasksOf, summarizeStoppedTasks */
/* harmony import */ var _duration_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(12515);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(33904);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(90397);
/* harmony import */ var _aws_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(23526);
/* harmony import */ var _service_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(22207);





/** The default poll interval: `GANTRY_ECS_POLL_INTERVAL` (a duration such as `200ms`) or 2 000 ms. */
function defaultPollIntervalMs() {
    const text = process.env['GANTRY_ECS_POLL_INTERVAL'];
    const parsed = text === undefined || text === '' ? undefined : (0,_duration_js__WEBPACK_IMPORTED_MODULE_0__/* .parseDuration */ .E9)(text);
    return parsed !== undefined && parsed > 0 ? parsed : 2_000;
}
function progressOf(deployment) {
    const failed = deployment.failedTasks ? `, ${deployment.failedTasks} failed` : '';
    return (`deployment ${deployment.id ?? '?'} (${(0,_service_js__WEBPACK_IMPORTED_MODULE_4__/* .shortTaskDefinition */ .P5)(deployment.taskDefinition)}): ` +
        `${deployment.rolloutState ?? deployment.status ?? '?'} — running ${deployment.runningCount ?? 0}/` +
        `${deployment.desiredCount ?? 0}, pending ${deployment.pendingCount ?? 0}${failed}`);
}
/**
 * Whether a deployment without a `rolloutState` (services without the circuit breaker on older APIs) is
 * done: it is the only deployment and runs its desired count — the condition `servicesStable` uses.
 */
function stableWithoutRolloutState(service, deployment) {
    return ((service.deployments?.length ?? 0) === 1 &&
        deployment.status === 'PRIMARY' &&
        (deployment.runningCount ?? 0) === (deployment.desiredCount ?? -1) &&
        (deployment.pendingCount ?? 0) === 0);
}
/**
 * Collects why the deployment's tasks stopped (at most `limit` tasks, newest first).
 * Failures of these calls are reported as a reason line, never thrown: the rollout result matters more.
 */
async function stoppedTasksOf(ecs, cluster, deploymentId, limit = 10) {
    const { ListTasksCommand, DescribeTasksCommand } = await (0,_service_js__WEBPACK_IMPORTED_MODULE_4__/* .ecsSdk */ .UE)();
    const listed = await ecs.send(new ListTasksCommand({ cluster, startedBy: deploymentId, desiredStatus: 'STOPPED', maxResults: 100 }));
    const arns = (listed.taskArns ?? []).slice(0, limit);
    if (arns.length === 0)
        return [];
    const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
    return (described.tasks ?? [])
        .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
        .map((task) => ({
        taskArn: task.taskArn ?? '?',
        stoppedReason: task.stoppedReason ?? task.stopCode ?? 'no reason given',
        containers: (task.containers ?? [])
            .filter((c) => c.exitCode !== undefined || c.reason !== undefined)
            .map((c) => `${c.name ?? '?'}${c.exitCode === undefined ? '' : ` exit ${c.exitCode}`}${c.reason === undefined ? '' : ` (${c.reason})`}`),
    }));
}
/**
 * Turns stopped tasks into distinct reason lines with counts, e.g.
 * `3 tasks: Essential container in task exited — web exit 1`.
 */
function summarizeStoppedTasks(tasks) {
    const counts = new Map();
    for (const task of tasks) {
        const line = `${task.stoppedReason}${task.containers.length > 0 ? ` — ${task.containers.join('; ')}` : ''}`;
        counts.set(line, (counts.get(line) ?? 0) + 1);
    }
    return [...counts].map(([line, count]) => `${count} task${count === 1 ? '' : 's'}: ${line}`);
}
/**
 * Follows a deployment to its end. Never throws for a failed rollout — the outcome says how it ended —
 * only for errors that are neither throttling nor transient (access denied, unknown cluster), or after
 * 5 transient errors in a row.
 * @returns the outcome with its timeline and the number of DescribeServices calls
 */
async function watchRollout(ecs, options) {
    const { DescribeServicesCommand } = await (0,_service_js__WEBPACK_IMPORTED_MODULE_4__/* .ecsSdk */ .UE)();
    const now = options.now ?? Date.now;
    const wait = options.sleep ?? _retry_js__WEBPACK_IMPORTED_MODULE_2__/* .sleep */ .yy;
    const base = options.intervalMs ?? defaultPollIntervalMs();
    const maxInterval = Math.max(base, options.maxIntervalMs ?? 30_000);
    const prefix = options.prefix ?? '';
    const started = now();
    const deadline = started + options.timeoutMs;
    const eventsSince = options.eventsSince ?? new Date(started - 5_000);
    const seenEvents = new Set();
    const timeline = [];
    const note = (text) => {
        timeline.push({ atMs: now() - started, text });
        options.logger.info(`${prefix}${text}`);
    };
    let interval = base;
    let describeCalls = 0;
    let throttled = 0;
    let transientInARow = 0;
    let lastProgress = '';
    let last;
    const finish = async (state, reason, withTasks) => {
        let stoppedTasks = [];
        let why = reason;
        if (withTasks) {
            try {
                stoppedTasks = await stoppedTasksOf(ecs, options.cluster, options.deploymentId);
                const lines = summarizeStoppedTasks(stoppedTasks);
                if (lines.length > 0)
                    why = `${reason}; stopped tasks: ${lines.join(' | ')}`;
            }
            catch (error) {
                why = `${reason}; the stopped tasks could not be read: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeThrown */ .YI)(error)}`;
            }
        }
        const outcome = {
            state,
            reason: why,
            stoppedTasks,
            timeline,
            describeCalls,
            throttled,
            elapsedMs: now() - started,
        };
        if (last !== undefined)
            outcome.deployment = last;
        return outcome;
    };
    if ((options.initialDelayMs ?? 0) > 0)
        await wait(Math.min(options.initialDelayMs ?? 0, options.timeoutMs));
    for (;;) {
        let service;
        let missing = false;
        try {
            describeCalls++;
            const response = await ecs.send(new DescribeServicesCommand({ cluster: options.cluster, services: [options.service] }));
            service = response.services?.[0];
            missing = service === undefined || service.status === 'INACTIVE';
            transientInARow = 0;
            interval = Math.max(base, Math.floor(interval / 2));
        }
        catch (error) {
            if ((0,_aws_js__WEBPACK_IMPORTED_MODULE_3__/* .isThrottlingError */ .Qb)(error)) {
                throttled++;
                interval = Math.min(maxInterval, interval * 2);
                note(`throttled by ECS (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeThrown */ .YI)(error)}); next look in ${(interval / 1000).toFixed(1)}s`);
            }
            else if ((0,_aws_js__WEBPACK_IMPORTED_MODULE_3__/* .isTransientError */ .bV)(error) && ++transientInARow < 5) {
                note(`DescribeServices failed (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeThrown */ .YI)(error)}); trying again`);
            }
            else
                throw error;
        }
        if (missing)
            return finish('GONE', `service ${options.service} no longer exists (deleted or INACTIVE)`, true);
        if (service !== undefined) {
            for (const event of newEvents(service.events ?? [], seenEvents, eventsSince))
                note(`event: ${event.message ?? ''}`);
            const deployment = service.deployments?.find((d) => d.id === options.deploymentId);
            if (deployment === undefined) {
                const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
                return finish('REPLACED', `deployment ${options.deploymentId} is gone from the service` +
                    (primary === undefined
                        ? ''
                        : `; the primary deployment is now ${primary.id ?? '?'} running ${(0,_service_js__WEBPACK_IMPORTED_MODULE_4__/* .shortTaskDefinition */ .P5)(primary.taskDefinition)}` +
                            ' (the circuit breaker rolled back, or another deployment replaced this one)'), true);
            }
            last = deployment;
            const progress = progressOf(deployment);
            if (progress !== lastProgress) {
                lastProgress = progress;
                note(progress);
            }
            if (deployment.rolloutState === 'COMPLETED' ||
                (deployment.rolloutState === undefined && stableWithoutRolloutState(service, deployment)))
                return finish('COMPLETED', deployment.rolloutStateReason ?? 'rollout completed', false);
            if (deployment.rolloutState === 'FAILED')
                return finish('FAILED', `rollout FAILED: ${deployment.rolloutStateReason ?? 'no reason given'}`, true);
        }
        const remaining = deadline - now();
        if (remaining <= 0)
            return finish('TIMED_OUT', `timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for deployment ${options.deploymentId}` +
                (lastProgress === '' ? '' : `; last state: ${lastProgress}`), true);
        await wait(Math.min(interval, remaining));
    }
}
/** Service events not seen yet and newer than `since`, oldest first (ECS lists them newest first). */
function newEvents(events, seen, since) {
    const fresh = [];
    for (const event of events) {
        const key = event.id ?? `${event.createdAt?.toISOString() ?? ''}${event.message ?? ''}`;
        if (seen.has(key))
            continue;
        seen.add(key);
        if (event.createdAt !== undefined && event.createdAt < since)
            continue;
        fresh.push(event);
    }
    return fresh.reverse();
}


/***/ }),

/***/ 90397:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L5: () => (/* binding */ retry),
/* harmony export */   dw: () => (/* binding */ RetryableError),
/* harmony export */   gK: () => (/* binding */ delayScale),
/* harmony export */   ml: () => (/* binding */ backoffCeiling),
/* harmony export */   mu: () => (/* binding */ parseRetryAfter),
/* harmony export */   yy: () => (/* binding */ sleep)
/* harmony export */ });
/* unused harmony export retryReason */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(33904);
/**
 * Retry with exponential backoff and full jitter, honouring a server's Retry-After.
 *
 * Backoff follows the "full jitter" scheme of the AWS Architecture Blog, "Exponential Backoff And
 * Jitter" (2015): delay = random(0, min(maxDelay, base × factor^(attempt-1))). A Retry-After the server
 * sent wins over the computed delay (capped by `maxDelayMs` and the deadline).
 *
 * Test knob: `GANTRY_RETRY_DELAY_SCALE` (a number, default 1) multiplies every delay, so tests shorten
 * waits without skipping retries.
 */

/** Promise-based sleep in milliseconds. */
function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
/** The delay multiplier from `GANTRY_RETRY_DELAY_SCALE` (default 1; invalid values count as 1). */
function delayScale() {
    const scale = Number(process.env['GANTRY_RETRY_DELAY_SCALE'] ?? '1');
    return Number.isFinite(scale) && scale >= 0 ? scale : 1;
}
/**
 * The backoff ceiling before jitter for a 1-based attempt: `min(maxDelayMs, baseDelayMs × factor^(attempt-1))`.
 */
function backoffCeiling(attempt, options) {
    const base = options.baseDelayMs ?? 500;
    const max = options.maxDelayMs ?? 20_000;
    return Math.min(max, base * (options.factor ?? 2) ** Math.max(0, attempt - 1));
}
/**
 * Parses an HTTP `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * @returns milliseconds to wait (≥ 0), or undefined when absent or unparsable
 */
function parseRetryAfter(value, nowMs = Date.now()) {
    if (value === null || value === undefined || value.trim() === '')
        return undefined;
    const text = value.trim();
    if (/^\d+(\.\d+)?$/.test(text))
        return Math.round(Number(text) * 1_000);
    const date = Date.parse(text);
    return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
/** An error that carries the server's requested delay (from Retry-After or a throttling response). */
class RetryableError extends Error {
    retryAfterMs;
    constructor(message, retryAfterMs) {
        super(message);
        this.name = 'RetryableError';
        this.retryAfterMs = retryAfterMs;
    }
}
/**
 * Runs `fn` until it resolves, a failure is not retryable, the attempts are spent or the deadline is
 * near. Rethrows the last error unchanged.
 *
 * @param fn receives the 1-based attempt number
 * @returns what `fn` resolved to
 * @throws the last error `fn` threw
 */
async function retry(fn, options) {
    const random = options.random ?? Math.random;
    const wait = options.sleep ?? sleep;
    for (let attempt = 1;; attempt++) {
        try {
            return await fn(attempt);
        }
        catch (error) {
            const raw = options.shouldRetry === undefined ? true : options.shouldRetry(error, attempt);
            const decision = typeof raw === 'boolean' ? { retry: raw } : raw;
            const retryAfterMs = decision.retryAfterMs ?? (error instanceof RetryableError ? error.retryAfterMs : undefined);
            if (!decision.retry || attempt >= options.attempts)
                throw error;
            const maxDelay = options.maxDelayMs ?? 20_000;
            let delay = retryAfterMs !== undefined
                ? Math.min(retryAfterMs, maxDelay)
                : random() * backoffCeiling(attempt, options);
            delay *= delayScale();
            if (options.deadline !== undefined && Date.now() + delay >= options.deadline)
                throw error;
            options.onRetry?.(error, attempt, delay);
            await wait(delay);
        }
    }
}
/** A one-line "why it failed" for retry logs. */
function retryReason(error) {
    return describeThrown(error);
}


/***/ }),

/***/ 71893:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   J: () => (/* reexport safe */ _secrets_js__WEBPACK_IMPORTED_MODULE_3__.J5),
/* harmony export */   r: () => (/* binding */ getSecret)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(46058);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(33904);
/* harmony import */ var _logger_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(66595);
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(99214);
/**
 * Secret inputs: the one place that wires `vault:<path>#<key>` references to Vault. Actions that take a
 * secret input read it with {@link getSecret} from here; importing this module registers a `vault`
 * resolver that loads `vault.ts` (node-vault) lazily, on the first reference it meets. Actions without
 * secret inputs never import this module, so their bundles have no path to the Vault client.
 */




(0,_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .registerSecretResolver */ .Uc)('vault', async (reference, input, logger) => {
    const { resolveVaultReference } = await __webpack_require__.e(/* import() */ 1395).then(__webpack_require__.bind(__webpack_require__, 21395));
    return resolveVaultReference(reference, input, logger);
});
/**
 * Resolves a secret value that may be a `vault:` reference (masking the value and the result); the
 * `resolveSecret` of secrets.ts with Vault registered.
 */

/**
 * A secret input: masked before anything else happens, and resolved when it is a `vault:<path>#<key>`
 * reference (the resolved value is masked too).
 * @returns the value, or '' when empty and not required
 * @throws InputError when `required` and empty; Vault errors name the reference's path, never the value
 */
async function getSecret(name, options = {}) {
    const value = _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(name, { trimWhitespace: true });
    const logger = options.logger ?? _logger_js__WEBPACK_IMPORTED_MODULE_2__/* .coreLogger */ .W;
    if (value === '') {
        if (options.required === true) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(name, 'a value is required but none was given', options.example ?? '${{ secrets.NAME }}');
        }
        return '';
    }
    return (0,_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .resolveSecret */ .J5)(value, name, logger);
}


/***/ }),

/***/ 99214:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $l: () => (/* binding */ maskSecret),
/* harmony export */   J5: () => (/* binding */ resolveSecret),
/* harmony export */   Uc: () => (/* binding */ registerSecretResolver)
/* harmony export */ });
/* unused harmony exports secretFragments, urlSecretParts */
/* harmony import */ var _logger_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(66595);
/**
 * Secret masking: every secret value is registered with the runner before anything can print it —
 * the whole value, each line of a multi-line value (the runner matches masks line by line, so a
 * multi-line mask alone never matches), each leaf of a JSON value (a secret JSON document is often
 * printed field by field), and each secret part of a URL-shaped value (a webhook's path, query values,
 * the userinfo password: an error body quoting only the path must not print it).
 */

/** Lines made only of JSON punctuation (`{`, `],` …) are structure, not secret, and are not masked. */
const STRUCTURE_ONLY = /^[\s{}[\],:"']*$/;
/**
 * Lists the strings to mask for one secret value: the value, each non-blank line (trimmed), and for a
 * JSON value each string and number leaf. Structure-only lines (`{`, `}`) are left out.
 *
 * @param value the secret as received
 * @returns distinct, non-empty strings, longest first
 */
function secretFragments(value) {
    const fragments = new Set();
    const add = (fragment) => {
        if (fragment !== '' && !STRUCTURE_ONLY.test(fragment))
            fragments.add(fragment);
    };
    add(value);
    if (/[\r\n]/.test(value)) {
        for (const line of value.split(/\r?\n|\r/)) {
            add(line);
            add(line.trim());
        }
    }
    const trimmed = value.trim();
    for (const part of urlSecretParts(trimmed))
        add(part);
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        try {
            collectLeaves(JSON.parse(trimmed), add);
        }
        catch {
            // not JSON after all: the value and its lines are masked already
        }
    }
    return [...fragments].sort((a, b) => b.length - a.length);
}
/** A path segment that is a plain word (`services`, `hooks`, `v2`, `enqueue`) is structure, not secret. */
const PLAIN_SEGMENT = /^(?:[a-z]+(?:[-_.][a-z]+)*|v\d+)$/;
/**
 * The secret parts of a URL-shaped value (`scheme://…`): the userinfo password; every path segment that is
 * not a plain word and is at least 6 characters (a Slack webhook's `T…/B…/<secret>`, a token in a path),
 * and the path from the first such segment to the end; every query value of at least 6 characters. Each
 * also percent-decoded. A URL's host and plain path words stay readable.
 * @param value a whole secret value; anything that is not an absolute URL gives []
 * @returns the parts to mask (may repeat)
 */
function urlSecretParts(value) {
    if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value))
        return [];
    let url;
    try {
        url = new URL(value);
    }
    catch {
        return [];
    }
    const parts = [];
    const both = (part) => {
        parts.push(part);
        try {
            parts.push(decodeURIComponent(part));
        }
        catch {
            // not valid percent-encoding: the raw form is masked
        }
    };
    if (url.password !== '')
        both(url.password);
    const segments = url.pathname.split('/');
    const first = segments.findIndex((segment) => segment.length >= 6 && !PLAIN_SEGMENT.test(segment));
    if (first >= 0) {
        both(segments.slice(first).join('/'));
        for (const segment of segments.slice(first))
            if (segment.length >= 6 && !PLAIN_SEGMENT.test(segment))
                both(segment);
    }
    for (const [, query] of url.searchParams)
        if (query.length >= 6)
            parts.push(query, encodeURIComponent(query));
    return parts.filter((part) => part !== '');
}
function collectLeaves(node, add) {
    if (typeof node === 'string') {
        add(node);
        // A JSON string printed raw shows escaped characters the way JSON.stringify writes them.
        add(JSON.stringify(node).slice(1, -1));
        if (node.includes('\n'))
            for (const line of node.split('\n'))
                add(line.trim());
    }
    else if (typeof node === 'number') {
        add(String(node));
    }
    else if (Array.isArray(node)) {
        for (const item of node)
            collectLeaves(item, add);
    }
    else if (node !== null && typeof node === 'object') {
        for (const item of Object.values(node))
            collectLeaves(item, add);
    }
}
/**
 * Masks a secret value (see {@link secretFragments}) through the logger before it can be printed.
 * @param value  the secret; empty values are ignored
 * @param logger where masks are registered (the runner via `@actions/core` by default)
 */
function maskSecret(value, logger = _logger_js__WEBPACK_IMPORTED_MODULE_0__/* .coreLogger */ .W) {
    if (value === '')
        return;
    for (const fragment of secretFragments(value))
        logger.mask(fragment);
}
const resolvers = new Map();
/**
 * Registers the resolver for references that start with `<scheme>:` (e.g. `vault`).
 * @param scheme   the prefix before the colon, lower-case
 * @param resolver resolves the whole reference; must throw an error naming the reference, never the value
 */
function registerSecretResolver(scheme, resolver) {
    resolvers.set(scheme, resolver);
}
/**
 * Masks `value`, resolves it if it is a reference to a registered scheme (`vault:<path>#<key>`), masks
 * the resolved value too and returns it. The `vault` resolver is registered by `secret-inputs.ts`, which
 * actions with secret inputs import: actions without any never bundle a path to node-vault.
 *
 * @param value  the input's raw value
 * @param input  the input's name, for error messages
 * @throws Error when the value is a reference whose scheme has no resolver registered in this action
 */
async function resolveSecret(value, input, logger = _logger_js__WEBPACK_IMPORTED_MODULE_0__/* .coreLogger */ .W) {
    maskSecret(value, logger);
    const match = /^([a-z][a-z0-9+.-]*):(?!\/\/)/.exec(value);
    const scheme = match?.[1];
    if (scheme !== 'vault')
        return value;
    const resolver = resolvers.get(scheme);
    if (resolver === undefined) {
        throw new Error(`Input '${input}' is a ${scheme}: reference, but this action has no ${scheme} resolver built in`);
    }
    const resolved = await resolver(value, input, logger);
    maskSecret(resolved, logger);
    return resolved;
}


/***/ })

};
