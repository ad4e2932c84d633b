/**
 * `mcx bench <name>`: the benchmarks of each project, grouped here. They print numbers (JSON), they
 * do not pass or fail. `migration` is implemented by the UE host (apps/ue) against an ecosystem.
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from './options.ts';

const PACKAGE_BENCHES: Record<string, string> = {
  xcap: '@mcx/xcap',
  sip: '@mcx/sip',
  idms: '@mcx/idms',
  cms: '@mcx/cms',
  gms: '@mcx/gms',
};

function runNpm(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npm', args, { cwd: REPO_ROOT, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

export async function benchCommand(
  positionals: string[],
  values: { config?: string; ues?: string; json?: boolean },
): Promise<number> {
  const name = positionals[0];
  if (name === 'migration') {
    const { migrationBench } = await import('./bench-migration.ts');
    return migrationBench({
      config: values.config,
      ues: Number(values.ues ?? 100),
      json: values.json ?? false,
    });
  }
  const pkg = name ? PACKAGE_BENCHES[name] : undefined;
  if (!pkg) {
    process.stderr.write(
      `mcx bench: name one of ${[...Object.keys(PACKAGE_BENCHES), 'migration'].join(', ')}\n`,
    );
    return 2;
  }
  return runNpm(['run', '--silent', 'bench', '-w', pkg]);
}
