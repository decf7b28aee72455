import type { EligibleMessage } from '@hark/protocol';
import type { ComponentChildren } from 'preact';
import { guard } from '../core/listen.js';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { safeColors } from './checks.js';
import type { AnswerFields, Controller } from './controller.js';

/** What every kind's component gets. */
export interface KindProps<M extends EligibleMessage = EligibleMessage> {
  message: M;
  /** Closes the message as answered, with these fields on the Message Answered event. */
  answer(fields: AnswerFields): void;
  /** Closes the message as clicked (the cta button). */
  click(): void;
}

/** A handler whose mistakes stay inside the UI rather than reaching the page's error handlers. */
export const safe = guard;

const SIZES = ['small', 'medium', 'large'];
const idFor = (message: EligibleMessage, part: 'title' | 'body') => `hark-${part}-${message.appearance.position}`;
/** What names the message: its title, or its body when it has none. */
export const labelId = (message: EligibleMessage) => idFor(message, message.content.title ? 'title' : 'body');

/** Title and body, as text. */
export function Text({ message }: { message: EligibleMessage }) {
  const { title, body } = message.content;
  return (
    <div class="hark-text">
      {title ? (
        <p class="hark-title" id={idFor(message, 'title')}>
          {title}
        </p>
      ) : null}
      {body ? (
        <p class="hark-body" id={idFor(message, 'body')}>
          {body}
        </p>
      ) : null}
    </div>
  );
}

const focusables = (frame: HTMLElement): HTMLElement[] =>
  Array.from(frame.querySelectorAll<HTMLElement>('a[href],button,input,textarea,select,[tabindex]')).filter(
    (element) => !(element as HTMLButtonElement).disabled && element.tabIndex >= 0,
  );

/**
 * The chrome every kind shares: where it sits (bar, corner toast or centre modal), its size and
 * colours, and the dismiss button.
 *
 * A toast or bar never takes focus; it sits in an `aria-live="polite"` region (see `Messages`).
 * The centre modal is a dialog labelled by its title: focus moves into it, Tab and Shift+Tab stay
 * inside, focus that lands on the page anyway comes back, Escape or a click on the backdrop
 * dismisses it, and focus returns where it was once it closes. A modal can always be dismissed,
 * since a dialog that traps focus must let the visitor out. Escape dismisses a dismissible toast
 * that has focus too.
 */
export function Frame({ message, close, children }: { message: EligibleMessage; close: Controller['close']; children: ComponentChildren }) {
  const { appearance } = message;
  const modal = appearance.position == 'center';
  const bar = appearance.position == 'top' || appearance.position == 'bottom';
  const dismissible = modal || appearance.dismissible !== false;
  const colors = safeColors(appearance.colors);
  const ref = useRef<HTMLDivElement>(null);
  const dismiss = safe(() => close(message, 'dismissed'));

  useLayoutEffect(() => {
    if (!modal) return;
    const frame = ref.current!;
    const host = (frame.getRootNode() as ShadowRoot).host;
    const previous = document.activeElement as HTMLElement | null;
    const focusIn = () => (focusables(frame)[0] ?? frame).focus();
    const keepFocus = safe((event: FocusEvent) => event.composedPath().includes(host) || focusIn());
    focusIn();
    document.addEventListener('focusin', keepFocus);
    return safe(() => {
      document.removeEventListener('focusin', keepFocus);
      if (previous?.isConnected) previous.focus();
    });
  }, []);

  const onKeyDown = safe((event: KeyboardEvent) => {
    if (event.key == 'Escape' && dismissible) {
      event.preventDefault();
      event.stopPropagation();
      dismiss();
    } else if (event.key == 'Tab' && modal) {
      const frame = ref.current!;
      const list = focusables(frame);
      const active = (frame.getRootNode() as ShadowRoot).activeElement;
      const [first, last] = [list[0], list[list.length - 1]];
      if (!first || !last) event.preventDefault();
      else if (event.shiftKey ? active == first || !list.includes(active as HTMLElement) : active == last) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      }
    }
  });

  const frame = (
    <div
      ref={ref}
      class={`hark-frame hark-${modal ? 'modal' : bar ? 'bar' : 'toast'} hark-${SIZES.includes(appearance.size) ? appearance.size : 'medium'} hark-is-${message.kind}`}
      style={{
        '--hark-bg': colors.background,
        '--hark-fg': colors.text,
        '--hark-btn': colors.button,
        '--hark-btn-fg': colors.buttonText,
      }}
      role={modal ? 'dialog' : undefined}
      aria-modal={modal ? 'true' : undefined}
      aria-labelledby={modal ? labelId(message) : undefined}
      aria-describedby={modal && message.content.title && message.content.body ? idFor(message, 'body') : undefined}
      tabIndex={modal ? -1 : undefined}
      onKeyDown={onKeyDown}
    >
      <div class="hark-inner">{children}</div>
      {dismissible ? (
        <button type="button" class="hark-close" aria-label="Dismiss" onClick={dismiss}>
          <svg viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.75" stroke-linecap="round">
            <path d="M4 4l8 8M12 4l-8 8" />
          </svg>
        </button>
      ) : null}
    </div>
  );
  return modal ? (
    <div class="hark-backdrop" onClick={(event) => event.target == event.currentTarget && dismiss()}>
      {frame}
    </div>
  ) : (
    frame
  );
}
