// kube-apiserver's flow-control flags for `kapi up` and `kapi run gateway`:
// --max-requests-inflight and --max-mutating-requests-inflight (their sum is the concurrency
// limit one gateway replica shares among the priority levels) and --enable-priority-and-fairness.
// Without priority and fairness kube falls back to a plain max-in-flight limit, which kapi does
// not implement yet: disabling it leaves requests unlimited.

import { type Command, InvalidArgumentError } from 'commander';
import { goBool } from './auth-flags.js';

export interface FlowControlFlags {
  maxRequestsInflight?: number;
  maxMutatingRequestsInflight?: number;
  enablePriorityAndFairness?: boolean;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

export function addFlowControlFlags(cmd: Command): Command {
  return cmd
    .option('--max-requests-inflight <n>', 'gateway: maximum non-mutating requests in flight; with priority and fairness, added to --max-mutating-requests-inflight as the concurrency limit (default 400)', nonNegative)
    .option('--max-mutating-requests-inflight <n>', 'gateway: maximum mutating requests in flight (default 200)', nonNegative)
    .option('--enable-priority-and-fairness [bool]', 'gateway: API Priority and Fairness (default true)', goBool);
}

/** The parsed flags; an --enable-priority-and-fairness given without a value means true. */
export function flowControlFlagsFrom(o: Record<string, unknown>): FlowControlFlags {
  const flags: FlowControlFlags = {
    maxRequestsInflight: o.maxRequestsInflight as number | undefined,
    maxMutatingRequestsInflight: o.maxMutatingRequestsInflight as number | undefined,
    enablePriorityAndFairness: o.enablePriorityAndFairness as boolean | undefined,
  };
  const enabled = flags.enablePriorityAndFairness !== false;
  if (enabled && (flags.maxRequestsInflight ?? 400) + (flags.maxMutatingRequestsInflight ?? 200) <= 0) {
    throw new InvalidArgumentError('--max-requests-inflight and --max-mutating-requests-inflight must add up to something positive with priority and fairness');
  }
  return flags;
}

/** The flags again, as `kapi run gateway` arguments (kapi cluster hands them to its gateways). */
export function flowControlFlagArgs(f: FlowControlFlags): string[] {
  const args: string[] = [];
  if (f.maxRequestsInflight !== undefined) args.push('--max-requests-inflight', String(f.maxRequestsInflight));
  if (f.maxMutatingRequestsInflight !== undefined) args.push('--max-mutating-requests-inflight', String(f.maxMutatingRequestsInflight));
  if (f.enablePriorityAndFairness !== undefined) args.push(`--enable-priority-and-fairness=${f.enablePriorityAndFairness}`);
  return args;
}
