/** The one rule engine (DESIGN §8): trees, validation, evaluation, what a tree needs. Pure. */
export type { Rule, Leaf, EventWindow, TraitOp, Scalar } from './rule-types.js';
export { validateRule, parseIsoDate, RULE_LIMITS, type RuleValidation } from './validate-rule.js';
export { evaluateRule, nextChangeAt, countEvents } from './evaluate-rule.js';
export { factsNeeded, mergeNeeded, noFacts, touches, KIND_KEY, type FactsNeeded, type FactsChange } from './facts-needed.js';
export { DAY_MS, dayOf, emptyFacts, type PersonFacts, type Geo, type EventOccurrence, type MessageInteraction } from './person-facts.js';
