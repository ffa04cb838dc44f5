// Worker-thread entry that registers tsx, then imports the TypeScript module named in
// workerData.script: node's worker threads cannot load .ts files by themselves.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.script);
