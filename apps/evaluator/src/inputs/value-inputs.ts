// `string`, `nix` and `boolean` inputs: the value itself (a boolean is "true" or "false").
import { FetchError } from '../git/git-fetch';
import type { InputFetcher } from './input-fetcher';

export const fetchStringInput: InputFetcher = (input) =>
  Promise.resolve({
    input: { name: input.name, type: 'string', value: input.value },
    revision: { type: 'string', value: input.value },
  });

export const fetchNixInput: InputFetcher = (input) =>
  Promise.resolve({
    input: { name: input.name, type: 'nix', value: input.value },
    revision: { type: 'nix', value: input.value },
  });

export const fetchBooleanInput: InputFetcher = (input) => {
  if (!['true', 'false', '1', '0'].includes(input.value)) {
    return Promise.reject(
      new FetchError(
        `input ${input.name}: a boolean is "true" or "false", got ${JSON.stringify(input.value)}`,
      ),
    );
  }
  return Promise.resolve({
    input: { name: input.name, type: 'boolean', value: input.value === 'true' || input.value === '1' },
    revision: { type: 'boolean', value: input.value },
  });
};
