import { describe, expect, it } from '@jest/globals';
import { isInside, productFilePath } from './product-files';

const product = '/nix/store/abcd-report';

describe('productFilePath', () => {
  it('joins plain file names under the product', () => {
    expect(productFilePath(product, [])).toBe(product);
    expect(productFilePath(product, ['doc', 'index.html'])).toBe(`${product}/doc/index.html`);
  });

  it.each([['..'], ['.'], [''], ['a/b'], ['..\\x'], ['x\0y']])('refuses the segment %j', (segment) => {
    expect(() => productFilePath(product, ['doc', segment])).toThrow(/not a file name inside the product/);
  });

  it('refuses a product outside the store', () => {
    expect(() => productFilePath('/etc', ['passwd'])).toThrow(/not a store path/);
    expect(() => productFilePath('/nix/store/../etc', [])).toThrow(/not a store path/);
  });
});

describe('isInside', () => {
  it('holds for the root and what is under it, not for a sibling with the same prefix', () => {
    expect(isInside(product, product)).toBe(true);
    expect(isInside(product, `${product}/a`)).toBe(true);
    expect(isInside(product, `${product}-evil/a`)).toBe(false);
    expect(isInside('/nix/store', '/nix/storefoo')).toBe(false);
  });
});
