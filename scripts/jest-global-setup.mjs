import { loadTestingEntry } from './jest-global.mjs';
export default async function setup(...args) {
  return (await loadTestingEntry('global-setup'))(...args);
}
