/**
 * What the runner prints while steps run: workflow commands read from a step's stdout as the GitHub
 * runner reads them (`::add-mask::`, `::error …::`, `::warning::`, `::notice::`, `::group::`, `::debug::`),
 * masked values replaced by `***`, lines indented under their job and step.
 * Command syntax: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
 */

/** The run's masked values (secrets, `::add-mask::`), shared by every job and step. */
export class Masker {
  private readonly values = new Set<string>();

  /** Adds a value to mask; each line of a multi-line value too. Empty values are ignored. */
  add(value: string): void {
    if (value === '') return;
    this.values.add(value);
    for (const line of value.split(/\r?\n/)) if (line.trim() !== '') this.values.add(line);
  }

  /** `text` with every masked value replaced by `***` (longest first). */
  mask(text: string): string {
    let out = text;
    for (const value of [...this.values].sort((a, b) => b.length - a.length))
      out = out.split(value).join('***');
    return out;
  }

  /** True when `text` contains a masked value. */
  contains(text: string): boolean {
    for (const value of this.values) if (text.includes(value)) return true;
    return false;
  }
}

/** An annotation a step reported (`::error::` …). */
export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
}

function unescapeData(text: string): string {
  return text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

function unescapeProperty(text: string): string {
  return unescapeData(text.replace(/%3A/gi, ':').replace(/%2C/gi, ','));
}

/**
 * Reads a step's output line by line (chunks may split lines), handles workflow commands and prints
 * what the runner would show through `print`, prefixed with `indent`.
 */
export class StepLog {
  readonly annotations: Annotation[] = [];
  readonly lines: string[] = [];
  private pending = '';
  private readonly masker: Masker;
  private readonly print: (line: string) => void;
  private readonly indent: string;
  private readonly debug: boolean;

  constructor(masker: Masker, print: (line: string) => void, indent: string, debug = false) {
    this.masker = masker;
    this.print = print;
    this.indent = indent;
    this.debug = debug;
  }

  /** Feeds a chunk of stdout. */
  write(chunk: string): void {
    const text = this.pending + chunk;
    const parts = text.split('\n');
    this.pending = parts.pop() ?? '';
    for (const line of parts) this.line(line.replace(/\r$/, ''));
  }

  /** Flushes a last line without a newline. */
  end(): void {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
  }

  /** Prints a line of the runner's own (not parsed for commands), masked. */
  note(text: string): void {
    for (const line of text.split('\n')) this.show(line);
  }

  /** Records an annotation of the runner's own (e.g. a step's exit code) and prints it. */
  annotate(level: Annotation['level'], message: string): void {
    this.annotations.push({ level, message: this.masker.mask(message) });
    this.show(`${level}: ${message}`);
  }

  private show(line: string): void {
    const masked = this.masker.mask(line);
    this.lines.push(masked);
    this.print(`${this.indent}${masked}`);
  }

  private line(line: string): void {
    const command = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (command === null) return this.show(line);
    const [, name = '', rawProps = '', rawData = ''] = command;
    const data = unescapeData(rawData);
    switch (name) {
      case 'add-mask':
        this.masker.add(data);
        return;
      case 'error':
      case 'warning':
      case 'notice': {
        const props: Record<string, string> = {};
        for (const pair of rawProps.split(',')) {
          const eq = pair.indexOf('=');
          if (eq > 0) props[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
        }
        const annotation: Annotation = { level: name, message: this.masker.mask(data) };
        if (props['file'] !== undefined) annotation.file = props['file'];
        if (props['line'] !== undefined) annotation.line = Number(props['line']);
        this.annotations.push(annotation);
        const where =
          annotation.file !== undefined
            ? ` (${annotation.file}${annotation.line !== undefined ? `:${annotation.line}` : ''})`
            : '';
        return this.show(`${name}: ${data}${where}`);
      }
      case 'group':
        return this.show(`▸ ${data}`);
      case 'debug':
        if (this.debug) this.show(`debug: ${data}`);
        return;
      default:
        // endgroup, save-state, set-output (deprecated) and others are consumed as the runner does
        return;
    }
  }
}
