import { postpayGateway } from './postpay/index.js';
import { ummahGateway } from './ummah/index.js';

/**
 * Every gateway the sandbox serves, in one list. A new gateway is a folder `src/gateways/<name>/` whose
 * `defineGateway({ name, mount: '/<name>', … })` is added here; nothing else in the sandbox changes.
 */
export const GATEWAYS = [ummahGateway, postpayGateway] as const;
