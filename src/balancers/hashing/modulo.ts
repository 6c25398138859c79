import type { Server } from '../../model/server.js';
import type { HashFamily } from './types.js';

/**
 * Map-based hashing: hash mod N over the up servers (HAProxy `hash-type
 * map-based`, nginx `hash` without `consistent`, nginx `ip_hash`). Adding a
 * server to N moves about N/(N+1) of the keys.
 */
export class ModuloHash implements HashFamily {
  readonly name = 'modulo';
  private servers: readonly Server[] = [];

  build(servers: readonly Server[]): void {
    this.servers = servers.slice();
  }

  pick(hash: number): Server | undefined {
    const n = this.servers.length;
    return n === 0 ? undefined : this.servers[hash % n];
  }
}
