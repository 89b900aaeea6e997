// The built-in walker's fast-mode output, read as it arrives. Nix prints the tree
// (`{"s":{name: node, ...}}`, a node being {"j": record} | {"f": true} | {"s": {...}} | null, see
// walker-expression.ts) while it evaluates it (`--eval --strict --json` forces each value as it
// prints it), so reading it chunk by chunk lets jobs be recorded while Nix is still evaluating, and
// the whole tree (100 MB at 250,000 jobs) is never held. Only each job's record is parsed as a whole.

export interface JobTreeEvents {
  /** A job's record, as JSON.parse reads it. */
  readonly job: (attr: string, record: unknown) => void;
  /** A job builtins.tryEval caught failing. */
  readonly failed: (attr: string) => void;
}

/** A JSON object being read: a node (`{"j"|"f"|"s": ...}`) or a set of named nodes. */
interface Frame {
  readonly kind: 'node' | 'set';
  /** The key whose value comes next (a node's "j", "f" or "s"; a set's attribute name). */
  key: string | null;
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN = 123;
const CLOSE = 125;
const OPEN_LIST = 91;
const CLOSE_LIST = 93;
const COLON = 58;
const COMMA = 44;

export class JobTreeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobTreeError';
  }
}

/** Reads the fast walk's tree in chunks; `end()` says whether the root was a set of jobs. */
export class JobTreeParser {
  private readonly stack: Frame[] = [];
  private text = '';
  private started = false;
  private done = false;
  private rootIsSet = false;
  /** A job record being read: its text so far and the scanner's state at the chunk's end. */
  private record: { parts: string[]; depth: number; inString: boolean; escaped: boolean } | null = null;

  constructor(private readonly events: JobTreeEvents) {}

  push(chunk: string): void {
    this.text = this.text === '' ? chunk : this.text + chunk;
    const consumed = this.parse(this.text);
    this.text = consumed === this.text.length ? '' : this.text.slice(consumed);
  }

  /** Whether the output was a whole tree with a set at its root (anything else: see careful mode). */
  end(): { readonly complete: boolean; readonly rootIsSet: boolean } {
    return { complete: this.done && this.text.trim() === '', rootIsSet: this.rootIsSet };
  }

  /** The dotted name of the node being read: the keys of the sets it is in. */
  private attrPath(): string {
    let path = '';
    for (const f of this.stack) if (f.kind === 'set') path = path === '' ? f.key! : `${path}.${f.key!}`;
    return path;
  }

  /** Continues a record's text from `i`; returns where it ended (after its `}`), or -1 at the chunk's end. */
  private scanRecord(s: string, i: number): number {
    const r = this.record!;
    const start = i;
    let { depth, inString, escaped } = r;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN || c === OPEN_LIST) depth++;
      else if ((c === CLOSE || c === CLOSE_LIST) && --depth === 0) {
        r.parts.push(s.slice(start, i + 1));
        return i + 1;
      }
    }
    r.parts.push(s.slice(start));
    Object.assign(r, { depth, inString, escaped });
    return -1;
  }

  /** Called when a value has been read whole: the frame it belonged to takes its next key. */
  private valueDone(): void {
    const top = this.stack[this.stack.length - 1];
    if (top) top.key = null;
    else this.done = true;
  }

  /** Parses what it can of `s`; returns how much was consumed (the rest is an unfinished token). */
  private parse(s: string): number {
    let i = 0;
    while (i < s.length) {
      if (this.record) {
        const end = this.scanRecord(s, i);
        if (end === -1) return s.length;
        const text = this.record.parts.join('');
        this.record = null;
        // A derivation at the root is no job (the root must be a set; careful mode says so).
        const attr = this.attrPath();
        if (attr !== '') this.events.job(attr, JSON.parse(text));
        this.valueDone();
        i = end;
        continue;
      }
      const c = s.charCodeAt(i);
      if (this.done) {
        i++;
        continue;
      }
      const top = this.stack[this.stack.length - 1];
      if (c === COMMA || c === COLON || c === 32 || c === 10) {
        i++;
        continue;
      }
      if (c === CLOSE) {
        this.stack.pop();
        i++;
        this.valueDone();
        continue;
      }
      if (c === QUOTE && top && top.key === null) {
        // A key: it ends at the next quote that is not escaped.
        let j = s.indexOf('"', i + 1);
        while (j !== -1 && isEscaped(s, j)) j = s.indexOf('"', j + 1);
        if (j === -1) return i;
        const raw = s.slice(i + 1, j);
        top.key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        i = j + 1;
        continue;
      }
      // A value.
      if (!this.started) {
        this.started = true;
        if (c !== OPEN) {
          // Not a set at the root: the caller explains it in careful mode.
          this.done = true;
          continue;
        }
        this.stack.push({ kind: 'node', key: null });
        i++;
        continue;
      }
      if (!top) throw new JobTreeError(`unexpected character ${s[i]} after the tree`);
      if (c === OPEN) {
        if (top.kind === 'node' && top.key === 'j') {
          this.record = { parts: [], depth: 0, inString: false, escaped: false };
          continue;
        }
        if (top.kind === 'node' && top.key === 's' && this.stack.length === 1) this.rootIsSet = true;
        this.stack.push({ kind: top.kind === 'node' ? 'set' : 'node', key: null });
        i++;
        continue;
      }
      // A literal: null (not a job), true (a failed job's "f").
      const literal = /^(null|true|false)/.exec(s.slice(i, i + 5));
      if (!literal) {
        if (s.length - i < 5) return i;
        throw new JobTreeError(`unexpected text in the walker's output: ${s.slice(i, i + 40)}`);
      }
      if (literal[1] === 'true' && top.kind === 'node' && top.key === 'f') this.events.failed(this.attrPath());
      i += literal[1]!.length;
      this.valueDone();
    }
    return i;
  }
}

/** Whether the quote at `j` is escaped (preceded by an odd number of backslashes). */
function isEscaped(s: string, j: number): boolean {
  let n = 0;
  for (let k = j - 1; k >= 0 && s.charCodeAt(k) === BACKSLASH; k--) n++;
  return n % 2 === 1;
}
