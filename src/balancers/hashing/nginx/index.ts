/**
 * nginx 1.22.1's upstream peer selection, reproduced exactly: round robin,
 * `ip_hash`, `hash $key`, `hash $key consistent`, with passive health
 * (max_fails / fail_timeout). See peers.ts for the API.
 */
export { NginxConsistentHash, CHASH_POINTS_PER_WEIGHT, serverPoints, splitServerName } from './chash.js';
export { CRC32_INIT, CRC32_TABLE, crc32, crc32Final, crc32Update, crc32UpdateString } from './crc32.js';
export { NginxHash, rehashValue, type HashKey } from './hash.js';
export { NginxIpHash, ipv4, ipv4String, type IpHashKey } from './ipHash.js';
export {
  NginxBalancer, NginxPeer, NginxPeers, NginxRequest, freePeer, peerChosen, peerFailed, peerUsable,
  type IsDown, type NginxServerLike, type NginxUpstreamOptions,
} from './peers.js';
export { NginxRoundRobin, getPeer, getRoundRobinPeer } from './roundRobin.js';
