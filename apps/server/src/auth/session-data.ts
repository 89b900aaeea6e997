// What FC keeps in a session beside passport's user: the CSRF token and pending flash messages.
import 'express-session';

export interface FlashMessage {
  readonly kind: 'success' | 'error';
  readonly text: string;
}

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
    flash?: FlashMessage[];
  }
}
