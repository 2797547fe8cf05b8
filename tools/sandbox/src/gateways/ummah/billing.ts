import {
  ENDPOINTS,
  type createBillingTemplateRequestSchema,
  type createInvoiceRequestSchema,
  type updateBillingTemplateRequestSchema,
} from '@tijara/ummah';
import type { z } from 'zod';
import type { SandboxClock } from '../../engine/clock.js';
import type { ObjectStore } from '../../engine/database.js';
import type { GatewayUrls } from '../../engine/gateway-module.js';
import { newId } from '../../engine/ids.js';
import {
  badRequest,
  conflict,
  fieldError,
  nonFieldError,
  notFound,
  type FieldDetails,
} from './api-errors.js';
import type { ClientService } from './clients.js';
import type { UmmahConfig } from './config.js';
import { implement, listPage, noContent, type Implementation } from './endpoints.js';
import type { UmmahEvents } from './events.js';
import {
  buildPurchaseDetails,
  clientDetails,
  type ClientDetails,
  type CreatePurchaseBody,
  type PurchaseDetails,
  type PurchaseDetailsBody,
  type PurchaseRecord,
} from './purchase-model.js';
import type { PurchaseService } from './purchases.js';
import type { SavedCards } from './saved-cards.js';

type TemplateBody = z.output<typeof createBillingTemplateRequestSchema>;
type TemplateUpdateBody = z.output<typeof updateBillingTemplateRequestSchema>;
type PeriodUnits = 'days' | 'weeks' | 'months' | 'years';

export interface BillingTemplate {
  id: string;
  type: 'billing_template';
  brand_id: string;
  title: string;
  is_subscription: boolean;
  subscription_period: number | null;
  subscription_period_units: PeriodUnits | null;
  number_of_billing_cycles: number;
  subscription_due_period: number;
  subscription_due_period_units: PeriodUnits;
  subscription_charge_period_end: boolean;
  subscription_trial_periods: number;
  send_invoice_on_charge_failure: boolean;
  send_invoice_on_add_subscriber: boolean;
  send_receipt: boolean;
  purchase: PurchaseDetails;
  is_test: true;
  company_id: string;
  created_on: number;
  updated_on: number;
}

/**
 * A billing template client. Statuses: `pending` (waiting for the first payment or card), `active`,
 * `subscription_paused`, `failed` (the last renewal charge failed) and `completed` (all
 * `number_of_billing_cycles` charged).
 */
export interface Subscriber {
  id: string;
  type: 'billing_template_client';
  billing_template_id: string;
  client_id: string;
  client: ClientDetails;
  is_subscription: boolean;
  status: 'pending' | 'active' | 'subscription_paused' | 'failed' | 'completed';
  next_billing_on: number | null;
  number_of_billing_cycles_passed: number;
  recurring_token: string | null;
  last_purchase_id: string | null;
  created_on: number;
  updated_on: number;
}

export interface SubscriberRecord {
  id: string;
  object: Subscriber;
  /** Billing instants are anchor + index × period, so month ends do not drift (Jan 31 → Feb 28 → Mar 31). */
  anchor_on: number | null;
  billing_index: number;
  /** The template as it was when the client subscribed: deleting a template does not stop subscriptions. */
  template: BillingTemplate;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** Calendar arithmetic in UTC; a month later than the 31st is the last day of the shorter month. */
export function addPeriods(epochSeconds: number, units: PeriodUnits, count: number): number {
  if (units === 'days') return epochSeconds + count * 86_400;
  if (units === 'weeks') return epochSeconds + count * 7 * 86_400;
  const date = new Date(epochSeconds * 1000);
  const months = units === 'years' ? count * 12 : count;
  const total = date.getUTCMonth() + months;
  const year = date.getUTCFullYear() + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  return Date.UTC(year, month, day, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()) / 1000;
}

/** Turn stored purchase details back into a request body for a new purchase. */
function detailsBody(details: PurchaseDetails): PurchaseDetailsBody {
  return {
    products: details.products.map((p) => ({ ...p })),
    currency: details.currency,
    total_override: details.total_override,
    due_strict: details.due_strict,
    timezone: details.timezone,
    language: details.language,
    notes: details.notes,
    email_message: details.email_message,
  } as PurchaseDetailsBody;
}

export class BillingService {
  private readonly store: ObjectStore;
  private readonly clock: SandboxClock;
  private readonly config: UmmahConfig;
  private readonly urls: GatewayUrls;
  private readonly purchases: PurchaseService;
  private readonly clients: ClientService;
  private readonly savedCards: SavedCards;
  private readonly events: UmmahEvents;

  constructor(deps: {
    store: ObjectStore;
    clock: SandboxClock;
    config: UmmahConfig;
    urls: GatewayUrls;
    purchases: PurchaseService;
    clients: ClientService;
    savedCards: SavedCards;
    events: UmmahEvents;
  }) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.config = deps.config;
    this.urls = deps.urls;
    this.purchases = deps.purchases;
    this.clients = deps.clients;
    this.savedCards = deps.savedCards;
    this.events = deps.events;
    this.purchases.onPaid.push((record) => this.onPaid(record));
  }

  private now(): number {
    return this.clock.now();
  }

  getTemplate(id: string): BillingTemplate {
    const template = this.store.get<BillingTemplate>('billing_template', id);
    if (!template) throw notFound();
    return template;
  }

  createTemplate(body: TemplateBody): BillingTemplate {
    if (body.brand_id !== this.config.brandId) {
      throw fieldError('brand_id', 'Object with this ID does not exist.');
    }
    const now = this.now();
    const template: BillingTemplate = {
      id: newId(),
      type: 'billing_template',
      brand_id: body.brand_id,
      company_id: this.config.companyId,
      is_test: true,
      created_on: now,
      updated_on: now,
      ...this.templateFields(body, undefined),
    };
    return this.store.put('billing_template', template);
  }

  updateTemplate(id: string, body: TemplateUpdateBody): BillingTemplate {
    const existing = this.getTemplate(id);
    if (body.brand_id !== undefined && body.brand_id !== this.config.brandId) {
      throw fieldError('brand_id', 'Object with this ID does not exist.');
    }
    const updated: BillingTemplate = {
      ...existing,
      ...this.templateFields(body, existing),
      updated_on: this.now(),
    };
    return this.store.put('billing_template', updated);
  }

  /** Fields of a create or full update; the period of a subscription is kept when a PUT omits it. */
  private templateFields(
    body: TemplateUpdateBody,
    existing: BillingTemplate | undefined,
  ): Omit<
    BillingTemplate,
    'id' | 'type' | 'brand_id' | 'company_id' | 'is_test' | 'created_on' | 'updated_on'
  > {
    const period = body.subscription_period ?? existing?.subscription_period ?? null;
    const units = (body.subscription_period_units ??
      existing?.subscription_period_units ??
      null) as PeriodUnits | null;
    if (body.is_subscription) {
      const details: FieldDetails = {};
      if (period === null) details['subscription_period'] = ['This field is required.'];
      if (units === null) details['subscription_period_units'] = ['This field is required.'];
      if (Object.keys(details).length > 0) throw badRequest(details);
    }
    return {
      title: body.title ?? '',
      is_subscription: body.is_subscription,
      subscription_period: body.is_subscription ? period : null,
      subscription_period_units: body.is_subscription ? units : null,
      number_of_billing_cycles: body.number_of_billing_cycles ?? 0,
      subscription_due_period: body.subscription_due_period ?? 0,
      subscription_due_period_units: (body.subscription_due_period_units ?? 'days') as PeriodUnits,
      subscription_charge_period_end: body.subscription_charge_period_end ?? false,
      subscription_trial_periods: body.subscription_trial_periods ?? 0,
      send_invoice_on_charge_failure: body.send_invoice_on_charge_failure ?? false,
      send_invoice_on_add_subscriber: body.send_invoice_on_add_subscriber ?? false,
      send_receipt: body.send_receipt ?? false,
      purchase: buildPurchaseDetails(body.purchase, this.config.currency),
    };
  }

  listTemplates(): BillingTemplate[] {
    return this.store.list<BillingTemplate>('billing_template');
  }

  deleteTemplate(id: string): void {
    this.getTemplate(id);
    this.store.delete('billing_template', id);
  }

  /** A purchase for a client built from a template's `purchase` block (copied 1:1, as on the gateway). */
  private purchaseFromTemplate(
    template: BillingTemplate,
    clientId: string,
    baseUrl: string,
    extra: {
      product: 'billing_invoices' | 'billing_subscriptions';
      subscriberId?: string;
      preauthorize?: boolean;
    },
  ): PurchaseRecord {
    const purchase = detailsBody(template.purchase);
    if (extra.preauthorize) purchase.total_override = 0;
    const body = {
      brand_id: this.config.brandId,
      client_id: clientId,
      purchase,
      send_receipt: template.send_receipt,
      force_recurring: extra.product === 'billing_subscriptions',
      skip_capture: extra.preauthorize ?? false,
    } as CreatePurchaseBody;
    return this.purchases.create(body, {
      baseUrl,
      product: extra.product,
      billingTemplateId: template.id,
      subscriberId: extra.subscriberId ?? null,
    });
  }

  sendInvoice(templateId: string, clientId: string, baseUrl: string): PurchaseRecord {
    const template = this.getTemplate(templateId);
    if (!this.clients.find(clientId)) throw fieldError('client_id', 'Object with this ID does not exist.');
    return this.purchaseFromTemplate(template, clientId, baseUrl, { product: 'billing_invoices' });
  }

  /** `POST /billing/`: one purchase per client, each with its own checkout and invoice link. */
  createInvoices(body: z.output<typeof createInvoiceRequestSchema>, baseUrl: string): PurchaseRecord[] {
    const details: FieldDetails = {};
    if (body.brand_id !== this.config.brandId) details['brand_id'] = ['Object with this ID does not exist.'];
    body.clients.forEach((entry, index) => {
      if (!this.clients.find(entry.client_id)) {
        details[`clients.${index}.client_id`] = ['Object with this ID does not exist.'];
      }
    });
    if (Object.keys(details).length > 0) throw badRequest(details);
    return body.clients.map((entry) =>
      this.purchases.create(
        {
          brand_id: body.brand_id,
          client_id: entry.client_id,
          purchase: body.purchase,
          reference: body.reference,
          due: body.due,
        } as CreatePurchaseBody,
        { baseUrl, product: 'billing_invoices' },
      ),
    );
  }

  /**
   * Subscribe a client. Billing now: the response carries the first purchase to pay (its card is saved for
   * renewals). Billing later (trial periods or `subscription_charge_period_end`): a client with a saved
   * card is active at once (`purchase: null`); otherwise a zero-amount preauthorization saves the card.
   */
  addSubscriber(
    templateId: string,
    clientId: string,
    baseUrl: string,
  ): { billing_template_client: Subscriber; purchase: unknown } {
    const template = this.getTemplate(templateId);
    if (!template.is_subscription) throw nonFieldError('This billing template is not a subscription.');
    const client = this.clients.find(clientId);
    if (!client) throw fieldError('client_id', 'Object with this ID does not exist.');
    const existing = this.subscribers(templateId).find(
      (s) => s.object.client_id === clientId && s.object.status !== 'completed',
    );
    if (existing) throw nonFieldError('This client is already subscribed to this billing template.');
    const now = this.now();
    const record: SubscriberRecord = {
      id: newId(),
      object: {
        id: '',
        type: 'billing_template_client',
        billing_template_id: template.id,
        client_id: clientId,
        client: clientDetails(client),
        is_subscription: true,
        status: 'pending',
        next_billing_on: null,
        number_of_billing_cycles_passed: 0,
        recurring_token: null,
        last_purchase_id: null,
        created_on: now,
        updated_on: now,
      },
      anchor_on: null,
      billing_index: 0,
      template,
    };
    record.object.id = record.id;
    this.save(record);

    const deferred = template.subscription_trial_periods + (template.subscription_charge_period_end ? 1 : 0);
    let purchase: PurchaseRecord | undefined;
    if (deferred > 0) {
      const token = this.savedCards.latestToken(clientId);
      if (token) this.activate(record, token.id, now, deferred, 0);
      else {
        purchase = this.purchaseFromTemplate(template, clientId, baseUrl, {
          product: 'billing_subscriptions',
          subscriberId: record.id,
          preauthorize: true,
        });
      }
    } else {
      purchase = this.purchaseFromTemplate(template, clientId, baseUrl, {
        product: 'billing_subscriptions',
        subscriberId: record.id,
      });
    }
    if (purchase) {
      record.object.last_purchase_id = purchase.id;
      this.save(record);
    }
    return { billing_template_client: record.object, purchase: purchase?.object ?? null };
  }

  private activate(
    record: SubscriberRecord,
    token: string | null,
    anchor: number,
    index: number,
    cycles: number,
  ): void {
    const firstActivation = record.object.status === 'pending';
    record.object.status = 'active';
    if (token) record.object.recurring_token = token;
    record.anchor_on = anchor;
    record.billing_index = index;
    record.object.number_of_billing_cycles_passed = cycles;
    this.schedule(record);
    this.save(record);
    if (firstActivation) {
      this.events.emit('billing_template.client_activated', record.object, {
        type: 'billing_template_client',
        id: record.id,
      });
    }
  }

  private schedule(record: SubscriberRecord): void {
    const { template } = record;
    const limit = template.number_of_billing_cycles;
    if (limit > 0 && record.object.number_of_billing_cycles_passed >= limit) {
      record.object.status = 'completed';
      record.object.next_billing_on = null;
      return;
    }
    record.object.next_billing_on = addPeriods(
      record.anchor_on ?? this.now(),
      template.subscription_period_units ?? 'months',
      (template.subscription_period ?? 1) * record.billing_index,
    );
  }

  /** The buyer paid a subscription purchase at checkout: the first payment, or a failed renewal paid by hand. */
  private onPaid(purchase: PurchaseRecord): void {
    if (!purchase.subscriber_id) return;
    const record = this.store.get<SubscriberRecord>('subscriber', purchase.subscriber_id);
    if (!record || (record.object.status !== 'pending' && record.object.status !== 'failed')) return;
    const token = purchase.object.is_recurring_token ? purchase.id : record.object.recurring_token;
    const now = this.now();
    record.object.last_purchase_id = purchase.id;
    if (record.object.status === 'failed') {
      record.object.status = 'active';
      if (token) record.object.recurring_token = token;
      record.object.number_of_billing_cycles_passed++;
      record.billing_index++;
      this.schedule(record);
      this.save(record);
      return;
    }
    if (purchase.object.status === 'preauthorized') {
      const deferred =
        record.template.subscription_trial_periods + (record.template.subscription_charge_period_end ? 1 : 0);
      this.activate(record, token, now, Math.max(deferred, 1), 0);
    } else {
      this.activate(record, token, now, 1, 1);
    }
  }

  subscribers(templateId: string): SubscriberRecord[] {
    return this.store.list<SubscriberRecord>('subscriber', {
      '$.object.billing_template_id': templateId,
    });
  }

  /** `{client_id}` in the subscriber routes: the subscriber's own id, or the id of its client. */
  getSubscriber(templateId: string, id: string): SubscriberRecord {
    const all = this.subscribers(templateId);
    const record = all.find((s) => s.id === id) ?? all.reverse().find((s) => s.object.client_id === id);
    if (!record) throw notFound();
    return record;
  }

  /** Pause (`subscription_paused`) or resume (`active`). Resuming after a missed date bills right away. */
  updateSubscriber(templateId: string, id: string, status: string | undefined): Subscriber {
    const record = this.getSubscriber(templateId, id);
    const current = record.object.status;
    if (status === undefined || status === current) return record.object;
    if (current === 'completed') throw conflict('This subscription has completed all its billing cycles.');
    if (status === 'subscription_paused') {
      record.object.status = 'subscription_paused';
    } else {
      record.object.status = record.object.recurring_token ? 'active' : 'pending';
      const due = record.object.next_billing_on;
      if (record.object.status === 'active' && due !== null && due < this.now()) {
        // Re-anchor so a long pause does not bill every missed period at once.
        record.anchor_on = this.now();
        record.billing_index = 0;
        record.object.next_billing_on = this.now();
      }
    }
    record.object.updated_on = this.now();
    this.save(record);
    this.runDue();
    return this.getSubscriber(templateId, record.id).object;
  }

  /** Earliest renewal on the sandbox clock, for stepping time forward. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const record of this.store.list<SubscriberRecord>('subscriber', {
      '$.object.status': 'active',
    })) {
      const due = record.object.next_billing_on;
      if (due !== null && (next === undefined || due < next)) next = due;
    }
    return next;
  }

  /** Charge every active subscriber whose renewal date has come, oldest first. */
  runDue(): void {
    const now = this.now();
    const due = this.store
      .list<SubscriberRecord>('subscriber', { '$.object.status': 'active' })
      .filter((r) => r.object.next_billing_on !== null && r.object.next_billing_on <= now)
      .sort((a, b) => (a.object.next_billing_on ?? 0) - (b.object.next_billing_on ?? 0));
    for (const record of due) this.renew(record);
  }

  private renew(record: SubscriberRecord): void {
    const template =
      this.store.get<BillingTemplate>('billing_template', record.template.id) ?? record.template;
    record.template = template;
    const purchase = this.purchaseFromTemplate(template, record.object.client_id, this.urls.gateway(), {
      product: 'billing_subscriptions',
      subscriberId: record.id,
    });
    record.object.last_purchase_id = purchase.id;
    const token = record.object.recurring_token
      ? this.purchases.find(record.object.recurring_token)
      : undefined;
    const outcome = this.purchases.chargeSaved(purchase, token);
    record.object.updated_on = this.now();
    if (outcome.kind === 'succeeded') {
      record.object.number_of_billing_cycles_passed++;
      record.billing_index++;
      this.schedule(record);
    } else {
      record.object.status = 'failed';
    }
    this.save(record);
  }

  private save(record: SubscriberRecord): void {
    this.store.put('subscriber', record);
  }
}

const T = ENDPOINTS.billingTemplates;
const tag = 'Subscriptions';

export function billingEndpoints(billing: BillingService): Implementation[] {
  return [
    implement(T.create, { summary: 'Create a billing template', tag, status: 201 }, ({ input }) =>
      billing.createTemplate(input),
    ),
    implement(T.list, { summary: 'List billing templates', tag }, (ctx) =>
      listPage(ctx, billing.listTemplates().reverse()),
    ),
    implement(T.retrieve, { summary: 'Retrieve a billing template', tag }, ({ params }) =>
      billing.getTemplate(params['id']!),
    ),
    implement(T.update, { summary: 'Update a billing template', tag }, ({ params, input }) =>
      billing.updateTemplate(params['id']!, input),
    ),
    implement(T.delete, { summary: 'Delete a billing template', tag }, ({ params }) => {
      billing.deleteTemplate(params['id']!);
      return noContent();
    }),
    implement(
      T.addSubscriber,
      { summary: 'Subscribe a client', tag, status: 201 },
      ({ params, input, baseUrl }) => billing.addSubscriber(params['id']!, input.client_id, baseUrl),
    ),
    implement(T.subscribers.list, { summary: 'List subscribers', tag }, (ctx) => {
      billing.getTemplate(ctx.params['id']!);
      const items = billing
        .subscribers(ctx.params['id']!)
        .reverse()
        .map((r) => r.object);
      return listPage(ctx, items);
    }),
    implement(
      T.subscribers.retrieve,
      { summary: 'Get a subscriber', tag },
      ({ params }) => billing.getSubscriber(params['id']!, params['client_id']!).object,
    ),
    implement(T.subscribers.update, { summary: 'Pause or resume a subscriber', tag }, ({ params, input }) =>
      billing.updateSubscriber(params['id']!, params['client_id']!, input.status),
    ),
    implement(
      T.sendInvoice,
      { summary: 'Send an invoice from a template', tag: 'Invoicing', status: 201 },
      ({ params, input, baseUrl }) => billing.sendInvoice(params['id']!, input.client_id, baseUrl).object,
    ),
    implement(
      ENDPOINTS.billing.createInvoice,
      { summary: 'Send a one-time invoice', tag: 'Invoicing', status: 201 },
      ({ input, baseUrl }) => billing.createInvoices(input, baseUrl).map((r) => r.object),
    ),
  ];
}
