import { ConfigurationError } from './errors.js';
import type { GatewayDriver } from './gateway.js';

export type DriverFactory<Options = unknown> = (options: Options) => GatewayDriver;

/** Look drivers up by name, so plugins can be configured with `{ gateway: 'ummah', options }`. */
export class DriverRegistry {
  readonly #factories = new Map<string, DriverFactory<never>>();

  register<Options>(name: string, factory: DriverFactory<Options>): this {
    if (this.#factories.has(name))
      throw new ConfigurationError(`A driver named "${name}" is already registered`);
    this.#factories.set(name, factory as DriverFactory<never>);
    return this;
  }

  has(name: string): boolean {
    return this.#factories.has(name);
  }

  names(): string[] {
    return [...this.#factories.keys()];
  }

  create<Options>(name: string, options: Options): GatewayDriver {
    const factory = this.#factories.get(name) as DriverFactory<Options> | undefined;
    if (!factory) {
      const known = this.names().join(', ') || 'none';
      throw new ConfigurationError(`Unknown gateway "${name}" (registered: ${known})`);
    }
    return factory(options);
  }
}

/** The process-wide registry drivers add themselves to when imported. */
export const drivers = new DriverRegistry();
