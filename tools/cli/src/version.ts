/** Kept equal to package.json's version by a test (a JSON import would not survive every build format). */
export const CLI_VERSION = '0.1.0';
