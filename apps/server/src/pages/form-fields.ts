// Parsing of HTML form fields: every value arrives as a string; a checkbox is "on" or absent.
import { z } from 'zod';

/** A text field whose empty value means "none". */
export const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : null));

export const checkbox = z
  .string()
  .optional()
  .transform((v) => v === 'on' || v === 'true' || v === '1');

export const integerField = (min: number) => z.coerce.number().int().min(min);
