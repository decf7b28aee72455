import type { ContactKindName, CountOp, EmailOp, GeoField, GeoOp, Leaf, LeafType, MessageOp, PropertyOp, Rule, SeenOp, TraitOp } from '../api/audience-types.js';

/**
 * The rule-tree builder's state: a tree of groups (and / or), nots and leaves as the member edits
 * them, every value as typed (numbers as text, so nothing typed is lost), with stable node ids
 * for keys and focus. Pure: building the API's JSON (`toRule`), reading a saved tree back
 * (`fromRule`), the edits, and which node a `400 invalid_fields` path such as
 * `rules.and.2.or.0.value` belongs to (`errorsByNode`). No DOM, no fetch.
 */

export interface WhereDraft {
  property: string;
  op: PropertyOp;
  value: string;
}

/** The value as the member typed it, and how to send it for equals / not equals. */
export type ValueType = 'text' | 'number' | 'boolean';

export type LeafDraft =
  | { type: 'kind'; kinds: ContactKindName[] }
  | { type: 'trait' | 'company_trait'; trait: string; op: TraitOp; value: string; valueType: ValueType }
  | { type: 'list'; list: string }
  | {
      type: 'event' | 'no_event';
      event: string;
      /** '' for "at least once". */
      countOp: CountOp | '';
      countValue: string;
      window: 'ever' | 'last' | 'between';
      lastDays: string;
      from: string;
      to: string;
      where: WhereDraft[];
    }
  | { type: 'first_seen' | 'last_seen'; op: SeenOp; value: string }
  | { type: 'geo'; field: GeoField; op: GeoOp; value: string }
  | { type: 'message'; message: string; op: MessageOp; value: string }
  /** template '' for any email. */
  | { type: 'email'; op: EmailOp; template: string; window: 'ever' | 'last' | 'between'; lastDays: string; from: string; to: string }
  | { type: 'opted_out' };

export type GroupOp = 'and' | 'or';

export type RuleNode =
  | { id: string; kind: 'group'; op: GroupOp; children: RuleNode[] }
  | { id: string; kind: 'not'; child: RuleNode }
  | { id: string; kind: 'leaf'; leaf: LeafDraft };

export type GroupNode = Extract<RuleNode, { kind: 'group' }>;

let lastId = 0;
/** Node ids only need to be unique within the page. */
export const newNodeId = (): string => 'r' + ++lastId;

export function newLeaf(type: LeafType): LeafDraft {
  switch (type) {
    case 'kind':
      return { type, kinds: ['user'] };
    case 'trait':
    case 'company_trait':
      return { type, trait: '', op: 'equals', value: '', valueType: 'text' };
    case 'list':
      return { type, list: '' };
    case 'event':
    case 'no_event':
      return { type, event: '', countOp: '', countValue: '1', window: type === 'no_event' ? 'last' : 'ever', lastDays: '30', from: '', to: '', where: [] };
    case 'first_seen':
    case 'last_seen':
      return { type, op: 'within_last_days', value: '7' };
    case 'geo':
      return { type, field: 'country', op: 'equals', value: '' };
    case 'message':
      return { type, message: '', op: 'shown', value: '' };
    case 'email':
      return { type, op: 'opened', template: '', window: 'last', lastDays: '30', from: '', to: '' };
    case 'opted_out':
      return { type };
  }
}

export const leafNode = (leaf: LeafDraft): RuleNode => ({ id: newNodeId(), kind: 'leaf', leaf });
export const groupNode = (op: GroupOp, children: RuleNode[] = []): GroupNode => ({ id: newNodeId(), kind: 'group', op, children });

/** A new tree: everyone who is a user, as a starting point to edit. */
export const emptyTree = (): GroupNode => groupNode('and', [leafNode(newLeaf('kind'))]);

// ---------------------------------------------------------------------------------------------
// Edits: each answers a new tree (the old one is untouched, as Preact state wants).

function mapNode(node: RuleNode, id: string, change: (node: RuleNode) => RuleNode | null): RuleNode | null {
  if (node.id === id) return change(node);
  if (node.kind === 'group') {
    const children = node.children.map((child) => mapNode(child, id, change)).filter((child): child is RuleNode => child !== null);
    return { ...node, children };
  }
  if (node.kind === 'not') {
    const child = mapNode(node.child, id, change);
    // A not whose child is removed goes with it.
    return child ? { ...node, child } : null;
  }
  return node;
}

const apply = (root: GroupNode, id: string, change: (node: RuleNode) => RuleNode | null): GroupNode => (mapNode(root, id, change) as GroupNode | null) ?? root;

/** Adds a child (a leaf or a group) at the end of group `groupId`. */
export function addChild(root: GroupNode, groupId: string, child: RuleNode): GroupNode {
  return apply(root, groupId, (node) => (node.kind === 'group' ? { ...node, children: [...node.children, child] } : node));
}

/** Removes a node (and what is under it). The root group stays; it can be emptied. */
export function removeNode(root: GroupNode, id: string): GroupNode {
  if (root.id === id) return { ...root, children: [] };
  return apply(root, id, () => null);
}

export function setGroupOp(root: GroupNode, groupId: string, op: GroupOp): GroupNode {
  return apply(root, groupId, (node) => (node.kind === 'group' ? { ...node, op } : node));
}

/** Wraps a node in a not, or takes a not away (keeping its child). */
export function toggleNot(root: GroupNode, id: string): GroupNode {
  return apply(root, id, (node) => (node.kind === 'not' ? node.child : { id: newNodeId(), kind: 'not', child: node }));
}

export function updateLeaf(root: GroupNode, id: string, patch: Partial<LeafDraft>): GroupNode {
  return apply(root, id, (node) => (node.kind === 'leaf' ? { ...node, leaf: { ...node.leaf, ...patch } as LeafDraft } : node));
}

/** Replaces a leaf with a new one of another type (its fields differ). */
export function changeLeafType(root: GroupNode, id: string, type: LeafType): GroupNode {
  return apply(root, id, (node) => (node.kind === 'leaf' ? { ...node, leaf: newLeaf(type) } : node));
}

export function findNode(node: RuleNode, id: string): RuleNode | null {
  if (node.id === id) return node;
  if (node.kind === 'group') {
    for (const child of node.children) {
      const found = findNode(child, id);
      if (found) return found;
    }
  }
  if (node.kind === 'not') return findNode(node.child, id);
  return null;
}

export function countLeaves(node: RuleNode): number {
  if (node.kind === 'leaf') return 1;
  if (node.kind === 'not') return countLeaves(node.child);
  return node.children.reduce((sum, child) => sum + countLeaves(child), 0);
}

// ---------------------------------------------------------------------------------------------
// To the API's JSON. What the member typed is sent as typed when it does not fit (a number field
// holding "abc" goes as the text), so the collector's field error names the field.

const numberOr = (text: string): number | string => {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
};

const NO_VALUE = ['exists', 'not_exists'];

function scalar(text: string, op: string, valueType: ValueType): string | number | boolean {
  if (op === 'within_last_days') return numberOr(text);
  if (['gt', 'gte', 'lt', 'lte'].includes(op)) return numberOr(text);
  if (op === 'contains' || op === 'starts_with') return text;
  if (valueType === 'number') return numberOr(text);
  if (valueType === 'boolean') return text.trim().toLowerCase() === 'true' ? true : text.trim().toLowerCase() === 'false' ? false : text;
  return text;
}

function whereToRule(where: WhereDraft[]): Record<string, unknown>[] {
  return where.map((condition) => ({
    property: condition.property.trim(),
    op: condition.op,
    ...(NO_VALUE.includes(condition.op) ? {} : { value: ['gt', 'gte', 'lt', 'lte'].includes(condition.op) ? numberOr(condition.value) : autoScalar(condition.value) }),
  }));
}

/** A property value: true/false and numbers as such, otherwise text (events carry JSON). */
function autoScalar(text: string): string | number | boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : text;
}

function windowToRule(leaf: { window: 'ever' | 'last' | 'between'; lastDays: string; from: string; to: string }): Record<string, unknown> | undefined {
  return leaf.window === 'last' ? { lastDays: numberOr(leaf.lastDays) } : leaf.window === 'between' ? { from: leaf.from.trim(), to: leaf.to.trim() } : undefined;
}

export function leafToRule(leaf: LeafDraft): Leaf {
  switch (leaf.type) {
    case 'kind':
      return { type: 'kind', value: leaf.kinds };
    case 'trait':
    case 'company_trait':
      return { type: leaf.type, trait: leaf.trait.trim(), op: leaf.op, ...(NO_VALUE.includes(leaf.op) ? {} : { value: scalar(leaf.value, leaf.op, leaf.valueType) }) };
    case 'list':
      return { type: 'list', list: leaf.list };
    case 'email': {
      const window = windowToRule(leaf);
      return { type: 'email', op: leaf.op, ...(leaf.template ? { template: leaf.template } : {}), ...(window ? { window } : {}) } as Leaf;
    }
    case 'event':
    case 'no_event': {
      const window = windowToRule(leaf);
      const count = leaf.type === 'event' && leaf.countOp ? { op: leaf.countOp, value: numberOr(leaf.countValue) } : undefined;
      return {
        type: leaf.type,
        event: leaf.event.trim(),
        ...(count ? { count } : {}),
        ...(window ? { window } : {}),
        ...(leaf.where.length ? { where: whereToRule(leaf.where) } : {}),
      } as Leaf;
    }
    case 'first_seen':
    case 'last_seen':
      return { type: leaf.type, op: leaf.op, value: leaf.op === 'before' || leaf.op === 'after' ? leaf.value.trim() : numberOr(leaf.value) } as Leaf;
    case 'geo': {
      if (NO_VALUE.includes(leaf.op)) return { type: 'geo', field: leaf.field, op: leaf.op };
      const value = leaf.op === 'in' ? leaf.value.split(',').map((name) => name.trim()).filter(Boolean) : leaf.value.trim();
      return { type: 'geo', field: leaf.field, op: leaf.op, value };
    }
    case 'message':
      return { type: 'message', message: leaf.message, op: leaf.op, ...(leaf.op === 'grade_lte' || leaf.op === 'grade_gte' ? { value: numberOr(leaf.value) as number } : {}) };
    case 'opted_out':
      return { type: 'opted_out' };
  }
}

/** The API's rule tree for this draft; its shape mirrors the draft's, so paths line up. */
export function toRule(node: RuleNode): Rule {
  if (node.kind === 'leaf') return leafToRule(node.leaf);
  if (node.kind === 'not') return { not: toRule(node.child) };
  return node.op === 'and' ? { and: node.children.map(toRule) } : { or: node.children.map(toRule) };
}

// ---------------------------------------------------------------------------------------------
// From a saved tree. The builder's root is always a group: a saved leaf or not is put in an and.

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const typeOf = (value: unknown): ValueType => (typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'text');

export function leafFromRule(rule: Leaf): LeafDraft {
  switch (rule.type) {
    case 'kind':
      return { type: 'kind', kinds: [...rule.value] };
    case 'trait':
    case 'company_trait':
      return { type: rule.type, trait: rule.trait, op: rule.op, value: text(rule.value), valueType: typeOf(rule.value) };
    case 'list':
      return { type: 'list', list: rule.list };
    case 'event':
    case 'no_event': {
      const window = rule.window;
      return {
        type: rule.type,
        event: rule.event,
        countOp: rule.type === 'event' && rule.count ? rule.count.op : '',
        countValue: rule.type === 'event' && rule.count ? String(rule.count.value) : '1',
        window: !window ? 'ever' : 'lastDays' in window ? 'last' : 'between',
        lastDays: window && 'lastDays' in window ? String(window.lastDays) : '30',
        from: window && 'from' in window ? window.from : '',
        to: window && 'to' in window ? window.to : '',
        where: (rule.where ?? []).map((condition) => ({ property: condition.property, op: condition.op, value: text(condition.value) })),
      };
    }
    case 'first_seen':
    case 'last_seen':
      return { type: rule.type, op: rule.op, value: text(rule.value) };
    case 'geo':
      return { type: 'geo', field: rule.field, op: rule.op, value: Array.isArray(rule.value) ? rule.value.join(', ') : text(rule.value) };
    case 'message':
      return { type: 'message', message: rule.message, op: rule.op, value: text(rule.value) };
    case 'email': {
      const window = rule.window;
      return {
        type: 'email',
        op: rule.op,
        template: rule.template ?? '',
        window: !window ? 'ever' : 'lastDays' in window ? 'last' : 'between',
        lastDays: window && 'lastDays' in window ? String(window.lastDays) : '30',
        from: window && 'from' in window ? window.from : '',
        to: window && 'to' in window ? window.to : '',
      };
    }
    case 'opted_out':
      return { type: 'opted_out' };
  }
}

export function nodeFromRule(rule: Rule): RuleNode {
  if ('and' in rule) return groupNode('and', rule.and.map(nodeFromRule));
  if ('or' in rule) return groupNode('or', rule.or.map(nodeFromRule));
  if ('not' in rule) return { id: newNodeId(), kind: 'not', child: nodeFromRule(rule.not) };
  return leafNode(leafFromRule(rule));
}

export function fromRule(rule: Rule | null | undefined): GroupNode {
  if (!rule) return emptyTree();
  const node = nodeFromRule(rule);
  return node.kind === 'group' ? node : groupNode('and', [node]);
}

// ---------------------------------------------------------------------------------------------
// Field errors to nodes.

/** Every node's API path under `prefix` (`rules`, `rules.and.0`, `rules.and.0.not`, …). */
export function nodePaths(root: RuleNode, prefix = 'rules'): Map<string, string> {
  const paths = new Map<string, string>();
  const walk = (node: RuleNode, path: string) => {
    paths.set(node.id, path);
    if (node.kind === 'not') walk(node.child, `${path}.not`);
    if (node.kind === 'group') node.children.forEach((child, i) => walk(child, `${path}.${node.op}.${i}`));
  };
  walk(root, prefix);
  return paths;
}

/**
 * Each error of a `400 invalid_fields` under `prefix`, given to the deepest node whose path it
 * starts with. A group's own errors (`rules.and`: "must have at least 1 item") go to the group;
 * a leaf's (`rules.and.2.value`, `….where.0.op`) to the leaf, keyed by the full path, which is
 * the `path` its form fields use. Errors that match no node (the tree changed since) go to the root.
 */
export function errorsByNode(root: RuleNode, fields: Record<string, string>, prefix = 'rules'): Map<string, Record<string, string>> {
  const byPath = new Map<string, string>();
  for (const [id, path] of nodePaths(root, prefix)) byPath.set(path, id);
  const result = new Map<string, Record<string, string>>();
  for (const [path, message] of Object.entries(fields)) {
    if (path !== prefix && !path.startsWith(prefix + '.')) continue;
    let owner: string | undefined;
    // Walk up the path one segment at a time until it names a node.
    for (let at = path; ; at = at.slice(0, at.lastIndexOf('.'))) {
      owner = byPath.get(at);
      if (owner || !at.includes('.')) break;
    }
    const id = owner ?? root.id;
    result.set(id, { ...result.get(id), [path]: message });
  }
  return result;
}

/** Whether a field error keyed `path` belongs under one of `fieldPaths` (shown beside that field). */
export function isFieldError(path: string, fieldPaths: readonly string[]): boolean {
  return fieldPaths.some((field) => path === field || path.startsWith(field + '.'));
}
