// Fingerprints of the frozen webshop content. A test recomputes them; if the catalogue or the
// goals change in any way (data, generator, PRNG), it fails and asks for a version bump, so a
// task id keeps naming the same instruction and product for as long as a version stands.

import type { Product } from './catalogue';
import type { Goal } from './goals';
import { fnv1a } from '../../core/hash';

export const FROZEN = {
  catalogueVersion: 1,
  goalsVersion: 1,
  splitsVersion: 1,
  products: 1200,
  goals: 1824,
  catalogueFingerprint: '1b82f3e6',
  goalsFingerprint: '44b1dba7',
} as const;

export function fingerprint(items: readonly Product[] | readonly Goal[]): string {
  return fnv1a(JSON.stringify(items)).toString(16).padStart(8, '0');
}
