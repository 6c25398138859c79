// (c) A reference for what the model's own work costs: the M/M/8 of
// scenarios/mmc.yaml with the per-request work stickysim does for it — a
// session drawn into a reused row, its state stored in an LRU list that purges
// states idle past the TTL, the server's time integrals, a log-linear latency
// histogram, a counter-based service draw, the run's counters — fused into one
// loop over typed arrays, with no abstraction at all (no strategy, no
// affinity, no policy, no tracing, no windows). Not a simulator: a yardstick.
// stickysim's throughput divided by this one is what its structure costs; this
// one divided by the bare heap loop is what the model's work costs.
import seedrandom from 'seedrandom';
import { counterUniform } from '../dist/engine/index.js';
import { fmix32 } from '../dist/model/hash.js';

const LAMBDA = 72;
const MU = 10;
const SERVERS = 8;
const TTL = 1;

/** Requests completed per second of wall time. */
export function fusedModelMMc(requests) {
  const u = seedrandom.alea('fused');
  // The event heap: (time, sequence, kind, session row), written inline as in the bare loop.
  const cap = 1024;
  const times = new Float64Array(cap);
  const seqs = new Float64Array(cap);
  const kinds = new Int32Array(cap);
  const rowsOf = new Int32Array(cap);
  let size = 0;
  let nextSeq = 0;
  const push = (t, k, row) => {
    const s = nextSeq++;
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p] < t || (times[p] === t && seqs[p] < s)) break;
      times[i] = times[p];
      seqs[i] = seqs[p];
      kinds[i] = kinds[p];
      rowsOf[i] = rowsOf[p];
      i = p;
    }
    times[i] = t;
    seqs[i] = s;
    kinds[i] = k;
    rowsOf[i] = row;
  };
  let now = 0;
  let kind = 0;
  let row = 0;
  const pop = () => {
    now = times[0];
    kind = kinds[0];
    row = rowsOf[0];
    const last = --size;
    const t = times[last];
    const s = seqs[last];
    const k = kinds[last];
    const r = rowsOf[last];
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      if (c + 1 < last && (times[c + 1] < times[c] || (times[c + 1] === times[c] && seqs[c + 1] < seqs[c]))) c++;
      if (t < times[c] || (t === times[c] && s < seqs[c])) break;
      times[i] = times[c];
      seqs[i] = seqs[c];
      kinds[i] = kinds[c];
      rowsOf[i] = rowsOf[c];
      i = c;
    }
    times[i] = t;
    seqs[i] = s;
    kinds[i] = k;
    rowsOf[i] = r;
  };

  // Session rows, reused.
  const R = 4096;
  const id = new Uint32Array(R);
  const key = new Uint32Array(R);
  const next = new Int32Array(R);
  const home = new Int32Array(R);
  const stateNode = new Int32Array(R);
  const flags = new Uint16Array(R);
  const start = new Float64Array(R);
  const sentAt = new Float64Array(R);
  const startedAt = new Float64Array(R);
  const lastAccess = new Float64Array(R);
  const completion = new Float64Array(R);
  const freeRows = [];
  let rowCount = 0;
  // The server's session store: an LRU list of nodes, reused.
  const prev = new Int32Array(R);
  const nextNode = new Int32Array(R);
  const nodeAccess = new Float64Array(R);
  const owner = new Int32Array(R);
  let head = -1;
  let tail = -1;
  let freeNode = -1;
  let nodesUsed = 0;
  let held = 0;
  // The server: busy workers, a FIFO queue, in service, time integrals.
  let busy = 0;
  const queue = new Int32Array(1 << 16);
  let queueHead = 0;
  let queued = 0;
  const inService = [];
  let lastChange = 0;
  let busyArea = 0;
  let busyTotal = 0;
  let queueArea = 0;
  let upTime = 0;
  const account = () => {
    const dt = now - lastChange;
    if (dt > 0) {
      busyArea += busy * dt;
      busyTotal += busy * dt;
      queueArea += queued * dt;
      upTime += dt;
      lastChange = now;
    }
  };
  // The metrics.
  const histogram = new Float64Array(4096);
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  let started = 0;
  let ended = 0;
  let sent = 0;
  let completed = 0;
  let latencySum = 0;
  let waitSum = 0;
  let waitedCount = 0;
  let latencyMax = 0;

  const startService = (r) => {
    account();
    busy++;
    inService.push(r);
    startedAt[r] = now;
    completion[r] = nextSeq;
    push(now - (1 / MU) * Math.log(1 - counterUniform(key[r], next[r], 1 << 16)), 1, r);
  };

  const salt = 0x5eed;
  let sessions = 0;
  // The next arrival is kept beside the heap, as stickysim's engine does (its slot).
  let arrivalAt = -Math.log(1 - u()) / LAMBDA;
  let arrivalSeq = nextSeq++;
  const t0 = process.hrtime.bigint();
  while (completed < requests) {
    if (size === 0 || arrivalAt < times[0] || (arrivalAt === times[0] && arrivalSeq < seqs[0])) {
      now = arrivalAt;
      kind = 0;
    } else {
      pop();
    }
    if (kind === 0) {
      // A session arrives and sends its request.
      const r = freeRows.length > 0 ? freeRows.pop() : rowCount++;
      sessions++;
      id[r] = sessions;
      key[r] = fmix32((sessions ^ salt) >>> 0);
      next[r] = 0;
      home[r] = -1;
      stateNode[r] = -1;
      flags[r] = 0;
      start[r] = now;
      lastAccess[r] = now;
      completion[r] = -1;
      started++;
      arrivalAt = now - Math.log(1 - u()) / LAMBDA;
      arrivalSeq = nextSeq++;
      sentAt[r] = now;
      sent++;
      // Its state is created on the server, after the states idle past the TTL go.
      while (head !== -1 && now - nodeAccess[head] > TTL) {
        const n = head;
        head = nextNode[n];
        if (head === -1) tail = -1;
        else prev[head] = -1;
        nextNode[n] = freeNode;
        freeNode = n;
        held--;
      }
      let n;
      if (freeNode !== -1) {
        n = freeNode;
        freeNode = nextNode[n];
      } else {
        n = nodesUsed++;
      }
      nodeAccess[n] = now;
      owner[n] = r;
      prev[n] = tail;
      nextNode[n] = -1;
      if (tail === -1) head = n;
      else nextNode[tail] = n;
      tail = n;
      held++;
      home[r] = 0;
      stateNode[r] = n;
      lastAccess[r] = now;
      if (busy < SERVERS) {
        startService(r);
      } else {
        account();
        queue[(queueHead + queued++) & 0xffff] = r;
      }
    } else {
      // A request completes; the next queued one starts; the session ends.
      const r = row;
      account();
      busy--;
      const i = inService.indexOf(r);
      const last = inService.pop();
      if (i < inService.length) inService[i] = last;
      const latency = now - sentAt[r];
      const wait = startedAt[r] - sentAt[r];
      completed++;
      latencySum += latency;
      waitSum += wait;
      if (wait > 0) waitedCount++;
      if (latency > latencyMax) latencyMax = latency;
      f64[0] = latency;
      let b = (u32[1] >>> 14) - ((1023 - 32) << 6);
      if (b < 0) b = 0;
      else if (b >= 4096) b = 4095;
      histogram[b]++;
      if (queued > 0) {
        const w = queue[queueHead];
        queueHead = (queueHead + 1) & 0xffff;
        queued--;
        startService(w);
      }
      next[r]++;
      flags[r] |= 1;
      ended++;
      freeRows.push(r);
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!(busyArea > 0 && held > 0 && started >= ended && sent >= completed && latencySum > waitSum)) throw new Error('fused loop: bookkeeping went wrong');
  return completed / seconds;
}
