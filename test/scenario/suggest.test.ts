import { describe, expect, it } from 'vitest';
import { closest } from '../../src/scenario/suggest.js';

describe('did you mean', () => {
  it('finds a typo within the limit for its length, counting a swap of neighbours as one edit', () => {
    const names = ['cookie', 'round-robin', 'ip-ring', 'ip-hash', 'least-conn'];
    expect(['cooky', 'cokoie', 'ip-rign', 'least_conn', 'roundrobin'].map((w) => closest(w, names))).toEqual(['cookie', 'cookie', 'ip-ring', 'least-conn', 'round-robin']);
    // Too far, a tie, or the word itself: no guess.
    expect([closest('zzzzzz', names), closest('abcf', ['abcd', 'abce']), closest('cookie', names)]).toEqual([undefined, undefined, undefined]);
    expect([closest('ot', ['out']), closest('xyz', ['out'])]).toEqual(['out', undefined]);
  });
});
