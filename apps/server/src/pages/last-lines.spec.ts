import { describe, expect, it } from '@jest/globals';
import { LastLines } from './last-lines';

function tail(chunks: string[], count: number): string {
  const t = new LastLines(count);
  for (const c of chunks) t.push(c);
  return t.text();
}

describe('LastLines', () => {
  it('keeps the last lines across chunk boundaries', () => {
    expect(tail(['a\nb', '\nc\nd\n'], 2)).toBe('c\nd\n');
    expect(tail(['one\ntw', 'o\nthr', 'ee\n'], 5)).toBe('one\ntwo\nthree\n');
  });

  it('counts an unfinished last line as a line, without adding a newline to it', () => {
    expect(tail(['a\nb\nc'], 2)).toBe('b\nc');
    expect(tail(['a\nb\nc'], 1)).toBe('c');
  });

  it('gives nothing for an empty text', () => {
    expect(tail([], 50)).toBe('');
    expect(tail([''], 50)).toBe('');
  });
});
