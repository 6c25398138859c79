import { describe, expect, it, vi } from 'vitest';

// A fault inside the simulator must surface as exit 1 with a stack, never as exit 2.
vi.mock('../../src/parallel/experiment.js', () => ({
  runExperimentParallel: async () => {
    throw new Error('simulated internal fault');
  },
}));

const { main } = await import('../../src/cli/main.js');

describe('internal errors', () => {
  it('exit 1 with the stack, and nothing written', async () => {
    let err = '';
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const out = `${mkdtempSync(`${tmpdir()}/stickysim-fault-`)}/out`;
    const code = await main(['run', 'scenarios/seed-two-servers.yaml', '--out', out], {
      out: () => {},
      err: (t) => void (err += t),
    });
    expect(code).toBe(1);
    expect(err).toMatch(/internal error.*bug/);
    expect(err).toMatch(/simulated internal fault\n\s+at /);
    const { existsSync } = await import('node:fs');
    expect(existsSync(out)).toBe(false);
  });
});
