/** A change to the fleet at a point in simulated time. Servers are numbered from 1 (s1, s2, …). */
export type TimelineEvent =
  | { at: number; event: 'crash'; server: number }
  | { at: number; event: 'recover'; server: number }
  | { at: number; event: 'remove'; server: number }
  | { at: number; event: 'add'; count: number };
