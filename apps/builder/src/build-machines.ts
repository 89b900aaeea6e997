// Where a build can run: the local Nix, and the enabled rows of remote_builders, handed to Nix as a
// machines file. Answers "can anything build system X with features F?" for the unsupported check.
import { mkdir, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { enabledRemoteBuilders, type EnabledBuilderRow, type Pool } from '@fc/db';
import {
  machineSupports,
  renderMachinesFile,
  writeDeclineBuildHook,
  type LocalMachine,
  type NixClientSettings,
} from '@fc/nix';

const REFRESH_MS = 2000;

export class BuildMachines {
  readonly #pool: Pool;
  readonly #local: LocalMachine;
  readonly #machinesFile: string;
  readonly #workDir: string;
  #declineHook: Promise<string | undefined> | undefined;
  #remote: EnabledBuilderRow[] = [];
  #loadedAt = 0;
  #written: string | undefined;

  constructor(pool: Pool, local: LocalMachine, workDir: string) {
    this.#pool = pool;
    this.#local = local;
    this.#machinesFile = join(workDir, `machines-${process.pid}`);
    this.#workDir = workDir;
  }

  /** The local Nix's settings its daemon sessions get (`nix show-config`). */
  get nixClientSettings(): NixClientSettings {
    return this.#local.clientSettings;
  }

  async #refresh(): Promise<void> {
    if (Date.now() - this.#loadedAt < REFRESH_MS) return;
    this.#remote = await enabledRemoteBuilders(this.#pool);
    this.#loadedAt = Date.now();
  }

  /** Whether the local machine or an enabled remote builder can build it. */
  async supports(system: string, requiredFeatures: readonly string[]): Promise<boolean> {
    await this.#refresh();
    if (this.#localSupports(system, requiredFeatures)) return true;
    return this.#remote.some((m) => machineSupports(m, system, requiredFeatures));
  }

  #localSupports(system: string, requiredFeatures: readonly string[]): boolean {
    if (!this.#local.buildsLocally) return false;
    if (system !== 'builtin' && !this.#local.systems.includes(system)) return false;
    return requiredFeatures.every((f) => this.#local.supportedFeatures.includes(f));
  }

  /**
   * Nix's settings for the current remote builders: `builders` is "" or "@<machines file>"; with
   * none, `buildHook` is a hook that declines at once (Nix's own would start per build to decline).
   */
  async nixSettings(): Promise<{ builders: string; buildHook?: string }> {
    const builders = await this.#buildersSetting();
    if (builders !== '') return { builders };
    this.#declineHook ??= writeDeclineBuildHook(this.#workDir);
    const buildHook = await this.#declineHook;
    return buildHook === undefined ? { builders } : { builders, buildHook };
  }

  async #buildersSetting(): Promise<string> {
    await this.#refresh();
    if (this.#remote.length === 0) return '';
    const text = renderMachinesFile(this.#remote);
    if (text !== this.#written) {
      await mkdir(join(this.#machinesFile, '..'), { recursive: true });
      const tmp = `${this.#machinesFile}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, this.#machinesFile);
      this.#written = text;
    }
    return `@${this.#machinesFile}`;
  }
}
