/** FC's version, as apps/server/package.json states it. */
export const FC_VERSION = '0.1.0';
