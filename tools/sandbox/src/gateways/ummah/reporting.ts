import { fromMinorUnits } from '@tijara/core';
import { ENDPOINTS } from '@tijara/ummah';
import type { SandboxClock } from '../../engine/clock.js';
import type { ObjectStore } from '../../engine/database.js';
import type { GatewayUrls } from '../../engine/gateway-module.js';
import { newId, newToken } from '../../engine/ids.js';
import { conflict, fieldError, notFound } from './api-errors.js';
import { implement, listPage, type Implementation } from './endpoints.js';
import type { PurchaseRecord, RefundObject } from './purchase-model.js';

/** One movement of money through the sandbox's account: a settled payment (+), a refund or a chargeback (−). */
export interface LedgerEntry {
  id: string;
  created_on: number;
  kind: 'purchase' | 'refund' | 'chargeback';
  purchase_id: string;
  payment_id: string | null;
  reference: string;
  currency: string;
  /** Signed minor units. */
  amount: number;
}

export interface Statement {
  id: string;
  type: 'company';
  format: 'csv' | 'xlsx';
  status: 'processing' | 'completed' | 'cancelled' | 'error';
  download_url: string | null;
  timezone: string;
  query_string: string | null;
  error: string | null;
  is_test: true;
  created_on: number;
  updated_on: number;
}

interface StatementRecord {
  id: string;
  object: Statement;
  token: string;
  /** Rendered when the statement is scheduled, so it reflects the ledger at that moment. */
  content: string;
  base_url: string;
}

interface ReportFilter {
  currency?: string;
  from?: number;
  to?: number;
}

/** Epoch seconds or an ISO date (`2024-01-31`), as report filters accept either. */
function toEpoch(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function filterFrom(source: Record<string, unknown>): ReportFilter {
  return {
    currency: typeof source['currency'] === 'string' ? source['currency'].toUpperCase() : undefined,
    from: toEpoch(source['from']),
    to: toEpoch(source['to']),
  };
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function formatInZone(epochSeconds: number, timezone: string): string {
  const date = new Date(epochSeconds * 1000);
  try {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(date);
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
  } catch {
    return date.toISOString().replace('T', ' ').slice(0, 19);
  }
}

function validTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Balance, turnover and statements, all computed from the sandbox's own ledger. */
export class Ledger {
  private readonly store: ObjectStore;
  private readonly clock: SandboxClock;
  private readonly urls: GatewayUrls;

  constructor(store: ObjectStore, clock: SandboxClock, urls: GatewayUrls) {
    this.store = store;
    this.clock = clock;
    this.urls = urls;
  }

  record(kind: LedgerEntry['kind'], purchase: PurchaseRecord, amount: number, refund?: RefundObject): void {
    this.store.put<LedgerEntry>('ledger', {
      id: newId(),
      created_on: this.clock.now(),
      kind,
      purchase_id: purchase.id,
      payment_id: refund?.id ?? null,
      reference: purchase.object.reference || purchase.object.reference_generated,
      currency: purchase.object.purchase.currency,
      amount,
    });
  }

  entries(filter: ReportFilter = {}): LedgerEntry[] {
    return this.store
      .list<LedgerEntry>('ledger')
      .filter(
        (e) =>
          (filter.currency === undefined || e.currency === filter.currency) &&
          (filter.from === undefined || e.created_on >= filter.from) &&
          (filter.to === undefined || e.created_on <= filter.to),
      );
  }

  balance(filter: ReportFilter): { balance: Array<{ currency: string; amount: number }> } {
    const totals = new Map<string, number>();
    for (const entry of this.entries(filter))
      totals.set(entry.currency, (totals.get(entry.currency) ?? 0) + entry.amount);
    return {
      balance: [...totals.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, amount]) => ({ currency, amount })),
    };
  }

  /** Per currency and calendar month (UTC): money paid in, refunded and charged back, and the count of each. */
  turnover(filter: ReportFilter): { turnover: Array<Record<string, string | number>> } {
    const rows = new Map<
      string,
      {
        currency: string;
        period: string;
        paid: number;
        refunded: number;
        chargedBack: number;
        payments: number;
        refunds: number;
        chargebacks: number;
      }
    >();
    for (const entry of this.entries(filter)) {
      const period = new Date(entry.created_on * 1000).toISOString().slice(0, 7);
      const key = `${period} ${entry.currency}`;
      const row = rows.get(key) ?? {
        currency: entry.currency,
        period,
        paid: 0,
        refunded: 0,
        chargedBack: 0,
        payments: 0,
        refunds: 0,
        chargebacks: 0,
      };
      if (entry.kind === 'chargeback') {
        row.chargedBack -= entry.amount;
        row.chargebacks++;
      } else if (entry.amount >= 0) {
        row.paid += entry.amount;
        row.payments++;
      } else {
        row.refunded -= entry.amount;
        row.refunds++;
      }
      rows.set(key, row);
    }
    return {
      turnover: [...rows.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, r]) => ({
          currency: r.currency,
          period: r.period,
          paid_amount: r.paid,
          refunded_amount: r.refunded,
          chargeback_amount: r.chargedBack,
          net_amount: r.paid - r.refunded - r.chargedBack,
          payments_count: r.payments,
          refunds_count: r.refunds,
          chargebacks_count: r.chargebacks,
        })),
    };
  }

  renderCsv(filter: ReportFilter, timezone: string): string {
    const header = [
      'id',
      'created_on',
      'date',
      'type',
      'purchase_id',
      'refund_id',
      'reference',
      'currency',
      'amount',
      'amount_decimal',
    ];
    const lines = [header.join(',')];
    for (const e of this.entries(filter)) {
      const decimal = (e.amount < 0 ? '-' : '') + fromMinorUnits(Math.abs(e.amount), e.currency);
      lines.push(
        [
          e.id,
          e.created_on,
          formatInZone(e.created_on, timezone),
          e.kind,
          e.purchase_id,
          e.payment_id ?? '',
          e.reference,
          e.currency,
          e.amount,
          decimal,
        ]
          .map(csvCell)
          .join(','),
      );
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  createStatement(
    format: 'csv' | 'xlsx',
    timezone: string,
    queryString: string | undefined,
    baseUrl: string,
  ): Statement {
    if (!validTimezone(timezone)) throw fieldError('timezone', `"${timezone}" is not a valid choice.`);
    const now = this.clock.now();
    const filter = filterFrom(Object.fromEntries(new URLSearchParams(queryString ?? '')));
    const record: StatementRecord = {
      id: newId(),
      token: newToken(),
      content: format === 'csv' ? this.renderCsv(filter, timezone) : '',
      base_url: baseUrl,
      object: {
        id: '',
        type: 'company',
        format,
        status: 'processing',
        download_url: null,
        timezone,
        query_string: queryString ?? null,
        error: null,
        is_test: true,
        created_on: now,
        updated_on: now,
      },
    };
    record.object.id = record.id;
    this.store.put('statement', record);
    return record.object;
  }

  /**
   * Statements are "processing" when scheduled and finish by the next time anyone looks, so a client that
   * polls sees both states without waiting. XLSX is not rendered by the sandbox: it ends in `error`.
   */
  getStatement(id: string): Statement {
    const record = this.store.get<StatementRecord>('statement', id);
    if (!record) throw notFound();
    return this.finish(record).object;
  }

  listStatements(): Statement[] {
    return this.store
      .list<StatementRecord>('statement')
      .reverse()
      .map((record) => this.finish(record).object);
  }

  private finish(record: StatementRecord): StatementRecord {
    if (record.object.status === 'completed') {
      // Built on each read so the link follows the sandbox to whatever address it runs on now.
      const base = this.urls.publicUrl ?? record.base_url;
      record.object.download_url = `${base}/statements/${record.id}/${record.token}.csv`;
    }
    if (record.object.status !== 'processing') return record;
    if (record.object.format === 'xlsx') {
      record.object.status = 'error';
      record.object.error = 'The sandbox renders statements as CSV only.';
    } else {
      record.object.status = 'completed';
    }
    record.object.updated_on = this.clock.now();
    this.store.put('statement', record);
    return this.finish(record);
  }

  cancelStatement(id: string): { status: 'cancelled' } {
    const record = this.store.get<StatementRecord>('statement', id);
    if (!record) throw notFound();
    if (record.object.status !== 'processing') {
      throw conflict(
        `Only a statement that is still processing can be cancelled (status "${record.object.status}").`,
      );
    }
    record.object.status = 'cancelled';
    record.object.updated_on = this.clock.now();
    this.store.put('statement', record);
    return { status: 'cancelled' };
  }

  /** The CSV behind a `download_url` (the token in the URL is the only credential, like a pre-signed link). */
  download(id: string, token: string): string | undefined {
    const record = this.store.get<StatementRecord>('statement', id);
    if (!record || record.token !== token || record.object.status !== 'completed') return undefined;
    return record.content;
  }
}

const tag = 'Reporting';

export function reportingEndpoints(ledger: Ledger): Implementation[] {
  const S = ENDPOINTS.companyStatements;
  return [
    implement(ENDPOINTS.balance.retrieve, { summary: 'Get balance data', tag }, ({ input }) =>
      ledger.balance(filterFrom(input)),
    ),
    implement(ENDPOINTS.account.balance, { summary: 'Company balance', tag }, ({ input }) =>
      ledger.balance(filterFrom(input)),
    ),
    implement(ENDPOINTS.account.turnover, { summary: 'Company turnover', tag }, ({ input }) =>
      ledger.turnover(filterFrom(input)),
    ),
    implement(
      S.create,
      { summary: 'Schedule statement generation', tag, status: 201 },
      ({ input, baseUrl }) =>
        ledger.createStatement(input.format, input.timezone ?? 'UTC', input.query_string, baseUrl),
    ),
    implement(S.list, { summary: 'List statements', tag }, (ctx) => listPage(ctx, ledger.listStatements())),
    implement(S.retrieve, { summary: 'Retrieve a statement', tag }, ({ params }) =>
      ledger.getStatement(params['id']!),
    ),
    implement(S.cancel, { summary: 'Cancel statement generation', tag }, ({ params }) =>
      ledger.cancelStatement(params['id']!),
    ),
  ];
}
