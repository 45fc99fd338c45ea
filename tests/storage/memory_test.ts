/**
 * Runs the storage contract against {@linkcode MemoryStorage}.
 *
 * @module
 */

import { MemoryStorage } from "../../src/storage/memory.ts";
import { storageContract } from "./storage_contract.ts";

storageContract("MemoryStorage", () =>
  Promise.resolve({
    storage: new MemoryStorage(),
    cleanup: () => Promise.resolve(),
  }));
