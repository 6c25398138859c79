import { describe, expect, it } from 'vitest';
import { NginxConsistentHash, serverPoints, splitServerName } from '../../../src/balancers/hashing/nginx/chash.js';
import { NginxHash, rehashValue } from '../../../src/balancers/hashing/nginx/hash.js';
import { NginxIpHash, ipv4, ipv4String } from '../../../src/balancers/hashing/nginx/ipHash.js';
import { NginxRequest, type NginxBalancer } from '../../../src/balancers/hashing/nginx/peers.js';
import { NginxRoundRobin } from '../../../src/balancers/hashing/nginx/roundRobin.js';

/*
 * Expected values: nginx 1.22.1's own functions (ngx_http_upstream_get_peer,
 * get_round_robin_peer, free_round_robin_peer, get_ip_hash_peer,
 * get_hash_peer, init_chash, find_chash_point, get_chash_peer, ngx_crc32)
 * copied into a throw-away C program with mock types, compiled with gcc on
 * Debian 12 (glibc 2.36 qsort), driven through the same requests at now =
 * 1000 s. Each string holds the chosen peer (configuration index; '-' for a
 * 502) of requests 0, 1, 2, … in order, all through one balancer, so the
 * round-robin state carries from one request to the next.
 */

interface Srv {
  id: number;
  weight: number;
}
const servers = (weights: number[]): Srv[] => weights.map((weight, id) => ({ id, weight }));
const ones = (n: number) => Array.from({ length: n }, () => 1);
const address = (s: Srv) => `127.0.0.1:${8081 + s.id}`;
/** Client i: 127.(37i mod 256).(101i mod 256).(i mod 256). */
const ipn = (i: number) => ((127 << 24) | (((i * 37) % 256) << 16) | (((i * 101) % 256) << 8) | i % 256) >>> 0;
const ipkey = (i: number) => ipv4String(ipn(i));
const keyn = (i: number) => `client-${i}`;
const digit = (s: Srv | undefined) => (s === undefined ? '-' : s.id.toString(36));
const downAt = (ids: number[]) => (s: Srv) => ids.includes(s.id);

/** Requests 0 … count−1 through `lb`, each retried past refusing servers as `proxy_next_upstream error`. */
function series<K>(lb: NginxBalancer<Srv, K>, key: (i: number) => K, count: number, refuse: number[] = []): string {
  let out = '';
  for (let i = 0; i < count; i++) out += digit(lb.route(key(i), 1000, (s) => refuse.includes(s.id)));
  return out;
}

describe('nginx ip_hash (ngx_http_upstream_get_ip_hash_peer)', () => {
  const all = '03603606146146472472425025020360360614614647247253503503136136171471475725725350350313613647247242502502036036061461464724724250250213613617147147572572535035031361361714714257250203603606146146472472';
  it('maps clients over 8 equal servers', () => {
    expect(series(new NginxIpHash(servers(ones(8))), ipn, 200)).toBe(all);
  });
  it('walks peers by weight', () => {
    expect(series(new NginxIpHash(servers([1, 2, 3, 1, 5])), ipn, 200)).toBe('44144141121124243223234434434414444112112424322344444444141144141221224234234444444414114424322323443443441444411211242432232344344314114414122122443423444444441411441412212342344344144141121124243223');
  });
  it('re-hashes past a down peer: only its clients move', () => {
    const down = series(new NginxIpHash(servers(ones(8)), { down: downAt([3]) }), ipn, 200);
    expect(down).toBe('02607606146146472472425025020660260614614647247255501506126166171471475725725150550216612647247242502502056016061461464724724250250211615617147147572572505045001561161714714257250204600606146146472472');
    for (let i = 0; i < 200; i++) if (all[i] !== '3') expect(down[i]).toBe(all[i]);
  });
  it('an isDown predicate acts as the down parameter', () => {
    const lb = new NginxIpHash(servers(ones(8)));
    const down = (s: Srv) => s.id === 3;
    expect(Array.from({ length: 200 }, (_, i) => digit(lb.pick(ipn(i), 1000, down))).join('')).toBe('02607606146146472472425025020660260614614647247255501506126166171471475725725150550216612647247242502502056016061461464724724250250211615617147147572572505045001561161714714257250204600606146146472472');
    expect(lb.peers.list[3]!.fails).toBe(0);
  });
  it('re-hashes past a refusing (crashed) peer the same way, learning it failed', () => {
    const lb = new NginxIpHash(servers(ones(8)));
    expect(series(lb, ipn, 200, [3])).toBe('02607606146146472472425025020660260614614647247255501506126166171471475725725150550216612647247242502502056016061461464724724250250211615617147147572572505045001561161714714257250204600606146146472472');
    expect(lb.peers.list[3]!.fails).toBe(1);
  });
  it('falls back to round robin after 21 rejected probes', () => {
    // Weights 1, 1, 50 with the heavy one down: most clients exhaust their probes.
    expect(series(new NginxIpHash(servers([1, 1, 50]), { down: downAt([2]) }), ipn, 60)).toBe('000101001000101001110101110100001010111100100111011100110101');
  });
  it('hashes 3 octets of IPv4 (bytes or number alike), 16 bytes of IPv6', () => {
    const lb = new NginxIpHash(servers(ones(8)));
    for (let i = 0; i < 50; i++) {
      const ip = ipn(i);
      const bytes = Uint8Array.of(ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, (ip + 77) & 255);
      expect(lb.route(bytes, 0)).toBe(lb.route(ip, 0));
    }
    expect(lb.route(new Uint8Array(16), 0)).toBeDefined();
    expect(lb.route(null, 0)).toBe(lb.route(Uint8Array.of(0, 0, 0, 9), 0));
  });
  it('parses and prints IPv4', () => {
    expect(ipv4('127.1.2.3')).toBe(0x7f010203);
    expect(ipv4String(0xc0a80101)).toBe('192.168.1.1');
    expect(() => ipv4('1.2.3')).toThrow();
  });
});

describe('nginx hash (ngx_http_upstream_get_hash_peer)', () => {
  it('maps $remote_addr over 8 equal servers', () => {
    expect(series(new NginxHash(servers(ones(8))), ipkey, 200)).toBe('01450504124477720642163765664667240551264053514331463132177047760710662047601057657750251235736374207475400667537535301223063351301272722163506103304561227554234216025023533744123100555106762632702043');
  });
  it('walks peers by weight', () => {
    expect(series(new NginxHash(servers([1, 2, 3, 1, 5])), ipkey, 200)).toBe('21014140234222244301212442312344404111312222110242412421424042234414311004104244324424322421241222124242424334244244401114412242404123231434221122420214114210344411011042424440212222421101433124423244');
  });
  it('re-hashes past a down or refusing peer', () => {
    expect(series(new NginxHash(servers(ones(8)), { down: downAt([3]) }), ipkey, 200)).toBe('01450504124477720642160765664667240551264050514221462102177047760710662047601057657750251205726274207475400667527565601226066051601272722162506102204561227554264216025026566744122100555106762662702046');
    expect(series(new NginxHash(servers(ones(8))), ipkey, 200, [3])).toBe('01450504124477720642160765664667240551264050514221462102177047760710662047601057657750251205726274207475400667527565601226066051601272722162506102204561227554264216025026566744122100555106762662702046');
  });
  it('falls back to round robin after 21 rejected probes', () => {
    expect(series(new NginxHash(servers([1, 1, 50]), { down: downAt([2]) }), ipkey, 60)).toBe('000101000000110100100100011000111100011101101110010010010110');
  });
  it('rehash value: crc32 of the decimal counter then the key', () => {
    expect(rehashValue('127.0.0.1', 0)).toBe((0xd7b7e7a8 >>> 16) & 0x7fff);
    expect(rehashValue(new TextEncoder().encode('127.0.0.1'), 3)).toBe(rehashValue('127.0.0.1', 3));
  });
  it('a numeric key hashes as its decimal digits', () => {
    const a = new NginxHash(servers(ones(8)));
    const b = new NginxHash(servers(ones(8)));
    const c = new NginxConsistentHash(servers(ones(8)), { address });
    const d = new NginxConsistentHash(servers(ones(8)), { address });
    for (const n of [0, 7, 42, 1234567, 2 ** 40]) {
      expect(a.route(n, 0)!.id).toBe(b.route(String(n), 0)!.id);
      expect(c.route(n, 0)!.id).toBe(d.route(String(n), 0)!.id);
      expect(rehashValue(n, 2)).toBe(rehashValue(String(n), 2));
    }
    expect(() => a.route(-1, 0)).toThrow(/non-negative integer/);
  });
  it('an empty key goes to round robin', () => {
    const lb = new NginxHash(servers(ones(3)));
    expect([0, 1, 2, 3].map(() => digit(lb.route('', 0))).join('')).toBe('0120');
  });
});

describe('nginx hash consistent (ngx_http_upstream_init_chash, get_chash_peer)', () => {
  it('builds 160 points per weight from crc32(host \\0 port prev)', () => {
    expect(serverPoints('127.0.0.1:8081', 3)).toEqual([0x50aabcf7, 0xb8dc900a, 0x2a3355ce]);
    const lb = new NginxConsistentHash(servers(ones(8)), { address });
    expect(lb.points.length).toBe(1280);
    expect(lb.points[0]).toBe(0x000d1815);
    expect(lb.points[1]).toBe(0x003ffe29);
    expect(lb.points[lb.points.length - 1]).toBe(0xffd03b3d);
  });
  it('splits server names as nginx does', () => {
    expect(splitServerName('127.0.0.1:8081')).toEqual({ host: '127.0.0.1', port: '8081' });
    expect(splitServerName('backend')).toEqual({ host: 'backend', port: '' });
    expect(splitServerName('[::1]:80')).toEqual({ host: '[::1]', port: '80' });
    expect(splitServerName('UNIX:/tmp/s.sock')).toEqual({ host: '/tmp/s.sock', port: '' });
    expect(splitServerName('a:b1')).toEqual({ host: 'a:b1', port: '' });
  });
  it('maps keys over 8 and 9 servers; going to 9 moves keys only to the 9th', () => {
    const eight = series(new NginxConsistentHash(servers(ones(8)), { address }), keyn, 200);
    const nine = series(new NginxConsistentHash(servers(ones(9)), { address }), keyn, 200);
    expect(eight).toBe('13653356541702331103155666104416703407031567023674271150305644303061562257060506335363247746613347434200625526714673675433653156721746233774606625760020704172005540755644175144263451622354217244311035');
    expect(nine).toBe('18683356841702331103155866104416703407081567023674271180305644303068562257060506335888247746613347484800625526718678675433658156721848233774606625768020704172008540755644175144283451622358217244311088');
    for (let i = 0; i < 200; i++) if (nine[i] !== '8') expect(nine[i]).toBe(eight[i]);
  });
  it('honours weights', () => {
    expect(series(new NginxConsistentHash(servers([1, 2, 3, 1, 5]), { address }), keyn, 200)).toBe('12443312441104421204144444144411143441041222123324421140404242404244442244020401222224244211043444442244422244344411214433212142221244241124144214220420244142404240444144424124223441124342424444441044');
  });
  it('walks past a down or refusing peer', () => {
    expect(series(new NginxConsistentHash(servers(ones(8)), { address, down: downAt([3]) }), keyn, 200)).toBe('14655156541702671100155666104416706407021567026674271150105644405061562257060506445564247746610147454200625526714671675415654156721746224774606625760020704172005540755644175144264451622654217244111025');
    expect(series(new NginxConsistentHash(servers(ones(8)), { address }), keyn, 200, [3])).toBe('14655156541702671100155666104416706407021567026674271150105644405061562257060506445564247746610147454200625526714671675415654156721746224774606625760020704172005540755644175144264451622654217244111025');
  });
  it('falls back to round robin after 21 points passed over', () => {
    expect(series(new NginxConsistentHash(servers([1, 1, 50]), { address, down: downAt([2]) }), keyn, 60)).toBe('101101101011010011011110111011110110010011000010101011101001');
  });
  it('peers sharing a server name share its points; smooth round robin chooses among them', () => {
    const names = ['10.0.0.1:80', 'backend:8080', 'backend:8080', '10.0.0.2:80'];
    const lb = new NginxConsistentHash(servers([1, 2, 2, 1]), { address: (s) => names[s.id]! });
    expect(lb.points.length).toBe(640); // backend's identical points dropped as duplicates
    let out = '';
    for (let i = 0; i < 100; i++) out += digit(lb.route(keyn(i), 1000, (s) => i >= 50 && s.id === 1));
    expect(out).toBe('1002133030213210020130230123121021233132010210201332222222322322023202223220022233302202032022222222');
  });
  it('on a point value two servers share, the one configured first keeps it', () => {
    // 127.0.0.1:20195 and :20412 both have a point 0x32a8f0fa; crc32("k261") = 0x324e0faf falls on it.
    // glibc's qsort (a stable merge sort) keeps configuration order on ties, and nginx keeps the first of a run.
    const ports = [20195, 20412];
    for (const order of [[0, 1], [1, 0]]) {
      const lb = new NginxConsistentHash(servers([1, 1]), { address: (s) => `127.0.0.1:${ports[order[s.id]!]}` });
      expect(lb.points.length).toBe(319);
      expect(lb.route('k261', 0)!.id).toBe(0);
    }
  });
  it('owner() is the undisturbed mapping', () => {
    const lb = new NginxConsistentHash(servers(ones(8)), { address });
    expect(Array.from({ length: 200 }, (_, i) => digit(lb.owner(keyn(i)))).join('')).toBe('13653356541702331103155666104416703407031567023674271150305644303061562257060506335363247746613347434200625526714673675433653156721746233774606625760020704172005540755644175144263451622354217244311035');
  });
});

describe('nginx round robin and passive health (ngx_http_upstream_get_peer, free_round_robin_peer)', () => {
  it('smooth weighted round robin: 5, 1, 1', () => {
    const rr = new NginxRoundRobin(servers([5, 1, 1]));
    expect(Array.from({ length: 14 }, () => digit(rr.route(undefined, 1000))).join('')).toBe('00102000010200');
  });

  /** Pairs (server, attempts) of one request a second, t = 100 … 139; `refusing` refuses until t = 125. */
  function timeline<K>(lb: NginxBalancer<Srv, K>, key: K, refusing: number): string {
    let out = '';
    for (let t = 100; t < 140; t++) {
      const s = lb.route(key, t, (x) => t < 125 && x.id === refusing);
      out += digit(s) + lb.request.attempts.toString(36);
    }
    return out;
  }

  it('round robin: a refusing peer is skipped for fail_timeout, probed once a window, back after it recovers', () => {
    expect(timeline(new NginxRoundRobin(servers(ones(3))), undefined, 1)).toBe('01222101210121012101210121012102210121012101210121012101211101211101211101211101');
  });

  it('ip_hash: a client whose server failed is re-hashed; it gets its server back only at a probe after recovery', () => {
    const lb = new NginxIpHash(servers(ones(8)));
    expect(timeline(lb, ipn(1), 3)).toBe('22212121212121212121212221212121212121212121222121212121212121212131313131313131');
    const peer = lb.peers.list[3]!;
    expect([peer.fails, peer.checked, peer.accessed, peer.effectiveWeight]).toEqual([0, 133, 122, 0]);
  });

  it('max_fails=2 fail_timeout=5: fails count until the window restarts; effective weight recovers', () => {
    // Weights 3, 1, 1; s0 refuses for t < 112; three requests a second from t = 100.
    const rr = new NginxRoundRobin(servers([3, 1, 1]), { maxFails: 2, failTimeout: 5 });
    let out = '';
    for (let k = 0; k < 90; k++) {
      const t = 100 + Math.floor(k / 3);
      out += digit(rr.route(undefined, t, (s) => t < 112 && s.id === 0)) + rr.request.attempts.toString(36);
    }
    expect(out).toBe('122112112111211121112111211121112111211211211121112111211121112111211121110121010111012101011101210101110121010111012101011101210101110121010111012101011101210101110121010111012101');
    const p = rr.peers.list[0]!;
    expect([p.fails, p.checked, p.accessed, p.effectiveWeight, p.currentWeight]).toEqual([0, 124, 106, 3, -1]);
  });

  it('a single server: straight to round robin, a refusal is a 502 and is not counted', () => {
    const lb = new NginxIpHash(servers([1]));
    expect(lb.route(ipn(1), 5, () => true)).toBeUndefined();
    expect(lb.request.attempts).toBe(1);
    expect(lb.peers.list[0]!.fails).toBe(0);
  });

  it('attempt by attempt, with a caller-owned request', () => {
    const lb = new NginxIpHash(servers(ones(8)));
    const req = new NginxRequest(8);
    const home = lb.route(ipn(1), 0)!;
    lb.begin(req, ipn(1));
    expect(lb.get(req, 0)).toBe(home);
    lb.free(req, 0, true);
    const second = lb.get(req, 0)!;
    expect(second).not.toBe(home);
    lb.free(req, 0, false);
    expect(req.tries).toBe(6);
    expect(lb.peers.list[home.id]!.fails).toBe(1);
  });

  it('rejects non-integer weights', () => {
    expect(() => new NginxIpHash([{ id: 0, weight: 1.5 }, { id: 1, weight: 1 }])).toThrow(/integer/);
  });
});
