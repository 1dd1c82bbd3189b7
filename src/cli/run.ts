// Runs the CLI (bin/keyden.js imports this): kept apart from index.ts so tests can import main().
import { exitWhenDrained, guardProcess } from './exit.js';
import { main } from './index.js';

guardProcess();
exitWhenDrained(await main());
