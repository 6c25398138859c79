// Two reference implementations of the M/M/8 queue of scenarios/mmc.yaml
// (λ = 72/s, μ = 10/s, FIFO, unbounded), each timed on the same machine in the
// same process as stickysim, so that throughput can be reported as ratios
// that do not depend on how fast or busy the machine is.
import { createRequire } from 'node:module';
import seedrandom from 'seedrandom';

const LAMBDA = 72;
const MU = 10;
const SERVERS = 8;

/**
 * (a) The floor: a bare binary heap of (time, sequence, kind) over typed arrays
 * and two events per customer (arrival, departure), nothing else — no
 * sessions, no routing, no metrics. Returns customers served per second of
 * wall time.
 */
export function bareHeapMMc(customers) {
  const u = seedrandom.alea('bare-heap');
  const cap = 1 << 12;
  let times = new Float64Array(cap);
  let seqs = new Float64Array(cap);
  let kinds = new Int8Array(cap);
  let size = 0;
  let nextSeq = 0;
  const push = (t, k) => {
    if (size === times.length) {
      const grow = (a, C) => {
        const b = new C(a.length * 2);
        b.set(a);
        return b;
      };
      times = grow(times, Float64Array);
      seqs = grow(seqs, Float64Array);
      kinds = grow(kinds, Int8Array);
    }
    const s = nextSeq++;
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p] < t || (times[p] === t && seqs[p] < s)) break;
      times[i] = times[p];
      seqs[i] = seqs[p];
      kinds[i] = kinds[p];
      i = p;
    }
    times[i] = t;
    seqs[i] = s;
    kinds[i] = k;
  };
  let poppedTime = 0;
  let poppedKind = 0;
  const pop = () => {
    poppedTime = times[0];
    poppedKind = kinds[0];
    const last = --size;
    const t = times[last];
    const s = seqs[last];
    const k = kinds[last];
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      if (c + 1 < last && (times[c + 1] < times[c] || (times[c + 1] === times[c] && seqs[c + 1] < seqs[c]))) c++;
      if (t < times[c] || (t === times[c] && s < seqs[c])) break;
      times[i] = times[c];
      seqs[i] = seqs[c];
      kinds[i] = kinds[c];
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    kinds[i] = k;
  };
  const exp = (rate) => -Math.log(1 - u()) / rate;

  const started = process.hrtime.bigint();
  let busy = 0;
  let queued = 0;
  let arrived = 0;
  let served = 0;
  push(exp(LAMBDA), 0);
  while (served < customers) {
    pop();
    const now = poppedTime;
    if (poppedKind === 0) {
      arrived++;
      if (busy < SERVERS) {
        busy++;
        push(now + exp(MU), 1);
      } else {
        queued++;
      }
      if (arrived < customers) push(now + exp(LAMBDA), 0);
    } else {
      served++;
      if (queued > 0) {
        queued--;
        push(now + exp(MU), 1);
      } else {
        busy--;
      }
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return served / seconds;
}

let simjs;
/** The simjs bundle publishes itself on `window` only (once, when first loaded): give it one. */
function loadSimjs() {
  if (simjs === undefined) {
    const g = globalThis;
    const hadWindow = 'window' in g;
    if (!hadWindow) g.window = {};
    createRequire(import.meta.url)('simjs');
    simjs = g.window.Sim;
    if (!hadWindow) delete g.window;
  }
  return simjs;
}

/**
 * (b) The same model on SIM.JS (npm `simjs`): a generator entity that sends
 * each customer to an 8-server FCFS Facility. Returns customers served per
 * second of wall time.
 */
export function simjsMMc(customers) {
  const { Sim, Facility, Random, Entity } = loadSimjs();

  const sim = new Sim();
  const server = new Facility('server', Facility.FCFS, SERVERS);
  const random = new Random(12345);
  let arrived = 0;
  let served = 0;
  class Generator extends Entity {
    start() {
      this.next();
    }
    next() {
      if (arrived >= customers) return;
      arrived++;
      this.useFacility(server, random.exponential(MU)).done(() => {
        served++;
      });
      this.setTimer(random.exponential(LAMBDA)).done(this.next);
    }
  }
  const started = process.hrtime.bigint();
  sim.addEntity(Generator);
  sim.simulate(Infinity);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return served / seconds;
}
