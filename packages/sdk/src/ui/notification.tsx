import type { EligibleMessage } from '@hark/protocol';
import { Text, type KindProps } from './frame.js';

/** Text only: the visitor reads it and dismisses it. */
export function Notification({ message }: KindProps<Extract<EligibleMessage, { kind: 'notification' }>>) {
  return <Text message={message} />;
}
