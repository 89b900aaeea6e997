// `npm run nix:options`: writes nix/settings-options.nix, the NixOS module's typed settings options,
// from the configuration schema and config/fc.toml. Run it after adding or changing a config key.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderNixSettingsOptions } from '../../libs/config/src/nix-settings-options';

const root = process.cwd();
const target = join(root, 'nix', 'settings-options.nix');
writeFileSync(target, renderNixSettingsOptions(readFileSync(join(root, 'config', 'fc.toml'), 'utf8')));
process.stdout.write(`wrote ${target}\n`);
