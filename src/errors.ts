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
 * succeed later; `retryAfterMs` carries the server's Retry-After, if any.
 */
export class TokenRequestError extends ActionError {
  readonly retryable: boolean
  readonly retryAfterMs: number | undefined

  constructor(
    message: string,
    options: { retryable: boolean; retryAfterMs?: number | undefined }
  ) {
    super(message)
    this.retryable = options.retryable
    this.retryAfterMs = options.retryAfterMs
  }
}
