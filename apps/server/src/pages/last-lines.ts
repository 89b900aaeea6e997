// The last lines of a text read in chunks (Hydra's /log/tail), keeping only as many as are wanted:
// a log of any size passes through in constant memory.
export class LastLines {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly count: number) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.count) this.lines.shift();
    }
  }

  /** The last `count` lines, each ending with a newline but for an unfinished last line. */
  text(): string {
    const all = this.partial === '' ? this.lines : [...this.lines, this.partial];
    const kept = all.slice(-this.count);
    return kept.map((l, i) => (i < kept.length - 1 || this.partial === '' ? `${l}\n` : l)).join('');
  }
}
