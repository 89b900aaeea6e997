// Build products as files to download (Hydra's /build/{id}/download/{nr}/{file}): a product is a
// store path (a file, or a directory whose files are served by their relative path). Nothing outside
// the product can be reached: no "..", no absolute segment, and no symlink leading out of it.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { NotFoundError, ValidationError } from '@fc/core';
import type { BuildService } from './build.service';

const STORE_DIR = '/nix/store';

/**
 * The path of `segments` inside `productPath`; throws for a segment that could leave it (.., ., an
 * empty one, a slash or NUL) and for a product outside the Nix store.
 */
export function productFilePath(productPath: string, segments: readonly string[]): string {
  if (
    !productPath.startsWith(`${STORE_DIR}/`) ||
    productPath.includes('/../') ||
    productPath.endsWith('/..')
  ) {
    throw new NotFoundError('the product is not a store path');
  }
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0')) {
      throw new ValidationError(`"${s}" is not a file name inside the product`);
    }
  }
  return join(productPath, ...segments);
}

/** True when `path` is `root` or lies under it. */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

export interface ProductFile {
  readonly stream: Readable;
  readonly size: number;
  /** The file's name, for its Content-Type and Content-Disposition. */
  readonly name: string;
}

export type ProductTarget =
  | { readonly kind: 'file'; readonly file: ProductFile }
  /** A directory product asked without a file: where its default file is (meta defaultPath). */
  | { readonly kind: 'redirect'; readonly to: string };

export class ProductFileService {
  constructor(private readonly builds: BuildService) {}

  async open(buildId: number, productNr: number, segments: readonly string[]): Promise<ProductTarget> {
    const build = await this.builds.get(buildId);
    const product = build.products.find((p) => p.productNr === productNr);
    if (!product) throw new NotFoundError(`build ${buildId} has no product ${productNr}`);
    // A file product is its own download; its URL may end with its name, as Hydra's links do.
    let rel = segments;
    const own = await stat(product.path).catch(() => undefined);
    if (own?.isFile()) {
      if (segments.length > 1 || (segments.length === 1 && segments[0] !== basename(product.path))) {
        throw new NotFoundError(`product ${productNr} of build ${buildId} is a single file`);
      }
      rel = [];
    }
    const wanted = productFilePath(product.path, rel);
    let root: string;
    let real: string;
    try {
      root = await realpath(product.path);
      real = await realpath(wanted);
    } catch {
      throw new NotFoundError(
        `${segments.length ? segments.join('/') : product.name} is not in the store any more`,
      );
    }
    if (!isInside(STORE_DIR, root) || !isInside(root, real)) {
      throw new NotFoundError(`${segments.join('/')} leads outside the product`);
    }
    const info = await stat(real);
    if (info.isDirectory()) {
      if (rel.length === 0 && product.defaultPath) {
        const def = product.defaultPath.split('/').filter((x) => x !== '');
        return { kind: 'redirect', to: `${productNr}/${def.map(encodeURIComponent).join('/')}` };
      }
      throw new NotFoundError(`${segments.length ? segments.join('/') : product.name} is a directory`);
    }
    return {
      kind: 'file',
      file: { stream: createReadStream(real), size: info.size, name: basename(wanted) },
    };
  }
}
