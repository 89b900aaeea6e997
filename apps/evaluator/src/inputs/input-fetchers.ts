// Every input type's fetcher (see input-fetcher.ts).
import { fetchBuildInput } from './build-input';
import { fetchBzrCheckoutInput, fetchBzrInput } from './bzr-input';
import { fetchDarcsInput } from './darcs-input';
import { fetchEvalInput } from './eval-input';
import { fetchGitInput } from './git-input';
import { fetchHgInput } from './hg-input';
import type { InputFetchers } from './input-fetcher';
import { fetchPathInput } from './path-input';
import { fetchGiteaPullsInput, fetchGithubPullsInput } from './pulls-input';
import { fetchSvnCheckoutInput, fetchSvnInput } from './svn-input';
import { fetchBooleanInput, fetchNixInput, fetchStringInput } from './value-inputs';

export const INPUT_FETCHERS: InputFetchers = {
  git: fetchGitInput,
  path: fetchPathInput,
  string: fetchStringInput,
  boolean: fetchBooleanInput,
  nix: fetchNixInput,
  build: fetchBuildInput,
  eval: fetchEvalInput,
  hg: fetchHgInput,
  svn: fetchSvnInput,
  'svn-checkout': fetchSvnCheckoutInput,
  bzr: fetchBzrInput,
  'bzr-checkout': fetchBzrCheckoutInput,
  darcs: fetchDarcsInput,
  githubpulls: fetchGithubPullsInput,
  giteapulls: fetchGiteaPullsInput,
};
