import { MemoryStorage } from '../../runtime/storage/memory.js';
import { storageContract } from './contract.js';

let now = Date.UTC(2030, 0, 1);

storageContract('MemoryStorage', () => new MemoryStorage({ maxEntries: 10_000, clock: () => now }), {
  advanceClock: (ms) => {
    now += ms;
  },
});
