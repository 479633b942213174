/**
 * A failure whose message is written for the workflow author. `name` is the
 * class's; `cause` keeps what led to it, for debugging, never for the log:
 * only messages are printed, and they quote outside text through quote().
 */
export class ActionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}

/** One or more inputs are unusable; nothing was sent. */
export class InputError extends ActionError {
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super(problems.join('\n'))
    this.problems = problems
  }
}

/**
 * What happened to a token request, as data: where it is understood, it is
 * described, and retry.ts alone decides from it whether to try again.
 */
export type Failure =
  /** The token endpoint's answer: its status, RFC 6749 `error`, Retry-After. */
  | { kind: 'answer'; status: number; code?: string; retryAfterMs?: number }
  /** The proxy answered CONNECT with this status. */
  | { kind: 'proxy'; status: number }
  /** A socket or DNS error, by its code. */
  | { kind: 'network'; code: string }
  /** No complete answer within timeout-seconds. */
  | { kind: 'timeout' }
  /** The TLS handshake failed: a certificate, an alert, bytes not TLS. */
  | { kind: 'tls' }
  /** An answer that is what it is: the next attempt would get the same. */
  | { kind: 'refusal' }

/** One token request failed: the user's message and what happened. */
export class TokenRequestError extends ActionError {
  readonly failure: Failure

  constructor(message: string, failure: Failure, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.failure = failure
  }

  /** The HTTP status of the token endpoint's answer, if it gave one. */
  get status(): number | undefined {
    return this.failure.kind === 'answer' ? this.failure.status : undefined
  }
}
