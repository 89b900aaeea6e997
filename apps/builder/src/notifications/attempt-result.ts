// What one delivery attempt gave, whatever the channel: delivered, or failed, and whether trying
// again later may help (HTTP 5xx/408/429, a timeout, a connection error).
export type AttemptResult =
  | {
      readonly ok: true;
      readonly httpStatus?: number;
      readonly exitCode?: number;
      readonly outputTail?: string;
    }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly error: string;
      readonly httpStatus?: number;
      readonly exitCode?: number | null;
      readonly outputTail?: string;
    };
