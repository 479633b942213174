/** The action's name and version, sent as User-Agent. Kept equal to package.json by a test. */
export const ACTION_NAME = 'torq-token-action'
export const ACTION_VERSION = '1.0.0'
export const USER_AGENT = `${ACTION_NAME}/${ACTION_VERSION}`
