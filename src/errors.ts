/** A failure whose message is written for the workflow author. */
export class ActionError extends Error {
  override name = 'ActionError'
}

/** One or more inputs are unusable; nothing was sent. */
export class InputError extends ActionError {
  override name = 'InputError'
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
  override name = 'TokenRequestError'
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
