import { SettlementPipeline, type DomainEvent, type GatewayDriver } from '@tijara/core';
import type { Ledger } from '@tijara/ledger';

// Core's settlement pipeline on the ledger: each first webhook delivery is one transaction (event id, payment
// change and the store's message), the message is handed to `onEvent` right after the commit, and a redelivery is
// answered from the event id alone. A handler that throws leaves its event queued for the gateway's retry.
export function settlementPipeline(
  ledger: Ledger,
  driver: GatewayDriver,
  onEvent: (event: DomainEvent) => Promise<void>,
): SettlementPipeline {
  const journal = ledger.journal({
    gateway: driver.name,
    deliver: (message) => onEvent(message.payload as DomainEvent),
  });
  return new SettlementPipeline({ driver, journal });
}
