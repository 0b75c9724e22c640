/**
 * A problem with the file itself (unreadable, wrong format, required columns missing): retrying
 * cannot help, so the run fails at once with this message for the editor.
 */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}
