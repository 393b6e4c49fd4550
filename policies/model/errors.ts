/** The message of anything thrown: an Error's message, or the thrown value itself (`throw 'x'` happens in deps). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
