// Cancellation lives in core's abort.ts; the stores keep importing it from here.
export { abortError, throwIfAborted } from '../abort.js';
