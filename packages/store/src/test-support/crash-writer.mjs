/**
 * The child process of the crash test (`event-store.crash.test.ts`): opens the SQLite store at `argv[2]` with the
 * built package (`dist/`, which turbo builds before the tests) and appends the cycles of the JSON file `argv[3]`
 * (an array of event batches) from index `argv[4]` on, one `append` a cycle. It prints `ready` once the store is
 * open, then `cycle <index>` after each committed append (stdout is a pipe, written synchronously on Linux: a
 * printed cycle is committed), and `done` after the last one. The parent kills it with SIGKILL somewhere in that
 * loop.
 *
 * Run with `node crash-writer.mjs <store.db> <batches.json> <start>` after `npm run build`.
 */
import { readFileSync } from 'node:fs';
import { EventStore } from '../../dist/index.js';

const [url, batchesFile, startText] = process.argv.slice(2);
if (url === undefined || batchesFile === undefined || startText === undefined) {
  throw new Error('usage: crash-writer.mjs <store.db> <batches.json> <start>');
}
const batches = JSON.parse(readFileSync(batchesFile, 'utf8'));
const store = await EventStore.open(url);
process.stdout.write('ready\n');
for (let index = Number(startText); index < batches.length; index++) {
  await store.append(batches[index]);
  process.stdout.write(`cycle ${index}\n`);
}
await store.close();
process.stdout.write('done\n');
