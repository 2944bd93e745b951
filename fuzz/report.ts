/**
 * A campaign's figures and findings: per target the inputs run, how many every reader accepted,
 * the outcomes per stage and code, throughput and the slowest input; each finding with its
 * input, saved as fuzz/findings/<target>-<hash>.bin beside a .txt with what went wrong.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FindingKind } from './target.js';

export interface FindingRecord {
  target: string;
  iteration: number;
  kind: FindingKind;
  message: string;
  /** The input, as run. */
  bytes: Uint8Array;
  /** sha256 of the bytes, first 16 hex digits: the file name. */
  hash: string;
}

export interface TargetReport {
  target: string;
  seed: number;
  iterations: number;
  /** Inputs every stage accepted. */
  ok: number;
  /** stage → outcome ('ok' or an error code) → inputs. */
  codes: Record<string, Record<string, number>>;
  findings: FindingRecord[];
  /** Findings beyond KEPT_PER_KIND of one kind and first line (counted, not kept). */
  findingsDropped: number;
  elapsedMs: number;
  slowest: { ms: number; iteration: number };
}

/** At most this many findings are kept per target, kind and first line (numbers aside); the rest are counted only. */
export const KEPT_PER_KIND = 20;

const signature = (f: FindingRecord) => `${f.kind} ${f.message.split('\n')[0]!.replace(/[0-9]+/g, 'N')}`;

/** Adds a finding to the report unless the same input was recorded, or enough like it were. */
export function addFinding(report: TargetReport, finding: FindingRecord): void {
  if (report.findings.some((f) => f.hash === finding.hash && f.kind === finding.kind)) return;
  const same = report.findings.filter((f) => signature(f) === signature(finding)).length;
  if (same >= KEPT_PER_KIND) report.findingsDropped++;
  else report.findings.push(finding);
}

export function emptyReport(target: string, seed: number): TargetReport {
  return { target, seed, iterations: 0, ok: 0, codes: {}, findings: [], findingsDropped: 0, elapsedMs: 0, slowest: { ms: 0, iteration: -1 } };
}

export function findingRecord(target: string, iteration: number, kind: FindingKind, message: string, bytes: Uint8Array): FindingRecord {
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return { target, iteration, kind, message, bytes, hash };
}

export const inputsPerSecond = (r: TargetReport) => (r.elapsedMs > 0 ? Math.round((r.iterations / r.elapsedMs) * 1000) : 0);

/** Writes each finding's input and text; returns the paths of the inputs. */
export function saveFindings(dir: string, findings: readonly FindingRecord[]): string[] {
  if (findings.length === 0) return [];
  mkdirSync(dir, { recursive: true });
  return findings.map((f) => {
    const base = path.join(dir, `${f.target}-${f.hash}`);
    writeFileSync(`${base}.bin`, f.bytes);
    writeFileSync(`${base}.txt`, `target: ${f.target}\niteration: ${f.iteration}\nkind: ${f.kind}\nbytes: ${f.bytes.length}\n\n${f.message}\n`);
    return `${base}.bin`;
  });
}

/** The summary --json prints: figures per target, findings without their bytes. */
export function summary(reports: readonly TargetReport[], command?: string) {
  return {
    command,
    targets: reports.map((r) => ({
      target: r.target,
      seed: r.seed,
      iterations: r.iterations,
      ok: r.ok,
      codes: r.codes,
      findings: r.findings.map(({ bytes, ...f }) => ({ ...f, bytes: bytes.length, message: f.message.split('\n')[0] })),
      findingsDropped: r.findingsDropped,
      inputsPerSecond: inputsPerSecond(r),
      elapsedMs: Math.round(r.elapsedMs),
      slowestInputMs: Math.round(r.slowest.ms * 10) / 10,
      slowestIteration: r.slowest.iteration,
    })),
    totalInputs: reports.reduce((n, r) => n + r.iterations, 0),
    totalFindings: reports.reduce((n, r) => n + r.findings.length + r.findingsDropped, 0),
  };
}

export function formatText(reports: readonly TargetReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${r.target}: ${r.iterations} inputs (seed ${r.seed}), ${r.ok} accepted, ${r.findings.length + r.findingsDropped} findings, ${inputsPerSecond(r)} inputs/s, ${(r.elapsedMs / 1000).toFixed(1)} s, slowest ${r.slowest.ms.toFixed(1)} ms (iteration ${r.slowest.iteration})`);
    for (const [stage, byCode] of Object.entries(r.codes)) {
      const parts = Object.entries(byCode).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`);
      lines.push(`  ${stage}: ${parts.join(', ')}`);
    }
    for (const f of r.findings) lines.push(`  FINDING ${f.kind} at iteration ${f.iteration} (${f.hash}): ${f.message.split('\n')[0]}`);
    if (r.findingsDropped > 0) lines.push(`  and ${r.findingsDropped} more findings like those`);
  }
  return lines.join('\n') + '\n';
}
