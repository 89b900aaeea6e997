// The schema pg-boss's tables live in (FC's own queries read and index them there).
export const BOSS_SCHEMA = 'pgboss';
