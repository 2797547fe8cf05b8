import type { GatewayEvent, HeaderBag } from '@tijara/core';
import { startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';

/** A delivery the app's endpoint accepted: the driver verified its signature and read its event. */
export interface VerifiedDelivery {
  readonly request: RecordedRequest;
  readonly event: GatewayEvent;
}

export interface VerifyingReceiver {
  readonly server: LoopbackServer;
  readonly url: string;
  readonly verified: VerifiedDelivery[];
  /** Deliveries the driver refused, with its reason; the endpoint answered 400. */
  readonly refused: Array<{ readonly request: RecordedRequest; readonly reason: string }>;
  close(): Promise<void>;
}

/**
 * A shop's webhook endpoint as the drivers' READMEs write it: the exact raw bytes and headers go to the driver's
 * own `verifyWebhook` (which `verify` calls); 200 when it verifies, 400 with the reason when it does not.
 */
export async function startVerifyingReceiver(
  verify: (rawBody: Buffer, headers: HeaderBag) => Promise<GatewayEvent>,
): Promise<VerifyingReceiver> {
  const verified: VerifiedDelivery[] = [];
  const refused: Array<{ request: RecordedRequest; reason: string }> = [];
  const server = await startLoopbackServer(async (request, response) => {
    try {
      const event = await verify(request.body, request.headers as HeaderBag);
      verified.push({ request, event });
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      refused.push({ request, reason });
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end(reason);
    }
  });
  return { server, url: server.url, verified, refused, close: () => server.close() };
}
