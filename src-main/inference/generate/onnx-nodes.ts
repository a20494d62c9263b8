/**
 * The nodes of an ONNX graph as the decoder rewrites read them (fused-attention-graph.ts,
 * decoder-reads.ts): inputs, outputs, op type, attributes and subgraphs, each node keeping its
 * bytes so a rewrite can copy what it does not change. Works on the protobuf bytes directly.
 */
import { fieldsOf, nameOf, readVarint, type Field } from './kv-graph.js';

/** One NodeProto of a graph, with the fields the matcher reads (input = 1, output = 2, op_type = 4, attribute = 5, domain = 7). */
export interface OnnxNode {
  bytes: Uint8Array;
  inputs: string[];
  outputs: string[];
  op: string;
  domain: string;
  attributes: Map<string, Field[]>;
  /** Subgraphs of its attributes (If branches, Loop bodies). */
  subgraphs: OnnxGraph[];
  /** The same subgraphs by attribute name (`then_branch`, `else_branch`, `body`). */
  branches: Map<string, OnnxGraph>;
}

export interface OnnxGraph {
  /** The GraphProto's top-level fields, nodes included, in file order. */
  fields: Field[];
  nodes: OnnxNode[];
  outputNames: string[];
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

export function parseNode(bytes: Uint8Array): OnnxNode {
  const node: OnnxNode = {
    bytes,
    inputs: [],
    outputs: [],
    op: '',
    domain: '',
    attributes: new Map(),
    subgraphs: [],
    branches: new Map(),
  };
  for (const f of fieldsOf(bytes)) {
    if (f.wire !== 2) continue;
    if (f.no === 1) node.inputs.push(text(f.payload));
    else if (f.no === 2) node.outputs.push(text(f.payload));
    else if (f.no === 4) node.op = text(f.payload);
    else if (f.no === 7) node.domain = text(f.payload);
    else if (f.no === 5) {
      // AttributeProto { name = 1; g = 6; graphs = 11 }
      const fields = fieldsOf(f.payload);
      const nameField = fields.find((a) => a.no === 1 && a.wire === 2);
      const name = nameField ? text(nameField.payload) : '';
      node.attributes.set(name, fields);
      for (const a of fields) {
        if ((a.no !== 6 && a.no !== 11) || a.wire !== 2) continue;
        const graph = parseGraph(a.payload);
        node.subgraphs.push(graph);
        if (a.no === 6) node.branches.set(name, graph);
      }
    }
  }
  return node;
}

export function parseGraph(bytes: Uint8Array): OnnxGraph {
  const graph: OnnxGraph = { fields: fieldsOf(bytes), nodes: [], outputNames: [] };
  for (const f of graph.fields) {
    if (f.no === 1 && f.wire === 2) graph.nodes.push(parseNode(f.payload));
    else if (f.no === 12 && f.wire === 2) graph.outputNames.push(nameOf(f.payload));
  }
  return graph;
}

/** An INT attribute (AttributeProto.i = 3), or undefined. */
export function intAttribute(node: OnnxNode, name: string): bigint | undefined {
  const f = node.attributes.get(name)?.find((a) => a.no === 3 && a.wire === 0);
  return f ? BigInt.asIntN(64, readVarint(f.bytes, 1)[0]) : undefined;
}

/** The signed 64-bit values of repeated varint fields, packed or not. */
export function varintValues(fields: readonly Field[]): bigint[] {
  const out: bigint[] = [];
  for (const f of fields) {
    if (f.wire === 0) out.push(BigInt.asIntN(64, readVarint(f.bytes, 1)[0]));
    else
      for (let pos = 0; pos < f.payload.length;) {
        const [v, next] = readVarint(f.payload, pos);
        out.push(BigInt.asIntN(64, v));
        pos = next;
      }
  }
  return out;
}

/** An INTS attribute (AttributeProto.ints = 8, packed or not), or undefined. */
export function intsAttribute(node: OnnxNode, name: string): bigint[] | undefined {
  const fields = node.attributes.get(name)?.filter((a) => a.no === 8);
  if (!fields || fields.length === 0) return undefined;
  return varintValues(fields);
}
