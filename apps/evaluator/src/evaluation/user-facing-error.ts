// A failure of the jobset's own making (a bad expression path, a missing input): the evaluation and
// the jobset record its message, and the evaluate-jobset job completes instead of being retried.
export class UserFacingError extends Error {}
