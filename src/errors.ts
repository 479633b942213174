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
      cause?: unknown
    }
  ) {
    super(
      message,
      options.cause === undefined ? undefined : { cause: options.cause }
    )
    this.retryable = options.retryable
    this.retryAfterMs = options.retryAfterMs
    this.status = options.status
  }
}
