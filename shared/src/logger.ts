/**
 * One logger interface for every action, so flows print through it and tests capture what they print.
 *
 * `coreLogger` writes through `@actions/core` (workflow commands the runner understands);
 * `createCaptureLogger()` records lines in memory and, like the runner, replaces masked values with `***`
 * in everything recorded after the mask was added.
 */
import * as core from '@actions/core';
import { inertLog, registerMask } from './output.ts';

/** Where an annotation points: a file and optional line/column range (1-based, as GitHub expects). */
export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  /** An annotation of level notice/warning/error, optionally on a file and line. */
  notice(message: string, properties?: AnnotationProperties): void;
  warning(message: string, properties?: AnnotationProperties): void;
  error(message: string, properties?: AnnotationProperties): void;
  /** Registers a value to be replaced by `***` wherever it would be printed from now on. */
  mask(value: string): void;
  /** Runs `fn` inside a collapsible log group and returns its result. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  isDebug(): boolean;
}

/**
 * The logger actions use on a runner: every call maps to the `@actions/core` function of that name, and
 * everything it prints is inert (see `output.ts`): plain lines pass through `inertLog`, so no line of a
 * message can start a workflow command; annotations, debug lines and group titles are command values that
 * `@actions/core` escapes. `mask` also records the value in the process's mask list (`output.ts`
 * `registerMask`), which `redact` applies to summaries, outputs and files.
 */
export const coreLogger: Logger = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(inertLog(message)),
  notice: (message, properties) => core.notice(message, properties),
  warning: (message, properties) => core.warning(message, properties),
  error: (message, properties) => core.error(message, properties),
  mask: (value) => {
    registerMask(value);
    core.setSecret(value);
  },
  group: (name, fn) => core.group(name, fn),
  isDebug: () => core.isDebug(),
};

/** One recorded line of a {@link CaptureLogger}, with masked values already replaced. */
export interface CapturedLine {
  level: LogLevel | 'group';
  message: string;
  properties?: AnnotationProperties;
}

export interface CaptureLogger extends Logger {
  readonly lines: CapturedLine[];
  /** Every recorded message joined by newlines: what a reader of the log would see. */
  text(): string;
}

/**
 * A logger for tests: records every line in memory, masking as the runner does.
 * @param options.debug whether `isDebug()` answers true (default false); debug lines are recorded either way.
 */
export function createCaptureLogger(options: { debug?: boolean } = {}): CaptureLogger {
  const masks: string[] = [];
  const lines: CapturedLine[] = [];
  const redact = (text: string): string => {
    let out = text;
    for (const value of masks) out = out.split(value).join('***');
    return out;
  };
  const record = (level: CapturedLine['level'], message: string, properties?: AnnotationProperties): void => {
    lines.push(
      properties === undefined
        ? { level, message: redact(message) }
        : { level, message: redact(message), properties },
    );
  };
  return {
    lines,
    text: () => lines.map((line) => line.message).join('\n'),
    debug: (message) => record('debug', message),
    info: (message) => record('info', message),
    notice: (message, properties) => record('notice', message, properties),
    warning: (message, properties) => record('warning', message, properties),
    error: (message, properties) => record('error', message, properties),
    mask: (value) => {
      if (value !== '' && !masks.includes(value)) {
        masks.push(value);
        masks.sort((a, b) => b.length - a.length); // longest first, so a value's parts do not leave pieces
      }
    },
    group: async (name, fn) => {
      record('group', name);
      return fn();
    },
    isDebug: () => options.debug === true,
  };
}
