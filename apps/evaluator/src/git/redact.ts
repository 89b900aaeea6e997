// Credentials in repository URLs never reach logs or error messages: one rule for every app, in @fc/core.
export { redactCredentials } from '@fc/core';
