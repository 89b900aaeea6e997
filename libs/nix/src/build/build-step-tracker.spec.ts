import { describe, expect, it } from '@jest/globals';
import { BuildStepTracker, type TrackedStep } from './build-step-tracker';
import { parseNixLogLine } from './nix-log-events';
import { parseStepFailure } from './build-failure-messages';

const A = '/nix/store/1mj7qpcyhmv875zzd9rld6jlfl8ij6r4-a.drv';
const B = '/nix/store/4x6fdqx8qb8ma6mwspkahh820qznl4x1-b.drv';
const ESC = '\\u001b'; // escaped inside the JSON, as Nix writes it

// Lines as nix-store --realise --keep-going --log-format internal-json (Nix 2.8) prints them.
const lines = [
  '@nix {"action":"msg","level":3,"msg":"these 2 derivations will be built:"}',
  '@nix {"action":"start","id":1,"level":0,"text":"","type":102}',
  `@nix {"action":"start","fields":["${A}","",1,1],"id":5,"level":3,"text":"building '${A}'","type":105}`,
  '@nix {"action":"result","fields":["a says hi"],"id":5,"type":101}',
  `@nix {"action":"msg","column":null,"file":null,"level":0,"line":null,"msg":"${ESC}[31;1merror:${ESC}[0m builder for '${ESC}[35;1m${A}${ESC}[0m' failed with exit code 3"}`,
  '@nix {"action":"stop","id":5}',
  `@nix {"action":"start","fields":["${B}","ssh://builder",1,1],"id":6,"level":3,"text":"building '${B}'","type":105}`,
  '@nix {"action":"result","fields":["b says hi"],"id":6,"type":101}',
  '@nix {"action":"result","fields":[1,2,0,0],"id":1,"type":105}',
  '@nix {"action":"stop","id":6}',
  'a plain line',
  '@nix {"action":"stop","id":1}',
];

function track(input: readonly string[]) {
  const events: string[] = [];
  const logs: [string, number | undefined][] = [];
  const tracker = new BuildStepTracker(
    {
      stepStarted: (s: TrackedStep) => events.push(`start ${s.nr}`),
      stepFinished: (s: TrackedStep) => events.push(`finish ${s.nr} ${s.status}`),
      logLine: (line, step) => logs.push([line, step?.nr]),
    },
    () => new Date(0),
  );
  for (const line of input) tracker.handle(parseNixLogLine(line));
  return { tracker, events, logs };
}

describe('BuildStepTracker', () => {
  it('makes a step of every derivation built, with its machine, status and log lines', () => {
    const { tracker, events, logs } = track(lines);
    expect(events).toEqual(['start 1', 'finish 1 1', 'start 2', 'finish 2 0']);
    expect(tracker.steps.map((s) => [s.nr, s.kind, s.drvPath, s.machine, s.status])).toEqual([
      [1, 'build', A, '', 1],
      [2, 'build', B, 'ssh://builder', 0],
    ]);
    expect(tracker.steps[0]!.errorMessage).toBe(`builder for '${A}' failed with exit code 3`);
    expect(logs).toEqual([
      ['a says hi', 1],
      [`error: builder for '${A}' failed with exit code 3`, undefined],
      ['b says hi', 2],
      ['a plain line', undefined],
    ]);
    expect(tracker.firstFailure()?.nr).toBe(1);
  });

  it('gives steps stopped after an interrupt, and steps still running, the kill status', () => {
    const { tracker } = track(lines.slice(0, 8));
    tracker.interrupt(4, 'cancelled');
    tracker.handle(parseNixLogLine('@nix {"action":"stop","id":6}'));
    expect(tracker.steps[1]!.status).toBe(4);
    const running = track(lines.slice(0, 8)).tracker;
    running.abortRunning(10, 'log limit');
    expect(running.steps.map((s) => s.status)).toEqual([1, 10]);
  });
});

describe('parseStepFailure', () => {
  it('recognises timeouts, silence and builder failures', () => {
    expect(parseStepFailure(`building of '${A}!*' from .drv file timed out after 2 seconds of silence`)).toMatchObject({
      drvPath: A,
      status: 7,
    });
    expect(parseStepFailure(`error: builder for '${A}' failed due to signal 9 (Killed)`)).toMatchObject({
      drvPath: A,
      status: 1,
    });
    expect(parseStepFailure(`1 dependencies of derivation '${A}' failed to build`)).toBeUndefined();
  });
});
