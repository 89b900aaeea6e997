import { describe, expect, it } from '@jest/globals';
import { completeLinesLength } from '../services/build-log-follower';
import { formatSseEvent, resumeOffset } from './server-sent-events';

describe('formatSseEvent', () => {
  it('writes id, event and one JSON data line, so newlines in a payload cannot end the event', () => {
    expect(formatSseEvent({ event: 'log', id: '12', data: { text: 'a\n\nb\r\n' } })).toBe(
      'id: 12\nevent: log\ndata: {"text":"a\\n\\nb\\r\\n"}\n\n',
    );
  });

  it('leaves out a missing id and strips line breaks from the fields', () => {
    expect(formatSseEvent({ event: 'e\nnd', data: 1 })).toBe('event: end\ndata: 1\n\n');
  });
});

describe('resumeOffset', () => {
  it('prefers Last-Event-ID, then ?offset=, then the start', () => {
    expect(resumeOffset('120', 5)).toBe(120);
    expect(resumeOffset(undefined, 5)).toBe(5);
    expect(resumeOffset('not a number', undefined)).toBe(0);
  });
});

describe('completeLinesLength', () => {
  it('ends after the last newline, never inside a line or a UTF-8 character', () => {
    expect(completeLinesLength(Buffer.from('one\ntwo'))).toBe(4);
    expect(completeLinesLength(Buffer.from('no newline'))).toBe(0);
    const utf8 = Buffer.from('é\nü');
    expect(completeLinesLength(utf8.subarray(0, utf8.length - 1))).toBe(3);
  });
});
