// Environment name -> spec. Everything that picks an environment by name (CLI, playground,
// worker pool, run configs) goes through here.

import type { EnvSpec } from './env';
import { householdSpec } from './household/index';
import { virtualhomeSpec } from './virtualhome/index';
import { webshopSpec } from './webshop/index';

const SPECS: readonly EnvSpec[] = [householdSpec, webshopSpec, virtualhomeSpec];

export const ENV_REGISTRY: ReadonlyMap<string, EnvSpec> = new Map(SPECS.map((s) => [s.name, s]));

export function envNames(): string[] {
  return [...ENV_REGISTRY.keys()];
}

/** The spec for `name`; throws an Error that lists the known names when there is none. */
export function getEnvSpec(name: string): EnvSpec {
  const spec = ENV_REGISTRY.get(name);
  if (!spec) throw new Error(`unknown environment "${name}"; known: ${envNames().join(', ')}`);
  return spec;
}
