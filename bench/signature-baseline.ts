import type { BenchAlgorithm } from './client.ts';
import { measureInChild } from './measure-in-child.ts';

/** CPU and wall time of one signature, by algorithm. */
export type SignatureCosts = Record<BenchAlgorithm, { cpuMs: number; wallMs: number }>;

/** ID-token signatures alone, as oidc-provider makes them, in a process with the image's runtime settings. */
export function signatureCosts(signatures: number): Promise<SignatureCosts> {
  return measureInChild(new URL('./signature-process.ts', import.meta.url), { BENCH_SIGNATURES: String(signatures) });
}
