/**
 * docs/CLUSTER.md is true: its table of environments gives the shards it
 * says, and its Kubernetes Job and Slurm array scripts, run task by task with
 * the environment each engine sets (the scenario swapped for a small one),
 * produce shards that merge into exactly the unsharded sweep.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, sameTree, smallScenario, tmp } from './helpers.js';

const DOC = readFileSync('docs/CLUSTER.md', 'utf8');
const blocks = (lang: string) => [...DOC.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

const ENGINE_VARS = ['JOB_COMPLETION_INDEX', 'STICKYSIM_SHARDS', 'SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_MIN', 'SLURM_ARRAY_TASK_MAX', 'SLURM_ARRAY_TASK_STEP', 'SLURM_ARRAY_TASK_COUNT'];
const saved = Object.fromEntries(ENGINE_VARS.map((k) => [k, process.env[k]]));
function setEnv(vars: Record<string, string>): void {
  for (const k of ENGINE_VARS) delete process.env[k];
  Object.assign(process.env, vars);
}
afterEach(() => {
  for (const k of ENGINE_VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

/** Shell words of one line: "…" quoting, $VAR and ${VAR} expanded from `vars`, globs (*) over `dir`. */
function words(line: string, vars: Record<string, string>): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const raw = m[1] ?? m[2] ?? m[3]!;
    out.push(m[2] !== undefined ? raw : raw.replace(/\$\{?(\w+)\}?/g, (_, v: string) => vars[v] ?? ''));
  }
  return out;
}

/** Expands `prefix*` arguments the way sh would (sorted). */
function glob(args: string[]): string[] {
  return args.flatMap((a) => {
    if (!a.endsWith('*')) return [a];
    const dir = a.slice(0, a.lastIndexOf('/'));
    const start = a.slice(a.lastIndexOf('/') + 1, -1);
    return readdirSync(dir).filter((f) => f.startsWith(start)).sort().map((f) => `${dir}/${f}`);
  });
}

describe('docs/CLUSTER.md: where the shard comes from', () => {
  const table = DOC.slice(DOC.indexOf('| environment | options | shard run |'));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2).map((r) => r.split('|').slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, '')));

  it('has the examples', () => {
    expect(rows.length).toBeGreaterThanOrEqual(10);
  });

  for (const [env, options, expected] of rows) {
    it(`${env || '(nothing)'} ${options} → ${expected}`, async () => {
      const dir = tmp();
      setEnv(Object.fromEntries(env!.split(/\s+/).filter(Boolean).map((kv) => kv.split('=') as [string, string])));
      const out = join(dir, 'out');
      const r = await cli('sweep', smallScenario(dir), '--vary', 'fleet.servers=2..4', '--strategies', 'cookie', ...options!.split(/\s+/).filter(Boolean), '--out', out);
      const error = /^exit 2: `?(.*?)`?$/.exec(expected!);
      if (error !== null) {
        expect(r.code).toBe(2);
        expect(r.err).toContain(error[1]!);
        return;
      }
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const meta = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
      if (expected === 'the whole sweep') {
        expect(meta.shard).toBeUndefined();
        expect(r.out).not.toContain('shard');
      } else {
        const [index, count] = expected!.split('/').map(Number);
        expect(meta.shard).toMatchObject({ index, count });
        expect(r.out).toMatch(new RegExp(`\\nshard ${index}/${count} \\(from `));
      }
    });
  }
});

describe('docs/CLUSTER.md: the Kubernetes Job and the Slurm array', () => {
  const root = tmp();
  const scenario = smallScenario(root);
  let whole = '';

  /** The documented sweep command's arguments after `stickysim`, on the small scenario. */
  const onSmall = (args: string[]) => args.map((a) => (a.startsWith('scenarios/') ? scenario : a));

  beforeAll(async () => {
    // The unsharded sweep of the documented arguments (the Job's, without --out).
    const job = YAML.parseAllDocuments(blocks('yaml')[0]!).map((d) => d.toJS()).find((d) => d.kind === 'Job');
    const args = onSmall(job.spec.template.spec.containers[0].command.slice(2));
    whole = join(root, 'whole');
    const r = await cli(...args.slice(0, args.indexOf('--out')), '--out', whole, '--quiet');
    expect(r.err).toBe('');
  });

  it('the Indexed Job: each pod runs its shard; the merge Job writes the unsharded sweep', async () => {
    const docs = YAML.parseAllDocuments(blocks('yaml')[0]!).map((d) => d.toJS());
    const pvc = docs.find((d) => d.kind === 'PersistentVolumeClaim');
    const job = docs.find((d) => d.kind === 'Job');
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    expect(job.spec.completionMode).toBe('Indexed');
    const pod = job.spec.template.spec;
    const container = pod.containers[0];
    const shards = container.env.find((e: { name: string }) => e.name === 'STICKYSIM_SHARDS').value;
    expect(Number(shards)).toBe(job.spec.completions);
    expect(job.spec.parallelism).toBeLessThanOrEqual(job.spec.completions);
    expect(pod.volumes[0].persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
    expect(container.volumeMounts[0]).toMatchObject({ name: pod.volumes[0].name, mountPath: '/results' });
    expect(container.command.slice(0, 3)).toEqual(['npx', 'stickysim', 'sweep']);
    expect(container.command).not.toContain('--shard');

    const results = join(root, 'k8s');
    for (let index = 0; index < job.spec.completions; index++) {
      // What Kubernetes does: JOB_COMPLETION_INDEX in the environment, $(VAR) expanded in the command.
      setEnv({ JOB_COMPLETION_INDEX: String(index), STICKYSIM_SHARDS: shards });
      const args = onSmall(container.command.slice(2).map((a: string) => a.replace('$(JOB_COMPLETION_INDEX)', String(index)).replace(/^\/results/, results)));
      const r = await cli(...args);
      expect(r.err).toBe('');
      expect(r.out).toContain(`shard ${index}/${job.spec.completions} (from Kubernetes JOB_COMPLETION_INDEX)`);
    }
    setEnv({});

    const merge = YAML.parse(blocks('yaml')[1]!).spec.template.spec.containers[0].command;
    expect(merge.slice(0, 2)).toEqual(['sh', '-c']);
    const line = words(merge[2].replace(/\/results/g, results), {});
    expect(line.slice(0, 3)).toEqual(['npx', 'stickysim', 'merge']);
    const r = await cli(...glob(line.slice(2)));
    expect(r.err).toBe('');
    expect(r.out).toContain(`merged ${job.spec.completions} directories`);
    expect(sameTree(whole, join(results, 'merged'))).toEqual({ missing: [], extra: [], differ: [] });
  });

  it('the Slurm array: each task runs its shard; the dependent job merges them into the unsharded sweep', async () => {
    const [sweep, merge] = blocks('bash');
    const array = /#SBATCH --array=(\d+)-(\d+)/.exec(sweep!)!;
    const [min, max] = [Number(array[1]), Number(array[2])];
    const cpus = /#SBATCH --cpus-per-task=(\d+)/.exec(sweep!)![1]!;
    const results = join(root, 'slurm');
    const command = (script: string) => script.split('\n').find((l) => l.startsWith('npx stickysim'))!.replace(/(^| |")results\//g, `$1${results}/`);
    for (let id = min; id <= max; id++) {
      // What Slurm sets in each task of `--array=MIN-MAX`.
      const env = { SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: String(min), SLURM_ARRAY_TASK_MAX: String(max), SLURM_ARRAY_TASK_COUNT: String(max - min + 1) };
      setEnv(env);
      const r = await cli(...onSmall(words(command(sweep!), { ...env, SLURM_CPUS_PER_TASK: cpus }).slice(2)));
      expect(r.err).toBe('');
      expect(r.out).toContain(`shard ${id - min}/${max - min + 1} (from Slurm SLURM_ARRAY_TASK_ID)`);
    }
    setEnv({});
    const r = await cli(...glob(words(command(merge!), {}).slice(2)));
    expect(r.err).toBe('');
    const out = words(command(merge!), {}).at(-1)!;
    expect(sameTree(whole, out)).toEqual({ missing: [], extra: [], differ: [] });
  });
});
