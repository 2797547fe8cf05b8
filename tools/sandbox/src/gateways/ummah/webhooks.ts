import { ENDPOINTS, UMMAH_EVENT_TYPES } from '@tijara/ummah';
import type { SandboxClock } from '../../engine/clock.js';
import type { ObjectStore } from '../../engine/database.js';
import { deliveryView } from '../../engine/deliveries.js';
import type { GatewayDeliveries } from '../../engine/gateway-module.js';
import { newId } from '../../engine/ids.js';
import { badRequest, notFound, type FieldDetails } from './api-errors.js';
import type { UmmahConfig } from './config.js';
import { implement, listPage, noContent, type Implementation } from './endpoints.js';
import { generateRsaKeyPair } from './signing.js';

export interface WebhookRecord {
  id: string;
  type: 'webhook';
  title: string;
  callback: string;
  events: string[];
  all_events: boolean;
  public_key: string;
  /** Signs this webhook's deliveries; never leaves the sandbox. */
  private_key: string;
  is_test: true;
  company_id: string;
  created_on: number;
  updated_on: number;
}

interface WebhookFields {
  callback?: string;
  title?: string;
  events?: string[];
  all_events?: boolean;
}

/**
 * The documented events, and the two the sandbox adds for statuses seed 004 lists without naming an event
 * (`purchase.<status>`, the shape the driver already reads).
 */
export const SANDBOX_EVENT_TYPES: readonly string[] = [
  ...UMMAH_EVENT_TYPES,
  'purchase.cleared',
  'purchase.chargeback',
];
const KNOWN_EVENTS: ReadonlySet<string> = new Set(SANDBOX_EVENT_TYPES);

export function webhookView(record: WebhookRecord): Omit<WebhookRecord, 'private_key'> {
  const { private_key: _secret, ...view } = record;
  return view;
}

/**
 * What the shared schema leaves open: event names must be known ones. (HTTPS-or-loopback for `callback` is the
 * schema's own rule, `webhookCallbackUrl` in @tijara/ummah, already applied before a handler runs.)
 */
function checkFields(fields: WebhookFields): void {
  const details: FieldDetails = {};
  fields.events?.forEach((event, index) => {
    if (!KNOWN_EVENTS.has(event)) details[`events.${index}`] = [`"${event}" is not a valid choice.`];
  });
  if (Object.keys(details).length > 0) throw badRequest(details);
}

export class WebhookService {
  private readonly store: ObjectStore;
  private readonly clock: SandboxClock;
  private readonly config: UmmahConfig;

  constructor(store: ObjectStore, clock: SandboxClock, config: UmmahConfig) {
    this.store = store;
    this.clock = clock;
    this.config = config;
  }

  get(id: string): WebhookRecord {
    const record = this.store.get<WebhookRecord>('webhook', id);
    if (!record) throw notFound();
    return record;
  }

  /** Each webhook gets its own RSA key pair; `public_key` verifies its deliveries. */
  async create(fields: WebhookFields & { callback: string }): Promise<WebhookRecord> {
    checkFields(fields);
    const keys = await generateRsaKeyPair();
    const now = this.clock.now();
    return this.store.put<WebhookRecord>('webhook', {
      id: newId(),
      type: 'webhook',
      title: fields.title ?? '',
      callback: fields.callback,
      events: fields.events ?? [],
      all_events: fields.all_events ?? false,
      public_key: keys.publicKey,
      private_key: keys.privateKey,
      is_test: true,
      company_id: this.config.companyId,
      created_on: now,
      updated_on: now,
    });
  }

  /** PUT replaces the settings (the key pair stays); PATCH changes only the given fields. */
  update(id: string, fields: WebhookFields, partial: boolean): WebhookRecord {
    const record = this.get(id);
    checkFields(fields);
    const next: WebhookRecord = partial
      ? {
          ...record,
          callback: fields.callback ?? record.callback,
          title: fields.title ?? record.title,
          events: fields.events ?? record.events,
          all_events: fields.all_events ?? record.all_events,
        }
      : {
          ...record,
          callback: fields.callback ?? record.callback,
          title: fields.title ?? '',
          events: fields.events ?? [],
          all_events: fields.all_events ?? false,
        };
    next.updated_on = this.clock.now();
    return this.store.put('webhook', next);
  }

  delete(id: string): void {
    this.get(id);
    this.store.delete('webhook', id);
  }

  list(): WebhookRecord[] {
    return this.store.list<WebhookRecord>('webhook');
  }
}

const W = ENDPOINTS.webhooks;
const tag = 'Webhooks';

export function webhookEndpoints(
  webhooks: WebhookService,
  deliveries: GatewayDeliveries,
  config: UmmahConfig,
): Implementation[] {
  return [
    implement(W.create, { summary: 'Create a webhook', tag, status: 201 }, async ({ input }) =>
      webhookView(await webhooks.create(input)),
    ),
    implement(W.list, { summary: 'List webhooks', tag }, (ctx) =>
      listPage(ctx, webhooks.list().reverse().map(webhookView)),
    ),
    implement(W.retrieve, { summary: 'Retrieve a webhook', tag }, ({ params }) =>
      webhookView(webhooks.get(params['id']!)),
    ),
    implement(W.update, { summary: 'Update a webhook', tag }, ({ params, input }) =>
      webhookView(webhooks.update(params['id']!, input, false)),
    ),
    implement(W.patch, { summary: 'Partially update a webhook', tag }, ({ params, input }) =>
      webhookView(webhooks.update(params['id']!, input, true)),
    ),
    implement(W.delete, { summary: 'Delete a webhook', tag }, ({ params }) => {
      webhooks.delete(params['id']!);
      return noContent();
    }),
    implement(W.deliveries, { summary: 'List webhook deliveries for a source object', tag }, (ctx) => {
      const { id, source_type } = ctx.input;
      const items = deliveries
        .list((d) => d.source_id === id && d.source_type === source_type)
        .reverse()
        .map((delivery) => {
          const { gateway: _gateway, ...view } = deliveryView(delivery);
          return view;
        });
      return listPage(ctx, items);
    }),
    implement(ENDPOINTS.publicKey.retrieve, { summary: 'Get the company callback public key', tag }, () =>
      config.publicKeyShape === 'object'
        ? { public_key: config.companyKeys.publicKey }
        : config.companyKeys.publicKey,
    ),
  ];
}
