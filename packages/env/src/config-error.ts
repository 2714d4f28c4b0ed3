/** A configuration value is missing or malformed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * A start-up failure whose message is written for the user (what is wrong and what to do):
 * `runMain` prints it as one line on stderr, without a stack, and exits 1.
 */
export class StartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartError';
  }
}
