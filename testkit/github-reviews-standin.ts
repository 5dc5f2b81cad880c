/**
 * A local stand-in for the parts of GitHub's REST API that promotion uses, on loopback, driven by the
 * real client (@actions/github's Octokit) in tests, the demo and the offline runner. No real GitHub can
 * run here, so this speaks the documented shapes (https://docs.github.com/en/rest):
 *
 * - pull requests of a commit: `GET /repos/{owner}/{repo}/commits/{sha}/pulls`
 * - reviews: `GET /repos/{owner}/{repo}/pulls/{number}/reviews`
 * - team membership: `GET /orgs/{org}/teams/{team_slug}/memberships/{username}` (404 when not a member)
 * - collaborator permission: `GET /repos/{owner}/{repo}/collaborators/{username}/permission`
 * - issues and comments: `POST /repos/{o}/{r}/issues`, `PATCH …/issues/{n}`, `GET|POST …/issues/{n}/comments`
 * - deployments: `GET|POST /repos/{o}/{r}/deployments`, `GET|POST …/deployments/{id}/statuses`
 * - commit statuses: `POST /repos/{o}/{r}/statuses/{sha}`, `GET …/commits/{ref}/statuses` (newest first),
 *   `GET …/commits/{ref}/status` (combined)
 *
 * Every list is paginated as GitHub does: `per_page` (default 30, at most 100), `page`, and a `Link`
 * header with `rel="next"`/`rel="last"` (RFC 8288). Requests need `Authorization: token <t>` or
 * `Bearer <t>` with the configured token, else 401 `Bad credentials`. Every request is recorded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A GitHub user as the API shows one (`type` is `User` or `Bot`). */
export interface StandinUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

/** A pull request in the stand-in. */
export interface StandinPull {
  number: number;
  /** The author. */
  user: string;
  state: 'open' | 'closed';
  /** The PR's head commit (its final head once merged). */
  headSha: string;
  /** The commit GitHub created on merge (merge, squash or rebase); undefined while open. */
  mergeCommitSha?: string;
  merged?: boolean;
  /** Commits (other than head and merge commits) this PR brought, so `commits/{sha}/pulls` finds it. */
  commits?: string[];
}

/** A review in the stand-in; `submittedAt` orders them (ISO 8601). */
export interface StandinReview {
  user: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  commitId: string;
  submittedAt?: string;
}

/** One recorded request. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/** A deployment with its statuses, as recorded by the stand-in. */
export interface StandinDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  payload: Record<string, unknown>;
  created_at: string;
  statuses: { id: number; state: string; description: string; created_at: string }[];
}

export interface GithubStandin {
  /** The API base URL, e.g. `http://127.0.0.1:41234` (use as GITHUB_API_URL). */
  url: string;
  /** The token the stand-in accepts. */
  token: string;
  requests: RecordedRequest[];
  /** Adds or replaces a pull request. */
  addPull(pull: StandinPull): void;
  /** Appends a review to a pull request (ids and times assigned in order). */
  addReview(pull: number, review: StandinReview): void;
  /** Declares a user (bots: `type: 'Bot'`, login usually ending in `[bot]`). */
  addUser(login: string, type?: 'User' | 'Bot'): void;
  /** Puts `login` in `org/team` (an active membership). */
  addTeamMember(org: string, team: string, login: string): void;
  /** Sets a collaborator's permission on the repository (`admin`, `maintain`, `write`, `triage`, `read`). */
  setPermission(login: string, permission: string): void;
  /** Adds a comment to an issue as `login` (as a person answering an approval issue would). */
  addIssueComment(issue: number, login: string, body: string): void;
  /** Issues created so far (number, title, body, state, assignees). */
  issues(): { number: number; title: string; body: string; state: string; assignees: string[] }[];
  /** Comments on an issue, oldest first. */
  comments(issue: number): { user: string; body: string }[];
  /** Deployments created so far (through the API or {@link GithubStandin.addDeployment}). */
  deployments(): StandinDeployment[];
  /** Records a deployment of `sha` to `environment` with a final status (e.g. `success`). */
  addDeployment(sha: string, environment: string, state: string, payload?: Record<string, unknown>): void;
  /** Records a commit status on `sha` (as a deploy run would have posted it). */
  addStatus(sha: string, context: string, state: string, description?: string): void;
  /** Commit statuses posted, per sha, oldest first. */
  statuses(sha: string): { state: string; context: string; description: string }[];
  /** Called (once per request, before answering) — tests use it to add comments while an action waits. */
  onRequest?: (request: RecordedRequest) => void;
  stop(): Promise<void>;
}

interface IssueRecord {
  number: number;
  title: string;
  body: string;
  state: string;
  assignees: string[];
  comments: { id: number; user: string; body: string; created_at: string }[];
}

/**
 * Starts the stand-in on 127.0.0.1 (a free port).
 * @param options.owner/repo the one repository it serves (default `acme/app`)
 * @param options.token the accepted token (default `ghs_standin`)
 * @returns the running stand-in; `stop()` closes it and every open connection
 */
export async function startGithubStandin(
  options: { owner?: string; repo?: string; token?: string } = {},
): Promise<GithubStandin> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'app';
  const token = options.token ?? 'ghs_standin';
  const users = new Map<string, StandinUser>();
  const pulls = new Map<number, StandinPull>();
  const reviews = new Map<number, (StandinReview & { id: number })[]>();
  const teams = new Map<string, Set<string>>();
  const permissions = new Map<string, string>();
  const issues: IssueRecord[] = [];
  const deployments: StandinDeployment[] = [];
  const statuses = new Map<
    string,
    { state: string; context: string; description: string; created_at: string }[]
  >();
  const requests: RecordedRequest[] = [];
  let nextId = 1000;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const tick = (): string => new Date((clock += 1000)).toISOString();

  const user = (login: string): StandinUser => {
    let known = users.get(login.toLowerCase());
    if (known === undefined) {
      known = { login, id: nextId++, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
      users.set(login.toLowerCase(), known);
    }
    return { ...known };
  };
  const pullJson = (pull: StandinPull): Record<string, unknown> => ({
    number: pull.number,
    state: pull.state,
    title: `PR ${pull.number}`,
    html_url: `https://github.com/${owner}/${repo}/pull/${pull.number}`,
    user: user(pull.user),
    head: { sha: pull.headSha, ref: `feature-${pull.number}` },
    base: { ref: 'main' },
    merged_at: pull.merged === true ? '2026-01-01T00:00:00Z' : null,
    merge_commit_sha: pull.mergeCommitSha ?? null,
  });

  const standin: GithubStandin = {
    url: '',
    token,
    requests,
    addPull: (pull) => {
      pulls.set(pull.number, pull);
      user(pull.user);
    },
    addReview: (pull, review) => {
      const list = reviews.get(pull) ?? [];
      list.push({ ...review, id: nextId++, submittedAt: review.submittedAt ?? tick() });
      reviews.set(pull, list);
    },
    addUser: (login, type = 'User') => {
      users.set(login.toLowerCase(), { login, id: nextId++, type });
    },
    addTeamMember: (org, team, login) => {
      const key = `${org}/${team}`.toLowerCase();
      const members = teams.get(key) ?? new Set<string>();
      members.add(login.toLowerCase());
      teams.set(key, members);
    },
    setPermission: (login, permission) => permissions.set(login.toLowerCase(), permission),
    addIssueComment: (issue, login, body) => {
      const record = issues.find((item) => item.number === issue);
      if (record === undefined) throw new Error(`no issue #${issue}`);
      record.comments.push({ id: nextId++, user: login, body, created_at: tick() });
    },
    issues: () =>
      issues.map(({ number, title, body, state, assignees }) => ({ number, title, body, state, assignees })),
    comments: (issue) =>
      (issues.find((item) => item.number === issue)?.comments ?? []).map(({ user: u, body }) => ({
        user: u,
        body,
      })),
    deployments: () => deployments,
    addDeployment: (sha, environment, state, payload = {}) => {
      const created = tick();
      deployments.push({
        id: nextId++,
        sha,
        ref: sha,
        environment,
        payload,
        created_at: created,
        statuses: [{ id: nextId++, state, description: `${state} in ${environment}`, created_at: created }],
      });
    },
    addStatus: (sha, context, state, description = '') => {
      const list = statuses.get(sha) ?? [];
      list.push({ state, context, description, created_at: tick() });
      statuses.set(sha, list);
    },
    statuses: (sha) =>
      (statuses.get(sha) ?? []).map(({ state, context, description }) => ({
        state,
        context,
        description,
      })),
    stop: async () => undefined,
  };

  const paginate = (
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: Record<string, string>,
    items: unknown[],
  ): void => {
    const perPage = Math.min(100, Math.max(1, Number(query['per_page'] ?? '30') || 30));
    const page = Math.max(1, Number(query['page'] ?? '1') || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const links: string[] = [];
    const host = `http://${request.headers.host ?? '127.0.0.1'}`;
    const link = (p: number, rel: string): string => {
      const params = new URLSearchParams({ ...query, per_page: String(perPage), page: String(p) });
      return `<${host}${path}?${params.toString()}>; rel="${rel}"`;
    };
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    const headers: Record<string, string> = {};
    if (links.length > 0) headers['link'] = links.join(', ');
    send(response, 200, items.slice((page - 1) * perPage, page * perPage), headers);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1_000_000) chunks.push(chunk);
    });
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const query = Object.fromEntries(url.searchParams.entries());
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      if (text !== '') {
        try {
          body = JSON.parse(text) as unknown;
        } catch {
          return send(response, 400, { message: 'Problems parsing JSON' });
        }
      }
      const recorded: RecordedRequest = { method: request.method ?? 'GET', path: url.pathname, query, body };
      requests.push(recorded);
      standin.onRequest?.(recorded);
      const auth = request.headers.authorization ?? '';
      if (auth !== `token ${token}` && auth !== `Bearer ${token}`)
        return send(response, 401, { message: 'Bad credentials' });
      route(request, response, url.pathname, query, body);
    });
  });

  const route = (
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    query: Record<string, string>,
    body: unknown,
  ): void => {
    const method = request.method ?? 'GET';
    const input = (body ?? {}) as Record<string, unknown>;
    const base = `/repos/${owner}/${repo}`;
    let match: RegExpMatchArray | null;
    if (method === 'GET' && (match = path.match(/^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/))) {
      const members = teams.get(`${match[1]}/${match[2]}`.toLowerCase());
      if (members === undefined) return send(response, 404, { message: 'Not Found' });
      if (!members.has(decodeURIComponent(match[3] ?? '').toLowerCase()))
        return send(response, 404, { message: 'Not Found' });
      return send(response, 200, { role: 'member', state: 'active', url: `${path}` });
    }
    if (!path.startsWith(`${base}/`) && path !== base) return send(response, 404, { message: 'Not Found' });
    const rest = path.slice(base.length);
    if (method === 'GET' && (match = rest.match(/^\/commits\/([0-9a-f]{7,40})\/pulls$/))) {
      const sha = match[1] ?? '';
      const found = [...pulls.values()].filter(
        (pull) => pull.headSha === sha || pull.mergeCommitSha === sha || (pull.commits ?? []).includes(sha),
      );
      return paginate(request, response, path, query, found.map(pullJson));
    }
    if (method === 'GET' && (match = rest.match(/^\/pulls\/(\d+)\/reviews$/))) {
      const number = Number(match[1]);
      if (!pulls.has(number)) return send(response, 404, { message: 'Not Found' });
      const list = (reviews.get(number) ?? []).map((review) => ({
        id: review.id,
        user: user(review.user),
        state: review.state,
        commit_id: review.commitId,
        submitted_at: review.state === 'PENDING' ? undefined : review.submittedAt,
        body: '',
        author_association: 'MEMBER',
      }));
      return paginate(request, response, path, query, list);
    }
    if (method === 'GET' && (match = rest.match(/^\/collaborators\/([^/]+)\/permission$/))) {
      const login = decodeURIComponent(match[1] ?? '');
      const permission = permissions.get(login.toLowerCase()) ?? 'none';
      return send(response, 200, { permission, role_name: permission, user: user(login) });
    }
    if (method === 'POST' && rest === '/issues') {
      const record: IssueRecord = {
        number: issues.length + 1,
        title: String(input['title'] ?? ''),
        body: String(input['body'] ?? ''),
        state: 'open',
        assignees: Array.isArray(input['assignees']) ? input['assignees'].map(String) : [],
        comments: [],
      };
      if (record.title === '') return send(response, 422, { message: 'Validation Failed' });
      issues.push(record);
      return send(response, 201, issueJson(record));
    }
    if ((match = rest.match(/^\/issues\/(\d+)(\/comments)?$/))) {
      const record = issues.find((item) => item.number === Number(match?.[1]));
      if (record === undefined) return send(response, 404, { message: 'Not Found' });
      if (match[2] === undefined && method === 'PATCH') {
        if (typeof input['state'] === 'string') record.state = input['state'];
        return send(response, 200, issueJson(record));
      }
      if (match[2] !== undefined && method === 'GET') {
        const list = record.comments.map((comment) => ({
          id: comment.id,
          user: user(comment.user),
          body: comment.body,
          created_at: comment.created_at,
        }));
        return paginate(request, response, path, query, list);
      }
      if (match[2] !== undefined && method === 'POST') {
        const comment = {
          id: nextId++,
          user: 'github-actions[bot]',
          body: String(input['body'] ?? ''),
          created_at: tick(),
        };
        record.comments.push(comment);
        return send(response, 201, { ...comment, user: user(comment.user) });
      }
    }
    if (rest === '/deployments' && method === 'GET') {
      const found = deployments
        .filter(
          (d) =>
            (query['sha'] === undefined || d.sha === query['sha']) &&
            (query['environment'] === undefined || d.environment === query['environment']),
        )
        .slice()
        .reverse()
        .map(deploymentJson);
      return paginate(request, response, path, query, found);
    }
    if (rest === '/deployments' && method === 'POST') {
      const ref = String(input['ref'] ?? '');
      if (ref === '') return send(response, 422, { message: 'Validation Failed' });
      const deployment: StandinDeployment = {
        id: nextId++,
        sha: ref,
        ref,
        environment: String(input['environment'] ?? 'production'),
        payload: (input['payload'] as Record<string, unknown> | undefined) ?? {},
        created_at: tick(),
        statuses: [],
      };
      deployments.push(deployment);
      return send(response, 201, deploymentJson(deployment));
    }
    if ((match = rest.match(/^\/deployments\/(\d+)\/statuses$/))) {
      const deployment = deployments.find((d) => d.id === Number(match?.[1]));
      if (deployment === undefined) return send(response, 404, { message: 'Not Found' });
      if (method === 'POST') {
        const status = {
          id: nextId++,
          state: String(input['state'] ?? ''),
          description: String(input['description'] ?? ''),
          created_at: tick(),
        };
        deployment.statuses.push(status);
        return send(response, 201, status);
      }
      return paginate(request, response, path, query, deployment.statuses.slice().reverse());
    }
    if (method === 'POST' && (match = rest.match(/^\/statuses\/([0-9a-f]{7,40})$/))) {
      const list = statuses.get(match[1] ?? '') ?? [];
      const status = {
        state: String(input['state'] ?? ''),
        context: String(input['context'] ?? 'default'),
        description: String(input['description'] ?? ''),
        created_at: tick(),
      };
      list.push(status);
      statuses.set(match[1] ?? '', list);
      return send(response, 201, status);
    }
    if (method === 'GET' && (match = rest.match(/^\/commits\/([^/]+)\/statuses$/))) {
      const list = (statuses.get(match[1] ?? '') ?? []).slice().reverse();
      return paginate(request, response, path, query, list);
    }
    if (method === 'GET' && (match = rest.match(/^\/commits\/([^/]+)\/status$/))) {
      const list = statuses.get(match[1] ?? '') ?? [];
      const latest = new Map<string, (typeof list)[number]>();
      for (const status of list) latest.set(status.context, status);
      const all = [...latest.values()];
      const state = all.some((s) => s.state === 'failure' || s.state === 'error')
        ? 'failure'
        : all.length > 0 && all.every((s) => s.state === 'success')
          ? 'success'
          : 'pending';
      return send(response, 200, { state, sha: match[1], total_count: all.length, statuses: all });
    }
    return send(response, 404, { message: 'Not Found' });
  };

  const issueJson = (record: IssueRecord): Record<string, unknown> => ({
    number: record.number,
    title: record.title,
    body: record.body,
    state: record.state,
    html_url: `https://github.com/${owner}/${repo}/issues/${record.number}`,
    assignees: record.assignees.map(user),
  });
  const deploymentJson = (d: StandinDeployment): Record<string, unknown> => ({
    id: d.id,
    sha: d.sha,
    ref: d.ref,
    environment: d.environment,
    payload: d.payload,
    created_at: d.created_at,
    task: 'deploy',
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  standin.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standin.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standin;
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}
