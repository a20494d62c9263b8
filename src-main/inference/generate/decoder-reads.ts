/**
 * What the merged decoder reads after its first step (issue #14). Optimum's merged decoder takes
 * `encoder_hidden_states` on every step, but only its no-past branch (the first step) projects it
 * into the cross-attention cache; the with-past branch reads that cache instead. Where the graph
 * shows that nothing outside the If and nothing in its with-past branch reads an input, the loop
 * feeds a zero-length tensor in its place from the second step on: on WebGPU that input was
 * 99.7 % of the bytes still uploaded per step (bench/RESULTS.md, 2026-12-03).
 *
 * The check reads only the main graph's nodes, by positioned reads of the file: the weights
 * (initializers, or external data) are skipped, so a decoder of a few GB costs a few hundred small
 * reads, not its size in memory.
 */
import { open } from 'node:fs/promises';
import { readVarint } from './kv-graph.js';
import { parseNode, type OnnxGraph, type OnnxNode } from './onnx-nodes.js';

/** The main graph's NodeProto payloads (ModelProto.graph = 7, GraphProto.node = 1), in order. */
export async function readMainGraphNodes(path: string): Promise<Uint8Array[]> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const head = Buffer.alloc(24);
    // One field's number, wire type, and where its value starts and ends.
    const field = async (pos: number): Promise<{ no: number; wire: number; start: number; end: number }> => {
      const { bytesRead } = await file.read(head, 0, head.length, pos);
      const bytes = head.subarray(0, bytesRead);
      const [tag, afterTag] = readVarint(bytes, 0);
      const no = Number(tag >> 3n);
      const wire = Number(tag & 7n);
      if (wire === 0) return { no, wire, start: pos + afterTag, end: pos + readVarint(bytes, afterTag)[1] };
      if (wire === 1 || wire === 5)
        return { no, wire, start: pos + afterTag, end: pos + afterTag + (wire === 1 ? 8 : 4) };
      if (wire !== 2) throw new Error(`unsupported protobuf wire type ${wire} at byte ${pos}`);
      const [length, afterLength] = readVarint(bytes, afterTag);
      return { no, wire, start: pos + afterLength, end: pos + afterLength + Number(length) };
    };
    let graph: { start: number; end: number } | null = null;
    for (let pos = 0; pos < size;) {
      const f = await field(pos);
      if (f.no === 7 && f.wire === 2) graph = f;
      pos = f.end;
    }
    if (!graph || graph.end > size) throw new Error('the file has no complete graph');
    const nodes: Uint8Array[] = [];
    for (let pos = graph.start; pos < graph.end;) {
      const f = await field(pos);
      if (f.end > graph.end) throw new Error(`a graph field runs past the graph's end at byte ${pos}`);
      if (f.no === 1 && f.wire === 2) {
        const node = Buffer.alloc(f.end - f.start);
        await file.read(node, 0, node.length, f.start);
        nodes.push(node);
      }
      pos = f.end;
    }
    return nodes;
  } finally {
    await file.close();
  }
}

const reads = (node: OnnxNode, value: string): boolean =>
  node.inputs.includes(value) || node.subgraphs.some((g) => graphReads(g, value));
const graphReads = (graph: OnnxGraph, value: string): boolean => graph.nodes.some((n) => reads(n, value));

/**
 * Whether the decoder may read `input` on a step with a past: false only when the main graph is
 * optimum's merged layout (one If on `use_cache_branch`) and neither the If's with-past branch nor
 * any other main-graph node reads it; true when something does, or the layout is not that one.
 */
export function readAfterFirstStep(nodes: readonly Uint8Array[], input: string): boolean {
  const parsed = nodes.map(parseNode);
  const merged = parsed.find((n) => n.op === 'If' && n.domain === '' && n.inputs[0] === 'use_cache_branch');
  const withPast = merged?.branches.get('then_branch');
  if (!merged || !withPast) return true;
  return parsed.some((n) => n !== merged && reads(n, input)) || graphReads(withPast, input);
}
