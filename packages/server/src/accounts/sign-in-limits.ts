/**
 * How many password sign-ins may fail before the server stops checking passwords for a while.
 *
 * Why these numbers: five tries is more than a person mistyping needs, and a one-minute block
 * (doubling for each further block of the same pair within a day, up to 15 minutes) keeps a
 * guesser at a few dozen passwords an hour per account and address, while its owner is never
 * locked out for long. Fifty failures per address in 15 minutes leaves room for many people
 * behind one NAT mistyping, yet stops one address from trying a common password on every account.
 */
export interface SignInLimits {
  /** Failures of one (email, client address) pair after which its further attempts are refused. */
  failuresPerEmailAndAddress: number;
  /** Failures of a pair count for this long from its first one (a success forgets them at once). */
  failureWindowSeconds: number;
  /** How long a pair's first block lasts; each further block within `blockMemorySeconds` doubles it. */
  blockSeconds: number;
  /** The longest a pair's block grows to. */
  maxBlockSeconds: number;
  /** How long a pair's blocks are remembered for the doubling (a success forgets them too). */
  blockMemorySeconds: number;
  /** Failures from one client address, across all emails, after which it is refused. */
  failuresPerAddress: number;
  /** The window those count in. */
  addressWindowSeconds: number;
  /** How long an address that reached its cap is refused. */
  addressBlockSeconds: number;
}

export const SIGN_IN_LIMITS: SignInLimits = {
  failuresPerEmailAndAddress: 5,
  failureWindowSeconds: 60 * 60,
  blockSeconds: 60,
  maxBlockSeconds: 15 * 60,
  blockMemorySeconds: 24 * 60 * 60,
  failuresPerAddress: 50,
  addressWindowSeconds: 15 * 60,
  addressBlockSeconds: 15 * 60,
};
