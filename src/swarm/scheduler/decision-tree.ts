/**
 * The decision tree of placement preferences (swarmkit's decision_tree.go, nodeheap.go and
 * `nodeSet.tree`). Each `spread` preference adds a level whose branches are the values nodes
 * have for its descriptor (nodes missing the label share the "" branch); the leaves hold the
 * candidate nodes. Each leaf keeps only the best `maxAssignments` nodes that pass the filters,
 * in a bounded max-heap, so building the tree costs O(nodes × log(tasks)); when there are no
 * more nodes than tasks nothing can be pruned and the nodes are simply collected. Either way a
 * leaf ends up with the best nodes by the total order of `compareNodes`, whatever the order the
 * nodes came in.
 *
 * Branches are kept sorted by value (code-unit order) so that remainders go to the same
 * branches on every run; swarmkit leaves that to Go's map order.
 */
import { spreadValue } from "./constraint.js";
import type { NodeInfo } from "./node-info.js";

/** One level (or leaf) of the tree. */
export interface DecisionTree {
  /** Active tasks of the service on all nodes under this branch (passing the filters or not). */
  tasks: number;
  /** The branches under this level by value, sorted by value; null on a leaf. */
  branches: DecisionTree[] | null;
  /** This branch's value at its level ("" for nodes without the label). */
  readonly value: string;
  /** A leaf's candidate nodes: a max-heap while building, then sorted best first. */
  nodes: NodeInfo[];
  /** Whether `nodes` has been sorted once (later calls re-check the filters first). */
  collapsed: boolean;
}

/** A node order: negative when the first node is preferred. */
export type NodeComparator = (left: NodeInfo, right: NodeInfo) => number;

function newTree(value: string): DecisionTree {
  return { tasks: 0, branches: null, value, nodes: [], collapsed: false };
}

/** Moves the entry at `index` up a max-heap (worst node on top). */
function siftUp(heap: NodeInfo[], index: number, compare: NodeComparator): void {
  const entry = heap[index]!;
  let position = index;
  while (position > 0) {
    const parent = (position - 1) >> 1;
    if (compare(heap[parent]!, entry) >= 0) break;
    heap[position] = heap[parent]!;
    position = parent;
  }
  heap[position] = entry;
}

/** Moves the entry at `index` down a max-heap (worst node on top). */
function siftDown(heap: NodeInfo[], index: number, compare: NodeComparator): void {
  const entry = heap[index]!;
  const length = heap.length;
  let position = index;
  for (;;) {
    const left = 2 * position + 1;
    if (left >= length) break;
    let child = left;
    if (left + 1 < length && compare(heap[left + 1]!, heap[left]!) > 0) child = left + 1;
    if (compare(heap[child]!, entry) <= 0) break;
    heap[position] = heap[child]!;
    position = child;
  }
  heap[position] = entry;
}

/** Sorts every level's branches by value, recursively. */
function sortBranches(tree: DecisionTree, byValue: Map<DecisionTree, Map<string, DecisionTree>>): void {
  const children = byValue.get(tree);
  if (children === undefined) return;
  const values = [...children.keys()].sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
  tree.branches = values.map((value) => children.get(value)!);
  for (const branch of tree.branches) sortBranches(branch, byValue);
}

/**
 * Builds the tree for a task group (swarmkit's `nodeSet.tree`). `nodes` must be in a
 * deterministic order (the scheduler passes them sorted by id): `meetsConstraints` is only
 * called for nodes that would enter a leaf's heap, and its failure counts feed the explanation.
 */
export function buildDecisionTree(
  nodes: readonly NodeInfo[],
  spreadDescriptors: readonly string[],
  maxAssignments: number,
  meetsConstraints: (node: NodeInfo) => boolean,
  compare: NodeComparator,
): DecisionTree {
  const root = newTree("");
  if (maxAssignments === 0) return root;
  const byValue = new Map<DecisionTree, Map<string, DecisionTree>>();
  const unbounded = nodes.length <= maxAssignments;
  for (const node of nodes) {
    let tree = root;
    for (const descriptor of spreadDescriptors) {
      const value = spreadValue(descriptor, node.node);
      if (value === null) continue;
      tree.tasks += node.groupServiceTasks;
      let children = byValue.get(tree);
      if (children === undefined) {
        children = new Map();
        byValue.set(tree, children);
      }
      let next = children.get(value);
      if (next === undefined) {
        next = newTree(value);
        children.set(value, next);
      }
      tree = next;
    }
    tree.tasks += node.groupServiceTasks;
    const heap = tree.nodes;
    if (unbounded) {
      // No leaf can hold more than maxAssignments nodes: keep every node that passes, sort later.
      if (meetsConstraints(node)) heap.push(node);
    } else if (heap.length < maxAssignments) {
      if (meetsConstraints(node)) {
        heap.push(node);
        siftUp(heap, heap.length - 1, compare);
      }
    } else if (compare(node, heap[0]!) < 0) {
      if (meetsConstraints(node)) {
        heap[0] = node;
        siftDown(heap, 0, compare);
      }
    }
  }
  sortBranches(root, byValue);
  return root;
}

/**
 * A leaf's nodes, best first (swarmkit's `orderedNodes`). From the second call on, nodes that
 * no longer pass the filters are dropped first (their tasks may have filled them).
 */
export function orderedNodes(tree: DecisionTree, meetsConstraints: (node: NodeInfo) => boolean, compare: NodeComparator): NodeInfo[] {
  const nodes = tree.nodes;
  if (tree.collapsed) {
    // swarmkit's order of checks (it matters to the failure counts): a failing node is replaced by the last one.
    for (let index = 0; index < nodes.length; ) {
      if (meetsConstraints(nodes[index]!)) {
        index++;
      } else {
        nodes[index] = nodes[nodes.length - 1]!;
        nodes.pop();
      }
    }
  }
  nodes.sort(compare);
  tree.collapsed = true;
  return tree.nodes;
}
