// Runs the full CLI (bin/keyden.cjs imports this for every command the bundled fast.ts does not
// take): kept apart from index.ts so tests can import main().
import { exitWhenDrained, guardProcess } from './exit.js';
import { main } from './index.js';

guardProcess();
exitWhenDrained(await main());
