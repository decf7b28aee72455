import { Liquid, type Template } from 'liquidjs';
import { ApiError } from '../http/api-error.js';

/** What an email template holds: Liquid in each part; text and HTML are each optional. */
export interface EmailTemplateParts {
  subject: string;
  text?: string | null;
  html?: string | null;
}

/** What a template may read: `{{ person.traits.name }}`, `{{ company.traits.plan }}`, `{{ event.properties.total }}`, `{{ data.code }}`. */
export interface TemplateContext {
  person: { traits: Record<string, unknown>; email: string | null; userId: string | null; id: string };
  company?: { traits: Record<string, unknown> } | null;
  event?: { name: string; properties: Record<string, unknown> } | null;
  data?: Record<string, unknown>;
}

export interface RenderedEmail {
  subject: string;
  /** Empty string when the template has no text part. */
  text: string;
  /** Empty string when the template has no HTML part. */
  html: string;
  /** One sentence per variable the template reads that this context does not have (rendered as empty). */
  warnings: string[];
}

type Part = 'subject' | 'text' | 'html';

/**
 * A template that does not parse or render, as a 400 that says where: `fields.html` reads
 * `line 3, column 7: …`, so the editor can point at it. The email-send path gets the same 400.
 */
export class TemplateError extends ApiError {
  constructor(
    readonly part: Part,
    readonly line: number | null,
    readonly column: number | null,
    reason: string,
  ) {
    const where = line !== null ? `line ${line}, column ${column}: ` : '';
    super(400, 'invalid_template', `The ${part} template has a problem at ${where}${reason}`, { [part]: `${where}${reason}` });
  }
}

// Shared by both engines. `templates: {}` gives Liquid an empty in-memory file system, so
// {% include %} and {% render %} can never read the collector's disk. The limits bound what one
// template can cost (a loop of a million, a huge string) since templates are written by team
// members but rendered on the collector for every send.
const SAFE_OPTIONS = {
  templates: {},
  strictFilters: true,
  strictVariables: false,
  ownPropertyOnly: true,
  parseLimit: 512 * 1024,
  renderLimit: 2_000,
  memoryLimit: 16 * 1024 * 1024,
} as const;

/** HTML output escapes every `{{ }}` by default (`{{ x | raw }}` opts out): a trait can never inject markup. */
const htmlEngine = new Liquid({ ...SAFE_OPTIONS, outputEscape: 'escape' });
/** Subject and text are plain text: escaping would show `&amp;` to the reader. */
const textEngine = new Liquid(SAFE_OPTIONS);

/**
 * Renders an email template for one contact with Liquid (liquidjs). Unknown variables render
 * as empty text (a missing trait must not stop a send) and come back as warnings, so a preview
 * shows them. A syntax or render error throws TemplateError (400 with line and column).
 *
 * @example renderTemplate({ subject: 'Hi {{ person.traits.name }}', html: '<p>{{ data.code }}</p>' }, { person, data: { code: 'A1' } })
 */
export function renderTemplate(template: EmailTemplateParts, context: TemplateContext): RenderedEmail {
  const scope = {
    person: { traits: context.person.traits ?? {}, email: context.person.email, userId: context.person.userId, id: context.person.id },
    company: context.company ? { traits: context.company.traits ?? {} } : null,
    event: context.event ? { name: context.event.name, properties: context.event.properties ?? {} } : null,
    data: context.data ?? {},
  };
  const warnings: string[] = [];
  const renderPart = (part: Part, source: string | null | undefined): string => {
    if (!source) return '';
    const engine = part === 'html' ? htmlEngine : textEngine;
    const parsed = run(part, () => engine.parse(source));
    for (const path of run(part, () => unknownVariables(engine, parsed, scope))) {
      const warning = `${path} is not set for this contact (used in the ${part})`;
      if (!warnings.includes(warning)) warnings.push(warning);
    }
    return run(part, () => String(engine.renderSync(parsed, scope)));
  };
  return { subject: renderPart('subject', template.subject), text: renderPart('text', template.text), html: renderPart('html', template.html), warnings };
}

/** Every part that does not parse, as `{ html: 'line 3, column 7: …' }` (empty when all parse); for validation. */
export function templateProblems(template: EmailTemplateParts): Partial<Record<Part, string>> {
  const problems: Partial<Record<Part, string>> = {};
  for (const part of ['subject', 'text', 'html'] as const) {
    const source = template[part];
    if (!source) continue;
    try {
      run(part, () => (part === 'html' ? htmlEngine : textEngine).parse(source));
    } catch (error) {
      if (error instanceof TemplateError) problems[part] = error.fields![part]!;
      else throw error;
    }
  }
  return problems;
}

function run<T>(part: Part, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw asTemplateError(part, error);
  }
}

function asTemplateError(part: Part, error: unknown): TemplateError {
  const token = (error as { token?: { getPosition?: () => [number, number] } }).token;
  const position = typeof token?.getPosition === 'function' ? token.getPosition() : null;
  // liquidjs appends ", line:3, col:7" to its messages; we say it once, our way.
  const raw = error instanceof Error ? error.message : String(error);
  const reason = raw.replace(/, line:\d+, col:\d+$/, '').replace(/^undefined filter/, 'unknown filter');
  return new TemplateError(part, position?.[0] ?? null, position?.[1] ?? null, reason);
}

/**
 * The global variables a template reads (not the ones it assigns or loops over) that `scope`
 * does not hold. Liquid's static analysis gives each as segments; a segment that is itself a
 * variable (`data[key]`) ends the check there, as its value is only known while rendering.
 */
function unknownVariables(engine: Liquid, parsed: Template[], scope: Record<string, unknown>): string[] {
  const missing: string[] = [];
  for (const segments of engine.globalVariableSegmentsSync(parsed, { partials: false })) {
    let value: unknown = scope;
    const shown: string[] = [];
    for (const segment of segments) {
      if (typeof segment !== 'string' && typeof segment !== 'number') break;
      shown.push(String(segment));
      value = readSegment(value, segment);
      if (value === undefined || value === null) {
        missing.push(shown.join('.'));
        break;
      }
    }
  }
  return missing;
}

function readSegment(value: unknown, key: string | number): unknown {
  if (Array.isArray(value) || typeof value === 'string') {
    if (key === 'size') return value.length;
    if (Array.isArray(value) && key === 'first') return value[0];
    if (Array.isArray(value) && key === 'last') return value[value.length - 1];
  }
  if (typeof value !== 'object' || value === null) return undefined;
  return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string | number, unknown>)[key] : undefined;
}
