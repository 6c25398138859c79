export { EventQueue } from './eventQueue.js';
export { Simulator, type EventHandler } from './simulator.js';
export { chance, counterUniform, CounterStream, createStreams, fmix32, replicationSeed, stream, uint32, STREAM_NAMES, type Streams, type StreamName, type Uniform } from './random.js';
