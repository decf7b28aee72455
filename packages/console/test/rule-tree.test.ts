import { describe, expect, it } from 'vitest';
import {
  addChild,
  changeLeafType,
  emptyTree,
  errorsByNode,
  fromRule,
  groupNode,
  leafNode,
  newLeaf,
  nodePaths,
  removeNode,
  setGroupOp,
  toggleNot,
  toRule,
  updateLeaf,
  type GroupNode,
  type RuleNode,
} from '../src/audiences/rule-tree.js';
import type { Rule } from '../src/api/audience-types.js';

const child = (root: GroupNode, ...indexes: number[]): RuleNode =>
  indexes.reduce<RuleNode>((node, i) => (node.kind === 'group' ? node.children[i]! : node.kind === 'not' ? node.child : node), root);

describe('the rule-tree builder', () => {
  it('starts with users and builds the JSON of nested groups, nots and leaves', () => {
    let tree = emptyTree();
    expect(toRule(tree)).toEqual({ and: [{ type: 'kind', value: ['user'] }] });
    const or = groupNode('or');
    tree = addChild(tree, tree.id, or);
    tree = addChild(tree, or.id, leafNode({ type: 'trait', trait: 'plan', op: 'equals', value: 'pro', valueType: 'text' }));
    tree = addChild(tree, or.id, leafNode(newLeaf('opted_out')));
    tree = toggleNot(tree, child(tree, 1, 1).id);
    expect(toRule(tree)).toEqual({
      and: [{ type: 'kind', value: ['user'] }, { or: [{ type: 'trait', trait: 'plan', op: 'equals', value: 'pro' }, { not: { type: 'opted_out' } }] }],
    });
    // Taking the not away keeps its child; switching the group's operator keeps the children.
    tree = toggleNot(tree, child(tree, 1, 1).id);
    tree = setGroupOp(tree, or.id, 'and');
    expect(toRule(tree)).toEqual({ and: [{ type: 'kind', value: ['user'] }, { and: [{ type: 'trait', trait: 'plan', op: 'equals', value: 'pro' }, { type: 'opted_out' }] }] });
  });

  it('removes a leaf or a whole group, and a not with its child; the root stays', () => {
    let tree = fromRule({ and: [{ type: 'opted_out' }, { or: [{ type: 'list', list: 'l1' }, { type: 'list', list: 'l2' }] }, { not: { type: 'kind', value: ['lead'] } }] });
    const before = tree;
    tree = removeNode(tree, child(tree, 1, 0).id);
    expect(toRule(tree)).toEqual({ and: [{ type: 'opted_out' }, { or: [{ type: 'list', list: 'l2' }] }, { not: { type: 'kind', value: ['lead'] } }] });
    tree = removeNode(tree, child(tree, 2, 0).id);
    tree = removeNode(tree, child(tree, 1).id);
    expect(toRule(tree)).toEqual({ and: [{ type: 'opted_out' }] });
    expect(toRule(removeNode(tree, tree.id))).toEqual({ and: [] });
    // Edits never change the tree they were given.
    expect(toRule(before)).toEqual({ and: [{ type: 'opted_out' }, { or: [{ type: 'list', list: 'l1' }, { type: 'list', list: 'l2' }] }, { not: { type: 'kind', value: ['lead'] } }] });
  });

  it('sends typed text as numbers, dates, booleans and lists where each leaf wants them', () => {
    let tree = groupNode('and');
    for (const type of ['trait', 'event', 'no_event', 'first_seen', 'geo', 'message', 'company_trait'] as const) tree = addChild(tree, tree.id, leafNode(newLeaf(type)));
    const [trait, event, noEvent, seen, geo, message, company] = tree.children.map((node) => node.id);
    tree = updateLeaf(tree, trait!, { trait: ' seats ', op: 'gte', value: '5' });
    tree = updateLeaf(tree, event!, { event: 'Signed Up', countOp: 'at_least', countValue: '3', window: 'last', lastDays: '7', where: [{ property: 'plan', op: 'equals', value: 'pro' }, { property: 'amount', op: 'gt', value: '10' }] });
    tree = updateLeaf(tree, noEvent!, { event: 'Paid', window: 'between', from: '2026-11-01', to: '2026-11-30' });
    tree = updateLeaf(tree, seen!, { op: 'after', value: '2026-01-01' });
    tree = updateLeaf(tree, geo!, { field: 'city', op: 'in', value: 'Paris, Lyon,,' });
    tree = updateLeaf(tree, message!, { message: 'm1', op: 'grade_lte', value: '2' });
    tree = updateLeaf(tree, company!, { trait: 'paying', op: 'equals', value: 'true', valueType: 'boolean' });
    expect(toRule(tree)).toEqual({
      and: [
        { type: 'trait', trait: 'seats', op: 'gte', value: 5 },
        { type: 'event', event: 'Signed Up', count: { op: 'at_least', value: 3 }, window: { lastDays: 7 }, where: [{ property: 'plan', op: 'equals', value: 'pro' }, { property: 'amount', op: 'gt', value: 10 }] },
        { type: 'no_event', event: 'Paid', window: { from: '2026-11-01', to: '2026-11-30' } },
        { type: 'first_seen', op: 'after', value: '2026-01-01' },
        { type: 'geo', field: 'city', op: 'in', value: ['Paris', 'Lyon'] },
        { type: 'message', message: 'm1', op: 'grade_lte', value: 2 },
        { type: 'company_trait', trait: 'paying', op: 'equals', value: true },
      ],
    });
    // exists takes no value; a number field holding text goes as the text, for the collector to name.
    tree = updateLeaf(tree, trait!, { op: 'exists' });
    tree = updateLeaf(tree, seen!, { op: 'within_last_days', value: 'soon' });
    expect((toRule(tree) as { and: Rule[] }).and[0]).toEqual({ type: 'trait', trait: 'seats', op: 'exists' });
    expect((toRule(tree) as { and: Rule[] }).and[3]).toEqual({ type: 'first_seen', op: 'within_last_days', value: 'soon' });
    // A new type starts from that type's defaults.
    tree = changeLeafType(tree, trait!, 'opted_out');
    expect((toRule(tree) as { and: Rule[] }).and[0]).toEqual({ type: 'opted_out' });
  });

  it('reads a saved tree back to the same JSON, every leaf type, a root leaf put in an and', () => {
    const saved: Rule = {
      or: [
        { type: 'kind', value: ['lead', 'user'] },
        { and: [{ type: 'trait', trait: 'seats', op: 'lt', value: 10 }, { not: { type: 'company_trait', trait: 'tier', op: 'equals', value: 'gold' } }] },
        { type: 'list', list: 'l1' },
        { type: 'event', event: 'Paid', count: { op: 'exactly', value: 2 }, window: { from: '2026-11-01', to: '2026-11-30' }, where: [{ property: 'ok', op: 'equals', value: true }] },
        { type: 'no_event', event: 'Login', window: { lastDays: 14 } },
        { type: 'last_seen', op: 'not_within_last_days', value: 30 },
        { type: 'geo', field: 'country', op: 'in', value: ['FR', 'BE'] },
        { type: 'geo', field: 'continent', op: 'exists' },
        { type: 'message', message: 'm1', op: 'answered' },
        { type: 'opted_out' },
      ],
    };
    expect(toRule(fromRule(saved))).toEqual(saved);
    expect(toRule(fromRule({ type: 'opted_out' }))).toEqual({ and: [{ type: 'opted_out' }] });
    expect(toRule(fromRule(null))).toEqual({ and: [{ type: 'kind', value: ['user'] }] });
  });

  it('gives each field error to the node its path names: leaves, groups, nots, and the root for the rest', () => {
    const tree = fromRule({ and: [{ type: 'opted_out' }, { type: 'opted_out' }, { or: [{ type: 'trait', trait: 'plan', op: 'gt', value: 'x' }, { and: [] }] }, { not: { type: 'event', event: '' } }] });
    const paths = nodePaths(tree);
    expect(paths.get(child(tree, 2, 0).id)).toBe('rules.and.2.or.0');
    expect(paths.get(child(tree, 3, 0).id)).toBe('rules.and.3.not');
    const errors = errorsByNode(tree, {
      'rules.and.2.or.0.value': 'must be a number or an ISO date for gt',
      'rules.and.2.or.1.and': 'must have at least 1 item',
      'rules.and.3.not.event': 'must not be empty',
      'rules.and.3.not.where.0.op': 'is required',
      'rules.and.9.value': 'gone since',
      rules: 'has 201 rules; at most 200',
      name: 'is required',
    });
    expect(errors.get(child(tree, 2, 0).id)).toEqual({ 'rules.and.2.or.0.value': 'must be a number or an ISO date for gt' });
    expect(errors.get(child(tree, 2, 1).id)).toEqual({ 'rules.and.2.or.1.and': 'must have at least 1 item' });
    expect(errors.get(child(tree, 3, 0).id)).toEqual({ 'rules.and.3.not.event': 'must not be empty', 'rules.and.3.not.where.0.op': 'is required' });
    expect(errors.get(tree.id)).toEqual({ 'rules.and.9.value': 'gone since', rules: 'has 201 rules; at most 200' });
    expect(errors.has(child(tree, 0).id)).toBe(false);
    // Another prefix (a message's audience) works the same way.
    const audience = errorsByNode(tree, { 'conditions.audience.rules.and.0.type': 'must be …' }, 'conditions.audience.rules');
    expect(audience.get(child(tree, 0).id)).toEqual({ 'conditions.audience.rules.and.0.type': 'must be …' });
  });
});

describe('a message audience from the builder', () => {
  it('sends a segment or a tree alone, or the conditions as they are, and reads each back', async () => {
    const { audienceDraftFrom, audienceToSend, newAudienceDraft } = await import('../src/audiences/message-audience.js');
    const conditions = { kinds: ['user'] };
    expect(audienceToSend(newAudienceDraft(), conditions)).toBe(conditions);
    expect(audienceToSend({ ...newAudienceDraft(), audienceMode: 'segment', segment: 's1' }, conditions)).toEqual({ segment: 's1' });
    const tree = fromRule({ or: [{ type: 'list', list: 'l1' }, { type: 'opted_out' }] });
    expect(audienceToSend({ ...newAudienceDraft(), audienceMode: 'rules', audienceTree: tree }, conditions)).toEqual({ rules: { or: [{ type: 'list', list: 'l1' }, { type: 'opted_out' }] } });
    expect(audienceDraftFrom({ segment: 's1' })).toMatchObject({ audienceMode: 'segment', segment: 's1' });
    expect(toRule(audienceDraftFrom({ rules: { type: 'opted_out' } }).audienceTree)).toEqual({ and: [{ type: 'opted_out' }] });
    expect(audienceDraftFrom({ kinds: ['lead'] }).audienceMode).toBe('conditions');
  });
});

describe('the email condition', () => {
  it('builds opened / clicked, any email or one template, in a window, and reads it back the same', () => {
    const root = groupNode('and', [leafNode(newLeaf('email'))]);
    expect(toRule(root)).toEqual({ and: [{ type: 'email', op: 'opened', window: { lastDays: 30 } }] });
    const id = child(root, 0).id;
    const edited = updateLeaf(root, id, { op: 'clicked', template: 't-welcome', window: 'ever' });
    expect(toRule(edited)).toEqual({ and: [{ type: 'email', op: 'clicked', template: 't-welcome' }] });
    const saved: Rule = { and: [{ type: 'email', op: 'clicked', template: 't1', window: { from: '2026-11-01', to: '2026-11-30' } }] };
    expect(toRule(fromRule(saved))).toEqual(saved);
  });
});
