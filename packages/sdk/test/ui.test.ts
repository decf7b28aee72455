import { afterEach, describe, expect, it, vi } from 'vitest';
import { CSS } from '../src/ui/styles.js';
import { eligible, elapse, useFreshPage } from './helpers.js';
import { click, key, showUi, type } from './ui-helpers.js';

useFreshPage();

const HOSTILE = '<img src=x onerror="window.__pwned=1"><b>bold</b>';

describe('rendering', () => {
  it('renders every kind\'s text as text, never as HTML', async () => {
    const kinds = [
      eligible('n', { appearance: { ...eligible('n').appearance, position: 'top_left' } }),
      eligible('i', { kind: 'input', appearance: { ...eligible('i').appearance, position: 'top_right' }, content: { title: HOSTILE, body: HOSTILE, inputType: 'text', placeholder: HOSTILE, submitLabel: HOSTILE, maxLength: 500 } } as never),
      eligible('s', { kind: 'survey', appearance: { ...eligible('s').appearance, position: 'bottom_left' }, content: { title: HOSTILE, body: '', lowLabel: HOSTILE, highLabel: HOSTILE, followUp: '', followUpPlaceholder: '', submitLabel: HOSTILE } } as never),
      eligible('c', { kind: 'cta', content: { title: HOSTILE, body: HOSTILE, buttonLabel: HOSTILE, url: 'https://example.com/', newTab: false } } as never),
    ];
    kinds[0]!.content = { title: HOSTILE, body: HOSTILE };
    const ui = await showUi([[kinds, undefined]]);

    expect(ui.frames()).toHaveLength(4);
    expect(ui.root.querySelectorAll('img, b')).toHaveLength(0);
    for (const frame of ui.frames()) expect(frame.querySelector('.hark-title')!.textContent).toBe(HOSTILE);
    expect(ui.root.querySelector<HTMLInputElement>('.hark-input')!.placeholder).toBe(HOSTILE);
    expect(ui.root.querySelector('a.hark-button')!.textContent).toBe(HOSTILE);
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('mounts in an open shadow root on a host at the end of <body>, styled by a constructable stylesheet', async () => {
    const ui = await showUi([[[eligible('a')], undefined]]);

    expect(document.body.lastElementChild).toBe(ui.host);
    expect(ui.root.adoptedStyleSheets).toHaveLength(1);
    expect(ui.root.querySelector('style')).toBeNull();
  });

  it('falls back to a <style> carrying the CSP nonce where constructable stylesheets are missing', async () => {
    vi.stubGlobal('CSSStyleSheet', undefined);
    const ui = await showUi([[[eligible('a')], undefined]], 'n0nce');

    const style = ui.root.querySelector('style')!;
    expect(style.nonce).toBe('n0nce');
    expect(style.textContent).toBe(CSS);
  });

  it('prefixes every custom property with --hark-, resets the host with all: initial, and turns animation off for reduced motion', () => {
    const names = CSS.match(/--[\w-]+/g)!;
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !name.startsWith('--hark-'))).toEqual([]);
    expect(CSS).toContain(':host{all:initial!important;');
    expect(CSS).toMatch(/@media \(prefers-reduced-motion:reduce\)\{[^}]*animation:none!important/);
  });

  it('uses the message\'s colours only when they are #rgb or #rrggbb', async () => {
    const good = eligible('good', { appearance: { size: 'small', position: 'top_left', dismissible: true, colors: { background: '#0f172a', text: '#FFF', button: '#22c55e', buttonText: '#000' } } });
    const bad = eligible('bad', {
      appearance: { size: 'small', position: 'top_right', dismissible: true, colors: { background: 'red;background:url(https://evil.test/x)', text: 'expression(alert(1))', button: '#12345', buttonText: 'var(--x)' } },
    });
    const ui = await showUi([[[good, bad], undefined]]);
    const [first, second] = ui.frames();
    const colours = (frame: HTMLElement) => ['--hark-bg', '--hark-fg', '--hark-btn', '--hark-btn-fg'].map((name) => frame.style.getPropertyValue(name));

    expect(colours(first!)).toEqual(['#0f172a', '#FFF', '#22c55e', '#000']);
    expect(colours(second!)).toEqual(['#ffffff', '#1f2937', '#2563eb', '#ffffff']);
  });

  it('puts each kind where its appearance says, at its size', async () => {
    const at = (position: string, size: string) => eligible(position, { appearance: { ...eligible('x').appearance, position, size } as never });
    const ui = await showUi([[[at('top', 'small'), at('bottom', 'large'), at('bottom_left', 'medium'), at('center', 'large')], undefined]]);

    expect(ui.root.querySelector('.hark-top > .hark-frame')!.className).toContain('hark-bar hark-small');
    expect(ui.root.querySelector('.hark-bottom > .hark-frame')!.className).toContain('hark-bar hark-large');
    expect(ui.root.querySelector('.hark-bottom_left > .hark-frame')!.className).toContain('hark-toast hark-medium');
    expect(ui.root.querySelector('.hark-backdrop > .hark-frame')!.className).toContain('hark-modal hark-large');
  });
});

describe('what shows when', () => {
  it('shows one message per position, the others after it by priority, and reports each as shown when it appears', async () => {
    const low = eligible('low', { priority: 1 });
    const high = eligible('high', { priority: 10 });
    const elsewhere = eligible('elsewhere', { priority: 0, appearance: { ...eligible('x').appearance, position: 'top_left' } });
    const ui = await showUi([[[low, elsewhere], undefined]]);
    await ui.receive([high], { type: 'track', event: 'Anything' } as never);

    expect(ui.reported()).toEqual(['shown:dlv_low', 'shown:dlv_elsewhere']);
    click(ui.root.querySelector('.hark-bottom_right .hark-close'));
    expect(ui.reported()).toEqual(['shown:dlv_low', 'shown:dlv_elsewhere', 'dismissed:dlv_low', 'shown:dlv_high']);
    expect(ui.root.querySelector('.hark-bottom_right .hark-title')!.textContent).toBe('Title of high');
  });

  it('waits a delay message\'s seconds before showing it', async () => {
    const ui = await showUi([[[eligible('later', { trigger: { type: 'delay', seconds: 5 } })], undefined]]);

    await elapse(4_999);
    expect(ui.frames()).toHaveLength(0);
    await elapse(1);
    expect(ui.frames()).toHaveLength(1);
    expect(ui.reported()).toEqual(['shown:dlv_later']);
  });

  it('shows an event message only after its event, when every where condition holds for its properties', async () => {
    const onExport = eligible('export', {
      trigger: { type: 'event', event: 'Report Exported', where: [{ property: 'format', op: 'equals', value: 'pdf' }, { property: 'pages', op: 'gt', value: 2 }] },
    });
    const ui = await showUi([[[onExport], undefined]]);
    expect(ui.frames()).toHaveLength(0);

    await ui.receive([onExport], { type: 'track', event: 'Report Exported', properties: { format: 'csv', pages: 10 } } as never);
    await ui.receive([onExport], { type: 'track', event: 'Report Exported', properties: { format: 'pdf', pages: 1 } } as never);
    await ui.receive([onExport], { type: 'track', event: 'Other', properties: { format: 'pdf', pages: 10 } } as never);
    expect(ui.frames()).toHaveLength(0);

    await ui.receive([onExport], { type: 'track', event: 'Report Exported', properties: { format: 'pdf', pages: '12' } } as never);
    expect(ui.reported()).toEqual(['shown:dlv_export']);
  });

  it('checks where conditions with contains, exists and lt, and reads dotted paths', async () => {
    const message = eligible('m', {
      trigger: {
        type: 'event',
        event: 'Upgraded',
        where: [
          { property: 'plan.name', op: 'contains', value: 'PRO' },
          { property: 'coupon', op: 'exists' },
          { property: 'seats', op: 'lt', value: 50 },
          { property: 'tags', op: 'contains', value: 'beta' },
        ],
      },
    });
    const ui = await showUi();
    await ui.receive([message], { type: 'track', event: 'Upgraded', properties: { plan: { name: 'Pro yearly' }, coupon: '', seats: 10, tags: ['beta'] } } as never);
    expect(ui.frames()).toHaveLength(0);
    await ui.receive([message], { type: 'track', event: 'Upgraded', properties: { plan: { name: 'Pro yearly' }, coupon: 'X', seats: 10, tags: ['beta'] } } as never);
    expect(ui.frames()).toHaveLength(1);
  });

  it('takes a delivery once: a later poll that names it again shows nothing twice', async () => {
    const ui = await showUi([[[eligible('once')], undefined]]);
    click(ui.root.querySelector('.hark-close'));
    await ui.receive([eligible('once')]);

    expect(ui.reported()).toEqual(['shown:dlv_once', 'dismissed:dlv_once']);
    expect(ui.frames()).toHaveLength(0);
  });

  it('drops what still waits when a page poll no longer names it', async () => {
    const showing = eligible('showing', { priority: 5 });
    const queued = eligible('queued');
    const delayed = eligible('delayed', { trigger: { type: 'delay', seconds: 10 }, appearance: { ...eligible('x').appearance, position: 'top' } });
    const ui = await showUi([[[showing, queued, delayed], undefined]]);
    await ui.receive([]);
    await elapse(10_000);
    click(ui.root.querySelector('.hark-close'));

    expect(ui.reported()).toEqual(['shown:dlv_showing', 'dismissed:dlv_showing']);
  });

  it('never shows a cta whose URL is not http(s)', async () => {
    const cta = (id: string, url: string) =>
      eligible(id, { kind: 'cta', content: { title: 'Go', body: '', buttonLabel: 'Go', url, newTab: false } } as never);
    const ui = await showUi([[[cta('js', 'javascript:alert(1)'), cta('data', 'data:text/html,<b>x</b>'), cta('rel', '/relative')], undefined]]);

    expect(ui.frames()).toHaveLength(0);
    expect(ui.acts).toEqual([]);
  });
});

describe('each kind', () => {
  it('a notification is dismissed with its button', async () => {
    const ui = await showUi([[[eligible('n')], undefined]]);
    const close = ui.root.querySelector<HTMLButtonElement>('.hark-close')!;
    expect(close.getAttribute('aria-label')).toBe('Dismiss');
    click(close);

    expect(ui.acts.at(-1)).toEqual({ how: 'dismissed', name: 'Message Dismissed', properties: { messageId: 'n', deliveryId: 'dlv_n' } });
    expect(ui.frames()).toHaveLength(0);
  });

  it('a message that is not dismissible has no dismiss button and ignores Escape', async () => {
    const ui = await showUi([[[eligible('stay', { appearance: { ...eligible('x').appearance, dismissible: false } })], undefined]]);
    key(ui.frames()[0]!, 'Escape');

    expect(ui.root.querySelector('.hark-close')).toBeNull();
    expect(ui.frames()).toHaveLength(1);
  });

  it('an email input refuses what is not an email address, then sends it as value and email', async () => {
    const ui = await showUi([
      [[eligible('mail', { kind: 'input', content: { title: 'Get updates', body: '', inputType: 'email', placeholder: 'you@example.com', submitLabel: 'Subscribe', maxLength: 200 } } as never)], undefined],
    ]);
    const input = ui.root.querySelector<HTMLInputElement>('.hark-input')!;
    const form = ui.root.querySelector('form')!;
    expect(input.type).toBe('email');
    expect(input.getAttribute('aria-labelledby')).toBe('hark-title-bottom_right');

    for (const wrong of ['', 'ana', 'ana@', 'ana@example', 'a na@example.com']) {
      type(input, wrong);
      form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
      await elapse(0);
      expect(ui.root.querySelector('.hark-error')?.textContent, wrong).toMatch(/email address/);
      expect(input.getAttribute('aria-invalid')).toBe('true');
    }
    expect(ui.reported()).toEqual(['shown:dlv_mail']);

    type(input, '  ana@example.com ');
    await elapse(0);
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(ui.acts.at(-1)).toEqual({ how: 'answered', name: 'Message Answered', properties: { messageId: 'mail', deliveryId: 'dlv_mail', value: 'ana@example.com', email: 'ana@example.com' } });
  });

  it('a text input refuses an empty or too long answer, and sends the text', async () => {
    const ui = await showUi([
      [[eligible('text', { kind: 'input', content: { title: '', body: 'What brought you here?', inputType: 'text', placeholder: '', submitLabel: 'Send', maxLength: 10 } } as never)], undefined],
    ]);
    const input = ui.root.querySelector<HTMLInputElement>('.hark-input')!;
    const submit = async (text: string) => {
      type(input, text);
      await elapse(0);
      click(ui.root.querySelector('button[type=submit]'));
      await elapse(0);
    };
    expect(input.getAttribute('aria-labelledby')).toBe('hark-body-bottom_right');

    await submit('   ');
    await submit('x'.repeat(11));
    expect(ui.reported()).toEqual(['shown:dlv_text']);
    await submit('A friend');
    expect(ui.acts.at(-1)!.properties).toEqual({ messageId: 'text', deliveryId: 'dlv_text', value: 'A friend' });
  });

  it('a survey is a radio group: arrow keys move and choose, then its follow-up asks for text sent with the grade', async () => {
    const ui = await showUi([
      [
        [
          eligible('rate', {
            kind: 'survey',
            content: { title: 'How likely are you to recommend us?', body: '', lowLabel: 'Not likely', highLabel: 'Very likely', followUp: 'Why?', followUpPlaceholder: 'Tell us', submitLabel: 'Send' },
          } as never),
        ],
        undefined,
      ],
    ]);
    const group = ui.root.querySelector('[role=radiogroup]')!;
    const radios = () => Array.from(ui.root.querySelectorAll<HTMLButtonElement>('[role=radio]'));
    const submit = () => ui.root.querySelector<HTMLButtonElement>('button[type=submit]')!;
    expect(group.getAttribute('aria-labelledby')).toBe('hark-title-bottom_right');
    expect(radios().map((radio) => radio.getAttribute('aria-label'))).toEqual(['1, Not likely', '2', '3', '4', '5, Very likely']);
    expect(radios().map((radio) => radio.tabIndex)).toEqual([0, -1, -1, -1, -1]);
    expect(submit().disabled).toBe(true);
    expect(ui.root.querySelector('textarea')).toBeNull();

    key(radios()[0]!, 'ArrowRight');
    await elapse(0);
    key(radios()[1]!, 'ArrowRight');
    await elapse(0);
    key(radios()[2]!, 'ArrowLeft');
    await elapse(0);
    expect(radios().map((radio) => radio.getAttribute('aria-checked'))).toEqual(['false', 'true', 'false', 'false', 'false']);
    expect(radios().map((radio) => radio.tabIndex)).toEqual([-1, 0, -1, -1, -1]);
    expect(ui.root.activeElement).toBe(radios()[1]);
    key(radios()[1]!, 'End');
    await elapse(0);

    const textarea = ui.root.querySelector('textarea')!;
    expect(ui.root.querySelector(`label[for="${textarea.id}"]`)!.textContent).toBe('Why?');
    type(textarea, ' Fast and simple ');
    await elapse(0);
    click(submit());
    expect(ui.acts.at(-1)).toEqual({ how: 'answered', name: 'Message Answered', properties: { messageId: 'rate', deliveryId: 'dlv_rate', value: 5, text: 'Fast and simple' } });
  });

  it('a survey grade can be chosen with a click, and without a follow-up sends the grade alone', async () => {
    const ui = await showUi([
      [[eligible('rate', { kind: 'survey', content: { title: 'Rate us', body: '', lowLabel: '', highLabel: '', followUp: '', followUpPlaceholder: '', submitLabel: 'Send' } } as never)], undefined],
    ]);
    click(ui.root.querySelectorAll('[role=radio]')[2]);
    await elapse(0);
    click(ui.root.querySelector('button[type=submit]'));

    expect(ui.acts.at(-1)!.properties).toEqual({ messageId: 'rate', deliveryId: 'dlv_rate', value: 3 });
  });

  describe('a cta', () => {
    const cta = (newTab: boolean) =>
      eligible('go', { kind: 'cta', content: { title: 'New reports', body: '', buttonLabel: 'See them', url: 'https://example.com/reports?a=1', newTab } } as never);
    afterEach(() => vi.restoreAllMocks());

    it('records the click, then opens its http(s) URL in this tab', async () => {
      const assign = vi.fn();
      vi.spyOn(window, 'location', 'get').mockReturnValue({ ...window.location, assign } as never);
      const ui = await showUi([[[cta(false)], undefined]]);
      const link = ui.root.querySelector<HTMLAnchorElement>('a.hark-button')!;
      expect(link.href).toBe('https://example.com/reports?a=1');
      expect(link.target).toBe('');
      click(link);

      expect(ui.reported()).toEqual(['shown:dlv_go', 'clicked:dlv_go']);
      expect(assign).toHaveBeenCalledWith('https://example.com/reports?a=1');
      expect(ui.frames()).toHaveLength(0);
    });

    it('opens it in a new tab, without access back to this page, when the message says so', async () => {
      const open = vi.spyOn(window, 'open').mockReturnValue(null);
      const ui = await showUi([[[cta(true)], undefined]]);
      const link = ui.root.querySelector<HTMLAnchorElement>('a.hark-button')!;
      expect([link.target, link.rel]).toEqual(['_blank', 'noopener noreferrer']);
      click(link);

      expect(open).toHaveBeenCalledWith('https://example.com/reports?a=1', '_blank', 'noopener,noreferrer');
      expect(ui.reported()).toEqual(['shown:dlv_go', 'clicked:dlv_go']);
    });
  });
});

describe('accessibility', () => {
  it('a toast arrives in a polite live region that was there before it, and takes no focus', async () => {
    const button = document.body.appendChild(document.createElement('button'));
    button.focus();
    const ui = await showUi();
    const region = ui.root.querySelector('.hark-bottom_right')!;
    expect(region.getAttribute('aria-live')).toBe('polite');
    await ui.receive([eligible('toast')]);

    expect(region.querySelector('.hark-frame')).not.toBeNull();
    expect(ui.frames()[0]!.getAttribute('role')).toBeNull();
    expect(document.activeElement).toBe(button);
    button.remove();
  });

  it('the centre modal is a dialog labelled by its title: focus moves in, Tab stays inside, Escape dismisses, focus comes back', async () => {
    const opener = document.body.appendChild(document.createElement('button'));
    opener.focus();
    const modal = eligible('modal', {
      kind: 'input',
      appearance: { ...eligible('x').appearance, position: 'center', dismissible: false },
      content: { title: 'Join the beta', body: 'We will write once.', inputType: 'email', placeholder: '', submitLabel: 'Join', maxLength: 100 },
    } as never);
    const ui = await showUi([[[modal], undefined]]);
    const dialog = ui.root.querySelector<HTMLElement>('[role=dialog]')!;
    const [input, submit, close] = [dialog.querySelector('input')!, dialog.querySelector('button[type=submit]')!, dialog.querySelector('.hark-close')!];

    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(ui.root.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).toBe('Join the beta');
    expect(ui.root.getElementById(dialog.getAttribute('aria-describedby')!)!.textContent).toBe('We will write once.');
    // A modal can always be closed: a dialog that traps focus must let the visitor out.
    expect(close).not.toBeNull();
    expect(ui.root.activeElement).toBe(input);
    expect(document.activeElement).toBe(ui.host);

    (close as HTMLElement).focus();
    key(close, 'Tab');
    expect(ui.root.activeElement).toBe(input);
    key(input, 'Tab', { shiftKey: true });
    expect(ui.root.activeElement).toBe(close);
    (submit as HTMLElement).focus();
    key(submit, 'Tab');
    expect(ui.root.activeElement).toBe(submit);

    opener.focus();
    expect(ui.root.activeElement).toBe(input);

    key(input, 'Escape');
    expect(ui.reported()).toEqual(['shown:dlv_modal', 'dismissed:dlv_modal']);
    expect(ui.root.querySelector('[role=dialog]')).toBeNull();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });

  it('a click on the modal\'s backdrop dismisses it; a click inside does not', async () => {
    const ui = await showUi([[[eligible('modal', { appearance: { ...eligible('x').appearance, position: 'center' } })], undefined]]);
    click(ui.root.querySelector('.hark-title'));
    expect(ui.frames()).toHaveLength(1);
    click(ui.root.querySelector('.hark-backdrop'));

    expect(ui.reported()).toEqual(['shown:dlv_modal', 'dismissed:dlv_modal']);
  });
});
