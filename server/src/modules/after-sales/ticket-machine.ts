/**
 * The service ticket's states and the only moves between them. Every change of a ticket goes
 * through `TRANSITIONS`: the repository turns a transition into one conditional UPDATE (`status IN
 * from`), so a move that does not apply to the ticket's current state changes nothing and answers
 * 409 TICKET_STATE_CONFLICT, even when two devices try at once.
 *
 *   submitted ─┬─ escalate (nobody answered by respondBy) → escalated
 *              ├─ accept → accepted ─┬─ schedule (a visit) → scheduled ─ resolve → resolved ─ rate → closed
 *              │                     ├─ resolve (no visit needed) → resolved
 *              │                     └─ refund (returns only) → refunded ─ rate → closed
 *              ├─ reject (with a reason) → rejected
 *              └─ cancel (by the villager) → cancelled
 */
export const TICKET_KINDS = ['repair', 'return', 'exchange', 'install_issue', 'maintenance'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

export const TICKET_STATES = ['submitted', 'escalated', 'accepted', 'scheduled', 'resolved', 'refunded', 'closed', 'rejected', 'cancelled'] as const;
export type TicketState = (typeof TICKET_STATES)[number];

/** No move leaves these. */
export const FINAL_STATES: readonly TicketState[] = ['closed', 'rejected', 'cancelled'];
/** Waiting for the store: what the inbox and the grid manager's view count as open. */
export const OPEN_STATES: readonly TicketState[] = ['submitted', 'escalated', 'accepted', 'scheduled'];

export type TicketAction = 'submit' | 'escalate' | 'accept' | 'reject' | 'schedule' | 'resolve' | 'refund' | 'rate' | 'cancel';
/** Who may take an action: the villager who opened the ticket, the store (its owner, or for `resolve` its technician), or the sweeper. */
export type Actor = 'villager' | 'store' | 'technician' | 'system';

type Transition = { from: readonly (TicketState | null)[]; to: TicketState; by: readonly Actor[]; kinds: readonly TicketKind[] };

const ALL: readonly TicketKind[] = TICKET_KINDS;
const ON_SITE: readonly TicketKind[] = ['repair', 'exchange', 'install_issue', 'maintenance'];

export const TRANSITIONS: Record<TicketAction, Transition> = {
  submit: { from: [null], to: 'submitted', by: ['villager'], kinds: ALL },
  escalate: { from: ['submitted'], to: 'escalated', by: ['system'], kinds: ALL },
  accept: { from: ['submitted', 'escalated'], to: 'accepted', by: ['store'], kinds: ALL },
  reject: { from: ['submitted', 'escalated', 'accepted'], to: 'rejected', by: ['store'], kinds: ALL },
  schedule: { from: ['accepted'], to: 'scheduled', by: ['store'], kinds: ON_SITE },
  resolve: { from: ['accepted', 'scheduled'], to: 'resolved', by: ['store', 'technician'], kinds: ON_SITE },
  refund: { from: ['accepted'], to: 'refunded', by: ['store'], kinds: ['return'] },
  rate: { from: ['resolved', 'refunded'], to: 'closed', by: ['villager'], kinds: ALL },
  cancel: { from: ['submitted', 'escalated', 'accepted'], to: 'cancelled', by: ['villager'], kinds: ALL },
};

/** The state an action leads to from `state`, or null when it does not apply (409). */
export function nextState(state: TicketState | null, action: TicketAction, kind: TicketKind, actor: Actor): TicketState | null {
  const t = TRANSITIONS[action];
  if (!t.by.includes(actor) || !t.kinds.includes(kind) || !t.from.includes(state)) return null;
  return t.to;
}

/** The states an action may start from, for the conditional UPDATE. */
export function fromStates(action: TicketAction): TicketState[] {
  return TRANSITIONS[action].from.filter((s): s is TicketState => s !== null);
}

/** Whether the kind can take the action at all (a return is never scheduled, a repair never refunded). */
export const kindAllows = (kind: TicketKind, action: TicketAction) => TRANSITIONS[action].kinds.includes(kind);
