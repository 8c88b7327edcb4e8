// The YAML worker thread: converts large YAML bodies to JSON and large responses to YAML off the
// event loop (the yaml library parses well under 1 MB/s; a 3 MiB body would otherwise stall
// every request for seconds). One job at a time; see yaml-offload.ts for the protocol.

import { parentPort } from 'node:worker_threads';
import { jsonTextToYAML, yamlToJSONValue, YAMLDecodeError } from './yaml-codec.js';

export interface YAMLJob {
  id: number;
  op: 'toJSON' | 'toYAML';
  text: string;
}

export type YAMLJobResult =
  | { id: number; ok: true; text: string }
  | { id: number; ok: false; decodeError: boolean; message: string };

parentPort?.on('message', (job: YAMLJob) => {
  let result: YAMLJobResult;
  try {
    const text = job.op === 'toJSON' ? JSON.stringify(yamlToJSONValue(job.text)) : jsonTextToYAML(job.text);
    result = { id: job.id, ok: true, text };
  } catch (err) {
    result = { id: job.id, ok: false, decodeError: err instanceof YAMLDecodeError, message: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(result);
});
