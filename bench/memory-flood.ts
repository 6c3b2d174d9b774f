/**
 * security.md #53 at scale, outside `npm test`: creates a million sessions in a `MemoryStorage` capped at
 * `maxEntries` and prints the heap (after a full GC) every 100,000, which must stay flat once the cap is
 * reached.
 *
 *   npx tsx --conditions=source --expose-gc bench/memory-flood.ts [sessions=1000000] [maxEntries=100000]
 */
import { generateSessionId, storageKeyForId } from '../runtime/ids.js';
import { MemoryStorage } from '../runtime/storage/memory.js';

const sessions = Number(process.argv[2] ?? 1_000_000);
const maxEntries = Number(process.argv[3] ?? 100_000);
const REPORT_EVERY = 100_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with --expose-gc, so the heap is measured without garbage: npx tsx --conditions=source --expose-gc bench/memory-flood.ts');
  process.exit(1);
}

const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const storage = new MemoryStorage({ maxEntries });
const started = performance.now();
console.log(`creating ${sessions} sessions, maxEntries ${maxEntries}`);
for (let created = 1; created <= sessions; created++) {
  const payload = `1700000000.1700000000.{"items":[{"sku":"sku-${created}","qty":1}]}`;
  await storage.write(storageKeyForId('cart', generateSessionId()), payload, 1800, { ifAbsent: true, maxSeconds: 86_400 });
  if (created % REPORT_EVERY === 0) {
    gc();
    const seconds = (performance.now() - started) / 1000;
    console.log(`${created} created, ${storage.size} held, heap ${megabytes(process.memoryUsage().heapUsed)} MB, ${Math.round(created / seconds)} creations/s`);
  }
}
