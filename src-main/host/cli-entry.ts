import { APP_VERSION } from '../version.js';

// `--version` alone is answered before anything else loads (commander included): scripts and
// package managers call it often, and it should cost no more than starting Node.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  process.stdout.write(`${APP_VERSION}\n`);
} else {
  const { main } = await import('./cli.js');
  await main(process.argv);
}
