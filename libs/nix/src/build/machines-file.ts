// Nix's machines file (the `builders` setting): one remote builder a line,
// `URI SYSTEMS SSH-KEY MAX-JOBS SPEED-FACTOR SUPPORTED-FEATURES MANDATORY-FEATURES PUBLIC-HOST-KEY`,
// lists comma-separated, "-" for an empty field.

export interface MachineSpec {
  readonly uri: string;
  readonly systems: readonly string[];
  readonly sshKeyFile: string | null;
  readonly maxJobs: number;
  readonly speedFactor: number;
  readonly supportedFeatures: readonly string[];
  readonly mandatoryFeatures: readonly string[];
  /** base64 of the host's public key line, as Nix expects it. */
  readonly publicHostKey: string | null;
}

function field(value: string | readonly string[] | null): string {
  const text = Array.isArray(value) ? value.join(',') : ((value as string | null) ?? '');
  if (/\s/.test(text)) throw new Error(`machines file field must not contain whitespace: ${JSON.stringify(text)}`);
  return text === '' ? '-' : text;
}

export function renderMachinesFile(machines: readonly MachineSpec[]): string {
  return machines
    .map((m) =>
      [
        field(m.uri),
        field(m.systems),
        field(m.sshKeyFile),
        String(m.maxJobs),
        String(m.speedFactor),
        field(m.supportedFeatures),
        field(m.mandatoryFeatures),
        field(m.publicHostKey),
      ].join(' '),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * Whether a machine can build a derivation for `system` needing `requiredFeatures`: it offers the
 * system and every required feature, and the derivation asks for each of its mandatory features
 * (Nix's rule).
 */
export function machineSupports(
  machine: Pick<MachineSpec, 'systems' | 'supportedFeatures' | 'mandatoryFeatures'>,
  system: string,
  requiredFeatures: readonly string[],
): boolean {
  if (!machine.systems.includes(system) && !(system === 'builtin')) return false;
  const offered = new Set([...machine.supportedFeatures, ...machine.mandatoryFeatures]);
  if (!requiredFeatures.every((f) => offered.has(f))) return false;
  return machine.mandatoryFeatures.every((f) => requiredFeatures.includes(f));
}
