/**
 * The shape of the code `typed-sessions gen` writes, as one number that the generator and the runtime both
 * read from here. The generator stamps it into the spec definition it emits (`format:`), and
 * `createSessionsMiddleware` refuses a definition with another one: a generated file made by an older or
 * newer generator than the installed runtime fails at startup with what to run, not later with a wrong
 * reading of its data. Raise it whenever generated code changes in a way the runtime reads differently.
 */
export const GENERATED_FORMAT = 4;
