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
import { emit, moduleSpecifier, serveCommands, startingAt } from './battery-child-io.js';
import { paidChange, paidEvent } from './ledger-battery-fixtures.js';
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

const config = JSON.parse(process.env.TIJARA_LEDGER_BATTERY_CHILD ?? '{}') as {
  module: string;
  settings: LedgerSettings;
};
const { openLedgerUnderTest } = (await import(moduleSpecifier(config.module))) as {
  openLedgerUnderTest(settings: LedgerSettings): Promise<LedgerUnderTest>;
};
const ledger = await openLedgerUnderTest(config.settings);

async function refund(command: Command): Promise<void> {
  await startingAt(command.startAt);
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
  await startingAt(command.startAt);
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
  await startingAt(command.startAt);
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
    change: paidChange(record.amount),
    events: [paidEvent(record)],
  });
  emit({ event: 'committed', id: command.id, outcome: receipt.outcome });
  await receipt.deliver();
}

await serveCommands<Command>((command) => {
  if (command.op === 'refund') return refund(command);
  if (command.op === 'drain') return drain(command);
  if (command.op === 'remember') return remember(command);
  if (command.op === 'crash-after-commit') return crashAfterCommit(command);
  throw new Error(`unknown op ${String(command.op)}`);
});
await ledger.close();
emit({ event: 'closed' });
process.stdin.destroy();
