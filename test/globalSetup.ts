import { execFileSync } from 'node:child_process';

/** The CLI tests run the real binary, so compile TypeScript to dist/ once first. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
