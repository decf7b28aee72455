import type { EligibleMessage, MessagePosition } from '@hark/protocol';
import { Component, type ComponentChildren, type FunctionComponent } from 'preact';
import type { Controller, Showing } from './controller.js';
import { CallToAction } from './cta.js';
import { Frame, type KindProps } from './frame.js';
import { InputMessage } from './input.js';
import { Notification } from './notification.js';
import { Survey } from './survey.js';

const KINDS = { notification: Notification, input: InputMessage, survey: Survey, cta: CallToAction } as unknown as Record<
  EligibleMessage['kind'],
  FunctionComponent<KindProps>
>;

/** Positions that are not modal: each a polite live region, in the page from the start. */
const REGIONS: MessagePosition[] = ['top', 'bottom', 'top_left', 'top_right', 'bottom_left', 'bottom_right'];

/** A message whose rendering fails disappears rather than take the page's error handler with it. */
class Boundary extends Component<{ children: ComponentChildren }, { failed?: boolean }> {
  override componentDidCatch() {
    this.setState({ failed: true });
  }
  override render() {
    return this.state.failed ? null : this.props.children;
  }
}

/**
 * Everything the UI shows: the live regions (present before anything is put in them, so screen
 * readers announce what arrives), the message in each, and the centre modal.
 */
export function Messages({ showing, close }: { showing: Showing; close: Controller['close'] }) {
  const view = (message: EligibleMessage | undefined) => {
    if (!message) return null;
    const Kind = KINDS[message.kind];
    return (
      <Boundary key={message.deliveryId}>
        <Frame message={message} close={close}>
          <Kind message={message} answer={(fields) => close(message, 'answered', fields)} click={() => close(message, 'clicked')} />
        </Frame>
      </Boundary>
    );
  };
  return (
    <>
      {REGIONS.map((position) => (
        <div key={position} class={`hark-region hark-${position}`} aria-live="polite">
          {view(showing.get(position))}
        </div>
      ))}
      {view(showing.get('center'))}
    </>
  );
}
