// A LISTEN client for specs: records every notification on the given channels, in arrival order, and
// waits for the one a spec expects (a positive signal, never a sleep).
import pg from 'pg';

export interface Notification {
  readonly channel: string;
  readonly payload: string;
}

export interface NotifyListener {
  /** Every notification received so far. */
  readonly received: readonly Notification[];
  /** Resolves once `predicate` holds for a notification received (now or later). */
  waitFor(predicate: (n: Notification) => boolean, timeoutMs?: number, what?: string): Promise<Notification>;
  close(): Promise<void>;
}

export async function listenTo(url: string, channels: readonly string[]): Promise<NotifyListener> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const received: Notification[] = [];
  const waiters: (() => void)[] = [];
  client.on('notification', (m) => {
    received.push({ channel: m.channel, payload: m.payload ?? '' });
    for (const wake of waiters.splice(0)) wake();
  });
  for (const channel of channels) await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
  return {
    received,
    waitFor: async (predicate, timeoutMs = 60_000, what = 'a notification') => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(predicate);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`no ${what} within ${timeoutMs} ms; received ${JSON.stringify(received)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => client.end(),
  };
}
