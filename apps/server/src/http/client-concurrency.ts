// Bounds the work one client can put on the binary cache: at most `active` of its requests run at
// once, up to `queued` more wait their turn (Nix opens up to http-connections = 25 at once), and
// anything past that is answered 429 with Retry-After (Nix retries it). Other clients, and the API
// beside the cache, are not held up by one client's flood. An IPv6 client is one /64.
import type { NextFunction, Request, Response } from 'express';
import { addressKey } from '../services/client-address';

export interface ClientConcurrencyOptions {
  /** Requests of one client running at once. */
  readonly active: number;
  /** Requests of one client waiting for a slot; past this, 429. */
  readonly queued: number;
  /**
   * Counts every client as one (a bound on the whole server, past which any client waits or gets a
   * 429): for work that costs a process each, which many addresses together could otherwise pile up.
   */
  readonly everyone?: boolean;
}

interface ClientSlots {
  running: number;
  readonly waiting: (() => void)[];
}

export function clientConcurrency(options: ClientConcurrencyOptions) {
  const clients = new Map<string, ClientSlots>();

  function release(key: string, slots: ClientSlots): void {
    const next = slots.waiting.shift();
    if (next) return next();
    slots.running -= 1;
    if (slots.running === 0) clients.delete(key);
  }

  return (req: Request, res: Response, next: NextFunction): void => {
    const key = options.everyone ? '' : addressKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    let slots = clients.get(key);
    if (!slots) clients.set(key, (slots = { running: 0, waiting: [] }));
    const held = slots;
    let released = false;
    const start = () => {
      // The slot is freed when the response ends or the client goes away, whichever comes first.
      res.once('close', () => {
        if (released) return;
        released = true;
        release(key, held);
      });
      next();
    };
    if (held.running < options.active) {
      held.running += 1;
      start();
      return;
    }
    if (held.waiting.length >= options.queued) {
      res.set('Retry-After', '1');
      res.status(429).json({
        error: {
          code: 'rate_limited',
          message: options.everyone
            ? `the binary cache is busy (more than ${options.active + options.queued} such requests at once); retry`
            : `too many binary cache requests from this client at once (more than ${options.active + options.queued}); retry`,
        },
      });
      return;
    }
    const waiter = () => start();
    held.waiting.push(waiter);
    // A client that leaves while waiting gives up its place.
    res.once('close', () => {
      const i = held.waiting.indexOf(waiter);
      if (i >= 0) held.waiting.splice(i, 1);
    });
  };
}
