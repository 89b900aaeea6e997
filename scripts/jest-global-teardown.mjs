import { loadTestingEntry } from './jest-global.mjs';
export default async function teardown(...args) {
  return (await loadTestingEntry('global-teardown'))(...args);
}
