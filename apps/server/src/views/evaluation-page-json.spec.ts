import { describe, expect, it } from '@jest/globals';
import type { EvaluationJsonPage } from '../services/evaluation.service';
import { evaluationPageJsonText, showableAsWritten } from './evaluation.view';

function page(itemsJson: string, hasSecretInputs = false): EvaluationJsonPage {
  return {
    items: { itemsJson, shown: 1, more: true, lastId: 7, hasSecretInputs, counted: undefined },
    total: 1001,
    totalExact: false,
    limit: 1,
    offset: 0,
    nextCursor: 7,
  };
}

const hidden = { credentials: false };
const shown = { credentials: true };

describe('showableAsWritten', () => {
  it('shows a page with nothing to hide to anyone', () => {
    expect(showableAsWritten(page('[{"id": 7, "flake_url": "github:o/r"}]'), hidden)).toBe(true);
  });

  it('does not show a page with an "@", an input marked secret, or a secret input as written to those who may not see them', () => {
    expect(showableAsWritten(page('[{"flake_url": "git+https://u:p@host/x"}]'), hidden)).toBe(false);
    expect(showableAsWritten(page('[{"input_revisions": {"t": {"secret": true}}}]'), hidden)).toBe(false);
    expect(showableAsWritten(page('[{"id": 7}]', true), hidden)).toBe(false);
  });

  it('shows every page as written to those who may see credentials', () => {
    expect(showableAsWritten(page('[{"flake_url": "git+https://u:p@host/x"}]', true), shown)).toBe(true);
  });
});

describe('evaluationPageJsonText', () => {
  it('writes the page around its items', () => {
    expect(JSON.parse(evaluationPageJsonText(page('[{"id" : 7}]')))).toEqual({
      items: [{ id: 7 }],
      total: 1001,
      total_exact: false,
      limit: 1,
      offset: 0,
      next_cursor: 7,
    });
  });
});
