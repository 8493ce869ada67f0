import fc from 'fast-check';
import { FINAL_STATES, nextState, TICKET_KINDS, type Actor, type TicketAction, type TicketKind, type TicketState } from './ticket-machine';

/**
 * Properties of the ticket model, stated apart from its transition table: whatever sequence of
 * moves anyone tries, a ticket never reaches a state the business forbids.
 */
const ACTIONS: TicketAction[] = ['submit', 'escalate', 'accept', 'reject', 'schedule', 'resolve', 'refund', 'rate', 'cancel'];
const ACTORS: Actor[] = ['villager', 'store', 'technician', 'system'];

type Step = { action: TicketAction; actor: Actor; from: TicketState | null; to: TicketState | null };

function run(kind: TicketKind, attempts: { action: TicketAction; actor: Actor }[]): Step[] {
  let state: TicketState | null = null;
  return attempts.map((a) => {
    const to = nextState(state, a.action, kind, a.actor);
    const step = { ...a, from: state, to };
    if (to) state = to;
    return step;
  });
}

const attempt = fc.record({ action: fc.constantFrom(...ACTIONS), actor: fc.constantFrom(...ACTORS) });
// Most sequences start with a submission, so that the walk goes somewhere.
const sequence = fc.tuple(fc.constantFrom(...TICKET_KINDS), fc.array(attempt, { maxLength: 25 })).map(([kind, rest]) => ({
  kind,
  attempts: [{ action: 'submit' as const, actor: 'villager' as const }, ...rest],
}));

describe('ticket model: no sequence of moves reaches a forbidden state', () => {
  it('when a ticket reaches closed, rejected or cancelled, then nothing moves it again', () => {
    fc.assert(fc.property(sequence, ({ kind, attempts }) => {
      const applied = run(kind, attempts).filter((s) => s.to);
      const finalAt = applied.findIndex((s) => FINAL_STATES.includes(s.to!));
      return finalAt === -1 || finalAt === applied.length - 1;
    }), { numRuns: 2000 });
  });

  it('when a ticket is refunded, then it is a return; a return is never scheduled or resolved', () => {
    fc.assert(fc.property(sequence, ({ kind, attempts }) => {
      const states = run(kind, attempts).filter((s) => s.to).map((s) => s.to);
      if (states.includes('refunded') && kind !== 'return') return false;
      return kind !== 'return' || (!states.includes('scheduled') && !states.includes('resolved'));
    }), { numRuns: 2000 });
  });

  it('when a ticket closes, then it was resolved or refunded just before, and the villager closed it by rating', () => {
    fc.assert(fc.property(sequence, ({ kind, attempts }) => run(kind, attempts).filter((s) => s.to).every((s) =>
      s.to !== 'closed' || ((s.from === 'resolved' || s.from === 'refunded') && s.action === 'rate' && s.actor === 'villager'))), { numRuns: 2000 });
  });

  it('when a ticket escalates, then only the clock did it, from submitted, at most once; nothing ever goes back to submitted', () => {
    fc.assert(fc.property(sequence, ({ kind, attempts }) => {
      const applied = run(kind, attempts).filter((s) => s.to);
      const escalations = applied.filter((s) => s.to === 'escalated');
      return escalations.length <= 1 && escalations.every((s) => s.from === 'submitted' && s.actor === 'system') && applied.filter((s) => s.to === 'submitted').length === 1;
    }), { numRuns: 2000 });
  });

  it('when a move is made, then by whom the business allows: the villager submits, cancels and rates; the store accepts, rejects, schedules and refunds; the store or its technician resolves', () => {
    const allowed: Record<TicketAction, Actor[]> = {
      submit: ['villager'], cancel: ['villager'], rate: ['villager'], escalate: ['system'], accept: ['store'], reject: ['store'],
      schedule: ['store'], refund: ['store'], resolve: ['store', 'technician'],
    };
    fc.assert(fc.property(sequence, ({ kind, attempts }) => run(kind, attempts).filter((s) => s.to).every((s) => allowed[s.action].includes(s.actor))), { numRuns: 2000 });
  });

  it('when the store has accepted, then the ticket never waits for acceptance again', () => {
    fc.assert(fc.property(sequence, ({ kind, attempts }) => {
      const states = run(kind, attempts).filter((s) => s.to).map((s) => s.to!);
      const accepted = states.indexOf('accepted');
      return accepted === -1 || states.slice(accepted + 1).every((s) => !['submitted', 'escalated', 'accepted'].includes(s));
    }), { numRuns: 2000 });
  });
});
