/**
 * Builds the Slack message: a Block Kit layout (header with status emoji, fields for repository, ref,
 * commit, actor, environment, version, image and the `details` lines, the `message` text, a context line
 * with the run link) and the plain `text` Slack shows in notifications.
 *
 * Long text is split across sections or truncated, never rejected. Limits from Slack's Block Kit
 * reference (https://docs.slack.dev/reference/block-kit/blocks): 50 blocks per message; header text 150
 * characters; section text 3000; section fields 10 per section, 2000 characters each; context 10
 * elements. Slack also rejects messages whose blocks hold about 13 000 characters in total
 * (`msg_blocks_too_long`, undocumented, reported in slackapi/bolt-js#2509), so the whole layout is kept
 * under {@link LIMITS.totalText}.
 */
import type { RunContext } from './run-context.ts';
import { meaningOf, type Status } from './status.ts';

/** Slack's Block Kit limits as used here (characters are UTF-16 code units, which never undercounts). */
export const LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  contextElements: 10,
  /** Our budget for all block text together, below the observed ≈13 000-character rejection. */
  totalText: 12_000,
  /** Budget for all fields together, so a long details list leaves room for the message. */
  fieldsText: 6_000,
  /** The notification `text` (Slack truncates at 40 000; a notification line needs far less). */
  fallbackText: 3_000,
} as const;

export interface TextObject {
  type: 'mrkdwn' | 'plain_text';
  text: string;
  emoji?: boolean;
}
export type Block =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

/** A message as chat.postMessage / chat.update / an incoming webhook take it. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** What a message reports. */
export interface MessageInput {
  status: Status;
  run: RunContext;
  environment: string;
  environmentUrl: string;
  version: string;
  image: string;
  /** Extra mrkdwn text, any length. */
  message: string;
  /** KEY=VALUE details, shown as fields in order. */
  details: ReadonlyMap<string, string>;
  /** A headline replacing the deploy-status one (one line, plain text), or '' for the deploy headline. */
  title?: string;
}

const ELLIPSIS = '…';

/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` become entities (Slack's "Formatting text" guide), so
 * user values cannot form links or mentions.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A mrkdwn link `<url|label>`; the label is escaped and `|`, `<`, `>` in the URL are percent-encoded. */
export function link(url: string, label: string): string {
  if (url === '') return escapeMrkdwn(label);
  const safeUrl = url.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
  return `<${safeUrl}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

/**
 * Cuts `text` to at most `max` characters, ending with `…` when cut. Never splits a surrogate pair, an
 * `&amp;`-style entity or a `<…>` link.
 * @param max the limit in UTF-16 code units, ≥ 1
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ELLIPSIS.length);
  end = safeCut(text, end);
  return text.slice(0, end).trimEnd() + ELLIPSIS;
}

/** Moves a cut position back so it does not fall inside a surrogate pair, an entity or a `<…>` link. */
function safeCut(text: string, position: number): number {
  let end = position;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  const head = text.slice(0, end);
  const openLink = head.lastIndexOf('<');
  if (openLink > head.lastIndexOf('>') && openLink > 0) end = openLink;
  const amp = text.slice(0, end).lastIndexOf('&');
  if (amp >= 0 && amp > end - 6 && !text.slice(amp, end).includes(';')) end = amp;
  return end;
}

/**
 * Splits text into chunks of at most `max` characters, at a line break where one is near the end of a
 * chunk, else at a space, else anywhere safe. A ``` code block cut by a split is closed at the end of its
 * chunk and reopened in the next, so formatting survives.
 * @returns the chunks, none empty; `[]` for blank text
 */
export function splitText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  let reopen = '';
  const fence = '```';
  while (rest !== '') {
    rest = reopen + rest;
    // Room for closing a code fence that this chunk might leave open.
    const room = max - (fence.length + 1);
    if (rest.length <= max) {
      chunks.push(rest);
      break;
    }
    let cut = rest.lastIndexOf('\n', room);
    if (cut < room / 2) cut = rest.lastIndexOf(' ', room);
    if (cut < room / 2) cut = safeCut(rest, room);
    if (cut <= reopen.length) cut = room;
    let chunk = rest.slice(0, cut).trimEnd();
    const open = (chunk.split(fence).length - 1) % 2 === 1;
    if (open) chunk += `\n${fence}`;
    reopen = open ? `${fence}\n` : '';
    chunks.push(chunk);
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  return chunks;
}

/**
 * The one-line title: `:x: Deploy failed: acme/app v1.2 to production`, or, when the `title` input is
 * given, the status emoji and that title (`:white_check_mark: Weekly security summary: acme/app`).
 * @returns plain text (not escaped for mrkdwn: the header block is plain_text; escape it for mrkdwn use)
 */
export function title(
  input: Pick<MessageInput, 'status' | 'run' | 'environment' | 'version' | 'title'>,
): string {
  const meaning = meaningOf(input.status);
  if (input.title !== undefined && input.title !== '') return `${meaning.emoji} ${input.title}`;
  const subject = [input.run.repository || 'deploy', input.version].filter((part) => part !== '').join(' ');
  const where =
    input.environment === '' ? '' : ` ${input.status === 'rolled-back' ? 'in' : 'to'} ${input.environment}`;
  const separator = meaning.verb.includes(' ') ? ':' : '';
  return `${meaning.emoji} ${meaning.verb}${separator} ${subject}${where}`;
}

function field(label: string, valueMrkdwn: string, max: number = LIMITS.fieldText): TextObject {
  const head = `*${escapeMrkdwn(truncate(label, 100))}*\n`;
  return { type: 'mrkdwn', text: head + truncate(valueMrkdwn, Math.max(1, max - head.length)) };
}

/** The fields describing the run: repository, ref, commit, actor, environment, version, image. */
function runFields(input: MessageInput): TextObject[] {
  const { run } = input;
  const fields: TextObject[] = [];
  if (run.repository !== '') fields.push(field('Repository', link(run.repositoryUrl, run.repository)));
  if (run.refName !== '') fields.push(field('Ref', `\`${escapeMrkdwn(run.refName)}\``));
  if (run.sha !== '') fields.push(field('Commit', link(run.commitUrl, run.sha.slice(0, 7))));
  if (run.actor !== '') fields.push(field('Actor', escapeMrkdwn(run.actor)));
  if (input.environment !== '')
    fields.push(field('Environment', link(input.environmentUrl, input.environment)));
  if (input.version !== '') fields.push(field('Version', `\`${escapeMrkdwn(input.version)}\``));
  if (input.image !== '') fields.push(field('Image', `\`${escapeMrkdwn(input.image)}\``));
  return fields;
}

/** The detail fields, within `budget` characters; the count left out is returned too. */
function detailFields(
  details: ReadonlyMap<string, string>,
  budget: number,
): { fields: TextObject[]; omitted: number } {
  const fields: TextObject[] = [];
  let used = 0;
  let omitted = 0;
  for (const [key, value] of details) {
    const remaining = budget - used;
    if (remaining < 40) {
      omitted++;
      continue;
    }
    const made = field(key, escapeMrkdwn(value === '' ? '—' : value), Math.min(LIMITS.fieldText, remaining));
    used += made.text.length;
    fields.push(made);
  }
  return { fields, omitted };
}

function sectionsOfFields(fields: TextObject[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < fields.length; i += LIMITS.fieldsPerSection)
    blocks.push({ type: 'section', fields: fields.slice(i, i + LIMITS.fieldsPerSection) });
  return blocks;
}

function runLine(run: RunContext, extra: string[]): TextObject {
  const label = [run.workflow || 'Workflow run', run.runNumber === '' ? '' : `#${run.runNumber}`]
    .filter((part) => part !== '')
    .join(' ');
  const parts = [run.runUrl === '' ? escapeMrkdwn(label) : link(run.runUrl, label), ...extra];
  return { type: 'mrkdwn', text: truncate(parts.join('  ·  '), LIMITS.sectionText) };
}

function textLength(blocks: Block[]): number {
  let total = 0;
  for (const block of blocks) {
    if (block.type === 'header') total += block.text.text.length;
    if (block.type === 'section')
      total += (block.text?.text.length ?? 0) + (block.fields ?? []).reduce((n, f) => n + f.text.length, 0);
    if (block.type === 'context') total += block.elements.reduce((n, e) => n + e.text.length, 0);
  }
  return total;
}

/**
 * Lays out message text as sections within a block count and a character budget; the last section
 * says how much was left out when the text does not fit.
 */
function messageSections(text: string, maxBlocks: number, budget: number): Block[] {
  if (text.trim() === '' || maxBlocks < 1 || budget < 50) return [];
  const chunks = splitText(text, LIMITS.sectionText);
  const sections: Block[] = [];
  let used = 0;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i] ?? '';
    const lastAllowed = sections.length === maxBlocks - 1 || used + chunk.length > budget;
    if (lastAllowed && i < chunks.length - 1) {
      const leftOut = chunks.slice(i).reduce((n, c) => n + c.length, 0);
      const note = `\n_… ${leftOut} more characters not shown; see the run log._`;
      const room = Math.max(1, Math.min(LIMITS.sectionText, budget - used) - note.length);
      sections.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(chunk, room) + note } });
      return sections;
    }
    if (used + chunk.length > budget) {
      sections.push({
        type: 'section',
        text: { type: 'mrkdwn', text: truncate(chunk, Math.max(1, budget - used)) },
      });
      return sections;
    }
    sections.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
    used += chunk.length;
  }
  return sections;
}

/**
 * Builds the Block Kit message for a status.
 * @returns `{ text, blocks }` within Slack's limits whatever the input lengths: ≤ 50 blocks, header ≤ 150,
 *   each section text ≤ 3000, ≤ 10 fields of ≤ 2000 per section, all text ≤ {@link LIMITS.totalText}
 */
export function buildMessage(input: MessageInput): SlackMessage {
  const heading = title(input);
  const header: Block = {
    type: 'header',
    text: { type: 'plain_text', text: truncate(heading, LIMITS.headerText), emoji: true },
  };
  const standard = runFields(input);
  const standardLength = standard.reduce((n, f) => n + f.text.length, 0);
  const { fields: detail, omitted } = detailFields(input.details, LIMITS.fieldsText - standardLength);
  const extra = omitted > 0 ? [`_${omitted} more detail${omitted === 1 ? '' : 's'} not shown_`] : [];
  const context: Block = { type: 'context', elements: [runLine(input.run, extra)] };
  const fieldBlocks = sectionsOfFields([...standard, ...detail]);
  const fixed = [header, ...fieldBlocks, context];
  const sections = messageSections(
    input.message,
    LIMITS.blocks - fixed.length,
    LIMITS.totalText - textLength(fixed),
  );
  return {
    // The notification text is mrkdwn: escaped, so a title or environment cannot form a <!channel> mention.
    text: truncate(escapeMrkdwn(heading), LIMITS.fallbackText),
    blocks: [header, ...fieldBlocks, ...sections, context],
  };
}

/**
 * Builds the thread reply posted under an updated message when a deploy failed or was rolled back: the
 * message text and details in full (within the same limits), and the run link.
 */
export function buildFailureReply(input: MessageInput): SlackMessage {
  const heading = `${meaningOf(input.status).emoji} ${input.status === 'rolled-back' ? 'Rollback' : 'Failure'} details`;
  const intro: Block = { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(heading)}*` } };
  const { fields, omitted } = detailFields(input.details, LIMITS.fieldsText);
  const extra = omitted > 0 ? [`_${omitted} more detail${omitted === 1 ? '' : 's'} not shown_`] : [];
  const context: Block = { type: 'context', elements: [runLine(input.run, extra)] };
  const fixed = [intro, ...sectionsOfFields(fields), context];
  const sections = messageSections(
    input.message,
    LIMITS.blocks - fixed.length,
    LIMITS.totalText - textLength(fixed),
  );
  return {
    text: truncate(escapeMrkdwn(`${heading}: ${title(input)}`), LIMITS.fallbackText),
    blocks: [intro, ...sectionsOfFields(fields), ...sections, context],
  };
}
