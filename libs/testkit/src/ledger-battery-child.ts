/**
 * The second process of the ledger battery; started by `runLedgerBattery` through spawnTs, never imported. It
 * opens the ledger with the module and settings named by TIJARA_LEDGER_BATTERY_CHILD (JSON: `{ module, settings }`;
 * the module exports `openLedgerUnderTest(settings)`), reports `ready`, then obeys JSON commands read line by line
 * from stdin, answering JSON lines on stdout:
 *
 * - `{ op: 'refund', id, paymentKey, refundId, amount, startAt }` → `refund` with `ok` (recorded) or `error`
 * - `{ op: 'drain', id, leaseMs, startAt }` → claims and completes due messages until none are left → `drained`
 *   with the ids it delivered
 * - `{ op: 'remember', id, key, count, startAt }` → `remembered` with how many calls returned true
 * - `{ op: 'crash-after-commit', id, gateway, paymentId, eventKey }` → settles the payment as paid through the
 *   ledger's journal (event id, change and message in one commit), reports `committed`, and is SIGKILLed by its
 *   own delivery handler before the message is handed over
 * - `{ op: 'exit' }` (or stdin closing) closes the ledger and exits
 *
 * Any failure is reported as `failed` with the error's name and message.
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { LedgerSettings, LedgerUnderTest } from './ledger-battery-types.js';

interface Command {
  readonly op: 'refund' | 'drain' | 'remember' | 'crash-after-commit' | 'exit';
  readonly id?: string;
  readonly paymentKey?: string;
  readonly refundId?: string;
  readonly amount?: number;
  readonly leaseMs?: number;
  readonly key?: string;
  readonly count?: number;
  readonly startAt?: number;
  readonly gateway?: string;
  readonly paymentId?: string;
  readonly eventKey?: string;
}

function emit(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function failed(id: string | undefined, error: unknown): void {
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  emit({ event: 'failed', id, error: name, message });
}

async function at(startAt: number | undefined): Promise<void> {
  const delay = (startAt ?? 0) - Date.now();
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
}

const config = JSON.parse(process.env.TIJARA_LEDGER_BATTERY_CHILD ?? '{}') as {
  module: string;
  settings: LedgerSettings;
};
const specifier = config.module.startsWith('file:') ? config.module : pathToFileURL(config.module).href;
const { openLedgerUnderTest } = (await import(specifier)) as {
  openLedgerUnderTest(settings: LedgerSettings): Promise<LedgerUnderTest>;
};
const ledger = await openLedgerUnderTest(config.settings);
const running = new Set<Promise<void>>();

async function refund(command: Command): Promise<void> {
  await at(command.startAt);
  try {
    await ledger.operations.record({
      id: command.refundId ?? '',
      kind: 'refund',
      paymentKey: command.paymentKey ?? '',
      amount: command.amount ?? 0,
    });
    emit({ event: 'refund', id: command.id, ok: true });
  } catch (error) {
    emit({ event: 'refund', id: command.id, ok: false, error: (error as Error).name });
  }
}

async function drain(command: Command): Promise<void> {
  await at(command.startAt);
  const delivered: string[] = [];
  for (;;) {
    const claimed = await ledger.outbox.claim({ limit: 5, leaseMs: command.leaseMs ?? 30_000 });
    if (claimed.length === 0) break;
    for (const message of claimed) {
      if (await ledger.outbox.complete(message)) delivered.push(message.id);
    }
  }
  emit({ event: 'drained', id: command.id, delivered });
}

async function remember(command: Command): Promise<void> {
  await at(command.startAt);
  const results = await Promise.all(
    Array.from({ length: command.count ?? 1 }, () => ledger.events.rememberOnce(command.key ?? '', 60_000)),
  );
  emit({ event: 'remembered', id: command.id, trues: results.filter(Boolean).length });
}

async function crashAfterCommit(command: Command): Promise<void> {
  const journal = ledger.journal({
    gateway: command.gateway ?? '',
    deliver: () => {
      // Dies with the settlement committed and its message claimed but not handed over.
      process.kill(process.pid, 'SIGKILL');
    },
  });
  const record = await journal.load(command.paymentId ?? '');
  if (!record) throw new Error(`no payment ${command.paymentId}`);
  const receipt = await journal.commit({
    eventKey: command.eventKey ?? '',
    eventTtlMs: 60_000,
    record,
    change: {
      status: 'paid',
      refundedAmount: 0,
      capturedAmount: record.amount,
      authorizationExpiresAt: undefined,
    },
    events: [
      {
        type: 'payment.paid',
        orderId: record.orderId,
        paymentId: record.paymentId,
        amount: record.amount,
        currency: record.currency,
        status: 'paid',
        refundedAmount: 0,
        payment: {
          id: record.paymentId,
          status: 'paid',
          rawStatus: 'paid',
          amount: record.amount,
          currency: record.currency,
          capturedAmount: record.amount,
          refundedAmount: 0,
          refundableAmount: record.amount,
          nextAction: { type: 'none' },
          testMode: true,
          raw: {},
        },
      },
    ],
  });
  emit({ event: 'committed', id: command.id, outcome: receipt.outcome });
  await receipt.deliver();
}

emit({ event: 'ready', pid: process.pid });

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  let command: Command;
  try {
    command = JSON.parse(line) as Command;
  } catch (error) {
    failed(undefined, error);
    continue;
  }
  if (command.op === 'exit') break;
  const work =
    command.op === 'refund'
      ? refund(command)
      : command.op === 'drain'
        ? drain(command)
        : command.op === 'remember'
          ? remember(command)
          : command.op === 'crash-after-commit'
            ? crashAfterCommit(command)
            : Promise.reject(new Error(`unknown op ${String(command.op)}`));
  const tracked = work.catch((error: unknown) => failed(command.id, error));
  running.add(tracked);
  void tracked.finally(() => running.delete(tracked));
}

await Promise.allSettled(running);
await ledger.close();
emit({ event: 'closed' });
process.stdin.destroy();
