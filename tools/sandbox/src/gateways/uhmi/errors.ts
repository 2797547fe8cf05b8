import type { Response } from 'express';

/** Uhmi's error: `{"error": {"code": 400, "message": "…"}}` with the HTTP status as the code. */
export class UhmiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The seed's status table, in its own words. */
export const MESSAGES = {
  401: 'The authentication has failed. Check your API key.',
  404: 'The requested resource could not be found.',
  405: 'You have used a method that is not supported.',
  415: 'The encoding of your request has a media type which is not supported. Make sure you use UTF-8.',
  500: 'Something went wrong on our end. Please try again.',
} as const;

export function sendUhmiError(res: Response, status: number, message: string): void {
  res.status(status).json({ error: { code: status, message } });
}
