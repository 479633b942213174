/** A failure whose message is written for the workflow author. */
export class ActionError extends Error {}

/** One or more inputs are unusable; nothing was sent. */
export class InputError extends ActionError {
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super(problems.join('\n'))
    this.problems = problems
  }
}

/**
 * One token request failed. `retryable` says whether the same request may
 * succeed later; `retryAfterMs` carries the server's Retry-After, if any, and
 * `status` the HTTP status of an error answer (429 is waited out apart).
 */
export class TokenRequestError extends ActionError {
  readonly retryable: boolean
  readonly retryAfterMs: number | undefined
  readonly status: number | undefined

  constructor(
    message: string,
    options: {
      retryable: boolean
      retryAfterMs?: number | undefined
      status?: number | undefined
    }
  ) {
    super(message)
    this.retryable = options.retryable
    this.retryAfterMs = options.retryAfterMs
    this.status = options.status
  }
}
